/**
 * The engine list as the training panel shows it: one row per engine with a short name, whether it
 * trains here (and on what), and the lines that say why or why not. Pure, so the webview and the
 * tests share it; the CLI prints the same list with formatEngineList.
 */
import type { EngineAvailability, EngineName } from './listEngines';

/** The names users know the engines by (the package, for the TF.js ones). */
export const ENGINE_LABELS: Record<EngineName, string> = {
  pytorch: 'PyTorch',
  'tensorflow-gpu': 'tfjs-node-gpu',
  tensorflow: 'tfjs-node',
  webgpu: 'WebGPU',
  wasm: 'WASM',
  cpu: 'CPU (JavaScript)',
};

export interface EngineRow {
  engine: EngineName;
  label: string;
  available: boolean;
  /** "available on cpu", "not available". */
  status: string;
  /** What it found or why it cannot train, one fact a line. */
  details: string[];
  /** The engine the automatic choice uses. */
  automatic: boolean;
}

/** The lines of PyTorch's row: the interpreter and why it was chosen, torch's version, the devices, the interpreters passed over. */
function pytorchDetails(entry: EngineAvailability): string[] {
  const notUsed = (entry.interpretersNotUsed ?? []).map((a) => `Not used: ${a.path} (${a.source}): ${a.reason ?? 'failed'}`);
  const found = entry.pytorch;
  if (!found) return [...(notUsed.length ? notUsed : ['No Python interpreter to try.']), 'Set cnnDesigner.python.path to a Python with torch (or select one in the Python extension).'];
  const cuda = found.cudaDevices.length > 0 ? [`cuda ×${found.cudaDevices.length} (${found.cudaDevices.join(', ')})`] : [];
  return [
    `Interpreter: ${found.path}, from ${found.source}`,
    `torch ${found.torch}, Python ${found.python}${found.cudaVersion ? `, CUDA ${found.cudaVersion}` : ''}`,
    `Devices: ${[...cuda, ...(found.mps ? ['mps'] : []), 'cpu'].join(', ')}`,
    ...notUsed,
  ];
}

/** One row per engine, in the list's order (the automatic choice's). */
export function engineRows(list: readonly EngineAvailability[]): EngineRow[] {
  return list.map((entry) => ({
    engine: entry.engine,
    label: ENGINE_LABELS[entry.engine],
    available: entry.available,
    status: entry.available ? `available on ${entry.device ?? 'cpu'}` : 'not available',
    details: entry.engine === 'pytorch' ? pytorchDetails(entry) : [entry.detail],
    automatic: entry.automatic,
  }));
}
