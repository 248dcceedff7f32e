import type { BackendAttemptInfo } from '../protocol/trainingProtocol';
import { defaultPythonCandidates, describePythonSearch, findPythonWithTorch, type PythonCandidate, type PythonTorchInfo } from './findPythonWithTorch';
import { resolveTorchDevice, type TorchDevice } from './trainWithPyTorch';

export interface PyTorchChoice {
  /** Set when the run trains with PyTorch. */
  python?: PythonTorchInfo;
  /** The pytorch entry of the run's backend attempts (absent when another backend was chosen by name). */
  attempt?: BackendAttemptInfo;
  /** Which interpreter, from where, and why the others were not used. */
  detail: string;
}

/**
 * Whether a run trains with PyTorch: always when `pytorch` is chosen (an error, with every
 * interpreter's reason, when none has torch), and with the automatic choice only when PyTorch would
 * run on a GPU (CUDA or Apple's mps); on a CPU the TF.js engines come first then.
 */
export async function choosePyTorch(backend: string | undefined, options: { pythonCandidates?: PythonCandidate[]; device?: TorchDevice } = {}): Promise<PyTorchChoice> {
  const chosen = backend === 'pytorch';
  if (!chosen && backend !== undefined && backend !== 'auto') return { detail: '' };
  const search = await findPythonWithTorch(options.pythonCandidates ?? defaultPythonCandidates());
  const detail = describePythonSearch(search);
  if (!search.found) {
    if (chosen) throw new Error(`The pytorch engine cannot train here. ${detail} Set cnnDesigner.python.path (or CNN_DESIGNER_PYTHON) to an interpreter with torch.`);
    return { attempt: { backend: 'pytorch', ok: false, reason: detail }, detail };
  }
  const device = resolveTorchDevice(search.found, options.device);
  if (!chosen && device === 'cpu') {
    return { attempt: { backend: 'pytorch', ok: false, reason: `PyTorch ${search.found.torch} at ${search.found.path} sees no GPU; on the CPU the automatic choice trains with TF.js (choose pytorch to use it anyway)` }, detail };
  }
  return { python: search.found, attempt: { backend: 'pytorch', ok: true }, detail };
}
