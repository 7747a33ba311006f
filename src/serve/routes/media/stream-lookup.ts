import { VigilError, isVigilError } from '../../../errors.js';
import type { MediaDeps } from '../../deps.js';

/** The title people see: the stream's title, else its name. A stream deleted with its archive kept still serves. */
export async function streamTitle(media: MediaDeps, name: string): Promise<string> {
  try {
    const def = await media.archive.getStream(name);
    if (def !== undefined) return def.title ?? name;
  } catch (err) {
    if (!isVigilError(err, 'STREAM_NOT_FOUND')) throw err;
  }
  const depth = await media.archive.depth(name);
  if (depth.segments === 0) {
    throw new VigilError('STREAM_NOT_FOUND', `stream "${name}" does not exist and has no recordings`);
  }
  return name;
}
