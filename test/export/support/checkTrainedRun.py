"""Loads an exported PyTorch module with the weights converted from a real training run and checks
that it predicts what the TF.js model predicted during the run (the run's misclassified test images,
with their recorded labels and confidences), after the run's own input normalization.
Usage: checkTrainedRun.py MODULE.py WEIGHTS.safetensors RUN_FOLDER; prints one JSON line."""
import importlib.util
import json
import sys

import numpy as np
import torch

module_path, weights_path, run_folder = sys.argv[1:4]
spec = importlib.util.spec_from_file_location("exported", module_path)
exported = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exported)
model_class = next(v for v in vars(exported).values() if isinstance(v, type) and issubclass(v, torch.nn.Module) and v.__module__ == "exported")
net = model_class()
exported.load_weights(net, weights_path)
net.eval()

run = json.load(open(f"{run_folder}/run.json"))
samples = json.load(open(f"{run_folder}/metrics.json"))["test"]["misclassified"]
mean, std = run["normalization"]["mean"], run["normalization"]["std"]
c, h, w = exported.INPUT_SHAPES[0]  # channels-first, as PyTorch takes it
pixels = np.array([s["pixels"] for s in samples], dtype=np.float32).reshape(-1, h, w, c) / 255.0
pixels = (pixels - np.array(mean, dtype=np.float32)) / np.array(std, dtype=np.float32)
with torch.no_grad():
    out = net(torch.tensor(pixels).permute(0, 3, 1, 2))
probabilities = out.exp()  # the design ends in log-softmax
predicted = probabilities.argmax(1).numpy()
confidence = probabilities.max(1).values.numpy()
print(json.dumps({
    "samples": len(samples),
    "labelsAgree": int((predicted == np.array([s["predictedLabel"] for s in samples])).sum()),
    "maxConfidenceDifference": float(np.abs(confidence - np.array([s["confidence"] for s in samples])).max()),
}))
