/* `loadgen fanout PORTS SUBSCRIBERS FRAMES BYTES [SETTLE_MS]`: SUBSCRIBERS
 * sockets subscribe to `bench` (each waits for its ack; PORTS is one port or a
 * comma-separated list, the sockets spread round robin over them, for a
 * cluster), SETTLE_MS later one more socket, on the first port, sends FRAMES
 * publish frames with a BYTES-long body, all at once, as scripts/_fanout_client.ts
 * does. Prints {"deliveries","expected","seconds","cpu","closed"}: cpu is this
 * process's CPU time over the timed part, in cores. The clock starts when the
 * first publish frame is written (a line START says so first) and stops at the
 * last delivery. */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long delivered;
static double last_delivery;

static const char *subscribe_bench(int i) {
  (void)i;
  return "LHTTP/1.0 s\r\nsubscribe:bench\r\nack:1\r\n\r\n";
}

static void count(wsconn *c, int opcode, const unsigned char *tail, size_t taillen) {
  (void)c, (void)opcode, (void)tail, (void)taillen;
  delivered++;
}

int mode_fanout(int argc, char **argv) {
  if (argc < 4) return 2;
  int ports[16], nports = 0;
  for (char *p = strtok(argv[0], ","); p && nports < 16; p = strtok(NULL, ",")) {
    ports[nports++] = atoi(p);
  }
  int subscribers = atoi(argv[1]), frames = atoi(argv[2]), bytes = atoi(argv[3]);
  double settle = argc > 4 ? atoi(argv[4]) / 1e3 : 0;
  int ep = lg_epoll();
  wsconn *conns = calloc(subscribers + 1, sizeof *conns);
  if (ws_open_subscribed(ep, ports, nports, conns, subscribers, subscribe_bench, count, 60) < 0) {
    fprintf(stderr, "loadgen: %ld of %d subscribers acknowledged\n", lg_ws_acked, subscribers);
    return 1;
  }
  wsconn *publisher = &conns[subscribers];
  /* A cluster's nodes need a moment to carry the subscriptions to the bus. */
  for (double until = lg_now() + settle; lg_now() < until;) lg_loop_once(ep, 10);
  if (ws_open_plain(ep, ports[0], publisher, NULL, 10) < 0) {
    fprintf(stderr, "loadgen: the publisher could not connect\n");
    return 1;
  }
  const char *head = "LHTTP/1.0 chat\r\npublish:bench\r\n\r\n";
  size_t len = strlen(head) + bytes;
  char *text = malloc(len);
  memcpy(text, head, strlen(head));
  memset(text + strlen(head), 'x', bytes);
  unsigned char *one = malloc(len + 14);
  size_t size = ws_frame(one, 1, text, len);
  unsigned char *all = malloc(size * (size_t)frames);
  for (int i = 0; i < frames; i++) memcpy(all + size * i, one, size);

  long expected = (long)subscribers * frames;
  /* Tells the bench the timed part begins (it reads the server's CPU time now). */
  printf("START\n");
  double cpu0 = lg_cpu(), start = lg_now(), deadline = start + 120;
  last_delivery = start;
  ws_send(publisher, ep, all, size * (size_t)frames);
  long seen = 0;
  while (delivered < expected && lg_ws_closed < subscribers && lg_now() < deadline) {
    lg_loop_once(ep, 100);
    if (delivered != seen) seen = delivered, last_delivery = lg_now();
  }
  double seconds = last_delivery - start, cpu = lg_cpu() - cpu0;
  printf("{\"deliveries\":%ld,\"expected\":%ld,\"seconds\":%.6f,\"cpu\":%.4f,\"closed\":%ld}\n",
         delivered, expected, seconds, cpu / (lg_now() - start), lg_ws_closed);
  return 0;
}
