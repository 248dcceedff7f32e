import { LAYER_CATALOG } from '../layers/layerCatalog';
import type { ParamSpec } from '../layers/layerType';
const kindText = (p: ParamSpec): string => {
  switch (p.kind) {
    case 'int': return `integer${p.min !== undefined ? ` ≥ ${p.min}` : ''}`;
    case 'number': return `number${p.min !== undefined && p.max !== undefined ? ` in [${p.min}, ${p.max}${p.exclusiveMax ? ')' : ']'}` : p.min !== undefined ? ` ≥ ${p.min}` : ''}`;
    case 'bool': return 'true / false';
    case 'enum': return p.options.map((o: string) => `\`${o}\``).join(', ');
    case 'window': return p.dims === 2 ? 'integer or [h, w]' : 'integer';
    case 'padding': return p.dims === 2 ? '`"valid"`, `"same"`, integer or [h, w]' : '`"valid"`, `"same"` or integer';
    case 'shape': return '[H, W, C], [L, C] or [N]';
    case 'sides': return p.dims === 2 ? 'integer, [top/bottom, left/right] or [top, bottom, left, right]' : 'integer or [before, after]';
  }
  return '';
};

/** The layer reference of docs/format.md, generated from the catalog so it cannot drift. */
export function layerReferenceMarkdown(): string {
  const lines: string[] = [];
  for (const l of LAYER_CATALOG) {
    lines.push(`### \`${l.type}\` (${l.group})`, '', l.description, '', `Inputs: ${l.inputs.min === l.inputs.max ? l.inputs.min : l.inputs.max === l.inputs.min + 1 ? `${l.inputs.min} or ${l.inputs.max}` : `${l.inputs.min} or more`}.`, '');
    if (l.params.length) {
      lines.push('| param | value | default | meaning |', '|---|---|---|---|');
      for (const p of l.params) lines.push(`| \`${p.name}\`${p.required ? ' (required)' : ''} | ${kindText(p)} | ${p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``} | ${p.doc} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}
