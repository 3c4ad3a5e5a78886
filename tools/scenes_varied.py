"""Varied scenes for training the promptable segmenter to generalise (the masks issue's training data): the
same Scene (256x256 RGB in [0,1], visible masks in painting order, targets) as tools/scenes.py, from a far
wider generator.

- Backgrounds (uniform of four): a crop of a Kodak photograph (a random square of 64-512 px, rescaled to 256,
  mirrored or turned, per-channel gain and offset, saturation change, blur); a procedural texture (below);
  blotches (3-8 colours mixed by the soft maximum of as many value-noise fields); a linear or radial gradient.
- Procedural textures (uniform): fractal value noise at 1-4 octaves from 4-128 px cells; gratings with a sine,
  square or triangle profile; checkers; dots on a lattice; cells (the nearest of random seeds).
- Objects: 1-6, each an ellipse, polygon (3-9 vertices), star, blob, a thin bar (2-6 px wide, any length),
  a ring or a shape with 1-3 holes, or a shape with a thin limb; outer radius 3-45 % of the side (from
  specks to most of the frame), placed anywhere, a third of them touching the previous object; painted in
  order, so later ones occlude earlier ones.
- Fills (uniform): flat; gradient; texture (any of the above in two colours); a photo patch (another crop);
  a third of the objects in a low-contrast colour (the background under them shifted by 0.04-0.15), a
  quarter with a soft edge (the coverage blurred by 0.5-3 px).
- Whole picture: a lighting gradient (gain 0.6-1.4 across the frame) half the time, blur (sigma up to
  1.2 px) a third of the time, Gaussian noise with sigma up to 0.05.

Ground truth: an object's visible coverage at least 0.5 (its own alpha times what later objects leave of it).
Photos come from ../shared/testdata/kodak24 (or testdata/kodak), leaving out the held-out images 1, 8, 19 and
23 that tests/Ai/HeldOutScenes.cs cuts its backgrounds from, so the held-out set's photos are never seen.

Scene k of seed s is drawn from numpy.random.default_rng([s, k, 7]) (the 7 keeps it apart from tools/scenes.py's streams).
"""
import math
import os

import numpy as np

import scenes

S = scenes.S
HELD_OUT_PHOTOS = (1, 8, 19, 23)
TRAIN_PHOTOS = tuple(i for i in range(1, 25) if i not in HELD_OUT_PHOTOS)
_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
_photos = {}


def photo(index):
    """Kodak image `index` as float RGB [H,W,3] in [0,1] (loaded once per process)."""
    if index not in _photos:
        from PIL import Image  # only the photo paths need PIL
        for folder in (os.path.join(_ROOT, "..", "shared", "testdata", "kodak24"), os.path.join(_ROOT, "testdata", "kodak")):
            path = os.path.join(folder, f"kodim{index:02d}.png")
            if os.path.exists(path):
                _photos[index] = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
                break
        else:
            raise FileNotFoundError(f"kodim{index:02d}.png: in neither ../shared/testdata/kodak24 nor testdata/kodak")
    return _photos[index]


def available_photos():
    return [i for i in TRAIN_PHOTOS
            if any(os.path.exists(os.path.join(folder, f"kodim{i:02d}.png"))
                   for folder in (os.path.join(_ROOT, "..", "shared", "testdata", "kodak24"), os.path.join(_ROOT, "testdata", "kodak")))]


def resize(image, height, width):
    """Bilinear resize of [h,w,C] to [height,width,C] (pixel centres aligned)."""
    h, w = image.shape[:2]
    ys = np.clip((np.arange(height) + 0.5) * h / height - 0.5, 0, h - 1)
    xs = np.clip((np.arange(width) + 0.5) * w / width - 0.5, 0, w - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - fx) + image[y0][:, x1] * fx
    bottom = image[y1][:, x0] * (1 - fx) + image[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def blur(image, sigma):
    """Separable Gaussian blur of [H,W] or [H,W,C] (edges clamped)."""
    if sigma <= 0.05:
        return image
    radius = int(math.ceil(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    out = image
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in range(out.ndim)], mode="edge")
        out = sum(kernel[k] * np.take(padded, np.arange(k, k + out.shape[axis]), axis=axis) for k in range(2 * radius + 1))
    return out


def random_colour(rng):
    return rng.uniform(0, 1, 3)


def photo_crop(rng, size):
    """A random square crop of a training photo, rescaled to size x size, mirrored/turned, colour-shifted, blurred."""
    indices = available_photos()
    image = photo(int(rng.choice(indices)))
    h, w = image.shape[:2]
    side = int(rng.integers(64, min(h, w, 512) + 1))
    y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    crop = resize(image[y:y + side, x:x + side], size, size)
    if rng.uniform() < 0.5:
        crop = crop[:, ::-1]
    crop = np.rot90(crop, int(rng.integers(0, 4)))
    grey = crop.mean(axis=2, keepdims=True)
    crop = grey + rng.uniform(0.3, 1.5) * (crop - grey)  # saturation
    crop = crop * rng.uniform(0.7, 1.3, 3) + rng.uniform(-0.1, 0.1, 3)
    if rng.uniform() < 0.3:
        crop = crop[..., rng.permutation(3)]
    return np.clip(blur(crop, rng.uniform(0, 1.5) if rng.uniform() < 0.4 else 0), 0, 1)


def fractal_noise(rng, xs, ys):
    """Value noise summed over 1-4 octaves from a 4-128 px base cell, in about [-1, 1]."""
    octaves, cell = int(rng.integers(1, 5)), rng.uniform(4, 128)
    total, amplitude, norm = 0, 1.0, 0
    for _ in range(octaves):
        n = int(max(xs.max(), ys.max()) / cell) + 3
        lattice = rng.uniform(-1, 1, (n, n))
        gx, gy = xs / cell, ys / cell
        ix, iy = np.clip(np.floor(gx).astype(int), 0, n - 2), np.clip(np.floor(gy).astype(int), 0, n - 2)
        tx, ty = gx - ix, gy - iy
        wx, wy = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
        top = lattice[iy, ix] * (1 - wx) + lattice[iy, ix + 1] * wx
        bottom = lattice[iy + 1, ix] * (1 - wx) + lattice[iy + 1, ix + 1] * wx
        total = total + amplitude * (top * (1 - wy) + bottom * wy)
        norm += amplitude
        amplitude *= 0.5
        cell = max(2.0, cell / 2)
    return total / norm


def pattern(rng, xs, ys):
    """A procedural texture in [0, 1] over the points (xs, ys)."""
    kind = rng.integers(0, 5)
    if kind == 0:
        return 0.5 + 0.5 * fractal_noise(rng, xs, ys)
    angle, period, phase = rng.uniform(0, math.pi), rng.uniform(3, 40), rng.uniform(0, 1)
    u = (xs * math.cos(angle) + ys * math.sin(angle)) / period + phase
    v = (-xs * math.sin(angle) + ys * math.cos(angle)) / period
    if kind == 1:  # grating: sine, square or triangle profile
        profile = rng.integers(0, 3)
        frac = u - np.floor(u)
        return (0.5 + 0.5 * np.sin(2 * math.pi * u)) if profile == 0 else (frac < 0.5).astype(float) if profile == 1 else np.abs(2 * frac - 1)
    if kind == 2:  # checker
        return ((np.floor(u) + np.floor(v)) % 2).astype(float)
    if kind == 3:  # dots on a lattice
        radius = rng.uniform(0.15, 0.45)
        return ((u - np.round(u)) ** 2 + (v - np.round(v)) ** 2 < radius * radius).astype(float)
    # cells: which of a few random seeds is nearest, each cell its own grey
    count = int(rng.integers(6, 60))
    seeds = rng.uniform(xs.min(), xs.max() + 1, (count, 2))
    values = rng.uniform(0, 1, count)
    best, out = np.full(xs.shape, np.inf), np.zeros(xs.shape)
    for (sx, sy), value in zip(seeds, values):
        distance = (xs - sx) ** 2 + (ys - sy) ** 2
        out = np.where(distance < best, value, out)
        best = np.minimum(best, distance)
    return out


def textured(rng, xs, ys):
    """Two colours mixed by a procedural texture."""
    c1, c2 = random_colour(rng), random_colour(rng)
    t = pattern(rng, xs, ys)[..., None]
    return c1 + t * (c2 - c1)


def blotches(rng, xs, ys):
    count = int(rng.integers(3, 9))
    palette = rng.uniform(0, 1, (count, 3))
    fields = np.stack([fractal_noise(rng, xs, ys) for _ in range(count)], axis=-1)
    weights = np.exp(rng.uniform(4, 30) * (fields - fields.max(axis=-1, keepdims=True)))
    return (weights[..., None] * palette).sum(axis=-2) / weights.sum(axis=-1, keepdims=True)


def gradient(rng, xs, ys):
    c1, c2 = random_colour(rng), random_colour(rng)
    if rng.uniform() < 0.5:
        angle = rng.uniform(0, 2 * math.pi)
        t = (xs * math.cos(angle) + ys * math.sin(angle) - (S / 2) * (math.cos(angle) + math.sin(angle))) / S + 0.5
    else:
        cx, cy, r = rng.uniform(0, S), rng.uniform(0, S), rng.uniform(0.3, 1.2) * S
        t = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / r
    return c1 + np.clip(t, 0, 1)[..., None] * (c2 - c1)


def background(rng, xs, ys):
    kind = rng.integers(0, 4)
    if kind == 0:
        return photo_crop(rng, xs.shape[0])
    if kind == 1:
        return textured(rng, xs, ys)
    if kind == 2:
        return blotches(rng, xs, ys)
    return gradient(rng, xs, ys)


def outline(rng, radius):
    """(kind, inside(dx, dy)) for a random outline of outer radius `radius`."""
    kind = ("ellipse", "polygon", "star", "blob", "bar", "holes", "limb")[rng.integers(0, 7)]
    if kind in ("ellipse", "star", "blob"):
        return kind, scenes.shape(rng, kind, radius)
    if kind == "polygon":
        m = int(rng.integers(3, 10))
        rotation = rng.uniform(0, 2 * math.pi)
        angles = rotation + 2 * math.pi * (np.arange(m) + rng.uniform(-0.3, 0.3, m)) / m
        radii = radius * rng.uniform(0.6, 1.0, m)
        return kind, lambda dx, dy: scenes.polygon_inside(dx, dy, radii * np.cos(angles), radii * np.sin(angles))
    if kind == "bar":
        angle, half = rng.uniform(0, math.pi), rng.uniform(1.0, 3.0)
        c, s = math.cos(angle), math.sin(angle)
        return kind, lambda dx, dy: (np.abs(dx * c + dy * s) <= radius) & (np.abs(-dx * s + dy * c) <= half)
    base_kind, base = outline_simple(rng, radius)
    if kind == "holes":
        holes = []
        for _ in range(int(rng.integers(1, 4))):
            r = radius * rng.uniform(0.12, 0.4)
            distance, angle = rng.uniform(0, 0.45) * radius, rng.uniform(0, 2 * math.pi)
            holes.append((distance * math.cos(angle), distance * math.sin(angle), r))

        def with_holes(dx, dy):
            inside = base(dx, dy)
            for hx, hy, r in holes:
                inside &= (dx - hx) ** 2 + (dy - hy) ** 2 > r * r
            return inside
        return kind, with_holes
    # limb: a thin bar from the centre out past the shape's edge
    angle, half = rng.uniform(0, 2 * math.pi), rng.uniform(1.0, 3.0)
    c, s = math.cos(angle), math.sin(angle)
    return kind, lambda dx, dy: base(dx, dy) | ((dx * c + dy * s >= 0) & (dx * c + dy * s <= radius) & (np.abs(-dx * s + dy * c) <= half))


def outline_simple(rng, radius):
    kind = ("ellipse", "polygon", "blob")[rng.integers(0, 3)]
    return kind, scenes.shape(rng, kind, radius)


def fill(rng, xs, ys, under):
    """Colour [..., 3] of an object over the (square) grid (xs, ys); `under`: the mean colour beneath the object."""
    kind = ("flat", "gradient", "texture", "photo")[rng.integers(0, 4)]
    if rng.uniform() < 1 / 3:  # low contrast: the background beneath, shifted a little
        shift = rng.uniform(0.04, 0.15) * rng.choice([-1, 1], 3)
        return "low-contrast", np.broadcast_to(np.clip(under + shift, 0, 1), xs.shape + (3,))
    if kind == "flat":
        return kind, np.broadcast_to(random_colour(rng), xs.shape + (3,))
    if kind == "gradient":
        return kind, gradient(rng, xs, ys)
    if kind == "texture":
        return kind, textured(rng, xs, ys)
    return kind, photo_crop(rng, xs.shape[0])


def generate(rng):
    n = S * scenes.SUPERSAMPLE
    axis = (np.arange(n) + 0.5) / scenes.SUPERSAMPLE
    xs, ys = np.meshgrid(axis, axis)
    colour = background(rng, xs, ys)
    count = int(rng.integers(1, 7))
    alphas, shapes, fills = [], [], []
    previous = None
    for _ in range(count):
        radius = S * math.exp(rng.uniform(math.log(0.03), math.log(0.45)))
        if previous is not None and rng.uniform() < 1 / 3:  # touching the previous object
            angle = rng.uniform(0, 2 * math.pi)
            reach = previous[2] * rng.uniform(0.5, 1.0) + radius * rng.uniform(0.5, 1.0)
            cx, cy = previous[0] + reach * math.cos(angle), previous[1] + reach * math.sin(angle)
        else:
            cx, cy = rng.uniform(0, S), rng.uniform(0, S)
        previous = (cx, cy, radius)
        kind, inside_of = outline(rng, radius)
        inside = inside_of(xs - cx, ys - cy).astype(np.float64)
        if rng.uniform() < 0.25:
            inside = blur(inside, rng.uniform(0.5, 3.0) * scenes.SUPERSAMPLE)
        covered = inside > 0.5
        fill_kind, paint = fill(rng, xs, ys, colour[covered].mean(axis=0) if covered.any() else colour.mean(axis=(0, 1)))
        alpha = inside[..., None]
        colour = colour * (1 - alpha) + paint * alpha
        for a in alphas:
            a *= 1 - inside
        alphas.append(inside)
        shapes.append(kind)
        fills.append(fill_kind)
    if rng.uniform() < 0.5:  # lighting
        colour = colour * (rng.uniform(0.6, 1.4) + (gradient(rng, xs, ys).mean(axis=-1, keepdims=True) - 0.5) * rng.uniform(0, 0.8))
    image = colour.reshape(S, scenes.SUPERSAMPLE, S, scenes.SUPERSAMPLE, 3).mean(axis=(1, 3))
    if rng.uniform() < 1 / 3:
        image = blur(image, rng.uniform(0.3, 1.2))
    image = np.clip(image + rng.normal(0, 1, image.shape) * rng.uniform(0, 0.05), 0, 1).astype(np.float32)
    coverage = np.stack([a.reshape(S, scenes.SUPERSAMPLE, S, scenes.SUPERSAMPLE).mean(axis=(1, 3)) for a in alphas])
    return scenes.Scene(image, coverage >= 0.5, shapes, fills)


def scene(seed, index):
    return generate(np.random.default_rng([seed, index, 7]))
