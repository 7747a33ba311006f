import assert from 'node:assert/strict';
import { test } from 'node:test';
import { customArgsToArgv, parseCustomArgs } from './custom-args.js';
import { assertRefused } from './testing.js';

const FIELD = 'options.custom_args';

test('allowed options become option/value pairs, flags stand alone', () => {
  const args = parseCustomArgs(
    ['-crf', '23', '-preset', 'veryfast', '-an', '-g', '50', '-r', '30000/1001', '-aspect', '16:9', '-b:v', '1500k'],
    false,
  );
  assert.deepEqual(args, [
    { option: '-crf', value: '23' },
    { option: '-preset', value: 'veryfast' },
    { option: '-an' },
    { option: '-g', value: '50' },
    { option: '-r', value: '30000/1001' },
    { option: '-aspect', value: '16:9' },
    { option: '-b:v', value: '1500k' },
  ]);
  assert.deepEqual(customArgsToArgv(args).slice(0, 5), ['-crf', '23', '-preset', 'veryfast', '-an']);
});

test('safe filter chains pass, drawtext with named options only', () => {
  const chains = [
    'scale=1280:-2',
    'fps=5,format=yuv420p',
    'hflip,vflip,transpose=1',
    'crop=640:480:0:0,setpts=0.5*PTS',
    'drawtext=text=Gate 3:x=10:y=10:fontsize=24:fontcolor=white:box=1',
    'drawtext=text=%{pts}:x=w-tw-10:y=10',
  ];
  for (const chain of chains) {
    assert.deepEqual(parseCustomArgs(['-vf', chain], false), [{ option: '-vf', value: chain }], chain);
  }
});

test('non-admins are refused anything outside the allowlist, naming the token', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-i', '/etc/passwd'], /"-i" \(argument 1\) is set by the export job/],
    [['-y'], /"-y"/],
    [['-f', 'mp4'], /"-f"/],
    [['-t', '10'], /"-t"/],
    [['-progress', 'http://evil/'], /"-progress"/],
    [['-dump'], /"-dump" \(argument 1\) is not allowed; allowed options:/],
    [['-filter_complex', 'movie=/etc/passwd'], /"-filter_complex"/],
    [['-lavfi', 'scale=1:1'], /"-lavfi"/],
    [['-af', 'volume=2'], /"-af"/],
    [['-x264-params', 'dump-yuv=/tmp/x'], /"-x264-params"/],
    [['-vstats_file', '/tmp/x'], /"-vstats_file"/],
    [['-crf', '23', '/tmp/out.mp4'], /"\/tmp\/out.mp4" \(argument 3\) is where an option is expected/],
    [['out.mkv'], /"out.mkv" \(argument 1\)/],
    [['-crf', 'file:/etc/passwd'], /"file:\/etc\/passwd" \(argument 2\) is not an allowed value for -crf/],
    [['-preset', 'http://x'], /"http:\/\/x"/],
    [['-pix_fmt', '../x'], /"..\/x"/],
    [['-movflags', 'concat:a|b'], /"concat:a\|b"/],
    [['-crf'], /"-crf" \(argument 1\) needs a value/],
    [['-vf', 'movie=/etc/passwd'], /"movie=\/etc\/passwd" .* is not an allowed filter; allowed: scale/],
    [['-vf', 'scale=1:1,amovie=x'], /"amovie=x"/],
    [['-vf', 'scale=1:1;movie=x'], /quotes, backslashes/],
    [['-vf', '[in]scale=1:1[out]'], /quotes, backslashes/],
    [['-vf', "drawtext=text='a,movie=x'"], /quotes, backslashes/],
    [['-vf', 'drawtext=text=a\\,movie=x'], /quotes, backslashes/],
    [['-vf', 'drawtext=textfile=/etc/passwd'], /"textfile=\/etc\/passwd" .* not allowed in drawtext/],
    [['-vf', 'drawtext=fontfile=/x.ttf:text=a'], /"fontfile=\/x.ttf"/],
    [['-vf', 'drawtext=/x.ttf:text=a'], /"\/x.ttf" .*options by name only/],
    [['-vf', 'drawtext=text=a:reload=1'], /"reload=1"/],
    [['-filter:v', 'zmq'], /"zmq"/],
    [['-crf', '23\n-i'], /control character/],
    [[''], /1 to 1024 characters/],
  ];
  for (const [args, pattern] of cases) {
    assertRefused(() => parseCustomArgs(args, false), FIELD, [pattern]);
  }
});

test('custom args must be a list of strings, and not too many', () => {
  assertRefused(() => parseCustomArgs('-crf 23', false), FIELD, [/expected a list of strings/]);
  assertRefused(() => parseCustomArgs(['-crf', 23], false), FIELD, [/is not a string/]);
  assertRefused(
    () =>
      parseCustomArgs(
        Array.from({ length: 66 }, () => '-an'),
        false,
      ),
    FIELD,
    [/at most 64/],
  );
  assert.deepEqual(parseCustomArgs(undefined, false), []);
  assert.deepEqual(parseCustomArgs(null, true), []);
});

test('admins may pass any encoder option and value, any filter chain, and negative numbers', () => {
  const args = parseCustomArgs(
    [
      '-x264-params',
      'keyint=50:min-keyint=25',
      '-vf',
      "drawtext=fontfile=/usr/share/fonts/a.ttf:text='x'",
      '-af',
      'volume=2',
      '-b:a',
      '96k',
      '-an',
      '-chromaoffset',
      '-2',
    ],
    true,
  );
  assert.deepEqual(args.slice(0, 2), [
    { option: '-x264-params', value: 'keyint=50:min-keyint=25' },
    { option: '-vf', value: "drawtext=fontfile=/usr/share/fonts/a.ttf:text='x'" },
  ]);
  assert.deepEqual(args.at(-2), { option: '-an' });
  // The argv keeps the admin's order, so `-chromaoffset -2` arrives as sent.
  assert.deepEqual(customArgsToArgv(args).slice(-2), ['-chromaoffset', '-2']);
});

test('what no encoder can apply is refused for everyone, naming the token', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-map', '0:v'], /"-map" \(argument 1\) is a command-line option, not an encoder option/],
    [['-filter_complex', '[0:v]null[v]'], /"-filter_complex"/],
    [['-metadata', 'title=x'], /"-metadata"/],
    [['-c:v', 'libx265'], /"-c:v"/],
    [['-shortest'], /"-shortest" \(argument 1\) takes no value here/],
    [['-crf', '20', '-copyts'], /"-copyts" \(argument 3\)/],
    [['-tune', '-crf', '20'], /"-tune" \(argument 1\) takes no value/],
    [['-b:s', '1'], /"-b:s" \(argument 1\) is not an encoder option name/],
  ];
  for (const [args, pattern] of cases) {
    assertRefused(() => parseCustomArgs(args, true), FIELD, [pattern]);
  }
});

test('admins are still refused what the job owns and stray output files', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-i', 'rtsp://cam/'], /"-i"/],
    [['-y'], /"-y"/],
    [['-f', 'matroska'], /"-f"/],
    [['-ss', '10'], /"-ss"/],
    [['-to', '20'], /"-to"/],
    [['-an', '/tmp/copy.mp4'], /"\/tmp\/copy.mp4" \(argument 2\) is where an option is expected/],
    [['-an', 'x.mkv'], /"x.mkv"/],
    [['-'], /"-" \(argument 1\)/],
  ];
  for (const [args, pattern] of cases) {
    assertRefused(() => parseCustomArgs(args, true), FIELD, [pattern]);
  }
});
