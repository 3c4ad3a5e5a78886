"""A small SAM 2.1-signature image encoder that trains on CPU: a fixed 4x4 average pool (1024 -> 256) and a
residual CNN with one global-attention block, plus an FPN neck.

image [1,3,1024,1024] (ImageNet-normalised) -> 4x4 average pool -> 256x256
  stem   3x3 conv                      256x256 x w0
  stage1 3x3 stride-2 conv             128x128 x w1
  stage2 3x3 stride-2 conv + residual  64x64   x w2
  stage3 3x3 stride-2 conv + residual  32x32   x w3
  stage4 3x3 stride-2 conv + residual  16x16   x w4, then a global self-attention block (nets.sam.MultiScaleBlock)
FPN neck: 1x1 laterals to `neck` channels, top-down nearest upsampling and addition from 16 to 64; then on
to 128 (added to its lateral) and to 256 (reduced to 32 channels first).
  high_res_feats_0 [1,32,256,256]  conv_s0 on the 256 level
  high_res_feats_1 [1,64,128,128]  conv_s1 on the 128 level
  image_embed      [1,256,64,64]   1x1 projection of the 64 level plus no_mem_embed

Because the pool is fixed, a 256x256 picture nearest-upscaled to 1024 gives the same features as `features`
run on the 256x256 picture itself: training runs at 256. Convs are followed by BatchNorm and ReLU.
"""
import torch
from torch import nn
import torch.nn.functional as F

from .sam import MultiScaleBlock


def conv_bn(cin, cout, stride=1, relu=True):
    layers = [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.InstanceNorm2d(cout, affine=True)]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(conv_bn(channels, channels), conv_bn(channels, channels, relu=False))

    def forward(self, x):
        return F.relu(x + self.body(x))


class PooledCnnEncoder(nn.Module):
    pool = 4

    def __init__(self, widths=(16, 32, 64, 96, 128), neck=64, embed_channels=256, heads=4):
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        self.stem = conv_bn(3, w0)
        self.stage1 = conv_bn(w0, w1, 2)
        self.stage2 = nn.Sequential(conv_bn(w1, w2, 2), Residual(w2))
        self.stage3 = nn.Sequential(conv_bn(w2, w3, 2), Residual(w3))
        self.stage4 = nn.Sequential(conv_bn(w3, w4, 2), Residual(w4))
        self.attention = MultiScaleBlock(w4, w4, heads, window=0)
        self.lateral4, self.lateral3, self.lateral2 = nn.Conv2d(w4, neck, 1), nn.Conv2d(w3, neck, 1), nn.Conv2d(w2, neck, 1)
        self.lateral1 = nn.Conv2d(w1, neck, 1)
        self.reduce1 = nn.Conv2d(neck, 32, 1)
        self.lateral0 = nn.Conv2d(w0, 32, 1)
        self.conv_s0 = nn.Conv2d(32, 32, 1)
        self.conv_s1 = nn.Conv2d(neck, 64, 1)
        self.embed_proj = nn.Conv2d(neck, embed_channels, 1)
        self.no_mem_embed = nn.Parameter(torch.randn(1, embed_channels, 1, 1) * 0.02)

    def levels(self, x):
        """x [B,3,256,256] (the pooled, normalised image) -> the 256, 128 and 64 neck levels."""
        s0 = self.stem(x)
        s1 = self.stage1(s0)
        s2 = self.stage2(s1)
        s3 = self.stage3(s2)
        s4 = self.stage4(s3)
        s4 = self.attention(s4.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        p = self.lateral4(s4)
        p = self.lateral3(s3) + F.interpolate(p, scale_factor=2.0, mode="nearest")
        p2 = self.lateral2(s2) + F.interpolate(p, scale_factor=2.0, mode="nearest")
        p1 = self.lateral1(s1) + F.interpolate(p2, scale_factor=2.0, mode="nearest")
        p0 = self.lateral0(s0) + F.interpolate(self.reduce1(p1), scale_factor=2.0, mode="nearest")
        return p0, p1, p2

    def features(self, x):
        """x [B,3,256,256] -> (high_res_feats_0, high_res_feats_1, image_embed)."""
        p0, p1, p2 = self.levels(x)
        return self.conv_s0(p0), self.conv_s1(p1), self.embed_proj(p2) + self.no_mem_embed

    def forward(self, image):
        return self.features(F.avg_pool2d(image, self.pool))

    def embed(self, image):
        """image_embed alone (the SAM 1 output)."""
        return self.embed_proj(self.levels(F.avg_pool2d(image, self.pool))[2]) + self.no_mem_embed
