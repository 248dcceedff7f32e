import type { TrainingSettings } from '../design';
import { describeDefault, describeRange, settingValue, TRAINING_SETTINGS, type TrainingDatasetName, type TrainingSettingSpec } from '../training/trainingSettingsSpec';
import type { CompiledGraph } from './compileGraph';
import { pyValue } from './exportKeras';
import { className } from './identifierNames';
import { pyCommentText } from './pythonSource';

/**
 * Per-channel mean and standard deviation of the standard datasets (of pixel/255), for `standardize`;
 * image folders are measured on their training split, as CNN Designer's trainer does.
 */
const STATS: Partial<Record<TrainingDatasetName, [number[], number[]]>> = {
  'mnist-sample': [[0.1307], [0.3081]],
  mnist: [[0.1307], [0.3081]],
  'fashion-mnist': [[0.286], [0.353]],
  cifar10: [[0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]],
};

/** The argparse attribute of a setting's flag: --batch-size → batch_size. */
const dest = (spec: TrainingSettingSpec): string => spec.flag.replace(/-/g, '_');

/** argparse help text: `%` is its format character. */
const helpText = (text: string): string => text.replace(/%/g, '%%');

/**
 * The `add_argument` line of one setting: the design's value (or the specification's default) as the
 * default, the specification's type, range or choices, and its doc line as the help.
 */
function argumentLine(spec: TrainingSettingSpec, training: TrainingSettings): string {
  const value = settingValue(training, spec.key);
  const dependent = typeof spec.default === 'object' && spec.default !== null;
  let defaultCode: string;
  if (spec.kind === 'path') defaultCode = typeof value === 'string' ? `os.path.join(HERE, ${pyValue(value)})` : 'None';
  else if (value !== undefined) defaultCode = spec.kind === 'number' ? pyFloat(value as number) : pyValue(value);
  else if (dependent) defaultCode = 'None';
  else defaultCode = spec.kind === 'number' ? pyFloat(spec.default as number) : pyValue(spec.default);
  const shownDefault = value === undefined && dependent ? describeDefault(spec) : '%(default)s';
  const help = pyValue(`${helpText(spec.doc)} (default: ${shownDefault})`);
  const flag = pyValue(`--${spec.flag}`);
  switch (spec.kind) {
    case 'int':
    case 'number':
      return `    parser.add_argument(${flag}, type=ranged(${spec.kind === 'int' ? 'int' : 'float'}, ${pyFloat(spec.min)}, ${spec.max === undefined ? 'None' : pyFloat(spec.max)}, ${spec.kind === 'number' && spec.minExclusive ? 'True' : 'False'}, ${spec.kind === 'number' && spec.maxExclusive ? 'True' : 'False'}, ${pyValue(describeRange(spec))}), default=${defaultCode}, metavar=${pyValue(spec.kind === 'int' ? 'N' : 'X')}, help=${help})`;
    case 'bool':
      return `    parser.add_argument(${flag}, type=boolean, default=${defaultCode}, metavar="true|false", help=${help})`;
    case 'enum':
      return `    parser.add_argument(${flag}, choices=${pyList(spec.options)}, default=${defaultCode}, help=${help})`;
    case 'path':
      return `    parser.add_argument(${flag}, default=${defaultCode}, metavar="PATH", help=${help})`;
  }
}

const pyFloat = (v: number): string => (Number.isInteger(v) ? `${String(v)}.0` : pyValue(v));
const pyList = (values: readonly unknown[]): string => `[${values.map(pyValue).join(', ')}]`;

/** The settings whose default follows another setting, resolved after parsing as the trainer does. */
function dependentDefaults(settings: readonly TrainingSettingSpec[]): string[] {
  return settings.flatMap((spec) => {
    const d = spec.default;
    if (typeof d !== 'object' || d === null) return [];
    const other = settings.find((s) => s.key === d.dependsOn);
    if (!other) return [];
    const cases = `{${Object.entries(d.cases).map(([k, v]) => `${pyValue(k)}: ${pyFloat(v)}`).join(', ')}}`;
    return [`    (${pyValue(dest(spec))}, ${pyValue(dest(other))}, ${cases}, ${pyFloat(d.otherwise)}),`];
  });
}

/** How the model's output becomes a loss: what PyTorch needs depends on the last activation. */
function lossExpression(graph: CompiledGraph): { expr: string; why: string } {
  const last = graph.nodes.find((c) => c.node.id === graph.outputIds[0])!;
  const fn = last.node.type === 'Activation' ? last.params.fn : last.params.activation;
  if (fn === 'logSoftmax') return { expr: 'F.nll_loss(output, target)', why: 'the model ends with log-softmax' };
  if (fn === 'softmax') return { expr: 'F.nll_loss(torch.log(output.clamp_min(1e-7)), target)', why: 'the model ends with softmax (probabilities)' };
  return { expr: 'F.cross_entropy(output, target)', why: 'the model outputs logits' };
}

/**
 * A standalone `train.py` for the exported module, from the design's training settings: torchvision
 * dataset or image folder, optimizer, schedule, epochs, batch size and seed. One process with
 * `python train.py`; several (or several machines) with `torchrun --nproc_per_node=N train.py`,
 * which it detects and answers with DistributedDataParallel (nccl on GPUs, gloo on CPUs).
 */
export function exportTrainScript(graph: CompiledGraph, modelModule: string): string {
  const t: TrainingSettings = graph.design.training ?? {};
  const cls = className(graph.design.name);
  const dataset = (typeof t.dataset === 'string' ? t.dataset : 'mnist-sample') as TrainingDatasetName;
  const [mean, std] = STATS[dataset] ?? [[], []];
  const loss = lossExpression(graph);
  const honoured = (TRAINING_SETTINGS as readonly TrainingSettingSpec[]).filter((s) => s.engines.includes('pytorch'));
  const ignored = (TRAINING_SETTINGS as readonly TrainingSettingSpec[]).filter((s) => !s.engines.includes('pytorch') && settingValue(t, s.key) !== undefined);
  return `# Trains ${pyCommentText(graph.design.name)} (exported by CNN Designer) with the design's training settings.
#   one GPU or CPU:        python train.py
#   several processes:     torchrun --nproc_per_node=N train.py   (DistributedDataParallel; nccl on GPUs, gloo on CPUs)
#   several machines:      torchrun --nnodes=M --nproc_per_node=N --rdzv_endpoint=HOST:PORT train.py
# Every training setting is a flag with the design's value as its default (python train.py --help),
# e.g. --epochs 1 --dataset-path ./images. The defaults are CNN Designer's trainer's.
${ignored.map((s) => `# training.${s.key} is for CNN Designer's own trainer; train.py does not use it.\n`).join('')}import argparse
import contextlib
import gzip
import io
import math
import os
import random
import sys
import tarfile

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, Subset
from torch.utils.data.distributed import DistributedSampler
from torchvision import datasets, transforms

from ${modelModule} import INPUT_SHAPES, ${cls}

# A relative dataset path in the design is taken from the design's folder: train.py is exported beside it.
HERE = os.path.dirname(os.path.abspath(__file__))
# Per-channel mean and standard deviation of the dataset's pixels (0..1), for --standardize; empty: measured.
MEAN, STD = ${pyValue(mean)}, ${pyValue(std)}
TORCHVISION_DATASETS = {"mnist-sample": datasets.MNIST, "mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10}
IDX_FILES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
# Settings whose default follows another setting's value: (setting, the one it follows, {value: default}, otherwise).
DEPENDENT_DEFAULTS = [
${dependentDefaults(honoured).join('\n')}
]


def ranged(kind, low, high, low_open, high_open, allowed):
    """An argparse type: a number of the given kind within the setting's range."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}")
        if not math.isfinite(value) or value < low or (low_open and value == low) or (high is not None and (value > high or (high_open and value == high))):
            raise argparse.ArgumentTypeError(f"{text} is not {allowed}")
        return value

    return parse


def boolean(text):
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r} is not true or false")


def parse_args():
    parser = argparse.ArgumentParser(description="Trains ${cls} with the design's training settings; every default below is the design's.")
${honoured.map((spec) => argumentLine(spec, t)).join('\n')}
    parser.add_argument("--workers", type=int, default=2, help="data loading processes per training process (default: %(default)s)")
    parser.add_argument("--log-every", type=int, default=50, help="print the loss every N steps (default: %(default)s)")
    parser.add_argument("--output", default="${modelModule}.pt", help="where the trained weights (state_dict) go (default: %(default)s)")
    args = parser.parse_args()
    for name, depends_on, cases, otherwise in DEPENDENT_DEFAULTS:
        if getattr(args, name) is None:
            setattr(args, name, cases.get(getattr(args, depends_on), otherwise))
    return args


def fail(message):
    """Stops with one clear line instead of a traceback."""
    print(f"train.py: {message}", file=sys.stderr)
    raise SystemExit(1)


class ImageTensors(Dataset):
    """Images held as a uint8 tensor [N, H, W] or [N, H, W, C] with their labels, served as PIL images."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = transforms.functional.to_pil_image(self.images[index].numpy() if self.images.dim() == 4 else self.images[index])
        return self.transform(image), int(self.labels[index])


def read_idx(path):
    """An IDX file (gzipped or not), as CNN Designer's trainer reads MNIST and Fashion-MNIST."""
    for candidate in (path, path + ".gz"):
        if os.path.isfile(candidate):
            with (gzip.open if candidate.endswith(".gz") else open)(candidate, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
            return torch.frombuffer(bytearray(data[4 + 4 * dims :]), dtype=torch.uint8).reshape(shape)
    return None


def read_cifar10_binary(path):
    """CIFAR-10's binary version (the .tar.gz or its extracted folder), as CNN Designer's trainer reads it."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)]
    chunks = {}
    if os.path.isfile(path):
        with tarfile.open(path, "r:*") as archive:
            for member in archive.getmembers():
                if os.path.basename(member.name) in names and member.isfile():
                    chunks[os.path.basename(member.name)] = archive.extractfile(member).read()
    else:
        for root, _, files in os.walk(path):
            for name in files:
                if name in names:
                    with open(os.path.join(root, name), "rb") as f:
                        chunks[name] = f.read()
    if len(chunks) != len(names):
        return None
    records = torch.frombuffer(bytearray(b"".join(chunks[n] for n in names)), dtype=torch.uint8).reshape(-1, 3073)
    return records[:, 1:].reshape(-1, 3, 32, 32).permute(0, 2, 3, 1).contiguous(), records[:, 0].long()


def make_dataset(args, transform):
    """The training split of the dataset, as CNN Designer's trainer understands --dataset and --dataset-path."""
    path = args.dataset_path
    if path is not None and not os.path.exists(path):
        fail(f"dataset path not found: {path}")
    if args.dataset == "imagefolder":
        if path is None:
            fail("the imagefolder dataset needs --dataset-path (or training.datasetPath): a folder with one subfolder per class")
        # One sub-folder per class (a "train" sub-folder is used when there is one).
        root = os.path.join(path, "train") if os.path.isdir(os.path.join(path, "train")) else path
        return datasets.ImageFolder(root, transform=transform)
    if path is not None and args.dataset in IDX_FILES:
        images, labels = read_idx(os.path.join(path, "train-images-idx3-ubyte")), read_idx(os.path.join(path, "train-labels-idx1-ubyte"))
        if images is None or labels is None:
            fail(f"{path} does not hold the {IDX_FILES[args.dataset]} IDX files (train-images-idx3-ubyte and train-labels-idx1-ubyte, .gz or not)")
        return ImageTensors(images, labels, transform)
    if path is not None and args.dataset == "cifar10":
        loaded = read_cifar10_binary(path)
        if loaded is None:
            fail(f"{path} is not CIFAR-10's binary version (cifar-10-binary.tar.gz or its extracted folder)")
        return ImageTensors(*loaded, transform)
    if args.dataset == "mnist-sample":
        print("mnist-sample is the MNIST sample built into CNN Designer; train.py trains on the full MNIST from torchvision.", flush=True)
    root = os.path.join(HERE, "data")
    dataset = TORCHVISION_DATASETS[args.dataset]
    try:
        return dataset(root, train=True, download=False, transform=transform)
    except RuntimeError:
        pass  # Not downloaded yet.
    print(f"downloading {args.dataset} into {root} (once)", flush=True)
    try:
        # torchvision prints each failed mirror; the one line below says what happened instead.
        with contextlib.redirect_stdout(io.StringIO()):
            return dataset(root, train=True, download=True, transform=transform)
    except (OSError, RuntimeError) as error:
        fail(f"{args.dataset} could not be downloaded into {root} ({str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__}). Download it when online, or point --dataset-path at local files.")


def load_datasets(args):
    """The training and validation sets, resized to the model's input and split with the seed."""
    shape = INPUT_SHAPES[0]
    if len(shape) == 3:
        channels, height, width = shape
        base = [transforms.Resize((height, width))]
        if channels == 1:
            base.append(transforms.Grayscale(num_output_channels=1))
    elif len(shape) == 1 and args.dataset != "imagefolder":
        # A vector input takes the dataset's images as they are, flattened (e.g. 784 for MNIST).
        channels, height, width = None, None, None
        base = []
    else:
        fail(f"train.py feeds images, but the model takes {shape}: load your data yourself, or use a standard dataset for a vector input.")
    augment = []
    if args.horizontal_flip:
        augment.append(transforms.RandomHorizontalFlip())
    if args.crop_padding and height:
        augment.append(transforms.RandomCrop((height, width), padding=args.crop_padding))
    if args.translate:
        augment.append(transforms.RandomAffine(0, translate=(args.translate, args.translate)))
    tail = [transforms.ToTensor()]
    if len(shape) == 1:
        tail.append(transforms.Lambda(torch.flatten))

    train_full = make_dataset(args, transforms.Compose(base + augment + tail))
    plain_full = make_dataset(args, transforms.Compose(base + tail))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(args.seed)).tolist()
    held_out = int(len(order) * args.validation_split)
    if len(order) - held_out < 1:
        fail(f"the dataset has {len(order)} training samples, too few to train with a validation split of {args.validation_split}")
    train_set, val_set = Subset(train_full, order[held_out:]), Subset(plain_full, order[:held_out])
    if args.standardize:
        known = MEAN and (channels is None or len(MEAN) == channels)
        mean, std = (MEAN, STD) if known else measure(Subset(plain_full, order[held_out:][:2000]))
        normalize = transforms.Normalize(mean, std)
        for subset in (train_set, val_set):
            subset.dataset = Standardized(subset.dataset, normalize)
    return train_set, val_set


class Standardized(Dataset):
    """A dataset whose images are standardized per channel after its own transform."""

    def __init__(self, dataset, normalize):
        self.dataset, self.normalize = dataset, normalize

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        image, label = self.dataset[index]
        if image.dim() == 1:
            return (image - self.normalize.mean[0]) / self.normalize.std[0], label
        return self.normalize(image), label


def measure(dataset):
    """Per-channel mean and standard deviation of up to 2,000 training images."""
    images = torch.stack([dataset[i][0] for i in range(len(dataset))])
    axes = [0] + list(range(2, images.dim())) if images.dim() > 2 else [0, 1]
    mean, std = images.mean(dim=axes), images.std(dim=axes).clamp_min(1e-6)
    return mean.reshape(-1).tolist(), std.reshape(-1).tolist()


def make_optimizer(args, parameters):
    # The design's l2 setting is PyTorch's weight_decay: each step adds l2 · w to the gradient.
    if args.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=args.learning_rate, momentum=args.momentum, weight_decay=args.l2)
    if args.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=args.learning_rate, momentum=args.momentum, weight_decay=args.l2)
    return torch.optim.Adam(parameters, lr=args.learning_rate, weight_decay=args.l2)


def make_schedule(args, optimizer):
    """Learning rate per epoch: exponential multiplies it by decay_rate every epoch, step every decay_steps epochs."""
    if args.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.decay_steps, gamma=args.decay_rate)
    if args.schedule == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=args.decay_rate)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0)


def compute_loss(output, target):
    # ${loss.why}
    return ${loss.expr}


def main():
    args = parse_args()
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    use_cuda = torch.cuda.is_available()
    if distributed:
        dist.init_process_group("nccl" if use_cuda else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    else:
        rank, world, local_rank = 0, 1, 0
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    random.seed(args.seed)
    torch.manual_seed(args.seed)

    train_set, val_set = load_datasets(args)
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed) if distributed else None
    loader = DataLoader(
        train_set,
        batch_size=args.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=args.workers,
        generator=torch.Generator().manual_seed(args.seed),
    )
    model = ${cls}().to(device)
    if distributed:
        model = DistributedDataParallel(model, device_ids=[local_rank] if use_cuda else None)
    optimizer = make_optimizer(args, model.parameters())
    schedule = make_schedule(args, optimizer)
    best_loss, epochs_without_improvement = math.inf, 0

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        total, count = torch.zeros(2, device=device), 0
        for step, (images, target) in enumerate(loader, 1):
            images, target = images.to(device), target.to(device)
            optimizer.zero_grad()
            loss = compute_loss(model(images), target)
            loss.backward()
            optimizer.step()
            total += torch.stack([loss.detach() * len(target), torch.tensor(float(len(target)), device=device)])
            count += 1
            if rank == 0 and step % args.log_every == 0:
                print(f"epoch {epoch + 1} step {step} loss {loss.item():.4f}", flush=True)
        if distributed:
            dist.all_reduce(total)
        schedule.step()
        train_loss = (total[0] / total[1]).item()
        message = f"epoch {epoch + 1}/{args.epochs} loss {train_loss:.4f} lr {optimizer.param_groups[0]['lr']:.6g}"
        watched = train_loss
        if len(val_set):
            val_loss, val_accuracy = evaluate(model.module if distributed else model, val_set, args, device)
            message += f" val_loss {val_loss:.4f} val_accuracy {val_accuracy:.4f}"
            watched = val_loss
        if rank == 0:
            print(message, flush=True)
        # Early stopping, as CNN Designer's trainer does it: the validation loss (the training loss without a split).
        if watched < best_loss:
            best_loss, epochs_without_improvement = watched, 0
        else:
            epochs_without_improvement += 1
        if args.early_stopping_patience and epochs_without_improvement >= args.early_stopping_patience:
            if rank == 0:
                print(f"early stopping after epoch {epoch + 1}: the loss has not improved for {args.early_stopping_patience} epoch(s)", flush=True)
            break

    if rank == 0:
        state = model.module.state_dict() if distributed else model.state_dict()
        torch.save(state, args.output)
        print(f"saved {args.output}", flush=True)
    if distributed:
        dist.destroy_process_group()


@torch.no_grad()
def evaluate(model, dataset, args, device):
    """Mean loss and accuracy on the validation set (every rank computes it, so they stop early together)."""
    model.eval()
    correct, loss_sum = 0, 0.0
    for images, target in DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers):
        images, target = images.to(device), target.to(device)
        output = model(images)
        loss_sum += compute_loss(output, target).item() * len(target)
        correct += (output.argmax(dim=1) == target).sum().item()
    return loss_sum / len(dataset), correct / len(dataset)


if __name__ == "__main__":
    main()
`;
}
