import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

interface Manifest {
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string } };
  contributes: {
    customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority: string }[];
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    jsonValidation: { fileMatch: string; url: string }[];
  };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const extensionSource = (readdirSync('src/extension', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(`src/extension/${f}`, 'utf8'))
  .join('\n');
const registered = [...extensionSource.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);

describe('extension manifest and bundle', () => {
  it('the README links only to anchors and absolute URLs, which the .vsix packager accepts (it refuses relative links)', () => {
    const relative = [...readFileSync('README.md', 'utf8').matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).filter((target) => !/^(#|https?:\/\/)/.test(target));
    assert.deepEqual(relative, []);
  });

  it('declares every command it registers, and every declared command exists in the extension code', () => {
    const declared = manifest.contributes.commands.map((c) => c.command);
    for (const command of registered) assert.ok(declared.includes(command), `${command} is registered but not declared`);
    // Some commands are registered through a constant: the name must appear in the code either way.
    for (const command of declared) assert.ok(extensionSource.includes(`'${command}'`), `${command} is declared but nowhere in src/extension`);
    for (const [menu, items] of Object.entries(manifest.contributes.menus))
      for (const item of items) assert.ok(declared.includes(item.command), `${menu} names undeclared ${item.command}`);
  });

  it('is the default editor for *.cnn.json, activates lazily and designs in restricted mode', () => {
    const [editor] = manifest.contributes.customEditors;
    assert.equal(editor.viewType, 'cnnDesigner.graphEditor');
    assert.match(extensionSource, /CNN_EDITOR_VIEW_TYPE = 'cnnDesigner\.graphEditor'/);
    assert.deepEqual(editor.selector, [{ filenamePattern: '*.cnn.json' }]);
    assert.equal(editor.priority, 'default');
    assert.ok(manifest.activationEvents.length > 0 && manifest.activationEvents.every((e) => /^(onCustomEditor|onCommand|onWebviewPanel):/.test(e)), 'no eager activation');
    // A training panel left open is restored after a window reload by the extension's serializer.
    assert.ok(manifest.activationEvents.includes('onWebviewPanel:cnnDesigner.trainingPanel'));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '*.cnn.json', url: './schemas/cnn-design.schema.json' }]);
    assert.equal(manifest.main, './dist/extension.js');
  });

  it('opens *.onnx in the read-only viewer by default (VS Code has no other view of the binary file) and activates on it', () => {
    const viewer = manifest.contributes.customEditors.find((e) => e.viewType === 'cnnDesigner.onnxViewer');
    assert.ok(viewer, 'a custom editor for ONNX models');
    assert.deepEqual(viewer.selector, [{ filenamePattern: '*.onnx' }]);
    assert.equal(viewer.priority, 'default');
    assert.match(extensionSource, /ONNX_VIEWER_VIEW_TYPE = 'cnnDesigner\.onnxViewer'/);
    assert.match(extensionSource, /implements vscode\.CustomReadonlyEditorProvider</, 'read-only: VS Code offers no save or undo for it');
    assert.ok(manifest.activationEvents.includes('onCustomEditor:cnnDesigner.onnxViewer'));
    for (const command of ['cnnDesigner.exportOnnx', 'cnnDesigner.importModel', 'cnnDesigner.saveAsDesign']) assert.ok(manifest.activationEvents.includes(`onCommand:${command}`), command);
  });

  it('bundles the extension host without TensorFlow.js, React or anything but vscode left external', async () => {
    const result = await esbuild.build({
      entryPoints: ['src/extension/extension.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((i) => i.startsWith('src/core/')), 'the core is bundled');
    const heavy = inputs.filter((i) => /node_modules\/(@tensorflow|react|@xyflow|elkjs)/.test(i));
    assert.deepEqual(heavy, []);
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    assert.deepEqual([...new Set(imports)].filter((p) => !p.startsWith('node:') && !['fs', 'path', 'os', 'crypto'].includes(p)), ['vscode']);
  });
});
