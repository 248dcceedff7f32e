/**
 * Where the PyTorch engine looks for Python in VS Code, in order: the interpreter selected in the
 * Python extension (when it is installed), the `cnnDesigner.python.path` setting, then the PATH; and
 * the device and process count the `cnnDesigner.pytorch.*` settings choose.
 */
import * as vscode from 'vscode';
import type { TrainingRunRequest } from '../../training/protocol/trainingProtocol';
import { defaultPythonCandidates, type PythonCandidate } from '../../training/pytorch/findPythonWithTorch';

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

/** The PyTorch part of a run request, for the design at `resource`. */
export async function pytorchEngineSettings(resource: vscode.Uri): Promise<NonNullable<TrainingRunRequest['pytorch']>> {
  const candidates: PythonCandidate[] = [];
  const selected = await pythonExtensionInterpreter(resource);
  if (selected) candidates.push({ path: selected, source: "the Python extension's selected interpreter" });
  const configured = vscode.workspace.getConfiguration('cnnDesigner.python', resource).get<string>('path', '').trim();
  if (configured) candidates.push({ path: configured, source: 'the cnnDesigner.python.path setting' });
  candidates.push(...defaultPythonCandidates());
  const pytorch = vscode.workspace.getConfiguration('cnnDesigner.pytorch', resource);
  const device = pytorch.get<string>('device', 'auto');
  return {
    pythonCandidates: candidates,
    device: device === 'cuda' || device === 'mps' || device === 'cpu' ? device : 'auto',
    processes: Math.max(1, Math.floor(pytorch.get<number>('processes', 1))),
  };
}
