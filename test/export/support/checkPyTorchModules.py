"""Checks exported PyTorch modules for the export tests: imports each, optionally loads converted
weights, runs one forward pass while recording every local variable of forward (one per design
node) and which sub-modules ran, and compares every output with the TF.js model's.

Usage: python checkPyTorchModules.py JOBS.json RESULTS.json
"""
import importlib.util
import json
import sys
import traceback

import numpy as np
import torch

torch.set_num_threads(1)


def channels_first(t):
    return t.permute(0, 3, 1, 2) if t.dim() == 4 else t.permute(0, 2, 1) if t.dim() == 3 else t


def channels_last(t):
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t.permute(0, 2, 1) if t.dim() == 3 else t


def read_floats(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


def check(job):
    spec = importlib.util.spec_from_file_location(job["moduleName"], job["file"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, job["className"])().eval()
    result = {
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked")),
        "inputShapes": [list(s) for s in module.INPUT_SHAPES],
    }
    if job.get("weights"):
        module.load_weights(model, job["weights"])
    if job.get("inputs"):
        inputs = [channels_first(read_floats(i["file"], i["shape"])) for i in job["inputs"]]
    else:
        inputs = [torch.randn(2, *shape) for shape in module.INPUT_SHAPES]

    ran = set()
    for name, child in model.named_children():
        child.register_forward_hook(lambda _m, _i, _o, name=name: ran.add(name))
    forward_code = type(model).forward.__code__
    shapes = {}

    def profile(frame, event, _arg):
        if event == "return" and frame.f_code is forward_code:
            shapes.update({k: list(v.shape) for k, v in frame.f_locals.items() if torch.is_tensor(v)})

    sys.setprofile(profile)
    try:
        with torch.no_grad():
            output = model(*inputs)
    finally:
        sys.setprofile(None)
    result["shapes"] = shapes
    result["modulesNotRun"] = [name for name, _ in model.named_children() if name not in ran]
    if job.get("expected"):
        outputs = [output] if torch.is_tensor(output) else list(output)
        result["outputShapes"] = [list(channels_last(o).shape) for o in outputs]
        result["sameNonFinite"], result["maxDiff"], result["maxAbs"] = True, 0.0, 0.0
        if len(outputs) != len(job["expected"]):
            return result
        # Every output against the TF.js model's output of the same position.
        for got, spec in zip(outputs, job["expected"]):
            got = channels_last(got)
            expected = read_floats(spec["file"], spec["shape"])
            if list(got.shape) != list(expected.shape):
                result["sameNonFinite"] = False
                continue
            finite = torch.isfinite(expected)
            result["sameNonFinite"] = result["sameNonFinite"] and bool(torch.equal(finite, torch.isfinite(got)))
            diff = (got - expected).abs()[finite]
            if diff.numel():
                result["maxDiff"] = max(result["maxDiff"], diff.max().item())
                result["maxAbs"] = max(result["maxAbs"], expected.abs()[finite].max().item())
    return result


def main():
    jobs = json.load(open(sys.argv[1]))
    results = {}
    for job in jobs:
        try:
            results[job["id"]] = check(job)
        except Exception:
            results[job["id"]] = {"error": traceback.format_exc()}
    json.dump(results, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
