/*
 * lhttp_ws.h - minimal RFC 6455 WebSocket client over POSIX sockets.
 *
 * Handshake with Sec-WebSocket-Key / Sec-WebSocket-Accept verification,
 * masked client frames, reassembly of fragmented messages, automatic pong
 * replies to pings, and the closing handshake. No allocation: the caller
 * provides one receive buffer which bounds the largest message accepted.
 * ws:// over plain TCP; wss:// through a TLS transport set with
 * lhttp_ws_set_tls() (see lhttp_transport.h and lhttp_tls_mbedtls.h).
 */
#ifndef LHTTP_WS_H
#define LHTTP_WS_H

#include <stddef.h>
#include <stdint.h>

#include "lhttp_codec.h" /* lhttp_err, lhttp_strerror */
#include "lhttp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    LHTTP_WS_CONT = 0x0,
    LHTTP_WS_TEXT = 0x1,
    LHTTP_WS_BINARY = 0x2,
    LHTTP_WS_CLOSE = 0x8,
    LHTTP_WS_PING = 0x9,
    LHTTP_WS_PONG = 0xA
};

typedef enum lhttp_ws_state {
    LHTTP_WS_STATE_CLOSED = 0,
    LHTTP_WS_STATE_OPEN = 1,
    LHTTP_WS_STATE_CLOSING = 2
} lhttp_ws_state;

typedef struct lhttp_ws {
    int fd;
    int state;           /* lhttp_ws_state */
    uint8_t *rx;         /* caller-provided receive buffer */
    size_t rx_cap;
    size_t rx_len;       /* bytes in rx: [assembled payload][unparsed wire bytes] */
    size_t asm_len;      /* payload of a fragmented message assembled so far */
    size_t consume;      /* bytes to drop at the next recv (last message) */
    int asm_opcode;      /* opcode of the message being assembled, 0 if none */
    int send_timeout_ms; /* per send call; default 10000 */
    uint16_t close_code; /* code received in the peer's close frame, 0 if none */
    uint32_t rng[4];     /* xoshiro128 state for masking keys */
    uint64_t last_rx_ms; /* monotonic time of the last bytes received */
    const lhttp_transport *tls; /* transport for wss:// (NULL: wss:// refused) */
    void *tls_ctx;
    const lhttp_transport *io;  /* the connection's transport while fd >= 0 */
    void *io_ctx;
} lhttp_ws;

typedef struct lhttp_ws_msg {
    int opcode;          /* LHTTP_WS_TEXT or LHTTP_WS_BINARY */
    const uint8_t *data; /* view into the receive buffer, valid until the next recv */
    size_t len;
} lhttp_ws_msg;

typedef struct lhttp_url {
    char host[256];
    char port[8];
    char path[512];  /* including query, starts with '/' */
    int secure;      /* 1 for wss:// */
} lhttp_url;

/* Parses ws[s]://host[:port][/path] (default port 80, or 443 for wss);
 * [v6] literals allowed. Anything else gives LHTTP_ERR_URL. */
int lhttp_url_parse(const char *url, lhttp_url *out);

/* Resets *ws and attaches the receive buffer (>= 256 bytes). */
int lhttp_ws_init(lhttp_ws *ws, void *rx_buf, size_t rx_cap);

/* Sets the transport used for wss:// URLs (call it after lhttp_ws_init). Without one, connecting to wss:// gives
 * LHTTP_ERR_TLS_UNSUPPORTED. */
int lhttp_ws_set_tls(lhttp_ws *ws, const lhttp_transport *tls, void *tls_ctx);

/* Connects and performs the opening handshake, each within timeout_ms
 * (<0: no timeout). extra_headers: NULL or "Name: value\r\n" lines. */
int lhttp_ws_connect(lhttp_ws *ws, const char *url, int timeout_ms, const char *extra_headers);

/* Adopts an already-open socket whose handshake is done (tests, custom
 * transports). The fd is switched to non-blocking mode. */
int lhttp_ws_attach(lhttp_ws *ws, int fd);

/*
 * Waits up to timeout_ms (0: do not wait, <0: forever) for the next complete
 * data message. Pings are answered, pongs ignored. Returns LHTTP_OK with *msg
 * set (view valid until the next recv), LHTTP_ERR_TIMEOUT, LHTTP_ERR_CLOSED
 * after the peer's close (ws->close_code) or a connection failure, a TLS
 * error such as LHTTP_ERR_TLS_RECORD (truncated or corrupt record), or another
 * negative error; after any error but a timeout the socket is closed.
 */
int lhttp_ws_recv(lhttp_ws *ws, int timeout_ms, lhttp_ws_msg *msg);

/* Sends one message as a single masked frame (opcode TEXT, BINARY, PING,
 * PONG). Blocks up to ws->send_timeout_ms. Text must be valid UTF-8. */
int lhttp_ws_send(lhttp_ws *ws, int opcode, const void *data, size_t len);

/* Sends one message split into frames of at most frag_size payload bytes. */
int lhttp_ws_send_fragmented(lhttp_ws *ws, int opcode, const void *data, size_t len,
                             size_t frag_size);

/* Closing handshake: sends close(code, reason), waits up to timeout_ms for
 * the peer's close, then closes the socket. Safe to call in any state. */
int lhttp_ws_close(lhttp_ws *ws, uint16_t code, const char *reason, int timeout_ms);

/* Closes the socket without a handshake. */
void lhttp_ws_abort(lhttp_ws *ws);

/* Milliseconds from a monotonic clock. */
uint64_t lhttp_now_ms(void);

/* ---- building blocks, exposed for tests -------------------------------- */

void lhttp_sha1(const void *data, size_t len, uint8_t out[20]);
/* Writes base64 of data plus NUL; returns the length or 0 if out too small. */
size_t lhttp_base64(const void *data, size_t len, char *out, size_t out_cap);
/* Computes Sec-WebSocket-Accept (28 chars + NUL) for a Sec-WebSocket-Key. */
void lhttp_ws_accept_key(const char *key, char out[29]);

#ifdef __cplusplus
}
#endif
#endif /* LHTTP_WS_H */
