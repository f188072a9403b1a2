/* lhttp_tls_mbedtls.c - the mbedTLS transport. See lhttp_tls_mbedtls.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "lhttp_tls_mbedtls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h> /* MBEDTLS_ERR_NET_* codes only */

#include "lhttp_codec.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

void lhttp_tls_config_default(lhttp_tls_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

/* ---- socket I/O for mbedTLS (non-blocking) ------------------------------- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    if (len > INT_MAX) len = INT_MAX;
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n >= 0) return (int)n;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_WRITE;
        if (errno == EPIPE || errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    int fd = *(int *)ctx;
    if (len > INT_MAX) len = INT_MAX;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n >= 0) return (int)n; /* 0: EOF, mbedTLS reports MBEDTLS_ERR_SSL_CONN_EOF */
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_READ;
        if (errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

/* ---- setup --------------------------------------------------------------- */

static int urandom(void *ctx, unsigned char *buf, size_t len)
{
    int fd = open("/dev/urandom", O_RDONLY);
    size_t got = 0;
    (void)ctx;
    if (fd < 0) return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    return got == len ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

int lhttp_tls_mbedtls_init(lhttp_tls_mbedtls *t, const lhttp_tls_config *cfg)
{
    static const char pers[] = "lhttp-c-sdk";
    int r;
    if (t == NULL) return LHTTP_ERR_INVALID_ARG;
    memset(t, 0, sizeof *t);
    t->fd = -1;
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ctr_drbg_init(&t->drbg);
    t->ready = -1; /* initialised contexts, freeable */
    if (cfg == NULL) return LHTTP_ERR_INVALID_ARG;
    if (cfg->server_name != NULL) {
        size_t n = strlen(cfg->server_name);
        if (n == 0 || n >= sizeof t->server_name) return LHTTP_ERR_INVALID_ARG;
        memcpy(t->server_name, cfg->server_name, n + 1);
    }
    r = mbedtls_ctr_drbg_seed(&t->drbg, cfg->entropy ? cfg->entropy : urandom, cfg->entropy_ctx,
                              (const unsigned char *)pers, sizeof pers - 1);
    if (r != 0) goto fail;
    if (!cfg->dangerously_accept_any_certificate) {
        if (cfg->ca != NULL) {
            size_t len = cfg->ca_len ? cfg->ca_len : strlen((const char *)cfg->ca) + 1;
            r = mbedtls_x509_crt_parse(&t->ca, (const unsigned char *)cfg->ca, len);
        } else {
            r = mbedtls_x509_crt_parse_file(&t->ca, cfg->ca_file ? cfg->ca_file
                                                                 : LHTTP_TLS_DEFAULT_CA_FILE);
        }
        /* r > 0: some certificates of a bundle were skipped; fine if one loaded */
        if (r < 0 || t->ca.version == 0) {
            if (r >= 0) r = MBEDTLS_ERR_X509_INVALID_FORMAT;
            goto fail;
        }
    }
    r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) goto fail;
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    if (cfg->dangerously_accept_any_certificate) {
        mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
    } else {
        mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    }
    r = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (r != 0) goto fail;
    mbedtls_ssl_set_bio(&t->ssl, &t->fd, bio_send, bio_recv, NULL);
    t->ready = 1;
    return LHTTP_OK;
fail:
    t->last_error = r;
    return LHTTP_ERR_TLS_CONFIG;
}

void lhttp_tls_mbedtls_free(lhttp_tls_mbedtls *t)
{
    if (t == NULL || t->ready == 0) return;
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    t->ready = 0;
}

const char *lhttp_tls_mbedtls_describe(const lhttp_tls_mbedtls *t, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) return "";
    buf[0] = '\0';
    if (t == NULL) return buf;
    if (t->verify_flags != 0) {
        int n = mbedtls_x509_crt_verify_info(buf, cap, "", t->verify_flags);
        /* one line per flag: make it one line */
        if (n > 0) {
            char *p;
            for (p = buf; *p; p++)
                if (*p == '\n') *p = p[1] ? ';' : '\0';
        }
    } else if (t->last_error != 0) {
        mbedtls_strerror(t->last_error, buf, cap);
    }
    return buf;
}

/* ---- the transport ------------------------------------------------------- */

static int tls_open(void *ctx, int fd, const char *host, uint64_t deadline_ms)
{
    lhttp_tls_mbedtls *t = (lhttp_tls_mbedtls *)ctx;
    int r, rc;
    if (t == NULL || t->ready != 1 || fd < 0 || host == NULL) return LHTTP_ERR_INVALID_ARG;
    t->last_error = 0;
    t->verify_flags = 0;
    r = mbedtls_ssl_session_reset(&t->ssl);
    if (r == 0) r = mbedtls_ssl_set_hostname(&t->ssl, t->server_name[0] ? t->server_name : host);
    if (r != 0) {
        t->last_error = r;
        return LHTTP_ERR_TLS_CONFIG;
    }
    t->fd = fd;
    for (;;) {
        r = mbedtls_ssl_handshake(&t->ssl);
        if (r == 0) return LHTTP_OK;
        if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
            rc = lhttp_io_wait(fd, r == MBEDTLS_ERR_SSL_WANT_READ ? LHTTP_ERR_WANT_READ
                                                                   : LHTTP_ERR_WANT_WRITE,
                               deadline_ms);
            if (rc == LHTTP_OK) continue;
            break; /* timeout (a server that stalls mid-handshake) or poll failure */
        }
        t->last_error = r;
        if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
            t->verify_flags = mbedtls_ssl_get_verify_result(&t->ssl);
            rc = LHTTP_ERR_TLS_VERIFY;
        } else if (r == MBEDTLS_ERR_SSL_ALLOC_FAILED) {
            rc = LHTTP_ERR_TLS_CONFIG;
        } else {
            rc = LHTTP_ERR_TLS_HANDSHAKE; /* peer closed, alert, malformed message, ... */
        }
        break;
    }
    mbedtls_ssl_session_reset(&t->ssl);
    t->fd = -1;
    return rc;
}

/* Maps an mbedTLS error of an established session. */
static long tls_err(lhttp_tls_mbedtls *t, int r)
{
    if (r == MBEDTLS_ERR_SSL_WANT_READ) return LHTTP_ERR_WANT_READ;
    if (r == MBEDTLS_ERR_SSL_WANT_WRITE) return LHTTP_ERR_WANT_WRITE;
    t->last_error = r;
    if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
    if (r == MBEDTLS_ERR_SSL_CONN_EOF) {
        /* EOF inside a record: truncated. EOF between records: the peer
         * closed without close_notify, reported as a plain end of stream
         * (the WebSocket layer only delivers complete messages). */
        return t->ssl.in_left > 0 ? LHTTP_ERR_TLS_RECORD : 0;
    }
    if (r == MBEDTLS_ERR_NET_CONN_RESET || r == MBEDTLS_ERR_NET_RECV_FAILED ||
        r == MBEDTLS_ERR_NET_SEND_FAILED)
        return LHTTP_ERR_IO;
    return LHTTP_ERR_TLS_RECORD; /* bad MAC, invalid record, fatal alert, ... */
}

static long tls_recv(void *ctx, void *buf, size_t len)
{
    lhttp_tls_mbedtls *t = (lhttp_tls_mbedtls *)ctx;
    int r;
    if (len > INT_MAX) len = INT_MAX;
    r = mbedtls_ssl_read(&t->ssl, (unsigned char *)buf, len);
    if (r > 0) return r;
    /* mbedtls_ssl_read() also reports a TCP EOF as 0 (its CONN_EOF): then
     * bytes of an unfinished record in its buffer mean a truncated record */
    if (r == 0) return t->ssl.in_left > 0 ? LHTTP_ERR_TLS_RECORD : 0;
    return tls_err(t, r);
}

static long tls_send(void *ctx, const void *buf, size_t len)
{
    lhttp_tls_mbedtls *t = (lhttp_tls_mbedtls *)ctx;
    int r;
    if (len > INT_MAX) len = INT_MAX;
    r = mbedtls_ssl_write(&t->ssl, (const unsigned char *)buf, len);
    if (r > 0) return r;
    if (r == 0) return LHTTP_ERR_WANT_WRITE;
    r = (int)tls_err(t, r);
    return r == 0 ? LHTTP_ERR_IO : r;
}

static void tls_close(void *ctx)
{
    lhttp_tls_mbedtls *t = (lhttp_tls_mbedtls *)ctx;
    if (t == NULL || t->ready != 1) return;
    if (t->fd >= 0) mbedtls_ssl_close_notify(&t->ssl); /* best effort, no waiting */
    mbedtls_ssl_session_reset(&t->ssl);
    t->fd = -1;
}

const lhttp_transport lhttp_tls_mbedtls_transport = {"mbedtls", tls_open, tls_recv, tls_send,
                                                     tls_close};
