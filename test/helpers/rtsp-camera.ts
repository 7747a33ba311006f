/**
 * A real RTSP camera for tests: spawns test/fixtures/rtsp-camera.py (GStreamer's
 * RTSP server) and waits until it listens. `stop()` kills the whole process
 * group so no GStreamer thread outlives the test; `restart()` brings the camera
 * back on the same port, as a camera that rebooted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from './free-port.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/rtsp-camera.py', import.meta.url));
// Debian's python has the GObject bindings; a pyenv shim on PATH may not.
const PYTHON = process.env.VIGIL_TEST_PYTHON ?? '/usr/bin/python3';

export interface RtspCameraOptions {
  port?: number;
  /** Serve this pre-encoded MP4 (played once per session) instead of a live test picture. */
  file?: string;
  /** The video codec of `file`. */
  codec?: 'h264' | 'h265';
  /** Picture size of the live test picture, e.g. `320x240`. */
  size?: string;
  audio?: boolean;
  readyTimeoutMs?: number;
}

export interface RtspCamera {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRtspCamera(options: RtspCameraOptions = {}): Promise<RtspCamera> {
  const port = options.port ?? (await findFreePort());
  const args = [SCRIPT, String(port), '--size', options.size ?? '320x240'];
  if (options.file !== undefined) args.push('--file', options.file, '--codec', options.codec ?? 'h264');
  if (options.audio === false) args.push('--no-audio');
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;

  let child: ChildProcess | undefined = await spawnCamera(args, readyTimeoutMs);

  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current !== undefined) await killGroup(current);
  };

  return {
    url: `rtsp://127.0.0.1:${port}/cam`,
    port,
    stop,
    async restart() {
      await stop();
      child = await spawnCamera(args, readyTimeoutMs);
    },
  };
}

function spawnCamera(args: string[], timeoutMs: number): Promise<ChildProcess> {
  const child = spawn(PYTHON, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      void killGroup(child);
      reject(new Error(`rtsp camera: ${message}\n${output}`));
    };
    const timer = setTimeout(() => fail(`not READY after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/^READY$/m.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        // Keep draining so a chatty GStreamer never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
  });
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // Drop the "exited early" handler: this exit is wanted.
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const escalate = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 3_000);
  await exited;
  clearTimeout(escalate);
}
