import type { ExportsConfig } from '../../src/config/config-file.js';

/** The config's export defaults with the given roots (what `vigil serve` uses without an `exports:` section). */
export function defaultConfigForTests(roots: string[]): ExportsConfig {
  return {
    roots,
    fileNameTemplate: undefined,
    queueMaxLen: 1000,
    concurrency: { copy: 2, transcode: 1 },
    cancelTaskWithStates: [],
    resumeInterrupted: false,
    webhookUrl: undefined,
    webhookSecret: undefined,
  };
}
