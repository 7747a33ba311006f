/** `vigil help`: the commands and their options. */
export const HELP_TEXT = `Usage: vigil <command> [options]

Commands:
  serve                     Record the configured streams and serve the API
    --config FILE           YAML config file (or VIGIL_CONFIG)
    --port N                HTTP port (or VIGIL_PORT; default 8080)
    --data DIR              data directory (or VIGIL_DATA; default ./vigil-data)
    --no-demo               do not record the built-in demo stream
  import                    Add media files to a stream's archive, without the server
    --stream NAME           the stream to import into
    --start ISO8601         wall-clock time of the first file's start (e.g. 2026-01-31T13:00:00Z)
    --config FILE, --data DIR as for serve
    FILE...                 media files, played back to back
  export                    Export a time range to a file through the job queue, with progress
    --stream NAME           the stream to export
    --from T                start: ISO 8601 with a zone or Unix seconds
    --to T | --duration S   end, or length in seconds (default 60)
    --substream             export the substream
    --out PATH              file or directory inside an export root (default: the first root)
    --codec C               h264, h265, mpeg4, wmv (absent: stream copy)
    --bitrate KBPS, --resolution WxH, --audio A, --audio-bitrate KBPS, --timelapse N
    --container C           mp4 (default), mkv, ts, avi
    --tz ZONE               IANA zone of the file name and watermark
    --server URL            a running server (default http://127.0.0.1:$VIGIL_PORT or 8080)
    --token T               its admin token (or VIGIL_ADMIN_TOKEN)
    --config FILE, --data DIR  export here from the archive on disk, no server needed
    Prints the file path on stdout; exit 0 only on success; Ctrl-C cancels the job
  help                      Show this text

Environment: VIGIL_CONFIG, VIGIL_PORT, VIGIL_DATA, VIGIL_ADMIN_TOKEN, VIGIL_ADMIN_USER, VIGIL_ADMIN_PASSWORD
`;

export function runHelp(print: (text: string) => void): number {
  print(HELP_TEXT);
  return 0;
}
