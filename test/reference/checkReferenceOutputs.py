"""Runs a design's exported PyTorch module with the torchvision network's own weights and compares its
outputs with the network's, for the reference tests.

The converter's reference JSON maps every design node to the state_dict keys of its tensors; the
exported module names each node's layer after its identifier. A Dense after a Flatten of a
spatial map gets its weight's columns reordered from PyTorch's (C, H, W) to the design's
channels-last (H, W, C) order.

Usage: python checkReferenceOutputs.py JOB.json  (prints a JSON result on stdout)
JOB: {"module": exported .py, "className": ..., "reference": .reference.json, "names": {nodeId: attribute}}
"""
import importlib.util
import json
import os
import sys

import torch

torch.set_num_threads(1)


def main():
    job = json.load(open(sys.argv[1]))
    reference = json.load(open(job["reference"]))
    folder = os.path.dirname(job["reference"])
    source = torch.load(os.path.join(folder, reference["files"]["stateDict"]))
    io = torch.load(os.path.join(folder, reference["files"]["io"]))

    spec = importlib.util.spec_from_file_location("exported_design", job["module"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, job["className"])().eval()

    state = {}
    for node_id, entry in reference["nodes"].items():
        for name, info in entry.get("stateDict", {}).items():
            tensor = source[info["key"]]
            chw = info.get("permuteColumnsFromCHW")
            if chw:
                c, h, w = chw
                tensor = tensor.reshape(tensor.shape[0], c, h, w).permute(0, 2, 3, 1).reshape(tensor.shape[0], -1)
            state[f"{job['names'][node_id]}.{name}"] = tensor
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]

    with torch.no_grad():
        got = model(io["input"].clone())
    got = [got] if torch.is_tensor(got) else list(got)
    expected = io["outputs"]
    result = {"missing": missing, "unexpected": unexpected, "outputs": len(got), "expectedOutputs": len(expected), "maxDiff": 0.0, "maxAbs": 0.0, "shapes": []}
    for g, e in zip(got, expected):
        result["shapes"].append([list(g.shape), list(e.shape)])
        if g.shape != e.shape:
            result["shapeMismatch"] = True
            continue
        result["maxDiff"] = max(result["maxDiff"], (g - e).abs().max().item())
        result["maxAbs"] = max(result["maxAbs"], e.abs().max().item())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
