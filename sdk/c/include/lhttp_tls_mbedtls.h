/*
 * lhttp_tls_mbedtls.h - wss:// through mbedTLS (2.28 LTS; built with
 * `make TLS=mbedtls`, linked with -lmbedtls -lmbedx509 -lmbedcrypto).
 *
 * An lhttp_transport (see lhttp_transport.h) that runs TLS 1.2 over the
 * WebSocket's TCP socket. The server certificate is verified by default,
 * against a CA bundle file or a CA buffer, with the URL's host name (or
 * cfg.server_name) as SNI and as the name the certificate must carry.
 *
 *     static lhttp_tls_mbedtls tls;
 *     lhttp_tls_config tc;
 *     lhttp_tls_config_default(&tc);          (verification on, system CA bundle)
 *     tc.ca_file = "/etc/my-device/ca.pem";   (or tc.ca = pem, tc.ca_len = 0)
 *     if (lhttp_tls_mbedtls_init(&tls, &tc) != LHTTP_OK) ...
 *     cfg.url = "wss://example.com/";  cfg.tls = &lhttp_tls_mbedtls_transport;  cfg.tls_ctx = &tls;
 *     ... lhttp_client_init(&c, &cfg) ...
 *     lhttp_tls_mbedtls_free(&tls);           (after the client is closed)
 *
 * Unlike the rest of the SDK, mbedTLS allocates: about 37 KB per connection
 * while connected (mostly its two 16 KiB record buffers), 44 KB at the peak
 * of the handshake (Debian's mbedTLS 2.28; see the README). The context is reused across
 * reconnects (one connection at a time).
 */
#ifndef LHTTP_TLS_MBEDTLS_H
#define LHTTP_TLS_MBEDTLS_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "lhttp_transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The CA bundle used when neither ca nor ca_file is set (Debian's path). */
#ifndef LHTTP_TLS_DEFAULT_CA_FILE
#define LHTTP_TLS_DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#endif

typedef struct lhttp_tls_config {
    /* Trusted CAs: a buffer (PEM, NUL-terminated, ca_len 0 or strlen + 1;
     * or DER, ca_len bytes), else the PEM file ca_file, else
     * LHTTP_TLS_DEFAULT_CA_FILE. */
    const void *ca;
    size_t ca_len;
    const char *ca_file;
    /* Name sent as SNI and required in the certificate; NULL: the URL's host. */
    const char *server_name;
    /* 1: accept ANY certificate from ANYONE. The connection is then encrypted
     * but not authenticated: whoever sits on the path can read and change
     * everything. Never set it in a product; it exists for bench tests. */
    int dangerously_accept_any_certificate;
    /* Seeds mbedTLS's CTR-DRBG: fills buf with len bytes of true randomness,
     * returns 0 (or nonzero on failure). NULL: /dev/urandom. Plug a hardware
     * RNG in here on a device without one. */
    int (*entropy)(void *entropy_ctx, unsigned char *buf, size_t len);
    void *entropy_ctx;
} lhttp_tls_config;

typedef struct lhttp_tls_mbedtls {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ctr_drbg_context drbg; /* (not mbedtls_entropy_context: 37 KB with HAVEGE) */
    int fd;                 /* the socket of the current connection */
    int ready;              /* init succeeded */
    int last_error;         /* last mbedTLS error (negative), 0 if none */
    uint32_t verify_flags;  /* MBEDTLS_X509_BADCERT_* of the last refused certificate */
    char server_name[256];
} lhttp_tls_mbedtls;

extern const lhttp_transport lhttp_tls_mbedtls_transport;

/* Verification on, the default CA bundle, the URL's host name. */
void lhttp_tls_config_default(lhttp_tls_config *cfg);

/* Seeds the RNG and loads the CAs. LHTTP_ERR_TLS_CONFIG if the CAs cannot be
 * read or parsed (or mbedTLS is out of memory). Free with _free even on error. */
int lhttp_tls_mbedtls_init(lhttp_tls_mbedtls *t, const lhttp_tls_config *cfg);

void lhttp_tls_mbedtls_free(lhttp_tls_mbedtls *t);

/* Writes a readable cause of the last failure ("certificate has expired",
 * "host name mismatch", an mbedTLS message...) into buf; returns buf. */
const char *lhttp_tls_mbedtls_describe(const lhttp_tls_mbedtls *t, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* LHTTP_TLS_MBEDTLS_H */
