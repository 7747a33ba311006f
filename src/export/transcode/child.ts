/**
 * The transcode child process: `runTranscode` forks this file, sends one
 * `start` message, pipes the input into stdin (or names a file), and kills
 * the process to cancel. A crash here never takes the server down.
 */
import { VigilError, messageOf } from '../../errors.js';
import type { ChildMessage, ChildStart } from './child-protocol.js';

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

// The runner is gone (killed, crashed): nobody wants the output any more.
process.on('disconnect', () => process.exit(2));

process.once('message', (message: ChildStart) => {
  void (async () => {
    try {
      // Loaded only now: node-av takes a while to load, and a bad start message should not wait for it.
      const { runChildTranscode } = await import('./child-pipeline.js');
      const result = await runChildTranscode(message, (progress) => void send(progress));
      const cpu = process.cpuUsage();
      await send({ type: 'done', ...result, cpuS: (cpu.user + cpu.system) / 1e6 });
      process.exit(0);
    } catch (err) {
      const vigil = err instanceof VigilError ? err : undefined;
      await send({
        type: 'error',
        code: vigil?.code ?? 'MEDIA_INVALID',
        message: messageOf(err),
        ...(vigil?.field === undefined ? {} : { field: vigil.field }),
        ...(isHardwareFailure(err) ? { hardwareFailed: true } : {}),
      });
      process.exit(1);
    }
  })();
});

function isHardwareFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { hardwareFailed?: unknown }).hardwareFailed === true;
}
