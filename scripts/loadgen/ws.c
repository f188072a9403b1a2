/* The WebSocket client side of the load generator: non-blocking connect, the
 * HTTP upgrade, masked client frames, and a frame parser that only walks frame
 * boundaries (headers may arrive split across reads; payloads are skipped,
 * keeping their last bytes). */
#define _GNU_SOURCE
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long lg_ws_acked, lg_ws_closed, lg_ws_failed;

/* One read per socket per wakeup, into a buffer large enough to take what a
 * fast server queued since the last one. */
static unsigned char rbuf[1 << 18];

size_t ws_frame(unsigned char *dst, int opcode, const void *payload, size_t len) {
  /* Servers must not trust the mask for anything; a fixed key keeps frames
   * buildable once and replayable. */
  static const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
  size_t at = 0;
  dst[at++] = 0x80 | opcode;
  if (len < 126) {
    dst[at++] = 0x80 | len;
  } else if (len < 65536) {
    dst[at++] = 0x80 | 126;
    dst[at++] = len >> 8;
    dst[at++] = len & 0xff;
  } else {
    dst[at++] = 0x80 | 127;
    for (int s = 56; s >= 0; s -= 8) dst[at++] = ((uint64_t)len >> s) & 0xff;
  }
  memcpy(dst + at, key, 4);
  at += 4;
  const unsigned char *p = payload;
  for (size_t i = 0; i < len; i++) dst[at + i] = p[i] ^ key[i & 3];
  return at + len;
}

static void ws_dead(wsconn *c) {
  if (c->state == WS_CLOSED) return;
  if (c->state == WS_OPEN) lg_ws_closed++;
  else lg_ws_failed++;
  c->state = WS_CLOSED;
  close(c->fd);
}

static void ws_flush(wsconn *c, int ep) {
  while (c->outoff < c->outlen) {
    ssize_t n = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
    if (n < 0) {
      if (errno == EAGAIN) break;
      ws_dead(c);
      return;
    }
    c->outoff += n;
  }
  if (c->outoff == c->outlen) c->outoff = c->outlen = 0;
  int want = c->outlen > 0;
  if (want != c->want_out) {
    c->want_out = want;
    lg_watch(ep, &c->base, c->fd, want, 0);
  }
}

void ws_send(wsconn *c, int ep, const void *data, size_t len) {
  if (c->state == WS_CLOSED) return;
  if (c->outlen + len > c->outcap) {
    c->outcap = (c->outlen + len) * 2;
    c->out = realloc(c->out, c->outcap);
  }
  memcpy(c->out + c->outlen, data, len);
  c->outlen += len;
  if (c->state != WS_CONNECTING) ws_flush(c, ep);
}

void ws_send_text(wsconn *c, int ep, const char *text) {
  size_t len = strlen(text);
  unsigned char *frame = malloc(len + 14);
  ws_send(c, ep, frame, ws_frame(frame, 1, text, len));
  free(frame);
}

static size_t header_need(const wsconn *c) {
  if (c->hdrlen < 2) return 2;
  int l7 = c->hdr[1] & 0x7f;
  return 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((c->hdr[1] & 0x80) ? 4 : 0);
}

static void frame_done(wsconn *c, int ep) {
  if (c->opcode == 8) {
    ws_dead(c);
  } else if (c->opcode == 9) {
    unsigned char pong[64];
    size_t len = c->remaining == 0 && c->taillen <= 40 ? c->taillen : 0;
    ws_send(c, ep, pong, ws_frame(pong, 10, c->tail, len));
  } else if (c->opcode <= 2 && c->fin) {
    int opcode = c->opcode == 0 ? c->msgop : c->opcode;
    if (c->awaiting_ack) {
      c->awaiting_ack = 0;
      lg_ws_acked++;
    } else {
      c->frames++;
      if (c->on_frame) c->on_frame(c, opcode, c->tail, c->taillen);
    }
  }
}

static void parse(wsconn *c, int ep, const unsigned char *buf, size_t len) {
  size_t i = 0;
  while (i < len && c->state == WS_OPEN) {
    if (!c->in_payload) {
      while (i < len && c->hdrlen < header_need(c)) c->hdr[c->hdrlen++] = buf[i++];
      if (c->hdrlen < header_need(c)) return;
      int l7 = c->hdr[1] & 0x7f;
      uint64_t plen = l7;
      if (l7 == 126) plen = (uint64_t)c->hdr[2] << 8 | c->hdr[3];
      if (l7 == 127) {
        plen = 0;
        for (int k = 2; k < 10; k++) plen = plen << 8 | c->hdr[k];
      }
      c->fin = c->hdr[0] >> 7;
      int op = c->hdr[0] & 0x0f;
      c->opcode = op;
      /* A continuation carries its message's opcode; a control frame may come
       * between the fragments and must not replace it. */
      if (op == 1 || op == 2) c->msgop = op;
      c->remaining = plen;
      c->taillen = 0;
      c->hdrlen = 0;
      c->in_payload = 1;
    }
    size_t take = c->remaining < len - i ? c->remaining : len - i;
    const size_t cap = sizeof c->tail;
    if (take >= cap) {
      memcpy(c->tail, buf + i + take - cap, cap);
      c->taillen = cap;
    } else if (take > 0) {
      if (c->taillen + take > cap) {
        size_t drop = c->taillen + take - cap;
        memmove(c->tail, c->tail + drop, c->taillen - drop);
        c->taillen -= drop;
      }
      memcpy(c->tail + c->taillen, buf + i, take);
      c->taillen += take;
    }
    i += take;
    c->remaining -= take;
    if (c->remaining == 0) {
      c->in_payload = 0;
      frame_done(c, ep);
    }
  }
}

static void on_handshake(wsconn *c, int ep, const unsigned char *buf, size_t len) {
  size_t room = sizeof c->hs - 1 - c->hslen, copy = len < room ? len : room;
  size_t before = c->hslen;
  memcpy(c->hs + c->hslen, buf, copy);
  c->hslen += copy;
  c->hs[c->hslen] = 0;
  char *end = strstr(c->hs, "\r\n\r\n");
  if (!end) {
    if (c->hslen == sizeof c->hs - 1) ws_dead(c);
    return;
  }
  if (strncmp(c->hs, "HTTP/1.1 101", 12) != 0) {
    fprintf(stderr, "loadgen: upgrade refused: %.60s\n", c->hs);
    ws_dead(c);
    return;
  }
  c->state = WS_OPEN;
  if (c->subscribe) {
    c->awaiting_ack = 1;
    ws_send_text(c, ep, c->subscribe);
  }
  size_t used = (size_t)(end + 4 - c->hs) - before;
  if (used < len) parse(c, ep, buf + used, len - used);
}

static void ws_handle(lg_handler *h, int ep, uint32_t events) {
  wsconn *c = (wsconn *)h;
  if (c->state == WS_CLOSED) return;
  if (c->state == WS_CONNECTING) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) { ws_dead(c); return; }
    c->state = WS_HANDSHAKE;
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: lhttp\r\n\r\n",
                     c->port);
    /* The handshake goes ahead of anything queued while connecting. */
    unsigned char *queued = c->out;
    size_t queuedlen = c->outlen;
    c->out = NULL, c->outlen = c->outoff = c->outcap = 0;
    ws_send(c, ep, req, n);
    if (queuedlen) ws_send(c, ep, queued, queuedlen);
    free(queued);
    if (c->state != WS_CLOSED) ws_flush(c, ep);
    return;
  }
  if (events & EPOLLOUT) ws_flush(c, ep);
  if (c->state == WS_CLOSED || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  ssize_t n = read(c->fd, rbuf, sizeof rbuf);
  if (n == 0 || (n < 0 && errno != EAGAIN)) { ws_dead(c); return; }
  if (n < 0) return;
  if (c->state == WS_HANDSHAKE) on_handshake(c, ep, rbuf, n);
  else parse(c, ep, rbuf, n);
}

void ws_start(wsconn *c, int ep, int port, int id, ws_frame_fn on_frame) {
  c->base.handle = ws_handle;
  c->port = port;
  c->id = id;
  c->on_frame = on_frame;
  c->state = WS_CONNECTING;
  c->fd = lg_connect(port);
  if (c->fd < 0) {
    c->state = WS_CLOSED;
    lg_ws_failed++;
    return;
  }
  c->want_out = 1;
  lg_watch(ep, &c->base, c->fd, 1, 1);
}

int ws_open_subscribed(int ep, const int *ports, int nports, wsconn *conns, int n,
                       const char *(*subscribe)(int i),
                       ws_frame_fn on_frame, double timeout) {
  /* A bounded number of handshakes at a time, as the JS client's batches of 100. */
  const int window = 100;
  double deadline = lg_now() + timeout;
  long acked0 = lg_ws_acked, failed0 = lg_ws_failed;
  int started = 0;
  while (lg_ws_acked - acked0 < n) {
    if (lg_ws_failed > failed0 || lg_now() > deadline) return -1;
    while (started < n && started - (lg_ws_acked - acked0) < window) {
      conns[started].subscribe = subscribe(started);
      ws_start(&conns[started], ep, ports[started % nports], started, on_frame);
      started++;
    }
    lg_loop_once(ep, 100);
  }
  return 0;
}

int ws_open_plain(int ep, int port, wsconn *c, ws_frame_fn on_frame, double timeout) {
  double deadline = lg_now() + timeout;
  ws_start(c, ep, port, -1, on_frame);
  while (c->state != WS_OPEN) {
    if (c->state == WS_CLOSED || lg_now() > deadline) return -1;
    lg_loop_once(ep, 100);
  }
  return 0;
}
