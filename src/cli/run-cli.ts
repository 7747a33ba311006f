/**
 * Dispatches the `vigil` command line: `serve`, `import`, `help`. Each
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
}

const defaultIo: CliIo = {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
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
      default:
        throw new VigilError('INVALID_ARGUMENT', `unknown command "${command}"; use serve, import or help`, {
          field: 'command',
        });
    }
  } catch (err) {
    const failure = describeFailure(err);
    io.err(failure.message);
    return failure.exit;
  }
}
