"""Small hand-built PyTorch networks made of the channel-wise layers of ConvNeXt, ShuffleNet v2 and
normalization-heavy CNNs, converted to designs by the same rules as the torchvision networks
(torchvisionToDesign.py), with their weights and a seeded input's outputs. They stand in for the
full networks where those also need grouped convolutions: a ConvNeXt block with a plain 7×7
convolution instead of a depthwise one, a ShuffleNet v2 unit without its depthwise convolution.

Usage: /usr/bin/python3 test/reference/channelBlocksToDesign.py OUT_DIR   (prints one summary per network)
"""
import importlib.util
import os
import sys

import torch
import torch.nn as nn
import torchvision.models.shufflenetv2 as tv_shufflenet
from torchvision.models.convnext import LayerNorm2d
from torchvision.ops import StochasticDepth
from torchvision.ops.misc import Permute

spec = importlib.util.spec_from_file_location("torchvision_to_design", os.path.join(os.path.dirname(__file__), "torchvisionToDesign.py"))
converter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(converter)


def randomize(model):
    """Weights, affine terms and running statistics away from their initial 1s and 0s, so a wrong mapping shows."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, t in list(model.named_parameters()) + list(model.named_buffers()):
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g) * 0.5 + 0.75)
            elif name.endswith("weight") and t.dim() == 1 or name.endswith("layer_scale"):
                t.copy_(torch.rand(t.shape, generator=g) * 0.5 + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g) * (0.1 if t.dim() == 1 else 0.3))
    return model


class ConvNeXtBlockPlain(nn.Module):
    """torchvision's CNBlock with a plain 7×7 convolution where ConvNeXt has a depthwise one."""

    def __init__(self, dim):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, 7, padding=3), Permute([0, 2, 3, 1]), nn.LayerNorm(dim, eps=1e-6),
            nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]),
        )
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)
        self.stochastic_depth = StochasticDepth(0.1, "row")

    def forward(self, x):
        result = self.layer_scale * self.block(x)
        return self.stochastic_depth(result) + x


class ConvNeXtPlain(nn.Module):
    """Stem (4×4 stride-4 convolution, LayerNorm2d), two blocks, a LayerNorm2d + 2×2 downsampling, a block, then ConvNeXt's head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 4, stride=4), LayerNorm2d(8, eps=1e-6))
        self.stage1 = nn.Sequential(ConvNeXtBlockPlain(8), ConvNeXtBlockPlain(8))
        self.down = nn.Sequential(LayerNorm2d(8, eps=1e-6), nn.Conv2d(8, 16, 2, stride=2))
        self.stage2 = ConvNeXtBlockPlain(16)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(LayerNorm2d(16, eps=1e-6), nn.Flatten(1), nn.Linear(16, 5))

    def forward(self, x):
        return self.classifier(self.avgpool(self.stage2(self.down(self.stage1(self.stem(x))))))


class ShuffleUnitPlain(nn.Module):
    """torchvision's InvertedResidual (stride 1) with a plain 3×3 convolution where ShuffleNet v2 has a depthwise one."""

    def __init__(self, channels):
        super().__init__()
        half = channels // 2
        self.branch2 = nn.Sequential(
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
            nn.Conv2d(half, half, 3, padding=1, bias=False), nn.BatchNorm2d(half),
            nn.Conv2d(half, half, 1, bias=False), nn.BatchNorm2d(half), nn.ReLU(inplace=True),
        )

    def forward(self, x):
        x1, x2 = x.chunk(2, dim=1)
        out = torch.cat((x1, self.branch2(x2)), dim=1)
        return tv_shufflenet.channel_shuffle(out, 2)


class ShuffleNetPlain(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 12, 3, 2, 1, bias=False), nn.BatchNorm2d(12), nn.ReLU(inplace=True))
        self.stage2 = nn.Sequential(ShuffleUnitPlain(12), ShuffleUnitPlain(12))
        self.fc = nn.Linear(12, 5)

    def forward(self, x):
        return self.fc(self.stage2(self.conv1(x)).mean([2, 3]))


class NormsNet(nn.Module):
    """GroupNorm, PReLU (per channel and single), Dropout2d, InstanceNorm2d (affine with running statistics, and plain), nn.ChannelShuffle, a channel slice and LayerNorm on a vector."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.gn = nn.GroupNorm(4, 8, eps=1e-5)
        self.act1 = nn.PReLU(8)
        self.drop = nn.Dropout2d(0.2)
        self.conv2 = nn.Conv2d(8, 6, 3, stride=2)
        self.inorm = nn.InstanceNorm2d(6, affine=True, track_running_stats=True)
        self.act2 = nn.PReLU()
        self.shuffle = nn.ChannelShuffle(3)
        self.conv3 = nn.Conv2d(4, 6, 1)
        self.inorm_plain = nn.InstanceNorm2d(6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.ln = nn.LayerNorm(6)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = self.shuffle(self.act2(self.inorm(self.conv2(self.drop(self.act1(self.gn(self.conv1(x))))))))
        x = self.inorm_plain(self.conv3(torch.split(x, [4, 2], dim=1)[0]))
        return self.fc(self.ln(torch.flatten(self.pool(x), 1)))


BLOCKS = {"convnext_plain": ConvNeXtPlain, "shufflenet_plain": ShuffleNetPlain, "norms_net": NormsNet}
INPUTS = {"convnext_plain": [3, 32, 32], "shufflenet_plain": [3, 16, 16], "norms_net": [3, 15, 15]}


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    converter.build_model = lambda name: randomize(BLOCKS[name]())
    for name, shape in INPUTS.items():
        print(converter.write_job(name, shape, out, save_weights=True), flush=True)


if __name__ == "__main__":
    main()
