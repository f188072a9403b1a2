/* codec_dump.c - reads frames from stdin and prints what the C codec makes of
 * them, one line each, for tests/differential.ts to compare with the
 * TypeScript codec. Input records: 1 byte mode (0 binary, 1 text), 4 bytes
 * little-endian length, the bytes. Output line: "error:<code>" or
 * "ok <command> <name>=<value>,... <body> [<part>;...]" with every string in
 * hex and header names ASCII-lowercased. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lhttp_codec.h"

static void hex(const void *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++) printf("%02x", s[i]);
}

static void hex_lower(lhttp_str v)
{
    size_t i;
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        printf("%02x", (c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
}

static void headers(const lhttp_header *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (i) putchar(',');
        hex_lower(h[i].name);
        putchar('=');
        hex(h[i].value.ptr, h[i].value.len);
    }
}

int main(void)
{
    static unsigned char buf[1 << 20];
    unsigned char hdr[5];
    while (fread(hdr, 1, 5, stdin) == 5) {
        size_t len = (size_t)hdr[1] | (size_t)hdr[2] << 8 | (size_t)hdr[3] << 16 | (size_t)hdr[4] << 24;
        lhttp_header h[64], pool[256];
        lhttp_part parts[64];
        lhttp_frame f;
        size_t np = 0, i;
        int rc;
        if (len > sizeof buf || fread(buf, 1, len, stdin) != len) return 2;
        lhttp_frame_init(&f, h, 64);
        f.text = hdr[0] == 1;
        rc = lhttp_parse(buf, len, NULL, &f);
        if (rc == LHTTP_OK && lhttp_frame_header(&f, "multipart"))
            rc = lhttp_multipart_split(&f, NULL, parts, 64, pool, 256, &np);
        if (rc != LHTTP_OK) {
            printf("error:%s\n", lhttp_error_code(rc));
            continue;
        }
        printf("ok ");
        hex(f.command.ptr, f.command.len);
        putchar(' ');
        headers(f.headers, f.header_count);
        putchar(' ');
        hex(f.body, f.body_len);
        putchar(' ');
        for (i = 0; i < np; i++) {
            if (i) putchar(';');
            headers(parts[i].headers, parts[i].header_count);
            putchar('|');
            hex(parts[i].body, parts[i].body_len);
        }
        putchar('\n');
    }
    return 0;
}
