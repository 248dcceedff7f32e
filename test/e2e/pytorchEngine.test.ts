// The PyTorch engine from the training panel in a real VS Code: the panel lists the engines the
// host probed (PyTorch with its interpreter, torch version and devices), the user picks PyTorch and
// its device there, and one epoch on the embedded MNIST sample trains under Python and ends with
// results, the run recorded as PyTorch's.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDesign } from '../../src/core/format/parseDesign';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { RUN_FILES, runsFolderFor } from '../../src/training/trainer/runFolder';
import { PYTHON } from '../export/support/python';
import { endToEnd, seedWorkspaceFile } from './support/e2eHooks';
import { GraphEditorView } from './support/graphEditorView';
import { waitFor } from './support/workbenchDriver';
import { REPOSITORY_ROOT } from './support/workbenchProfile';

const baseline = parseDesign(readFileSync(join(REPOSITORY_ROOT, 'examples', 'mnist-ffn.cnn.json'), 'utf8')).design!;
// No backend in the design: the panel's engine choice writes it.
const DESIGN_FILE = seedWorkspaceFile('pytorch-engine.cnn.json', serializeDesign({ ...baseline, name: 'Train with PyTorch', training: { ...baseline.training, dataset: 'mnist-sample', epochs: 1, batchSize: 64 } }));

describe('the PyTorch engine in VS Code', () => {
  it('the panel lists the engines before a run; PyTorch picked there on the CPU trains an epoch of the MNIST sample to results', async function () {
    // Probing every engine and a real PyTorch epoch on a shared machine: bounded, but not by the default test timeout.
    this.timeout(420_000);
    const { workbench, session } = endToEnd();
    await workbench.openFromExplorer(DESIGN_FILE);
    await GraphEditorView.find(workbench);
    await workbench.runCommand('CNN Designer: Show Training Panel');
    const panel = await workbench.webviewFrame('[data-testid=engine-section]');

    // The engines, before any run: PyTorch found under a Python with torch, with where it came from; WASM always there.
    const pytorchRow = panel.locator('[data-testid=engine-row-pytorch]');
    await waitFor('the probed engine list', async () => ((await pytorchRow.count()) > 0 ? true : undefined), 180_000);
    assert.equal(await pytorchRow.getAttribute('data-available'), 'true', `PyTorch is available: ${await pytorchRow.textContent()}`);
    const details = (await pytorchRow.textContent()) ?? '';
    // The profile's cnnDesigner.python.path names the Python with torch (test/e2e/support/workbenchProfile.ts).
    assert.ok(details.includes(`Interpreter: ${PYTHON}, from the cnnDesigner.python.path setting`), details);
    assert.match(details, /torch \d+\.\d+/);
    assert.match(details, /Devices: .*cpu/);
    assert.equal(await panel.locator('[data-testid=engine-row-wasm]').getAttribute('data-available'), 'true');
    assert.equal(await panel.locator('[data-testid=training-phase]').getAttribute('data-phase'), 'idle', 'listed before a run');
    await workbench.screenshot('pytorch-engine-listed');

    // Picking PyTorch sets the design's backend setting in the form; the device is a machine setting.
    await panel.locator('[data-testid=engine-choice-pytorch]').check();
    assert.equal(await panel.locator('[data-testid=setting-backend]').inputValue(), 'pytorch');
    await panel.locator('[data-testid=engine-device]').selectOption('cpu');
    assert.deepEqual(await panel.locator('[data-testid=engine-problems] li').allTextContents(), [], 'nothing stands in the way of the run');

    await panel.locator('[data-testid=training-start]').click();
    const phase = panel.locator('[data-testid=training-phase]');
    await waitFor('the run to end', async () => {
      const now = await phase.getAttribute('data-phase');
      return now === 'completed' || now === 'failed' || now === 'cancelled' ? now : undefined;
    }, 300_000);
    assert.equal(await phase.getAttribute('data-phase'), 'completed', `the run ended: ${await panel.locator('[data-testid=training-error]').textContent()}`);
    assert.equal(await panel.locator('[data-testid=training-backend]').textContent(), 'backend: pytorch');
    const caption = panel.locator('[data-testid=results-caption]');
    await waitFor('the results', async () => ((await caption.isVisible()) ? true : undefined));
    assert.match((await caption.textContent()) ?? '', /completed · 1 epochs .* on pytorch$/);
    const accuracy = Number(await panel.locator('[data-testid=results-test-accuracy]').getAttribute('data-value'));
    assert.ok(accuracy > 0.1 && accuracy <= 1, `one epoch learns better than chance (test accuracy ${accuracy})`);
    await workbench.screenshot('pytorch-engine-results');

    // The form's choice went into the design the run trained (an edit of the open document, left
    // unsaved), and the run folder records the engine that trained.
    const runsFolder = runsFolderFor(join(session.workspaceDir, DESIGN_FILE));
    assert.ok(existsSync(runsFolder), `a run folder beside the design (${runsFolder})`);
    const runs = readdirSync(runsFolder);
    assert.equal(runs.length, 1);
    const trained = parseDesign(readFileSync(join(runsFolder, runs[0], RUN_FILES.design), 'utf8')).design;
    assert.equal(trained?.training.backend, 'pytorch');
    const manifest = JSON.parse(readFileSync(join(runsFolder, runs[0], RUN_FILES.manifest), 'utf8')) as { engine?: { name?: string; device?: string } };
    assert.equal(manifest.engine?.name, 'pytorch');
    assert.equal(manifest.engine?.device, 'cpu');
  });
});
