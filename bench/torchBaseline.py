"""PyTorch side of `npm run bench:train`: the same models on CPU with 2 threads and Adam.

Reads one command per line on stdin ("train mnist-cnn 30" / "infer pytorch-tutorial-net 60", and
optionally a thread count: "train mnist-cnn 30 1"; 2 otherwise),
answers one JSON line with the samples per second of wall time and of CPU time, so the benchmark can alternate the two
frameworks in one run without paying PyTorch's start-up each time; "params NAME 0" answers the
trainable parameter count; "convs MODE THREADS SECONDS [shapes as JSON]" times the convolutions of
convolutionCeiling.ts alone and answers the milliseconds of one pass. With `--peak-rss NAME BATCHES` it instead trains that many batches in
this fresh process and prints its peak resident set (VmHWM) in MiB.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.set_num_threads(2)
torch.manual_seed(0)
BATCH = 64


class MnistCnn(nn.Module):
    """The course lab's MNIST CNN (examples/mnist-cnn.cnn.json)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


class TutorialNet(nn.Module):
    """The PyTorch CIFAR-10 tutorial Net (examples/pytorch-tutorial-net.cnn.json)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


MODELS = {
    "mnist-cnn": (MnistCnn, (1, 28, 28), nn.NLLLoss()),
    "pytorch-tutorial-net": (TutorialNet, (3, 32, 32), nn.CrossEntropyLoss()),
    # examples/resnet18.cnn.json and mobilenet-v2.cnn.json at 32x32 with 10 classes (bench/benchDesigns.ts).
    "resnet18-32": (lambda: torchvision.models.resnet18(num_classes=10), (3, 32, 32), nn.CrossEntropyLoss()),
    "mobilenet-v2-32": (lambda: torchvision.models.mobilenet_v2(num_classes=10), (3, 32, 32), nn.CrossEntropyLoss()),
}
state = {}


def setup(name):
    if name not in state:
        cls, shape, loss = MODELS[name]
        model = cls()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        data = torch.randn(BATCH * 8, *shape)
        labels = torch.randint(0, 10, (BATCH * 8,))
        state[name] = (model, optimizer, loss, data, labels)
    return state[name]


def run(mode, name, batches):
    model, optimizer, loss_fn, data, labels = setup(name)
    chunks = data.shape[0] // BATCH

    def step(i):
        x = data[(i % chunks) * BATCH:(i % chunks + 1) * BATCH]
        if mode == "train":
            y = labels[(i % chunks) * BATCH:(i % chunks + 1) * BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
        else:
            with torch.no_grad():
                model(x)

    model.train(mode == "train")
    # Warm-up for a second, as the TF.js side does (allocator and caches; PyTorch compiles nothing).
    warm_start = time.perf_counter()
    i = 0
    while i < 3 or time.perf_counter() - warm_start < 1.0:
        step(i)
        i += 1
    start = time.perf_counter()
    cpu_start = time.process_time()
    for i in range(batches):
        step(i)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return BATCH * batches / elapsed, BATCH * batches / cpu


def time_convolutions(mode, threads, seconds, shapes):
    """Milliseconds of one pass over `shapes` (convolutionCeiling.ts' list): forward passes, and for
    "train" the filter's gradient and, where the shape asks, the input's, through autograd."""
    torch.set_num_threads(threads)
    cases = []
    for i, s in enumerate(shapes):
        n, h, w, c = s["input"]
        kh, kw, ci, co = s["filter"]
        top, bottom, left, right = s["padding"]
        groups = ci if s["depthwise"] else 1
        # Even padding is the convolution's own, as in torchvision's nets; uneven is added beforehand.
        even = top == bottom and left == right
        x = torch.randn(n, c, h, w) if even else F.pad(torch.randn(n, c, h, w), (left, right, top, bottom))
        x.requires_grad_(mode == "train" and s["inputGradient"])
        weight = torch.randn(ci * co if s["depthwise"] else co, 1 if s["depthwise"] else ci, kh, kw) * 0.1
        weight.requires_grad_(mode == "train")
        def forward(x=x, weight=weight, s=s, groups=groups, padding=(top, left) if even else (0, 0)):
            return F.conv2d(x, weight, stride=tuple(s["strides"]), padding=padding, dilation=tuple(s["dilations"]), groups=groups)
        with torch.no_grad():
            dy = torch.randn_like(forward())
        cases.append((x, weight, forward, dy))

    def one_pass():
        for x, weight, forward, dy in cases:
            if mode == "train":
                x.grad = None
                weight.grad = None
                forward().backward(dy)
            else:
                with torch.no_grad():
                    forward()

    try:
        warm = time.perf_counter()
        while time.perf_counter() - warm < 0.5:
            one_pass()
        passes = 0
        start = time.perf_counter()
        while passes < 2 or time.perf_counter() - start < seconds:
            one_pass()
            passes += 1
        return 1000 * (time.perf_counter() - start) / passes
    finally:
        torch.set_num_threads(2)


def peak_resident_mib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if len(sys.argv) == 4 and sys.argv[1] == "--peak-rss":
    model, optimizer, loss_fn, data, labels = setup(sys.argv[2])
    model.train(True)
    for i in range(int(sys.argv[3])):
        chunk = i % (data.shape[0] // BATCH)
        optimizer.zero_grad()
        loss_fn(model(data[chunk * BATCH:(chunk + 1) * BATCH]), labels[chunk * BATCH:(chunk + 1) * BATCH]).backward()
        optimizer.step()
    print(json.dumps({"peakMiB": peak_resident_mib()}), flush=True)
    sys.exit(0)

print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    parts = line.split(None, 4)
    if not parts:
        continue
    if parts[0] == "convs":
        ms = time_convolutions(parts[1], int(parts[2]), float(parts[3]), json.loads(parts[4]))
        print(json.dumps({"ms": ms}), flush=True)
        continue
    mode, name, batches = parts[0], parts[1], int(parts[2])
    threads = int(parts[3]) if len(parts) > 3 else 2
    if mode == "params":
        model = setup(name)[0]
        print(json.dumps({"trainable": sum(p.numel() for p in model.parameters() if p.requires_grad)}), flush=True)
        continue
    torch.set_num_threads(threads)
    try:
        wall, cpu = run(mode, name, batches)
    finally:
        torch.set_num_threads(2)
    print(json.dumps({"samplesPerSecond": wall, "samplesPerCpuSecond": cpu}), flush=True)
