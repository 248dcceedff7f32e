import * as vscode from 'vscode';
import { basename, join } from 'node:path';
import type { TrainingSettings } from '../../core/design';
import { parseDesign } from '../../core/format/parseDesign';
import type { RpcRequestHandlers } from '../../protocol/RpcEndpoint';
import type { EnginesView, TrainingPanelInit, TrainingPanelSide } from '../../protocol/trainingPanelProtocol';
import { runDesignText } from './runDesignText';
import { hashText } from '../../training/trainer/runFolder';
import { liveRunFolder, type DesignSession } from './DesignSession';
import type { EngineProbeCache } from './EngineProbeCache';
import { forcedBackend } from './installEngineCommand';
import { pythonCandidates, pytorchOptions, savePyTorchOptions } from './pytorchEngineSettings';
import { saveTrainingSettings } from './saveTrainingSettings';
import { BACKEND_CHOICES, DATASET_CHOICES } from './trainingChoices';

/** What the panel's requests need from the rest of the extension. */
export interface TrainingPanelServices {
  extensionPath: string;
  startRun(session: DesignSession, settings?: TrainingSettings): Promise<void>;
  /** The machine's engine list, probed once for every panel. */
  engineProbes: EngineProbeCache;
  /** Where installed native engines are looked for (the probe tries them). */
  nativeEngineFolders: string[];
}

/** The engine list for the design's panel, with the machine settings that choose among them. */
async function enginesView(session: DesignSession, services: TrainingPanelServices, refresh: boolean): Promise<EnginesView> {
  const forced = forcedBackend();
  const base = { pytorch: pytorchOptions(session.uri), ...(forced ? { forcedBackend: forced } : {}) };
  // Probing runs the interpreters the settings name, which a workspace's own settings may set.
  if (!vscode.workspace.isTrusted) return { ...base, error: 'The engines are probed only in a trusted workspace: probing runs the Python interpreter the settings name.' };
  try {
    const { engines, probedAt } = await services.engineProbes.get({ pythonCandidates: await pythonCandidates(session.uri), nativeEngineFolders: services.nativeEngineFolders }, refresh);
    return { ...base, engines, probedAt };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Everything a design's panel shows when it (re)opens: the design, its settings, the run going or last finished, the history. */
export async function trainingPanelInit(session: DesignSession): Promise<TrainingPanelInit> {
  const text = (await vscode.workspace.openTextDocument(session.uri)).getText();
  const design = parseDesign(text).design;
  const run = session.tracker?.run;
  return {
    designName: design?.name ?? session.uri.path.split('/').pop() ?? '',
    designFile: vscode.workspace.asRelativePath(session.uri),
    designUri: session.uri.toString(),
    settings: design?.training ?? {},
    datasets: DATASET_CHOICES,
    backends: BACKEND_CHOICES,
    trusted: vscode.workspace.isTrusted,
    run,
    designChanged: run !== undefined && hashText(await runDesignText(session.uri, text)) !== run.designHash,
    runs: session.runFolders?.history(liveRunFolder(session)) ?? [],
  };
}

/** The design's run folders, or an error the panel is told (a design not on disk has none). */
function runFoldersOf(session: DesignSession) {
  if (!session.runFolders) throw new Error('This design is not on disk, so it has no run folders.');
  return session.runFolders;
}

/**
 * The training panel's requests, one handler each. Every handler that reads or writes files checks
 * workspace trust itself (through RunFolders, or here before writing the design), however the
 * request arrived; starting a run checks it in RunLauncher.
 */
export function trainingPanelRequests(session: DesignSession, services: TrainingPanelServices): Omit<RpcRequestHandlers<TrainingPanelSide>, 'ready'> {
  const history = () => session.runFolders?.history(liveRunFolder(session)) ?? [];
  const tellHistory = () => session.panel?.notify({ type: 'runs', runs: history() });
  return {
    start: ({ settings }) => services.startRun(session, settings),

    stop: async ({ runId }) => {
      if (session.tracker?.run.runId === runId) await session.run?.cancel();
    },

    saveSettings: async ({ settings }) => {
      if (!vscode.workspace.isTrusted) return { applied: false, reason: 'Settings are written into the design only in a trusted workspace.' };
      const reason = await saveTrainingSettings(session.uri, settings);
      return { applied: reason === undefined, ...(reason === undefined ? {} : { reason }) };
    },

    refreshRuns: () => history(),

    openRun: ({ name }) => runFoldersOf(session).open(name),

    deleteRun: async ({ name }) => {
      const folder = runFoldersOf(session).folder(name, 'Deleting a run');
      if (!folder) return;
      if (folder === liveRunFolder(session)) {
        void vscode.window.showWarningMessage('This run is still training: stop it before deleting its folder.');
        return;
      }
      const choice = await vscode.window.showWarningMessage(`Delete the run folder ${name} (its metrics and trained model)?`, { modal: true }, 'Delete');
      if (choice !== 'Delete') return;
      // To the trash where the system has one; otherwise (some servers and containers) for good, as confirmed.
      const uri = vscode.Uri.file(folder);
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true }).then(undefined, () => runFoldersOf(session).delete(name));
      tellHistory();
    },

    revealRun: async ({ name }) => {
      const folder = runFoldersOf(session).folder(name, 'Showing a run folder');
      if (!folder) return;
      // The OS file manager where there is one (desktop); the Explorer where the window is remote (a browser).
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder)).then(undefined, () => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(folder)));
    },

    exportRunForPyTorch: async ({ name }) => {
      let exported;
      try {
        exported = runFoldersOf(session).exportForPyTorch(name);
      } catch (err) {
        void vscode.window.showErrorMessage(`Cannot export run ${name} for PyTorch: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      if (!exported) return;
      await vscode.window.showTextDocument(vscode.Uri.file(exported.module), { viewColumn: vscode.ViewColumn.Beside, preview: false });
      void vscode.window.showInformationMessage(
        `Wrote ${vscode.workspace.asRelativePath(exported.module)} and its trained weights (${basename(exported.weights)}): load them with load_weights(model, path). Feed inputs scaled as run.json's normalization says.`,
      );
    },

    exportRuns: async ({ format, names }) => {
      const folders = runFoldersOf(session);
      if (folders.history(liveRunFolder(session)).length === 0) {
        void vscode.window.showInformationMessage('There are no runs to export yet.');
        return;
      }
      const extension = format === 'markdown' ? 'md' : 'csv';
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(`${folders.runsFolder}-table.${extension}`),
        filters: format === 'markdown' ? { Markdown: ['md'] } : { CSV: ['csv'] },
      });
      if (!target) return;
      const written = folders.writeTable(target.fsPath, format, names, liveRunFolder(session));
      const open = await vscode.window.showInformationMessage(`Saved ${written} run(s) to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
      if (open) await vscode.window.showTextDocument(target);
    },

    engines: ({ refresh }) => enginesView(session, services, refresh),

    setPyTorchOptions: async ({ options }) => {
      if (!vscode.workspace.isTrusted) return { applied: false, reason: 'The PyTorch options are written only in a trusted workspace.', options: pytorchOptions(session.uri) };
      const reason = await savePyTorchOptions(session.uri, options);
      return { applied: reason === undefined, ...(reason === undefined ? {} : { reason }), options: pytorchOptions(session.uri) };
    },

    featureMaps: async ({ runName, image }) => {
      try {
        return { layers: await runFoldersOf(session).featureMaps(runName, image, join(services.extensionPath, 'dist', 'featureMapsProcess.js')) };
      } catch (err) {
        return { error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}
