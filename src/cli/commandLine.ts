import { parseArgs } from 'node:util';
import { closestName } from '../core/closestName';
import { CliError } from './cliIo';

/**
 * One option of a sub-command. Each command declares its options in one table of these; parsing,
 * checking and the command's `--help` are all derived from it, so a flag cannot exist without being
 * explained, nor be explained without being accepted.
 */
export interface CliOption {
  /** The long name without dashes: `epochs` is `--epochs`. */
  name: string;
  /** A one-letter alias: `o` is `-o`. */
  short?: string;
  /** A flag (true when given) or an option that takes a value (`--epochs 3` or `--epochs=3`). */
  type: 'boolean' | 'string';
  /** How the value is shown in the help: N, PATH, NAME. */
  valueName?: string;
  /** The values accepted, listed in the help and checked ("did you mean" for a near miss). */
  choices?: readonly string[];
  /** The command cannot run without it. */
  required?: boolean;
  /** What it does, for the help. */
  meaning: string;
}

/** The positional arguments of a command: how they read in the usage line and how many are taken. */
export interface CliPositionals {
  /** E.g. `FILE` or `FILE…`. */
  usage: string;
  /** What they are, for the error when one is missing. */
  meaning: string;
  min: number;
  max: number;
}

/** What a command declares about its command line. */
export interface CommandLineSpec {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** More about what the command does, shown in its `--help` under the usage line. */
  description?: string;
  positionals: CliPositionals;
  options: readonly CliOption[];
}

/** Added to every command's table. */
export const HELP_OPTION: CliOption = { name: 'help', short: 'h', type: 'boolean', meaning: 'Prints this help and does nothing else.' };

/** A checked command line: positional arguments and the options given, read by name. */
export class ParsedCommandLine {
  constructor(
    private readonly spec: CommandLineSpec,
    readonly positionals: string[],
    private readonly values: ReadonlyMap<string, string | boolean>,
  ) {}

  /** Whether a boolean flag was given. */
  flag(name: string): boolean {
    return this.option(name, 'boolean') === true;
  }

  /** The value of an option that takes one; undefined when not given. */
  string(name: string): string | undefined {
    const value = this.option(name, 'string');
    return typeof value === 'string' ? value : undefined;
  }

  /** The value of an option that must be a whole number ≥ 1; undefined when not given. */
  positiveInteger(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer, got "${raw}"`);
    return n;
  }

  private option(name: string, type: CliOption['type']): string | boolean | undefined {
    const declared = this.spec.options.find((o) => o.name === name);
    // A command reading an option its table does not declare is a bug in the command, not bad input.
    if (!declared || declared.type !== type) throw new Error(`cnn-designer ${this.spec.name} reads --${name} as a ${type} option, which its option table does not declare`);
    return this.values.get(name);
  }
}

/** Thrown for `--help` / `-h`: the caller prints the help and runs nothing. */
export class HelpRequested {
  constructor(readonly spec: CommandLineSpec) {}
}

const dashed = (option: CliOption): string => `--${option.name}`;

/**
 * Parses a sub-command's arguments strictly against its option table: an unknown option, a missing
 * or unexpected value, a value outside `choices`, an option given twice or a wrong number of
 * positional arguments is a CliError (with "did you mean" for a near miss). `--help` anywhere
 * returns a HelpRequested before anything else is checked.
 */
export function parseCommandLine(spec: CommandLineSpec, argv: string[]): ParsedCommandLine | HelpRequested {
  const options = [...spec.options, HELP_OPTION];
  const parseOptions = Object.fromEntries(options.map((o) => [o.name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  // Non-strict with tokens: every problem is found here and explained in the project's own words.
  const { tokens } = parseArgs({ args: argv, options: parseOptions, strict: false, allowPositionals: true, tokens: true });
  const optionTokens = tokens.filter((t) => t.kind === 'option');
  if (optionTokens.some((t) => t.name === 'help')) return new HelpRequested(spec);

  const values = new Map<string, string | boolean>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = options.find((o) => o.name === token.name);
    if (!option) {
      // One-letter options are too short to guess from.
      const guess = token.rawName.startsWith('--') ? closestName(token.rawName, options.map(dashed)) : undefined;
      throw new CliError(`Unknown option ${token.rawName}.${guess ? ` Did you mean ${guess}?` : ''} ${seeHelp(spec)}`);
    }
    if (values.has(option.name)) throw new CliError(`${dashed(option)} is given twice`);
    if (option.type === 'boolean') {
      if (token.inlineValue) throw new CliError(`${dashed(option)} takes no value (got "${token.value}")`);
      values.set(option.name, true);
      continue;
    }
    // `--runs --epochs 3` would take "--epochs" as the folder; a value may start with one dash (-1).
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new CliError(`${token.rawName} needs a value: ${token.rawName} ${option.valueName ?? 'VALUE'}. ${seeHelp(spec)}`);
    }
    if (option.choices && !option.choices.includes(token.value)) {
      const guess = closestName(token.value, option.choices);
      throw new CliError(`${dashed(option)} "${token.value}" is not one of ${option.choices.join(', ')}.${guess ? ` Did you mean ${guess}?` : ''}`);
    }
    values.set(option.name, token.value);
  }

  const { min, max } = spec.positionals;
  if (positionals.length < min) throw new CliError(`Missing ${spec.positionals.meaning}. Usage: ${usageLine(spec)}`);
  if (positionals.length > max) throw new CliError(`Unexpected argument "${positionals[max]}": ${spec.name} takes ${max === 1 ? 'one' : max} ${spec.positionals.meaning}. ${seeHelp(spec)}`);
  for (const option of spec.options) {
    if (option.required && !values.has(option.name)) {
      throw new CliError(`Missing ${dashed(option)} ${option.valueName ?? 'VALUE'}${option.choices ? ` (one of ${option.choices.join(', ')})` : ''}. ${seeHelp(spec)}`);
    }
  }
  return new ParsedCommandLine(spec, positionals, values);
}

const seeHelp = (spec: CommandLineSpec): string => `See: cnn-designer ${spec.name} --help`;

/** `cnn-designer train FILE [options]` */
export const usageLine = (spec: CommandLineSpec): string => {
  const required = spec.options.filter((o) => o.required).map((o) => `${dashed(o)} ${o.valueName ?? 'VALUE'}`);
  return ['cnn-designer', spec.name, spec.positionals.usage, ...required, '[options]'].join(' ');
};

/** Help text lines fit this width (a common terminal). */
export const HELP_WIDTH = 100;

/** A command's `--help`: usage, description and every option with its meaning. */
export function commandHelp(spec: CommandLineSpec): string {
  const rows = [...spec.options, HELP_OPTION].map((o) => {
    const value = o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : '';
    const names = `${o.short ? `-${o.short}, ` : '    '}${dashed(o)}${value}`;
    const choices = o.choices ? ` One of: ${o.choices.join(', ')}.` : '';
    return { names, meaning: `${o.meaning}${choices}${o.required ? ' Required.' : ''}` };
  });
  const column = Math.min(Math.max(...rows.map((r) => r.names.length)) + 4, 32);
  const lines = [`Usage: ${usageLine(spec)}`, '', ...wrap(spec.summary, HELP_WIDTH, '')];
  if (spec.description) lines.push('', ...spec.description.split('\n').flatMap((p) => wrap(p, HELP_WIDTH, '')));
  lines.push('', 'Options:');
  for (const row of rows) {
    const indent = ' '.repeat(column);
    const wrapped = wrap(row.meaning, HELP_WIDTH, indent);
    const head = `  ${row.names}`;
    if (head.length + 2 <= column) lines.push(head.padEnd(column) + wrapped[0].slice(column), ...wrapped.slice(1));
    else lines.push(head, ...wrapped);
  }
  return `${lines.join('\n')}\n`;
}

/** Greedy word wrap; every line starts with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  lines.push(line);
  return lines;
}
