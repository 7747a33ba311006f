/** A finished output's chapters, written by the container's own pass (node-av's muxer cannot take chapters). */
import { addMatroskaChapters } from './mkv-chapters.js';
import { addMp4Chapters } from './mp4-chapters.js';
import type { TranscodePlan } from './types.js';

export async function writeChapters(path: string, plan: TranscodePlan): Promise<void> {
  if (plan.chapters.length === 0) return;
  if (plan.muxer.format === 'mp4') await addMp4Chapters(path, plan.chapters);
  else if (plan.muxer.format === 'matroska') {
    await addMatroskaChapters(path, plan.chapters, Math.round(plan.outputDurationS * 1e6));
  }
}
