/**
 * Custom encoder arguments (ffmpeg output options), as a list of
 * `{ option, value }` in the order given. The transcoder applies them
 * (export/transcode/custom-encoder-args.ts): `-vf` filters are appended to
 * the plan's chain, `-r`/`-aspect`/`-pix_fmt`/`-movflags`/`-an` do what the
 * ffmpeg CLI does with them, and every other `-name value` is an option of the
 * video encoder (`-name:a value`: the audio encoder), which the engine checks
 * by name and value before the first frame.
 *
 * Everyone: the job owns its input, its output file, its container, its
 * range and its progress pipe, so `-i`, `-f`, `-y`, `-n`, `-ss`, `-t`, `-to`,
 * `-progress`… and any bare word where an option is expected (the encoder
 * would take it as one more output file) are refused; so are the CLI's
 * stream mapping and muxing options, which are no encoder's (`-map`,
 * `-filter_complex`, `-metadata`, `-c:v`…), and flags other than `-an`, `-sn`, `-dn`.
 *
 * Admins: any other encoder option or filter, unchecked (they can already
 * change the server's configuration; the checks above catch what cannot apply).
 *
 * Other users: only the options in ALLOWED_OPTIONS, each value matched
 * against a pattern that leaves no room for paths or protocols, and filters
 * limited to SAFE_FILTERS (drawtext without fontfile or textfile).
 */
import { invalidArgument } from '../../errors.js';
import type { CustomArg } from './types.js';
import { show } from './values.js';

const FIELD = 'options.custom_args';
const MAX_ARGS = 64;
const MAX_ARG_LENGTH = 1024;

const JOB_OWNED = new Set(['-i', '-f', '-y', '-n', '-ss', '-sseof', '-t', '-to', '-fs', '-progress', '-stdin']);

/** Command-line options that are no encoder's: the export cannot apply them. */
const NOT_ENCODER_OPTIONS = new Set([
  '-map',
  '-filter_complex',
  '-filter_complex_script',
  '-lavfi',
  '-metadata',
  '-map_metadata',
  '-map_chapters',
  '-c',
  '-codec',
  '-c:v',
  '-codec:v',
  '-vcodec',
  '-c:a',
  '-codec:a',
  '-acodec',
  '-vn',
  '-itsoffset',
  '-frames:v',
  '-vframes',
  '-bsf:v',
  '-bsf:a',
]);
/** The flags the transcoder applies; any other option needs a value. */
const APPLIED_FLAGS = new Set(['-an', '-sn', '-dn']);
/** `-name`, `-name:v`, `-name:a`, with an optional `:0`: what the transcoder maps to an encoder option. */
const OPTION_NAME = /^-[A-Za-z0-9_][A-Za-z0-9_-]*(:[va](:0)?)?$/;
/** A negative number after an option is its value, not the next option. */
const NEGATIVE_NUMBER = /^-\d/;

/** Options that take no value, so the word after them is the next option (or a stray output file). */
const FLAGS = new Set([
  '-an',
  '-vn',
  '-sn',
  '-dn',
  '-shortest',
  '-copyts',
  '-start_at_zero',
  '-nostdin',
  '-hide_banner',
  '-stats',
  '-nostats',
  '-benchmark',
  '-accurate_seek',
  '-noaccurate_seek',
  '-autorotate',
  '-noautorotate',
  '-xerror',
]);

const INT = /^-?\d{1,9}$/;
const NUMBER = /^-?\d{1,9}(\.\d{1,6})?$/;
const WORD = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
const BITRATE = /^\d{1,9}(\.\d{1,3})?[kKM]?$/;
const RATE = /^\d{1,6}(\.\d{1,6})?(\/\d{1,6})?$/;
const RATIO = /^\d{1,6}(\.\d{1,6})?(:\d{1,6})?$/;
const MOVFLAGS = /^[+-]?[a-z_]{1,32}([+-][a-z_]{1,32}){0,8}$/;

type ValueRule = RegExp | 'filter' | 'any';

/** What other users may pass: quality and rate control, GOP shape, pixel format, a safe filter chain. */
export const ALLOWED_OPTIONS: Readonly<Record<string, ValueRule | 'flag'>> = {
  '-crf': NUMBER,
  '-qp': INT,
  '-q:v': NUMBER,
  '-preset': WORD,
  '-tune': WORD,
  '-profile:v': WORD,
  '-level': WORD,
  '-g': INT,
  '-bf': INT,
  '-refs': INT,
  '-keyint_min': INT,
  '-sc_threshold': INT,
  '-pix_fmt': WORD,
  '-r': RATE,
  '-aspect': RATIO,
  '-b:v': BITRATE,
  '-maxrate': BITRATE,
  '-minrate': BITRATE,
  '-bufsize': BITRATE,
  '-threads': INT,
  '-tag:v': WORD,
  '-movflags': MOVFLAGS,
  '-ac': INT,
  '-ar': INT,
  '-b:a': BITRATE,
  '-vf': 'filter',
  '-filter:v': 'filter',
  '-an': 'flag',
  '-sn': 'flag',
  '-dn': 'flag',
};

/** None of these reads or writes a file. */
export const SAFE_FILTERS: ReadonlySet<string> = new Set([
  'scale',
  'fps',
  'crop',
  'pad',
  'hflip',
  'vflip',
  'transpose',
  'rotate',
  'format',
  'setpts',
  'setsar',
  'setdar',
  'drawtext',
  'drawbox',
  'eq',
  'hqdn3d',
  'unsharp',
  'yadif',
  'null',
]);

/**
 * drawtext's options by name only: its first positional option is `fontfile`,
 * and `textfile` reads any file. None of these reads a file.
 */
const DRAWTEXT_KEYS = new Set([
  'text',
  'x',
  'y',
  'fontsize',
  'fontcolor',
  'fontcolor_expr',
  'font',
  'box',
  'boxcolor',
  'boxborderw',
  'borderw',
  'bordercolor',
  'shadowx',
  'shadowy',
  'shadowcolor',
  'alpha',
  'line_spacing',
  'fix_bounds',
  'tabsize',
  'enable',
]);

/**
 * Quotes, backslashes, `;` and `[` `]` are how a filter graph hides a comma or
 * links a second chain (a `movie=` source reads files). Refusing them makes a
 * plain split on `,` and `:` see exactly what the encoder sees.
 */
const FILTER_SPECIALS = /['"\\;[\]]/;

function refuse(token: string, index: number, why: string): never {
  throw invalidArgument(FIELD, `${show(token)} (argument ${index + 1}) ${why}`);
}

function checkFilterChain(chain: string, index: number): void {
  if (FILTER_SPECIALS.test(chain)) {
    refuse(chain, index, 'contains quotes, backslashes, ";" or "[ ]", which only admins may use in filters');
  }
  for (const filter of chain.split(',')) {
    const m = /^\s*([a-z0-9_]+)(?:=(.*))?$/s.exec(filter);
    const name = m?.[1];
    if (m === null || name === undefined || !SAFE_FILTERS.has(name)) {
      refuse(filter, index, `is not an allowed filter; allowed: ${[...SAFE_FILTERS].join(', ')}`);
    }
    if (name !== 'drawtext') continue;
    for (const pair of (m[2] ?? '').split(':')) {
      const key = pair.split('=', 1)[0]?.trim() ?? '';
      if (!pair.includes('=') || !DRAWTEXT_KEYS.has(key)) {
        refuse(
          pair,
          index,
          `is not allowed in drawtext (options by name only, no fontfile or textfile); allowed: ${[...DRAWTEXT_KEYS].join(', ')}`,
        );
      }
    }
  }
}

function checkToken(token: unknown, index: number): string {
  if (typeof token !== 'string') refuse(String(token), index, 'is not a string');
  if (token.length === 0 || token.length > MAX_ARG_LENGTH) {
    refuse(token.slice(0, 40), index, `must have 1 to ${MAX_ARG_LENGTH} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(token)) refuse(token, index, 'contains a control character');
  return token;
}

/** Everyone's rules, then the allowlist for non-admins. Ignored (never called) for a stream copy. */
export function parseCustomArgs(raw: unknown, isAdmin: boolean): CustomArg[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    throw invalidArgument(
      FIELD,
      `expected a list of strings such as ["-crf", "23", "-preset", "fast"], got ${show(raw)}`,
    );
  }
  if (raw.length > MAX_ARGS) throw invalidArgument(FIELD, `at most ${MAX_ARGS} arguments, got ${raw.length}`);
  const tokens = raw.map(checkToken);
  const args: CustomArg[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const option = tokens[i]!;
    if (!option.startsWith('-') || option === '-') {
      refuse(option, i, 'is where an option is expected: the encoder would write it as another output file');
    }
    if (JOB_OWNED.has(option.toLowerCase())) {
      refuse(option, i, 'is set by the export job itself (input, output file, container, range or progress)');
    }
    if (NOT_ENCODER_OPTIONS.has(option.toLowerCase())) {
      refuse(
        option,
        i,
        'is a command-line option, not an encoder option: exports apply encoder options and filters only',
      );
    }
    const rule = isAdmin ? adminRule(option, tokens[i + 1], i) : ALLOWED_OPTIONS[option];
    if (rule === undefined) {
      refuse(option, i, `is not allowed; allowed options: ${Object.keys(ALLOWED_OPTIONS).join(' ')}`);
    }
    const next = tokens[i + 1];
    if (rule === 'flag') {
      args.push({ option });
      continue;
    }
    if (next === undefined) refuse(option, i, 'needs a value after it');
    i++;
    if (rule instanceof RegExp && !rule.test(next)) refuse(next, i, `is not an allowed value for ${option}`);
    if (rule === 'filter') checkFilterChain(next, i);
    args.push({ option, value: next });
  }
  return args;
}

/** An admin's option: any encoder option name, with a value unless it is a flag the transcoder applies. */
function adminRule(option: string, next: string | undefined, index: number): ValueRule | 'flag' | 'any' {
  if (!OPTION_NAME.test(option)) refuse(option, index, 'is not an encoder option name (-name, -name:v or -name:a)');
  if (APPLIED_FLAGS.has(option)) return 'flag';
  if (FLAGS.has(option) || next === undefined || (next.startsWith('-') && !NEGATIVE_NUMBER.test(next))) {
    refuse(
      option,
      index,
      `takes no value here, and the only flags an export applies are ${[...APPLIED_FLAGS].join(' ')}`,
    );
  }
  return 'any';
}

/** The flat argv the encoder receives. */
export function customArgsToArgv(args: readonly CustomArg[]): string[] {
  return args.flatMap((a) => (a.value === undefined ? [a.option] : [a.option, a.value]));
}
