import { strict as assert } from 'node:assert';
import { analyzeDesign, DEFAULT_MACHINE_MEMORY_BYTES } from '../../src/core/analysis/analyzeDesign';
import { analyzeDocument } from '../../src/core/analysis/analyzeDocument';
import { serializeDesign } from '../../src/core/format/serializeDesign';
import { chainDesign } from '../support/designBuilder';

describe('a design needing more parameter memory than the machine has', () => {
  // 1,000,000 inputs × 567,500 units: 567.5 G parameters, 2.27 TB in float32.
  const huge = chainDesign([1_000_000], [['Dense', { units: 567_500 }], ['Dense', { units: 10 }]]);
  const GiB = 1024 ** 3;

  it('gets a located warning with the memory it needs against the machine\'s', () => {
    const doc = analyzeDocument(serializeDesign(huge), { machineMemoryBytes: 64 * GiB });
    const warning = doc.diagnostics.find((d) => d.code === 'parameter-memory');
    assert.ok(warning, 'no parameter-memory warning');
    assert.equal(warning.severity, 'warning');
    assert.equal(warning.nodeId, 'l1');
    assert.ok(warning.line && warning.line > 1, 'located on the largest layer');
    assert.match(warning.message, /The parameters need 2\.06 TB in float32, and about 8\.26 TB to train .* more than this machine's 64\.00 GB of memory\. The largest layer is "l1" with 567,500,567,500 parameters/);
    assert.equal(doc.valid, true, 'a warning: the design itself is correct');
  });

  it('compares with the memory it is given, and a common laptop\'s when none is', () => {
    assert.ok(analyzeDesign(huge).diagnostics.some((d) => d.code === 'parameter-memory'));
    assert.equal(DEFAULT_MACHINE_MEMORY_BYTES, 16 * GiB);
    assert.ok(!analyzeDesign(huge, { machineMemoryBytes: 100 * 1024 * 1024 * GiB }).diagnostics.some((d) => d.code === 'parameter-memory'));
    // 300 M parameters: 1.2 GB, 4.8 GB to train; fits 16 GB, not 4 GB.
    const large = chainDesign([30_000], [['Dense', { units: 10_000 }]]);
    assert.ok(!analyzeDesign(large).diagnostics.some((d) => d.code === 'parameter-memory'));
    assert.ok(analyzeDesign(large, { machineMemoryBytes: 4 * GiB }).diagnostics.some((d) => d.code === 'parameter-memory'));
  });
});
