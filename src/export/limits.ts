/**
 * Limits every export path shares (downloads, HLS, export jobs), so a job can
 * never ask for more than a download can.
 */

/** Longer ranges are refused: a week of moov would be hundreds of MB of header. */
export const MAX_RANGE_SECONDS = 7 * 24 * 3600;
