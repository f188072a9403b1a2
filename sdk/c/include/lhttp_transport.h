/*
 * lhttp_transport.h - the byte stream under the WebSocket layer.
 *
 * lhttp_ws opens the TCP connection itself (getaddrinfo, non-blocking
 * connect) and then moves every byte through an lhttp_transport: the
 * built-in plain one for ws:// URLs, and the TLS transport you configure for
 * wss:// URLs. The SDK ships one TLS transport, for mbedTLS
 * (lhttp_tls_mbedtls.h, built with `make TLS=mbedtls`); another TLS stack
 * (wolfSSL, BearSSL, a vendor's secure element) plugs in by filling in these
 * four functions. The contract:
 *
 *  - open(ctx, fd, host, deadline_ms): called once per connection, right after
 *    the TCP connect, with the connected NON-BLOCKING socket. Runs the TLS
 *    handshake, using `host` (the URL's host, or the name you configured) for
 *    SNI and certificate verification, and returns LHTTP_OK, or a negative
 *    lhttp_err: LHTTP_ERR_TIMEOUT if deadline_ms (an lhttp_now_ms() time, 0 for
 *    none) passes, LHTTP_ERR_TLS_VERIFY for a refused certificate,
 *    LHTTP_ERR_TLS_HANDSHAKE for anything else. lhttp_io_wait() is there to
 *    wait for the socket. A failed open must leave ctx ready for the next open.
 *  - recv(ctx, buf, len): never blocks. Returns the number of bytes read
 *    (> 0), 0 for an orderly end of stream (TLS close_notify, TCP FIN),
 *    LHTTP_ERR_WANT_READ / LHTTP_ERR_WANT_WRITE when it must wait for the
 *    socket to become readable / writable, or another negative lhttp_err
 *    (LHTTP_ERR_TLS_RECORD for a corrupt or truncated record, LHTTP_ERR_IO).
 *    Bytes already decrypted and buffered inside the TLS stack must be
 *    returned before WANT_READ: the WebSocket layer only poll()s the socket
 *    after WANT_READ.
 *  - send(ctx, buf, len): never blocks. Returns the number of bytes accepted
 *    (> 0; a TLS stack that accepted part of a record must be called again
 *    with the same remaining bytes, as mbedTLS requires), WANT_READ /
 *    WANT_WRITE, or a negative lhttp_err.
 *  - close(ctx): ends the session: best-effort close_notify without waiting,
 *    and resets ctx for the next open. It does not close the socket (the
 *    WebSocket layer does).
 *
 * One transport context serves one connection at a time; lhttp_client reuses
 * it across reconnects (open, ..., close, open, ...).
 */
#ifndef LHTTP_TRANSPORT_H
#define LHTTP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lhttp_transport {
    const char *name; /* "plain", "mbedtls", ... (diagnostics) */
    int (*open)(void *ctx, int fd, const char *host, uint64_t deadline_ms);
    long (*recv)(void *ctx, void *buf, size_t len);
    long (*send)(void *ctx, const void *buf, size_t len);
    void (*close)(void *ctx);
} lhttp_transport;

/* The plain TCP transport used for ws:// (ctx: a pointer to the int fd). */
extern const lhttp_transport lhttp_transport_plain;

/* Waits until fd is readable (want = LHTTP_ERR_WANT_READ) or writable
 * (LHTTP_ERR_WANT_WRITE), or deadline_ms passes (0: no deadline). Returns
 * LHTTP_OK, LHTTP_ERR_TIMEOUT or LHTTP_ERR_IO. For transport authors. */
int lhttp_io_wait(int fd, int want, uint64_t deadline_ms);

#ifdef __cplusplus
}
#endif
#endif /* LHTTP_TRANSPORT_H */
