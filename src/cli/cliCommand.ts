import type { CommandLineSpec, ParsedCommandLine } from './commandLine';

/** Where a command writes; tests capture it. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stderr is a terminal (progress redraws one line); absent or false: a log, which gets whole lines. */
  terminal?: boolean;
}

/**
 * One `cnn-designer` sub-command: its command line (positional arguments and the one table of its
 * options, from which parsing and `--help` are derived) and what it does with it.
 */
export interface CliCommand extends CommandLineSpec {
  /** Runs with the checked command line; resolves to the exit code. */
  run(args: ParsedCommandLine, out: CliOutput): number | Promise<number>;
}
