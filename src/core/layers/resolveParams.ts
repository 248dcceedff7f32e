import type { DiagnosticInput } from '../analysis/diagnostic';
import type { ParamSpec } from './layerType';

/** A padding after resolution: a mode, or explicit zeros on each side per spatial axis. */
export type ResolvedPadding = 'valid' | 'same' | number[];

const describeValue = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** A default is valid by construction; one reporter for all of them, not a closure per parameter. */
const ignoreReport = (): void => undefined;

/** Defaults resolved once per spec: most parameters of most layers are left at their default. */
const resolvedDefaults = new WeakMap<ParamSpec, unknown>();

/** A spec's default in resolved form; a list is copied, so no layer's params share one. */
function resolvedDefault(spec: ParamSpec): unknown {
  let value = resolvedDefaults.get(spec);
  if (value === undefined) {
    value = resolveParamValue(spec, spec.default, ignoreReport);
    resolvedDefaults.set(spec, value);
  }
  return Array.isArray(value) ? value.slice() : value;
}

/** `value` `count` times (literals for the usual counts: exactly sized and packed). */
function repeated<T>(value: T, count: number): T[] {
  if (count === 1) return [value];
  if (count === 2) return [value, value];
  if (count === 4) return [value, value, value, value];
  return new Array<T>(count).fill(value);
}

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

function reportInvalid(spec: ParamSpec, raw: unknown, expected: string, report: (d: DiagnosticInput) => void): undefined {
  report({
    severity: 'error',
    code: 'invalid-param',
    param: spec.name,
    message: `${spec.label} (${spec.name}) is ${describeValue(raw)}, but it must be ${expected}.`,
    fixes: [],
  });
  return undefined;
}

const range = (min?: number, max?: number, exclusiveMax?: boolean): string =>
  min !== undefined && max !== undefined
    ? ` from ${min} to ${max}${exclusiveMax ? ' (exclusive)' : ''}`
    : min !== undefined
      ? ` of at least ${min}`
      : max !== undefined
        ? ` of at most ${max}`
        : '';

const windowExpected = (dims: number, min: number): string =>
  dims === 1 ? `an integer of at least ${min}` : `an integer of at least ${min}, or [height, width] of such integers`;
const paddingExpected = (dims: number): string =>
  dims === 1
    ? '"valid", "same", or a number of zeros added on each side (0 or more)'
    : '"valid", "same", a number of zeros added on each side (0 or more), or [top/bottom, left/right]';
const sidesExpected = (dims: number): string =>
  dims === 1
    ? 'an integer of 0 or more, or [before, after] of such integers'
    : 'an integer of 0 or more, [top/bottom, left/right] or [top, bottom, left, right] of such integers';

/**
 * Checks one parameter's raw JSON value against its spec and returns its resolved form, or
 * undefined after reporting why it is not acceptable. Windows and explicit paddings become one
 * number per spatial axis.
 */
export function resolveParamValue(spec: ParamSpec, raw: unknown, report: (d: DiagnosticInput) => void): unknown {
  // Runs for every parameter of every layer on each keystroke: the problem path builds its
  // message through module-level helpers, so the common path allocates nothing.
  switch (spec.kind) {
    case 'int':
      if (!isInt(raw) || (spec.min !== undefined && raw < spec.min) || (spec.max !== undefined && raw > spec.max))
        return reportInvalid(spec, raw, `an integer${range(spec.min, spec.max)}`, report);
      return raw;
    case 'number':
      if (
        typeof raw !== 'number' ||
        !Number.isFinite(raw) ||
        (spec.min !== undefined && raw < spec.min) ||
        (spec.max !== undefined && (spec.exclusiveMax ? raw >= spec.max : raw > spec.max))
      )
        return reportInvalid(spec, raw, `a number${range(spec.min, spec.max, spec.exclusiveMax)}`, report);
      // −0 computes as 0 and every export writes it so.
      return raw + 0;
    case 'bool':
      if (typeof raw !== 'boolean') return reportInvalid(spec, raw, 'true or false', report);
      return raw;
    case 'enum':
      if (typeof raw !== 'string' || !spec.options.includes(raw)) return reportInvalid(spec, raw, `one of ${spec.options.map((o) => `"${o}"`).join(', ')}`, report);
      return raw;
    case 'window': {
      if (isInt(raw)) return raw >= spec.min ? repeated(raw, spec.dims) : reportInvalid(spec, raw, windowExpected(spec.dims, spec.min), report);
      if (Array.isArray(raw) && raw.length === spec.dims && raw.every((v) => isInt(v) && v >= spec.min)) return [...raw];
      return reportInvalid(spec, raw, windowExpected(spec.dims, spec.min), report);
    }
    case 'padding': {
      if (raw === 'valid' || raw === 'same') return raw;
      if (isInt(raw)) return raw >= 0 ? repeated(raw, spec.dims) : reportInvalid(spec, raw, paddingExpected(spec.dims), report);
      if (Array.isArray(raw) && raw.length === spec.dims && raw.every((v) => isInt(v) && v >= 0)) return [...raw];
      return reportInvalid(spec, raw, paddingExpected(spec.dims), report);
    }
    case 'sides': {
      const amounts = isInt(raw) ? [raw] : Array.isArray(raw) ? raw : undefined;
      if (!amounts || !amounts.every((v) => isInt(v) && v >= 0)) return reportInvalid(spec, raw, sidesExpected(spec.dims), report);
      if (amounts.length === 1) return repeated(amounts[0], 2 * spec.dims);
      if (spec.dims === 2 && amounts.length === 2) return [amounts[0], amounts[0], amounts[1], amounts[1]];
      if (amounts.length === 2 * spec.dims) return [...amounts];
      return reportInvalid(spec, raw, sidesExpected(spec.dims), report);
    }
    case 'shape':
      if (Array.isArray(raw) && raw.length >= 1 && raw.length <= 3 && raw.every((v) => isInt(v) && v >= 1 && v <= 1_000_000)) return [...raw];
      return reportInvalid(spec, raw, 'a list of 1 to 3 positive integers: [height, width, channels], [length, channels] or [features]', report);
  }
}

/**
 * Resolves all parameters of a node: defaults for absent ones, checks for present ones, a report
 * for missing required ones and for keys the layer does not know. Returns undefined when any
 * parameter is unusable, so no shape is guessed from bad input.
 */
export function resolveParams(
  specs: readonly ParamSpec[],
  raw: Record<string, unknown>,
  report: (d: DiagnosticInput) => void,
  layerLabel: string,
): Record<string, unknown> | undefined {
  const resolved: Record<string, unknown> = {};
  let ok = true;
  for (const spec of specs) {
    const value = Object.prototype.hasOwnProperty.call(raw, spec.name) ? raw[spec.name] : undefined;
    if (value === undefined || value === null) {
      if (spec.required) {
        report({
          severity: 'error',
          code: 'missing-param',
          param: spec.name,
          message: `${layerLabel} needs ${spec.label.toLowerCase()} (${spec.name}): ${spec.doc}`,
        });
        ok = false;
      } else if (spec.default !== undefined) {
        resolved[spec.name] = resolvedDefault(spec);
      }
      continue;
    }
    const value2 = resolveParamValue(spec, value, report);
    if (value2 === undefined) ok = false;
    else resolved[spec.name] = value2;
  }
  for (const key in raw) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) continue;
    if (!namesSpec(specs, key)) {
      const known = specs.map((s) => s.name);
      const close = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
      report({
        severity: 'warning',
        code: 'unknown-param',
        param: key,
        message: `${layerLabel} has no parameter "${key}"; it is ignored.${close ? ` Did you mean "${close}"?` : ` Its parameters are: ${known.join(', ') || 'none'}.`}`,
        fixes: close ? [{ title: `Rename "${key}" to "${close}"` }] : [],
      });
    }
  }
  return ok ? resolved : undefined;
}

/** Whether a spec is named `key` (a plain loop: this runs for every parameter of every layer). */
function namesSpec(specs: readonly ParamSpec[], key: string): boolean {
  for (let i = 0; i < specs.length; i++) if (specs[i].name === key) return true;
  return false;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
