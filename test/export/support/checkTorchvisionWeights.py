"""Loads a torchvision network's state_dict (strict) into an exported module and compares outputs.

Usage: checkTorchvisionWeights.py MODULE.py MODEL_NAME
Prints one JSON line: {"maxDiff": ..., "keys": N}. Weights are random (never downloaded); batch-norm
statistics and affine terms are randomized so that a wrong mapping shows.
"""
import importlib.util
import json
import sys

import torch
import torchvision

path, model_name = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("exported", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
# The model class is the last nn.Module class the file defines (block classes come before it).
classes = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, torch.nn.Module) and v.__module__ == "exported"]
torch.manual_seed(0)
reference = getattr(torchvision.models, model_name)().eval()
for m in reference.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 1.5)
        m.weight.data.uniform_(0.5, 1.5)
        m.bias.data.uniform_(-0.5, 0.5)
ours = classes[-1]().eval()
ours.load_state_dict(reference.state_dict(), strict=True)
x = torch.randn(2, 3, 224, 224)
with torch.no_grad():
    diff = (reference(x) - ours(x)).abs().max().item()
print(json.dumps({"maxDiff": diff, "keys": len(reference.state_dict())}))
