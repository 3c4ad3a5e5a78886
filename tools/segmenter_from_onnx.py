#!/usr/bin/python3
"""Rebuilds a train_segmenter.py checkpoint from a shipped sam-scenes-small package (its encoder.onnx and
decoder.onnx), for a fine-tune when the training checkpoint is gone.

  /usr/bin/python3 tools/segmenter_from_onnx.py --checkpoint CK      models/sam-scenes-small -> CK, checked
  ... --references testdata/model-references/sam-scenes-small.json      also PyTorch's outputs for ExportedModelTests

The exporter keeps most parameter names as initializer names; the rest it folds: linear weights become
transposed `onnx::MatMul_*` initializers (mapped back through the MatMul -> Add of the named bias),
LayerNorm2d weights and the no-mask embedding become [1,C,1,1] tensors, the IoU and mask tokens one
[1,5,64] concatenation, and the shuffle upscaling's transposed convs 1x1 conv weights and bias splits. The
check: the rebuilt model, exported again, must give the shipped ONNX files' initializers bit for bit
(same graph, same weights), so it computes what the shipped model computes.

The checkpoint's training record (phases, steps, scenes) is read back from the model card, so a continued run
draws later training scenes and its export lists every phase.
"""
import argparse
import json
import os
import re
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_segmenter  # noqa: E402
from export_small_models import export_sam, sam_references, write_references  # noqa: E402

PHASE = re.compile(r"(\d+) steps \(batch (\d+) scenes x \d+ targets, lr ([0-9.e-]+), (?:(\d+)% varied scenes, )?(.+?) (\d+) s\)")


def training_record(package):
    """The package's training phases, steps and scenes as train_segmenter.py's export wrote them into the model card,
    so that a continued run draws later training scenes."""
    with open(os.path.join(package, "config.json")) as f:
        card = json.load(f)["model_card"]["training_data"]
    phases = [{"steps": int(steps), "batch": int(batch), "lr": float(lr), "varied_share": int(varied or 0) / 100,
               "scenes_end": None, "seconds": int(seconds), "device": device}
              for steps, batch, lr, varied, device, seconds in PHASE.findall(card)]
    scenes = re.search(r"(\d+) scenes, ", card)
    if not phases or scenes is None:
        raise ValueError(f"{package}/config.json: the model card names no training phases")
    phases[-1]["scenes_end"] = int(scenes.group(1))  # the card records the total only; a continued run needs no more
    return {"phases": phases, "steps": sum(p["steps"] for p in phases), "scenes": phases[-1]["scenes_end"],
            "seconds": sum(p["seconds"] for p in phases)}


def initializers(path):
    model = onnx.load(path)
    return model, {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}


def linear_weights(model, values, prefix):
    """onnx::MatMul_* initializers -> {state-dict name of the linear's weight: weight}, via the Add of its named bias."""
    consumers = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    found = {}
    for node in model.graph.node:
        if node.op_type != "MatMul":
            continue
        weight = next((n for n in node.input if n.startswith("onnx::MatMul") and n in values), None)
        if weight is None:
            continue
        adds = [a for a in consumers.get(node.output[0], []) if a.op_type == "Add"]
        bias = [n for a in adds for n in a.input if n.endswith(".bias") and n in values]
        if len(bias) != 1:
            raise ValueError(f"{weight}: no single named bias after its MatMul")
        found[bias[0][len(prefix):-len(".bias")] + ".weight"] = values[weight].T
    return found


def folded(values, prefix, shape_of):
    """The unnamed non-linear initializers, in graph order -> their parameters (see the module docstring)."""
    rest = [(n, v) for n, v in values.items() if n.startswith("onnx::") and not n.startswith("onnx::MatMul")]
    found = {}
    channel = [v for n, v in rest if v.ndim == 4 and v.shape[0] == 1 and v.shape[2:] == (1, 1)]
    names = ["mask_downscaling.1.weight", "mask_downscaling.1.bias", "mask_downscaling.4.weight", "mask_downscaling.4.bias",
             "no_mask_embed.weight", "upscale_norm.weight", "upscale_norm.bias"]
    if len(channel) != len(names):
        raise ValueError(f"{len(channel)} per-channel tensors, expected {len(names)}")
    for name, v in zip(names, channel):
        found[name] = v.reshape(shape_of[name])
    tokens = next(v for n, v in rest if n.startswith("onnx::Concat"))[0]
    found["iou_token.weight"], found["mask_tokens.weight"] = tokens[:1], tokens[1:]
    convs = [v for n, v in rest if n.startswith("onnx::Conv")]
    splits = [v for n, v in rest if n.startswith("onnx::Split")]
    for name, conv, bias in zip(("upscale1", "upscale2"), convs, splits):
        cin, cout = shape_of[name + ".weight"][:2]
        # MaskDecoder.upscale: weight.permute(1, 2, 3, 0).reshape(cout * 4, cin, 1, 1)
        found[name + ".weight"] = conv.reshape(cout, 2, 2, cin).transpose(3, 0, 1, 2)
        found[name + ".bias"] = bias
    return found


def state_dict_from(path, module, prefix):
    model, values = initializers(path)
    shape_of = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    state = {n[len(prefix):]: v for n, v in values.items() if n.startswith(prefix) and n[len(prefix):] in shape_of}
    state.update(linear_weights(model, values, prefix))
    if prefix:  # the decoder
        state.update(folded(values, prefix, shape_of))
    missing = sorted(set(shape_of) - set(state))
    if missing:
        raise ValueError(f"{path}: no weights for {', '.join(missing)}")
    for name, value in state.items():
        if tuple(value.shape) != shape_of[name]:
            raise ValueError(f"{path}: {name} has shape {value.shape}, the model {shape_of[name]}")
    module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})


def same_initializers(a, b):
    """Names of the initializers that differ between two ONNX files (bitwise), or that only one has."""
    _, x = initializers(a)
    _, y = initializers(b)
    return sorted(n for n in set(x) | set(y) if n not in x or n not in y or x[n].tobytes() != y[n].tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default=os.path.join(train_segmenter.ROOT, "models", train_segmenter.SAM2_ID))
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--references", help="also write the rebuilt model's sampled PyTorch outputs here (as train_segmenter.py's export)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    encoder, decoder = train_segmenter.build_model()
    state_dict_from(os.path.join(args.package, "encoder.onnx"), encoder, "")
    state_dict_from(os.path.join(args.package, "decoder.onnx"), decoder, "decoder.")
    with tempfile.TemporaryDirectory() as folder:
        export_sam(encoder, decoder, folder, None, "check", None)
        for part in ("encoder.onnx", "decoder.onnx"):
            differing = same_initializers(os.path.join(args.package, part), os.path.join(folder, part))
            if differing:
                print(f"{args.package}/{part}: the rebuilt model exports other weights: {', '.join(differing[:8])}", file=sys.stderr)
                return 1
            print(f"{part}: the rebuilt model's export has the same initializers, bit for bit")
    train = training_record(args.package)
    os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)
    torch.save({"encoder": encoder.state_dict(), "decoder": decoder.state_dict(), "train": train}, args.checkpoint + ".tmp")
    os.replace(args.checkpoint + ".tmp", args.checkpoint)
    print(f"checkpoint {args.checkpoint}")
    if args.references:
        write_references(args.references, "tools/train_segmenter.py",
                         dict(zip((train_segmenter.SAM2_ID, train_segmenter.SAM1_ID), sam_references(encoder, decoder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
