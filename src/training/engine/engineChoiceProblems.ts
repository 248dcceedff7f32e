/**
 * What is wrong with the engine a run would use, told before the run starts: the chosen engine
 * cannot train here, a PyTorch device the machine lacks, more GPUs than PyTorch sees. Pure: it reads
 * the probed engine list and the choice (the design's backend, the machine's overriding setting, the
 * PyTorch device and process count), so the panel can show it beside the Train button.
 */
import { resolveTorchDevice, type TorchDevice } from '../pytorch/torchDevices';
import { ENGINE_LABELS } from './engineRows';
import { ENGINE_NAMES, type EngineAvailability, type EngineName } from './listEngines';

export interface EngineChoice {
  /** The design's `training.backend` (absent: auto). */
  backend?: string;
  /** The machine's `cnnDesigner.training.backend` setting when it forces one (it wins over the design's). */
  forcedBackend?: string;
  /** The PyTorch device and data-parallel process count (one per GPU on CUDA). */
  device: TorchDevice;
  processes: number;
}

export interface EngineChoiceProblem {
  /** An error: the run would fail. A warning: it trains, but not as the choice reads. */
  severity: 'error' | 'warning';
  message: string;
}

/** The engine a run with this choice trains with: the chosen one, or the automatic choice's; undefined when none is known. */
export function effectiveEngine(list: readonly EngineAvailability[], choice: Pick<EngineChoice, 'backend' | 'forcedBackend'>): EngineName | undefined {
  const chosen = choice.forcedBackend ?? choice.backend ?? 'auto';
  if (chosen === 'auto') return list.find((e) => e.automatic)?.engine;
  return (ENGINE_NAMES as readonly string[]).includes(chosen) ? (chosen as EngineName) : undefined;
}

/** The problems of the choice on this machine, errors first; empty when the run can start as chosen. */
export function engineChoiceProblems(list: readonly EngineAvailability[], choice: EngineChoice): EngineChoiceProblem[] {
  const problems = unsortedProblems(list, choice);
  return [...problems.filter((p) => p.severity === 'error'), ...problems.filter((p) => p.severity === 'warning')];
}

function unsortedProblems(list: readonly EngineAvailability[], choice: EngineChoice): EngineChoiceProblem[] {
  const problems: EngineChoiceProblem[] = [];
  const error = (message: string) => problems.push({ severity: 'error', message });
  const warning = (message: string) => problems.push({ severity: 'warning', message });
  if (choice.forcedBackend && (choice.backend ?? 'auto') !== choice.forcedBackend) {
    warning(`The cnnDesigner.training.backend setting (${choice.forcedBackend}) overrides the design's backend (${choice.backend ?? 'auto'}) on this machine.`);
  }
  const chosen = choice.forcedBackend ?? choice.backend ?? 'auto';
  const engine = effectiveEngine(list, choice);
  if (!engine) {
    error(chosen === 'auto' ? 'No engine can train on this machine.' : `"${chosen}" is not a training engine (one of auto, ${ENGINE_NAMES.join(', ')}).`);
    return problems;
  }
  const entry = list.find((e) => e.engine === engine);
  if (!entry?.available) {
    error(`${ENGINE_LABELS[engine]} cannot train here: ${entry?.detail ?? 'not probed'}`);
    return problems;
  }
  const torch = entry.pytorch;
  if (engine !== 'pytorch' || !torch) return problems;
  const gpus = torch.cudaDevices.length;
  if (choice.device === 'cuda' && gpus === 0) error('The cuda device was chosen, but PyTorch sees no CUDA GPU here.');
  if (choice.device === 'mps' && !torch.mps) error("The mps device was chosen, but PyTorch sees no Apple GPU (mps) here.");
  const device = resolveTorchDevice(torch, choice.device);
  if (choice.processes > 1 && device === 'mps') error(`${choice.processes} processes were chosen, but the mps device is one GPU: choose 1.`);
  if (choice.processes > 1 && device === 'cuda' && gpus > 0 && choice.processes > gpus) {
    error(`${choice.processes} GPUs were chosen, but PyTorch sees ${gpus} CUDA GPU${gpus === 1 ? '' : 's'} here.`);
  }
  return problems;
}
