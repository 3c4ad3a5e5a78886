#!/usr/bin/python3
"""Trains the project's own small promptable segmenter on generated scenes (tools/scenes.py), measures it on
held-out scenes and exports it with the SAM 2.1 signature (the default mask model) and the SAM 1 signature.

  /usr/bin/python3 tools/train_segmenter.py --steps 600                    train, measure, export
  /usr/bin/python3 tools/train_segmenter.py --resume CK --steps 700 --lr 1e-3   a further phase from checkpoint CK
  /usr/bin/python3 tools/train_segmenter.py --steps 0                      measure and export the saved checkpoint
  python3 tools/train_segmenter.py --resume CK --steps 100000 --batch 48 --workers 15 --device cuda --minutes 6
                                                                           a GPU phase of six minutes (tools/README.md)

Model: nets.pooled_cnn.PooledCnnEncoder (fixed 4x4 average pool, so it trains on the 256 px scenes that a
nearest-upscaled 1024 input pools back to) and nets.sam.MaskDecoder with click maps. Each step draws
`--batch` training scenes (seed TRAIN_SEED, on the fly), up to TARGETS_PER_SCENE targets each (one encoder
pass), and runs 1, 2 or 3 click rounds (probabilities 0.4, 0.4, 0.2): the first positive click, then
refinement clicks at the most interior pixel of the deeper error (false negatives vs false positives) with
the previous round's chosen low-res logits as mask_input. Only the last round learns (as RITM trains). Loss:
BCE + dice of the best of the three multimask outputs, the same for the single-mask output (SAM 1's mask
0), and the MSE of the IoU head against each mask's true IoU. AdamW, warmup + cosine, gradient clip 1. One
thread, seeded: a CPU rerun on the same machine (same BLAS) repeats the same weights; a timed GPU phase does not.
"""
import argparse
import itertools
import json
import math
import multiprocessing
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenes  # noqa: E402
import scenes_varied  # noqa: E402
from export_small_models import export_sam, parameter_count, sam_references, write_references  # noqa: E402
from nets.pooled_cnn import PooledCnnEncoder  # noqa: E402
from nets.sam import MaskDecoder  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TRAIN_SEED = 1          # training scenes: scenes.scene(TRAIN_SEED, k), k = 0, 1, 2, ...
EVAL_SEED = 20261126    # held-out scenes, never drawn in training
MODEL_SEED = 7
IMAGE_SIZE = 1024       # the encoder's input side; scene pixels are IMAGE_SIZE / scenes.S input pixels wide
SCALE = IMAGE_SIZE // scenes.S
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
LOGIT_CLAMP = 32.0
SAM2_ID, SAM1_ID = "sam-scenes-small", "sam1-scenes-small"
REFERENCES = os.path.join(ROOT, "testdata", "model-references", f"{SAM2_ID}.json")  # PyTorch's outputs, for ExportedModelTests


def build_model():
    torch.manual_seed(MODEL_SEED)
    return PooledCnnEncoder(), MaskDecoder(click_maps=True, shuffle_upscale=True)


def encoder_input(images):
    """[B,S,S,3] float scenes -> [B,3,S,S]: quantised to 8 bits (as the engine's render) and ImageNet-normalised."""
    x = (np.round(np.stack(images) * 255.0) / 255.0 - MEAN) / STD
    return torch.from_numpy(x.astype(np.float32)).permute(0, 3, 1, 2).contiguous()


def point_tensors(clicks, jitter_rng=None):
    """Per sample a list of (x, y, positive) in scene pixels -> point_coords [B,N,2] in input pixels (SAM's
    convention: index i has its centre at i + 0.5) and point_labels [B,N], padded with label -1."""
    n = max(len(c) for c in clicks)
    coords = np.zeros((len(clicks), n, 2), dtype=np.float32)
    labels = -np.ones((len(clicks), n), dtype=np.float32)
    for b, sample in enumerate(clicks):
        for i, (x, y, positive) in enumerate(sample):
            # A scene pixel covers SCALE input pixels; training places the click anywhere in it.
            offset = jitter_rng.uniform(-0.5, SCALE - 0.5, 2) if jitter_rng is not None else (SCALE / 2 - 0.5, SCALE / 2 - 0.5)
            coords[b, i] = (x * SCALE + offset[0], y * SCALE + offset[1])
            labels[b, i] = 1.0 if positive else 0.0
    return torch.from_numpy(coords), torch.from_numpy(labels)


def decode(decoder, features, clicks, previous, jitter_rng=None):
    """Runs the decoder for a batch; previous: [B,1,256,256] logits or None. -> masks [B,4,256,256], iou [B,4]."""
    s0, s1, embed = features
    coords, labels = (t.to(embed.device) for t in point_tensors(clicks, jitter_rng))
    b = len(clicks)
    if previous is None:
        mask_input, has_mask = torch.zeros(b, 1, 256, 256, device=embed.device), torch.zeros(b, device=embed.device)
    else:
        mask_input, has_mask = previous, torch.ones(b, device=embed.device)
    masks, iou = decoder(embed, coords, labels, mask_input, has_mask, (s0, s1))
    return masks.clamp(-LOGIT_CLAMP, LOGIT_CLAMP), iou


def chosen(masks, iou):
    """The multimask output (1..3, as the SAM 2.1 signature returns them) with the highest predicted IoU."""
    best = iou[:, 1:].argmax(dim=1) + 1
    return masks[torch.arange(masks.shape[0]), best].unsqueeze(1)


def mask_losses(logits, target):
    """BCE + dice per sample and mask: logits [B,M,H,W], target [B,1,H,W] -> [B,M]."""
    target = target.expand_as(logits)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none").mean(dim=(2, 3))
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum(dim=(2, 3)) + 1) / (p.sum(dim=(2, 3)) + target.sum(dim=(2, 3)) + 1)
    return bce + dice


def true_iou(logits, target):
    pred = logits > 0
    t = target.expand_as(pred) > 0.5
    inter = (pred & t).sum(dim=(2, 3)).float()
    union = (pred | t).sum(dim=(2, 3)).float()
    return torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))


def training_click(target, prediction):
    """Refinement click for training: the most interior pixel of the false negatives or of the false
    positives, whichever lies deeper (RITM's rule; cheaper than the largest-region rule used to measure)."""
    best = None
    for positive, errors in ((True, target & ~prediction), (False, prediction & ~target)):
        if errors.any():
            distance = scenes.boundary_distance(errors)
            index = int(np.argmax(distance))
            if best is None or distance.flat[index] > best[0]:
                best = (distance.flat[index], index % scenes.S, index // scenes.S, positive)
    return None if best is None else best[1:]


TARGETS_PER_SCENE = 2  # decoded per encoder pass
VARIED_SHARE = 0.0      # the share of training scenes drawn from tools/scenes_varied.py (--varied-share)


def training_scene(index):
    """Training scene `index`: from scenes_varied with probability VARIED_SHARE (decided by its own stream), else scenes."""
    if VARIED_SHARE > 0 and np.random.default_rng([TRAIN_SEED, index, 3]).uniform() < VARIED_SHARE:
        return scenes_varied.scene(TRAIN_SEED, index)
    return scenes.scene(TRAIN_SEED, index)


def training_sample(index):
    """Training scene `index`: (index, image, [(target mask, first click)] for up to TARGETS_PER_SCENE of its
    targets), or None without targets."""
    scene = training_scene(index)
    if not scene.targets:
        return None
    rng = np.random.default_rng([TRAIN_SEED, index, 1])
    picked = rng.permutation(scene.targets)[:TARGETS_PER_SCENE]
    return index, scene.image, [(scene.masks[t], scenes.first_click(rng, scene.masks[t])) for t in picked]


def training_click_of(pair):
    return training_click(*pair)


def training_samples(pool, index=0, block=32, ahead=2):
    """training_sample(index), training_sample(index + 1), ...; with a pool, prepared `ahead` blocks ahead."""
    if pool is None:
        yield from map(training_sample, itertools.count(index))
        return
    pending = []
    while True:
        while len(pending) < ahead:
            pending.append(pool.map_async(training_sample, range(index, index + block)))
            index += block
        yield from pending.pop(0).get()


def train(encoder, decoder, steps, batch, lr, log, pool=None, device="cpu", checkpoint=None, first_step=0, first_scene=0,
          seconds=None):
    """Trains for `steps` steps with a warmup + cosine schedule, from training step `first_step` and scene
    `first_scene` on (a continued run draws where the previous one stopped); pool (a multiprocessing pool) only
    spreads the scene and click work, the result is the same. checkpoint(step) is called every 100 steps.
    With `seconds`, the cosine runs on elapsed time instead and training stops when it is spent (or at `steps`),
    for a fixed time on a GPU; the steps actually run are returned.
    -> (seconds, index after the last scene drawn, steps run)."""
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    warmup = max(1, min(100, steps // 10))
    start = time.time()

    def progress(step):
        done = step / max(1, steps)
        return done if seconds is None else max(done, (time.time() - start) / seconds)

    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress(s)))))
    mapper = pool.map if pool is not None else lambda f, items: list(map(f, items))
    drawn = (sample for sample in training_samples(pool, first_scene, block=max(32, 2 * batch)) if sample is not None)
    encoder.train()
    decoder.train()
    running = {}  # moving averages for the log
    step = -1
    for step in range(steps):
        if seconds is not None and time.time() - start >= seconds:
            step -= 1
            break
        rng = np.random.default_rng([TRAIN_SEED, first_step + step, 2])
        samples = [next(drawn) for _ in range(batch)]
        last_index = samples[-1][0]
        targets_np = [target for _, _, picked in samples for target, _ in picked]
        target = torch.from_numpy(np.stack(targets_np)[:, None].astype(np.float32)).to(device)
        scene_of = torch.tensor([i for i, (_, _, picked) in enumerate(samples) for _ in picked], device=device)
        features = [f.index_select(0, scene_of) for f in encoder.features(encoder_input([image for _, image, _ in samples]).to(device))]
        clicks = [[(*click, True)] for _, _, picked in samples for _, click in picked]
        rounds = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
        previous = None
        for r in range(rounds):
            # Only the last round learns (as RITM trains); earlier rounds place the clicks and the mask input.
            with torch.set_grad_enabled(r == rounds - 1):
                masks, iou = decode(decoder, features, clicks, previous, rng)
            actual = true_iou(masks.detach(), target)
            previous = chosen(masks, iou).detach()
            if r + 1 < rounds:
                prediction = (previous[:, 0] > 0).cpu().numpy()
                for b, click in enumerate(mapper(training_click_of, zip(targets_np, prediction))):
                    if click is not None:
                        clicks[b].append(click)
        per_mask = mask_losses(masks, target)
        loss = per_mask[:, 1:].min(dim=1).values.mean() + per_mask[:, 0].mean() + F.mse_loss(iou, actual)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
        schedule.step()
        chosen_iou = float(actual[torch.arange(len(clicks)), iou[:, 1:].argmax(dim=1) + 1].mean())
        for key, value in (("loss", float(loss)), (f"IoU after {rounds} click(s)", chosen_iou)):
            running[key] = value if key not in running else 0.95 * running[key] + 0.05 * value
        if (step + 1) % 25 == 0 or step + 1 == steps:
            log(f"step {step + 1}/{steps}  " + "  ".join(f"{k} {v:.3f}" for k, v in sorted(running.items()))
                + f"  lr {schedule.get_last_lr()[0]:.2e}  {time.time() - start:.0f} s")
        if checkpoint is not None and (step + 1) % 100 == 0 and step + 1 < steps:
            checkpoint(step + 1)
            encoder.train()
            decoder.train()
    return time.time() - start, last_index + 1, step + 1


def component_under(mask, x, y):
    """The 4-connected component of mask containing (x, y) (empty if the click is outside the mask)."""
    if not mask[y, x]:
        return np.zeros_like(mask)
    labels, _ = scenes.components(mask)
    return labels == labels[y, x]


@torch.no_grad()
def evaluate(encoder, decoder, count, seed=EVAL_SEED, device="cpu", generate=scenes.scene):
    """Mean IoU over every target of `count` scenes of `seed`: after the first positive click (scenes.first_click)
    and after one refinement click (scenes.refinement_click), each decode taking the multimask output with
    the highest predicted IoU and, for the second, the first's low-res logits as mask_input. Also with the
    engine's post-processing (the connected component under the last positive click)."""
    encoder.eval()
    decoder.eval()
    results = {"one_click": [], "two_clicks": [], "one_click_component": [], "two_clicks_component": []}
    by_kind = {}
    for k in range(count):
        scene = generate(seed, k)
        if not scene.targets:
            continue
        features = encoder.features(encoder_input([scene.image]).to(device))
        for t in scene.targets:
            truth = scene.masks[t]
            x, y = scenes.first_click(np.random.default_rng([seed, k, t]), truth)
            clicks = [(x, y, True)]
            masks, iou = decode(decoder, features, [clicks], None)
            first = chosen(masks, iou)
            prediction = first[0, 0].cpu().numpy() > 0
            results["one_click"].append(scenes.iou(prediction, truth))
            results["one_click_component"].append(scenes.iou(component_under(prediction, x, y), truth))
            by_kind.setdefault(scene.shapes[t], []).append(results["one_click"][-1])
            by_kind.setdefault(scene.fills[t], []).append(results["one_click"][-1])
            click = scenes.refinement_click(truth, prediction)
            if click is None:
                second = prediction
            else:
                clicks.append(click)
                masks, iou = decode(decoder, features, [clicks], first)
                second = chosen(masks, iou)[0, 0].cpu().numpy() > 0
            results["two_clicks"].append(scenes.iou(second, truth))
            last = [c for c in clicks if c[2]][-1]
            results["two_clicks_component"].append(scenes.iou(component_under(second, last[0], last[1]), truth))
    summary = {name: round(float(np.mean(v)), 4) for name, v in results.items()}
    summary["targets"] = len(results["one_click"])
    summary["scenes"] = count
    summary["seed"] = seed
    summary["one_click_by_kind"] = {name: round(float(np.mean(v)), 4) for name, v in sorted(by_kind.items())}
    return summary


def export(encoder, decoder, models, summary, train_info, varied=None, references=REFERENCES):
    encoder.eval()
    decoder.eval()
    architecture = ("encoder: fixed 4x4 average pool + residual CNN with InstanceNorm and a global-attention block + FPN "
                    "neck (tools/nets/pooled_cnn.py); decoder: SAM prompt encoder with click maps, two-way transformer, "
                    "high-res upscaling, 4 hypernetwork masks + IoU head (tools/nets/sam.py)")
    phases = " + ".join(f"{p['steps']} steps (batch {p['batch']} scenes x {TARGETS_PER_SCENE} targets, lr {p['lr']}, "
                        + (f"{p['varied_share']:.0%} varied scenes, " if p.get("varied_share") else "")
                        + f"{p.get('device', 'cpu')} {p['seconds']} s)" for p in train_info["phases"])
    training = (f"generated scenes (tools/scenes.py, seed {TRAIN_SEED}; the share a phase names from tools/scenes_varied.py): "
                f"{train_info['scenes']} scenes, {phases}, 1-3 click rounds; held-out (seed {EVAL_SEED}, {summary['scenes']} scenes, "
                f"{summary['targets']} targets) mean IoU {summary['one_click']:.3f} after one click, "
                f"{summary['two_clicks']:.3f} after two")
    if varied is not None:
        training += (f"; varied held-out (tools/scenes_varied.py, seed {EVAL_SEED}, {varied['scenes']} scenes, {varied['targets']} targets) "
                     f"{varied['one_click']:.3f} / {varied['two_clicks']:.3f}")
    write_references(references, "tools/train_segmenter.py", dict(zip((SAM2_ID, SAM1_ID), sam_references(encoder, decoder))))
    return export_sam(encoder, decoder, os.path.join(models, SAM2_ID), os.path.join(models, SAM1_ID), SAM2_ID, SAM1_ID,
                      about={"sam2_name": "RawEngine scenes segmenter (small, SAM 2.1 signature)",
                             "sam1_name": "RawEngine scenes segmenter (small, SAM 1 signature)",
                             "sam2_description": "Promptable segmenter trained on generated scenes by tools/train_segmenter.py",
                             "sam1_description": "The same weights as sam-scenes-small with the segment-anything (SAM 1) signature",
                             "author": "RawEngine tools/train_segmenter.py", "architecture": architecture,
                             "training_data": training},
                      # The small IoU head ranks the three masks a little worse than their stability does (engine one-click IoU 0.910 vs 0.915).
                      default=True, mask_choice="stability")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=600, help="training steps (0: load --checkpoint instead)")
    parser.add_argument("--batch", type=int, default=1, help=f"scenes per step ({TARGETS_PER_SCENE} targets each)")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--eval-scenes", type=int, default=200)
    parser.add_argument("--checkpoint", default=os.path.join(ROOT, ".build", "segtrain", f"{SAM2_ID}.pt"))
    parser.add_argument("--out", default=os.path.join(ROOT, "models"), help="models folder to write the packages into (the shipped ones: models/)")
    parser.add_argument("--references", default=REFERENCES, help="where to write PyTorch's sampled outputs of the export (JSON)")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--resume", help="a checkpoint to continue from (a new warmup + cosine phase, later scenes)")
    parser.add_argument("--workers", type=int, default=0, help="processes for the scene and click work (same result)")
    parser.add_argument("--device", default="cpu", help="torch device (cpu, or cuda for the GPU phase)")
    parser.add_argument("--minutes", type=float, help="train for this long instead (the cosine runs on time; at most --steps)")
    parser.add_argument("--varied-share", type=float, default=0.0,
                        help="share of training scenes from tools/scenes_varied.py (photos, textures, holes, thin parts, soft edges, ...)")
    parser.add_argument("--eval-varied", type=int, default=0, help="also measure on this many varied scenes of the held-out seed")
    parser.add_argument("--progress-scenes", type=int, default=0, help="measure on this many held-out scenes every 100 steps (when the checkpoint is saved)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    global VARIED_SHARE
    VARIED_SHARE = args.varied_share  # set before the pool forks, so its workers draw the same scenes

    def log(message):
        print(message, flush=True)

    encoder, decoder = build_model()
    encoder.to(args.device)
    decoder.to(args.device)
    log(f"parameters: encoder {parameter_count(encoder)}, decoder {parameter_count(decoder)}")

    def save(train_info):
        os.makedirs(os.path.dirname(args.checkpoint), exist_ok=True)
        torch.save({"encoder": encoder.state_dict(), "decoder": decoder.state_dict(), "train": train_info}, args.checkpoint)

    phases, first_step, first_scene = [], 0, 0
    if args.resume:
        saved = torch.load(args.resume, map_location=args.device)
        encoder.load_state_dict(saved["encoder"])
        decoder.load_state_dict(saved["decoder"])
        phases = saved["train"]["phases"]
        first_step, first_scene = saved["train"]["steps"], saved["train"]["scenes"]
        log(f"continuing {args.resume} after step {first_step}, scene {first_scene}")

    def summary_of(phases):
        return {"phases": phases, "steps": sum(p["steps"] for p in phases), "scenes": phases[-1]["scenes_end"],
                "seconds": sum(p["seconds"] for p in phases)}

    def progress(step):
        save({"partial": {"steps": step, "of_steps": args.steps, "batch": args.batch, "lr": args.lr}, "phases": phases})
        if args.progress_scenes > 0:
            summary = evaluate(encoder, decoder, args.progress_scenes, device=args.device)
            log(f"step {step}: held-out {summary['one_click']:.3f} / {summary['two_clicks']:.3f} on {summary['targets']} targets")

    if args.steps > 0:
        pool = multiprocessing.Pool(args.workers) if args.workers > 0 else None
        try:
            seconds, drawn, steps = train(encoder, decoder, args.steps, args.batch, args.lr, log, pool, args.device,
                                          progress, first_step, first_scene,
                                          None if args.minutes is None else args.minutes * 60)
        finally:
            if pool is not None:
                pool.terminate()
        phases = phases + [{"steps": steps, "batch": args.batch, "lr": args.lr, "varied_share": args.varied_share,
                            "scenes_end": drawn, "seconds": round(seconds),
                            "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"}]
        train_info = summary_of(phases)
        save(train_info)
        log(f"trained in {seconds:.0f} s on {drawn} scenes; checkpoint {args.checkpoint}")
    else:
        saved = torch.load(args.checkpoint, map_location=args.device)
        encoder.load_state_dict(saved["encoder"])
        decoder.load_state_dict(saved["decoder"])
        train_info = saved["train"]
    if args.eval_scenes == 0:
        return 0
    start = time.time()
    summary = evaluate(encoder, decoder, args.eval_scenes, device=args.device)
    log(f"held-out scenes (measured in {time.time() - start:.0f} s): {json.dumps(summary)}")
    varied = None
    if args.eval_varied > 0:
        varied = evaluate(encoder, decoder, args.eval_varied, device=args.device, generate=scenes_varied.scene)
        log(f"held-out varied scenes: {json.dumps(varied)}")
    if not args.no_export:
        encoder.cpu()
        decoder.cpu()
        for name, size in export(encoder, decoder, args.out, summary, train_info, varied, args.references).items():
            log(f"{name}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
