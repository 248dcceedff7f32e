"""Exports torchvision CNNs (random weights, no downloads) to ONNX with torch.onnx.export, as a user
would, plus a seeded input and PyTorch's output for it. Usage: torchvisionToOnnx.py JOBS.json
where JOBS is a list of {"model", "input": [C, H, W], "out": DIR, "fold": bool}. Prints, per file,
PyTorch's parameter and buffer counts, the output's shape and the count of modules of each class."""
import collections
import json
import sys

import numpy as np
import torch
import torchvision

torch.manual_seed(0)
results = {}
for job in json.load(open(sys.argv[1])):
    name = job["model"]
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs).eval()
    # Give batch-norm statistics values other than 0 and 1, so that a mix-up of mean, variance,
    # scale and shift shows in the outputs.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    x = torch.rand(1, *job["input"]) * 2 - 1
    path = f'{job["out"]}/{name}_{"x".join(map(str, job["input"]))}{"" if job.get("fold", True) else "_unfolded"}.onnx'
    torch.onnx.export(
        model, x, path, input_names=["input"], output_names=["logits"], opset_version=job.get("opset", 13),
        dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
        training=torch.onnx.TrainingMode.EVAL if job.get("fold", True) else torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=job.get("fold", True),
    )
    with torch.no_grad():
        y = model(x)
    np.asarray(x.numpy(), dtype="<f4").tofile(path + ".in")
    np.asarray(y.numpy(), dtype="<f4").tofile(path + ".out")
    results[path] = {
        "trainable": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")),
        "output": list(y.shape),
        # How many modules of each class the network has, for the layers the import must recognise.
        "modules": collections.Counter(type(m).__name__ for m in model.modules()),
    }
print(json.dumps(results))
