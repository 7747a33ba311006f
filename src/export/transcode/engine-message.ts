/**
 * Engine messages as users may see them: FFmpeg and node-av name files and
 * URLs, which can belong to other users or carry credentials. Known paths
 * become their base name, other absolute paths `<path>`, credentials `***`.
 */
import { basename } from 'node:path';

const MAX_LENGTH = 400;

export function cleanEngineMessage(message: string, knownPaths: readonly string[] = []): string {
  let text = message;
  for (const path of knownPaths) text = text.split(path).join(basename(path));
  text = text
    .replace(/\/\/[^/\s@]*@/g, '//***@')
    .replace(/\b(password|passwd|pass|token|secret|key|sig|signature|auth)=[^&\s]+/gi, '$1=***')
    .replace(/(^|[\s'"(=])\/(?!\/)(?:[^\s'"/]+\/)*[^\s'"/]*/g, '$1<path>')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
