/* `loadgen http PORT CONNECTIONS REQUESTS SUBSCRIBERS BYTES [TOKEN]`: SUBSCRIBERS
 * WebSocket sockets subscribe to `bench`; then CONNECTIONS keep-alive HTTP/1.1
 * connections send REQUESTS `POST /publish` in all, one outstanding each, the
 * body an LHTTP frame publishing a BYTES-long body to `bench`. Prints
 * {"ok","failed","seconds","rate","cpu","deliveries","expected","closed"}: rate is
 * 2xx answers per second, timed from the first request to the last answer;
 * deliveries are the frames the subscribers got (waited for up to 5 s after).
 * A line START comes first, when the timed part begins. */
#define _GNU_SOURCE
#include "loadgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  lg_handler base;
  int fd, connecting, busy;
  char in[16384];
  size_t inlen;
} httpconn;

static char *request;
static size_t request_len;
static int port;
static long to_send, ok, failed, closed, delivered;
static double last_answer;

static void count(wsconn *c, int opcode, const unsigned char *tail, size_t taillen) {
  (void)c, (void)opcode, (void)tail, (void)taillen;
  delivered++;
}

static const char *subscribe_bench(int i) {
  (void)i;
  return "LHTTP/1.0 s\r\nsubscribe:bench\r\nack:1\r\n\r\n";
}

static void http_handle(lg_handler *h, int ep, uint32_t events);

static void http_open(httpconn *c, int ep) {
  c->base.handle = http_handle;
  c->fd = lg_connect(port);
  c->connecting = 1;
  c->busy = 0;
  c->inlen = 0;
  if (c->fd >= 0) lg_watch(ep, &c->base, c->fd, 1, 1);
}

/* Requests are small: one write takes a whole one on a fresh socket buffer. */
static void http_next(httpconn *c, int ep) {
  if (to_send == 0) return;
  to_send--;
  c->busy = 1;
  if (write(c->fd, request, request_len) != (ssize_t)request_len) failed++, c->busy = 0;
  (void)ep;
}

/* Length of the complete response at the start of `in`, or 0 if not complete. */
static size_t response_length(httpconn *c, int *status) {
  c->in[c->inlen] = 0;
  char *end = strstr(c->in, "\r\n\r\n");
  if (!end) return 0;
  *status = atoi(c->in + 9);
  size_t body = end + 4 - c->in;
  *end = 0;
  char *length = strcasestr(c->in, "\r\ncontent-length:");
  int chunked = strcasestr(c->in, "\r\ntransfer-encoding: chunked") != NULL;
  *end = '\r';
  if (length && !chunked) {
    size_t total = body + strtoul(length + 17, NULL, 10);
    return c->inlen >= total ? total : 0;
  }
  if (!chunked) return body;
  size_t at = body;
  for (;;) {
    char *line = memmem(c->in + at, c->inlen - at, "\r\n", 2);
    if (!line) return 0;
    size_t size = strtoul(c->in + at, NULL, 16);
    at = line + 2 - c->in + size + 2;
    if (at > c->inlen) return 0;
    if (size == 0) return at;
  }
}

static void http_handle(lg_handler *h, int ep, uint32_t events) {
  httpconn *c = (httpconn *)h;
  if (c->connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) { close(c->fd); c->fd = -1; closed++; return; }
    c->connecting = 0;
    lg_watch(ep, &c->base, c->fd, 0, 0);
    http_next(c, ep);
    return;
  }
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  ssize_t n = read(c->fd, c->in + c->inlen, sizeof c->in - 1 - c->inlen);
  if (n < 0 && errno == EAGAIN) return;
  if (n <= 0) {
    /* Closed by the server: an answer in flight is lost; reconnect for the rest. */
    close(c->fd);
    closed++;
    if (c->busy) failed++;
    if (to_send > 0) http_open(c, ep);
    else c->fd = -1;
    return;
  }
  c->inlen += n;
  int status;
  size_t used;
  while ((used = response_length(c, &status)) > 0) {
    if (status >= 200 && status < 300) ok++;
    else failed++;
    last_answer = lg_now();
    memmove(c->in, c->in + used, c->inlen - used);
    c->inlen -= used;
    c->busy = 0;
    http_next(c, ep);
  }
}

int mode_http(int argc, char **argv) {
  if (argc < 5) return 2;
  port = atoi(argv[0]);
  int connections = atoi(argv[1]), subscribers = atoi(argv[3]), bytes = atoi(argv[4]);
  long requests = atol(argv[2]);
  int ep = lg_epoll();
  wsconn *subs = calloc(subscribers ? subscribers : 1, sizeof *subs);
  if (ws_open_subscribed(ep, &port, 1, subs, subscribers, subscribe_bench, count, 60) < 0) {
    fprintf(stderr, "loadgen: %ld of %d subscribers acknowledged\n", lg_ws_acked, subscribers);
    return 1;
  }
  const char *head = "LHTTP/1.0 chat\r\npublish:bench\r\n\r\n";
  size_t body_len = strlen(head) + bytes;
  /* An optional TOKEN is sent as `Authorization: Bearer TOKEN`. */
  const char *token = argc > 5 ? argv[5] : NULL;
  char auth[160] = "";
  if (token) snprintf(auth, sizeof auth, "Authorization: Bearer %.120s\r\n", token);
  request = malloc(body_len + 512);
  int at = snprintf(request, 512,
                    "POST /publish HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s"
                    "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
                    port, auth, body_len, head);
  memset(request + at, 'x', bytes);
  request_len = at + bytes;
  to_send = requests;
  httpconn *conns = calloc(connections, sizeof *conns);
  printf("START\n"); /* the bench reads the server's CPU time now */
  double cpu0 = lg_cpu(), start = lg_now(), deadline = start + 120;
  last_answer = start;
  for (int i = 0; i < connections; i++) http_open(&conns[i], ep);
  while (ok + failed < requests && closed < connections * 4L && lg_now() < deadline) {
    lg_loop_once(ep, 100);
  }
  double seconds = last_answer - start, cpu = lg_cpu() - cpu0, elapsed = lg_now() - start;
  long expected = ok * subscribers;
  double drain = lg_now() + 5;
  while (delivered < expected && lg_now() < drain) lg_loop_once(ep, 50);
  printf("{\"ok\":%ld,\"failed\":%ld,\"seconds\":%.6f,\"rate\":%.1f,\"cpu\":%.4f,"
         "\"deliveries\":%ld,\"expected\":%ld,\"closed\":%ld}\n",
         ok, failed, seconds, seconds > 0 ? ok / seconds : 0, cpu / elapsed, delivered, expected,
         closed);
  return 0;
}
