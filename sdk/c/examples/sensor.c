/* sensor.c - publishes a reading every interval, like a device would.
 *
 *   sensor [-u ws://127.0.0.1:8081/] [-c channel] [-i interval_ms] [-n count] [-d id]
 *          [-C ca.pem]      (wss:// URLs, when built with `make TLS=mbedtls`)
 *
 * The reading comes from /sys/class/thermal/thermal_zone0/temp when present,
 * else from a simulated signal. Frames look like
 *   LHTTP/1.0 reading\r\npublish:sensors\r\nsensor:s1\r\n\r\n{"sensor":"s1","seq":3,"temp":21.50}
 * While the server is away, readings are counted as dropped and the client
 * reconnects with exponential backoff. count 0 = forever.
 */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lhttp_client.h"
#ifdef LHTTP_TLS_MBEDTLS
#include "lhttp_tls_mbedtls.h"
static lhttp_tls_mbedtls tls;
#endif

/* a small device needs little memory: 2 KiB in, 1 KiB out */
static uint8_t rx[2048], tx[1024];
static lhttp_header hdrs[16];
static char channels[256];

/* millidegrees Celsius */
static long read_temp(unsigned long seq)
{
    FILE *f = fopen("/sys/class/thermal/thermal_zone0/temp", "r");
    long v;
    if (f) {
        int ok = fscanf(f, "%ld", &v) == 1;
        fclose(f);
        if (ok) return v;
    }
    /* triangle wave between 20 and 25 degrees plus a little noise */
    v = (long)(seq % 20);
    v = v < 10 ? v : 20 - v;
    return 20000 + v * 500 + (long)(rand() % 100);
}

int main(int argc, char **argv)
{
    const char *url = "ws://127.0.0.1:8081/", *channel = "sensors", *id = "sensor-1";
    const char *ca_file = NULL;
    long interval = 1000, count = 0;
    unsigned long seq = 0, sent = 0, dropped = 0;
    lhttp_client_config cfg;
    lhttp_client c;
    int opt, rc;
    uint64_t next;

    while ((opt = getopt(argc, argv, "u:c:i:n:d:C:h")) != -1) {
        if (opt == 'u') url = optarg;
        else if (opt == 'C') ca_file = optarg;
        else if (opt == 'c') channel = optarg;
        else if (opt == 'i') interval = atol(optarg);
        else if (opt == 'n') count = atol(optarg);
        else if (opt == 'd') id = optarg;
        else {
            fprintf(stderr, "usage: %s [-u url] [-c channel] [-i ms] [-n count] [-d id] [-C ca.pem]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!lhttp_valid_channel(lhttp_cstr(channel)) || interval < 10) {
        fprintf(stderr, "sensor: bad channel or interval\n");
        return 2;
    }
    lhttp_client_config_default(&cfg);
    cfg.url = url;
    cfg.rx_buf = rx; cfg.rx_cap = sizeof rx;
    cfg.tx_buf = tx; cfg.tx_cap = sizeof tx;
    cfg.headers = hdrs; cfg.header_cap = 16;
    cfg.channels = channels; cfg.channels_cap = sizeof channels;
    cfg.limits.max_frame_bytes = sizeof rx;
    cfg.limits.max_headers = 16;
    cfg.limits.max_header_bytes = 1024;
    cfg.ping_interval_ms = 15000;
#ifdef LHTTP_TLS_MBEDTLS
    {
        lhttp_tls_config tc;
        lhttp_tls_config_default(&tc); /* verification on; system CA bundle unless -C */
        tc.ca_file = ca_file;
        if ((rc = lhttp_tls_mbedtls_init(&tls, &tc)) != LHTTP_OK) {
            fprintf(stderr, "sensor: TLS: %s\n", lhttp_strerror(rc));
            return 1;
        }
        cfg.tls = &lhttp_tls_mbedtls_transport;
        cfg.tls_ctx = &tls;
    }
#else
    (void)ca_file;
#endif
    if ((rc = lhttp_client_init(&c, &cfg)) != LHTTP_OK) {
        fprintf(stderr, "sensor: %s\n", lhttp_strerror(rc));
        return 1;
    }
    if ((rc = lhttp_client_connect(&c)) != LHTTP_OK)
        fprintf(stderr, "sensor: connect: %s (will retry)\n", lhttp_strerror(rc));

    next = lhttp_now_ms();
    while (count == 0 || (long)seq < count) {
        uint64_t now = lhttp_now_ms();
        if (now >= next) {
            char body[128];
            lhttp_header h[2];
            long t = read_temp(seq);
            int n = snprintf(body, sizeof body, "{\"sensor\":\"%s\",\"seq\":%lu,\"temp\":%ld.%02ld}",
                             id, seq, t / 1000, (t % 1000) / 10);
            h[0].name = lhttp_cstr("publish"); h[0].value = lhttp_cstr(channel);
            h[1].name = lhttp_cstr("sensor"); h[1].value = lhttp_cstr(id);
            rc = lhttp_client_send(&c, "reading", h, 2, body, (size_t)n);
            if (rc == LHTTP_OK) sent++;
            else dropped++;
            seq++;
            next += (uint64_t)interval;
            if (next < now) next = now + (uint64_t)interval;
            continue;
        }
        /* serve the connection (pings, reconnects) until the next reading */
        rc = lhttp_client_poll(&c, (int)(next - now));
        if (rc == LHTTP_ERR_CLOSED) fprintf(stderr, "sensor: connection lost, reconnecting\n");
    }
    lhttp_client_poll(&c, 100);
    lhttp_client_close(&c);
    printf("sensor: %lu readings sent, %lu dropped\n", sent, dropped);
#ifdef LHTTP_TLS_MBEDTLS
    lhttp_tls_mbedtls_free(&tls);
#endif
    return sent ? 0 : 1;
}
