/** Test helpers for the request layer: a fixed clock, fixed ids, and error matchers. */
import assert from 'node:assert/strict';
import { isVigilError, type ErrorCode } from '../../errors.js';
import type { ExportRequestContext } from './types.js';

/** 2026-01-31T12:00:00Z */
export const NOW_US = 1_769_860_800_000_000;
export const NOW_S = NOW_US / 1_000_000;

export function testContext(overrides: Partial<ExportRequestContext> = {}): ExportRequestContext {
  let next = 0;
  return {
    nowUs: NOW_US,
    timeZone: 'UTC',
    exportRoots: ['/srv/exports', '/mnt/nas/exports'],
    isAdmin: false,
    findStream: (name) => (name === 'cam1' ? { title: 'Front door' } : name === 'cam2' ? { title: 'cam2' } : undefined),
    newTaskId: () => `task${++next}`,
    ...overrides,
  };
}

/** Asserts `fn` throws a VigilError with this code and field, and that the message matches each pattern. */
export function assertRefused(
  fn: () => unknown,
  field: string,
  patterns: RegExp[] = [],
  code: ErrorCode = 'INVALID_ARGUMENT',
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isVigilError(err), `expected a VigilError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.field, field, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

export async function assertRefusedAsync(
  promise: Promise<unknown>,
  field: string,
  patterns: RegExp[] = [],
  code: ErrorCode = 'INVALID_ARGUMENT',
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isVigilError(err), `expected a VigilError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.field, field, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}
