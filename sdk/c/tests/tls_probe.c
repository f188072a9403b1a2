/* tls_probe.c - one wss:// connection attempt, for the TLS failure tests.
 *
 *   tls_probe URL CA.pem|buf:CA.pem|- [server_name|-] [timeout_ms] [recv]
 *
 * CA "-" sets dangerously_accept_any_certificate; "buf:FILE" passes the
 * file's contents as a buffer (tc.ca) instead of a path. Connects with
 * lhttp_ws_connect (timeout_ms, default 2000); with "recv", then waits for
 * one message. Prints one line
 *   RESULT <lhttp_error_code> [<cause>, or the message received]
 * and exits 0 (2 for a usage or setup error), after freeing everything: under
 * valgrind or ASan any leak or invalid access fails the run.
 */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lhttp_tls_mbedtls.h"
#include "lhttp_ws.h"

int main(int argc, char **argv)
{
    static uint8_t rx[16384];
    static lhttp_tls_mbedtls tls;
    static char ca_buf[65536];
    lhttp_tls_config tc;
    lhttp_ws ws;
    lhttp_ws_msg m;
    char why[256];
    int rc, timeout = 2000, i;
    if (argc < 3) {
        fprintf(stderr, "usage: tls_probe URL CA.pem|- [server_name|-] [timeout_ms] [recv]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(&ws, 0, sizeof ws);
    ws.fd = -1;
    lhttp_tls_config_default(&tc);
    if (strcmp(argv[2], "-") == 0) {
        tc.dangerously_accept_any_certificate = 1;
    } else if (strncmp(argv[2], "buf:", 4) == 0) {
        FILE *f = fopen(argv[2] + 4, "rb");
        size_t n = f ? fread(ca_buf, 1, sizeof ca_buf - 1, f) : 0;
        if (f) fclose(f);
        ca_buf[n] = '\0';
        tc.ca = ca_buf; /* ca_len 0: a NUL-terminated PEM */
    } else {
        tc.ca_file = argv[2];
    }
    if (argc > 3 && strcmp(argv[3], "-") != 0) tc.server_name = argv[3];
    if (argc > 4) timeout = atoi(argv[4]);
    rc = lhttp_tls_mbedtls_init(&tls, &tc);
    if (rc == LHTTP_OK) rc = lhttp_ws_init(&ws, rx, sizeof rx);
    if (rc == LHTTP_OK) rc = lhttp_ws_set_tls(&ws, &lhttp_tls_mbedtls_transport, &tls);
    if (rc == LHTTP_OK) rc = lhttp_ws_connect(&ws, argv[1], timeout, NULL);
    m.len = 0;
    if (rc == LHTTP_OK && argc > 5 && strcmp(argv[5], "recv") == 0)
        rc = lhttp_ws_recv(&ws, timeout, &m);
    if (rc == LHTTP_OK) {
        printf("RESULT ok ");
        for (i = 0; i < (int)m.len; i++) /* the message, CR/LF shown as spaces */
            putchar(m.data[i] == '\r' || m.data[i] == '\n' ? ' ' : m.data[i]);
        putchar('\n');
    } else {
        printf("RESULT %s %s\n", lhttp_error_code(rc), lhttp_tls_mbedtls_describe(&tls, why, sizeof why));
    }
    lhttp_ws_close(&ws, 1000, NULL, 500);
    lhttp_tls_mbedtls_free(&tls);
    return 0;
}
