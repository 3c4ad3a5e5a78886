#!/usr/bin/python3
"""Builds the tiny ONNX models the AI tests load (run with Debian's /usr/bin/python3).

They carry the tensor contracts of darktable-ai packages with almost no weights, so tests can load,
validate and run real ONNX graphs without the network:
  testdata/models/denoise-tiny        NAFNet-style denoise contract, float32, [1,3,H,W] dynamic H/W
  testdata/models/denoise-tiny-fp16   the same weights as float16 (inputs and outputs float16)
  testdata/models/mask-tiny-sam2      SAM 2.1 encoder.onnx + decoder.onnx signatures
  testdata/models/mask-tiny-sam1      SAM 1 / HQ-SAM (segment-anything export) signatures
  testdata/models-invalid/denoise-four-channels   [1,4,H,W]: breaks the denoise contract
Seeded, so a rerun writes the same weights.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper, TensorProto

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPSET = 13


class TinyDenoise(torch.nn.Module):
    """x + 0.1 * conv(relu(conv(x))): close to identity, so tests can check what comes out."""

    def __init__(self, channels=3, hidden=4):
        super().__init__()
        self.a = torch.nn.Conv2d(channels, hidden, 3, padding=1)
        self.b = torch.nn.Conv2d(hidden, channels, 3, padding=1)

    def forward(self, x):
        return x + 0.1 * self.b(torch.relu(self.a(x)))


class TinySam2Encoder(torch.nn.Module):
    """image [1,3,1024,1024] -> high_res_feats_0 [1,32,256,256], high_res_feats_1 [1,64,128,128],
    image_embed [1,256,64,64], using pooling and grouped 1x1 convolutions (a few hundred weights)."""

    def __init__(self):
        super().__init__()
        self.f0 = torch.nn.Conv2d(3, 32, 1)
        self.f1 = torch.nn.Conv2d(32, 64, 1, groups=32)
        self.emb = torch.nn.Conv2d(64, 256, 1, groups=64)

    def forward(self, image):
        f0 = self.f0(torch.nn.functional.avg_pool2d(image, 4))
        f1 = self.f1(torch.nn.functional.avg_pool2d(f0, 2))
        emb = self.emb(torch.nn.functional.avg_pool2d(f1, 2))
        return f0, f1, emb


class TinySam2Decoder(torch.nn.Module):
    """SAM 2.1 decoder signature; the mask is a blob around the mean positive click, shaped by the
    features, so every input takes part in the graph."""

    def __init__(self):
        super().__init__()
        self.head = torch.nn.Conv2d(256 + 64 + 32, 3, 1)

    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                mask_input, has_mask_input):
        up = torch.nn.functional.interpolate
        feats = torch.cat([up(image_embed, size=(256, 256)), up(high_res_feats_1, size=(256, 256)),
                           high_res_feats_0], dim=1)
        positive = (point_labels == 1).float().unsqueeze(-1)
        centre = (point_coords * positive).sum(1) / positive.sum(1).clamp(min=1.0) / 4.0  # [1,2] in 256 px
        ys = torch.arange(256, dtype=torch.float32).view(1, 1, 256, 1)
        xs = torch.arange(256, dtype=torch.float32).view(1, 1, 1, 256)
        d2 = (xs - centre[:, 0].view(-1, 1, 1, 1)) ** 2 + (ys - centre[:, 1].view(-1, 1, 1, 1)) ** 2
        blob = 8.0 - d2 / 200.0
        masks = blob + 0.01 * self.head(feats) + has_mask_input.view(-1, 1, 1, 1) * 0.1 * mask_input
        masks = masks.clamp(-32.0, 32.0)
        iou = torch.sigmoid(masks.mean(dim=(2, 3)))
        return masks, iou


class TinySam1Encoder(torch.nn.Module):
    """image [1,3,1024,1024] -> image_embeddings [1,256,64,64]."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Conv2d(3, 256, 1)

    def forward(self, image):
        return self.emb(torch.nn.functional.avg_pool2d(image, 16))


class TinySam1Decoder(torch.nn.Module):
    """segment-anything ONNX decoder signature: masks at orig_im_size, low-res logits at 256."""

    def __init__(self):
        super().__init__()
        self.head = torch.nn.Conv2d(256, 1, 1)

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        positive = (point_labels == 1).float().unsqueeze(-1)
        centre = (point_coords * positive).sum(1) / positive.sum(1).clamp(min=1.0) / 4.0
        ys = torch.arange(256, dtype=torch.float32).view(1, 1, 256, 1)
        xs = torch.arange(256, dtype=torch.float32).view(1, 1, 1, 256)
        d2 = (xs - centre[:, 0].view(-1, 1, 1, 1)) ** 2 + (ys - centre[:, 1].view(-1, 1, 1, 1)) ** 2
        low = 8.0 - d2 / 200.0 + 0.01 * torch.nn.functional.interpolate(self.head(image_embeddings), size=(256, 256)) \
            + has_mask_input.view(-1, 1, 1, 1) * 0.1 * mask_input
        size = orig_im_size.to(torch.int64)
        masks = torch.nn.functional.interpolate(low, size=(size[0], size[1]), mode="bilinear", align_corners=False)
        iou = torch.sigmoid(low.mean(dim=(2, 3)))
        return masks, iou, low


def export(module, args, path, input_names, output_names, dynamic_axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def to_float16(src, dst):
    """Rewrites a float32 graph as float16: initializers, constants, graph inputs and outputs."""
    model = onnx.load(src)
    graph = model.graph
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT:
            init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name))
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(attr.t).astype(np.float16)))
    for value in list(graph.input) + list(graph.output):
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    del graph.value_info[:]
    onnx.checker.check_model(model)
    onnx.save(model, dst)


def manifest(folder, **fields):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(fields, f, indent=2)
        f.write("\n")


def card():
    return {"author": "RawEngine tools/make_test_models.py", "license": "MIT",
            "training_data": "none: seeded random weights for contract tests"}


def main():
    torch.manual_seed(20261126)
    models = os.path.join(ROOT, "testdata", "models")
    invalid = os.path.join(ROOT, "testdata", "models-invalid")
    image_axes = {0: "batch", 2: "height", 3: "width"}

    denoise = TinyDenoise()
    folder = os.path.join(models, "denoise-tiny")
    export(denoise, (torch.rand(1, 3, 16, 16),), os.path.join(folder, "model.onnx"), ["input"], ["output"],
           {"input": image_axes, "output": image_axes})
    manifest(folder, id="denoise-tiny", name="tiny denoise (test)", description="Near-identity conv net with the NAFNet denoise contract",
             task="denoise", arch="nafnet", backend="onnx", version="1.0", tiling=True, model_card=card(), attributes={})

    folder16 = os.path.join(models, "denoise-tiny-fp16")
    os.makedirs(folder16, exist_ok=True)
    to_float16(os.path.join(folder, "model.onnx"), os.path.join(folder16, "model.onnx"))
    manifest(folder16, id="denoise-tiny-fp16", name="tiny denoise float16 (test)", description="denoise-tiny with float16 weights and tensors",
             task="denoise", arch="nafnet", backend="onnx", version="1.0", tiling=True, model_card=card(), attributes={})

    folder = os.path.join(invalid, "denoise-four-channels")
    export(TinyDenoise(channels=4), (torch.rand(1, 4, 16, 16),), os.path.join(folder, "model.onnx"), ["input"], ["output"],
           {"input": image_axes, "output": image_axes})
    manifest(folder, id="denoise-four-channels", name="broken denoise (test)", description="Four input channels: violates the denoise contract",
             task="denoise", arch="nafnet", backend="onnx", version="1.0", tiling=True, model_card=card(), attributes={})

    folder = os.path.join(models, "mask-tiny-sam2")
    export(TinySam2Encoder(), (torch.rand(1, 3, 1024, 1024),), os.path.join(folder, "encoder.onnx"), ["image"],
           ["high_res_feats_0", "high_res_feats_1", "image_embed"], None)
    decoder_args = (torch.rand(1, 256, 64, 64), torch.rand(1, 32, 256, 256), torch.rand(1, 64, 128, 128),
                    torch.rand(1, 2, 2) * 1024, torch.ones(1, 2), torch.zeros(1, 1, 256, 256), torch.zeros(1))
    export(TinySam2Decoder(), decoder_args, os.path.join(folder, "decoder.onnx"),
           ["image_embed", "high_res_feats_0", "high_res_feats_1", "point_coords", "point_labels", "mask_input", "has_mask_input"],
           ["masks", "iou_predictions"], {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}})
    manifest(folder, id="mask-tiny-sam2", name="tiny SAM 2.1 signature (test)", description="Encoder/decoder pair with the darktable-ai SAM 2.1 tensors",
             task="mask", arch="sam2", backend="onnx", version="1.0", tiling=False, model_card=card(), attributes={})

    folder = os.path.join(models, "mask-tiny-sam1")
    export(TinySam1Encoder(), (torch.rand(1, 3, 1024, 1024),), os.path.join(folder, "encoder.onnx"), ["image"], ["image_embeddings"], None)
    export(TinySam1Decoder(), (torch.rand(1, 256, 64, 64), torch.rand(1, 2, 2) * 1024, torch.ones(1, 2), torch.zeros(1, 1, 256, 256),
                               torch.zeros(1), torch.tensor([480.0, 640.0])),
           os.path.join(folder, "decoder.onnx"),
           ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"],
           ["masks", "iou_predictions", "low_res_masks"],
           {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}, "masks": {2: "image_height", 3: "image_width"}})
    manifest(folder, id="mask-tiny-sam1", name="tiny SAM 1 signature (test)", description="Encoder/decoder pair with the segment-anything ONNX tensors",
             task="mask", arch="sam", backend="onnx", version="1.0", tiling=False, model_card=card(), attributes={})
    return 0


if __name__ == "__main__":
    sys.exit(main())
