/* integration.c - the C client against a real lhttp server.
 *
 *   integration ws://127.0.0.1:PORT/
 *   integration wss://localhost:PORT/ CA.pem     (built with TLS=mbedtls)
 *
 * Driven by tests/integration_driver.ts, which reads these lines on stdout:
 *   READY              subscribed to "room" (ack received)
 *   GOT <body>         a chat frame arrived on "room"; "re: <body>" is published back
 *   DOWN <error>       the connection was lost
 *   RESUBSCRIBED       reconnected and the automatic re-subscription was acked
 *   ERROR <...>        an error frame from the server
 *   HEAP <...>         TLS builds: bytes mbedTLS holds after init, while
 *                      connected, and at the peak of the first handshake
 * and exits 0 after replying to a message whose body is "bye"
 * (2: setup failed, 3: overall timeout of 90 s).
 *
 *   integration --history ws://127.0.0.1:PORT/
 * subscribes to the history channel "hist.room" with recovery on and prints
 *   HREADY                      the subscribe was acked
 *   HGOT <body>                 a delivery the client handed to the application
 *   POSITION <ch> recovered=<1|0|-1> offset=<n> epoch=<e>   a position frame
 * plus DOWN/RESUBSCRIBED/ERROR as above; exits 0 after "bye" on hist.room.
 */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lhttp_client.h"
#ifdef LHTTP_TLS_MBEDTLS
#include "heap_count.h"
#include "lhttp_tls_mbedtls.h"
static lhttp_tls_mbedtls tls;
#endif

static uint8_t rx[64 * 1024], tx[16 * 1024];
static lhttp_header hdrs[32];
static char channels[1024];
static int done, ready;
static lhttp_position positions[4];

/* prints "<tag><text>\n" and flushes */
static void out(const char *tag, const char *text, size_t len)
{
    printf("%s%.*s\n", tag, (int)len, text);
    fflush(stdout);
}

static void on_chat(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    char reply[512];
    int n;
    const lhttp_str *ph = lhttp_frame_header(f, "publish");
    (void)op; (void)user;
    if (ph && lhttp_str_eq(*ph, "hist.room")) {
        out("HGOT ", (const char *)f->body, f->body_len);
        if (f->body_len == 3 && memcmp(f->body, "bye", 3) == 0) done = 1;
        return;
    }
    if (f->body_len >= 4 && memcmp(f->body, "re: ", 4) == 0) return; /* our own replies */
    out("GOT ", (const char *)f->body, f->body_len);
    n = snprintf(reply, sizeof reply, "re: %.*s", (int)(f->body_len > 400 ? 400 : f->body_len),
                 (const char *)f->body);
    if (lhttp_client_publish(c, "chat", "room", reply, (size_t)n) != LHTTP_OK) out("ERROR ", "publish", 7);
    if (f->body_len == 3 && memcmp(f->body, "bye", 3) == 0) done = 1;
}

static void on_subscribe(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    const lhttp_str *ack = lhttp_frame_header(f, "ack"), *st = lhttp_frame_header(f, "status");
    (void)c; (void)op; (void)user;
    if (!ack || !st) return;
    if (!lhttp_str_eq(*st, "200")) {
        out("ERROR subscribe status ", st->ptr, st->len);
        return;
    }
    if (lhttp_str_eq(*ack, "sub-1")) { ready = 1; out("READY", "", 0); }
    else if (lhttp_str_eq(*ack, "hsub-1")) { ready = 1; out("HREADY", "", 0); }
    else if (ack->len > 12 && memcmp(ack->ptr, "lhttp-resub-", 12) == 0) out("RESUBSCRIBED", "", 0);
}

static void on_other(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    const lhttp_str *st = lhttp_frame_header(f, "status");
    (void)c; (void)op; (void)user;
    if (st && !lhttp_str_eq(*st, "200")) {
        const lhttp_str *code = lhttp_frame_header(f, "code");
        printf("ERROR %.*s %.*s %.*s\n", (int)f->command.len, f->command.ptr, (int)st->len, st->ptr,
               code ? (int)code->len : 0, code ? code->ptr : "");
        fflush(stdout);
    }
}

static void on_position(lhttp_client *c, const lhttp_position_event *ev, void *user)
{
    (void)c; (void)user;
    printf("POSITION %.*s recovered=%d offset=%llu epoch=%.*s\n", (int)ev->channel.len, ev->channel.ptr,
           ev->recovered, (unsigned long long)ev->offset, (int)ev->epoch.len, ev->epoch.ptr);
    fflush(stdout);
}

static void on_state(lhttp_client *c, int up, int err, void *user)
{
    (void)c; (void)user;
    if (!up) {
        out("DOWN ", lhttp_error_code(err), strlen(lhttp_error_code(err)));
#ifdef LHTTP_TLS_MBEDTLS
        if (err != LHTTP_ERR_CLOSED) {
            char why[256];
            fprintf(stderr, "integration: TLS: %s\n", lhttp_tls_mbedtls_describe(&tls, why, sizeof why));
        }
#endif
    }
}

int main(int argc, char **argv)
{
    lhttp_client_config cfg;
    lhttp_client c;
    uint64_t start = lhttp_now_ms();
#ifdef LHTTP_TLS_MBEDTLS
    size_t heap_init;
#endif
    int rc, i, history = argc > 2 && strcmp(argv[1], "--history") == 0;
    if (history) { argv++; argc--; }
    if (argc < 2) { fprintf(stderr, "usage: integration ws://host:port/\n"); return 2; }
    signal(SIGPIPE, SIG_IGN);
    lhttp_client_config_default(&cfg);
    cfg.url = argv[1];
    cfg.rx_buf = rx; cfg.rx_cap = sizeof rx;
    cfg.tx_buf = tx; cfg.tx_cap = sizeof tx;
    cfg.headers = hdrs; cfg.header_cap = 32;
    cfg.channels = channels; cfg.channels_cap = sizeof channels;
    cfg.backoff_initial_ms = 200;
    cfg.backoff_max_ms = 2000;
    cfg.on_frame = on_other;
    cfg.on_state = on_state;
    if (history) {
        cfg.positions = positions;
        cfg.positions_cap = sizeof positions / sizeof positions[0];
        cfg.on_position = on_position;
    }
#ifdef LHTTP_TLS_MBEDTLS
    if (argc > 2) {
        lhttp_tls_config tc;
        lhttp_tls_config_default(&tc);
        tc.ca_file = argv[2];
        if ((rc = lhttp_tls_mbedtls_init(&tls, &tc)) != LHTTP_OK) {
            fprintf(stderr, "integration: TLS init: %s\n", lhttp_strerror(rc));
            return 2;
        }
        cfg.tls = &lhttp_tls_mbedtls_transport;
        cfg.tls_ctx = &tls;
    }
    heap_init = heap_current();
    heap_reset_peak();
#endif
    if ((rc = lhttp_client_init(&c, &cfg)) != LHTTP_OK || (rc = lhttp_client_on(&c, "chat", on_chat, NULL)) != LHTTP_OK ||
        (rc = lhttp_client_on(&c, "subscribe", on_subscribe, NULL)) != LHTTP_OK) {
        fprintf(stderr, "integration: %s\n", lhttp_strerror(rc));
        return 2;
    }
    for (i = 0; (rc = lhttp_client_connect(&c)) != LHTTP_OK; i++) {
        if (i == 50) { fprintf(stderr, "integration: connect: %s\n", lhttp_strerror(rc)); return 2; }
        lhttp_client_poll(&c, 200);
    }
#ifdef LHTTP_TLS_MBEDTLS
    printf("HEAP init=%lu connected=%lu peak=%lu\n", (unsigned long)heap_init,
           (unsigned long)heap_current(), (unsigned long)heap_peak());
    fflush(stdout);
#endif
    if ((rc = lhttp_client_subscribe(&c, history ? "hist.room" : "room", history ? "hsub-1" : "sub-1")) != LHTTP_OK) {
        fprintf(stderr, "integration: subscribe: %s\n", lhttp_strerror(rc));
        return 2;
    }
    while (!done) {
        if (lhttp_now_ms() - start > 90000) { fprintf(stderr, "integration: timeout\n"); return 3; }
        rc = lhttp_client_poll(&c, 200);
        if (rc < 0 && rc != LHTTP_ERR_CLOSED)
            fprintf(stderr, "integration: poll: %s\n", lhttp_strerror(rc));
    }
    lhttp_client_poll(&c, 200); /* let the last reply go out */
    lhttp_client_close(&c);
#ifdef LHTTP_TLS_MBEDTLS
    lhttp_tls_mbedtls_free(&tls);
    if (heap_current() != 0 || heap_blocks() != 0) {
        fprintf(stderr, "integration: %lu bytes in %lu blocks still allocated\n",
                (unsigned long)heap_current(), heap_blocks());
        return 4;
    }
#endif
    return 0;
}
