/**
 * The font Vigil ships for watermarks (DejaVu Sans, its license beside it),
 * so a server without fontconfig or system fonts draws the same text. The
 * path is resolved from this module: src/export/transcode and
 * dist/export/transcode both sit three folders under the package root.
 */
import { fileURLToPath } from 'node:url';

export const WATERMARK_FONT_PATH = fileURLToPath(new URL('../../../assets/fonts/DejaVuSans.ttf', import.meta.url));
