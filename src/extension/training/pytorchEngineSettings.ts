/**
 * Where the PyTorch engine looks for Python in VS Code, in order: the interpreter selected in the
 * Python extension (when it is installed), the `cnnDesigner.python.path` setting, then the PATH; and
 * the device and process count the `cnnDesigner.pytorch.*` settings choose (which the training
 * panel writes).
 */
import * as vscode from 'vscode';
import type { PyTorchOptions } from '../../protocol/trainingPanelProtocol';
import type { TrainingRunRequest } from '../../training/protocol/trainingProtocol';
import { defaultPythonCandidates, type PythonCandidate } from '../../training/pytorch/findPythonWithTorch';
import { MAX_PYTORCH_PROCESSES, TORCH_DEVICES, type TorchDevice } from '../../training/pytorch/torchDevices';

/** The part of the Python extension's API used here (its `environments` API, optional). */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath?(resource?: vscode.Uri): { path?: string } | undefined };
}

async function pythonExtensionInterpreter(resource: vscode.Uri): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return undefined;
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const path = api?.environments?.getActiveEnvironmentPath?.(resource)?.path;
    return typeof path === 'string' && path.length > 0 ? path : undefined;
  } catch {
    // An API that changed or failed is the same as no Python extension: the other candidates remain.
    return undefined;
  }
}

/** The interpreters to try for the design at `resource`, in order, each with where it came from. */
export async function pythonCandidates(resource: vscode.Uri): Promise<PythonCandidate[]> {
  const candidates: PythonCandidate[] = [];
  const selected = await pythonExtensionInterpreter(resource);
  if (selected) candidates.push({ path: selected, source: "the Python extension's selected interpreter" });
  const configured = vscode.workspace.getConfiguration('cnnDesigner.python', resource).get<string>('path', '').trim();
  if (configured) candidates.push({ path: configured, source: 'the cnnDesigner.python.path setting' });
  candidates.push(...defaultPythonCandidates());
  return candidates;
}

/** The device and process count the `cnnDesigner.pytorch.*` settings choose (out-of-range values read as the nearest allowed). */
export function pytorchOptions(resource: vscode.Uri): PyTorchOptions {
  const pytorch = vscode.workspace.getConfiguration('cnnDesigner.pytorch', resource);
  const device = pytorch.get<string>('device', 'auto');
  const processes = Math.floor(Number(pytorch.get<number>('processes', 1)));
  return {
    device: (TORCH_DEVICES as readonly string[]).includes(device) ? (device as TorchDevice) : 'auto',
    processes: Number.isFinite(processes) ? Math.min(MAX_PYTORCH_PROCESSES, Math.max(1, processes)) : 1,
  };
}

/**
 * Writes the panel's PyTorch choice into the `cnnDesigner.pytorch.*` settings, where each is set
 * most specifically (a folder's or the workspace's value would otherwise hide a user setting), else
 * the user's settings. Returns why not, when a setting still reads otherwise afterwards.
 */
export async function savePyTorchOptions(resource: vscode.Uri, options: PyTorchOptions): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('cnnDesigner.pytorch', resource);
  for (const [key, value] of Object.entries(options)) {
    const where = config.inspect(key);
    const target =
      where?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : where?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await config.update(key, value, target);
  }
  const now = pytorchOptions(resource);
  return now.device === options.device && now.processes === options.processes ? undefined : 'Another cnnDesigner.pytorch setting (a language- or machine-specific one) takes precedence.';
}

/** The PyTorch part of a run request, for the design at `resource`. */
export async function pytorchEngineSettings(resource: vscode.Uri): Promise<NonNullable<TrainingRunRequest['pytorch']>> {
  return { pythonCandidates: await pythonCandidates(resource), ...pytorchOptions(resource) };
}
