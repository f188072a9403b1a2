/* lhttp_codec.c - LHTTP/1.0 codec. See lhttp_codec.h. */
#include "lhttp_codec.h"

#include <string.h>

/* ---- errors ------------------------------------------------------------ */

const char *lhttp_strerror(int err)
{
    switch (err) {
    case LHTTP_OK: return "success";
    case LHTTP_ERR_NOT_LHTTP: return "not an LHTTP frame (start line must begin with LHTTP/)";
    case LHTTP_ERR_BAD_VERSION: return "unsupported LHTTP version (only 1.0)";
    case LHTTP_ERR_BAD_START_LINE: return "malformed start line or command";
    case LHTTP_ERR_BAD_HEADER: return "malformed header line";
    case LHTTP_ERR_FRAME_TOO_LARGE: return "frame exceeds the maximum frame size";
    case LHTTP_ERR_TOO_MANY_HEADERS: return "too many headers";
    case LHTTP_ERR_HEADERS_TOO_LARGE: return "header section exceeds the maximum size";
    case LHTTP_ERR_INVALID_UTF8: return "frame head is not valid UTF-8";
    case LHTTP_ERR_BAD_MULTIPART: return "malformed multipart header or part";
    case LHTTP_ERR_BUFFER_TOO_SMALL: return "caller-provided buffer too small";
    case LHTTP_ERR_INVALID_ARG: return "invalid argument";
    case LHTTP_ERR_BAD_CHANNEL: return "invalid channel name";
    case LHTTP_ERR_CAPACITY: return "caller-provided table is full";
    case LHTTP_ERR_URL: return "invalid URL (expected ws[s]://host[:port][/path])";
    case LHTTP_ERR_TLS_UNSUPPORTED: return "wss:// needs a TLS transport (build with TLS=mbedtls or plug one in)";
    case LHTTP_ERR_DNS: return "host name resolution failed";
    case LHTTP_ERR_CONNECT: return "TCP connection failed";
    case LHTTP_ERR_IO: return "socket I/O error";
    case LHTTP_ERR_TIMEOUT: return "timed out";
    case LHTTP_ERR_HANDSHAKE: return "WebSocket handshake failed";
    case LHTTP_ERR_WS_PROTOCOL: return "WebSocket protocol violation by the peer";
    case LHTTP_ERR_WS_TOO_LARGE: return "WebSocket message larger than the receive buffer";
    case LHTTP_ERR_WS_UTF8: return "WebSocket text message is not valid UTF-8";
    case LHTTP_ERR_CLOSED: return "connection closed";
    case LHTTP_ERR_NOT_CONNECTED: return "not connected";
    case LHTTP_ERR_TLS_CONFIG: return "TLS setup failed (CA bundle unreadable or invalid?)";
    case LHTTP_ERR_TLS_HANDSHAKE: return "TLS handshake failed";
    case LHTTP_ERR_TLS_VERIFY: return "TLS server certificate refused (untrusted, wrong host name or expired)";
    case LHTTP_ERR_TLS_RECORD: return "TLS record corrupt or truncated";
    case LHTTP_ERR_WANT_READ: return "transport would block (read)";
    case LHTTP_ERR_WANT_WRITE: return "transport would block (write)";
    default: return "unknown error";
    }
}

const char *lhttp_error_code(int err)
{
    switch (err) {
    case LHTTP_OK: return "ok";
    case LHTTP_ERR_NOT_LHTTP: return "not_lhttp";
    case LHTTP_ERR_BAD_VERSION: return "bad_version";
    case LHTTP_ERR_BAD_START_LINE: return "bad_start_line";
    case LHTTP_ERR_BAD_HEADER: return "bad_header";
    case LHTTP_ERR_FRAME_TOO_LARGE: return "frame_too_large";
    case LHTTP_ERR_TOO_MANY_HEADERS: return "too_many_headers";
    case LHTTP_ERR_HEADERS_TOO_LARGE: return "headers_too_large";
    case LHTTP_ERR_INVALID_UTF8: return "invalid_utf8";
    case LHTTP_ERR_BAD_MULTIPART: return "bad_multipart";
    case LHTTP_ERR_BUFFER_TOO_SMALL: return "buffer_too_small";
    case LHTTP_ERR_INVALID_ARG: return "invalid_arg";
    case LHTTP_ERR_BAD_CHANNEL: return "bad_channel";
    case LHTTP_ERR_CAPACITY: return "capacity";
    case LHTTP_ERR_URL: return "bad_url";
    case LHTTP_ERR_TLS_UNSUPPORTED: return "tls_unsupported";
    case LHTTP_ERR_DNS: return "dns";
    case LHTTP_ERR_CONNECT: return "connect";
    case LHTTP_ERR_IO: return "io";
    case LHTTP_ERR_TIMEOUT: return "timeout";
    case LHTTP_ERR_HANDSHAKE: return "handshake";
    case LHTTP_ERR_WS_PROTOCOL: return "ws_protocol";
    case LHTTP_ERR_WS_TOO_LARGE: return "ws_too_large";
    case LHTTP_ERR_WS_UTF8: return "ws_utf8";
    case LHTTP_ERR_CLOSED: return "closed";
    case LHTTP_ERR_NOT_CONNECTED: return "not_connected";
    case LHTTP_ERR_TLS_CONFIG: return "tls_config";
    case LHTTP_ERR_TLS_HANDSHAKE: return "tls_handshake";
    case LHTTP_ERR_TLS_VERIFY: return "tls_verify";
    case LHTTP_ERR_TLS_RECORD: return "tls_record";
    case LHTTP_ERR_WANT_READ: return "want_read";
    case LHTTP_ERR_WANT_WRITE: return "want_write";
    default: return "unknown";
    }
}

/* ---- small helpers ----------------------------------------------------- */

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static int is_sp_tab(unsigned char c)
{
    return c == ' ' || c == '\t';
}

lhttp_str lhttp_cstr(const char *s)
{
    lhttp_str r;
    r.ptr = s ? s : "";
    r.len = s ? strlen(s) : 0;
    return r;
}

static int view_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i;
    if (alen != blen) return 0;
    for (i = 0; i < alen; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

int lhttp_str_ieq(lhttp_str a, const char *b)
{
    return b != NULL && view_ieq(a.ptr, a.len, b, strlen(b));
}

int lhttp_str_eq(lhttp_str a, const char *b)
{
    size_t n;
    if (b == NULL) return 0;
    n = strlen(b);
    return n == a.len && (n == 0 || memcmp(a.ptr, b, n) == 0);
}

void lhttp_limits_default(lhttp_limits *lim)
{
    lim->max_frame_bytes = LHTTP_DEFAULT_MAX_FRAME_BYTES;
    lim->max_headers = LHTTP_DEFAULT_MAX_HEADERS;
    lim->max_header_bytes = LHTTP_DEFAULT_MAX_HEADER_BYTES;
}

static const lhttp_limits *limits_or_default(const lhttp_limits *lim, lhttp_limits *tmp)
{
    if (lim) return lim;
    lhttp_limits_default(tmp);
    return tmp;
}

int lhttp_valid_utf8(const void *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) {
            if (i + 1 >= len || (s[i + 1] & 0xC0) != 0x80) return 0;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            unsigned char lo = 0x80, hi = 0xBF;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F; /* no surrogates */
            if (i + 2 >= len || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xC0) != 0x80)
                return 0;
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            unsigned char lo = 0x80, hi = 0xBF;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
            if (i + 3 >= len || s[i + 1] < lo || s[i + 1] > hi ||
                (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80)
                return 0;
            i += 4;
        } else {
            return 0;
        }
    }
    return 1;
}

/* Decodes one code point from valid-or-not UTF-8; returns its length, 0 if invalid. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t n;
    if (len == 0) return 0;
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) n = 4;
    else return 0;
    if (n > len || !lhttp_valid_utf8(s, n)) return 0;
    if (n == 2) *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    else if (n == 3) *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    else *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
               (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    return n;
}

/* JavaScript's \s plus the C0 controls and DEL: what the TypeScript codec's
 * token patterns exclude. */
static int js_space_or_ctl(uint32_t c)
{
    if (c <= 0x20 || c == 0x7f) return 1;
    return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Token check: valid UTF-8, no (Unicode) whitespace or control characters,
 * optionally no colon, 1..max UTF-16 code units (max 0: unbounded). */
static int valid_token(const char *p, size_t len, size_t max_units, int no_colon)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, units = 0;
    if (len == 0 || p == NULL) return 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_next(s + i, len - i, &cp);
        if (n == 0 || js_space_or_ctl(cp) || (no_colon && cp == ':')) return 0;
        units += cp >= 0x10000 ? 2 : 1;
        if (max_units && units > max_units) return 0;
        i += n;
    }
    return 1;
}

int lhttp_valid_command(lhttp_str s)
{
    return valid_token(s.ptr, s.len, LHTTP_MAX_COMMAND_LEN, 0);
}

int lhttp_valid_header_name(lhttp_str s)
{
    return valid_token(s.ptr, s.len, 0, 1);
}

int lhttp_valid_channel(lhttp_str s)
{
    size_t i;
    if (s.len == 0 || s.len > LHTTP_MAX_CHANNEL_LEN || s.ptr == NULL) return 0;
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.ptr[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            continue;
        if (strchr("_.:@/=+~-", c) != NULL && c != 0) continue;
        return 0;
    }
    return 1;
}

/* Finds "\r\n" in s[from..len); returns its index or len if absent. */
static size_t find_crlf(const unsigned char *s, size_t from, size_t len)
{
    size_t i = from;
    while (i + 1 < len) {
        const unsigned char *p = (const unsigned char *)memchr(s + i, '\r', len - i - 1);
        if (p == NULL) return len;
        i = (size_t)(p - s);
        if (s[i + 1] == '\n') return i;
        i++;
    }
    return len;
}

/* Index of the first "\r\n\r\n" in s[0..len), or len. */
static size_t find_blank_line(const unsigned char *s, size_t len)
{
    size_t i;
    for (i = find_crlf(s, 0, len); i < len; i = find_crlf(s, i + 2, len))
        if (i + 3 < len && s[i + 2] == '\r' && s[i + 3] == '\n') return i;
    return len;
}

/*
 * Parses the header lines s[pos..end) (CRLF-separated, no trailing CRLF, end >
 * pos). Like the TypeScript codec: the line count is checked first, then
 * each line: a colon, no bare CR/LF, a valid trimmed name; the value is
 * trimmed of spaces and tabs. Distinct names go to hdrs (first position, last
 * value). Errors: `bad` (bad_header or bad_multipart), `many`
 * (too_many_headers or bad_multipart), or LHTTP_ERR_CAPACITY when hdrs is full.
 */
static int parse_header_lines(const unsigned char *s, size_t pos, size_t end, size_t max_headers,
                              lhttp_header *hdrs, size_t cap, size_t *count, int bad, int many)
{
    size_t lines = 1, n = 0, i;
    for (i = find_crlf(s, pos, end); i < end; i = find_crlf(s, i + 2, end)) lines++;
    if (lines > max_headers) return many;
    for (;;) {
        size_t eol = find_crlf(s, pos, end), colon = eol, ns, ne, vs, ve, k;
        for (i = pos; i < eol; i++) {
            if (s[i] == ':') { colon = i; break; }
        }
        if (colon == eol) return bad;
        for (i = pos; i < eol; i++)
            if (s[i] == '\r' || s[i] == '\n') return bad;
        ns = pos; ne = colon;
        while (ns < ne && is_sp_tab(s[ns])) ns++;
        while (ne > ns && is_sp_tab(s[ne - 1])) ne--;
        if (!valid_token((const char *)s + ns, ne - ns, 0, 1)) return bad;
        vs = colon + 1; ve = eol;
        while (vs < ve && is_sp_tab(s[vs])) vs++;
        while (ve > vs && is_sp_tab(s[ve - 1])) ve--;
        for (k = 0; k < n; k++)
            if (view_ieq(hdrs[k].name.ptr, hdrs[k].name.len, (const char *)s + ns, ne - ns)) break;
        if (k == n) {
            if (n >= cap) return LHTTP_ERR_CAPACITY;
            hdrs[n].name.ptr = (const char *)s + ns;
            hdrs[n].name.len = ne - ns;
            n++;
        }
        hdrs[k].value.ptr = (const char *)s + vs;
        hdrs[k].value.len = ve - vs;
        *count = n;
        if (eol >= end) break;
        pos = eol + 2;
    }
    return LHTTP_OK;
}

void lhttp_frame_init(lhttp_frame *f, lhttp_header *headers, size_t header_cap)
{
    f->command.ptr = "";
    f->command.len = 0;
    f->headers = headers;
    f->header_cap = headers ? header_cap : 0;
    f->header_count = 0;
    f->body = (const uint8_t *)"";
    f->body_len = 0;
    f->text = 0;
}

/* The order of checks follows the TypeScript codec, so that both report the
 * same error code for the same input. */
int lhttp_parse(const void *buf, size_t len, const lhttp_limits *lim_in, lhttp_frame *f)
{
    const unsigned char *s = (const unsigned char *)buf;
    lhttp_limits tmp;
    const lhttp_limits *lim = limits_or_default(lim_in, &tmp);
    size_t blank, head, body_start, eol, space, vstart = 6, count = 0;
    int rc;

    if (f == NULL || (buf == NULL && len != 0)) return LHTTP_ERR_INVALID_ARG;
    f->command.ptr = "";
    f->command.len = 0;
    f->header_count = 0;
    f->body = (const uint8_t *)"";
    f->body_len = 0;
    if (len > lim->max_frame_bytes) return LHTTP_ERR_FRAME_TOO_LARGE;
    blank = find_blank_line(s, len);
    head = blank;
    body_start = blank < len ? blank + 4 : len;
    if (head > lim->max_header_bytes + 2) return LHTTP_ERR_HEADERS_TOO_LARGE;
    if (!lhttp_valid_utf8(s, head)) return LHTTP_ERR_INVALID_UTF8;
    if (blank == len && head >= 2 && s[head - 2] == '\r' && s[head - 1] == '\n') head -= 2;
    if (head < 6 || memcmp(s, "LHTTP/", 6) != 0) return LHTTP_ERR_NOT_LHTTP;
    if (head > lim->max_header_bytes) return LHTTP_ERR_HEADERS_TOO_LARGE;

    eol = find_crlf(s, 0, head);
    space = vstart;
    while (space < eol && s[space] != ' ') space++;
    if (space - vstart != 3 || memcmp(s + vstart, "1.0", 3) != 0) return LHTTP_ERR_BAD_VERSION;
    if (space < eol) {
        f->command.ptr = (const char *)s + space + 1;
        f->command.len = eol - (space + 1);
    }
    if (!lhttp_valid_command(f->command)) return LHTTP_ERR_BAD_START_LINE;
    if (eol < head) {
        rc = parse_header_lines(s, eol + 2, head, lim->max_headers, f->headers, f->header_cap,
                                &count, LHTTP_ERR_BAD_HEADER, LHTTP_ERR_TOO_MANY_HEADERS);
        f->header_count = count;
        if (rc != LHTTP_OK) return rc;
    }
    f->body = s + body_start;
    f->body_len = len - body_start;
    return LHTTP_OK;
}

const lhttp_str *lhttp_frame_header(const lhttp_frame *f, const char *name)
{
    size_t i, n;
    if (f == NULL || name == NULL) return NULL;
    n = strlen(name);
    for (i = 0; i < f->header_count; i++)
        if (view_ieq(f->headers[i].name.ptr, f->headers[i].name.len, name, n))
            return &f->headers[i].value;
    return NULL;
}

/* ---- multipart --------------------------------------------------------- */

/* Reads the next offset (1..10 decimal digits) from v[*pos..len);
 * 0 = no more, 1 = got one, -1 = malformed. */
static int next_offset(const char *v, size_t len, size_t *pos, size_t *out)
{
    size_t p = *pos, digits = 0;
    uint64_t val = 0;
    while (p < len && is_sp_tab((unsigned char)v[p])) p++;
    if (p >= len) { *pos = p; return 0; }
    while (p < len && !is_sp_tab((unsigned char)v[p])) {
        unsigned char c = (unsigned char)v[p];
        if (c < '0' || c > '9' || ++digits > 10) return -1;
        val = val * 10u + (uint64_t)(c - '0');
        p++;
    }
    *pos = p;
    *out = val > (uint64_t)(size_t)-1 ? (size_t)-1 : (size_t)val;
    return 1;
}

/*
 * A part: if it starts with "\r\n" it has no headers and the rest is its
 * body; otherwise its headers run to the first blank line ("\r\n\r\n"), or
 * to the end (lenient, empty body). Same rules as the TypeScript codec.
 */
static int parse_part(const unsigned char *ps, size_t plen, const lhttp_limits *lim, int text,
                      lhttp_header *hdrs, size_t cap, size_t *count, size_t *body_start)
{
    size_t head_end, blank;
    *count = 0;
    if (plen >= 2 && ps[0] == '\r' && ps[1] == '\n') {
        head_end = 0;
        *body_start = 2;
    } else {
        blank = find_blank_line(ps, plen);
        head_end = blank;
        *body_start = blank < plen ? blank + 4 : plen;
    }
    if (!lhttp_valid_utf8(ps, head_end)) return LHTTP_ERR_BAD_MULTIPART;
    if (text && !lhttp_valid_utf8(ps + *body_start, plen - *body_start)) return LHTTP_ERR_BAD_MULTIPART;
    if (head_end >= 2 && ps[head_end - 2] == '\r' && ps[head_end - 1] == '\n') head_end -= 2;
    if (head_end == 0) return LHTTP_OK;
    return parse_header_lines(ps, 0, head_end, lim->max_headers, hdrs, cap, count,
                              LHTTP_ERR_BAD_MULTIPART, LHTTP_ERR_BAD_MULTIPART);
}

int lhttp_multipart_split(const lhttp_frame *f, const lhttp_limits *lim_in,
                          lhttp_part *parts, size_t part_cap,
                          lhttp_header *pool, size_t pool_cap, size_t *nparts)
{
    lhttp_limits tmp;
    const lhttp_limits *lim = limits_or_default(lim_in, &tmp);
    const lhttp_str *mp;
    size_t pos = 0, off = 0, prev = 0, n = 0, used = 0, fields = 0, p2;
    int r, have_prev = 0;

    if (nparts) *nparts = 0;
    if (f == NULL || nparts == NULL || (parts == NULL && part_cap)) return LHTTP_ERR_INVALID_ARG;
    mp = lhttp_frame_header(f, "multipart");
    if (mp == NULL) return LHTTP_ERR_INVALID_ARG;

    /* validate every offset first, as the TypeScript codec does */
    while ((r = next_offset(mp->ptr, mp->len, &pos, &off)) == 1) {
        if ((have_prev && off <= prev) || off > f->body_len) return LHTTP_ERR_BAD_MULTIPART;
        prev = off;
        have_prev = 1;
        fields++;
    }
    if (r < 0 || fields == 0 || fields > LHTTP_MAX_PARTS) return LHTTP_ERR_BAD_MULTIPART;

    pos = 0;
    while (next_offset(mp->ptr, mp->len, &pos, &off) == 1) {
        size_t end = f->body_len, nxt, count = 0, bstart = 0;
        int rc;
        p2 = pos;
        if (next_offset(mp->ptr, mp->len, &p2, &nxt) == 1) end = nxt;
        if (n >= part_cap) return LHTTP_ERR_CAPACITY;
        rc = parse_part(f->body + off, end - off, lim, f->text, pool ? pool + used : NULL,
                        pool ? pool_cap - used : 0, &count, &bstart);
        if (rc != LHTTP_OK) return rc;
        parts[n].headers = pool ? pool + used : NULL;
        parts[n].header_count = count;
        parts[n].body = f->body + off + bstart;
        parts[n].body_len = end - off - bstart;
        used += count;
        n++;
    }
    *nparts = n;
    return LHTTP_OK;
}

/* ---- serialization ----------------------------------------------------- */

static void w_put(lhttp_writer *w, const void *p, size_t n)
{
    if (w->err != LHTTP_OK && w->err != LHTTP_ERR_BUFFER_TOO_SMALL) return;
    if (n == 0) return;
    if (w->len + n < w->len) { w->err = LHTTP_ERR_INVALID_ARG; return; }
    if (w->buf != NULL && w->len + n <= w->cap) {
        memcpy(w->buf + w->len, p, n);
    } else {
        w->err = LHTTP_ERR_BUFFER_TOO_SMALL; /* keep counting the size needed */
    }
    w->len += n;
}

static int fail(lhttp_writer *w, int err)
{
    if (w->err == LHTTP_OK || w->err == LHTTP_ERR_BUFFER_TOO_SMALL) w->err = err;
    return err;
}

void lhttp_writer_begin(lhttp_writer *w, void *buf, size_t cap, lhttp_str command)
{
    w->buf = (uint8_t *)buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = LHTTP_OK;
    w->headers = 0;
    if (!lhttp_valid_command(command)) { fail(w, LHTTP_ERR_BAD_START_LINE); return; }
    w_put(w, "LHTTP/1.0 ", 10);
    w_put(w, command.ptr, command.len);
    w_put(w, "\r\n", 2);
}

static int valid_value(lhttp_str v)
{
    size_t i;
    if (v.ptr == NULL && v.len) return 0;
    if (!lhttp_valid_utf8(v.ptr, v.len)) return 0;
    for (i = 0; i < v.len; i++)
        if (v.ptr[i] == '\r' || v.ptr[i] == '\n') return 0;
    return 1;
}

void lhttp_writer_header(lhttp_writer *w, lhttp_str name, lhttp_str value)
{
    if (!lhttp_valid_header_name(name) || !valid_value(value)) {
        fail(w, LHTTP_ERR_BAD_HEADER);
        return;
    }
    w->headers++;
    w_put(w, name.ptr, name.len);
    w_put(w, ":", 1);
    w_put(w, value.ptr, value.len);
    w_put(w, "\r\n", 2);
}

void lhttp_writer_header_c(lhttp_writer *w, const char *name, const char *value)
{
    if (name == NULL || value == NULL) { fail(w, LHTTP_ERR_INVALID_ARG); return; }
    lhttp_writer_header(w, lhttp_cstr(name), lhttp_cstr(value));
}

int lhttp_writer_end(lhttp_writer *w, const void *body, size_t body_len, size_t *out_len)
{
    if (body == NULL && body_len) fail(w, LHTTP_ERR_INVALID_ARG);
    w_put(w, "\r\n", 2);
    w_put(w, body, body_len);
    if (out_len) *out_len = w->len;
    return w->err;
}

int lhttp_serialize(lhttp_str command, const lhttp_header *headers, size_t nheaders,
                    const void *body, size_t body_len,
                    void *out, size_t cap, size_t *out_len)
{
    lhttp_writer w;
    size_t i;
    if (headers == NULL && nheaders) return LHTTP_ERR_INVALID_ARG;
    lhttp_writer_begin(&w, out, cap, command);
    for (i = 0; i < nheaders; i++) lhttp_writer_header(&w, headers[i].name, headers[i].value);
    return lhttp_writer_end(&w, body, body_len, out_len);
}

int lhttp_multipart_build(const lhttp_part *parts, size_t nparts,
                          uint8_t *body_out, size_t body_cap, size_t *body_len,
                          char *offsets_out, size_t offsets_cap)
{
    lhttp_writer w;
    size_t i, j, olen = 0;
    int small = 0;
    if (body_len) *body_len = 0;
    if ((parts == NULL && nparts) || nparts == 0 || offsets_out == NULL || offsets_cap == 0)
        return LHTTP_ERR_INVALID_ARG;
    w.buf = body_out;
    w.cap = body_out ? body_cap : 0;
    w.len = 0;
    w.err = LHTTP_OK;
    w.headers = 0;
    offsets_out[0] = '\0';
    for (i = 0; i < nparts; i++) {
        char num[24];
        size_t v = w.len, k = sizeof num;
        num[--k] = '\0';
        do { num[--k] = (char)('0' + v % 10); v /= 10; } while (v);
        if (olen + (i ? 1 : 0) + (sizeof num - 1 - k) + 1 > offsets_cap) {
            small = 1;
        } else {
            if (i) offsets_out[olen++] = ' ';
            memcpy(offsets_out + olen, num + k, sizeof num - 1 - k);
            olen += sizeof num - 1 - k;
            offsets_out[olen] = '\0';
        }
        if (parts[i].headers == NULL && parts[i].header_count) return LHTTP_ERR_INVALID_ARG;
        for (j = 0; j < parts[i].header_count; j++)
            lhttp_writer_header(&w, parts[i].headers[j].name, parts[i].headers[j].value);
        if (parts[i].body == NULL && parts[i].body_len) return LHTTP_ERR_INVALID_ARG;
        w_put(&w, "\r\n", 2);
        w_put(&w, parts[i].body, parts[i].body_len);
        if (w.err != LHTTP_OK && w.err != LHTTP_ERR_BUFFER_TOO_SMALL) return w.err;
    }
    if (body_len) *body_len = w.len;
    if (w.err != LHTTP_OK) return w.err;
    return small ? LHTTP_ERR_BUFFER_TOO_SMALL : LHTTP_OK;
}
