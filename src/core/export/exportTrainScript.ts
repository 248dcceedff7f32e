import type { TrainingSettings } from '../design';
import type { CompiledGraph } from './compileGraph';
import { pyValue } from './exportKeras';
import { className } from './identifierNames';
import { pyCommentText, pyString } from './pythonSource';

/** Per-channel mean and standard deviation of the datasets torchvision ships, for `standardize`. */
const STATS: Record<string, [number[], number[]]> = {
  mnist: [[0.1307], [0.3081]],
  fashionmnist: [[0.286], [0.353]],
  cifar10: [[0.4914, 0.4822, 0.4465], [0.247, 0.2435, 0.2616]],
  cifar100: [[0.5071, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]],
};

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
  const named = (t.dataset ?? 'imagefolder').toLowerCase().replace(/[^a-z0-9]/g, '');
  // The designer's own dataset names: its embedded MNIST sample, and "folder" for image folders.
  const dataset = named === 'mnistsample' ? 'mnist' : named === 'folder' ? 'imagefolder' : named;
  const [mean, std] = STATS[dataset] ?? [[0.5], [0.5]];
  const loss = lossExpression(graph);
  const settings: [string, unknown][] = [
    ['dataset', dataset],
    ['data_dir', t.datasetPath ?? 'data'],
    ['epochs', t.epochs ?? 10],
    ['batch_size', t.batchSize ?? 32],
    ['optimizer', t.optimizer ?? 'adam'],
    ['learning_rate', t.learningRate ?? 0.001],
    ['momentum', t.momentum ?? 0],
    ['schedule', t.schedule ?? 'constant'],
    ['decay_rate', t.decayRate ?? 1],
    ['decay_steps', t.decaySteps ?? 1],
    ['weight_decay', t.l2 ?? 0],
    ['validation_split', t.validationSplit ?? 0],
    ['standardize', t.standardize ?? false],
    ['horizontal_flip', t.augment?.horizontalFlip ?? false],
    ['translate', t.augment?.translate ?? 0],
    ['crop_padding', t.augment?.cropPadding ?? 0],
    ['seed', t.seed ?? 0],
  ];
  // Floats are written as floats, so that their command-line flags parse "0.9" (argparse uses the default's type).
  const FLOATS = new Set(['learning_rate', 'momentum', 'decay_rate', 'decay_steps', 'weight_decay', 'validation_split', 'translate']);
  const settingsLines = settings.map(([k, v]) => `    ${pyString(k)}: ${FLOATS.has(k) && Number.isInteger(v) ? `${String(v)}.0` : pyValue(v)},`);
  return `# Trains ${pyCommentText(graph.design.name)} (exported by CNN Designer) with the design's training settings.
#   one GPU or CPU:        python train.py
#   several processes:     torchrun --nproc_per_node=N train.py   (DistributedDataParallel; nccl on GPUs, gloo on CPUs)
#   several machines:      torchrun --nnodes=M --nproc_per_node=N --rdzv_endpoint=HOST:PORT train.py
# Every setting below can be overridden on the command line, e.g. --epochs 1 --data-dir ./images.
import argparse
import os
import random

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Subset
from torch.utils.data.distributed import DistributedSampler
from torchvision import datasets, transforms

from ${modelModule} import INPUT_SHAPES, ${cls}

SETTINGS = {
${settingsLines.join('\n')}
}
MEAN, STD = ${pyValue(mean)}, ${pyValue(std)}
TORCHVISION_DATASETS = {"mnist": datasets.MNIST, "fashionmnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10, "cifar100": datasets.CIFAR100}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    for key, value in SETTINGS.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, type=lambda s: s.lower() in ("1", "true", "yes"), default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    parser.add_argument("--workers", type=int, default=2, help="data loading processes per training process")
    parser.add_argument("--log-every", type=int, default=50, help="print the loss every N steps")
    parser.add_argument("--output", default="${modelModule}.pt", help="where the trained weights (state_dict) go")
    return parser.parse_args()


def load_datasets(args):
    """The training and validation sets, resized to the model's input and split with the seed."""
    shape = INPUT_SHAPES[0]
    if len(shape) == 3:
        channels, height, width = shape
        base = [transforms.Resize((height, width))]
        if channels == 1:
            base.append(transforms.Grayscale(num_output_channels=1))
    elif len(shape) == 1 and args.dataset in TORCHVISION_DATASETS:
        # A vector input takes the dataset's images as they are, flattened (e.g. 784 for MNIST).
        channels, height, width = None, None, None
        base = []
    else:
        raise SystemExit(f"train.py feeds images, but the model takes {shape}: load your data yourself, or use a torchvision dataset for a vector input.")
    augment = []
    if args.horizontal_flip:
        augment.append(transforms.RandomHorizontalFlip())
    if args.crop_padding and height:
        augment.append(transforms.RandomCrop((height, width), padding=args.crop_padding))
    if args.translate:
        augment.append(transforms.RandomAffine(0, translate=(args.translate, args.translate)))
    tail = [transforms.ToTensor()]
    if args.standardize:
        count = channels or len(MEAN)
        mean, std = (MEAN, STD) if len(MEAN) == count else ((0.5,) * count, (0.5,) * count)
        tail.append(transforms.Normalize(mean, std))
    if len(shape) == 1:
        tail.append(transforms.Lambda(torch.flatten))

    def make(transform):
        if args.dataset in TORCHVISION_DATASETS:
            return TORCHVISION_DATASETS[args.dataset](args.data_dir, train=True, download=True, transform=transform)
        # An image folder: one sub-folder per class (a "train" sub-folder is used when there is one).
        root = os.path.join(args.data_dir, "train") if os.path.isdir(os.path.join(args.data_dir, "train")) else args.data_dir
        return datasets.ImageFolder(root, transform=transform)

    train_full = make(transforms.Compose(base + augment + tail))
    plain_full = make(transforms.Compose(base + tail))
    order = torch.randperm(len(train_full), generator=torch.Generator().manual_seed(args.seed)).tolist()
    held_out = int(len(order) * args.validation_split)
    return Subset(train_full, order[held_out:]), Subset(plain_full, order[:held_out])


def make_optimizer(args, parameters):
    # The design's l2 setting becomes weight_decay: each step adds l2 · w to the gradient.
    if args.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=args.learning_rate, momentum=args.momentum, weight_decay=args.weight_decay)
    if args.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=args.learning_rate, momentum=args.momentum, weight_decay=args.weight_decay)
    return torch.optim.Adam(parameters, lr=args.learning_rate, weight_decay=args.weight_decay)


def make_schedule(args, optimizer):
    """Learning-rate schedule per epoch: step decays by decay_rate every decay_steps epochs."""
    if args.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, int(args.decay_steps)), gamma=args.decay_rate)
    if args.schedule == "exponential":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: args.decay_rate ** (epoch / args.decay_steps))
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
        message = f"epoch {epoch + 1}/{args.epochs} loss {(total[0] / total[1]).item():.4f} lr {optimizer.param_groups[0]['lr']:.6g}"
        if len(val_set) and rank == 0:
            message += f" val_accuracy {evaluate(model.module if distributed else model, val_set, args, device):.4f}"
        if rank == 0:
            print(message, flush=True)

    if rank == 0:
        state = model.module.state_dict() if distributed else model.state_dict()
        torch.save(state, args.output)
        print(f"saved {args.output}", flush=True)
    if distributed:
        dist.destroy_process_group()


@torch.no_grad()
def evaluate(model, dataset, args, device):
    model.eval()
    correct = 0
    for images, target in DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers):
        output = model(images.to(device))
        correct += (output.argmax(dim=1) == target.to(device)).sum().item()
    return correct / len(dataset)


if __name__ == "__main__":
    main()
`;
}
