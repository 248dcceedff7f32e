import { formatSummary } from '../core/summary/formatSummary';
import { CliError, readDesignFile } from './cliIo';
import type { CliCommand } from './cliCommand';

export const summaryCommand: CliCommand = {
  name: 'summary',
  summary: 'Table of output shapes, parameters, MACs, receptive fields and diagnostics',
  positionals: { usage: 'FILE', meaning: 'design file (.cnn.json)', min: 1, max: 1 },
  options: [
    { name: 'json', type: 'boolean', meaning: 'Prints JSON for scripts instead of the table: every layer, the block instances, the totals and the diagnostics.' },
    { name: 'expand', type: 'boolean', meaning: 'Lists every layer inside block instances instead of one row per instance.' },
  ],
  run(args, out) {
    const [file] = args.positionals;
    const { analysis, design, diagnostics } = readDesignFile(file);
    if (!analysis || !design) {
      if (args.flag('json')) {
        out.stdout(`${JSON.stringify({ layers: [], diagnostics: diagnostics.map(jsonDiagnostic) }, null, 2)}\n`);
        return 1;
      }
      throw new CliError(`${file}: ${diagnostics.map((d) => d.message).join(' ')}`, 1);
    }
    if (args.flag('json')) {
      const t = analysis.totals;
      const json = {
        name: design.name,
        layers: analysis.order.map((id) => {
          const n = analysis.nodes[id];
          return {
            id,
            type: n.type,
            outputShape: n.outputShape ?? null,
            params: n.params,
            trainableParams: n.trainableParams,
            nonTrainableParams: n.nonTrainableParams,
            macs: n.macs,
            receptiveField: n.receptiveField ?? null,
          };
        }),
        ...(analysis.instances
          ? {
              instances: Object.values(analysis.instances).map((i) => ({
                id: i.id,
                block: i.block,
                ...(i.copies ? { copies: i.copies } : { args: i.args ?? {} }),
                outputShapes: i.outputShapes.map((s) => s ?? null),
                params: i.params,
                trainableParams: i.trainableParams,
                nonTrainableParams: i.nonTrainableParams,
                macs: i.macs,
                receptiveField: i.receptiveField ?? null,
                layers: i.nodeIds.length,
              })),
            }
          : {}),
        totalParams: t.params,
        trainableParams: t.trainableParams,
        nonTrainableParams: t.nonTrainableParams,
        // What PyTorch counts as parameters (torchinfo, p.numel()): the non-trainable ones, BatchNorm's statistics, are buffers there.
        pytorchParams: t.trainableParams,
        totalMacs: t.macs,
        weightBytes: t.weightBytes,
        activationBytes: t.activationBytes,
        receptiveField: t.receptiveField ?? null,
        diagnostics: diagnostics.map(jsonDiagnostic),
      };
      out.stdout(`${JSON.stringify(json, null, 2)}\n`);
    } else out.stdout(formatSummary(design, analysis, diagnostics, undefined, { expand: args.flag('expand') }));
    return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  },
};

function jsonDiagnostic(d: import('../core/analysis/diagnostic').Diagnostic) {
  return {
    severity: d.severity,
    code: d.code,
    nodeId: d.nodeId ?? null,
    message: d.message,
    fix: d.fixes[0]?.title ?? null,
    line: d.line ?? null,
    column: d.column ?? null,
  };
}
