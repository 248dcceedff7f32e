import type { ParamSpec } from '../../src/core/layers/layerType';
import { resolveParamValue } from '../../src/core/layers/resolveParams';

/** How a parameter's JSON value is written in an inspector text field: 3, 3×5, same, 28×28×1. */
export function paramToText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export type ParsedParamText = { value: unknown; error?: undefined } | { value?: undefined; error: string };

/**
 * Reads what the user typed into a parameter field and checks it with the same rules as the
 * analysis. An empty field means "use the default" (null), which required parameters refuse.
 */
export function parseParamText(spec: ParamSpec, text: string): ParsedParamText {
  const trimmed = text.trim();
  if (trimmed === '') return spec.required ? { error: `${spec.label} is required.` } : { value: null };
  let raw: unknown = trimmed;
  const numbers = trimmed.replace(/^\[|\]$/g, '').split(/\s*(?:,|×|x|\s)\s*/i).filter((s) => s !== '');
  const asNumbers = numbers.map(Number);
  const numeric = numbers.length > 0 && asNumbers.every((n) => Number.isFinite(n));
  switch (spec.kind) {
    case 'int':
    case 'number':
      raw = Number(trimmed);
      if (!Number.isFinite(raw)) return { error: `${spec.label} must be a number.` };
      break;
    case 'bool':
      raw = trimmed === 'true';
      break;
    case 'window':
    case 'padding':
    case 'sides':
    case 'shape':
      if (numeric) raw = asNumbers.length === 1 && spec.kind !== 'shape' ? asNumbers[0] : asNumbers;
      break;
    case 'enum':
      break;
  }
  let message: string | undefined;
  resolveParamValue(spec, raw, (d) => {
    message ??= d.message;
  });
  return message ? { error: message } : { value: raw };
}
