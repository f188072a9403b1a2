/* test_codec.c - codec unit tests against the shared golden vectors. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "lhttp_codec.h"

#define HCAP 64

static int view_eq(lhttp_str v, const char *s, size_t n)
{
    return v.len == n && (n == 0 || memcmp(v.ptr, s, n) == 0);
}

/* names are compared lowercased: the codec keeps the first spelling */
static int name_eq(lhttp_str v, const char *lower_name)
{
    return lhttp_str_ieq(v, lower_name) && strlen(lower_name) == v.len;
}

static void check_headers(const char *vname, const char *where, const lhttp_header *h, size_t n,
                          const jnode *want)
{
    size_t i;
    CHECK_MSG(want && want->type == J_ARR, "%s: %s: headers missing in vector", vname, where);
    if (!want || want->type != J_ARR) return;
    CHECK_MSG(n == want->len, "%s: %s: %lu headers, want %lu", vname, where, (unsigned long)n,
              (unsigned long)want->len);
    for (i = 0; i < n && i < want->len; i++) {
        const jnode *pair = want->items[i];
        CHECK_MSG(name_eq(h[i].name, pair->items[0]->str), "%s: %s: header %lu name '%.*s' want '%s'",
                  vname, where, (unsigned long)i, (int)h[i].name.len, h[i].name.ptr, pair->items[0]->str);
        CHECK_MSG(view_eq(h[i].value, pair->items[1]->str, pair->items[1]->len),
                  "%s: %s: header %lu value '%.*s' want '%s'", vname, where, (unsigned long)i,
                  (int)h[i].value.len, h[i].value.ptr, pair->items[1]->str);
    }
}

static int run_vectors(const char *path)
{
    size_t len, i, count = 0;
    char err[128];
    char *text = read_file(path, &len);
    jnode *root, *frames;
    if (!text) { fprintf(stderr, "cannot read %s\n", path); return 1; }
    root = json_parse(text, len, err, sizeof err);
    free(text);
    if (!root) { fprintf(stderr, "%s: %s\n", path, err); return 1; }
    frames = (jnode *)json_get(root, "frames");
    CHECK(frames && frames->type == J_ARR && frames->len > 0);
    for (i = 0; frames && i < frames->len; i++) {
        const jnode *v = frames->items[i];
        const char *name = json_get(v, "name")->str;
        const jnode *input = json_get(v, "input"), *error = json_get(v, "error");
        lhttp_header hdrs[HCAP], pool[HCAP];
        lhttp_part parts[16];
        lhttp_frame f;
        size_t nparts = 0;
        int rc;
        /* copy the input to an exact-size heap buffer so valgrind/ASan see overreads */
        char *buf = (char *)malloc(input->len ? input->len : 1);
        memcpy(buf, input->str, input->len);
        lhttp_frame_init(&f, hdrs, HCAP);
        f.text = 1; /* the vectors are text frames */
        rc = lhttp_parse(buf, input->len, NULL, &f);
        if (rc == LHTTP_OK && lhttp_frame_header(&f, "multipart"))
            rc = lhttp_multipart_split(&f, NULL, parts, 16, pool, HCAP, &nparts);
        count++;
        if (error) {
            CHECK_MSG(rc != LHTTP_OK && strcmp(lhttp_error_code(rc), error->str) == 0,
                      "%s: got %s, want error %s", name, lhttp_error_code(rc), error->str);
        } else {
            const jnode *cmd = json_get(v, "command"), *body = json_get(v, "body");
            const jnode *wparts = json_get(v, "parts");
            CHECK_MSG(rc == LHTTP_OK, "%s: unexpected error %s", name, lhttp_error_code(rc));
            if (rc == LHTTP_OK) {
                size_t k;
                CHECK_MSG(view_eq(f.command, cmd->str, cmd->len), "%s: command '%.*s'", name,
                          (int)f.command.len, f.command.ptr);
                check_headers(name, "frame", f.headers, f.header_count, json_get(v, "headers"));
                CHECK_MSG(f.body_len == body->len && memcmp(f.body, body->str, body->len) == 0,
                          "%s: body '%.*s'", name, (int)f.body_len, (const char *)f.body);
                CHECK_MSG((wparts != NULL) == (lhttp_frame_header(&f, "multipart") != NULL),
                          "%s: parts presence", name);
                if (wparts) {
                    CHECK_MSG(nparts == wparts->len, "%s: %lu parts", name, (unsigned long)nparts);
                    for (k = 0; k < nparts && k < wparts->len; k++) {
                        const jnode *wp = wparts->items[k], *wb = json_get(wp, "body");
                        check_headers(name, "part", parts[k].headers, parts[k].header_count,
                                      json_get(wp, "headers"));
                        CHECK_MSG(parts[k].body_len == wb->len &&
                                      memcmp(parts[k].body, wb->str, wb->len) == 0,
                                  "%s: part %lu body", name, (unsigned long)k);
                    }
                    /* rebuild the multipart body: it must split into the same parts */
                    {
                        uint8_t mb[1024];
                        char offs[128];
                        size_t mlen = 0, n2 = 0;
                        lhttp_header mh, pool2[HCAP];
                        lhttp_part parts2[16];
                        lhttp_frame g;
                        CHECK_RC(lhttp_multipart_build(parts, nparts, mb, sizeof mb, &mlen, offs, sizeof offs), LHTTP_OK);
                        mh.name = lhttp_cstr("multipart");
                        mh.value = lhttp_cstr(offs);
                        lhttp_frame_init(&g, &mh, 1);
                        g.header_count = 1;
                        g.body = mb;
                        g.body_len = mlen;
                        CHECK_RC(lhttp_multipart_split(&g, NULL, parts2, 16, pool2, HCAP, &n2), LHTTP_OK);
                        CHECK_MSG(n2 == nparts, "%s: rebuilt parts", name);
                        for (k = 0; k < n2 && k < nparts; k++) {
                            size_t j;
                            CHECK(parts2[k].body_len == parts[k].body_len &&
                                  memcmp(parts2[k].body, parts[k].body, parts[k].body_len) == 0);
                            CHECK(parts2[k].header_count == parts[k].header_count);
                            for (j = 0; j < parts2[k].header_count && j < parts[k].header_count; j++)
                                CHECK(view_eq(parts2[k].headers[j].value, parts[k].headers[j].value.ptr,
                                              parts[k].headers[j].value.len));
                        }
                        /* canonical bodies (offsets from 0, "\r\n" after the headers) rebuild byte for byte */
                        if (strcmp(name, "original docs: multipart upload") == 0) {
                            CHECK(mlen == f.body_len && memcmp(mb, f.body, mlen) == 0);
                            CHECK(lhttp_str_eq(*lhttp_frame_header(&f, "multipart"), offs));
                        }
                    }
                }
                /* serialize -> parse round trip */
                {
                    char out[2048];
                    size_t olen = 0;
                    lhttp_header h2[HCAP];
                    lhttp_frame g;
                    CHECK_RC(lhttp_serialize(f.command, f.headers, f.header_count, f.body, f.body_len,
                                             out, sizeof out, &olen), LHTTP_OK);
                    lhttp_frame_init(&g, h2, HCAP);
                    CHECK_RC(lhttp_parse(out, olen, NULL, &g), LHTTP_OK);
                    CHECK(view_eq(g.command, f.command.ptr, f.command.len));
                    CHECK(g.header_count == f.header_count);
                    for (k = 0; k < g.header_count && k < f.header_count; k++) {
                        CHECK(view_eq(g.headers[k].name, f.headers[k].name.ptr, f.headers[k].name.len));
                        CHECK(view_eq(g.headers[k].value, f.headers[k].value.ptr, f.headers[k].value.len));
                    }
                    CHECK(g.body_len == f.body_len && memcmp(g.body, f.body, f.body_len) == 0);
                }
            }
        }
        free(buf);
    }
    printf("golden vectors: %lu frames from %s\n", (unsigned long)count, path);
    json_free(root);
    return 0;
}

static int parse_s(const char *s, lhttp_frame *f, lhttp_header *h, size_t cap, const lhttp_limits *lim)
{
    lhttp_frame_init(f, h, cap);
    return lhttp_parse(s, strlen(s), lim, f);
}

static void test_limits(void)
{
    lhttp_header h[64];
    lhttp_frame f;
    lhttp_limits lim;
    char big[20000];
    size_t i, n;

    lhttp_limits_default(&lim);
    CHECK(lim.max_frame_bytes == 1048576 && lim.max_headers == 32 && lim.max_header_bytes == 8192);
    lim.max_frame_bytes = 22;
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\n\r\n12345", &f, h, 64, &lim), LHTTP_ERR_FRAME_TOO_LARGE);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\n\r\n1234", &f, h, 64, &lim), LHTTP_OK);

    /* 32 header lines pass, 33 fail */
    n = (size_t)sprintf(big, "LHTTP/1.0 chat\r\n");
    for (i = 0; i < 32; i++) n += (size_t)sprintf(big + n, "h%lu:v\r\n", (unsigned long)i);
    sprintf(big + n, "\r\nbody");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_OK);
    CHECK(f.header_count == 32);
    sprintf(big + n, "h32:v\r\n\r\nbody");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_ERR_TOO_MANY_HEADERS);
    /* a header array smaller than the frame's headers */
    CHECK_RC(parse_s("LHTTP/1.0 c\r\na:1\r\nb:2\r\nc:3\r\n\r\n", &f, h, 2, NULL), LHTTP_ERR_CAPACITY);
    CHECK_RC(parse_s("LHTTP/1.0 c\r\na:1\r\nb:2\r\nA:3\r\n\r\n", &f, h, 2, NULL), LHTTP_OK);

    /* head (start line + headers): 8192 bytes pass, 8193 fail */
    n = (size_t)sprintf(big, "LHTTP/1.0 chat\r\nx:");
    memset(big + n, 'a', 8192 - n);
    n = 8192;
    strcpy(big + n, "\r\n\r\nbody");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_OK);
    CHECK(f.headers[0].value.len == 8174);
    strcpy(big + n, "\r\n");  /* lenient ending: the trailing CRLF is not counted */
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_OK);
    big[n] = 'a';
    strcpy(big + n + 1, "\r\n\r\nbody");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_ERR_HEADERS_TOO_LARGE);

    /* command length */
    n = (size_t)sprintf(big, "LHTTP/1.0 ");
    memset(big + n, 'c', 64);
    strcpy(big + n + 64, "\r\n\r\n");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_OK);
    memset(big + n, 'c', 65);
    strcpy(big + n + 65, "\r\n\r\n");
    CHECK_RC(parse_s(big, &f, h, 64, NULL), LHTTP_ERR_BAD_START_LINE);
}

static void test_parse_edges(void)
{
    lhttp_header h[8];
    lhttp_frame f;
    const lhttp_str *v;
    static const char bin[] = "LHTTP/1.0 img\r\ntype:raw\r\n\r\n\x00\xff\xfe\x80";
    static const char badhead[] = "LHTTP/1.0 img\r\nname:\xff\xfe\r\n\r\nx";

    CHECK_RC(parse_s("LHTTP/1.0 chat\r\nPublish: room \r\n\r\nx", &f, h, 8, NULL), LHTTP_OK);
    v = lhttp_frame_header(&f, "PUBLISH");
    CHECK(v && lhttp_str_eq(*v, "room"));
    CHECK(lhttp_frame_header(&f, "subscribe") == NULL);
    /* binary body, UTF-8 head */
    lhttp_frame_init(&f, h, 8);
    CHECK_RC(lhttp_parse(bin, sizeof bin - 1, NULL, &f), LHTTP_OK);
    CHECK(f.body_len == 4 && f.body[0] == 0 && f.body[1] == 0xff);
    lhttp_frame_init(&f, h, 8);
    CHECK_RC(lhttp_parse(badhead, sizeof badhead - 1, NULL, &f), LHTTP_ERR_INVALID_UTF8);
    CHECK_RC(parse_s("LHTTP/1.0 ch\x01t\r\n\r\n", &f, h, 8, NULL), LHTTP_ERR_BAD_START_LINE);
    CHECK_RC(parse_s("LHTTP/1.0  chat\r\n\r\n", &f, h, 8, NULL), LHTTP_ERR_BAD_START_LINE);
    CHECK_RC(parse_s("LHTTP/1.0", &f, h, 8, NULL), LHTTP_ERR_BAD_START_LINE);
    CHECK_RC(parse_s("LHTTP/1.00 chat", &f, h, 8, NULL), LHTTP_ERR_BAD_VERSION);
    CHECK_RC(parse_s("LHTTP/", &f, h, 8, NULL), LHTTP_ERR_BAD_VERSION);
    CHECK_RC(parse_s("LHTT", &f, h, 8, NULL), LHTTP_ERR_NOT_LHTTP);
    CHECK_RC(parse_s("lhttp/1.0 chat", &f, h, 8, NULL), LHTTP_ERR_NOT_LHTTP);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\nbad name:v\r\n\r\n", &f, h, 8, NULL), LHTTP_ERR_BAD_HEADER);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\n \t:v\r\n\r\n", &f, h, 8, NULL), LHTTP_ERR_BAD_HEADER);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\nk:v\r", &f, h, 8, NULL), LHTTP_ERR_BAD_HEADER);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\n\r\n", &f, h, 8, NULL), LHTTP_OK);
    CHECK(f.body_len == 0 && f.header_count == 0);
    CHECK_RC(parse_s("LHTTP/1.0 chat\r\nk: a:b \r\n\r\n\r\n", &f, h, 8, NULL), LHTTP_OK);
    CHECK(lhttp_str_eq(f.headers[0].value, "a:b") && f.body_len == 2);
    CHECK_RC(lhttp_parse(NULL, 0, NULL, &f), LHTTP_ERR_NOT_LHTTP);
    CHECK_RC(lhttp_parse(NULL, 5, NULL, &f), LHTTP_ERR_INVALID_ARG);
}

static void test_serialize(void)
{
    char out[256];
    size_t n = 0;
    lhttp_writer w;
    lhttp_header h[2];

    h[0].name = lhttp_cstr("publish");
    h[0].value = lhttp_cstr("room");
    h[1].name = lhttp_cstr("x");
    h[1].value = lhttp_cstr("");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 2, "hi", 2, out, sizeof out, &n), LHTTP_OK);
    CHECK(n == strlen("LHTTP/1.0 chat\r\npublish:room\r\nx:\r\n\r\nhi") &&
          memcmp(out, "LHTTP/1.0 chat\r\npublish:room\r\nx:\r\n\r\nhi", n) == 0);
    /* buffer too small reports the size needed */
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 2, "hi", 2, out, 10, &n), LHTTP_ERR_BUFFER_TOO_SMALL);
    CHECK(n == strlen("LHTTP/1.0 chat\r\npublish:room\r\nx:\r\n\r\nhi"));
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 2, "hi", 2, NULL, 0, &n), LHTTP_ERR_BUFFER_TOO_SMALL);
    /* CR/LF injection is refused */
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat\r\nsubscribe:x"), NULL, 0, NULL, 0, out, sizeof out, &n),
             LHTTP_ERR_BAD_START_LINE);
    CHECK_RC(lhttp_serialize(lhttp_cstr("two words"), NULL, 0, NULL, 0, out, sizeof out, &n),
             LHTTP_ERR_BAD_START_LINE);
    CHECK_RC(lhttp_serialize(lhttp_cstr(""), NULL, 0, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_START_LINE);
    h[0].value = lhttp_cstr("room\r\nsubscribe:secret");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    h[0].value = lhttp_cstr("room\nx");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    h[0].value = lhttp_cstr("room\rx");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    h[0].value = lhttp_cstr("room");
    h[0].name = lhttp_cstr("pub:lish");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    h[0].name = lhttp_cstr("pub lish");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    h[0].name = lhttp_cstr("");
    CHECK_RC(lhttp_serialize(lhttp_cstr("chat"), h, 1, NULL, 0, out, sizeof out, &n), LHTTP_ERR_BAD_HEADER);
    /* writer API */
    lhttp_writer_begin(&w, out, sizeof out, lhttp_cstr("sensor"));
    lhttp_writer_header_c(&w, "publish", "temp");
    CHECK_RC(lhttp_writer_end(&w, "21.5", 4, &n), LHTTP_OK);
    CHECK(n == 38 && memcmp(out, "LHTTP/1.0 sensor\r\npublish:temp\r\n\r\n21.5", n) == 0);
}

static void test_multipart(void)
{
    lhttp_header ph[2], pool[8], fh[4];
    lhttp_part in[2], out[4];
    uint8_t body[128];
    char offs[32], frame[256];
    size_t blen = 0, n = 0, flen = 0;
    lhttp_frame f;
    lhttp_header mh;

    ph[0].name = lhttp_cstr("k1"); ph[0].value = lhttp_cstr("v1");
    ph[1].name = lhttp_cstr("k2"); ph[1].value = lhttp_cstr("v2");
    in[0].headers = &ph[0]; in[0].header_count = 1; in[0].body = (const uint8_t *)"body1"; in[0].body_len = 5;
    in[1].headers = &ph[1]; in[1].header_count = 1; in[1].body = (const uint8_t *)"body2"; in[1].body_len = 5;
    CHECK_RC(lhttp_multipart_build(in, 2, body, sizeof body, &blen, offs, sizeof offs), LHTTP_OK);
    CHECK(strcmp(offs, "0 14") == 0);
    CHECK(blen == 28 && memcmp(body, "k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2", 28) == 0);
    CHECK_RC(lhttp_multipart_build(in, 2, body, 10, &blen, offs, sizeof offs), LHTTP_ERR_BUFFER_TOO_SMALL);
    CHECK(blen == 28);
    CHECK_RC(lhttp_multipart_build(in, 2, body, sizeof body, &blen, offs, 3), LHTTP_ERR_BUFFER_TOO_SMALL);
    ph[0].value = lhttp_cstr("v\r\n1");
    CHECK_RC(lhttp_multipart_build(in, 2, body, sizeof body, &blen, offs, sizeof offs), LHTTP_ERR_BAD_HEADER);
    ph[0].value = lhttp_cstr("v1");
    CHECK_RC(lhttp_multipart_build(in, 2, body, sizeof body, &blen, offs, sizeof offs), LHTTP_OK);

    mh.name = lhttp_cstr("multipart");
    mh.value = lhttp_cstr(offs);
    CHECK_RC(lhttp_serialize(lhttp_cstr("upload"), &mh, 1, body, blen, frame, sizeof frame, &flen), LHTTP_OK);
    lhttp_frame_init(&f, fh, 4);
    CHECK_RC(lhttp_parse(frame, flen, NULL, &f), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_OK);
    CHECK(n == 2 && lhttp_str_eq(out[1].headers[0].name, "k2") && out[1].body_len == 5);
    /* too small tables */
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 1, pool, 8, &n), LHTTP_ERR_CAPACITY);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 1, &n), LHTTP_ERR_CAPACITY);
    /* no multipart header */
    CHECK_RC(parse_s("LHTTP/1.0 c\r\n\r\nx", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_ERR_INVALID_ARG);
    /* offset equal to the body length: an empty last part */
    CHECK_RC(parse_s("LHTTP/1.0 c\r\nmultipart:0 5\r\n\r\n\r\nabc", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_OK);
    CHECK(n == 2 && out[0].body_len == 3 && out[1].body_len == 0 && out[1].header_count == 0);
    /* malformed offsets */
    CHECK_RC(parse_s("LHTTP/1.0 c\r\nmultipart:\r\n\r\nabc", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_ERR_BAD_MULTIPART);
    CHECK_RC(parse_s("LHTTP/1.0 c\r\nmultipart:-1\r\n\r\nabc", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_ERR_BAD_MULTIPART);
    CHECK_RC(parse_s("LHTTP/1.0 c\r\nmultipart:0 0\r\n\r\nabc", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_ERR_BAD_MULTIPART);
    CHECK_RC(parse_s("LHTTP/1.0 c\r\nmultipart:99999999999999999999999999\r\n\r\nabc", &f, fh, 4, NULL), LHTTP_OK);
    CHECK_RC(lhttp_multipart_split(&f, NULL, out, 4, pool, 8, &n), LHTTP_ERR_BAD_MULTIPART);
}

static void test_helpers(void)
{
    CHECK(lhttp_valid_channel(lhttp_cstr("room-1_a.b:c@d/e=f+g~h")));
    CHECK(!lhttp_valid_channel(lhttp_cstr("")));
    CHECK(!lhttp_valid_channel(lhttp_cstr("a b")));
    CHECK(!lhttp_valid_channel(lhttp_cstr("caf\xc3\xa9")));
    CHECK(lhttp_valid_utf8("h\xc3\xa9llo \xe4\xb8\x96 \xf0\x9f\x8e\x89", 15));
    CHECK(!lhttp_valid_utf8("\xc0\xaf", 2));        /* overlong */
    CHECK(!lhttp_valid_utf8("\xed\xa0\x80", 3));    /* surrogate */
    CHECK(!lhttp_valid_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    CHECK(!lhttp_valid_utf8("\xe4\xb8", 2));        /* truncated */
    CHECK(strcmp(lhttp_strerror(LHTTP_ERR_BAD_HEADER), "malformed header line") == 0);
    CHECK(strcmp(lhttp_strerror(12345), "unknown error") == 0);
    CHECK(strcmp(lhttp_error_code(LHTTP_ERR_NOT_LHTTP), "not_lhttp") == 0);
}

/* random mutations of valid frames: must never crash (checked by ASan/valgrind) */
static void test_random(unsigned iterations)
{
    static const char *seeds[] = {
        "LHTTP/1.0 chat\r\npublish:room\r\nsubscribe:a b\r\n\r\nhello",
        "LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2",
        "LHTTP/1.0 x\r\nmultipart:0 3 5\r\n\r\n\r\na\r\nb\r\n\r\n",
    };
    unsigned s = 12345, i;
    for (i = 0; i < iterations; i++) {
        const char *seed = seeds[i % 3];
        size_t n = strlen(seed), k, muts;
        unsigned char *buf = (unsigned char *)malloc(n + 8);
        lhttp_header h[8], pool[8];
        lhttp_part parts[4];
        lhttp_frame f;
        size_t np;
        memcpy(buf, seed, n);
        s = s * 1103515245u + 12345u;
        muts = 1 + (s >> 16) % 4;
        for (k = 0; k < muts; k++) {
            s = s * 1103515245u + 12345u;
            buf[(s >> 8) % n] = (unsigned char)(s >> 20);
        }
        s = s * 1103515245u + 12345u;
        if ((s >> 16) % 4 == 0) n = (s >> 4) % n;
        lhttp_frame_init(&f, h, 8);
        if (lhttp_parse(buf, n, NULL, &f) == LHTTP_OK && lhttp_frame_header(&f, "multipart"))
            lhttp_multipart_split(&f, NULL, parts, 4, pool, 8, &np);
        free(buf);
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../../tests/vectors/frames.json";
    unsigned iters = argc > 2 ? (unsigned)atoi(argv[2]) : 100000u;
    if (run_vectors(path) != 0) return 1;
    test_limits();
    test_parse_edges();
    test_serialize();
    test_multipart();
    test_helpers();
    test_random(iters);
    return check_report("test_codec");
}
