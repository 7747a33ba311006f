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
  help                      Show this text

Environment: VIGIL_CONFIG, VIGIL_PORT, VIGIL_DATA, VIGIL_ADMIN_TOKEN, VIGIL_ADMIN_USER, VIGIL_ADMIN_PASSWORD
`;

export function runHelp(print: (text: string) => void): number {
  print(HELP_TEXT);
  return 0;
}
