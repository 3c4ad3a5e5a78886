#!/usr/bin/python3
"""Trains the project's own NAFNet denoiser on CPU and exports it as models/nafnet-denoise (run with
Debian's /usr/bin/python3: it has python3-torch and python3-onnx).

The training pairs mimic what the engine's `denoise_nn` module sees: linear, white-balanced camera RGB right
after demosaic. For each crop of Kodak images 1-16 (../shared/testdata/kodak24, never 17-24):
  8-bit sRGB -> linear -> RGGB mosaic -> Poisson-Gaussian noise, variance a*x + b (1.0 = white), clipped and
  quantised as SyntheticRaw does for a 14-bit sensor with black 512 -> the engine's default Bayer demosaic
  (LMMSE after Zhang & Wu on a gamma-2.7 mosaic, ported from iop/Demosaic/Algorithms/LmmseDemosaic.cs) ->
  clamped to [0, 1] and sRGB-encoded (the darktable-ai NAFNet convention; it also makes the noise more uniform).
The target is the original image, sRGB-encoded, so the network removes noise and the demosaic's own errors.
Loss: PSNR (mean of per-crop log MSE), Adam, cosine learning rate. Everything is seeded and runs on one
thread, so a rerun writes the same weights. Finally it prints PSNR, in 8-bit sRGB with a 10 px border left
out, of noisy and denoised Kodak 17-24 at the engine's two test levels.

  /usr/bin/python3 tools/train_denoiser.py                 # trains (about 20 CPU minutes on one core), exports, evaluates
  /usr/bin/python3 tools/train_denoiser.py --iterations 50 --out /tmp/try   # a quick smoke run
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_small_models import export_nafnet, formula_image, parameter_count, samples  # noqa: E402
from nets.nafnet import NAFNet  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KODAK = os.path.join(ROOT, "..", "shared", "testdata", "kodak24")
TRAIN_IMAGES = range(1, 17)
TEST_IMAGES = range(17, 25)
# Noise of standard deviation 0.04, 0.02 and 0.014 at white (read noise a tenth of it).
TEST_LEVELS = [(1.6e-3, 1.6e-5), (4e-4, 4e-6), (2e-4, 2e-6)]
MODEL_ID = "nafnet-denoise"
# The denoisers this script trains. `nafnet-denoise` is the shipped default (version 2.0, issue 17's speed): the
# large network's trunk below its full-resolution level, on 2x2 pixel blocks (PixelUnshuffle stem, width 32 at half
# resolution), started from `nafnet-denoise-large`'s weights and trained in its stages 2 and 3 at 1.5x their length.
# `nafnet-denoise-large` is the first, full-resolution network (version 1.0), installable for quality; retrain it
# first when both are retrained, since the default starts from it.
MODELS = {
    "nafnet-denoise": {
        "net": {"width": 32, "enc_blocks": (0, 1), "middle_blocks": 1, "dec_blocks": (1, 1), "unshuffle": True},
        "teacher": "nafnet-denoise-large", "first_stage": 2,
        "stage_scale": 1.5, "default": True, "version": "2.0", "name": "NAFNet denoiser on 2x2 pixel blocks (RawEngine, Kodak-trained)",
        "description": "NAFNet on 2x2 pixel blocks started from nafnet-denoise-large's trunk, trained by tools/train_denoiser.py on synthetic sensor noise after demosaic; the default denoiser",
    },
    "nafnet-denoise-large": {
        "net": {"width": 16, "enc_blocks": (1, 1, 1), "middle_blocks": 1, "dec_blocks": (1, 1, 1)},
        "stage_scale": 1.0, "default": False, "version": "1.0", "name": "NAFNet denoiser at full resolution (RawEngine, Kodak-trained)",
        "description": "The first NAFNet trained by tools/train_denoiser.py on synthetic sensor noise after demosaic: +0.4 dB over the default at noise 0.04, 0.4x its speed",
    },
}
SEED = 20261126

# The synthetic sensor of testsupport/Synthetic/SyntheticRawOptions: 14 bits, black 512.
WHITE, BLACK = 16383, 512
SENSOR_FLOOR = -BLACK / (WHITE - BLACK)
SENSOR_STEP = 1.0 / (WHITE - BLACK)

# Noise the training draws: a log-uniform in [a_min, A_MAX], b = a * r with r log-uniform in [R_MIN, R_MAX]
# (b at most B_MAX); a share of clean crops teaches the network to leave a clean image alone.
A_MAX = 4e-3
R_MIN, R_MAX = 1e-3, 4e-2
B_MAX = 1e-4
CLEAN_SHARE = 0.1

# Stages, each a fresh AdamW with a cosine learning rate from lr to lr/100 and its own data seed: the first
# over the whole noise range, the later ones from the previous weights with more and more of the weakest
# noise left out (the network already handles it), which buys most of the strong-noise gain per CPU minute.
STAGES = [
    {"iterations": 1200, "lr": 2e-3, "a_min": 2e-5, "seed_offset": 0},
    {"iterations": 1000, "lr": 1e-3, "a_min": 1e-4, "seed_offset": 1},
    {"iterations": 700, "lr": 5e-4, "a_min": 2e-4, "seed_offset": 2},
]


# ---------------------------------------------------------------- colour

def srgb_decode(v):
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(v):
    """Sign-preserving, unclipped, as the engine's model kernels encode (ai/Kernels/CpuKernels.ApplyTransfer)."""
    a = np.abs(v)
    e = np.where(a <= 0.0031308, a * 12.92, 1.055 * np.power(a, 1 / 2.4) - 0.055)
    return np.where(v < 0, -e, e).astype(np.float32)


def srgb_encode_torch(v):
    a = v.abs()
    e = torch.where(a <= 0.0031308, a * 12.92, 1.055 * a.clamp_min(1e-12).pow(1 / 2.4) - 0.055)
    return torch.where(v < 0, -e, e)


def srgb_decode_torch(v):
    a = v.abs()
    d = torch.where(a <= 0.04045, a / 12.92, ((a + 0.055) / 1.055).pow(2.4))
    return torch.where(v < 0, -d, d)


def load_linear(index):
    """Kodak image `index` as linear float32 [H, W, 3] and as its 8-bit sRGB original."""
    path = os.path.join(KODAK, f"kodim{index:02d}.png")
    if not os.path.isfile(path):
        raise SystemExit(f"{path}: missing (the Kodak24 set belongs in ../shared/testdata/kodak24)")
    srgb8 = np.asarray(Image.open(path).convert("RGB"))
    return srgb_decode(srgb8.astype(np.float64) / 255.0).astype(np.float32), srgb8


# ---------------------------------------------------------------- sensor

def mosaic_rggb(rgb):
    """[N, H, W, 3] -> [N, H, W]: R at (even, even), G at (even, odd) and (odd, even), B at (odd, odd)."""
    n, h, w, _ = rgb.shape
    m = np.empty((n, h, w), np.float32)
    m[:, 0::2, 0::2] = rgb[:, 0::2, 0::2, 0]
    m[:, 0::2, 1::2] = rgb[:, 0::2, 1::2, 1]
    m[:, 1::2, 0::2] = rgb[:, 1::2, 0::2, 1]
    m[:, 1::2, 1::2] = rgb[:, 1::2, 1::2, 2]
    return m


def add_sensor_noise(mosaic, a, b, rng):
    """Poisson-Gaussian noise with variance a*x + b per crop (a, b: [N]), clipped and quantised like SyntheticRaw."""
    var = a[:, None, None] * np.maximum(mosaic, 0) + b[:, None, None]
    noisy = mosaic + np.sqrt(var) * rng.standard_normal(mosaic.shape).astype(np.float32)
    noisy = np.clip(np.round(noisy / SENSOR_STEP) * SENSOR_STEP, SENSOR_FLOOR, 1.0)
    return noisy.astype(np.float32)


# ---------------------------------------------------------------- the engine's LMMSE demosaic, in numpy

LMMSE_GAMMA = 2.7
LMMSE_PAD = 16
_GAUSS = np.exp(-np.arange(-4, 5) ** 2 / 8.0)
_GAUSS = (_GAUSS / _GAUSS.sum()).astype(np.float32)


def _shift(a, dy, dx):
    """out[y, x] = a[y + dy, x + dx] (wrapping: only ever read well inside the padded frame)."""
    return np.roll(a, (-dy, -dx), axis=(-2, -1))


def _power(v, p):
    return np.sign(v) * np.power(np.abs(v), p)


def lmmse_demosaic(mosaic):
    """[N, H, W] linear RGGB mosaic -> [N, H, W, 3] linear RGB, as iop/Demosaic/Algorithms/LmmseDemosaic.cs computes
    it (float32, a mirror about the edge pixel outside the image)."""
    p = LMMSE_PAD
    m = _power(np.pad(mosaic, ((0, 0), (p, p), (p, p)), mode="reflect"), 1 / LMMSE_GAMMA).astype(np.float32)
    _, h, w = m.shape
    yy, xx = np.mgrid[0:h, 0:w]
    green = ((yy + xx) & 1) == 1           # RGGB from the (padded, even-offset) origin
    red_row = (yy & 1) == 0
    sign = np.where(green, 1.0, -1.0).astype(np.float32)

    def hamilton_adams(dy, dx):
        est = 0.5 * (_shift(m, -dy, -dx) + _shift(m, dy, dx)) + 0.25 * (2 * m - _shift(m, -2 * dy, -2 * dx) - _shift(m, 2 * dy, 2 * dx))
        return sign * (m - est)

    def smooth(d, dy, dx):
        return sum(_GAUSS[k + 4] * _shift(d, k * dy, k * dx) for k in range(-4, 5))

    def estimate(d, s, dy, dx):
        signals = [_shift(s, k * dy, k * dx) for k in range(-4, 5)]
        residuals = [_shift(d, k * dy, k * dx) - sig for k, sig in zip(range(-4, 5), signals)]
        mean = sum(signals) / 9
        signal_var = np.maximum(sum(sig * sig for sig in signals) / 9 - mean * mean, 0) + 1e-10
        noise_var = sum(r * r for r in residuals) / 9 + 1e-10
        total = signal_var + noise_var
        return mean + signal_var / total * (d - mean), signal_var * noise_var / total

    dh, dv = hamilton_adams(0, 1), hamilton_adams(1, 0)
    eh, errh = estimate(dh, smooth(dh, 0, 1), 0, 1)
    ev, errv = estimate(dv, smooth(dv, 1, 0), 1, 0)
    own = np.where(green, 0, (eh * errv + ev * errh) / (errh + errv)).astype(np.float32)
    g = m + own

    def weight(gradient):
        return 1.0 / (0.1 + gradient)

    total = np.zeros_like(m)
    weights = np.zeros_like(m)
    for dy, dx in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
        near = _shift(g, dy, dx)
        wgt = weight(np.abs(g - near) + np.abs(near - _shift(g, 2 * dy, 2 * dx)))
        total += wgt * _shift(own, dy, dx)
        weights += wgt
    other = total / weights
    dr = np.where(red_row, own, other)
    db = np.where(red_row, other, own)
    red, blue, weights = np.zeros_like(m), np.zeros_like(m), np.zeros_like(m)
    for dy, dx in ((0, -1), (0, 1), (-1, 0), (1, 0)):
        wgt = weight(np.abs(g - _shift(g, 2 * dy, 2 * dx)) + np.abs(_shift(g, dy, dx) - _shift(g, -dy, -dx)))
        red += wgt * _shift(dr, dy, dx)
        blue += wgt * _shift(db, dy, dx)
        weights += wgt
    dr = np.where(green, red / weights, dr)
    db = np.where(green, blue / weights, db)
    rgb = np.stack([_power(g - dr, LMMSE_GAMMA), _power(g, LMMSE_GAMMA), _power(g - db, LMMSE_GAMMA)], axis=-1)
    return rgb[:, p:h - p, p:w - p].astype(np.float32)


def develop(linear, a, b, rng):
    """Clean linear RGB [N, H, W, 3] -> what denoise_nn gets, demosaiced linear RGB [N, H, W, 3]."""
    return lmmse_demosaic(add_sensor_noise(mosaic_rggb(linear), a, b, rng))


def to_tensor(rgb):
    return torch.from_numpy(np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)))


# ---------------------------------------------------------------- training

def draw_noise(rng, n, a_min):
    a = np.exp(rng.uniform(math.log(a_min), math.log(A_MAX), n))
    b = np.minimum(a * np.exp(rng.uniform(math.log(R_MIN), math.log(R_MAX), n)), B_MAX)
    clean = rng.uniform(size=n) < CLEAN_SHARE
    return np.where(clean, 0, a).astype(np.float32), np.where(clean, 0, b).astype(np.float32)


def random_crops(images, rng, n, size):
    """n crops of size x size, each from a random training image at an even offset (the mosaic stays RGGB),
    randomly flipped and transposed."""
    crops = np.empty((n, size, size, 3), np.float32)
    for i in range(n):
        img = images[rng.integers(len(images))]
        y = 2 * rng.integers((img.shape[0] - size) // 2 + 1)
        x = 2 * rng.integers((img.shape[1] - size) // 2 + 1)
        c = img[y:y + size, x:x + size]
        if rng.integers(2):
            c = c[::-1]
        if rng.integers(2):
            c = c[:, ::-1]
        if rng.integers(2):
            c = c.transpose(1, 0, 2)
        crops[i] = c
    return crops


def psnr_loss(output, target):
    mse = (output - target).pow(2).mean(dim=(1, 2, 3)).clamp_min(1e-10)
    return 10 * torch.log10(mse).mean()


def stage_iterations(stage, args):
    return args.iterations or round(stage["iterations"] * args.stage_scale)


def train(model, images, stage, args, log):
    """One stage: a fresh optimiser and its own data stream."""
    rng = np.random.default_rng(args.seed + stage["seed_offset"])
    iterations = stage_iterations(stage, args)
    # Crops carry a margin on every side so the demosaic sees real neighbours, not the crop's mirror.
    margin = LMMSE_PAD
    optimizer = torch.optim.AdamW(model.parameters(), lr=stage["lr"], betas=(0.9, 0.9), weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=iterations, eta_min=stage["lr"] * 0.01)
    model.train()
    start = time.time()
    running = 0.0
    for step in range(1, iterations + 1):
        clean = random_crops(images, rng, args.batch, args.crop + 2 * margin)
        a, b = draw_noise(rng, args.batch, stage["a_min"])
        noisy = develop(clean, a, b, rng)[:, margin:-margin, margin:-margin]
        clean = clean[:, margin:-margin, margin:-margin]
        x = torch.from_numpy(srgb_encode(np.clip(noisy, 0, 1))).permute(0, 3, 1, 2).contiguous()
        y = torch.from_numpy(srgb_encode(clean)).permute(0, 3, 1, 2).contiguous()
        loss = psnr_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        schedule.step()
        running += loss.item()
        if step % args.log_every == 0 or step == iterations:
            log(f"step {step}/{iterations}  loss {running / args.log_every:+.3f} dB  lr {schedule.get_last_lr()[0]:.2e}  {time.time() - start:.0f} s")
            running = 0.0
    model.eval()
    return time.time() - start


# ---------------------------------------------------------------- evaluation

def quantise8(linear):
    """Linear RGB -> 8-bit sRGB as the engine writes it (clip to [0, 1], encode, round)."""
    return np.round(srgb_encode(np.clip(linear, 0, 1)) * 255).astype(np.uint8)


def cpsnr(reference, test, border=10):
    r = reference[border:-border, border:-border].astype(np.float64)
    t = test[border:-border, border:-border].astype(np.float64)
    return 10 * math.log10(255.0 ** 2 / np.mean((r - t) ** 2))


def denoise(model, linear):
    """Linear RGB [H, W, 3] through the model as denoise_nn runs it at strength 1: the input clamped to [0, 1],
    sRGB-encoded, the network, decoded, plus whatever the clamp took off."""
    seen = np.clip(linear, 0, 1)
    with torch.no_grad():
        out = srgb_decode_torch(model(srgb_encode_torch(to_tensor(seen[None]))))[0].permute(1, 2, 0).numpy()
    return linear + (out - seen)


def evaluate(model, seed, log):
    """PSNR of noisy and denoised Kodak 17-24 at the engine's two test levels; returns the table."""
    table = []
    for a, b in TEST_LEVELS:
        rng = np.random.default_rng(seed)
        rows = []
        for index in TEST_IMAGES:
            linear, original = load_linear(index)
            noisy = develop(linear[None], np.array([a], np.float32), np.array([b], np.float32), rng)[0]
            rows.append((index, cpsnr(original, quantise8(noisy)), cpsnr(original, quantise8(denoise(model, noisy)))))
        noisy_mean = float(np.mean([r[1] for r in rows]))
        denoised_mean = float(np.mean([r[2] for r in rows]))
        log(f"a={a:g} b={b:g}: noisy {noisy_mean:.2f} dB, denoised {denoised_mean:.2f} dB, gain {denoised_mean - noisy_mean:+.2f} dB; "
            + " ".join(f"{i}:{n:.1f}->{d:.1f}" for i, n, d in rows))
        table.append({"a": a, "b": b, "noisy_db": round(noisy_mean, 2), "denoised_db": round(denoised_mean, 2),
                      "gain_db": round(denoised_mean - noisy_mean, 2)})
    return table


def load_onnx_weights(path):
    """The state dict of a model this script exported: initialisers keep their parameter names, except the LayerNorm
    scales and offsets the export folded into constants, which are named after the Mul / Add that reads them."""
    graph = onnx.load(path).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    state = {name: w for name, w in weights.items() if not name.startswith("onnx::")}
    for node in graph.node:
        for name in node.input:
            if name.startswith("onnx::") and name in weights and node.op_type in ("Mul", "Add"):
                module = ".".join(node.name.split("/")[-3:-1])  # /encoders.0/encoders.0.0/norm1/Mul -> encoders.0.0.norm1
                state[f"{module}.{'weight' if node.op_type == 'Mul' else 'bias'}"] = weights[name].reshape(-1)
    return state


def start_from_teacher(model, teacher, log):
    """Copies a full-resolution NAFNet's weights below its first level into a pixel-block one of the first level's
    doubled width: the student's level i is the teacher's level i + 1 (encoders and downsamplers shift by one; the
    decoders, listed from the deepest, keep their index), a student stage with fewer blocks taking the teacher's
    first ones. The student's intro starts fresh and its ending at zero, so it starts as the identity."""
    state = model.state_dict()
    copied = 0
    for name in state:
        part, _, rest = name.partition(".")
        if part in ("encoders", "downs"):
            index, _, rest = rest.partition(".")
            source = f"{part}.{int(index) + 1}.{rest}"
        elif part in ("intro", "ending"):
            continue
        else:
            source = name
        if teacher[source].shape != state[name].shape:
            raise SystemExit(f"teacher's {source} is {tuple(teacher[source].shape)}, the student's {name} {tuple(state[name].shape)}")
        state[name] = teacher[source]
        copied += 1
    state["ending.weight"].zero_()
    state["ending.bias"].zero_()
    model.load_state_dict(state)
    log(f"started {copied} of {len(state)} tensors from the teacher")


def write_reference(model, path):
    """PyTorch's output on a formula image of a size no pad multiple divides, sampled, for the C# check of the export."""
    with torch.no_grad():
        output = model(formula_image((1, 3, 37, 53), 131, 17, 7))
    with open(path, "w") as f:
        json.dump({"about": "Sampled PyTorch output of tools/train_denoiser.py's model on the formula image "
                            "((a*channel + b*row + c*column) mod 256) / 255 * scale + offset, as float32.",
                   "input": {"shape": [1, 3, 37, 53], "a": 131, "b": 17, "c": 7, "scale": 1.0, "offset": 0.0},
                   "output": samples(output)}, f, indent=1)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="model folder to write (default: models/MODEL_ID)")
    parser.add_argument("--iterations", type=int, help="iterations of every stage (default: the recipe's); for smoke runs")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=64, help="training crop size (what the network sees)")
    parser.add_argument("--model-id", default=MODEL_ID, choices=sorted(MODELS), help="which shipped denoiser to train")
    parser.add_argument("--stage-scale", type=float, default=None, help="multiplies every stage's iterations (default: the model's)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 keeps the run reproducible and the machine shared)")
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--skip-eval", action="store_true", help="export without the Kodak 17-24 evaluation")
    parser.add_argument("--save-weights", help="save the state_dict after each stage as PREFIX.stageN.pt (outside the repository)")
    parser.add_argument("--resume", nargs=2, metavar=("N", "WEIGHTS"),
                        help="load WEIGHTS (saved after stage N by --save-weights, or a model.onnx this script exported) and train "
                             "the stages after N only (N = 3: evaluate and export only)")
    args = parser.parse_args()
    recipe = MODELS[args.model_id]
    if args.stage_scale is None:
        args.stage_scale = recipe["stage_scale"]
    reference = os.path.join(args.out, "reference.json") if args.out else os.path.join(ROOT, "testdata", "model-references", f"{args.model_id}.json")
    if args.out is None:
        args.out = os.path.join(ROOT, "models", args.model_id)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    log = lambda line: print(line, flush=True)  # noqa: E731
    model = NAFNet(**recipe["net"])
    log(f"{args.model_id}: NAFNet {recipe['net']}, {parameter_count(model)} parameters; stages {STAGES}, batches of {args.batch} x {args.crop}^2 crops")
    done = recipe.get("first_stage", 1) - 1
    if "teacher" in recipe and not args.resume:
        start_from_teacher(model, load_onnx_weights(os.path.join(ROOT, "models", recipe["teacher"], "model.onnx")), log)
    if args.resume:
        done = int(args.resume[0])
        model.load_state_dict(load_onnx_weights(args.resume[1]) if args.resume[1].endswith(".onnx") else torch.load(args.resume[1]))
    images = [load_linear(i)[0] for i in TRAIN_IMAGES]
    for number, stage in enumerate(STAGES[done:], start=done + 1):
        log(f"stage {number}: trained in {train(model, images, stage, args, log):.0f} s")
        if args.save_weights:
            torch.save(model.state_dict(), f"{args.save_weights}.stage{number}.pt")
    model.eval()

    table = [] if args.skip_eval else evaluate(model, args.seed + 1, log)
    card = {"author": "RawEngine tools/train_denoiser.py", "license": "MIT", "architecture": "NAFNet (Chen et al. 2022)" + (", on 2x2 pixel blocks (PixelUnshuffle stem)" if model.block == 2 else ""),
            "parameters": parameter_count(model),
            "training_data": "Kodak24 images 1-16, random crops, synthetic Poisson-Gaussian noise (variance a*x + b, 1.0 = white) "
                             "on an RGGB mosaic in linear light, demosaiced by a port of the engine's LMMSE",
            "training": {"stages": [{**stage, "iterations": stage_iterations(stage, args)} for stage in STAGES[recipe.get("first_stage", 1) - 1:]],
                         **({"started_from": recipe["teacher"]} if "teacher" in recipe else {}),
                         "batch": args.batch, "crop": args.crop, "loss": "PSNR", "optimizer": "AdamW, cosine lr to lr/100", "seed": args.seed,
                         "noise": {"a": ["a_min", A_MAX], "b_over_a": [R_MIN, R_MAX], "b_max": B_MAX, "clean_share": CLEAN_SHARE}},
            "evaluation": {"images": "Kodak24 17-24 (not trained on)", "metric": "CPSNR, 8-bit sRGB, 10 px border excluded",
                           "levels": table}}
    size = export_nafnet(model, args.out, args.model_id, recipe["name"], recipe["description"], is_default=recipe["default"], card=card,
                         version=recipe["version"])
    write_reference(model, reference)
    log(f"wrote {os.path.join(args.out, 'model.onnx')} ({size / 1e6:.2f} MB), config.json and {reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
