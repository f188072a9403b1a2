/* The load generator of scripts/bench_*.ts: one thread, one epoll set, many
 * sockets. Shared types and the WebSocket client side (ws.c); each mode lives in
 * its own file (fanout.c, latency.c, http_post.c) and main.c picks one.
 *
 * Why C: a generator written in JS saturated its core before Bun's native
 * publish did, so the bench measured the generator. This one reads each socket
 * once per wakeup into a large buffer and only walks frame boundaries. */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <stddef.h>
#include <stdint.h>

/* Every object registered with epoll starts with this, so one loop serves
 * WebSocket and HTTP connections alike. */
typedef struct lg_handler {
  void (*handle)(struct lg_handler *self, int ep, uint32_t events);
} lg_handler;

enum { WS_CONNECTING, WS_HANDSHAKE, WS_OPEN, WS_CLOSED };

typedef struct wsconn wsconn;
/* Called once per complete frame; `tail` holds the payload's last bytes
 * (up to sizeof tail), enough for an ack or a latency timestamp. */
typedef void (*ws_frame_fn)(wsconn *c, int opcode, const unsigned char *tail, size_t taillen);

struct wsconn {
  lg_handler base;
  int fd, state, id, port;
  long frames; /* data frames received since the last reset */
  char hs[2048];
  size_t hslen;
  /* Frame parser state: a header may arrive split, a payload is skipped. */
  unsigned char hdr[14];
  size_t hdrlen;
  uint64_t remaining;
  int opcode, msgop, fin, in_payload;
  unsigned char tail[40];
  size_t taillen;
  /* Bytes waiting for the socket to accept them. */
  unsigned char *out;
  size_t outlen, outoff, outcap;
  int want_out;
  ws_frame_fn on_frame;
  /* The subscribe frame sent once the handshake is done; its ack is counted
   * in lg_ws_acked, not passed to on_frame. */
  const char *subscribe;
  int awaiting_ack;
};

/* Kept by ws.c for the modes: acks of subscribe frames, sockets closed after
 * opening, and sockets that never opened (refused, not 101). */
extern long lg_ws_acked;
extern long lg_ws_closed;
extern long lg_ws_failed;

double lg_now(void);              /* seconds, CLOCK_MONOTONIC */
double lg_cpu(void);              /* this process's user+system seconds */
int lg_epoll(void);
int lg_connect(int port);         /* non-blocking TCP connect to 127.0.0.1 */
void lg_loop_once(int ep, int timeout_ms);
void lg_watch(int ep, lg_handler *h, int fd, int want_out, int add);

void ws_start(wsconn *c, int ep, int port, int id, ws_frame_fn on_frame);
void ws_send(wsconn *c, int ep, const void *data, size_t len);
size_t ws_frame(unsigned char *dst, int opcode, const void *payload, size_t len);
void ws_send_text(wsconn *c, int ep, const char *text);
/* Opens `n` sockets (a bounded number of handshakes at a time; socket i on
 * ports[i % nports]), sends each the
 * subscribe frame `subscribe(i)` (kept until sent), and returns once each got its first frame
 * (the ack), or -1 after `timeout` seconds. */
int ws_open_subscribed(int ep, const int *ports, int nports, wsconn *conns, int n,
                       const char *(*subscribe)(int i),
                       ws_frame_fn on_frame, double timeout);
/* Opens one socket without subscribing; 0 once the handshake is done. */
int ws_open_plain(int ep, int port, wsconn *c, ws_frame_fn on_frame, double timeout);

int mode_fanout(int argc, char **argv);
int mode_latency(int argc, char **argv);
int mode_http(int argc, char **argv);

#endif
