/** `vigil serve`: loads the config, starts Vigil and runs until SIGINT or SIGTERM. */
import { invalidArgument } from '../../errors.js';
import { loadConfig } from '../../config/config-file.js';
import { startVigil } from '../../runtime.js';
import { parseCommandArgs, parsePortOption } from '../args.js';
import { sizeHeapForServer } from '../server-heap.js';

const options = {
  config: { type: 'string' },
  port: { type: 'string' },
  data: { type: 'string' },
  'no-demo': { type: 'boolean' },
} as const;

export async function runServe(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, 'serve');
  if (positionals.length > 0) {
    throw invalidArgument('arguments', `vigil serve takes no arguments, got ${JSON.stringify(positionals[0])}`);
  }
  const port = parsePortOption(values.port);
  const config = loadConfig({
    ...(values.config === undefined ? {} : { file: values.config }),
    env,
    overrides: {
      ...(port === undefined ? {} : { port }),
      ...(values.data === undefined ? {} : { dataDir: values.data }),
      ...(values['no-demo'] === true ? { demo: false } : {}),
    },
  });
  sizeHeapForServer();
  const vigil = await startVigil(config);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stdout.write(`${signal}: stopping (recorders close their segments)\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await vigil.stop();
  return 0;
}
