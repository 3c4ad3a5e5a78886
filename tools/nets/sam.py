"""A small SAM 2.1-style image encoder and mask decoder (Ravi et al. 2024; Kirillov et al. 2023), at small widths.

Encoder: a Hiera-like hierarchical backbone (7x7 stride-4 patch embedding; four stages at strides 4, 8, 16,
32 of multi-scale transformer blocks, windowed attention in the first three stages and global attention
in the last; each stage after the first starts with a block that max-pools its query and shortcut) and
an FPN neck (1x1 laterals, top-down fusion at strides 16 and 32, the stride-32 level dropped). As in
SAM 2, the stride-4 and stride-8 levels pass through the decoder's conv_s0/conv_s1 inside the encoder and
come out as high_res_feats_0 [1,32,256,256] and high_res_feats_1 [1,64,128,128]; the stride-16 level plus
no_mem_embed comes out as image_embed [1,256,64,64].

Decoder: the SAM prompt encoder (random Fourier positional encoding of points, label embeddings, a
not-a-point embedding, and a dense mask-input embedding from strided convs or the no-mask embedding), a
two-way transformer, output upscaling by transposed convs that adds the high-resolution features (SAM 2),
hypernetwork MLPs for four mask tokens and an IoU head. The 256-channel contract tensors are projected to
the small transformer width at the boundary. The same modules also run as SAM 1 (no high-res features).
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


class LayerNorm2d(nn.Module):
    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        return self.weight.view(1, -1, 1, 1) * (x - mu) / torch.sqrt(var + self.eps) + self.bias.view(1, -1, 1, 1)


class MLP(nn.Module):
    def __init__(self, dim_in, hidden, dim_out, layers, sigmoid_output=False):
        super().__init__()
        dims = [dim_in] + [hidden] * (layers - 1)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:] + [dim_out]))
        self.sigmoid_output = sigmoid_output

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return torch.sigmoid(x) if self.sigmoid_output else x


# ----------------------------------------------------------------------------------------------- encoder

def window_partition(x, window):
    """[B,H,W,C] -> [B*nW, window, window, C] (H and W divide by window: the encoder's sizes are fixed)."""
    b, h, w, c = x.shape
    x = x.view(b, h // window, window, w // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window, window, c)


def window_unpartition(x, window, h, w):
    c = x.shape[-1]
    x = x.view(-1, h // window, w // window, window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, h, w, c)


def pool2x2(x):
    """Max-pools a channels-last [B,H,W,C] tensor by 2 (Hiera's q_pool)."""
    return F.max_pool2d(x.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)


class MultiScaleAttention(nn.Module):
    def __init__(self, dim, dim_out, heads, q_pool):
        super().__init__()
        self.heads = heads
        self.q_pool = q_pool
        self.qkv = nn.Linear(dim, dim_out * 3)
        self.proj = nn.Linear(dim_out, dim_out)

    def forward(self, x):
        b, h, w, _ = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.heads, -1)
        q, k, v = qkv.unbind(2)
        if self.q_pool:
            q = pool2x2(q.reshape(b, h, w, -1))
            h, w = h // 2, w // 2
            q = q.reshape(b, h * w, self.heads, -1)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [B, heads, tokens, c]
        attn = torch.softmax(q @ k.transpose(-2, -1) * (q.shape[-1] ** -0.5), dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, h, w, -1)
        return self.proj(x)


class MultiScaleBlock(nn.Module):
    """Hiera block: windowed (or global, window 0) attention, optionally pooling the query to halve the resolution."""

    def __init__(self, dim, dim_out, heads, window, q_pool=False, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.window = window
        self.q_pool = q_pool
        self.attn = MultiScaleAttention(dim, dim_out, heads, q_pool)
        self.proj = nn.Linear(dim, dim_out) if dim != dim_out else None
        self.norm2 = nn.LayerNorm(dim_out, eps=1e-6)
        self.mlp = MLP(dim_out, int(dim_out * mlp_ratio), dim_out, 2)

    def forward(self, x):
        shortcut = x
        x = self.norm1(x)
        if self.proj is not None:
            shortcut = self.proj(x)
        if self.q_pool:
            shortcut = pool2x2(shortcut)
        h, w = x.shape[1], x.shape[2]
        if self.window > 0:
            x = window_partition(x, self.window)
        x = self.attn(x)
        if self.q_pool:
            h, w = h // 2, w // 2
        if self.window > 0:
            x = window_unpartition(x, self.window // 2 if self.q_pool else self.window, h, w)
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class Hiera(nn.Module):
    def __init__(self, embed_dim=16, stages=(1, 1, 2, 1), heads=(1, 1, 2, 4), windows=(8, 8, 8, 0)):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, embed_dim, 7, stride=4, padding=3)
        # A learned position embedding per window position (Hiera's pos_embed_window), added in windowed form.
        self.pos_embed_window = nn.Parameter(torch.randn(1, windows[0] * windows[0], embed_dim) * 0.02)
        self.window0 = windows[0]
        self.blocks = nn.ModuleList()
        self.stage_ends = []
        dim = embed_dim
        for stage, depth in enumerate(stages):
            dim_out = embed_dim * 2 ** stage
            for i in range(depth):
                pool = stage > 0 and i == 0
                # The pooling block attends in windows of the previous stage's size and hands on halved windows.
                window = windows[stage - 1] if pool else windows[stage]
                self.blocks.append(MultiScaleBlock(dim, dim_out, heads[stage], window, q_pool=pool))
                dim = dim_out
            self.stage_ends.append(len(self.blocks) - 1)
        self.channels = [embed_dim * 2 ** s for s in range(len(stages))]

    def forward(self, image):
        x = self.patch_embed(image).permute(0, 2, 3, 1)  # [B,H,W,C]
        b, h, w, c = x.shape
        x = window_partition(x, self.window0)
        x = x + self.pos_embed_window.view(1, self.window0, self.window0, c)
        x = window_unpartition(x, self.window0, h, w)
        outputs = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in self.stage_ends:
                outputs.append(x.permute(0, 3, 1, 2))
        return outputs  # strides 4, 8, 16, 32


class FpnNeck(nn.Module):
    def __init__(self, channels, d_model, top_down_levels=(2, 3)):
        super().__init__()
        self.laterals = nn.ModuleList(nn.Conv2d(c, d_model, 1) for c in channels)
        self.top_down_levels = top_down_levels

    def forward(self, xs):
        out = [None] * len(xs)
        previous = None
        for i in range(len(xs) - 1, -1, -1):
            lateral = self.laterals[i](xs[i])
            if i in self.top_down_levels and previous is not None:
                lateral = lateral + F.interpolate(previous, scale_factor=2.0, mode="nearest")
            out[i] = previous = lateral
        return out


class Sam2Encoder(nn.Module):
    """image [1,3,1024,1024] -> (high_res_feats_0 [1,32,256,256], high_res_feats_1 [1,64,128,128], image_embed [1,256,64,64])."""

    def __init__(self, embed_dim=16, neck_dim=64, embed_channels=256):
        super().__init__()
        self.trunk = Hiera(embed_dim)
        self.neck = FpnNeck(self.trunk.channels, neck_dim)
        self.conv_s0 = nn.Conv2d(neck_dim, 32, 1)
        self.conv_s1 = nn.Conv2d(neck_dim, 64, 1)
        self.embed_proj = nn.Conv2d(neck_dim, embed_channels, 1)
        self.no_mem_embed = nn.Parameter(torch.randn(1, embed_channels, 1, 1) * 0.02)

    def forward(self, image):
        levels = self.neck(self.trunk(image))
        image_embed = self.embed_proj(levels[2]) + self.no_mem_embed
        return self.conv_s0(levels[0]), self.conv_s1(levels[1]), image_embed

    def embed(self, image):
        """image_embed alone (the SAM 1 output)."""
        return self.embed_proj(self.neck(self.trunk(image))[2]) + self.no_mem_embed


class Sam1Encoder(nn.Module):
    """The same encoder with the SAM 1 output: image [1,3,1024,1024] -> image_embeddings [1,256,64,64]."""

    def __init__(self, sam2_encoder):
        super().__init__()
        self.sam2 = sam2_encoder

    def forward(self, image):
        return self.sam2.embed(image)


# ----------------------------------------------------------------------------------------------- decoder

class PositionEmbeddingRandom(nn.Module):
    """Positional encoding with random spatial frequencies (Tancik et al. 2020), as SAM's prompt encoder."""

    def __init__(self, num_feats):
        super().__init__()
        self.register_buffer("gaussian", torch.randn(2, num_feats))

    def encode(self, coords):
        """coords in [0,1], [..., 2] -> [..., 2*num_feats]."""
        coords = (2 * coords - 1) @ self.gaussian * (2 * math.pi)
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)

    def grid(self, size):
        ys = (torch.arange(size, dtype=torch.float32, device=self.gaussian.device) + 0.5) / size
        xs = (torch.arange(size, dtype=torch.float32, device=self.gaussian.device) + 0.5) / size
        coords = torch.stack([xs.view(1, -1).expand(size, size), ys.view(-1, 1).expand(size, size)], dim=-1)
        return self.encode(coords).permute(2, 0, 1).unsqueeze(0)  # [1, C, size, size]


class Attention(nn.Module):
    def __init__(self, dim, heads, downsample=1):
        super().__init__()
        self.heads = heads
        inner = dim // downsample
        self.scale = (inner // heads) ** -0.5
        self.q_proj, self.k_proj, self.v_proj = nn.Linear(dim, inner), nn.Linear(dim, inner), nn.Linear(dim, inner)
        self.out_proj = nn.Linear(inner, dim)

    def split(self, x):
        b, n, c = x.shape
        return x.reshape(b, n, self.heads, c // self.heads).transpose(1, 2)

    def forward(self, q, k, v):
        q, k, v = self.split(self.q_proj(q)), self.split(self.k_proj(k)), self.split(self.v_proj(v))
        attn = torch.softmax(q @ k.transpose(-2, -1) * self.scale, dim=-1)
        out = (attn @ v).transpose(1, 2)
        b, n = out.shape[0], out.shape[1]
        return self.out_proj(out.reshape(b, n, -1))


class TwoWayBlock(nn.Module):
    def __init__(self, dim, heads, mlp_dim, downsample, skip_first_pe):
        super().__init__()
        self.self_attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_token_to_image = Attention(dim, heads, downsample)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, mlp_dim, dim, 2)
        self.norm3 = nn.LayerNorm(dim)
        self.cross_image_to_token = Attention(dim, heads, downsample)
        self.norm4 = nn.LayerNorm(dim)
        self.skip_first_pe = skip_first_pe

    def forward(self, queries, keys, query_pe, key_pe):
        if self.skip_first_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        queries = self.norm2(queries + self.cross_token_to_image(queries + query_pe, keys + key_pe, keys))
        queries = self.norm3(queries + self.mlp(queries))
        keys = self.norm4(keys + self.cross_image_to_token(keys + key_pe, queries + query_pe, queries))
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, depth, dim, heads, mlp_dim, downsample=2):
        super().__init__()
        self.layers = nn.ModuleList(TwoWayBlock(dim, heads, mlp_dim, downsample, i == 0) for i in range(depth))
        self.final_attn = Attention(dim, heads, downsample)
        self.norm_final = nn.LayerNorm(dim)

    def forward(self, image, image_pe, tokens):
        keys = image.flatten(2).permute(0, 2, 1)
        key_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries = tokens
        for layer in self.layers:
            queries, keys = layer(queries, keys, tokens, key_pe)
        queries = self.norm_final(queries + self.final_attn(queries + tokens, keys + key_pe, keys))
        return queries, keys


class ClickMaps(nn.Module):
    """A dense cue for the clicks (as in click-map interactive segmenters, e.g. Sofiiuk et al. 2022's RITM):
    on the embedding grid, the maximum over the positive points and over the negative points of a Gaussian
    bump at two widths, embedded by a small conv and added to the dense prompt embedding. Padding points
    (label -1) and box corners (2, 3) leave no mark. It gives every image position its nearness to the clicks
    from the start of training, which a small model trained briefly does not learn from the point tokens."""

    sigmas = (1.5, 6.0)  # in embedding cells (16 px of the 1024 input)

    def __init__(self, dim, hidden=16):
        super().__init__()
        self.embed = nn.Sequential(nn.Conv2d(2 * len(self.sigmas), hidden, 3, padding=1), nn.GELU(), nn.Conv2d(hidden, dim, 1))

    def forward(self, coords, labels, size, image_size):
        cells = (coords + 0.5) * (size / image_size) - 0.5  # [B,N,2] in grid units
        grid = torch.arange(size, dtype=torch.float32, device=coords.device)
        dx = grid.view(1, 1, 1, size) - cells[..., 0].unsqueeze(-1).unsqueeze(-1)
        dy = grid.view(1, 1, size, 1) - cells[..., 1].unsqueeze(-1).unsqueeze(-1)
        squared = dx * dx + dy * dy  # [B,N,size,size]
        positive = (labels == 1).float().unsqueeze(-1).unsqueeze(-1)
        negative = (labels == 0).float().unsqueeze(-1).unsqueeze(-1)
        maps = []
        for sigma in self.sigmas:
            bump = torch.exp(squared * (-0.5 / sigma ** 2))
            maps += [(bump * positive).amax(dim=1), (bump * negative).amax(dim=1)]
        return self.embed(torch.stack(maps, dim=1))


class MaskDecoder(nn.Module):
    """Prompt encoder + two-way transformer + upscaling + hypernetworks; returns 4 masks [B,4,256,256] and their
    IoU. With click_maps the prompt encoder also adds a dense embedding of the clicks (ClickMaps)."""

    image_size = 1024
    embed_size = 64
    num_mask_tokens = 4

    def __init__(self, dim=64, embed_channels=256, depth=2, heads=4, mlp_dim=256, mask_in_chans=16, click_maps=False,
                 shuffle_upscale=False):
        super().__init__()
        self.embed_proj = nn.Conv2d(embed_channels, dim, 1)
        self.pe_layer = PositionEmbeddingRandom(dim // 2)
        self.point_embeddings = nn.ModuleList(nn.Embedding(1, dim) for _ in range(4))  # neg, pos, box corners
        self.not_a_point_embed = nn.Embedding(1, dim)
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, mask_in_chans // 4, 2, stride=2), LayerNorm2d(mask_in_chans // 4), nn.GELU(),
            nn.Conv2d(mask_in_chans // 4, mask_in_chans, 2, stride=2), LayerNorm2d(mask_in_chans), nn.GELU(),
            nn.Conv2d(mask_in_chans, dim, 1))
        self.no_mask_embed = nn.Embedding(1, dim)
        self.iou_token = nn.Embedding(1, dim)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, dim)
        self.transformer = TwoWayTransformer(depth, dim, heads, mlp_dim)
        self.upscale1 = nn.ConvTranspose2d(dim, 64, 2, stride=2)
        self.upscale_norm = LayerNorm2d(64)
        self.upscale2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.hypernetworks = nn.ModuleList(MLP(dim, dim, 32, 3) for _ in range(self.num_mask_tokens))
        self.iou_head = MLP(dim, 64, self.num_mask_tokens, 3, sigmoid_output=True)
        self.click_maps = ClickMaps(dim) if click_maps else None
        self.shuffle_upscale = shuffle_upscale

    def upscale(self, conv, x):
        """conv (a 2x2 stride-2 transposed conv) applied to x; with shuffle_upscale as the same function written
        as a 1x1 conv and a pixel shuffle, which PyTorch runs several times faster on CPU."""
        if not self.shuffle_upscale:
            return conv(x)
        cin, cout = conv.weight.shape[0], conv.weight.shape[1]
        weight = conv.weight.permute(1, 2, 3, 0).reshape(cout * 4, cin, 1, 1)
        return F.pixel_shuffle(F.conv2d(x, weight, conv.bias.repeat_interleave(4)), 2)

    def embed_points(self, coords, labels):
        coords = (coords + 0.5) / self.image_size
        embedding = self.pe_layer.encode(coords)
        labels = labels.unsqueeze(-1)
        embedding = embedding * (labels != -1).float() + self.not_a_point_embed.weight * (labels == -1).float()
        for i, point in enumerate(self.point_embeddings):
            embedding = embedding + point.weight * (labels == i).float()
        return embedding

    def forward(self, image_embed, point_coords, point_labels, mask_input, has_mask_input, high_res_feats=None):
        sparse = self.embed_points(point_coords, point_labels)
        dense = has_mask_input.view(-1, 1, 1, 1) * self.mask_downscaling(mask_input) \
            + (1 - has_mask_input.view(-1, 1, 1, 1)) * self.no_mask_embed.weight.view(1, -1, 1, 1)
        if self.click_maps is not None:
            dense = dense + self.click_maps(point_coords, point_labels, self.embed_size, self.image_size)
        src = self.embed_proj(image_embed) + dense
        image_pe = self.pe_layer.grid(self.embed_size)
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0).unsqueeze(0)
        if sparse.shape[0] > 1:  # batched training; the exported signatures have batch 1
            output_tokens = output_tokens.expand(sparse.shape[0], -1, -1)
        tokens = torch.cat([output_tokens, sparse], dim=1)
        hs, keys = self.transformer(src, image_pe, tokens)
        iou_out = hs[:, 0, :]
        mask_out = hs[:, 1:1 + self.num_mask_tokens, :]
        src = keys.transpose(1, 2).reshape(src.shape)
        if high_res_feats is None:  # SAM 1
            up = F.gelu(self.upscale_norm(self.upscale(self.upscale1, src)))
            up = F.gelu(self.upscale(self.upscale2, up))
        else:  # SAM 2: add the encoder's stride-8 and stride-4 features
            feat_s0, feat_s1 = high_res_feats
            up = F.gelu(self.upscale_norm(self.upscale(self.upscale1, src) + feat_s1))
            up = F.gelu(self.upscale(self.upscale2, up) + feat_s0)
        hyper = torch.stack([mlp(mask_out[:, i, :]) for i, mlp in enumerate(self.hypernetworks)], dim=1)  # [B,4,32]
        b, c, h, w = up.shape
        masks = (hyper @ up.view(b, c, h * w)).view(b, -1, h, w)
        return masks, self.iou_head(iou_out)


class Sam2Decoder(nn.Module):
    """The darktable-ai SAM 2.1 decoder signature: appends its own padding point, returns the three multimask
    outputs as logits clamped to +-32."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels, mask_input, has_mask_input):
        pad_point = torch.zeros_like(point_coords[:, :1, :])
        pad_label = -torch.ones_like(point_labels[:, :1])
        coords = torch.cat([point_coords, pad_point], dim=1)
        labels = torch.cat([point_labels, pad_label], dim=1)
        masks, iou = self.decoder(image_embed, coords, labels, mask_input, has_mask_input, (high_res_feats_0, high_res_feats_1))
        return masks[:, 1:].clamp(-32.0, 32.0), iou[:, 1:]


class Sam1Decoder(nn.Module):
    """The segment-anything ONNX decoder signature (all four masks, as its exporter's default): the caller
    pads the points; masks come back at orig_im_size, plus the 256x256 low-res logits."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        low_res, iou = self.decoder(image_embeddings, point_coords, point_labels, mask_input, has_mask_input)
        size = MaskDecoder.image_size
        masks = F.interpolate(low_res, size=(size, size), mode="bilinear", align_corners=False)
        prepadded = torch.floor(orig_im_size * (size / orig_im_size.max()) + 0.5).to(torch.int64)
        masks = masks[..., :prepadded[0], :prepadded[1]]
        orig = orig_im_size.to(torch.int64)
        masks = F.interpolate(masks, size=(orig[0], orig[1]), mode="bilinear", align_corners=False)
        return masks, iou, low_res
