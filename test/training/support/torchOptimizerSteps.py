"""Reference for test/training/packedOptimizer.test.ts: PyTorch's own optimizer over given steps.

Reads JSON on stdin: {"optimizer", "lr", "momentum", "weights": [[...], ...], "gradients": [step][weight][...]}.
Prints the weights after every step, as JSON.
"""
import json
import sys

import torch

spec = json.load(sys.stdin)
params = [torch.nn.Parameter(torch.tensor(w, dtype=torch.float32)) for w in spec["weights"]]
if spec["optimizer"] == "adam":
    optimizer = torch.optim.Adam(params, lr=spec["lr"])
elif spec["optimizer"] == "rmsprop":
    optimizer = torch.optim.RMSprop(params, lr=spec["lr"], momentum=spec["momentum"])
else:
    optimizer = torch.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])
history = []
for step in spec["gradients"]:
    for p, g in zip(params, step):
        p.grad = torch.tensor(g, dtype=torch.float32)
    optimizer.step()
    history.append([p.detach().tolist() for p in params])
print(json.dumps(history))
