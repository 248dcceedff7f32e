/** Where a command writes; tests capture it. */
export interface CliOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** One `cnn-designer` sub-command. */
export interface CliCommand {
  name: string;
  /** One line for the help text: arguments and what it does. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], out: CliOutput): number | Promise<number>;
}
