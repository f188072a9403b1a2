/* `loadgen latency PORT CLIENTS RATE SECONDS`: CLIENTS sockets, each subscribed
 * to its own channel `lat-<i>`; one more socket publishes RATE frames/s in all
 * for SECONDS (a tick every 10 ms, round robin over the channels), each body
 * the send time. Prints {"p50","p99" (ms),"samples","sent","cpu"}, as
 * scripts/_fanout_client.ts does. */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *samples;
static long nsamples, capacity;

static const char *subscribe_own(int i) {
  char *frame = malloc(80);
  snprintf(frame, 80, "LHTTP/1.0 s\r\nsubscribe:lat-%d\r\nack:1\r\n\r\n", i);
  return frame;
}

/* The body is the last line of the delivered frame: the send time in seconds. */
static void stamp(wsconn *c, int opcode, const unsigned char *tail, size_t taillen) {
  (void)c, (void)opcode;
  double now = lg_now();
  char text[sizeof c->tail + 1];
  memcpy(text, tail, taillen);
  text[taillen] = 0;
  char *line = strrchr(text, '\n');
  if (nsamples < capacity) samples[nsamples++] = (now - atof(line ? line + 1 : text)) * 1e3;
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int mode_latency(int argc, char **argv) {
  if (argc < 4) return 2;
  int port = atoi(argv[0]), clients = atoi(argv[1]), rate = atoi(argv[2]);
  double duration = atof(argv[3]);
  capacity = (long)(rate * (duration + 1) * 2) + 1000;
  samples = malloc(capacity * sizeof *samples);
  int ep = lg_epoll();
  wsconn *conns = calloc(clients + 1, sizeof *conns);
  if (ws_open_subscribed(ep, &port, 1, conns, clients, subscribe_own, stamp, 60) < 0) {
    fprintf(stderr, "loadgen: %ld of %d clients acknowledged\n", lg_ws_acked, clients);
    return 1;
  }
  wsconn *publisher = &conns[clients];
  if (ws_open_plain(ep, port, publisher, NULL, 10) < 0) return 1;
  int per_tick = rate / 100 > 1 ? (rate + 50) / 100 : 1;
  unsigned char *batch = malloc((size_t)per_tick * 128);
  double cpu0 = lg_cpu(), start = lg_now(), next = start;
  long sent = 0;
  for (;;) {
    double now = lg_now();
    if (now >= next) {
      size_t at = 0;
      for (int i = 0; i < per_tick; i++, sent++) {
        char text[96];
        int len = snprintf(text, sizeof text, "LHTTP/1.0 chat\r\npublish:lat-%ld\r\n\r\n%.6f",
                           sent % clients, lg_now());
        at += ws_frame(batch + at, 1, text, len);
      }
      ws_send(publisher, ep, batch, at);
      next += 0.010;
      if (now - start >= duration) break;
    }
    int wait = (int)((next - lg_now()) * 1e3);
    lg_loop_once(ep, wait > 0 ? wait : 0);
  }
  double drain = lg_now() + 0.5;
  while (lg_now() < drain) lg_loop_once(ep, 50);
  double seconds = lg_now() - start, cpu = lg_cpu() - cpu0;
  qsort(samples, nsamples, sizeof *samples, ascending);
#define AT(q) (nsamples ? samples[(long)((q) * nsamples) < nsamples ? (long)((q) * nsamples) : nsamples - 1] : 0)
  printf("{\"p50\":%.4f,\"p99\":%.4f,\"samples\":%ld,\"sent\":%ld,\"cpu\":%.4f}\n", AT(0.5),
         AT(0.99), nsamples, sent, cpu / seconds);
  return 0;
}
