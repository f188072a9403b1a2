// The usage text of `lhttp connect`.

/** What `lhttp connect --help` prints. */
export const CONNECT_HELP = `Usage: lhttp connect URL [options]

Connects to an lhttp server (ws:// or wss://; http:// works too) and reads
commands, one per line (in a terminal: a prompt, line editing and history):
  subscribe CHANNEL...             subscribe (restored after reconnects)
  unsubscribe CHANNEL...           unsubscribe
  publish CHANNEL BODY...          publish the rest of the line
  send COMMAND key:value ... -- BODY   send any frame (acknowledged)
  LHTTP/1.0 COMMAND                a raw frame: header lines, a blank line, body
                                   lines, a blank line; or one line with \\r\\n escapes
  help, quit
Received frames are printed to stdout, status to stderr. In a terminal, lines
are kept in ~/.lhttp_history (LHTTP_HISTORY=FILE elsewhere, LHTTP_HISTORY= off).

Options (environment variable in brackets):
  --token TOKEN  Log in with TOKEN (sent as ?token=, which authenticate reads) [LHTTP_TOKEN]
  --count N      Exit after receiving N frames (stays after stdin ends until then)
  -v, --version  Print the version and the runtime running lhttp
  -h, --help     Show this help
`;
