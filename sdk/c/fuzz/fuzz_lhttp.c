/* fuzz_lhttp.c - libFuzzer target for the codec and the WebSocket decoder.
 * The first input byte picks the target:
 *   even: LHTTP codec - parse, multipart split, and the invariants
 *         serialize(parse(x)) parses to the same frame; a rebuilt multipart
 *         body splits into the same parts;
 *   odd:  WebSocket frame decoder - the bytes arrive from a "server" over a
 *         socketpair and are read with lhttp_ws_recv until an error.
 * Build with -DFUZZ_STANDALONE for a random-input loop without libFuzzer. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lhttp_codec.h"
#include "lhttp_ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_view(lhttp_str a, lhttp_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void fuzz_codec(const uint8_t *data, size_t size)
{
    static uint8_t out[8192], mbody[8192];
    lhttp_header h[8], h2[8], pool[16], pool2[16];
    lhttp_part parts[8], parts2[8];
    lhttp_frame f, g;
    lhttp_limits lim;
    size_t olen = 0, np = 0, np2 = 0, i, j;
    int rc;
    lhttp_limits_default(&lim);
    lim.max_headers = 8;
    lim.max_header_bytes = 1024;
    lhttp_frame_init(&f, h, 8);
    rc = lhttp_parse(data, size, &lim, &f);
    if (rc != LHTTP_OK) {
        if (strcmp(lhttp_error_code(rc), "unknown") == 0) abort();
        return;
    }
    if (f.body_len > size || f.header_count > 8 || !lhttp_valid_command(f.command)) abort();
    /* serialize -> parse gives the same frame */
    rc = lhttp_serialize(f.command, f.headers, f.header_count, f.body, f.body_len, out, sizeof out, &olen);
    if (rc != LHTTP_OK && rc != LHTTP_ERR_BUFFER_TOO_SMALL) abort();
    if (rc == LHTTP_OK) {
        lhttp_frame_init(&g, h2, 8);
        if (lhttp_parse(out, olen, NULL, &g) != LHTTP_OK) abort();
        if (!same_view(f.command, g.command) || f.header_count != g.header_count) abort();
        for (i = 0; i < f.header_count; i++)
            if (!same_view(f.headers[i].name, g.headers[i].name) || !same_view(f.headers[i].value, g.headers[i].value))
                abort();
        if (f.body_len != g.body_len || (f.body_len && memcmp(f.body, g.body, f.body_len) != 0)) abort();
    }
    if (lhttp_frame_header(&f, "multipart") == NULL) return;
    if (lhttp_multipart_split(&f, &lim, parts, 8, pool, 16, &np) != LHTTP_OK) return;
    {
        char offs[256];
        lhttp_header fh;
        size_t blen = 0;
        rc = lhttp_multipart_build(parts, np, mbody, sizeof mbody, &blen, offs, sizeof offs);
        if (rc == LHTTP_ERR_BUFFER_TOO_SMALL) return;
        if (rc != LHTTP_OK) abort();
        memset(&g, 0, sizeof g);
        g.headers = &fh;
        g.header_cap = 1;
        g.header_count = 1;
        fh.name = lhttp_cstr("multipart");
        fh.value = lhttp_cstr(offs);
        g.body = mbody;
        g.body_len = blen;
        if (lhttp_multipart_split(&g, &lim, parts2, 8, pool2, 16, &np2) != LHTTP_OK || np2 != np) abort();
        for (i = 0; i < np; i++) {
            if (parts[i].header_count != parts2[i].header_count || parts[i].body_len != parts2[i].body_len)
                abort();
            if (parts[i].body_len && memcmp(parts[i].body, parts2[i].body, parts[i].body_len) != 0) abort();
            for (j = 0; j < parts[i].header_count; j++)
                if (!same_view(parts[i].headers[j].name, parts2[i].headers[j].name) ||
                    !same_view(parts[i].headers[j].value, parts2[i].headers[j].value))
                    abort();
        }
    }
}

static void fuzz_ws(const uint8_t *data, size_t size)
{
    static uint8_t rx[1024];
    lhttp_ws ws;
    lhttp_ws_msg m;
    int sv[2], rc, guard = 0;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return;
    if (size && write(sv[1], data, size) != (ssize_t)size) { close(sv[0]); close(sv[1]); return; }
    shutdown(sv[1], SHUT_WR);
    lhttp_ws_init(&ws, rx, sizeof rx);
    lhttp_ws_attach(&ws, sv[0]);
    ws.send_timeout_ms = 0;
    do {
        rc = lhttp_ws_recv(&ws, 0, &m);
        if (rc == LHTTP_OK && (m.len > sizeof rx || (m.opcode != LHTTP_WS_TEXT && m.opcode != LHTTP_WS_BINARY)))
            abort();
        if (rc == LHTTP_OK && m.opcode == LHTTP_WS_TEXT && !lhttp_valid_utf8(m.data, m.len)) abort();
    } while (rc == LHTTP_OK && ++guard < 10000);
    lhttp_ws_abort(&ws);
    close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] & 1) fuzz_ws(data + 1, size - 1);
    else fuzz_codec(data + 1, size - 1);
    return 0;
}

#ifdef FUZZ_STANDALONE
#include <time.h>
int main(int argc, char **argv)
{
    static const char s0[] = "\x00LHTTP/1.0 chat\r\npublish:room\r\nsubscribe:a b\r\n\r\nhello";
    static const char s1[] = "\x00LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2";
    static const char s2[] = "\x00LHTTP/1.0 x\r\nmultipart:0 2 9\r\n\r\n\r\n\r\n\r\nab\r\nk:v";
    static const char s3[] = "\x01\x81\x05hello\x89\x02p1\x01\x03hel\x80\x02lo\x88\x02\x03\xe8";
    static const char *seeds[] = {s0, s1, s2, s3};
    static const size_t lens[] = {sizeof s0 - 1, sizeof s1 - 1, sizeof s2 - 1, sizeof s3 - 1};
    unsigned long n = 0;
    unsigned s = (unsigned)time(NULL);
    time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 20);
    uint8_t buf[512];
    signal(SIGPIPE, SIG_IGN);
    while (time(NULL) < end) {
        int k, muts;
        size_t len = lens[n % 4];
        memcpy(buf, seeds[n % 4], len);
        s = s * 1103515245u + 12345u;
        muts = 1 + (int)((s >> 16) % 8);
        for (k = 0; k < muts; k++) {
            s = s * 1103515245u + 12345u;
            switch ((s >> 28) & 3) {
            case 0: buf[1 + (s >> 8) % (len - 1)] = (uint8_t)(s >> 20); break;
            case 1: if (len < sizeof buf) buf[len++] = (uint8_t)(s >> 12); break;
            case 2: if (len > 2) len--; break;
            default: buf[1 + (s >> 8) % (len - 1)] ^= (uint8_t)(1u << ((s >> 4) & 7));
            }
        }
        LLVMFuzzerTestOneInput(buf, len);
        n++;
    }
    printf("fuzz-loop: %lu inputs, no crash\n", n);
    return 0;
}
#endif
