/* `loadgen latency PORT CLIENTS RATE SECONDS`: CLIENTS sockets, each subscribed
 * to its own channel `lat-<i>`, publish RATE frames/s in all for SECONDS; each
 * frame goes to the publishing client's own channel, so it comes back to it.
 * Frames are spread evenly in time (one every 1/RATE s, round robin over the
 * clients, paced by a timerfd), so each sample is one frame's trip, not the
 * wait behind a burst. The body is the send time. Prints
 * {"p50","p90","p99","p999","max" (ms),"samples","sent","cpu"}; the bench reads p50
 * and p99, as scripts/_fanout_client.ts gives them. With LG_TIMELINE=FILE set,
 * every sample is also written there, in arrival order, as "<send s> <ms>". */
#include "loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

static double *samples, *sent_at;
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
  double sent = atof(line ? line + 1 : text);
  if (nsamples < capacity) {
    sent_at[nsamples] = sent;
    samples[nsamples++] = (now - sent) * 1e3;
  }
}

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The pacing timer, registered in the same epoll set as the sockets. */
typedef struct {
  lg_handler base;
  int fd, clients, ep;
  wsconn *conns;
  long sent;
} pacer;

static void publish_one(pacer *p) {
  char text[96];
  long i = p->sent++ % p->clients;
  int len = snprintf(text, sizeof text, "LHTTP/1.0 chat\r\npublish:lat-%ld\r\n\r\n%.6f", i,
                     lg_now());
  unsigned char frame[128];
  ws_send(&p->conns[i], p->ep, frame, ws_frame(frame, 1, text, len));
}

static void on_tick(lg_handler *self, int ep, uint32_t events) {
  (void)ep, (void)events;
  pacer *p = (pacer *)self;
  uint64_t expirations = 0;
  if (read(p->fd, &expirations, sizeof expirations) != sizeof expirations) return;
  /* Late wakeups send what is due at once; the samples show that as latency. */
  for (uint64_t k = 0; k < expirations; k++) publish_one(p);
}

int mode_latency(int argc, char **argv) {
  if (argc < 4) return 2;
  int port = atoi(argv[0]), clients = atoi(argv[1]), rate = atoi(argv[2]);
  double duration = atof(argv[3]);
  capacity = (long)(rate * (duration + 1) * 2) + 1000;
  samples = malloc(capacity * sizeof *samples);
  sent_at = malloc(capacity * sizeof *sent_at);
  int ep = lg_epoll();
  wsconn *conns = calloc(clients, sizeof *conns);
  if (ws_open_subscribed(ep, &port, 1, conns, clients, subscribe_own, stamp, 60) < 0) {
    fprintf(stderr, "loadgen: %ld of %d clients acknowledged\n", lg_ws_acked, clients);
    return 1;
  }
  pacer p = {.base = {on_tick}, .clients = clients, .ep = ep, .conns = conns};
  p.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  if (p.fd < 0) { perror("timerfd_create"); return 1; }
  long interval_ns = 1000000000L / (rate > 0 ? rate : 1);
  struct itimerspec spec = {
      .it_interval = {interval_ns / 1000000000L, interval_ns % 1000000000L},
      .it_value = {interval_ns / 1000000000L, interval_ns % 1000000000L},
  };
  struct epoll_event e = {.events = EPOLLIN, .data.ptr = &p.base};
  epoll_ctl(ep, EPOLL_CTL_ADD, p.fd, &e);
  double cpu0 = lg_cpu(), start = lg_now();
  timerfd_settime(p.fd, 0, &spec, NULL);
  while (lg_now() - start < duration) lg_loop_once(ep, 50);
  struct itimerspec off = {0};
  timerfd_settime(p.fd, 0, &off, NULL);
  double drain = lg_now() + 0.5;
  while (lg_now() < drain) lg_loop_once(ep, 50);
  double seconds = lg_now() - start, cpu = lg_cpu() - cpu0;
  const char *timeline = getenv("LG_TIMELINE");
  FILE *out = timeline ? fopen(timeline, "w") : NULL;
  for (long k = 0; out && k < nsamples; k++) fprintf(out, "%.6f %.4f\n", sent_at[k], samples[k]);
  if (out) fclose(out);
  qsort(samples, nsamples, sizeof *samples, ascending);
#define AT(q) (nsamples ? samples[(long)((q) * nsamples) < nsamples ? (long)((q) * nsamples) : nsamples - 1] : 0)
  printf("{\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f,"
         "\"samples\":%ld,\"sent\":%ld,\"cpu\":%.4f}\n",
         AT(0.5), AT(0.9), AT(0.99), AT(0.999), AT(1.0), nsamples, p.sent, cpu / seconds);
  return 0;
}
