// Training from the extension host in a real VS Code: the editor's Train button starts the training
// process, the panel shows its progress through a completed epoch, Stop cancels the run, and the
// panel comes back, with the run in its history, after a window reload.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';
import { REPOSITORY_ROOT } from './support/workbenchProfile';

const PLANNED_EPOCHS = 20;
// The feed-forward baseline on the MNIST sample shipped with the extension: an epoch takes seconds,
// and far more epochs are planned than the test waits for, so Stop always finds the run going.
const baseline = parseDesign(readFileSync(join(REPOSITORY_ROOT, 'examples', 'mnist-ffn.cnn.json'), 'utf8')).design!;
const TRAIN_FILE = seedWorkspaceFile(
  'train-sample.cnn.json',
  serializeDesign({ ...baseline, name: 'Train on the sample', training: { ...baseline.training, dataset: 'mnist-sample', epochs: PLANNED_EPOCHS, batchSize: 64 } }),
);

describe('training in VS Code', () => {
  it('Train on the embedded data shows progress in the panel and completes an epoch; Stop cancels the run; the panel survives a reload', async function () {
    // A real training process on a shared machine: bounded, but not by the default test timeout.
    this.timeout(300_000);
    const { workbench } = endToEnd();
    await workbench.openFromExplorer(TRAIN_FILE);
    const editor = await GraphEditorView.find(workbench);
    await editor.frame.locator('[data-testid=toolbar-train]').click();

    const panel = await workbench.webviewFrame('[data-testid=training-phase]');
    const phase = panel.locator('[data-testid=training-phase]');
    const epoch = panel.locator('[data-testid=training-epoch]');
    await waitFor('the run to start', async () => ((await phase.getAttribute('data-phase')) === 'running' ? true : undefined), 120_000);
    await waitFor('a completed epoch', async () => (Number(await epoch.getAttribute('data-completed')) >= 1 ? true : undefined), 240_000);
    assert.equal(await phase.getAttribute('data-phase'), 'running');
    assert.match((await epoch.textContent()) ?? '', new RegExp(`^epoch \\d+/${PLANNED_EPOCHS}$`));
    assert.match((await panel.locator('[data-testid=training-speed]').textContent()) ?? '', /^[\d,]+ samples\/s$/);
    await workbench.screenshot('training-epoch-completed');

    await panel.locator('[data-testid=training-stop]').click();
    await waitFor('the run to be cancelled', async () => ((await phase.getAttribute('data-phase')) === 'cancelled' ? true : undefined), 60_000);
    const completed = Number(await epoch.getAttribute('data-completed'));
    assert.ok(completed >= 1 && completed < PLANNED_EPOCHS, `stopped after ${completed} of ${PLANNED_EPOCHS} epochs`);
    assert.equal(await panel.locator('[data-testid=training-stop]').isVisible(), false, 'nothing left to stop');
    await workbench.screenshot('training-cancelled');

    // After a window reload VS Code gives the panel back to the extension, which reconnects it to
    // its design: the run just cancelled is in the Runs tab.
    await workbench.runCommand('Developer: Reload Window');
    await workbench.waitForWorkbench(120_000);
    const restored = await workbench.webviewFrame('[data-testid=tab-history]', 120_000);
    await restored.locator('[data-testid=tab-history]').click();
    await waitFor('the restored panel to list the run', async () => ((await restored.locator('[data-testid=runs-table] tbody tr').count()) >= 1 ? true : undefined), 60_000);
    await workbench.screenshot('training-panel-restored');
  });
});
