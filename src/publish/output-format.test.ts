import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { muxerSetup, muxerTarget, guessOutput } from './output-format.js';
import { frameBytes, frameSizeProblem } from './frame-layout.js';

const HLS = { hlsTime: 2, hlsListSize: 6, hlsPlaylist: 'live', hlsSegmentType: 'fmp4' } as const;

describe('muxerSetup', () => {
  it('publishes RTMP as FLV without seeking back, RTSP over TCP', () => {
    assert.deepEqual(muxerSetup(guessOutput('rtmp://h/live/a'), HLS, 'rtmp://h/live/a'), {
      format: 'flv',
      options: { flvflags: 'no_duration_filesize' },
    });
    assert.deepEqual(muxerSetup(guessOutput('rtsp://h/a'), HLS, 'rtsp://h/a').options, { rtsp_transport: 'tcp' });
  });

  it('writes a sliding-window HLS playlist with fMP4 segments named after it', () => {
    assert.deepEqual(muxerSetup(guessOutput('/d/live.m3u8'), HLS, '/d/live.m3u8').options, {
      hls_time: '2',
      hls_segment_type: 'fmp4',
      hls_segment_filename: '/d/live_%05d.m4s',
      hls_fmp4_init_filename: 'live_init.mp4',
      hls_list_size: '6',
      hls_flags: 'delete_segments+independent_segments',
    });
  });

  it('keeps every segment of an event playlist, TS when asked', () => {
    const setup = muxerSetup(
      guessOutput('x.m3u8'),
      { ...HLS, hlsPlaylist: 'event', hlsSegmentType: 'mpegts' },
      'x.m3u8',
    );
    assert.deepEqual(setup.options, {
      hls_time: '2',
      hls_segment_type: 'mpegts',
      hls_segment_filename: 'x_%05d.ts',
      hls_playlist_type: 'event',
      hls_list_size: '0',
      hls_flags: 'independent_segments',
    });
  });

  it('opens file:// addresses as plain paths', () => {
    assert.equal(muxerTarget('file:///tmp/a.mp4'), '/tmp/a.mp4');
    assert.equal(muxerTarget('rtmp://h/a'), 'rtmp://h/a');
  });
});

describe('frame layout', () => {
  it('counts bytes per pixel format', () => {
    assert.equal(frameBytes('rgb24', 4, 2), 24);
    assert.equal(frameBytes('rgba', 4, 2), 32);
    assert.equal(frameBytes('yuv420p', 4, 2), 12);
  });

  it('names expected and actual sizes for a wrong frame', () => {
    assert.equal(frameSizeProblem('rgb24', 320, 240, 320 * 240 * 3), undefined);
    assert.equal(
      frameSizeProblem('rgb24', 320, 240, 100),
      'frame: expected 230400 bytes (240 x 320 x 3 rgb24), got 100; set widthSrc/heightSrc/pixelFormat to match the frames',
    );
  });
});
