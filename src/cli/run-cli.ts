/**
 * Dispatches the `vigil` command line: `serve`, `import`, `export`, `help`. Each
 * command calls the same library code as the HTTP API; failures print one
 * line and exit with the code from the exit table.
 */
import { VigilError } from '../errors.js';
import { runHelp } from './commands/help.js';
import { describeFailure } from './exit-codes.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Live progress (`vigil export`): a bar on a terminal; plain lines through `err` when absent. */
  progress?: { isTty: boolean; write: (text: string) => void };
  /** Installs a Ctrl-C handler and returns its remover. */
  onInterrupt?: (handler: () => void) => () => void;
}

const defaultIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: { isTty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) },
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/** Runs one command and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return runHelp(io.out);
      case 'serve': {
        // Loaded on demand: the recorder pulls in the media engine, which `help` does not need.
        const { runServe } = await import('./commands/serve.js');
        return await runServe(rest, io.env);
      }
      case 'import': {
        const { runImport } = await import('./commands/import.js');
        return await runImport(rest, io.env, io.out);
      }
      case 'export': {
        const { runExport } = await import('./commands/export.js');
        return await runExport(rest, io);
      }
      default:
        throw new VigilError('INVALID_ARGUMENT', `unknown command "${command}"; use serve, import, export or help`, {
          field: 'command',
        });
    }
  } catch (err) {
    const failure = describeFailure(err);
    io.err(failure.message);
    return failure.exit;
  }
}
