"""CNN Designer's PyTorch training engine.

Started by the designer's training process, one per run: it trains the design's exported PyTorch
module on data the designer already loaded, split and shuffled (so both engines see the same
batches), and reports as JSON lines on stdout, one message per line, in the shapes of the designer's
training protocol (progress, epoch, log), ending with `finished` or `error`.

Usage: python cnn_designer_runner.py CONFIG.json [--watch-stdin]
Under torchrun (WORLD_SIZE > 1) every process trains a slice of each batch as
DistributedDataParallel; only rank 0 reports and writes files.

SIGTERM (or SIGINT) stops the run between batches; with --watch-stdin the runner also exits when
its standard input closes (its parent died), so no orphan keeps the GPU busy.
"""

import importlib.util
import json
import math
import os
import platform
import signal
import struct
import sys
import threading
import time

STOP = {"requested": False}


def finite(value):
    """JSON has no NaN or Infinity: a non-finite number is sent as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def emit(message):
    sys.stdout.write(json.dumps(finite(message), allow_nan=False) + "\n")
    sys.stdout.flush()


def request_stop(_signum=None, _frame=None):
    STOP["requested"] = True


def watch_stdin():
    """Exits when the parent goes away (its end of our stdin closes)."""
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except Exception:
        pass
    os._exit(0)


def read_array(path, dtype, np):
    return np.fromfile(path, dtype=dtype)


def save_safetensors(path, state):
    """The module's state_dict as float32 safetensors (what the exported module's load_weights reads)."""
    header = {"__metadata__": {"format": "pt", "writer": "cnn-designer pytorch engine"}}
    blobs = []
    offset = 0
    for name, tensor in state.items():
        if not tensor.is_floating_point():
            continue
        data = tensor.detach().to("cpu", dtype=__import__("torch").float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def resident_megabytes():
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6)
    except Exception:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(rss / 1e6 if platform.system() == "Darwin" else rss / 1e3)


def main():
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    if "--watch-stdin" in sys.argv[2:]:
        threading.Thread(target=watch_stdin, daemon=True).start()
    with open(sys.argv[1], encoding="utf-8") as f:
        config = json.load(f)

    import numpy as np
    import torch
    import torch.nn.functional as F

    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    reporting = rank == 0

    def say(message):
        if reporting:
            emit(message)

    wanted = config.get("device", "auto")
    has_mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if wanted == "auto":
        wanted = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if wanted == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("the cuda device was chosen but PyTorch sees no CUDA GPU")
    if wanted == "mps" and not has_mps:
        raise RuntimeError("the mps device was chosen but PyTorch's Metal backend is not available")
    if wanted not in ("cuda", "mps", "cpu"):
        raise RuntimeError(f"unknown device {wanted!r}: use auto, cuda, mps or cpu")
    if world_size > 1:
        import torch.distributed as dist

        dist.init_process_group(backend="nccl" if wanted == "cuda" else "gloo")
    device = torch.device(f"cuda:{local_rank}" if wanted == "cuda" else wanted)
    if wanted == "cuda":
        torch.cuda.set_device(device)
    device_name = torch.cuda.get_device_name(device) if wanted == "cuda" else ("Apple GPU (Metal)" if wanted == "mps" else platform.processor() or platform.machine())
    say(
        {
            "type": "ready",
            "device": wanted,
            "deviceName": device_name,
            "worldSize": world_size,
            "versions": {
                "python": platform.python_version(),
                "torch": torch.__version__,
                "numpy": np.__version__,
                **({"cuda": torch.version.cuda or ""} if wanted == "cuda" else {}),
            },
        }
    )

    torch.manual_seed(config["seed"])
    spec = importlib.util.spec_from_file_location("cnn_designer_model", config["modulePath"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, config["className"])()
    if config.get("initialWeights"):
        module.load_weights(model, config["initialWeights"])
    model.to(device)
    trained = model
    if world_size > 1:
        from torch.nn.parallel import DistributedDataParallel

        trained = DistributedDataParallel(model, device_ids=[local_rank] if wanted == "cuda" else None)

    h, w, c = config["shape"]
    image_size = h * w * c
    data_dir = config["dataDir"]
    sets = {}
    for name in ("train", "validation", "test"):
        count = config["counts"][name]
        pixels = read_array(os.path.join(data_dir, f"{name}.pixels"), np.uint8, np).reshape(count, h, w, c)
        labels = read_array(os.path.join(data_dir, f"{name}.labels"), np.uint8, np).astype(np.int64)
        sets[name] = (pixels, labels, count)
    mean = torch.tensor(config["normalization"]["mean"], dtype=torch.float32, device=device)
    std = torch.tensor(config["normalization"]["std"], dtype=torch.float32, device=device)
    channels_first = config["inputRank"] == 3

    def to_input(pixels_u8):
        """uint8 N×H×W×C → the module's normalized input (N, C, H, W), or flattened (H, W, C order)."""
        x = torch.from_numpy(np.ascontiguousarray(pixels_u8)).to(device).float().div_(255.0)
        x = (x - mean) / std
        return x.permute(0, 3, 1, 2).contiguous() if channels_first else x.reshape(x.shape[0], -1)

    kind = config["outputKind"]

    def log_probabilities(output):
        if kind == "logProbabilities":
            return output
        if kind == "probabilities":
            return torch.log(torch.clamp(output, 1e-7, 1.0))
        return F.log_softmax(output, dim=-1)

    params = [p for p in model.parameters() if p.requires_grad]
    lr0 = config["learningRates"][0]
    if config["optimizer"] == "sgd":
        optimizer = torch.optim.SGD(params, lr=lr0, momentum=config["momentum"])
    elif config["optimizer"] == "adam":
        optimizer = torch.optim.Adam(params, lr=lr0, betas=(0.9, 0.999), eps=1e-8)
    elif config["optimizer"] == "rmsprop":
        optimizer = torch.optim.RMSprop(params, lr=lr0, alpha=0.99, eps=1e-8, momentum=config["momentum"])
    else:
        raise RuntimeError(f"unknown optimizer {config['optimizer']!r}")
    l2 = config["l2"]

    def hits(output, labels):
        """Top-1 hits (first maximum, as the designer counts) and top-5 hits (fewer than 5 classes strictly above)."""
        true_scores = output.gather(1, labels.view(-1, 1))
        outranking = (output > true_scores).sum(dim=1)
        predicted = torch.from_numpy(np.argmax(output.detach().cpu().numpy(), axis=1))
        return (predicted == labels.cpu()).sum().item(), (outranking < 5).sum().item()

    def evaluate(name):
        pixels, labels, count = sets[name]
        model.eval()
        loss_sum = 0.0
        correct = 0
        top5 = 0
        predictions = np.zeros(count, dtype=np.uint8)
        confidences = np.zeros(count, dtype=np.float32)
        with torch.no_grad():
            for start in range(0, count, config["batchSize"]):
                end = min(start + config["batchSize"], count)
                output = model(to_input(pixels[start:end])).float()
                y = torch.from_numpy(labels[start:end]).to(device)
                logp = log_probabilities(output)
                loss_sum -= logp.gather(1, y.view(-1, 1)).sum().item()
                c1, c5 = hits(output, y)
                correct += c1
                top5 += c5
                predicted = np.argmax(output.cpu().numpy(), axis=1)
                predictions[start:end] = predicted
                confidences[start:end] = torch.exp(logp.cpu().gather(1, torch.from_numpy(predicted).view(-1, 1))).view(-1).numpy()
        model.train()
        n = max(count, 1)
        return {"loss": loss_sum / n, "accuracy": correct / n, "top5": top5 / n}, predictions, confidences

    train_pixels, train_labels, train_count = sets["train"]
    epochs = config["epochs"]
    batch_size = config["batchSize"]
    batches = config["batchesPerEpoch"]
    orders = read_array(os.path.join(data_dir, "orders.u32"), np.uint32, np).reshape(epochs, train_count).astype(np.int64)
    augment = None
    if config.get("augmented"):
        augment = read_array(os.path.join(data_dir, "augment.i8"), np.int8, np).reshape(epochs, batches * batch_size, 3)
    patience = config["earlyStoppingPatience"]
    best_loss = math.inf
    waited = 0
    status = "completed"
    stop_reason = None
    seconds_to_first_batch = None
    started = config["startedAtMs"] / 1000.0
    training_seconds = 0.0
    batches_done = 0
    total_batches = batches * epochs
    interval = config.get("progressIntervalMs", 250) / 1000.0
    epochs_done = 0

    def stop_agreed():
        """Every process stops at the same batch: a stop seen by any of them stops all."""
        flag = 1.0 if STOP["requested"] else 0.0
        if world_size > 1:
            import torch.distributed as dist

            t = torch.tensor([flag], device=device)
            dist.all_reduce(t, op=dist.ReduceOp.MAX)
            flag = t.item()
        return flag > 0

    def augmented(pixels, offsets):
        out = np.zeros_like(pixels)
        for i in range(pixels.shape[0]):
            flip, dy, dx = (int(v) for v in offsets[i])
            image = pixels[i, :, ::-1] if flip else pixels[i]
            ys0, ys1 = max(0, dy), min(h, h + dy)
            xs0, xs1 = max(0, dx), min(w, w + dx)
            if ys1 > ys0 and xs1 > xs0:
                out[i, ys0:ys1, xs0:xs1] = image[ys0 - dy : ys1 - dy, xs0 - dx : xs1 - dx]
        return out

    model.train()
    for epoch in range(epochs):
        lr = config["learningRates"][epoch]
        for group in optimizer.param_groups:
            group["lr"] = lr
        order = orders[epoch]
        epoch_start = time.time()
        last_progress = 0.0
        loss_sum = 0.0
        acc_sum = 0.0
        top5_sum = 0.0
        samples = 0
        for b in range(batches):
            if stop_agreed():
                status = "cancelled"
                stop_reason = (
                    f"Cancelled during epoch {epoch + 1}; the checkpoint of epoch {epochs_done} is kept."
                    if epochs_done > 0
                    else "Cancelled before the first epoch completed."
                )
                break
            indices = order[b * batch_size : (b + 1) * batch_size]
            count = len(indices)
            # This process's slice of the batch (all of it without torchrun).
            lo = (count * rank) // world_size
            hi = (count * (rank + 1)) // world_size
            pixels = train_pixels[indices[lo:hi]]
            if augment is not None:
                pixels = augmented(pixels, augment[epoch, b * batch_size + lo : b * batch_size + hi])
            y = torch.from_numpy(train_labels[indices[lo:hi]]).to(device)
            output = trained(to_input(pixels)).float()
            data_loss = -log_probabilities(output).gather(1, y.view(-1, 1)).mean()
            loss = data_loss + (l2 / 2) * sum((p * p).sum() for p in params) if l2 > 0 else data_loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            c1, c5 = hits(output, y)
            stats = torch.tensor([loss.item() * (hi - lo), c1, c5, hi - lo], dtype=torch.float64, device=device)
            if world_size > 1:
                import torch.distributed as dist

                dist.all_reduce(stats)
            batch_loss = stats[0].item() / max(stats[3].item(), 1)
            if not math.isfinite(batch_loss):
                status = "diverged"
                stop_reason = (
                    f"The loss became {batch_loss} at epoch {epoch + 1}, batch {b + 1}: the learning rate ({lr}) is most likely "
                    f"too high for {config['optimizer']}. Try one ten times smaller."
                )
                say({"type": "log", "message": stop_reason})
                break
            batches_done += 1
            if seconds_to_first_batch is None:
                seconds_to_first_batch = time.time() - started
            loss_sum += stats[0].item()
            acc_sum += stats[1].item()
            top5_sum += stats[2].item()
            samples += int(stats[3].item())
            now = time.time()
            if now - last_progress >= interval or b == batches - 1:
                last_progress = now
                elapsed = training_seconds + (now - epoch_start)
                say(
                    {
                        "type": "progress",
                        "progress": {
                            "epoch": epoch + 1,
                            "epochs": epochs,
                            "batch": b + 1,
                            "batches": batches,
                            "loss": loss_sum / samples,
                            "accuracy": acc_sum / samples,
                            "samplesPerSecond": samples / max(now - epoch_start, 1e-3),
                            "etaSeconds": (total_batches - batches_done) * elapsed / batches_done,
                            "learningRate": lr,
                        },
                    }
                )
        if status != "completed":
            break
        train_seconds = time.time() - epoch_start
        training_seconds += train_seconds
        validation = evaluate("validation")[0] if sets["validation"][2] > 0 else None
        if STOP["requested"]:
            status = "cancelled"
            stop_reason = f"Cancelled at the end of epoch {epoch + 1}; the checkpoint of epoch {epochs_done} is kept."
            break
        epochs_done += 1
        metrics = {
            "epoch": epoch + 1,
            "trainLoss": loss_sum / samples,
            "trainAccuracy": acc_sum / samples,
            "trainTop5": top5_sum / samples,
            "learningRate": lr,
            "seconds": time.time() - epoch_start,
            "samplesPerSecond": samples / max(train_seconds, 1e-3),
            "tensors": 0,
            "residentMegabytes": resident_megabytes(),
        }
        if validation is not None:
            metrics.update({"validationLoss": validation["loss"], "validationAccuracy": validation["accuracy"], "validationTop5": validation["top5"]})
        if reporting:
            save_safetensors(config["checkpointPath"], model.state_dict())
        say({"type": "epoch", "metrics": metrics})
        monitored = validation["loss"] if validation is not None else metrics["trainLoss"]
        if monitored < best_loss:
            best_loss = monitored
            waited = 0
        else:
            waited += 1
        if patience > 0 and waited >= patience:
            stop_reason = (
                f"Early stopping after epoch {epoch + 1}: the {'training' if validation is None else 'validation'} loss "
                f"has not improved for {patience} epoch(s)."
            )
            say({"type": "log", "message": stop_reason})
            break

    test = None
    if status == "completed" and epochs_done > 0 and reporting:
        test, predictions, confidences = evaluate("test")
        predictions.tofile(os.path.join(data_dir, "test.predictions"))
        confidences.tofile(os.path.join(data_dir, "test.confidences"))
    say({"type": "finished", "status": status, "stopReason": stop_reason, "secondsToFirstBatch": seconds_to_first_batch, "test": test})
    if world_size > 1:
        import torch.distributed as dist

        dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # reported to the designer, which shows it as the run's failure
        emit({"type": "error", "message": f"{type(error).__name__}: {error}"})
        sys.exit(1)
