"""NAFNet (Chen, Chu, Zhang, Sun 2022, "Simple Baselines for Image Restoration"), at any width.

The structure follows the paper: a 3x3 intro conv, encoder stages of NAFBlocks each followed by a 2x2
stride-2 downsampling conv, middle blocks, decoder stages that upsample (1x1 conv + PixelShuffle), add the
encoder skip and run NAFBlocks, a 3x3 ending conv and a global residual. The input is padded (edge
replicate) to a multiple of 2^levels inside the graph and the result cropped back, so any H x W runs.

With `unshuffle` the intro and ending work on 2x2 pixel blocks (PixelUnshuffle / PixelShuffle, 12 channels at half
resolution), so every NAFBlock runs on a quarter of the pixels: the cost of the full-resolution stage, which is
mostly memory traffic of elementwise ops on CPU, goes away for little quality.
"""
import torch
from torch import nn
import torch.nn.functional as F


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels of an NCHW tensor."""

    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        y = (x - mu) / torch.sqrt(var + self.eps)
        return self.weight.view(1, -1, 1, 1) * y + self.bias.view(1, -1, 1, 1)


class SimpleGate(nn.Module):
    """Splits the channels in two halves and multiplies them: the nonlinearity NAFNet uses instead of an activation."""

    def forward(self, x):
        a, b = x.chunk(2, dim=1)
        return a * b


class NAFBlock(nn.Module):
    def __init__(self, c, dw_expand=2, ffn_expand=2, residual_init=0.0):
        super().__init__()
        dw = c * dw_expand
        self.norm1 = LayerNorm2d(c)
        self.conv1 = nn.Conv2d(c, dw, 1)
        self.conv2 = nn.Conv2d(dw, dw, 3, padding=1, groups=dw)
        self.sg = SimpleGate()
        # Simplified Channel Attention: global average pool -> 1x1 conv -> channel-wise scale.
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(dw // 2, dw // 2, 1))
        self.conv3 = nn.Conv2d(dw // 2, c, 1)
        self.norm2 = LayerNorm2d(c)
        ffn = c * ffn_expand
        self.conv4 = nn.Conv2d(c, ffn, 1)
        self.conv5 = nn.Conv2d(ffn // 2, c, 1)
        # The paper starts beta and gamma at zero (each block the identity); a small value lets an untrained
        # export exercise every branch.
        self.beta = nn.Parameter(torch.full((1, c, 1, 1), residual_init))
        self.gamma = nn.Parameter(torch.full((1, c, 1, 1), residual_init))

    def forward(self, inp):
        x = self.conv2(self.conv1(self.norm1(inp)))
        x = self.sg(x)
        x = x * self.sca(x)
        y = inp + self.conv3(x) * self.beta
        x = self.conv5(self.sg(self.conv4(self.norm2(y))))
        return y + x * self.gamma


class NAFNet(nn.Module):
    def __init__(self, img_channel=3, width=16, enc_blocks=(1, 1, 1), middle_blocks=1, dec_blocks=(1, 1, 1), residual_init=0.0,
                 unshuffle=False):
        super().__init__()
        block = lambda c: NAFBlock(c, residual_init=residual_init)
        self.block = 2 if unshuffle else 1
        packed = img_channel * self.block ** 2
        self.intro = nn.Conv2d(packed, width, 3, padding=1)
        self.ending = nn.Conv2d(width, packed, 3, padding=1)
        self.encoders, self.downs = nn.ModuleList(), nn.ModuleList()
        self.decoders, self.ups = nn.ModuleList(), nn.ModuleList()
        chan = width
        for n in enc_blocks:
            self.encoders.append(nn.Sequential(*[block(chan) for _ in range(n)]))
            self.downs.append(nn.Conv2d(chan, 2 * chan, 2, stride=2))
            chan *= 2
        self.middle = nn.Sequential(*[block(chan) for _ in range(middle_blocks)])
        for n in dec_blocks:
            self.ups.append(nn.Sequential(nn.Conv2d(chan, chan * 2, 1, bias=False), nn.PixelShuffle(2)))
            chan //= 2
            self.decoders.append(nn.Sequential(*[block(chan) for _ in range(n)]))
        self.padder = self.block * 2 ** len(enc_blocks)

    def forward(self, inp):
        h, w = inp.shape[2], inp.shape[3]
        x = self.pad_to_multiple(inp, h, w)
        features = self.intro(F.pixel_unshuffle(x, 2) if self.block == 2 else x)
        skips = []
        for encoder, down in zip(self.encoders, self.downs):
            features = encoder(features)
            skips.append(features)
            features = down(features)
        features = self.middle(features)
        for decoder, up, skip in zip(self.decoders, self.ups, reversed(skips)):
            features = decoder(up(features) + skip)
        residual = self.ending(features)
        out = (F.pixel_shuffle(residual, 2) if self.block == 2 else residual) + x
        return out[:, :, :h, :w]

    def pad_to_multiple(self, x, h, w):
        """Edge-replicates the bottom and right so H and W divide by 2^levels (traced, so it stays dynamic in ONNX)."""
        pad_h = (self.padder - h % self.padder) % self.padder
        pad_w = (self.padder - w % self.padder) % self.padder
        return F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
