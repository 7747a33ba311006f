/** Independent checks of media files with Debian's ffprobe/ffmpeg. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Codec names of a file's streams, in order. */
export async function probeCodecs(path: string): Promise<string[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path],
    {
      timeout: 30_000,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0);
}

/** Duration of a file in seconds, as ffprobe reads it. */
export async function probeDurationSeconds(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], {
    timeout: 30_000,
  });
  return Number(stdout.trim());
}

/** What ffmpeg says while decoding the whole file; empty when it decodes cleanly. */
export async function decodeErrors(path: string): Promise<string> {
  const { stdout, stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { timeout: 60_000 });
  return (stdout + stderr).trim();
}
