import { strict as assert } from 'node:assert';
import { parseDesign } from '../../src/core/format/parseDesign';
import { parseJsonWithLocations } from '../../src/core/format/parseJsonWithLocations';
import { serializeDesign } from '../../src/core/format/serializeDesign';

describe('parsing and serializing designs', () => {
  it('agrees with JSON.parse on valid JSON', () => {
    const samples = ['{"a":[1,2,{"b":null}],"c":"x\\ny\\u00e9","d":-1.5e3,"e":true,"f":false}', '[]', '"s"', '0', '{"__proto__": {"x": 1}}'];
    for (const s of samples) {
      const r = parseJsonWithLocations(s);
      assert.ok(r.ok, s);
      assert.deepEqual(r.value, JSON.parse(s));
    }
  });

  it('rejects what JSON.parse rejects, with a position', () => {
    for (const s of ['{', '{"a":}', '[1,]', '{"a":1,}', "{'a':1}", '{"a":01}', 'nul', '{"a":1} x', '', '// c\n{}', '{"a":"\u0001"}', '{"a":1,"a":2}']) {
      const r = parseJsonWithLocations(s);
      assert.equal(r.ok, false, s);
      if (!r.ok) assert.ok(r.error.line >= 1 && r.error.column >= 1);
    }
  });

  it('refuses a repeated key however the text hides it, and keeps what JSON.parse would only tolerate an error', () => {
    // A repeated key whose dropped value held colons, or whose loss a \u-escaped colon could balance.
    const repeated = ['{"a":1,"a":2}', '{"a":"x:y","a":1}', '{"a":1,"a":1,"b":"\\u003a"}', '{"k\\u003a":1,"k\\u003a":2}', '{"x":{"a":[{"b":1,"b":1}]}}', '\ufeff{"a":1 , "a" :2}', '{"__proto__":1,"__proto__":2}'];
    for (const s of repeated) {
      const r = parseJsonWithLocations(s);
      assert.equal(r.ok, false, s);
      if (!r.ok) assert.match(r.error.message, /Duplicate key/, s);
    }
    const deep = `${'['.repeat(502)}${']'.repeat(502)}`;
    const r = parseJsonWithLocations(deep);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.message, /too deep/);
    // What parses keeps its keys, colons in strings and escapes, a byte-order mark and "__proto__" as an own key.
    for (const s of ['{"a:b":"c:d","e":{"f":"\\u003a:"}}', '\ufeff{"a":1}', '{"__proto__":{"x":1},"y":[{"z":"\\"\\\\:"}]}', `${'['.repeat(500)}${']'.repeat(500)}`]) {
      const parsed = parseJsonWithLocations(s);
      assert.ok(parsed.ok, s);
      if (parsed.ok) assert.deepEqual(parsed.value, JSON.parse(s.replace(/^\ufeff/, '')), s);
    }
    const proto = parseJsonWithLocations('{"__proto__":{"x":1}}');
    assert.ok(proto.ok && Object.getPrototypeOf(proto.value) === Object.prototype && Object.keys(proto.value as object).includes('__proto__'));
  });

  it('keeps unknown keys on round trip and stays lossless', () => {
    const text = `{"format":"cnn-designer","version":1,"name":"x","author":"me","nodes":[{"id":"input","type":"Input","params":{"shape":[4,4,1]},"color":"red"}],"edges":[],"training":{"epochs":2,"myKnob":3}}`;
    const parsed = parseDesign(text);
    assert.ok(parsed.lossless);
    const again = parseDesign(serializeDesign(parsed.design!));
    assert.deepEqual(again.design, parsed.design);
    const json = JSON.parse(serializeDesign(parsed.design!));
    assert.equal(json.author, 'me');
    assert.equal(json.nodes[0].color, 'red');
    assert.equal(json.training.myKnob, 3);
  });

  it('serializes deterministically: canonical key order, two-space indent, short containers on one line', () => {
    const a = parseDesign(`{"version":1,"format":"cnn-designer","nodes":[{"params":{"kernelSize":3,"filters":8},"type":"Conv2D","id":"c"}],"name":"n","edges":[{"target":"c","source":"i"}]}`).design!;
    const text = serializeDesign(a);
    assert.equal(
      text,
      [
        '{',
        '  "format": "cnn-designer",',
        '  "version": 1,',
        '  "name": "n",',
        '  "nodes": [',
        '    {',
        '      "id": "c",',
        '      "type": "Conv2D",',
        '      "params": { "filters": 8, "kernelSize": 3 }',
        '    }',
        '  ],',
        '  "edges": [',
        '    { "source": "i", "target": "c" }',
        '  ],',
        '  "training": {}',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(serializeDesign(parseDesign(text).design!), text);
  });

  it('structural problems are located and make the document not lossless', () => {
    const p = parseDesign('{"format":"cnn-designer","version":1,"name":"x","nodes":[{"id":"a","type":"Input","params":{"shape":[2]}},{"id":"a","type":"Dense"},{"type":"Dense"},5],"edges":[{"source":"a"}]}');
    assert.equal(p.lossless, false);
    const codes = p.diagnostics.map((d) => d.code);
    assert.ok(codes.includes('duplicate-id'));
    assert.equal(p.design!.nodes.length, 1);
    assert.ok(p.diagnostics.every((d) => d.line !== undefined));
  });

  it('refuses files of another format or a newer version', () => {
    assert.equal(parseDesign('{"format":"other","nodes":[]}').lossless, false);
    const newer = parseDesign('{"format":"cnn-designer","version":2,"nodes":[]}');
    assert.equal(newer.lossless, false);
    assert.ok(newer.diagnostics.some((d) => d.code === 'newer-version'));
    assert.equal(parseDesign('[1,2]').design, undefined);
  });
});
