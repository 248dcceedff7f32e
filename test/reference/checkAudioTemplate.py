"""Checks the audio template (examples/audio-1d-cnn.cnn.json) against an M5-style network written by
hand in PyTorch: the design's PyTorch export, given the hand-written network's weights (batch-norm
statistics randomized so that a wrong mapping shows), must have its parameter counts, its shapes
after every block and its outputs.

Usage: python checkAudioTemplate.py JOB.json  (prints a JSON result on stdout)
JOB: {"module": exported .py, "className": ..., "names": {nodeId: attribute}}
"""
import importlib.util
import json
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)


class M5(nn.Module):
    """Raw waveform in (N, 1, 8000), 35 class probabilities out (Dai et al. 2017, M5-style)."""

    def __init__(self, classes=35):
        super().__init__()
        widths = [(1, 128, 80, 4, 38), (128, 128, 3, 1, 1), (128, 256, 3, 1, 1), (256, 512, 3, 1, 1)]
        for i, (cin, cout, k, s, p) in enumerate(widths, 1):
            setattr(self, f"conv{i}", nn.Conv1d(cin, cout, k, stride=s, padding=p))
            setattr(self, f"bn{i}", nn.BatchNorm1d(cout))
        self.pool1, self.pool2, self.pool3 = nn.MaxPool1d(4), nn.MaxPool1d(4), nn.MaxPool1d(5)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = self.pool3(F.relu(self.bn3(self.conv3(x))))
        x = F.relu(self.bn4(self.conv4(x)))
        return F.softmax(self.fc(x.mean(dim=2)), dim=1)


def main():
    job = json.load(open(sys.argv[1]))
    torch.manual_seed(0)
    reference = M5().eval()
    with torch.no_grad():
        for name, module in reference.named_modules():
            if isinstance(module, nn.BatchNorm1d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)

    spec = importlib.util.spec_from_file_location("exported_audio", job["module"])
    exported_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported_module)
    design = getattr(exported_module, job["className"])().eval()
    state = {}
    for key, tensor in reference.state_dict().items():
        module, rest = key.split(".", 1)
        state[f"{job['names'][module]}.{rest}"] = tensor
    missing, unexpected = design.load_state_dict(state, strict=False)

    # Channels-last shapes (without batch) after each module, and the pooled features the classifier reads.
    shapes, features = {}, {}
    for name, module in reference.named_children():
        module.register_forward_hook(lambda _m, _i, out, name=name: shapes.__setitem__(name, list(out.shape[2:]) + [out.shape[1]] if out.dim() == 3 else list(out.shape[1:])))
    reference.fc.register_forward_hook(lambda _m, inputs, _o: features.__setitem__("reference", inputs[0]))
    getattr(design, job["names"]["fc"]).register_forward_hook(lambda _m, inputs, _o: features.__setitem__("design", inputs[0]))

    x = torch.randn(2, 1, 8000, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = reference(x)
        got = design(x)
    count = lambda m: sum(p.numel() for p in m.parameters() if p.requires_grad)
    buffers = lambda m: sum(b.numel() for n, b in m.named_buffers() if not n.endswith("num_batches_tracked"))
    print(json.dumps({
        "missing": [k for k in missing if not k.endswith("num_batches_tracked")],
        "unexpected": unexpected,
        "trainable": [count(design), count(reference)],
        "buffers": [buffers(design), buffers(reference)],
        "shapes": shapes,
        "outputShape": [list(got.shape), list(expected.shape)],
        "maxDiff": (got - expected).abs().max().item(),
        "featureDiff": (features["design"] - features["reference"]).abs().max().item(),
        "featureAbs": features["reference"].abs().max().item(),
    }))


if __name__ == "__main__":
    main()
