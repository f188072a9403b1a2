/*
 * lhttp_codec.h - LHTTP/1.0 frame codec (parse, serialize, multipart).
 *
 * Pure C99, no I/O, no allocation. Parsing produces views (pointer + length)
 * into the caller's buffer; the buffer must outlive the parsed frame.
 * Serialization writes into a caller-provided buffer and refuses CR/LF
 * injection through commands, header names and header values.
 *
 * Frame layout:  "LHTTP/1.0 <command>\r\n" ("name:value\r\n")* "\r\n" body
 */
#ifndef LHTTP_CODEC_H
#define LHTTP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (shared by every layer of the SDK) ------------------------- */

typedef enum lhttp_err {
    LHTTP_OK = 0,
    /* codec errors: each maps to the machine code of the TypeScript codec */
    LHTTP_ERR_NOT_LHTTP = -1,          /* not_lhttp */
    LHTTP_ERR_BAD_VERSION = -2,        /* bad_version */
    LHTTP_ERR_BAD_START_LINE = -3,     /* bad_start_line */
    LHTTP_ERR_BAD_HEADER = -4,         /* bad_header */
    LHTTP_ERR_FRAME_TOO_LARGE = -5,    /* frame_too_large */
    LHTTP_ERR_TOO_MANY_HEADERS = -6,   /* too_many_headers */
    LHTTP_ERR_HEADERS_TOO_LARGE = -7,  /* headers_too_large */
    LHTTP_ERR_INVALID_UTF8 = -8,       /* invalid_utf8 */
    LHTTP_ERR_BAD_MULTIPART = -9,      /* bad_multipart */
    /* caller errors */
    LHTTP_ERR_BUFFER_TOO_SMALL = -20,
    LHTTP_ERR_INVALID_ARG = -21,
    LHTTP_ERR_BAD_CHANNEL = -22,
    LHTTP_ERR_CAPACITY = -23,          /* a caller-provided table is full */
    /* transport errors (lhttp_ws / lhttp_client) */
    LHTTP_ERR_URL = -40,
    LHTTP_ERR_TLS_UNSUPPORTED = -41,
    LHTTP_ERR_DNS = -42,
    LHTTP_ERR_CONNECT = -43,
    LHTTP_ERR_IO = -44,
    LHTTP_ERR_TIMEOUT = -45,
    LHTTP_ERR_HANDSHAKE = -46,
    LHTTP_ERR_WS_PROTOCOL = -47,
    LHTTP_ERR_WS_TOO_LARGE = -48,
    LHTTP_ERR_WS_UTF8 = -49,
    LHTTP_ERR_CLOSED = -50,
    LHTTP_ERR_NOT_CONNECTED = -51,
    /* TLS (wss://) errors */
    LHTTP_ERR_TLS_CONFIG = -52,        /* CA bundle unreadable or invalid, TLS setup failed */
    LHTTP_ERR_TLS_HANDSHAKE = -53,     /* handshake failed: alert, peer closed, bad message */
    LHTTP_ERR_TLS_VERIFY = -54,        /* server certificate refused (CA, host name, dates) */
    LHTTP_ERR_TLS_RECORD = -55,        /* corrupt, forged or truncated record after the handshake */
    /* transport would block (lhttp_transport recv/send only, never returned by the API) */
    LHTTP_ERR_WANT_READ = -60,
    LHTTP_ERR_WANT_WRITE = -61
} lhttp_err;

/* Readable, static English description; never NULL. */
const char *lhttp_strerror(int err);
/* Machine code ("not_lhttp", "bad_header", ...) for codec errors, the same
 * strings as the TypeScript codec; a short snake_case name for the others. */
const char *lhttp_error_code(int err);

/* ---- views ------------------------------------------------------------- */

typedef struct lhttp_str {
    const char *ptr; /* not NUL-terminated */
    size_t len;
} lhttp_str;

typedef struct lhttp_header {
    lhttp_str name;  /* as written in the frame; compare with lhttp_str_ieq() */
    lhttp_str value; /* trimmed of spaces and tabs */
} lhttp_header;

/* A view of a NUL-terminated string. */
lhttp_str lhttp_cstr(const char *s);
/* ASCII case-insensitive comparison of a view with a C string. */
int lhttp_str_ieq(lhttp_str a, const char *b);
/* Exact comparison of a view with a C string. */
int lhttp_str_eq(lhttp_str a, const char *b);

/* ---- limits ------------------------------------------------------------ */

typedef struct lhttp_limits {
    size_t max_frame_bytes;  /* whole frame;                default 1 MiB */
    size_t max_headers;      /* header lines per frame/part; default 32   */
    size_t max_header_bytes; /* start line + header lines;  default 8192 */
} lhttp_limits;

#define LHTTP_DEFAULT_MAX_FRAME_BYTES (1024u * 1024u)
#define LHTTP_DEFAULT_MAX_HEADERS 32u
#define LHTTP_DEFAULT_MAX_HEADER_BYTES 8192u
#define LHTTP_MAX_COMMAND_LEN 64u
#define LHTTP_MAX_CHANNEL_LEN 128u
#define LHTTP_MAX_PARTS 64u

/* Fills *lim with the defaults above. */
void lhttp_limits_default(lhttp_limits *lim);

/* ---- parsed frame ------------------------------------------------------ */

typedef struct lhttp_frame {
    lhttp_str command;
    lhttp_header *headers;  /* caller-provided array */
    size_t header_cap;      /* its capacity */
    size_t header_count;    /* distinct names, in first-seen order */
    const uint8_t *body;    /* view into the input; never NULL after a parse */
    size_t body_len;
    int text;               /* set by the caller: 1 if it came as a text message
                             * (multipart part bodies must then be UTF-8) */
} lhttp_frame;

/* Attaches a caller-provided header array to a frame. */
void lhttp_frame_init(lhttp_frame *f, lhttp_header *headers, size_t header_cap);

/*
 * Parses one frame from buf[0..len). Views point into buf. `lim` may be NULL
 * for the defaults. The head (start line and headers) runs to the first
 * "\r\n\r\n" (or the end, less one trailing "\r\n"), must be valid UTF-8 and
 * at most max_header_bytes long; the body may be any bytes. Header names are
 * compared case-insensitively (ASCII); a repeated name keeps its first
 * position and takes the last value. Checks run in the TypeScript codec's
 * order, so both report the same error code.
 * More header lines than lim->max_headers give LHTTP_ERR_TOO_MANY_HEADERS;
 * more distinct names than f->header_cap give LHTTP_ERR_CAPACITY. Returns LHTTP_OK or a negative lhttp_err; on
 * error *f's contents are unspecified (but safe to read).
 */
int lhttp_parse(const void *buf, size_t len, const lhttp_limits *lim, lhttp_frame *f);

/* Case-insensitive header lookup; returns NULL if absent. */
const lhttp_str *lhttp_frame_header(const lhttp_frame *f, const char *name);

/* ---- multipart --------------------------------------------------------- */

typedef struct lhttp_part {
    lhttp_header *headers; /* slice of the pool passed to lhttp_multipart_split */
    size_t header_count;
    const uint8_t *body;
    size_t body_len;
} lhttp_part;

/*
 * Splits a frame body according to its `multipart` header value (1..64
 * decimal byte offsets of at most 10 digits, strictly increasing, each <=
 * body_len). A part starting with "\r\n" has no headers; otherwise its
 * headers run to the first blank line. If f->text is set, part bodies must be
 * UTF-8 (as for a text message). Part headers are stored in the caller's
 * pool; each part gets a slice of it. Returns LHTTP_OK (with
 * *nparts set), LHTTP_ERR_INVALID_ARG if the frame has no multipart header,
 * LHTTP_ERR_CAPACITY if parts/pool are too small, or LHTTP_ERR_BAD_MULTIPART.
 */
int lhttp_multipart_split(const lhttp_frame *f, const lhttp_limits *lim,
                          lhttp_part *parts, size_t part_cap,
                          lhttp_header *pool, size_t pool_cap, size_t *nparts);

/*
 * Builds a multipart body from parts (their headers and bodies are read; the
 * header arrays need not be views of a parsed frame). Writes the body into
 * body_out and the header value ("0 14 ...") as a NUL-terminated string into
 * offsets_out. On LHTTP_ERR_BUFFER_TOO_SMALL, *body_len holds the body size
 * needed. Header names/values are checked as by lhttp_serialize.
 */
int lhttp_multipart_build(const lhttp_part *parts, size_t nparts,
                          uint8_t *body_out, size_t body_cap, size_t *body_len,
                          char *offsets_out, size_t offsets_cap);

/* ---- serialization ----------------------------------------------------- */

/*
 * Incremental writer: begin with a command, add headers, end with a body.
 * The first error sticks and is returned by lhttp_writer_end().
 */
typedef struct lhttp_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;    /* bytes written (or needed, when err is BUFFER_TOO_SMALL) */
    int err;
    size_t headers;
} lhttp_writer;

void lhttp_writer_begin(lhttp_writer *w, void *buf, size_t cap, lhttp_str command);
void lhttp_writer_header(lhttp_writer *w, lhttp_str name, lhttp_str value);
/* Convenience: NUL-terminated strings. */
void lhttp_writer_header_c(lhttp_writer *w, const char *name, const char *value);
/* Appends the empty line and the body; *out_len = frame size (or the size
 * needed when the result is LHTTP_ERR_BUFFER_TOO_SMALL). */
int lhttp_writer_end(lhttp_writer *w, const void *body, size_t body_len, size_t *out_len);

/* One-shot serialization of a whole frame into out. */
int lhttp_serialize(lhttp_str command, const lhttp_header *headers, size_t nheaders,
                    const void *body, size_t body_len,
                    void *out, size_t cap, size_t *out_len);

/* ---- validation helpers ------------------------------------------------ */

/* 1 if s is a valid command: UTF-8, 1..64 UTF-16 units, no whitespace
 * (JavaScript's \\s) or control characters. */
int lhttp_valid_command(lhttp_str s);
/* 1 if s is a valid header name: UTF-8, non-empty, no whitespace, control
 * characters or colon. */
int lhttp_valid_header_name(lhttp_str s);
/* 1 if s is a valid channel name (1..128 of [A-Za-z0-9_.:@/=+~-]). */
int lhttp_valid_channel(lhttp_str s);
/* 1 if buf[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int lhttp_valid_utf8(const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* LHTTP_CODEC_H */
