import { analyzeDocument } from '../src/core/analysis/analyzeDocument';
import { analyzeDesign } from '../src/core/analysis/analyzeDesign';
import { parseDesign } from '../src/core/format/parseDesign';
import { parseJsonWithLocations } from '../src/core/format/parseJsonWithLocations';
import { serializeDesign } from '../src/core/format/serializeDesign';
import { emptyDesign, type Design } from '../src/core/design';
function chain(layers: number): Design {
  const d = emptyDesign('chain');
  d.nodes.push({ id: 'input', type: 'Input', params: { shape: [64, 64, 16] } });
  let previous = 'input';
  for (let i = 0; i < layers - 1; i++) {
    const id = `l${i}`;
    const kind = i % 4;
    d.nodes.push(kind === 0 ? { id, type: 'Conv2D', params: { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' } } : kind === 1 ? { id, type: 'BatchNorm', params: {} } : kind === 2 ? { id, type: 'Activation', params: { fn: 'relu' } } : { id, type: 'Dropout', params: { rate: 0.1 } });
    d.edges.push({ source: previous, target: id });
    previous = id;
  }
  return d;
}
const ed = chain(1000);
const texts = [16, 24].map((f) => { (ed.nodes[501].params as any).filters = f; return serializeDesign(ed); });
console.log('text length', texts[0].length);
const time = (name: string, f: (i: number) => void) => {
  for (let i = 0; i < 200; i++) f(i);
  const ts: number[] = [];
  for (let i = 0; i < 600; i++) { const t = performance.now(); f(i); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(name.padEnd(30), ts[300].toFixed(3), 'ms');
};
const designs = texts.map((t) => parseDesign(t).design!);
time('analyzeDocument', (i) => analyzeDocument(texts[i % 2]));
time('parseDesign', (i) => parseDesign(texts[i % 2]));
time('JSON.parse', (i) => JSON.parse(texts[i % 2]));
time('parseJsonWithLocations', (i) => parseJsonWithLocations(texts[i % 2]));
time('analyzeDesign', (i) => analyzeDesign(designs[i % 2]));
if (process.env.PROF) for (let i = 0; i < 3000; i++) analyzeDocument(texts[i % 2]);
