/* test_ws.c - WebSocket layer and client tests (socketpair and a forked
 * in-process server; no network beyond 127.0.0.1). */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lhttp_client.h"
#include "lhttp_ws.h"

/* ---- raw server-side helpers ---------------------------------------------- */

static int read_full(int fd, void *buf, size_t n)
{
    uint8_t *p = (uint8_t *)buf;
    while (n) {
        struct pollfd pfd;
        ssize_t r;
        pfd.fd = fd; pfd.events = POLLIN; pfd.revents = 0;
        if (poll(&pfd, 1, 3000) <= 0) return -1;
        r = read(fd, p, n);
        if (r <= 0) { if (r < 0 && errno == EINTR) continue; return -1; }
        p += r; n -= (size_t)r;
    }
    return 0;
}

static void write_full(int fd, const void *buf, size_t n)
{
    const uint8_t *p = (const uint8_t *)buf;
    while (n) {
        ssize_t r = write(fd, p, n);
        if (r <= 0) { if (r < 0 && errno == EINTR) continue; return; }
        p += r; n -= (size_t)r;
    }
}

/* unmasked server frame */
static size_t srv_frame(uint8_t *out, int fin, int op, const void *data, size_t len)
{
    size_t h = 2, i;
    out[0] = (uint8_t)((fin ? 0x80 : 0) | op);
    if (len < 126) out[1] = (uint8_t)len;
    else if (len <= 0xffff) { out[1] = 126; out[2] = (uint8_t)(len >> 8); out[3] = (uint8_t)len; h = 4; }
    else { out[1] = 127; for (i = 0; i < 8; i++) out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i)); h = 10; }
    if (len) memcpy(out + h, data, len);
    return h + len;
}

static void send_srv(int fd, int fin, int op, const void *data, size_t len)
{
    uint8_t *buf = (uint8_t *)malloc(len + 14);
    size_t n = srv_frame(buf, fin, op, data, len);
    write_full(fd, buf, n);
    free(buf);
}

/* reads one client frame; checks the mask bit; returns payload length or -1 */
static long read_client_frame(int fd, int *op, int *fin, uint8_t *buf, size_t cap)
{
    uint8_t h[14], mask[4];
    uint64_t len;
    size_t i;
    if (read_full(fd, h, 2)) return -1;
    *fin = (h[0] & 0x80) != 0;
    *op = h[0] & 0x0f;
    if (!(h[1] & 0x80)) return -2; /* clients must mask */
    len = h[1] & 0x7f;
    if (len == 126) { if (read_full(fd, h, 2)) return -1; len = (uint64_t)h[0] << 8 | h[1]; }
    else if (len == 127) { if (read_full(fd, h, 8)) return -1; len = 0; for (i = 0; i < 8; i++) len = len << 8 | h[i]; }
    if (len > cap) return -3;
    if (read_full(fd, mask, 4)) return -1;
    if (len && read_full(fd, buf, (size_t)len)) return -1;
    for (i = 0; i < len; i++) buf[i] ^= mask[i & 3];
    return (long)len;
}

/* ---- primitives ------------------------------------------------------------ */

static void test_sha1_base64(void)
{
    uint8_t d[20];
    char hex[41], b64[64], acc[29];
    int i;
    static const char *abc = "a9993e364706816aba3e25717850c26c9cd0d89d";
    lhttp_sha1("abc", 3, d);
    for (i = 0; i < 20; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    CHECK(strcmp(hex, abc) == 0);
    lhttp_sha1("", 0, d);
    for (i = 0; i < 20; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    CHECK(strcmp(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709") == 0);
    lhttp_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    for (i = 0; i < 20; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    CHECK(strcmp(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1") == 0);
    CHECK(lhttp_base64("", 0, b64, sizeof b64) == 0 && b64[0] == '\0');
    lhttp_base64("f", 1, b64, sizeof b64); CHECK(strcmp(b64, "Zg==") == 0);
    lhttp_base64("fo", 2, b64, sizeof b64); CHECK(strcmp(b64, "Zm8=") == 0);
    lhttp_base64("foo", 3, b64, sizeof b64); CHECK(strcmp(b64, "Zm9v") == 0);
    lhttp_base64("foobar", 6, b64, sizeof b64); CHECK(strcmp(b64, "Zm9vYmFy") == 0);
    CHECK(lhttp_base64("foobar", 6, b64, 8) == 0);
    /* RFC 6455 section 1.3 */
    lhttp_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", acc);
    CHECK(strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
}

static void test_url(void)
{
    lhttp_url u;
    CHECK_RC(lhttp_url_parse("ws://example.com", &u), LHTTP_OK);
    CHECK(strcmp(u.host, "example.com") == 0 && strcmp(u.port, "80") == 0 && strcmp(u.path, "/") == 0);
    CHECK_RC(lhttp_url_parse("ws://127.0.0.1:8081/chat?x=1#frag", &u), LHTTP_OK);
    CHECK(strcmp(u.host, "127.0.0.1") == 0 && strcmp(u.port, "8081") == 0 && strcmp(u.path, "/chat?x=1") == 0);
    CHECK_RC(lhttp_url_parse("WS://[::1]:9000", &u), LHTTP_OK);
    CHECK(strcmp(u.host, "::1") == 0 && strcmp(u.port, "9000") == 0);
    CHECK_RC(lhttp_url_parse("ws://h?q", &u), LHTTP_OK);
    CHECK(strcmp(u.path, "/?q") == 0);
    CHECK_RC(lhttp_url_parse("wss://example.com", &u), LHTTP_OK);
    CHECK(u.secure == 1 && strcmp(u.host, "example.com") == 0 && strcmp(u.port, "443") == 0);
    CHECK_RC(lhttp_url_parse("WSS://h:8443/x", &u), LHTTP_OK);
    CHECK(u.secure == 1 && strcmp(u.port, "8443") == 0 && strcmp(u.path, "/x") == 0);
    CHECK_RC(lhttp_url_parse("ws://h", &u), LHTTP_OK);
    CHECK(u.secure == 0);
    CHECK_RC(lhttp_url_parse("http://example.com", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://h:99999", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://h:", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://h:80x", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://h/a b", &u), LHTTP_ERR_URL);
    CHECK_RC(lhttp_url_parse("ws://[::1", &u), LHTTP_ERR_URL);
}

/* ---- frames over a socketpair -------------------------------------------- */

static void pair(lhttp_ws *ws, void *rx, size_t cap, int *peer)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) { perror("socketpair"); exit(2); }
    CHECK_RC(lhttp_ws_init(ws, rx, cap), LHTTP_OK);
    CHECK_RC(lhttp_ws_attach(ws, sv[0]), LHTTP_OK);
    *peer = sv[1];
}

static void test_frames(void)
{
    static uint8_t rx[100000];
    static uint8_t big[70000], got[70000];
    lhttp_ws ws;
    lhttp_ws_msg m;
    int peer, op, fin;
    long n;
    size_t i;

    /* single text frame */
    pair(&ws, rx, 1024, &peer);
    send_srv(peer, 1, LHTTP_WS_TEXT, "hello", 5);
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_OK);
    CHECK(m.opcode == LHTTP_WS_TEXT && m.len == 5 && memcmp(m.data, "hello", 5) == 0);
    /* nothing more: timeout, then non-blocking */
    CHECK_RC(lhttp_ws_recv(&ws, 30, &m), LHTTP_ERR_TIMEOUT);
    CHECK_RC(lhttp_ws_recv(&ws, 0, &m), LHTTP_ERR_TIMEOUT);

    /* fragmented message with a ping in the middle, all in one write */
    {
        uint8_t w[64];
        size_t k = 0;
        k += srv_frame(w + k, 0, LHTTP_WS_TEXT, "hel", 3);
        k += srv_frame(w + k, 1, LHTTP_WS_PING, "p1", 2);
        k += srv_frame(w + k, 0, LHTTP_WS_CONT, "l", 1);
        k += srv_frame(w + k, 1, LHTTP_WS_CONT, "o!", 2);
        k += srv_frame(w + k, 1, LHTTP_WS_BINARY, "\x00\xff", 2);
        write_full(peer, w, k);
    }
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_OK);
    CHECK(m.opcode == LHTTP_WS_TEXT && m.len == 6 && memcmp(m.data, "hello!", 6) == 0);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 2 && op == LHTTP_WS_PONG && fin && memcmp(got, "p1", 2) == 0);
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_OK);
    CHECK(m.opcode == LHTTP_WS_BINARY && m.len == 2 && m.data[1] == 0xff);

    /* client sends: masked, 7-bit, 16-bit and fragmented */
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_TEXT, "abc", 3), LHTTP_OK);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 3 && op == LHTTP_WS_TEXT && fin && memcmp(got, "abc", 3) == 0);
    for (i = 0; i < 300; i++) big[i] = (uint8_t)i;
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_BINARY, big, 300), LHTTP_OK);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 300 && op == LHTTP_WS_BINARY && memcmp(got, big, 300) == 0);
    CHECK_RC(lhttp_ws_send_fragmented(&ws, LHTTP_WS_TEXT, "abcdefg", 7, 3), LHTTP_OK);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 3 && op == LHTTP_WS_TEXT && !fin && memcmp(got, "abc", 3) == 0);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 3 && op == LHTTP_WS_CONT && !fin && memcmp(got, "def", 3) == 0);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 1 && op == LHTTP_WS_CONT && fin && got[0] == 'g');
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_TEXT, "\xff", 1), LHTTP_ERR_INVALID_ARG);
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_PING, big, 126), LHTTP_ERR_INVALID_ARG);

    /* server close: echoed, then CLOSED */
    send_srv(peer, 1, LHTTP_WS_CLOSE, "\x03\xe8" "bye", 5);
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_ERR_CLOSED);
    CHECK(ws.close_code == 1000 && ws.fd < 0);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 2 && op == LHTTP_WS_CLOSE && got[0] == 0x03 && got[1] == 0xe8);
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_TEXT, "x", 1), LHTTP_ERR_NOT_CONNECTED);
    close(peer);

    /* 64-bit length, payload larger than 64 KiB, arriving in pieces */
    pair(&ws, rx, sizeof rx, &peer);
    for (i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
    send_srv(peer, 1, LHTTP_WS_BINARY, big, sizeof big);
    CHECK_RC(lhttp_ws_recv(&ws, 2000, &m), LHTTP_OK);
    CHECK(m.len == sizeof big && memcmp(m.data, big, sizeof big) == 0);
    /* too large for the buffer: 1009 */
    send_srv(peer, 1, LHTTP_WS_BINARY, big, 100);
    {
        uint8_t h[10] = {0x82, 127, 0, 0, 0, 0, 0, 0x10, 0, 0};
        write_full(peer, h, 10);
    }
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_OK);
    CHECK(m.len == 100);
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_ERR_WS_TOO_LARGE);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 2 && op == LHTTP_WS_CLOSE && got[0] == 0x03 && got[1] == 0xf1);
    close(peer);

    /* protocol violations */
    {
        static const uint8_t bad[][6] = {
            {0x81, 0x81, 1, 2, 3, 4},     /* masked by the server */
            {0xC1, 0x00},                 /* RSV1 */
            {0x83, 0x00},                 /* reserved opcode */
            {0x80, 0x00},                 /* continuation without a start */
            {0x09, 0x00},                 /* fragmented ping */
            {0x88, 0x01, 0x03},           /* close with 1-byte payload */
            {0x81, 0x7e, 0x00, 0x05},     /* non-minimal 16-bit length */
        };
        static const size_t blen[] = {6, 2, 2, 2, 2, 3, 4};
        for (i = 0; i < sizeof blen / sizeof blen[0]; i++) {
            pair(&ws, rx, 1024, &peer);
            write_full(peer, bad[i], blen[i]);
            CHECK_MSG(lhttp_ws_recv(&ws, 1000, &m) == LHTTP_ERR_WS_PROTOCOL, "bad frame %lu", (unsigned long)i);
            CHECK(ws.fd < 0);
            close(peer);
        }
        /* data frame while a fragmented message is open */
        pair(&ws, rx, 1024, &peer);
        send_srv(peer, 0, LHTTP_WS_TEXT, "a", 1);
        send_srv(peer, 1, LHTTP_WS_TEXT, "b", 1);
        CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_ERR_WS_PROTOCOL);
        close(peer);
        /* invalid UTF-8 text: 1007 */
        pair(&ws, rx, 1024, &peer);
        send_srv(peer, 1, LHTTP_WS_TEXT, "\xc3\x28", 2);
        CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_ERR_WS_UTF8);
        n = read_client_frame(peer, &op, &fin, got, sizeof got);
        CHECK(n == 2 && op == LHTTP_WS_CLOSE && got[0] == 0x03 && got[1] == 0xef);
        close(peer);
    }

    /* TCP EOF without a close frame: 1006 */
    pair(&ws, rx, 1024, &peer);
    close(peer);
    CHECK_RC(lhttp_ws_recv(&ws, 1000, &m), LHTTP_ERR_CLOSED);
    CHECK(ws.close_code == 1006);

    /* client-initiated close handshake */
    pair(&ws, rx, 1024, &peer);
    send_srv(peer, 1, LHTTP_WS_CLOSE, "\x03\xe8", 2); /* the peer's answer, already queued */
    CHECK_RC(lhttp_ws_close(&ws, 1000, "done", 1000), LHTTP_OK);
    n = read_client_frame(peer, &op, &fin, got, sizeof got);
    CHECK(n == 6 && op == LHTTP_WS_CLOSE && memcmp(got + 2, "done", 4) == 0);
    CHECK(ws.fd < 0 && ws.close_code == 1000);
    close(peer);
}

/* ---- a forked mini server for the handshake and the client ----------------- */

static int listen_any(int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) { perror("bind"); exit(2); }
    getsockname(fd, (struct sockaddr *)&a, &al);
    *port = ntohs(a.sin_port);
    return fd;
}

/* accepts and answers the handshake; mode 0 ok, 1 bad accept, 2 not 101 */
static int srv_accept(int lfd, int mode, const uint8_t *extra, size_t extra_len)
{
    char req[2048], resp[512], acc[29];
    size_t n = 0;
    const char *k;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) return -1;
    while (n < sizeof req - 1) {
        if (read_full(fd, req + n, 1)) { close(fd); return -1; }
        n++;
        req[n] = '\0';
        if (n >= 4 && memcmp(req + n - 4, "\r\n\r\n", 4) == 0) break;
    }
    k = strstr(req, "Sec-WebSocket-Key: ");
    if (!k || !strstr(req, "Sec-WebSocket-Version: 13\r\n") || strncmp(req, "GET /", 5) != 0) {
        close(fd);
        return -1;
    }
    {
        char key[64];
        size_t kl = strcspn(k + 19, "\r");
        memcpy(key, k + 19, kl < 63 ? kl : 63);
        key[kl < 63 ? kl : 63] = '\0';
        lhttp_ws_accept_key(key, acc);
    }
    if (mode == 1) acc[3] ^= 1;
    n = (size_t)sprintf(resp, "%s\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n\r\n",
                        mode == 2 ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 101 Switching Protocols", acc);
    if (extra_len) {
        memcpy(resp + n, extra, extra_len);
        n += extra_len;
    }
    write_full(fd, resp, n);
    return fd;
}

static int child_fail;
#define EXPECT(c) do { if (!(c)) { fprintf(stderr, "server %s:%d: %s\n", __FILE__, __LINE__, #c); child_fail++; } } while (0)

static int expect_frame(int fd, const char *needle1, const char *needle2)
{
    uint8_t buf[4096];
    int op, fin;
    long n = read_client_frame(fd, &op, &fin, buf, sizeof buf - 1);
    if (n < 0) { fprintf(stderr, "server: read frame failed (%ld)\n", n); return 0; }
    buf[n] = '\0';
    if (needle1 && !strstr((char *)buf, needle1)) { fprintf(stderr, "server: no '%s' in '%s'\n", needle1, buf); return 0; }
    if (needle2 && !strstr((char *)buf, needle2)) { fprintf(stderr, "server: no '%s' in '%s'\n", needle2, buf); return 0; }
    return 1;
}

static void test_handshake(void)
{
    static uint8_t rx[4096];
    lhttp_ws ws;
    lhttp_ws_msg m;
    int port, lfd = listen_any(&port), status = 0;
    char url[64];
    pid_t pid;
    sprintf(url, "ws://127.0.0.1:%d/lhttp", port);
    pid = fork();
    if (pid == 0) {
        uint8_t first[64];
        size_t fl = srv_frame(first, 1, LHTTP_WS_TEXT, "LHTTP/1.0 hi\r\n\r\nyo", 19);
        int fd;
        alarm(20);
        fd = srv_accept(lfd, 0, first, fl); /* frame bytes right behind the 101 */
        EXPECT(fd >= 0);
        EXPECT(expect_frame(fd, "LHTTP/1.0 echo", NULL));
        send_srv(fd, 1, LHTTP_WS_TEXT, "LHTTP/1.0 echo\r\n\r\nback", 23);
        EXPECT(expect_frame(fd, NULL, NULL)); /* close */
        send_srv(fd, 1, LHTTP_WS_CLOSE, "\x03\xe8", 2);
        close(fd);
        fd = srv_accept(lfd, 1, NULL, 0);
        if (fd >= 0) close(fd);
        fd = srv_accept(lfd, 2, NULL, 0);
        if (fd >= 0) close(fd);
        close(lfd);
        _exit(child_fail ? 1 : 0);
    }
    close(lfd);
    CHECK_RC(lhttp_ws_init(&ws, rx, sizeof rx), LHTTP_OK);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, "X-Test: 1\r\n"), LHTTP_OK);
    CHECK_RC(lhttp_ws_recv(&ws, 2000, &m), LHTTP_OK);
    CHECK(m.len == 19 && memcmp(m.data, "LHTTP/1.0 hi\r\n\r\nyo", 19) == 0);
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_TEXT, "LHTTP/1.0 echo\r\n\r\nx", 19), LHTTP_OK);
    CHECK_RC(lhttp_ws_recv(&ws, 2000, &m), LHTTP_OK);
    CHECK(m.len == 23);
    CHECK_RC(lhttp_ws_close(&ws, 1000, NULL, 2000), LHTTP_OK);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, NULL), LHTTP_ERR_HANDSHAKE);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, NULL), LHTTP_ERR_HANDSHAKE);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, "bad"), LHTTP_ERR_INVALID_ARG);
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "handshake server failed");
    /* nobody listens any more */
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, NULL), LHTTP_ERR_CONNECT);
}

/* ---- a pluggable transport: a toy "TLS" that XORs every byte ----------------
 * It checks the lhttp_transport contract: open gets the connected socket and
 * the URL's host, every byte goes through recv/send (sent one byte at a time,
 * with spurious WANT_WRITE results), close runs on abort. */

typedef struct {
    int fd, opens, closes, sends, recvs, odd;
    char host[64];
} xor_tr;

static int xor_open(void *ctx, int fd, const char *host, uint64_t deadline)
{
    xor_tr *t = (xor_tr *)ctx;
    (void)deadline;
    t->fd = fd;
    t->opens++;
    snprintf(t->host, sizeof t->host, "%s", host);
    return LHTTP_OK;
}

static long xor_recv(void *ctx, void *buf, size_t len)
{
    xor_tr *t = (xor_tr *)ctx;
    uint8_t *p = (uint8_t *)buf;
    ssize_t n, i;
    if (++t->odd % 3 == 0) return LHTTP_ERR_WANT_WRITE; /* harmless spurious wait */
    n = recv(t->fd, buf, len, 0);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? LHTTP_ERR_WANT_READ : LHTTP_ERR_IO;
    for (i = 0; i < n; i++) p[i] ^= 0x5A;
    t->recvs += n > 0;
    return (long)n;
}

static long xor_send(void *ctx, const void *buf, size_t len)
{
    xor_tr *t = (xor_tr *)ctx;
    uint8_t b;
    (void)len;
    if (++t->odd % 5 == 0) return LHTTP_ERR_WANT_WRITE;
    b = (uint8_t)(*(const uint8_t *)buf ^ 0x5A);
    if (send(t->fd, &b, 1, 0) != 1) return LHTTP_ERR_IO;
    t->sends++;
    return 1;
}

static void xor_close(void *ctx) { ((xor_tr *)ctx)->closes++; }

static const lhttp_transport xor_transport = {"xor", xor_open, xor_recv, xor_send, xor_close};

static void xor_full(int fd, uint8_t *p, size_t n, int out)
{
    size_t i;
    for (i = 0; i < n; i++) p[i] ^= 0x5A;
    if (out) write_full(fd, p, n);
}

static void test_transport(void)
{
    static uint8_t rx[4096];
    lhttp_ws ws;
    lhttp_ws_msg m;
    xor_tr t;
    int port, lfd = listen_any(&port), status = 0;
    char url[64];
    pid_t pid;
    memset(&t, 0, sizeof t);
    sprintf(url, "wss://127.0.0.1:%d/x", port);
    pid = fork();
    if (pid == 0) {
        /* the server speaks XOR: decode the request head, answer 101 + a frame */
        char req[2048], resp[512], acc[29], key[64];
        uint8_t hdr[10];
        size_t n = 0, kl;
        const char *k;
        int fd;
        alarm(20);
        fd = accept(lfd, NULL, NULL);
        EXPECT(fd >= 0);
        while (n < sizeof req - 1 && !(n >= 4 && memcmp(req + n - 4, "\r\n\r\n", 4) == 0)) {
            if (read_full(fd, req + n, 1)) _exit(1);
            req[n] ^= 0x5A;
            req[++n] = '\0';
        }
        EXPECT(strstr(req, "GET /x HTTP/1.1\r\n") != NULL);
        EXPECT(strstr(req, "\r\nHost: 127.0.0.1:") != NULL);
        k = strstr(req, "Sec-WebSocket-Key: ");
        EXPECT(k != NULL);
        if (k == NULL) _exit(1);
        kl = strcspn(k + 19, "\r");
        memcpy(key, k + 19, kl < 63 ? kl : 63);
        key[kl < 63 ? kl : 63] = '\0';
        lhttp_ws_accept_key(key, acc);
        n = (size_t)sprintf(resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
        n += srv_frame((uint8_t *)resp + n, 1, LHTTP_WS_TEXT, "LHTTP/1.0 hi\r\n\r\nxor", 20);
        xor_full(fd, (uint8_t *)resp, n, 1);
        /* the client's masked frame, XORed on the wire */
        if (read_full(fd, hdr, 10)) _exit(1); /* 2 header, 4 mask, 4 payload bytes */
        xor_full(fd, hdr, 10, 0);
        EXPECT((hdr[0] & 0x0f) == LHTTP_WS_TEXT && (hdr[1] & 0x7f) == 4);
        close(fd);
        close(lfd);
        _exit(child_fail ? 1 : 0);
    }
    close(lfd);
    CHECK_RC(lhttp_ws_init(&ws, rx, sizeof rx), LHTTP_OK);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, NULL), LHTTP_ERR_TLS_UNSUPPORTED);
    CHECK_RC(lhttp_ws_set_tls(&ws, &xor_transport, &t), LHTTP_OK);
    CHECK_RC(lhttp_ws_connect(&ws, url, 3000, NULL), LHTTP_OK);
    CHECK(t.opens == 1 && strcmp(t.host, "127.0.0.1") == 0);
    CHECK_RC(lhttp_ws_recv(&ws, 2000, &m), LHTTP_OK);
    CHECK(m.len == 20 && memcmp(m.data, "LHTTP/1.0 hi\r\n\r\nxor", 20) == 0);
    CHECK_RC(lhttp_ws_send(&ws, LHTTP_WS_TEXT, "ping", 4), LHTTP_OK);
    CHECK(t.sends > 100 && t.recvs > 0);
    CHECK_RC(lhttp_ws_recv(&ws, 3000, &m), LHTTP_ERR_CLOSED); /* server closed the TCP stream */
    CHECK(t.closes == 1 && ws.fd < 0);
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "transport server failed");
}

/* ---- client: subscribe, receive, publish back, reconnect, resubscribe ------- */

typedef struct {
    int chats, acks, resub_acks, ups, downs;
} counters;

static void on_chat(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    counters *k = (counters *)user;
    const lhttp_str *pub = lhttp_frame_header(f, "publish");
    (void)op;
    k->chats++;
    CHECK(pub && lhttp_str_eq(*pub, "room"));
    CHECK(f->body_len == 2 && memcmp(f->body, "hi", 2) == 0);
    CHECK_RC(lhttp_client_publish(c, "chat", "room", "back", 4), LHTTP_OK);
}

static void on_subscribe(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    counters *k = (counters *)user;
    const lhttp_str *ack = lhttp_frame_header(f, "ack"), *st = lhttp_frame_header(f, "status");
    (void)c; (void)op;
    CHECK(ack && st && lhttp_str_eq(*st, "200"));
    if (ack && ack->len > 12 && memcmp(ack->ptr, "lhttp-resub-", 12) == 0) k->resub_acks++;
    else k->acks++;
}

static void on_state(lhttp_client *c, int up, int err, void *user)
{
    counters *k = (counters *)user;
    (void)c; (void)err;
    if (up) k->ups++; else k->downs++;
}

static void test_client(void)
{
    static uint8_t rx[8192], tx[8192];
    static lhttp_header hdrs[32];
    static char chans[256];
    lhttp_client_config cfg;
    lhttp_client c;
    counters k;
    int port, lfd = listen_any(&port), status = 0, i, rc, saw_bad;
    char url[64];
    pid_t pid;
    memset(&k, 0, sizeof k);
    sprintf(url, "ws://127.0.0.1:%d/", port);
    pid = fork();
    if (pid == 0) {
        int fd, op, fin;
        uint8_t buf[256];
        alarm(20);
        fd = srv_accept(lfd, 0, NULL, 0);
        EXPECT(expect_frame(fd, "LHTTP/1.0 subscribe\r\n", "subscribe:room news\r\nack:s1\r\n"));
        send_srv(fd, 1, LHTTP_WS_TEXT, "LHTTP/1.0 subscribe\r\nack:s1\r\nstatus:200\r\n\r\n", 43);
        EXPECT(expect_frame(fd, "unsubscribe:news", NULL));
        send_srv(fd, 1, LHTTP_WS_TEXT, "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi", 34);
        EXPECT(expect_frame(fd, "LHTTP/1.0 chat\r\npublish:room\r\n\r\nback", NULL));
        send_srv(fd, 1, LHTTP_WS_TEXT, "garbage", 7); /* malformed: reported, connection kept */
        send_srv(fd, 1, LHTTP_WS_TEXT, "LHTTP/1.0 other\r\n\r\n", 19);
        close(fd); /* abrupt loss: the client must reconnect */
        fd = srv_accept(lfd, 0, NULL, 0);
        EXPECT(expect_frame(fd, "subscribe:room\r\nack:lhttp-resub-1\r\n", NULL));
        send_srv(fd, 1, LHTTP_WS_TEXT, "LHTTP/1.0 subscribe\r\nack:lhttp-resub-1\r\nstatus:200\r\n\r\n", 54);
        send_srv(fd, 1, LHTTP_WS_PING, "pp", 2);
        EXPECT(read_client_frame(fd, &op, &fin, buf, sizeof buf) == 2 && op == LHTTP_WS_PONG);
        send_srv(fd, 1, LHTTP_WS_CLOSE, "\x03\xe9", 2);
        EXPECT(read_client_frame(fd, &op, &fin, buf, sizeof buf) == 2 && op == LHTTP_WS_CLOSE);
        close(fd);
        close(lfd);
        _exit(child_fail ? 1 : 0);
    }
    close(lfd);
    lhttp_client_config_default(&cfg);
    cfg.url = url;
    cfg.rx_buf = rx; cfg.rx_cap = sizeof rx;
    cfg.tx_buf = tx; cfg.tx_cap = sizeof tx;
    cfg.headers = hdrs; cfg.header_cap = 32;
    cfg.channels = chans; cfg.channels_cap = sizeof chans;
    cfg.backoff_initial_ms = 50;
    cfg.on_state = on_state;
    cfg.user = &k;
    CHECK_RC(lhttp_client_init(&c, &cfg), LHTTP_OK);
    CHECK_RC(lhttp_client_on(&c, "chat", on_chat, &k), LHTTP_OK);
    CHECK_RC(lhttp_client_on(&c, "subscribe", on_subscribe, &k), LHTTP_OK);
    CHECK_RC(lhttp_client_poll(&c, 0), LHTTP_ERR_NOT_CONNECTED);
    CHECK_RC(lhttp_client_connect(&c), LHTTP_OK);
    CHECK(k.ups == 1);
    CHECK_RC(lhttp_client_subscribe(&c, "room bad channel!", NULL), LHTTP_ERR_BAD_CHANNEL);
    CHECK_RC(lhttp_client_subscribe(&c, "room news", "s1"), LHTTP_OK);
    CHECK(strcmp(lhttp_client_channels(&c), "room news") == 0);
    CHECK_RC(lhttp_client_unsubscribe(&c, "news", NULL), LHTTP_OK);
    CHECK(strcmp(lhttp_client_channels(&c), "room") == 0);
    /* the chat, the malformed frame (reported, dropped), the loss, the reconnect */
    for (i = 0, saw_bad = 0; i < 200 && k.resub_acks == 0; i++) {
        rc = lhttp_client_poll(&c, 100);
        if (rc == LHTTP_ERR_NOT_LHTTP) saw_bad++;
    }
    CHECK(k.acks == 1 && k.chats == 1);
    CHECK(saw_bad == 1);
    CHECK(k.downs == 1 && k.ups == 2 && k.resub_acks == 1 && c.reconnects == 1);
    for (i = 0; i < 100 && k.downs < 2; i++) lhttp_client_poll(&c, 100);
    CHECK(k.downs == 2 && c.ws.close_code == 1001);
    lhttp_client_close(&c);
    CHECK_RC(lhttp_client_poll(&c, 0), LHTTP_ERR_NOT_CONNECTED);
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client test server failed");
}

/* ---- client: positions, duplicates, gaps, recovery on reconnect ---------- */

typedef struct {
    char bodies[128];
    int recovered[8];
    int npos;
} rec_log;

static void rec_chat(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    rec_log *l = (rec_log *)user;
    (void)c; (void)op;
    if (l->bodies[0]) strcat(l->bodies, ",");
    strncat(l->bodies, (const char *)f->body, f->body_len);
}

static void rec_position(lhttp_client *c, const lhttp_position_event *ev, void *user)
{
    rec_log *l = (rec_log *)user;
    (void)c;
    CHECK(lhttp_str_eq(ev->channel, "r") && ev->history == 1);
    if (l->npos < 8) l->recovered[l->npos++] = ev->recovered;
}

static void rec_other(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    (void)c; (void)op; (void)user;
    CHECK_MSG(!lhttp_str_eq(f->command, "position"), "a position frame reached on_frame");
}

static void send_txt(int fd, const char *s) { send_srv(fd, 1, LHTTP_WS_TEXT, s, strlen(s)); }

static void test_recovery(void)
{
    static uint8_t rx[4096], tx[4096];
    static lhttp_header hdrs[16];
    static char chans[64];
    static lhttp_position pos[2];
    static rec_log l;
    lhttp_client_config cfg;
    lhttp_client c;
    const lhttp_position *p;
    int port, lfd = listen_any(&port), status = 0, i;
    char url[64];
    pid_t pid;
    sprintf(url, "ws://127.0.0.1:%d/", port);
    pid = fork();
    if (pid == 0) {
        int fd;
        alarm(20);
        fd = srv_accept(lfd, 0, NULL, 0);
        EXPECT(expect_frame(fd, "subscribe:r\r\nack:s1\r\nrecover:r\r\n", NULL));
        send_txt(fd, "LHTTP/1.0 subscribe\r\nack:s1\r\nstatus:200\r\n\r\n");
        send_txt(fd, "LHTTP/1.0 position\r\nposition:r\r\noffset:4\r\nepoch:e1\r\n\r\n");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:5\r\nepoch:e1\r\n\r\n5");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:5\r\nepoch:e1\r\n\r\ndup");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:7\r\nepoch:e1\r\n\r\ngap");
        EXPECT(expect_frame(fd, "subscribe:r\r\nrecover:r,5,e1\r\n", NULL));
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:8\r\nepoch:e1\r\n\r\nearly");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:6\r\nepoch:e1\r\n\r\n6");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:7\r\nepoch:e1\r\n\r\n7");
        send_txt(fd, "LHTTP/1.0 position\r\nposition:r\r\nrecovered:true\r\noffset:7\r\nepoch:e1\r\n\r\n");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:20\r\nprev:7\r\nepoch:e1\r\n\r\n20");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:other\r\noffset:1\r\nepoch:e1\r\n\r\nuntracked");
        close(fd);
        fd = srv_accept(lfd, 0, NULL, 0);
        EXPECT(expect_frame(fd, "subscribe:r\r\nack:lhttp-resub-", "\r\nrecover:r,20,e1\r\n"));
        send_txt(fd, "LHTTP/1.0 position\r\nposition:r\r\nrecovered:false\r\noffset:3\r\nepoch:e2\r\n\r\n");
        send_txt(fd, "LHTTP/1.0 chat\r\npublish:r\r\noffset:4\r\nepoch:e2\r\n\r\n4");
        send_srv(fd, 1, LHTTP_WS_CLOSE, "\x03\xe8", 2);
        close(fd);
        close(lfd);
        _exit(child_fail ? 1 : 0);
    }
    close(lfd);
    lhttp_client_config_default(&cfg);
    cfg.url = url;
    cfg.rx_buf = rx; cfg.rx_cap = sizeof rx;
    cfg.tx_buf = tx; cfg.tx_cap = sizeof tx;
    cfg.headers = hdrs; cfg.header_cap = 16;
    cfg.channels = chans; cfg.channels_cap = sizeof chans;
    cfg.positions = pos; cfg.positions_cap = 2;
    cfg.on_position = rec_position;
    cfg.on_frame = rec_other;
    cfg.backoff_initial_ms = 50;
    cfg.user = &l;
    CHECK_RC(lhttp_client_init(&c, &cfg), LHTTP_OK);
    CHECK_RC(lhttp_client_on(&c, "chat", rec_chat, &l), LHTTP_OK);
    CHECK_RC(lhttp_client_connect(&c), LHTTP_OK);
    CHECK_RC(lhttp_client_subscribe(&c, "r", "s1"), LHTTP_OK);
    for (i = 0; i < 200 && l.npos < 3; i++) lhttp_client_poll(&c, 50);
    for (i = 0; i < 20 && strlen(l.bodies) < 20; i++) lhttp_client_poll(&c, 50);
    CHECK_MSG(strcmp(l.bodies, "5,6,7,20,untracked,4") == 0, "deliveries: %s", l.bodies);
    CHECK(l.npos == 3 && l.recovered[0] == -1 && l.recovered[1] == 1 && l.recovered[2] == 0);
    p = lhttp_client_position(&c, "r");
    CHECK(p != NULL && p->offset == 4 && strcmp(p->epoch, "e2") == 0);
    CHECK_RC(lhttp_client_unsubscribe(&c, "r", NULL), c.connected ? LHTTP_OK : LHTTP_ERR_NOT_CONNECTED);
    CHECK(lhttp_client_position(&c, "r") == NULL);
    lhttp_client_close(&c);
    waitpid(pid, &status, 0);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "recovery test server failed");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    test_sha1_base64();
    test_url();
    test_frames();
    test_handshake();
    test_transport();
    test_client();
    test_recovery();
    return check_report("test_ws");
}
