/* lhttp_ws.c - minimal RFC 6455 client. See lhttp_ws.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "lhttp_ws.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static const char WS_GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

uint64_t lhttp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

/* ---- SHA-1 (FIPS 180-1) ------------------------------------------------ */

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80], a, b, c, d, e, t;
    int i;
    for (i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
    for (i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999u; }
        else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1u; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDCu; }
        else { f = b ^ c ^ d; k = 0xCA62C1D6u; }
        t = rol(a, 5) + f + e + k + w[i];
        e = d; d = c; c = rol(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void lhttp_sha1(const void *data, size_t len, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    const uint8_t *p = (const uint8_t *)data;
    uint8_t blk[64];
    uint64_t bits = (uint64_t)len * 8u;
    size_t rem, i;
    while (len >= 64) { sha1_block(h, p); p += 64; len -= 64; }
    rem = len;
    memset(blk, 0, sizeof blk);
    if (rem) memcpy(blk, p, rem);
    blk[rem] = 0x80;
    if (rem >= 56) { sha1_block(h, blk); memset(blk, 0, sizeof blk); }
    for (i = 0; i < 8; i++) blk[63 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, blk);
    for (i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

size_t lhttp_base64(const void *data, size_t len, char *out, size_t out_cap)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = (const uint8_t *)data;
    size_t need = (len + 2) / 3 * 4, i, o = 0;
    if (out == NULL || out_cap < need + 1) return 0;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = tbl[v >> 18]; out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63]; out[o++] = tbl[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = tbl[v >> 18]; out[o++] = tbl[(v >> 12) & 63];
        out[o++] = '='; out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = tbl[v >> 18]; out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63]; out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

void lhttp_ws_accept_key(const char *key, char out[29])
{
    char buf[128];
    uint8_t dig[20];
    size_t kl = strlen(key);
    if (kl > sizeof buf - sizeof WS_GUID) kl = sizeof buf - sizeof WS_GUID;
    memcpy(buf, key, kl);
    memcpy(buf + kl, WS_GUID, sizeof WS_GUID - 1);
    lhttp_sha1(buf, kl + sizeof WS_GUID - 1, dig);
    lhttp_base64(dig, 20, out, 29);
}

/* ---- randomness (masking keys and handshake nonces) ---------------------- */

static uint32_t rng_next(uint32_t s[4])
{
    uint32_t r = rol(s[1] * 5u, 7) * 9u, t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rol(s[3], 11);
    return r;
}

static void rng_seed(uint32_t s[4])
{
    int fd = open("/dev/urandom", O_RDONLY);
    int ok = 0;
    if (fd >= 0) {
        ok = read(fd, s, 16) == 16;
        close(fd);
    }
    if (!ok) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s[0] = (uint32_t)ts.tv_nsec ^ 0x9E3779B9u;
        s[1] = (uint32_t)ts.tv_sec ^ (uint32_t)getpid();
        s[2] = (uint32_t)(uintptr_t)s ^ 0x85EBCA6Bu;
        s[3] = (uint32_t)lhttp_now_ms() ^ 0xC2B2AE35u;
    }
    if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 1;
}

/* ---- URL --------------------------------------------------------------- */

static int ieq_prefix(const char *s, const char *pre)
{
    for (; *pre; s++, pre++) {
        char a = *s, b = *pre;
        if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
        if (a != b) return 0;
    }
    return 1;
}

static unsigned atoi_port(const char *s)
{
    unsigned v = 0;
    for (; *s; s++) v = v * 10u + (unsigned)(*s - '0');
    return v > 65535u ? 0 : v;
}

static char lc(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static int ieq_prefix_n(const char *s, const char *t, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '\0' || lc(s[i]) != lc(t[i])) return 0;
    return 1;
}

/* 1 if the comma-separated list v[0..n) contains token tok (case-insensitive) */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok), i = 0;
    while (i < n) {
        size_t s0, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        s0 = i;
        while (i < n && v[i] != ',') i++;
        e = i;
        while (e > s0 && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e - s0 == tl && ieq_prefix_n(v + s0, tok, tl)) return 1;
    }
    return 0;
}

int lhttp_url_parse(const char *url, lhttp_url *out)
{
    const char *p, *host, *hend, *port = NULL, *pend;
    size_t hl, pl;
    if (url == NULL || out == NULL) return LHTTP_ERR_INVALID_ARG;
    if (ieq_prefix(url, "wss://")) {
        out->secure = 1;
        p = url + 6;
    } else if (ieq_prefix(url, "ws://")) {
        out->secure = 0;
        p = url + 5;
    } else {
        return LHTTP_ERR_URL;
    }
    if (*p == '[') {
        host = p + 1;
        hend = strchr(host, ']');
        if (hend == NULL) return LHTTP_ERR_URL;
        p = hend + 1;
    } else {
        host = p;
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        hend = p;
    }
    if (*p == ':') {
        port = ++p;
        while (*p >= '0' && *p <= '9') p++;
        if (p == port || p - port > 5) return LHTTP_ERR_URL;
    }
    pend = p;
    if (*p && *p != '/' && *p != '?') return LHTTP_ERR_URL;
    hl = (size_t)(hend - host);
    if (hl == 0 || hl >= sizeof out->host) return LHTTP_ERR_URL;
    memcpy(out->host, host, hl);
    out->host[hl] = '\0';
    if (strchr(out->host, '@') || strchr(out->host, ' ')) return LHTTP_ERR_URL;
    if (port) {
        pl = (size_t)(pend - port);
        memcpy(out->port, port, pl);
        out->port[pl] = '\0';
        if (atoi_port(out->port) == 0) return LHTTP_ERR_URL;
    } else {
        strcpy(out->port, out->secure ? "443" : "80");
    }
    if (*p == '?') {
        if (strlen(p) + 2 > sizeof out->path) return LHTTP_ERR_URL;
        out->path[0] = '/';
        strcpy(out->path + 1, p);
    } else if (*p == '/') {
        if (strlen(p) + 1 > sizeof out->path) return LHTTP_ERR_URL;
        strcpy(out->path, p);
    } else {
        strcpy(out->path, "/");
    }
    {
        char *h = strchr(out->path, '#');
        if (h) *h = '\0';
        for (h = out->path; *h; h++)
            if ((unsigned char)*h <= 0x20 || *h == 0x7f) return LHTTP_ERR_URL;
    }
    return LHTTP_OK;
}

/* ---- socket helpers ---------------------------------------------------- */

static int remaining_ms(uint64_t deadline)
{
    uint64_t now;
    if (deadline == 0) return -1; /* forever */
    now = lhttp_now_ms();
    if (now >= deadline) return 0;
    return (deadline - now) > 0x7fffffff ? 0x7fffffff : (int)(deadline - now);
}

static uint64_t deadline_after(int timeout_ms)
{
    if (timeout_ms < 0) return 0;
    return lhttp_now_ms() + (uint64_t)timeout_ms;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
    return 0;
}

static int wait_fd(int fd, short events, uint64_t deadline, int zero_means_poll)
{
    struct pollfd pfd;
    int r, ms;
    for (;;) {
        ms = remaining_ms(deadline);
        if (ms == 0 && !zero_means_poll) return 0;
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        r = poll(&pfd, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        return r; /* 0: timeout, 1: ready (or error/hup, found by the I/O call) */
    }
}

int lhttp_io_wait(int fd, int want, uint64_t deadline_ms)
{
    int r = wait_fd(fd, want == LHTTP_ERR_WANT_WRITE ? POLLOUT : POLLIN, deadline_ms, 0);
    if (r < 0) return LHTTP_ERR_IO;
    return r == 0 ? LHTTP_ERR_TIMEOUT : LHTTP_OK;
}

/* ---- the plain transport (ctx: int *fd) ---------------------------------- */

static int plain_open(void *ctx, int fd, const char *host, uint64_t deadline_ms)
{
    (void)ctx; (void)fd; (void)host; (void)deadline_ms;
    return LHTTP_OK;
}

static long plain_recv(void *ctx, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(*(int *)ctx, buf, len, 0);
        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return LHTTP_ERR_WANT_READ;
        return LHTTP_ERR_IO;
    }
}

static long plain_send(void *ctx, const void *buf, size_t len)
{
    for (;;) {
        ssize_t n = send(*(int *)ctx, buf, len, MSG_NOSIGNAL);
        if (n > 0) return (long)n;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return LHTTP_ERR_WANT_WRITE;
        return LHTTP_ERR_IO;
    }
}

static void plain_close(void *ctx) { (void)ctx; }

const lhttp_transport lhttp_transport_plain = {"plain", plain_open, plain_recv, plain_send,
                                               plain_close};

static int write_all(lhttp_ws *ws, const void *data, size_t len, uint64_t deadline)
{
    const uint8_t *p = (const uint8_t *)data;
    while (len > 0) {
        long n = ws->io->send(ws->io_ctx, p, len);
        if (n > 0) { p += n; len -= (size_t)n; continue; }
        if (n == LHTTP_ERR_WANT_READ || n == LHTTP_ERR_WANT_WRITE) {
            int r = wait_fd(ws->fd, n == LHTTP_ERR_WANT_READ ? POLLIN : POLLOUT, deadline, 1);
            if (r < 0) return LHTTP_ERR_IO;
            if (r == 0) return LHTTP_ERR_TIMEOUT;
            continue;
        }
        return n < 0 ? (int)n : LHTTP_ERR_IO;
    }
    return LHTTP_OK;
}

void lhttp_ws_abort(lhttp_ws *ws)
{
    if (ws == NULL) return;
    if (ws->fd >= 0) {
        if (ws->io != NULL) ws->io->close(ws->io_ctx);
        close(ws->fd);
    }
    ws->fd = -1;
    ws->io = NULL;
    ws->io_ctx = NULL;
    ws->state = LHTTP_WS_STATE_CLOSED;
    ws->rx_len = ws->asm_len = ws->consume = 0;
    ws->asm_opcode = 0;
}

int lhttp_ws_init(lhttp_ws *ws, void *rx_buf, size_t rx_cap)
{
    if (ws == NULL || rx_buf == NULL || rx_cap < 256) return LHTTP_ERR_INVALID_ARG;
    memset(ws, 0, sizeof *ws);
    ws->fd = -1;
    ws->rx = (uint8_t *)rx_buf;
    ws->rx_cap = rx_cap;
    ws->send_timeout_ms = 10000;
    rng_seed(ws->rng);
    return LHTTP_OK;
}

int lhttp_ws_attach(lhttp_ws *ws, int fd)
{
    if (ws == NULL || fd < 0 || ws->rx == NULL) return LHTTP_ERR_INVALID_ARG;
    if (ws->fd >= 0) lhttp_ws_abort(ws);
    if (set_nonblock(fd) < 0) return LHTTP_ERR_IO;
    ws->fd = fd;
    ws->io = &lhttp_transport_plain;
    ws->io_ctx = &ws->fd;
    ws->state = LHTTP_WS_STATE_OPEN;
    ws->rx_len = ws->asm_len = ws->consume = 0;
    ws->asm_opcode = 0;
    ws->close_code = 0;
    ws->last_rx_ms = lhttp_now_ms();
    return LHTTP_OK;
}

int lhttp_ws_set_tls(lhttp_ws *ws, const lhttp_transport *tls, void *tls_ctx)
{
    if (ws == NULL || (tls != NULL && (tls->open == NULL || tls->recv == NULL ||
                                       tls->send == NULL || tls->close == NULL)))
        return LHTTP_ERR_INVALID_ARG;
    ws->tls = tls;
    ws->tls_ctx = tls_ctx;
    return LHTTP_OK;
}

static int tcp_connect(const lhttp_url *u, uint64_t deadline, int *out_fd)
{
    struct addrinfo hints, *res = NULL, *ai;
    int rc = LHTTP_ERR_CONNECT;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(u->host, u->port, &hints, &res) != 0 || res == NULL) return LHTTP_ERR_DNS;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        int one = 1, r;
        if (fd < 0) continue;
        if (set_nonblock(fd) < 0) { close(fd); continue; }
#ifdef SO_NOSIGPIPE
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        r = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (r < 0 && errno == EINPROGRESS) {
            int w = wait_fd(fd, POLLOUT, deadline, 0);
            int err = 0;
            socklen_t el = sizeof err;
            if (w <= 0) { rc = w == 0 ? LHTTP_ERR_TIMEOUT : LHTTP_ERR_CONNECT; close(fd); continue; }
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) {
                close(fd);
                continue;
            }
            r = 0;
        }
        if (r == 0) {
            freeaddrinfo(res);
            *out_fd = fd;
            return LHTTP_OK;
        }
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

/* Finds header `name` (case-insensitive) in an HTTP response head. */
static int http_header(const char *head, const char *name, const char **val, size_t *vlen)
{
    const char *line = strstr(head, "\r\n");
    size_t nl = strlen(name);
    while (line != NULL && line[2] != '\0') {
        const char *p = line + 2, *end = strstr(p, "\r\n");
        if (end == NULL) end = p + strlen(p);
        if ((size_t)(end - p) > nl && p[nl] == ':' && ieq_prefix_n(p, name, nl)) {
            const char *v = p + nl + 1, *ve = end;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            *val = v;
            *vlen = (size_t)(ve - v);
            return 1;
        }
        if (*end == '\0') break;
        line = end;
    }
    return 0;
}

static int handshake(lhttp_ws *ws, const lhttp_url *u, uint64_t deadline, const char *extra)
{
    uint8_t nonce[16];
    char key[32], expect[29];
    const char *v, *head_end = NULL;
    size_t vl, i;
    int n, rc, colon_port;
    char *req = (char *)ws->rx;

    for (i = 0; i < 16; i += 4) {
        uint32_t r = rng_next(ws->rng);
        memcpy(nonce + i, &r, 4);
    }
    lhttp_base64(nonce, 16, key, sizeof key);
    lhttp_ws_accept_key(key, expect);

    colon_port = strcmp(u->port, u->secure ? "443" : "80") != 0;
    n = snprintf(req, ws->rx_cap,
                 "GET %s HTTP/1.1\r\nHost: %s%s%s%s%s\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                 "Sec-WebSocket-Version: 13\r\n%s\r\n",
                 u->path, strchr(u->host, ':') ? "[" : "", u->host,
                 strchr(u->host, ':') ? "]" : "", colon_port ? ":" : "",
                 colon_port ? u->port : "", key, extra ? extra : "");
    if (n < 0 || (size_t)n >= ws->rx_cap) return LHTTP_ERR_BUFFER_TOO_SMALL;
    rc = write_all(ws, req, (size_t)n, deadline);
    if (rc != LHTTP_OK) return rc;

    /* read the response head; keep one byte for a NUL */
    ws->rx_len = 0;
    while (head_end == NULL) {
        long r;
        int w;
        if (ws->rx_len + 1 >= ws->rx_cap) return LHTTP_ERR_HANDSHAKE;
        r = ws->io->recv(ws->io_ctx, ws->rx + ws->rx_len, ws->rx_cap - 1 - ws->rx_len);
        if (r > 0) {
            size_t from = ws->rx_len > 3 ? ws->rx_len - 3 : 0, k;
            ws->rx_len += (size_t)r;
            for (k = from; k + 3 < ws->rx_len; k++)
                if (memcmp(ws->rx + k, "\r\n\r\n", 4) == 0) { head_end = (char *)ws->rx + k; break; }
            continue;
        }
        if (r == 0) return LHTTP_ERR_HANDSHAKE;
        if (r != LHTTP_ERR_WANT_READ && r != LHTTP_ERR_WANT_WRITE) return (int)r;
        w = wait_fd(ws->fd, r == LHTTP_ERR_WANT_READ ? POLLIN : POLLOUT, deadline, 0);
        if (w < 0) return LHTTP_ERR_IO;
        if (w == 0) return LHTTP_ERR_TIMEOUT;
    }
    {
        char *head = (char *)ws->rx;
        size_t head_len = (size_t)(head_end - head) + 4, rest;
        char saved = head[head_len - 2];
        head[head_len - 2] = '\0'; /* keep the last header's CRLF, cut the blank line */
        if (memchr(head, '\0', head_len - 2) != NULL ||
            !(strncmp(head, "HTTP/1.1 101", 12) == 0 || strncmp(head, "HTTP/1.0 101", 12) == 0) ||
            (head[12] != ' ' && head[12] != '\r'))
            return LHTTP_ERR_HANDSHAKE;
        if (!http_header(head, "upgrade", &v, &vl) || !has_token(v, vl, "websocket"))
            return LHTTP_ERR_HANDSHAKE;
        if (!http_header(head, "connection", &v, &vl) || !has_token(v, vl, "upgrade"))
            return LHTTP_ERR_HANDSHAKE;
        if (!http_header(head, "sec-websocket-accept", &v, &vl) || vl != 28 ||
            memcmp(v, expect, 28) != 0)
            return LHTTP_ERR_HANDSHAKE;
        head[head_len - 2] = saved;
        rest = ws->rx_len - head_len;
        memmove(ws->rx, ws->rx + head_len, rest);
        ws->rx_len = rest;
    }
    return LHTTP_OK;
}

int lhttp_ws_connect(lhttp_ws *ws, const char *url, int timeout_ms, const char *extra_headers)
{
    lhttp_url u;
    uint64_t deadline = deadline_after(timeout_ms);
    int fd = -1, rc;
    if (ws == NULL || ws->rx == NULL) return LHTTP_ERR_INVALID_ARG;
    if (extra_headers != NULL) {
        /* must be complete "Name: value\r\n" lines */
        size_t el = strlen(extra_headers);
        if (el > 0 && (el < 2 || memcmp(extra_headers + el - 2, "\r\n", 2) != 0))
            return LHTTP_ERR_INVALID_ARG;
    }
    rc = lhttp_url_parse(url, &u);
    if (rc != LHTTP_OK) return rc;
    if (u.secure && ws->tls == NULL) return LHTTP_ERR_TLS_UNSUPPORTED;
    if (ws->fd >= 0) lhttp_ws_abort(ws);
    if (timeout_ms == 0) deadline = lhttp_now_ms() + 1;
    rc = tcp_connect(&u, deadline, &fd);
    if (rc != LHTTP_OK) return rc;
    if (u.secure) {
        rc = ws->tls->open(ws->tls_ctx, fd, u.host, deadline);
        if (rc != LHTTP_OK) {
            close(fd);
            return rc;
        }
        ws->io = ws->tls;
        ws->io_ctx = ws->tls_ctx;
    } else {
        ws->io = &lhttp_transport_plain;
        ws->io_ctx = &ws->fd;
    }
    ws->fd = fd;
    ws->state = LHTTP_WS_STATE_OPEN;
    ws->rx_len = ws->asm_len = ws->consume = 0;
    ws->asm_opcode = 0;
    ws->close_code = 0;
    rc = handshake(ws, &u, deadline, extra_headers);
    if (rc != LHTTP_OK) {
        lhttp_ws_abort(ws);
        return rc;
    }
    ws->last_rx_ms = lhttp_now_ms();
    return LHTTP_OK;
}

/* ---- frames ------------------------------------------------------------ */

static int send_frame(lhttp_ws *ws, int opcode, int fin, const void *data, size_t len,
                      uint64_t deadline)
{
    uint8_t hdr[14], chunk[512], mask[4];
    const uint8_t *p = (const uint8_t *)data;
    size_t hl = 2, off = 0, i;
    uint32_t m = rng_next(ws->rng);
    int rc;
    hdr[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        hdr[1] = (uint8_t)(0x80 | len);
    } else if (len <= 0xffff) {
        hdr[1] = 0x80 | 126;
        hdr[2] = (uint8_t)(len >> 8);
        hdr[3] = (uint8_t)len;
        hl = 4;
    } else {
        uint64_t l = (uint64_t)len;
        hdr[1] = 0x80 | 127;
        for (i = 0; i < 8; i++) hdr[2 + i] = (uint8_t)(l >> (56 - 8 * i));
        hl = 10;
    }
    memcpy(mask, &m, 4);
    memcpy(hdr + hl, mask, 4);
    hl += 4;
    rc = write_all(ws, hdr, hl, deadline);
    while (rc == LHTTP_OK && off < len) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        for (i = 0; i < n; i++) chunk[i] = (uint8_t)(p[off + i] ^ mask[(off + i) & 3]);
        rc = write_all(ws, chunk, n, deadline);
        off += n;
    }
    if (rc != LHTTP_OK) lhttp_ws_abort(ws); /* a half-written frame corrupts the stream */
    return rc;
}

static int check_send(lhttp_ws *ws, int opcode, const void *data, size_t len)
{
    if (ws == NULL || (data == NULL && len)) return LHTTP_ERR_INVALID_ARG;
    if (ws->state != LHTTP_WS_STATE_OPEN || ws->fd < 0) return LHTTP_ERR_NOT_CONNECTED;
    if (opcode != LHTTP_WS_TEXT && opcode != LHTTP_WS_BINARY && opcode != LHTTP_WS_PING &&
        opcode != LHTTP_WS_PONG)
        return LHTTP_ERR_INVALID_ARG;
    if ((opcode == LHTTP_WS_PING || opcode == LHTTP_WS_PONG) && len > 125) return LHTTP_ERR_INVALID_ARG;
    if (opcode == LHTTP_WS_TEXT && !lhttp_valid_utf8(data, len)) return LHTTP_ERR_INVALID_ARG;
    return LHTTP_OK;
}

int lhttp_ws_send(lhttp_ws *ws, int opcode, const void *data, size_t len)
{
    int rc = check_send(ws, opcode, data, len);
    if (rc != LHTTP_OK) return rc;
    return send_frame(ws, opcode, 1, data, len, deadline_after(ws->send_timeout_ms));
}

int lhttp_ws_send_fragmented(lhttp_ws *ws, int opcode, const void *data, size_t len,
                             size_t frag_size)
{
    const uint8_t *p = (const uint8_t *)data;
    uint64_t deadline;
    size_t off = 0;
    int rc = check_send(ws, opcode, data, len), first = 1;
    if (rc != LHTTP_OK) return rc;
    if (frag_size == 0 || opcode == LHTTP_WS_PING || opcode == LHTTP_WS_PONG)
        return LHTTP_ERR_INVALID_ARG;
    deadline = deadline_after(ws->send_timeout_ms);
    do {
        size_t n = len - off < frag_size ? len - off : frag_size;
        rc = send_frame(ws, first ? opcode : LHTTP_WS_CONT, off + n == len, p + off, n, deadline);
        first = 0;
        off += n;
    } while (rc == LHTTP_OK && off < len);
    return rc;
}

/* Fails the connection: best-effort close frame with `code`, then abort. */
static int fail_ws(lhttp_ws *ws, uint16_t code, int err)
{
    if (ws->fd >= 0 && ws->state == LHTTP_WS_STATE_OPEN) {
        uint8_t pl[2];
        pl[0] = (uint8_t)(code >> 8);
        pl[1] = (uint8_t)code;
        send_frame(ws, LHTTP_WS_CLOSE, 1, pl, 2, lhttp_now_ms() + 200);
    }
    lhttp_ws_abort(ws);
    return err;
}

/* Drops rx[at .. at+n) */
static void rx_drop(lhttp_ws *ws, size_t at, size_t n)
{
    memmove(ws->rx + at, ws->rx + at + n, ws->rx_len - at - n);
    ws->rx_len -= n;
}

/* Tries to process one frame from the buffer. Returns 1 when a message is
 * ready in *msg, 0 when more bytes are needed, 2 when a frame was consumed
 * without a message, or a negative error. */
static int process_frame(lhttp_ws *ws, lhttp_ws_msg *msg)
{
    uint8_t *p = ws->rx + ws->asm_len;
    size_t avail = ws->rx_len - ws->asm_len, hl = 2, i;
    uint64_t plen;
    int fin, op, masked;
    if (avail < 2) {
        if (ws->asm_len + 2 > ws->rx_cap) return fail_ws(ws, 1009, LHTTP_ERR_WS_TOO_LARGE);
        return 0;
    }
    fin = (p[0] & 0x80) != 0;
    op = p[0] & 0x0f;
    masked = (p[1] & 0x80) != 0;
    plen = p[1] & 0x7f;
    if (p[0] & 0x70) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL); /* RSV bits */
    if (masked) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);      /* servers never mask */
    if (op >= 0x8) {
        if (op > LHTTP_WS_PONG) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
        if (!fin || plen > 125) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    } else if (op > LHTTP_WS_BINARY) {
        return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    } else if (op == LHTTP_WS_CONT && ws->asm_opcode == 0) {
        return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    } else if (op != LHTTP_WS_CONT && ws->asm_opcode != 0) {
        return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    }
    if (plen == 126) {
        hl = 4;
        if (avail < hl) return 0;
        plen = (uint64_t)p[2] << 8 | p[3];
        if (plen < 126) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    } else if (plen == 127) {
        hl = 10;
        if (avail < hl) return 0;
        plen = 0;
        for (i = 0; i < 8; i++) plen = plen << 8 | p[2 + i];
        if (plen >> 63) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
        if (plen <= 0xffff) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
    }
    if (plen > (uint64_t)(ws->rx_cap - ws->asm_len - hl))
        return fail_ws(ws, 1009, LHTTP_ERR_WS_TOO_LARGE);
    if (avail < hl + (size_t)plen) return 0;

    if (op >= 0x8) {
        uint8_t pl[125];
        size_t n = (size_t)plen;
        memcpy(pl, p + hl, n);
        rx_drop(ws, ws->asm_len, hl + n);
        if (op == LHTTP_WS_PING) {
            if (ws->state == LHTTP_WS_STATE_OPEN) {
                int rc = send_frame(ws, LHTTP_WS_PONG, 1, pl, n,
                                    deadline_after(ws->send_timeout_ms));
                if (rc != LHTTP_OK) return rc;
            }
        } else if (op == LHTTP_WS_CLOSE) {
            uint16_t code = 1005;
            if (n == 1) return fail_ws(ws, 1002, LHTTP_ERR_WS_PROTOCOL);
            if (n >= 2) {
                code = (uint16_t)(pl[0] << 8 | pl[1]);
                if (!lhttp_valid_utf8(pl + 2, n - 2)) return fail_ws(ws, 1007, LHTTP_ERR_WS_PROTOCOL);
            }
            ws->close_code = code;
            if (ws->state == LHTTP_WS_STATE_OPEN) {
                uint8_t echo[2];
                echo[0] = (uint8_t)(code >> 8);
                echo[1] = (uint8_t)code;
                send_frame(ws, LHTTP_WS_CLOSE, 1, echo, code == 1005 ? 0 : 2,
                           lhttp_now_ms() + 200);
            }
            lhttp_ws_abort(ws);
            return LHTTP_ERR_CLOSED;
        }
        return 2;
    }

    if (op == LHTTP_WS_CONT) {
        rx_drop(ws, ws->asm_len, hl);
        ws->asm_len += (size_t)plen;
        if (!fin) return 2;
        msg->opcode = ws->asm_opcode;
        msg->data = ws->rx;
        msg->len = ws->asm_len;
        ws->consume = ws->asm_len;
        ws->asm_len = 0;
        ws->asm_opcode = 0;
    } else if (!fin) {
        rx_drop(ws, ws->asm_len, hl);
        ws->asm_len += (size_t)plen;
        ws->asm_opcode = op;
        return 2;
    } else {
        msg->opcode = op;
        msg->data = p + hl;
        msg->len = (size_t)plen;
        ws->consume = hl + (size_t)plen; /* asm_len is 0 here */
    }
    if (msg->opcode == LHTTP_WS_TEXT && !lhttp_valid_utf8(msg->data, msg->len)) {
        msg->data = NULL;
        msg->len = 0;
        ws->consume = 0;
        return fail_ws(ws, 1007, LHTTP_ERR_WS_UTF8);
    }
    return 1;
}

int lhttp_ws_recv(lhttp_ws *ws, int timeout_ms, lhttp_ws_msg *msg)
{
    uint64_t deadline;
    lhttp_ws_msg dummy;
    if (ws == NULL) return LHTTP_ERR_INVALID_ARG;
    if (msg == NULL) msg = &dummy;
    msg->opcode = 0;
    msg->data = NULL;
    msg->len = 0;
    if (ws->consume) {
        rx_drop(ws, 0, ws->consume);
        ws->consume = 0;
    }
    if (ws->fd < 0 || ws->state == LHTTP_WS_STATE_CLOSED) return LHTTP_ERR_CLOSED;
    deadline = timeout_ms < 0 ? 0 : lhttp_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        long n;
        int r = process_frame(ws, msg);
        if (r == 1) return LHTTP_OK;
        if (r < 0) return r;
        if (r == 2) continue;
        if (ws->rx_len >= ws->rx_cap) return fail_ws(ws, 1009, LHTTP_ERR_WS_TOO_LARGE);
        n = ws->io->recv(ws->io_ctx, ws->rx + ws->rx_len, ws->rx_cap - ws->rx_len);
        if (n > 0) {
            ws->rx_len += (size_t)n;
            ws->last_rx_ms = lhttp_now_ms();
            continue;
        }
        if (n == 0) { /* TCP closed without a close frame */
            ws->close_code = 1006;
            lhttp_ws_abort(ws);
            return LHTTP_ERR_CLOSED;
        }
        if (n != LHTTP_ERR_WANT_READ && n != LHTTP_ERR_WANT_WRITE) {
            /* reset, or a TLS failure (reported as such) */
            ws->close_code = 1006;
            lhttp_ws_abort(ws);
            return n == LHTTP_ERR_IO ? LHTTP_ERR_CLOSED : (int)n;
        }
        if (timeout_ms == 0) return LHTTP_ERR_TIMEOUT;
        r = wait_fd(ws->fd, n == LHTTP_ERR_WANT_READ ? POLLIN : POLLOUT, deadline, 0);
        if (r < 0) { lhttp_ws_abort(ws); return LHTTP_ERR_IO; }
        if (r == 0) return LHTTP_ERR_TIMEOUT;
    }
}

int lhttp_ws_close(lhttp_ws *ws, uint16_t code, const char *reason, int timeout_ms)
{
    uint8_t pl[125];
    size_t rl = reason ? strlen(reason) : 0;
    uint64_t deadline;
    if (ws == NULL) return LHTTP_ERR_INVALID_ARG;
    if (ws->fd < 0 || ws->state != LHTTP_WS_STATE_OPEN) {
        lhttp_ws_abort(ws);
        return LHTTP_OK;
    }
    if (rl > 123) rl = 123;
    while (rl > 0 && !lhttp_valid_utf8(reason, rl)) rl--; /* do not cut a UTF-8 sequence */
    pl[0] = (uint8_t)(code >> 8);
    pl[1] = (uint8_t)code;
    if (rl) memcpy(pl + 2, reason, rl);
    deadline = deadline_after(timeout_ms < 0 ? 1000 : timeout_ms);
    if (send_frame(ws, LHTTP_WS_CLOSE, 1, pl, 2 + rl, deadline) != LHTTP_OK) return LHTTP_OK;
    ws->state = LHTTP_WS_STATE_CLOSING;
    for (;;) {
        int ms = remaining_ms(deadline), r;
        if (ms <= 0) break;
        r = lhttp_ws_recv(ws, ms, NULL);
        if (r != LHTTP_OK) break; /* closed, timeout or error */
    }
    lhttp_ws_abort(ws);
    return LHTTP_OK;
}
