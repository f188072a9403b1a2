/* The load generator's entry point: `loadgen MODE ...`, one result line of JSON
 * on stdout (see each mode's file for its arguments and fields). */
#include "loadgen.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  /* A server closing mid-write must end in a counted close, not a SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 2 && strcmp(argv[1], "fanout") == 0) return mode_fanout(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "latency") == 0) return mode_latency(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "http") == 0) return mode_http(argc - 2, argv + 2);
  fprintf(stderr,
          "usage: loadgen fanout PORT SUBSCRIBERS FRAMES BYTES\n"
          "       loadgen latency PORT CLIENTS RATE SECONDS\n"
          "       loadgen http PORT CONNECTIONS REQUESTS SUBSCRIBERS BYTES\n");
  return 2;
}
