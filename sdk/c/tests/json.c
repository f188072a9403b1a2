/* json.c - tiny recursive-descent JSON reader for the test harness. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errcap;
    int depth;
} jp;

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
    return p;
}

static int jerr(jp *p, const char *msg)
{
    if (p->err && p->errcap) snprintf(p->err, p->errcap, "%s at byte %lu", msg, (unsigned long)p->pos);
    return -1;
}

static void ws(jp *p)
{
    while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos]) p->pos++;
}

static jnode *value(jp *p);

static int hex4(jp *p, unsigned *out)
{
    unsigned v = 0;
    int i;
    if (p->pos + 4 > p->len) return jerr(p, "short \\u escape");
    for (i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return jerr(p, "bad hex digit");
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xC0 | cp >> 6); o[1] = (char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 63));
        o[2] = (char)(0x80 | (cp & 63)); return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 63));
    o[2] = (char)(0x80 | ((cp >> 6) & 63)); o[3] = (char)(0x80 | (cp & 63));
    return 4;
}

/* parses a string at p->pos (which is at the opening quote) */
static char *string(jp *p, size_t *outlen)
{
    size_t start = ++p->pos, o = 0;
    char *out;
    /* decoded length never exceeds the raw length */
    while (p->pos < p->len && p->s[p->pos] != '"') {
        if (p->s[p->pos] == '\\') p->pos++;
        p->pos++;
    }
    if (p->pos >= p->len) { jerr(p, "unterminated string"); return NULL; }
    out = (char *)xcalloc(p->pos - start + 1, 1);
    p->pos = start;
    while (p->s[p->pos] != '"') {
        char c = p->s[p->pos++];
        if ((unsigned char)c < 0x20) { free(out); jerr(p, "control char in string"); return NULL; }
        if (c != '\\') { out[o++] = c; continue; }
        c = p->s[p->pos++];
        switch (c) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(p, &cp)) { free(out); return NULL; }
            if (cp >= 0xD800 && cp <= 0xDBFF && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                p->pos += 2;
                if (hex4(p, &lo)) { free(out); return NULL; }
                if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else p->pos = save;
            }
            o += put_utf8(out + o, cp);
            break;
        }
        default: free(out); jerr(p, "bad escape"); return NULL;
        }
    }
    p->pos++;
    out[o] = '\0';
    *outlen = o;
    return out;
}

static jnode *container(jp *p, int obj)
{
    jnode *n = (jnode *)xcalloc(1, sizeof *n);
    size_t cap = 4;
    n->type = obj ? J_OBJ : J_ARR;
    n->items = (jnode **)xcalloc(cap, sizeof *n->items);
    if (obj) n->keys = (char **)xcalloc(cap, sizeof *n->keys);
    p->pos++;
    ws(p);
    if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) { p->pos++; return n; }
    for (;;) {
        char *key = NULL;
        jnode *v;
        ws(p);
        if (obj) {
            size_t kl;
            if (p->pos >= p->len || p->s[p->pos] != '"') { jerr(p, "expected key"); json_free(n); return NULL; }
            key = string(p, &kl);
            if (!key) { json_free(n); return NULL; }
            ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') { free(key); jerr(p, "expected ':'"); json_free(n); return NULL; }
            p->pos++;
        }
        v = value(p);
        if (!v) { free(key); json_free(n); return NULL; }
        if (n->len == cap) {
            cap *= 2;
            n->items = (jnode **)realloc(n->items, cap * sizeof *n->items);
            if (obj) n->keys = (char **)realloc(n->keys, cap * sizeof *n->keys);
            if (!n->items || (obj && !n->keys)) { fprintf(stderr, "oom\n"); exit(2); }
        }
        n->items[n->len] = v;
        if (obj) n->keys[n->len] = key;
        n->len++;
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) { p->pos++; return n; }
        jerr(p, "expected ',' or end of container");
        json_free(n);
        return NULL;
    }
}

static jnode *value(jp *p)
{
    jnode *n;
    if (++p->depth > 64) { jerr(p, "too deep"); return NULL; }
    ws(p);
    if (p->pos >= p->len) { jerr(p, "unexpected end"); return NULL; }
    switch (p->s[p->pos]) {
    case '{': n = container(p, 1); break;
    case '[': n = container(p, 0); break;
    case '"': {
        size_t l;
        char *s = string(p, &l);
        if (!s) return NULL;
        n = (jnode *)xcalloc(1, sizeof *n);
        n->type = J_STR;
        n->str = s;
        n->len = l;
        break;
    }
    default:
        n = (jnode *)xcalloc(1, sizeof *n);
        if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0) { n->type = J_NULL; p->pos += 4; }
        else if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) { n->type = J_BOOL; n->num = 1; p->pos += 4; }
        else if (p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0) { n->type = J_BOOL; p->pos += 5; }
        else {
            char *end;
            n->type = J_NUM;
            n->num = strtod(p->s + p->pos, &end);
            if (end == p->s + p->pos) { free(n); jerr(p, "bad value"); return NULL; }
            p->pos = (size_t)(end - p->s);
        }
    }
    p->depth--;
    return n;
}

jnode *json_parse(const char *text, size_t len, char *err, size_t errcap)
{
    jp p;
    jnode *n;
    p.s = text; p.len = len; p.pos = 0; p.err = err; p.errcap = errcap; p.depth = 0;
    n = value(&p);
    if (!n) return NULL;
    ws(&p);
    if (p.pos != p.len) { jerr(&p, "trailing data"); json_free(n); return NULL; }
    return n;
}

void json_free(jnode *n)
{
    size_t i;
    if (!n) return;
    for (i = 0; i < n->len && (n->type == J_ARR || n->type == J_OBJ); i++) {
        json_free(n->items[i]);
        if (n->keys) free(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->str);
    free(n);
}

const jnode *json_get(const jnode *n, const char *key)
{
    size_t i;
    if (!n || n->type != J_OBJ) return NULL;
    for (i = 0; i < n->len; i++)
        if (strcmp(n->keys[i], key) == 0) return n->items[i];
    return NULL;
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    buf = (char *)malloc((size_t)n + 1);
    if (!buf) { fclose(f); return NULL; }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); fclose(f); return NULL; }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = (size_t)n;
    return buf;
}
