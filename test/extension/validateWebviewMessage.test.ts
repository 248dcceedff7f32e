import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidMessageError, validateWebviewMessage } from '../../src/extension/validateWebviewMessage';

const rejects = (message: unknown, field: RegExp): void => {
  assert.throws(() => validateWebviewMessage(message), (err: unknown) => err instanceof InvalidMessageError && field.test(err.message));
};

describe('validateWebviewMessage (untrusted webview input)', () => {
  it('accepts every message and intention of the protocol, rebuilt field by field', () => {
    const valid: unknown[] = [
      { type: 'ready' },
      { type: 'edit', requestId: 1, intention: { kind: 'addLayer', layerType: 'Conv2D', position: { x: 1, y: 2 }, connectFrom: 'input', params: { filters: 8 } } },
      { type: 'edit', requestId: 2, intention: { kind: 'connect', source: 'a', target: 'b' } },
      { type: 'edit', requestId: 3, intention: { kind: 'disconnect', source: 'a', target: 'b' } },
      { type: 'edit', requestId: 4, intention: { kind: 'delete', nodeIds: ['a'], edges: [{ source: 'a', target: 'b' }] } },
      { type: 'edit', requestId: 5, intention: { kind: 'move', positions: { a: { x: 1.5, y: -2 } } } },
      { type: 'edit', requestId: 6, intention: { kind: 'setParams', nodeId: 'a', params: { strides: [2, 2], padding: null } } },
      { type: 'edit', requestId: 7, intention: { kind: 'rename', nodeId: 'a', name: 'A', newId: 'b' } },
      { type: 'edit', requestId: 8, intention: { kind: 'paste', fragment: { nodes: [{ id: 'a', type: 'Dense', params: { units: 3 } }], edges: [] }, position: { x: 0, y: 0 } } },
      { type: 'edit', requestId: 9, intention: { kind: 'applyFix', edit: { kind: 'insertLayer', source: 'a', target: 'b', layer: { type: 'Flatten', params: {} } } } },
      { type: 'edit', requestId: 12, intention: { kind: 'makeBlock', nodeIds: ['a', 'b'], blockName: 'Stem' } },
      { type: 'edit', requestId: 13, intention: { kind: 'setRepeat', nodeId: 'a', repeat: 3 } },
      { type: 'edit', requestId: 14, intention: { kind: 'setRepeat', nodeId: 'a', repeat: null } },
      { type: 'edit', requestId: 15, intention: { kind: 'setBlockNodeParams', block: 'Stem', nodeId: 'conv', params: { filters: '$width * 2' } } },
      { type: 'command', command: 'showSummary' },
      { type: 'clipboardWrite', text: '{}' },
      { type: 'clipboardRead', requestId: 10 },
      { type: 'saveDiagram', requestId: 11, format: 'svg', data: '<svg/>' },
      { type: 'notify', severity: 'warning', message: 'hi' },
    ];
    for (const message of valid) assert.deepEqual(validateWebviewMessage(message), message);
  });

  it('drops fields the protocol does not have', () => {
    const checked = validateWebviewMessage({ type: 'edit', requestId: 1, extra: 1, intention: { kind: 'connect', source: 'a', target: 'b', sneaky: true } });
    assert.deepEqual(checked, { type: 'edit', requestId: 1, intention: { kind: 'connect', source: 'a', target: 'b' } });
  });

  it('rejects malformed messages, naming the field', () => {
    rejects(null, /message must be an object/);
    rejects({ type: 'format-disk' }, /message.type/);
    rejects({ type: 'edit', requestId: -1, intention: { kind: 'connect', source: 'a', target: 'b' } }, /requestId/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'connect', source: '', target: 'b' } }, /intention.source/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'move', positions: { a: { x: Infinity, y: 0 } } } }, /positions.a.x/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'setParams', nodeId: 'a', params: { f: () => 1 } } }, /params.f/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'setParams', nodeId: 'a', params: [1] } }, /params must be an object/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'paste', fragment: { nodes: [{ id: 3 }], edges: [] }, position: { x: 0, y: 0 } } }, /fragment/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'applyFix', edit: { kind: 'rm -rf' } } }, /edit.kind/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'makeBlock', nodeIds: 'a' } }, /intention.nodeIds/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'setRepeat', nodeId: 'a', repeat: '2' } }, /intention.repeat/);
    rejects({ type: 'command', command: 'deleteWorkspace' }, /command/);
    rejects({ type: 'saveDiagram', requestId: 1, format: 'exe', data: '' }, /format/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'rename', nodeId: 'a', newId: 'b\rimport os' } }, /intention.newId must be a valid layer id/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'rename', nodeId: 'a', newId: 'b\u2028c' } }, /intention.newId/);
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'applyFix', edit: { kind: 'renameNode', nodeId: 'a', newId: '"' } } }, /edit.newId/);
    rejects({ type: 'notify', severity: 'warning', message: 'x'.repeat(10_001) }, /message/);
    rejects({ type: 'edit', requestId: 2 ** 60, intention: { kind: 'connect', source: 'a', target: 'b' } }, /requestId/);
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    rejects({ type: 'edit', requestId: 1, intention: { kind: 'setParams', nodeId: 'a', params: { deep } } }, /nested/);
  });

  it('keeps "__proto__" as a plain key: no message can reach an object\'s prototype', () => {
    const message = JSON.parse('{"type":"edit","requestId":1,"intention":{"kind":"move","positions":{"__proto__":{"x":1,"y":2}}}}');
    const checked = validateWebviewMessage(message);
    assert.ok(checked.type === 'edit' && checked.intention.kind === 'move');
    assert.deepEqual(Object.keys(checked.intention.positions), ['__proto__']);
    assert.equal(Object.getPrototypeOf(checked.intention.positions), Object.prototype);
    const params = validateWebviewMessage(JSON.parse('{"type":"edit","requestId":1,"intention":{"kind":"setParams","nodeId":"a","params":{"__proto__":{"polluted":1}}}}'));
    assert.ok(params.type === 'edit' && params.intention.kind === 'setParams');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((params.intention.params as Record<string, unknown>).polluted, undefined);
  });

  it('never lets anything but InvalidMessageError escape, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        try {
          validateWebviewMessage({ type: 'edit', requestId: 1, intention: value });
        } catch (err) {
          assert.ok(err instanceof InvalidMessageError, String(err));
        }
      }),
      { numRuns: 500 },
    );
  });
});
