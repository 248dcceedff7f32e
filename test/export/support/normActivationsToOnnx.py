"""Exports a small network of nn.GroupNorm (with and without affine terms), nn.SiLU, nn.Mish, nn.GELU,
a squeeze-and-excitation gate (a kept-dims spatial mean, a sigmoid and a product that is not SiLU),
nn.InstanceNorm2d and a spatial mean with torch.onnx.export (opset 13, where each is written as
several operators), as a user would, plus a seeded input (channels-last) and PyTorch's output for it.
Usage: normActivationsToOnnx.py OUT.onnx"""
import sys

import numpy as np
import torch
import torch.nn as nn


class NormActivations(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3)
        self.gn1 = nn.GroupNorm(4, 8)
        self.act1 = nn.SiLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.gn2 = nn.GroupNorm(2, 8, eps=1e-3, affine=False)
        self.act2 = nn.Mish()
        self.act3 = nn.GELU()
        self.se = nn.Conv2d(8, 8, 1)
        self.inorm = nn.InstanceNorm2d(8, affine=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = self.act1(self.gn1(self.conv1(x)))
        x = self.act3(self.act2(self.gn2(self.conv2(x))))
        x = self.inorm(x * torch.sigmoid(self.se(x.mean((2, 3), keepdim=True))))
        return self.fc(x.mean((2, 3)))


torch.manual_seed(0)
model = NormActivations().eval()
with torch.no_grad():
    # Affine terms away from their initial 1s and 0s, so a wrong mapping shows.
    for name, p in model.named_parameters():
        if p.dim() == 1 and not name.startswith("fc"):
            p.copy_(torch.rand(p.shape) * 0.5 + (0.75 if name.endswith("weight") else -0.25))
x = torch.rand(2, 3, 10, 10) * 4 - 2
path = sys.argv[1]
torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["y"], dynamic_axes={"input": {0: "N"}, "y": {0: "N"}})
with torch.no_grad():
    y = model(x)
np.asarray(x.permute(0, 2, 3, 1).numpy(), dtype="<f4").tofile(path + ".in")
np.asarray(y.numpy(), dtype="<f4").tofile(path + ".out")
print(sum(p.numel() for p in model.parameters()))
