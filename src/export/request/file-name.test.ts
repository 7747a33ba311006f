import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  containerOfFileName,
  DEFAULT_FILE_NAME_TEMPLATE,
  formatFileNameTime,
  MAX_FILE_NAME_BYTES,
  nextFreeFileName,
  renderFileName,
  sanitizeFileName,
  withExtension,
} from './file-name.js';
import { assertRefused, NOW_US } from './testing.js';

test('unsafe characters, edges and reserved names are made safe for Windows, macOS and Linux', () => {
  const cases: Array<[string, string]> = [
    ['Front door (2026-01-31 12.00.00).mp4', 'Front door (2026-01-31 12.00.00).mp4'],
    ['a<b>c:d"e/f\\g|h?i*j.mp4', 'a_b_c_d_e_f_g_h_i_j.mp4'],
    ['tab\there\u0000nul\u001fend\u007f.mp4', 'tab_here_nul_end_.mp4'],
    ['name. . .', 'name'],
    ['name .mp4', 'name.mp4'],
    ['  padded  ', 'padded'],
    ['.hidden.mp4', 'hidden.mp4'],
    ['CON', '_CON'],
    ['con.mp4', '_con.mp4'],
    ['NUL.backup.mkv', '_NUL.backup.mkv'],
    ['COM1.avi', '_COM1.avi'],
    ['lpt9.ts', '_lpt9.ts'],
    ['CONSOLE.mp4', 'CONSOLE.mp4'],
    ['photo\u202egpj.exe', 'photo_gpj.exe'],
    ['Cafe\u0301.mp4', 'Caf\u00e9.mp4'],
    ['...', ''],
    ['???', '___'],
    [' . ', ''],
  ];
  for (const [input, expected] of cases) assert.equal(sanitizeFileName(input), expected, JSON.stringify(input));
});

test('long names are cut on a code point, keeping the extension, within the byte limit', () => {
  const ascii = sanitizeFileName(`${'a'.repeat(500)}.mp4`);
  assert.equal(Buffer.byteLength(ascii), MAX_FILE_NAME_BYTES);
  assert.ok(ascii.endsWith('aaa.mp4'));
  const emoji = sanitizeFileName(`${'📷'.repeat(100)}.mkv`);
  assert.ok(Buffer.byteLength(emoji) <= MAX_FILE_NAME_BYTES);
  assert.ok(emoji.endsWith('📷.mkv'), 'no half character before the extension');
  assert.equal(sanitizeFileName(`${' '.repeat(100_000)}x`), 'x');
});

test('the default template renders the reference layout in the chosen zone', () => {
  const values = {
    name: 'Front door',
    stream: 'cam1',
    dt_start: formatFileNameTime(NOW_US, 'Europe/Paris'),
    dt_end: formatFileNameTime(NOW_US + 90_000_000, 'Europe/Paris'),
    sub: ' (sub)',
    ext: 'mp4',
    task_id: 't1',
  };
  assert.equal(
    renderFileName(DEFAULT_FILE_NAME_TEMPLATE, values),
    'Front door (2026-01-31 13.00.00 - 2026-01-31 13.01.30) (sub).mp4',
  );
  assert.equal(renderFileName('{stream}_{task_id}.{ext}', values), 'cam1_t1.mp4');
  assert.equal(formatFileNameTime(NOW_US, 'America/New_York'), '2026-01-31 07.00.00');
  assertRefused(() => renderFileName('{name}_{date}.{ext}', values), 'file_name_template', [
    /\{date\}/,
    /\{dt_start\}/,
  ]);
});

test('extensions: the container is appended unless the name already ends with it', () => {
  assert.equal(withExtension('clip', 'mp4'), 'clip.mp4');
  assert.equal(withExtension('clip.MP4', 'mp4'), 'clip.MP4');
  assert.equal(withExtension('clip.mov', 'mkv'), 'clip.mov.mkv');
  assert.equal(containerOfFileName('a.AVI'), 'avi');
  assert.equal(containerOfFileName('a.ts'), 'ts');
  assert.equal(containerOfFileName('mp4'), undefined);
  assert.equal(containerOfFileName('a.webm'), undefined);
});

test('an existing name gets the first free numbered suffix', async () => {
  const cases: Array<[string, string[], string]> = [
    ['clip.mp4', [], 'clip.mp4'],
    ['clip.mp4', ['clip.mp4'], 'clip (1).mp4'],
    ['clip.mp4', ['clip.mp4', 'clip (1).mp4', 'clip (2).mp4'], 'clip (3).mp4'],
    ['clip.mp4', ['clip.mp4', 'clip (2).mp4'], 'clip (1).mp4'],
    ['a (b) (c).mkv', ['a (b) (c).mkv'], 'a (b) (c) (1).mkv'],
  ];
  for (const [name, existing, expected] of cases) {
    const taken = new Set(existing);
    assert.equal(await nextFreeFileName(name, (c) => taken.has(c)), expected, existing.join());
  }
  assert.equal(await nextFreeFileName('x.ts', async (c) => c === 'x.ts'), 'x (1).ts');
  await assert.rejects(
    nextFreeFileName('x.ts', () => true),
    (err: Error) => /9999 numbered variants already exist/.test(err.message),
  );
});
