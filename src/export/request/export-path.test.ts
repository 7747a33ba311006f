import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRequestedPath } from './export-path.js';
import { assertRefused } from './testing.js';

const ROOTS = ['/srv/exports', '/srv/exports/private', '/mnt/nas/exports/'];

test('requested paths land inside an export root', () => {
  const cases: Array<[string | undefined, object]> = [
    [undefined, { root: '/srv/exports', directory: '/srv/exports' }],
    ['', { root: '/srv/exports', directory: '/srv/exports' }],
    ['incidents', { root: '/srv/exports', directory: '/srv/exports/incidents' }],
    ['./incidents//2026/', { root: '/srv/exports', directory: '/srv/exports/incidents/2026' }],
    ['incidents/gate.mp4', { root: '/srv/exports', directory: '/srv/exports/incidents', fileName: 'gate.mp4' }],
    ['gate.MKV', { root: '/srv/exports', directory: '/srv/exports', fileName: 'gate.MKV' }],
    ['notes.txt', { root: '/srv/exports', directory: '/srv/exports/notes.txt' }],
    ['/srv/exports', { root: '/srv/exports', directory: '/srv/exports' }],
    ['/srv/exports/a/b.avi', { root: '/srv/exports', directory: '/srv/exports/a', fileName: 'b.avi' }],
    ['/srv/exports/private/x', { root: '/srv/exports/private', directory: '/srv/exports/private/x' }],
    ['/mnt/nas/exports/cam1', { root: '/mnt/nas/exports', directory: '/mnt/nas/exports/cam1' }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(resolveRequestedPath(input, ROOTS), expected, input);
});

test('paths outside the roots, with "..", backslashes or unsafe directory names are refused', () => {
  const cases: Array<[string, RegExp]> = [
    ['../etc', /"\.\." is not allowed/],
    ['a/../../etc', /"\.\." is not allowed/],
    ['/srv/exports/../etc/x.mp4', /"\.\." is not allowed/],
    ['/etc/cron.d', /outside the export roots \(expected a directory or file path inside \/srv\/exports or/],
    ['/srv/exports-other/x', /outside the export roots/],
    ['/srv', /outside the export roots/],
    ['~/exports', /"~" is not expanded/],
    ['a\\..\\b', /use "\/" between directories/],
    ['a:b/x.mp4', /directory "a:b" has characters/],
    ['CON/x.mp4', /directory "CON"/],
    ['trailing./x', /directory "trailing\."/],
    ['x'.repeat(5000), /at most 4096 characters/],
  ];
  for (const [input, pattern] of cases) {
    assertRefused(() => resolveRequestedPath(input, ROOTS), 'file_path', [pattern]);
  }
});

test('a missing or relative export root is a configuration error', () => {
  assertRefused(() => resolveRequestedPath(undefined, []), 'export_roots', [/no export root/], 'INVALID_CONFIG');
  assertRefused(() => resolveRequestedPath(undefined, ['exports']), 'export_roots', [/absolute/], 'INVALID_CONFIG');
});
