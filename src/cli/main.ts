import type { CliCommand, CliOutput } from './cliCommand';
import { closestName } from '../core/closestName';
import { CliError } from './cliIo';
import { commandHelp, HelpRequested, parseCommandLine } from './commandLine';
import { summaryCommand } from './summaryCommand';
import { validateCommand } from './validateCommand';
import { trainCommand } from './trainCommand';
import { exportCommand } from './exportCommand';
import { importCommand } from './importCommand';
import { enginesCommand } from './enginesCommand';

/** Every sub-command, in help order. Adding one is one import and one entry here. */
export const CLI_COMMANDS: CliCommand[] = [summaryCommand, validateCommand, exportCommand, importCommand, trainCommand, enginesCommand];

const HELP = (): string => {
  const synopsis = (c: CliCommand): string => `${c.name} ${c.positionals.usage}`;
  const width = Math.max(...CLI_COMMANDS.map((c) => synopsis(c).length)) + 4;
  return (
    'cnn-designer: design, check, train and export convolutional networks (.cnn.json)\n\n' +
    'Usage: cnn-designer <command> [arguments]\n\n' +
    `${CLI_COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}${c.summary}`).join('\n')}\n\n` +
    "'cnn-designer <command> --help' lists a command's arguments and options.\n"
  );
};

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h' || arg === 'help';

/** Runs the CLI and resolves to its exit code: 0 success, 1 the design has errors, 2 bad usage or input. */
export async function runCli(argv: string[], out: CliOutput): Promise<number> {
  const [name, ...rest] = argv;
  // `cnn-designer help train` is `cnn-designer train --help`.
  if (name === 'help' && rest.length > 0) return runCli([rest[0], '--help'], out);
  if (!name || isHelp(name)) {
    out.stdout(HELP());
    return name ? 0 : 2;
  }
  const command = CLI_COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = closestName(name, CLI_COMMANDS.map((c) => c.name));
    out.stderr(`Unknown command "${name}".${guess ? ` Did you mean ${guess}?` : ''}\n\n${HELP()}`);
    return 2;
  }
  try {
    const args = parseCommandLine(command, rest);
    if (args instanceof HelpRequested) {
      out.stdout(commandHelp(command));
      return 0;
    }
    return await command.run(args, out);
  } catch (err) {
    if (err instanceof CliError) {
      out.stderr(`cnn-designer ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    out.stderr(`cnn-designer ${name}: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    return 3;
  }
}

/**
 * Runs the CLI on this process's arguments and sets its exit code. The `cnn-designer` bin calls it
 * whatever name or link it was started through (npx, npm link, a global install's symlink).
 */
export function runCliInProcess(): Promise<void> {
  return runCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), terminal: process.stderr.isTTY }).then((code) => {
    process.exitCode = code;
  });
}

// `node dist/cli.js …` runs it too.
if (require.main === module) void runCliInProcess();
