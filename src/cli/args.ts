/** `util.parseArgs` with its errors turned into VigilErrors that name the option. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VigilError, invalidArgument, messageOf } from '../errors.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type ParsedArgs<T extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

export function parseCommandArgs<T extends OptionsConfig>(args: string[], options: T, command: string): ParsedArgs<T> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = messageOf(err);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'arguments';
    const code = (err as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw new VigilError('UNKNOWN_FIELD', `${option}: unknown option for "vigil ${command}"; see "vigil help"`, {
        field: option,
      });
    }
    throw invalidArgument(option, `${message.split('\n')[0]}; see "vigil help"`);
  }
}

export function parsePortOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw invalidArgument('--port', `expected a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}
