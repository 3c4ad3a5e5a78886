#!/usr/bin/python3
"""Exports the project's small real-architecture models with the exact darktable-ai signatures (run with
Debian's /usr/bin/python3: it has python3-torch and python3-onnx).

  testdata/models/nafnet-small/model.onnx      NAFNet, width 16, blocks enc [1,1,1] / middle 1 / dec [1,1,1];
                                               input `input` -> output `output`, [N,3,H,W] float32 sRGB [0,1],
                                               any H and W (padded to a multiple of 8 inside, cropped back)
  testdata/models/sam21-small/encoder.onnx     SAM 2.1 signature: image -> high_res_feats_0/1, image_embed
  testdata/models/sam21-small/decoder.onnx     ... + point_coords/point_labels (N dynamic) -> masks [1,3,256,256], iou_predictions
  testdata/models/sam1-small/{encoder,decoder}.onnx   the same weights with the segment-anything (SAM 1) signature
  testdata/model-references/exported.json     sampled PyTorch outputs on formula inputs, so the C# tests can
                                               check that ONNX Runtime computes what PyTorch does

The weights are seeded and untrained; later issues train these networks (import tools/nets) and export
them with export_nafnet / export_sam below. A rerun writes the same files.
"""
import argparse
import json
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nets.nafnet import NAFNet  # noqa: E402
from nets.sam import MaskDecoder, Sam1Decoder, Sam1Encoder, Sam2Decoder, Sam2Encoder  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPSET = 17
SEED = 20261126
SAM2_DECODER_INPUTS = ["image_embed", "high_res_feats_0", "high_res_feats_1", "point_coords", "point_labels", "mask_input", "has_mask_input"]
SAM1_DECODER_INPUTS = ["image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input", "orig_im_size"]
POINT_AXES = {"point_coords": {1: "num_points"}, "point_labels": {1: "num_points"}}


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def export(module, args, path, input_names, output_names, dynamic_axes=None, output_dims=None):
    """Traces module to ONNX; output_dims (name -> dims, str for symbolic) restates shapes the tracer leaves symbolic."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, do_constant_folding=True)
    model = onnx.load(path)
    for output in model.graph.output:
        for i, dim in enumerate((output_dims or {}).get(output.name, [])):
            target = output.type.tensor_type.shape.dim[i]
            if isinstance(dim, str):
                target.dim_param = dim
            else:
                target.dim_value = dim
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return os.path.getsize(path)


def write_manifest(folder, **fields):
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(fields, f, indent=2)
        f.write("\n")


def model_card(architecture, parameters, author="RawEngine tools/export_small_models.py", training_data="none yet: seeded initial weights"):
    return {"author": author, "license": "MIT", "architecture": architecture, "parameters": parameters, "training_data": training_data}


def formula_image(shape, a, b, c):
    """((a*channel + b*row + c*column) mod 256) / 255 as float32: the C# tests compute the same values exactly."""
    n, ch, h, w = shape
    k = torch.arange(ch).view(1, ch, 1, 1) * a + torch.arange(h).view(1, 1, h, 1) * b + torch.arange(w).view(1, 1, 1, w) * c
    return ((k % 256).float() / 255.0).expand(n, ch, h, w).contiguous()


def samples(tensor, count=48):
    """count (flat index, value) pairs spread over the tensor."""
    flat = tensor.detach().reshape(-1)
    step = max(1, flat.numel() // count)
    return [[i, float(flat[i])] for i in range(step // 2, flat.numel(), step)][:count]


def export_nafnet(model, folder, model_id, name, description, is_default=False, card=None, version="1.0"):
    """Writes folder/model.onnx and config.json for a NAFNet denoiser (darktable-ai denoise signature); card
    replaces the untrained model card."""
    image_axes = {0: "batch", 2: "height", 3: "width"}
    size = export(model, (torch.rand(1, 3, 37, 53),), os.path.join(folder, "model.onnx"), ["input"], ["output"],
                  {"input": image_axes, "output": image_axes}, {"output": ["batch", 3, "height", "width"]})
    fields = dict(id=model_id, name=name, description=description, task="denoise", arch="nafnet", backend="onnx", version=version,
                  tiling=True, model_card=card or model_card("NAFNet (Chen et al. 2022)", parameter_count(model)),
                  attributes={"width": model.intro.out_channels, "levels": len(model.encoders), "pixel_block": model.block,
                              "pad_multiple": model.padder})
    if is_default:
        fields["default"] = True
    fields["io"] = {"inputs": {"image": "input"}, "outputs": {"image": "output"}, "layout": "planar-rgb", "encoding": "srgb",
                    "range": [0.0, 1.0], "tile": {"sizes": [512, 384, 256], "overlap": 32, "align": model.padder}}
    write_manifest(folder, **fields)
    return size


UNTRAINED_SAM = {
    "sam2_name": "small SAM 2.1 (untrained)",
    "sam2_description": "Small real SAM 2.1 architecture with the darktable-ai encoder/decoder signature",
    "sam1_name": "small SAM 1 signature (untrained)",
    "sam1_description": "The small SAM 2.1-style weights with the segment-anything (SAM 1) encoder/decoder signature",
    "architecture": "SAM 2.1-style: Hiera-like trunk + FPN neck; SAM prompt encoder, two-way transformer, high-res upscaling",
    "author": "RawEngine tools/export_small_models.py",
    "training_data": "none yet: seeded initial weights",
}


def export_sam(encoder, decoder, sam2_folder, sam1_folder, sam2_id, sam1_id, about=None, default=False, mask_choice=None):
    """Writes the SAM 2.1 package (and the SAM 1 package of the same weights when sam1_folder is given); about
    gives the manifests' names, descriptions and model card texts (UNTRAINED_SAM's keys); default marks the
    SAM 2.1 package as its task's default; mask_choice ("stability") tells the engine how to rank the
    multimask outputs when the IoU head is not to be trusted."""
    choice = {"mask_choice": mask_choice} if mask_choice else {}
    about = about or UNTRAINED_SAM
    image = torch.rand(1, 3, 1024, 1024)
    sizes = {}
    sizes["sam2/encoder.onnx"] = export(encoder, (image,), os.path.join(sam2_folder, "encoder.onnx"), ["image"],
                                        ["high_res_feats_0", "high_res_feats_1", "image_embed"])
    sam2_args = (torch.rand(1, 256, 64, 64), torch.rand(1, 32, 256, 256), torch.rand(1, 64, 128, 128),
                 torch.rand(1, 2, 2) * 1024, torch.ones(1, 2), torch.zeros(1, 1, 256, 256), torch.zeros(1))
    sizes["sam2/decoder.onnx"] = export(Sam2Decoder(decoder), sam2_args, os.path.join(sam2_folder, "decoder.onnx"),
                                        SAM2_DECODER_INPUTS, ["masks", "iou_predictions"], POINT_AXES,
                                        {"masks": [1, 3, 256, 256], "iou_predictions": [1, 3]})
    params = {"encoder": parameter_count(encoder), "decoder": parameter_count(decoder)}
    card = model_card(about["architecture"], params, about["author"], about["training_data"])
    fields = dict(id=sam2_id, name=about["sam2_name"], description=about["sam2_description"],
                  task="mask", arch="sam2", backend="onnx", version="1.0", tiling=False)
    if default:
        fields["default"] = True
    write_manifest(sam2_folder, **fields, model_card=card, attributes={"multimask_outputs": 3, **choice, "logit_clamp": 32})
    if sam1_folder is None:
        return sizes
    sizes["sam1/encoder.onnx"] = export(Sam1Encoder(encoder), (image,), os.path.join(sam1_folder, "encoder.onnx"), ["image"], ["image_embeddings"])
    sam1_args = (torch.rand(1, 256, 64, 64), torch.rand(1, 2, 2) * 1024, torch.tensor([[1.0, -1.0]]), torch.zeros(1, 1, 256, 256),
                 torch.zeros(1), torch.tensor([480.0, 640.0]))
    sizes["sam1/decoder.onnx"] = export(Sam1Decoder(decoder), sam1_args, os.path.join(sam1_folder, "decoder.onnx"), SAM1_DECODER_INPUTS,
                                        ["masks", "iou_predictions", "low_res_masks"],
                                        {**POINT_AXES, "masks": {2: "image_height", 3: "image_width"}},
                                        {"masks": [1, 4, "image_height", "image_width"], "iou_predictions": [1, 4],
                                         "low_res_masks": [1, 4, 256, 256]})
    write_manifest(sam1_folder, id=sam1_id, name=about["sam1_name"], description=about["sam1_description"],
                   task="mask", arch="sam", backend="onnx", version="1.0", tiling=False, model_card=card,
                   attributes={"multimask_outputs": 4, **choice})
    return sizes


def sam_references(encoder, decoder):
    """PyTorch outputs of a SAM encoder and decoder on a formula image and fixed clicks, sampled, for the C# export
    checks (tests/Ai/ExportedModelTests.cs): (the SAM 2.1 signature's entry, the SAM 1 signature's)."""
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        image = formula_image((1, 3, 1024, 1024), 59, 3, 5) * 4.0 - 2.0  # roughly the normalised range
        s0, s1, embed = encoder(image)
        sam2 = Sam2Decoder(decoder)
        one = sam2(embed, s0, s1, torch.tensor([[[300.0, 400.0]]]), torch.tensor([[1.0]]), torch.zeros(1, 1, 256, 256), torch.zeros(1))
        prompts3 = (torch.tensor([[[300.0, 400.0], [700.0, 650.0], [120.0, 900.0]]]), torch.tensor([[1.0, 0.0, 1.0]]))
        three = sam2(embed, s0, s1, *prompts3, one[0][:, :1], torch.ones(1))
        sam1 = Sam1Decoder(decoder)
        s1_masks, s1_iou, s1_low = sam1(embed, torch.tensor([[[300.0, 400.0], [0.0, 0.0]]]), torch.tensor([[1.0, -1.0]]),
                                        torch.zeros(1, 1, 256, 256), torch.zeros(1), torch.tensor([480.0, 640.0]))
    return ({
        "image": {"shape": [1, 3, 1024, 1024], "a": 59, "b": 3, "c": 5, "scale": 4.0, "offset": -2.0},
        "high_res_feats_0": samples(s0), "high_res_feats_1": samples(s1), "image_embed": samples(embed),
        "one_point": {"point_coords": [300, 400], "point_labels": [1], "masks": samples(one[0]), "iou_predictions": one[1].reshape(-1).tolist()},
        "three_points": {"point_coords": [300, 400, 700, 650, 120, 900], "point_labels": [1, 0, 1],
                         "mask_input": "masks[0] of one_point", "masks": samples(three[0]), "iou_predictions": three[1].reshape(-1).tolist()},
    }, {"point_coords": [300, 400, 0, 0], "point_labels": [1, -1], "orig_im_size": [480, 640],
        "masks": samples(s1_masks), "iou_predictions": s1_iou.reshape(-1).tolist(), "low_res_masks": samples(s1_low)})


def write_references(path, source, entries):
    """Writes {"about": ..., **entries} (entries: package id -> sampled outputs) as the C# export checks read it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    about = (f"Sampled PyTorch outputs of {source}; inputs are formula images "
             "((a*channel + b*row + c*column) mod 256) / 255 * scale + offset, as float32.")
    with open(path, "w") as f:
        json.dump({"about": about, **entries}, f, indent=1)
        f.write("\n")


def references(nafnet, encoder, decoder):
    """PyTorch outputs on formula inputs, sampled, for the C# export checks."""
    with torch.no_grad():
        denoised = nafnet(formula_image((1, 3, 37, 53), 131, 17, 7))
    sam2, sam1 = sam_references(encoder, decoder)
    return {
        "nafnet-small": {"input": {"shape": [1, 3, 37, 53], "a": 131, "b": 17, "c": 7, "scale": 1.0, "offset": 0.0},
                         "output": samples(denoised)},
        "sam21-small": sam2,
        "sam1-small": sam1,
    }

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "testdata"), help="testdata folder to write into (default: the repository's)")
    args = parser.parse_args()
    models = os.path.join(args.out, "models")

    torch.manual_seed(SEED)
    nafnet = NAFNet(width=16, enc_blocks=(1, 1, 1), middle_blocks=1, dec_blocks=(1, 1, 1), residual_init=0.1).eval()
    encoder = Sam2Encoder().eval()
    decoder = MaskDecoder().eval()

    sizes = {"nafnet/model.onnx": export_nafnet(nafnet, os.path.join(models, "nafnet-small"), "nafnet-small", "small NAFNet (untrained)",
                                                "NAFNet width 16, one block per level, darktable-ai denoise signature")}
    sizes.update(export_sam(encoder, decoder, os.path.join(models, "sam21-small"), os.path.join(models, "sam1-small"), "sam21-small", "sam1-small"))
    write_references(os.path.join(args.out, "model-references", "exported.json"), "tools/export_small_models.py",
                     references(nafnet, encoder, decoder))

    print(f"parameters: nafnet {parameter_count(nafnet)}, sam encoder {parameter_count(encoder)}, sam decoder {parameter_count(decoder)}")
    for name, size in sizes.items():
        print(f"{name}: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
