"""Exports a small network of torchvision's LayerNorm2d, nn.PReLU (per channel and single),
nn.InstanceNorm2d, a channel slice, a parameter × tensor layer scale and nn.LayerNorm on a vector
with torch.onnx.export (opset 17), as a user would, plus a seeded input and PyTorch's output for it.
Usage: channelLayersToOnnx.py OUT.onnx"""
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision.models.convnext import LayerNorm2d


class ChannelLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.ln2d = LayerNorm2d(6, eps=1e-6)
        self.act = nn.PReLU(6)
        self.inorm = nn.InstanceNorm2d(6, affine=True)
        self.layer_scale = nn.Parameter(torch.rand(4, 1, 1) + 0.5)
        self.act2 = nn.PReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.ln = nn.LayerNorm(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        x = self.inorm(self.act(self.ln2d(self.conv(x))))
        x = self.act2(self.layer_scale * x[:, 1:5])
        return self.fc(self.ln(torch.flatten(self.pool(x), 1)))


torch.manual_seed(0)
model = ChannelLayers().eval()
with torch.no_grad():
    # Affine terms and slopes away from their initial 1s, 0s and 0.25s, so a wrong mapping shows.
    for name, p in model.named_parameters():
        if p.dim() == 1:
            p.copy_(torch.rand(p.shape) * 0.5 + (0.5 if name.endswith("weight") else -0.25))
x = torch.rand(2, 3, 8, 8) * 2 - 1
path = sys.argv[1]
torch.onnx.export(model, x, path, opset_version=17, input_names=["input"], output_names=["y"], dynamic_axes={"input": {0: "N"}, "y": {0: "N"}})
with torch.no_grad():
    y = model(x)
np.asarray(x.permute(0, 2, 3, 1).numpy(), dtype="<f4").tofile(path + ".in")
np.asarray(y.numpy(), dtype="<f4").tofile(path + ".out")
