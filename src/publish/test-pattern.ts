/**
 * A synthetic RGB24 picture for trying a publisher without a camera: colour
 * bars that scroll one step per frame and the frame number in large digits,
 * so every frame differs and a reader can tell which one it sees.
 */

/** Segments a–g of each digit, as bits (a = 1 … g = 64), on a 7-segment display. */
const DIGIT_SEGMENTS = [0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f];
const BARS: ReadonlyArray<readonly [number, number, number]> = [
  [235, 235, 235],
  [235, 235, 16],
  [16, 235, 235],
  [16, 235, 16],
  [235, 16, 235],
  [235, 16, 16],
  [16, 16, 235],
  [16, 16, 16],
];

/** Frame number `index` as `height × width × 3` RGB24 bytes (written into `into` when given). */
export function paintTestFrame(index: number, width: number, height: number, into?: Uint8Array): Uint8Array {
  const rgb = into ?? new Uint8Array(width * height * 3);
  const barWidth = Math.max(1, Math.ceil(width / BARS.length));
  const shift = (index * 4) % width;
  for (let x = 0; x < width; x++) {
    const bar = BARS[Math.floor(((x + shift) % width) / barWidth) % BARS.length]!;
    for (let y = 0, p = x * 3; y < height; y++, p += width * 3) {
      // Rows darken towards the bottom so the picture is not flat vertically.
      const shade = 1 - (0.5 * y) / height;
      rgb[p] = bar[0] * shade;
      rgb[p + 1] = bar[1] * shade;
      rgb[p + 2] = bar[2] * shade;
    }
  }
  drawCounter(rgb, width, height, index);
  return rgb;
}

function drawCounter(rgb: Uint8Array, width: number, height: number, index: number): void {
  const digits = String(index).padStart(5, '0');
  const unit = Math.max(1, Math.floor(Math.min(width / (digits.length * 8 + 2), height / 14)));
  fillRect(rgb, width, height, 0, 0, unit * (digits.length * 8 + 2), unit * 14, 0);
  for (let d = 0; d < digits.length; d++) {
    const bits = DIGIT_SEGMENTS[Number(digits[d])] ?? 0;
    const x0 = unit * (2 + d * 8);
    const y0 = unit * 2;
    // [bit, x, y, w, h] in units of a 6 × 10 cell.
    const segments: Array<[number, number, number, number, number]> = [
      [1, 1, 0, 4, 1],
      [2, 5, 1, 1, 4],
      [4, 5, 6, 1, 4],
      [8, 1, 10, 4, 1],
      [16, 0, 6, 1, 4],
      [32, 0, 1, 1, 4],
      [64, 1, 5, 4, 1],
    ];
    for (const [bit, x, y, w, h] of segments) {
      if ((bits & bit) !== 0) fillRect(rgb, width, height, x0 + x * unit, y0 + y * unit, w * unit, h * unit, 255);
    }
  }
}

function fillRect(
  rgb: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  w: number,
  h: number,
  v: number,
): void {
  for (let row = y; row < Math.min(height, y + h); row++) {
    const start = (row * width + x) * 3;
    rgb.fill(v, start, start + Math.max(0, Math.min(w, width - x)) * 3);
  }
}
