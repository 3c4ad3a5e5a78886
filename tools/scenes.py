"""Generated scenes for training and measuring the promptable segmenter (the spec is in tools/README.md,
"Scenes"; the engine's C# generator follows the same spec).

A scene is a 256x256 RGB image in [0,1] on a textured background with 2-5 objects (ellipse, polygon, star,
blob) with flat, gradient or textured fills, painted in order so that later objects occlude earlier ones,
anti-aliased by rendering at 2x and box-downsampling. Each object's ground truth is its visible pixels
(at least half of the pixel's 2x2 supersamples show the object). Clicks follow the spec: the first positive
click is a random target pixel at least 3 px from the boundary, a refinement click is the most interior
pixel of the largest error region.

Pixel (x, y) is column x, row y; its centre is at (x + 0.5, y + 0.5) in canvas units.
"""
import math

import numpy as np

S = 256  # canvas side
SUPERSAMPLE = 2  # rendered at 2x, box-downsampled
MIN_TARGET_AREA = 0.015  # of the canvas
CLICK_MARGIN = 3.0  # px from the boundary for the first click
SHAPES = ("ellipse", "polygon", "star", "blob")
FILLS = ("flat", "gradient", "texture")


class Scene:
    """image [S,S,3] float32 in [0,1]; masks [n,S,S] bool (visible pixels of each object, painting order);
    shapes / fills: what each object is; targets: indices of the objects big enough to segment."""

    def __init__(self, image, masks, shapes, fills):
        self.image = image
        self.masks = masks
        self.shapes = shapes
        self.fills = fills
        self.targets = [i for i in range(len(masks)) if masks[i].sum() >= MIN_TARGET_AREA * S * S]


def scene_rng(seed, index):
    """The random stream of scene `index` of a seed (numpy PCG64 seeded with [seed, index])."""
    return np.random.default_rng([seed, index])


def value_noise(rng, xs, ys, cell):
    """Smooth value noise: uniform(-1,1) values on a lattice of `cell` px, smoothstep-bilinear interpolation."""
    n = S // cell + 2
    lattice = rng.uniform(-1.0, 1.0, (n, n))
    gx, gy = xs / cell, ys / cell
    ix, iy = np.floor(gx).astype(int), np.floor(gy).astype(int)
    tx, ty = gx - ix, gy - iy
    wx, wy = tx * tx * (3 - 2 * tx), ty * ty * (3 - 2 * ty)
    top = lattice[iy, ix] * (1 - wx) + lattice[iy, ix + 1] * wx
    bottom = lattice[iy + 1, ix] * (1 - wx) + lattice[iy + 1, ix + 1] * wx
    return top * (1 - wy) + bottom * wy


def grating(xs, ys, angle, period, phase):
    return np.sin(2 * math.pi * (xs * math.cos(angle) + ys * math.sin(angle)) / period + phase)


def background(rng, xs, ys):
    base = rng.uniform(0.1, 0.9, 3)
    modulation = np.ones_like(xs)
    for _ in range(rng.integers(2, 4)):  # 2 or 3 gratings
        angle, period, phase, amplitude = rng.uniform(0, math.pi), rng.uniform(6, 48), rng.uniform(0, 2 * math.pi), rng.uniform(0.03, 0.12)
        modulation += amplitude * grating(xs, ys, angle, period, phase)
    amplitude = rng.uniform(0.05, 0.2)
    modulation += amplitude * value_noise(rng, xs, ys, 32)
    return np.clip(base * modulation[..., None], 0.0, 1.0)


def polygon_inside(xs, ys, vx, vy):
    """Even-odd crossing test of the points against the closed polygon (vx, vy)."""
    inside = np.zeros(xs.shape, dtype=bool)
    for i in range(len(vx)):
        x1, y1, x2, y2 = vx[i], vy[i], vx[i - 1], vy[i - 1]
        if y1 == y2:
            continue
        crosses = (y1 > ys) != (y2 > ys)
        inside ^= crosses & (xs < (x2 - x1) * (ys - y1) / (y2 - y1) + x1)
    return inside


def shape(rng, kind, radius):
    """A function (dx, dy) -> inside, for offsets from the object's centre."""
    if kind == "ellipse":
        minor, angle = radius * rng.uniform(0.4, 1.0), rng.uniform(0, math.pi)
        c, s = math.cos(angle), math.sin(angle)
        return lambda dx, dy: ((dx * c + dy * s) / radius) ** 2 + ((-dx * s + dy * c) / minor) ** 2 <= 1.0
    if kind == "polygon":
        m = int(rng.integers(5, 10))
        rotation = rng.uniform(0, 2 * math.pi)
        angles = rotation + 2 * math.pi * (np.arange(m) + rng.uniform(-0.3, 0.3, m)) / m
        radii = radius * rng.uniform(0.6, 1.0, m)
        return lambda dx, dy: polygon_inside(dx, dy, radii * np.cos(angles), radii * np.sin(angles))
    if kind == "star":
        points, ratio, rotation = int(rng.integers(5, 9)), rng.uniform(0.4, 0.7), rng.uniform(0, 2 * math.pi)
        angles = rotation + math.pi * np.arange(2 * points) / points
        radii = np.where(np.arange(2 * points) % 2 == 0, radius, radius * ratio)
        return lambda dx, dy: polygon_inside(dx, dy, radii * np.cos(angles), radii * np.sin(angles))
    # blob: r(t) = r0 (1 + sum_k a_k sin(k t + phi_k)), k = 2..4, scaled so that its outer radius is at most `radius`
    amplitudes, phases = rng.uniform(0, 0.25, 3), rng.uniform(0, 2 * math.pi, 3)
    r0 = radius / (1 + amplitudes.sum())

    def inside(dx, dy):
        t = np.arctan2(dy, dx)
        r = 1 + sum(amplitudes[k] * np.sin((k + 2) * t + phases[k]) for k in range(3))
        return dx * dx + dy * dy <= (r0 * r) ** 2
    return inside


def fill(rng, kind, dx, dy, radius):
    """The object's colour at offsets (dx, dy) from its centre, [..., 3]."""
    if kind == "flat":
        return np.broadcast_to(rng.uniform(0, 1, 3), dx.shape + (3,))
    if kind == "gradient":
        c1, c2, direction = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3), rng.uniform(0, 2 * math.pi)
        t = np.clip((dx * math.cos(direction) + dy * math.sin(direction)) / (2 * radius) + 0.5, 0.0, 1.0)
        return c1 + t[..., None] * (c2 - c1)
    colour = rng.uniform(0, 1, 3)
    if rng.uniform() < 0.5:  # grating
        angle, period, phase = rng.uniform(0, math.pi), rng.uniform(4, 16), rng.uniform(0, 2 * math.pi)
        pattern = grating(dx, dy, angle, period, phase)
    else:  # checker
        cell, angle = rng.uniform(4, 12), rng.uniform(0, math.pi / 2)
        u = dx * math.cos(angle) + dy * math.sin(angle)
        v = -dx * math.sin(angle) + dy * math.cos(angle)
        pattern = 1.0 - 2.0 * ((np.floor(u / cell) + np.floor(v / cell)) % 2)
    depth = rng.uniform(0.15, 0.4)
    return np.clip(colour * (1 + depth * pattern[..., None]), 0.0, 1.0)


def generate(rng):
    """One scene from a numpy Generator, drawing in the order the spec lists."""
    n = S * SUPERSAMPLE
    axis = (np.arange(n) + 0.5) / SUPERSAMPLE  # supersample centres in canvas units
    xs, ys = np.meshgrid(axis, axis)
    colour = background(rng, xs, ys)
    owner = np.full((n, n), -1, dtype=np.int8)
    count = int(rng.integers(2, 6))
    shapes, fills = [], []
    for i in range(count):
        kind = SHAPES[rng.integers(0, 4)]
        radius = rng.uniform(0.08, 0.30) * S
        cx, cy = rng.uniform(0, S), rng.uniform(0, S)
        inside_of = shape(rng, kind, radius)
        fill_kind = FILLS[rng.integers(0, 3)]
        # Only the supersamples within the outer radius can be inside.
        x0, x1 = max(0, int((cx - radius) * SUPERSAMPLE) - 1), min(n, int((cx + radius) * SUPERSAMPLE) + 2)
        y0, y1 = max(0, int((cy - radius) * SUPERSAMPLE) - 1), min(n, int((cy + radius) * SUPERSAMPLE) + 2)
        dx, dy = xs[y0:y1, x0:x1] - cx, ys[y0:y1, x0:x1] - cy
        inside = inside_of(dx, dy)
        paint = fill(rng, fill_kind, dx, dy, radius)
        colour[y0:y1, x0:x1][inside] = paint[inside]
        owner[y0:y1, x0:x1][inside] = i
        shapes.append(kind)
        fills.append(fill_kind)
    image = colour.reshape(S, SUPERSAMPLE, S, SUPERSAMPLE, 3).mean(axis=(1, 3))
    sigma = rng.uniform(0, 0.02)
    image = np.clip(image + rng.normal(0, 1, image.shape) * sigma, 0.0, 1.0).astype(np.float32)
    coverage = np.stack([(owner == i).reshape(S, SUPERSAMPLE, S, SUPERSAMPLE).mean(axis=(1, 3)) for i in range(count)])
    return Scene(image, coverage >= 0.5, shapes, fills)


def scene(seed, index):
    return generate(scene_rng(seed, index))


# ----------------------------------------------------------------------------------------------- clicks

def boundary_distance(region):
    """Euclidean distance from each pixel of `region` to the nearest pixel centre outside it (outside the
    canvas counts as outside); 0 outside the region. Exact, computed on the region's bounding box: the
    distance along each column to the nearest outside pixel by two scans, then for each pixel the minimum
    over its row of (column offset)^2 + (that column distance)^2."""
    out = np.zeros(region.shape, dtype=np.float64)
    rows, cols = np.nonzero(region)
    if rows.size == 0:
        return out
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    box = np.zeros((r1 - r0 + 2, c1 - c0 + 2), dtype=bool)  # a ring of outside pixels bounds every scan
    box[1:-1, 1:-1] = region[r0:r1, c0:c1]
    h, w = box.shape
    down = np.zeros(box.shape)
    for i in range(1, h):
        down[i] = np.where(box[i], down[i - 1] + 1, 0)
    up = np.zeros(box.shape)
    for i in range(h - 2, -1, -1):
        up[i] = np.where(box[i], up[i + 1] + 1, 0)
    vertical = np.minimum(down, up) ** 2
    # Only columns within the largest column distance can be nearer than the pixel's own column.
    reach = int(math.sqrt(vertical.max()))
    squared = vertical.copy()
    for shift in range(1, min(reach, w - 1) + 1):
        np.minimum(squared[:, shift:], vertical[:, :-shift] + shift * shift, out=squared[:, shift:])
        np.minimum(squared[:, :-shift], vertical[:, shift:] + shift * shift, out=squared[:, :-shift])
    out[r0:r1, c0:c1] = np.sqrt(squared[1:-1, 1:-1])
    return out


def first_click(rng, mask):
    """(x, y) of the first positive click: a uniformly random target pixel at distance >= 3 px from the
    boundary, or the pixel of maximum distance (first in row-major order) when there is none."""
    distance = boundary_distance(mask)
    rows, cols = np.nonzero(distance >= CLICK_MARGIN)
    if rows.size == 0:
        index = int(np.argmax(distance))
        return index % S, index // S
    k = int(rng.integers(0, rows.size))
    return int(cols[k]), int(rows[k])


def components(region):
    """4-connected component labels of a boolean image (0 = not in the region, labels 1..n) and their areas."""
    labels = np.zeros(region.shape, dtype=np.int32)
    h, w = region.shape
    areas = [0]
    for y, x in zip(*np.nonzero(region)):
        if labels[y, x]:
            continue
        label = len(areas)
        labels[y, x] = label
        stack, area = [(y, x)], 0
        while stack:
            cy, cx = stack.pop()
            area += 1
            for ny, nx in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                if 0 <= ny < h and 0 <= nx < w and region[ny, nx] and not labels[ny, nx]:
                    labels[ny, nx] = label
                    stack.append((ny, nx))
        areas.append(area)
    return labels, areas


def refinement_click(target, prediction):
    """(x, y, positive) of the next click: in the largest 4-connected error region (false negatives and
    false positives taken separately; ties go to false negatives, then to the lower label in row-major
    order), its pixel of largest boundary distance (first in row-major order); positive for a false
    negative region. None when the prediction is exact."""
    best = None
    for positive, errors in ((True, target & ~prediction), (False, prediction & ~target)):
        if not errors.any():
            continue
        labels, areas = components(errors)
        label = int(np.argmax(areas))
        if best is None or areas[label] > best[0]:
            best = (areas[label], labels == label, positive)
    if best is None:
        return None
    distance = boundary_distance(best[1])
    index = int(np.argmax(distance))
    return index % S, index // S, best[2]


def iou(a, b):
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0
