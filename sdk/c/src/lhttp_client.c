/* lhttp_client.c - LHTTP client API. See lhttp_client.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "lhttp_client.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

void lhttp_client_config_default(lhttp_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    lhttp_limits_default(&cfg->limits);
    cfg->connect_timeout_ms = 5000;
    cfg->send_timeout_ms = 10000;
    cfg->reconnect = 1;
    cfg->backoff_initial_ms = 500;
    cfg->backoff_max_ms = 30000;
}

int lhttp_client_init(lhttp_client *c, const lhttp_client_config *cfg)
{
    lhttp_url u;
    int rc;
    if (c == NULL || cfg == NULL) return LHTTP_ERR_INVALID_ARG;
    memset(c, 0, sizeof *c);
    if (cfg->url == NULL || cfg->tx_buf == NULL || cfg->tx_cap < 64 || cfg->headers == NULL ||
        cfg->header_cap == 0 || cfg->channels == NULL || cfg->channels_cap == 0)
        return LHTTP_ERR_INVALID_ARG;
    rc = lhttp_url_parse(cfg->url, &u);
    if (rc != LHTTP_OK) return rc;
    if (u.secure && cfg->tls == NULL) return LHTTP_ERR_TLS_UNSUPPORTED;
    rc = lhttp_ws_init(&c->ws, cfg->rx_buf, cfg->rx_cap);
    if (rc != LHTTP_OK) return rc;
    rc = lhttp_ws_set_tls(&c->ws, cfg->tls, cfg->tls_ctx);
    if (rc != LHTTP_OK) return rc;
    c->cfg = *cfg;
    if (c->cfg.limits.max_frame_bytes == 0) lhttp_limits_default(&c->cfg.limits);
    if (c->cfg.backoff_initial_ms <= 0) c->cfg.backoff_initial_ms = 500;
    if (c->cfg.backoff_max_ms < c->cfg.backoff_initial_ms) c->cfg.backoff_max_ms = c->cfg.backoff_initial_ms;
    if (c->cfg.send_timeout_ms > 0) c->ws.send_timeout_ms = c->cfg.send_timeout_ms;
    c->cfg.channels[0] = '\0';
    if (c->cfg.positions == NULL) c->cfg.positions_cap = 0;
    if (c->cfg.positions_cap) memset(c->cfg.positions, 0, c->cfg.positions_cap * sizeof *c->cfg.positions);
    c->backoff_ms = c->cfg.backoff_initial_ms;
    return LHTTP_OK;
}

int lhttp_client_on(lhttp_client *c, const char *command, lhttp_frame_cb cb, void *user)
{
    size_t i;
    if (c == NULL || command == NULL || cb == NULL || !lhttp_valid_command(lhttp_cstr(command)))
        return LHTTP_ERR_INVALID_ARG;
    for (i = 0; i < c->nhandlers; i++) {
        if (strcmp(c->handlers[i].command, command) == 0) {
            c->handlers[i].cb = cb;
            c->handlers[i].user = user;
            return LHTTP_OK;
        }
    }
    if (c->nhandlers >= LHTTP_CLIENT_MAX_HANDLERS) return LHTTP_ERR_CAPACITY;
    c->handlers[c->nhandlers].command = command;
    c->handlers[c->nhandlers].cb = cb;
    c->handlers[c->nhandlers].user = user;
    c->nhandlers++;
    return LHTTP_OK;
}

int lhttp_client_is_connected(const lhttp_client *c)
{
    return c != NULL && c->connected;
}

static lhttp_position *pos_find(const lhttp_client *c, lhttp_str ch);

const lhttp_position *lhttp_client_position(const lhttp_client *c, const char *channel)
{
    return c && channel ? pos_find(c, lhttp_cstr(channel)) : NULL;
}

const char *lhttp_client_channels(const lhttp_client *c)
{
    return c ? c->cfg.channels : "";
}

/* ---- channel set --------------------------------------------------------- */

/* Iterates space/tab separated tokens of v[0..n). */
static int next_token(const char *v, size_t n, size_t *pos, lhttp_str *tok)
{
    size_t p = *pos, s;
    while (p < n && (v[p] == ' ' || v[p] == '\t')) p++;
    if (p >= n) { *pos = p; return 0; }
    s = p;
    while (p < n && v[p] != ' ' && v[p] != '\t') p++;
    tok->ptr = v + s;
    tok->len = p - s;
    *pos = p;
    return 1;
}

static int channel_list_valid(lhttp_str list)
{
    size_t pos = 0, n = 0;
    lhttp_str t;
    while (next_token(list.ptr, list.len, &pos, &t)) {
        if (!lhttp_valid_channel(t)) return 0;
        n++;
    }
    return n > 0;
}

static int set_find(const lhttp_client *c, lhttp_str ch, size_t *at)
{
    size_t pos = 0;
    lhttp_str t;
    while (next_token(c->cfg.channels, c->channels_len, &pos, &t)) {
        if (t.len == ch.len && memcmp(t.ptr, ch.ptr, ch.len) == 0) {
            if (at) *at = (size_t)(t.ptr - c->cfg.channels);
            return 1;
        }
    }
    return 0;
}

static int set_add(lhttp_client *c, lhttp_str list)
{
    size_t pos = 0, need = c->channels_len;
    lhttp_str t;
    /* check the space first so that the update is all-or-nothing */
    while (next_token(list.ptr, list.len, &pos, &t))
        if (!set_find(c, t, NULL)) need += t.len + 1;
    if (need + 1 > c->cfg.channels_cap) return LHTTP_ERR_CAPACITY;
    pos = 0;
    while (next_token(list.ptr, list.len, &pos, &t)) {
        if (set_find(c, t, NULL)) continue;
        if (c->channels_len) c->cfg.channels[c->channels_len++] = ' ';
        memcpy(c->cfg.channels + c->channels_len, t.ptr, t.len);
        c->channels_len += t.len;
        c->cfg.channels[c->channels_len] = '\0';
    }
    return LHTTP_OK;
}

static void set_remove(lhttp_client *c, lhttp_str list)
{
    size_t pos = 0, at;
    lhttp_str t;
    while (next_token(list.ptr, list.len, &pos, &t)) {
        char *s = c->cfg.channels;
        if (!set_find(c, t, &at)) continue;
        {
            size_t end = at + t.len;
            if (end < c->channels_len) end++;          /* eat the following space */
            else if (at > 0) at--;                      /* last one: eat the preceding space */
            memmove(s + at, s + end, c->channels_len - end);
            c->channels_len -= end - at;
            s[c->channels_len] = '\0';
        }
    }
}

/* ---- positions (PROTOCOL.md section 13) ----------------------------------- */

static int pos_is(const lhttp_position *p, lhttp_str ch)
{
    return p->channel[0] && strlen(p->channel) == ch.len && memcmp(p->channel, ch.ptr, ch.len) == 0;
}

static lhttp_position *pos_find(const lhttp_client *c, lhttp_str ch)
{
    size_t i;
    for (i = 0; i < c->cfg.positions_cap; i++)
        if (pos_is(&c->cfg.positions[i], ch)) return &c->cfg.positions[i];
    return NULL;
}

/* The slot of ch, or a free one (named ch); NULL when full. */
static lhttp_position *pos_slot(lhttp_client *c, lhttp_str ch)
{
    size_t i;
    lhttp_position *p = pos_find(c, ch);
    if (p != NULL || ch.len > LHTTP_MAX_CHANNEL_LEN) return p;
    for (i = 0; i < c->cfg.positions_cap; i++) {
        p = &c->cfg.positions[i];
        if (p->channel[0] == '\0') {
            memcpy(p->channel, ch.ptr, ch.len);
            p->channel[ch.len] = '\0';
            return p;
        }
    }
    return NULL;
}

static void pos_forget(lhttp_client *c, lhttp_str list)
{
    size_t pos = 0;
    lhttp_str t;
    lhttp_position *p;
    while (next_token(list.ptr, list.len, &pos, &t))
        if ((p = pos_find(c, t)) != NULL) memset(p, 0, sizeof *p);
}

/* An offset: 1-16 decimal digits, at most 2^53 - 1. */
static int parse_offset(const lhttp_str *s, uint64_t *out)
{
    size_t i;
    uint64_t v = 0;
    if (s == NULL || s->len == 0 || s->len > 16) return 0;
    for (i = 0; i < s->len; i++) {
        if (s->ptr[i] < '0' || s->ptr[i] > '9') return 0;
        v = v * 10u + (uint64_t)(s->ptr[i] - '0');
    }
    if (v > 9007199254740991ull) return 0;
    *out = v;
    return 1;
}

static int valid_epoch(const lhttp_str *e)
{
    size_t i;
    if (e == NULL || e->len == 0 || e->len > LHTTP_EPOCH_MAX) return 0;
    for (i = 0; i < e->len; i++) {
        char ch = e->ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

static int epoch_is(const lhttp_position *p, lhttp_str e)
{
    return strlen(p->epoch) == e.len && memcmp(p->epoch, e.ptr, e.len) == 0;
}

/* Appends the recover entry of ch to rec[*n..cap): "ch,offset,epoch" when a
 * position is held (and marks it recovering), else "ch". 0 if it does not fit. */
static int recover_entry(lhttp_client *c, lhttp_str ch, char *rec, size_t cap, size_t *n)
{
    lhttp_position *p = pos_find(c, ch);
    char tail[64];
    int tl = 0;
    if (p) tl = snprintf(tail, sizeof tail, ",%llu,%s", (unsigned long long)p->offset, p->epoch);
    if (tl < 0) tl = 0;
    if (*n + (*n ? 1 : 0) + ch.len + (size_t)tl > cap) return 0;
    if (*n) rec[(*n)++] = ' ';
    memcpy(rec + *n, ch.ptr, ch.len);
    *n += ch.len;
    memcpy(rec + *n, tail, (size_t)tl);
    *n += (size_t)tl;
    if (p) p->recovering = 1;
    return 1;
}

/* ---- sending ------------------------------------------------------------- */

static void lost(lhttp_client *c, int err);

static int send_raw(lhttp_client *c, const uint8_t *frame, size_t len)
{
    int op = lhttp_valid_utf8(frame, len) ? LHTTP_WS_TEXT : LHTTP_WS_BINARY;
    int rc = lhttp_ws_send(&c->ws, op, frame, len);
    if (rc != LHTTP_OK && c->ws.fd < 0 && c->connected) {
        lost(c, rc); /* transport failed: the poll loop reconnects */
    }
    return rc;
}

int lhttp_client_send(lhttp_client *c, const char *command, const lhttp_header *headers,
                      size_t nheaders, const void *body, size_t body_len)
{
    size_t len = 0, i;
    int rc;
    if (c == NULL || command == NULL) return LHTTP_ERR_INVALID_ARG;
    rc = lhttp_serialize(lhttp_cstr(command), headers, nheaders, body, body_len,
                         c->cfg.tx_buf, c->cfg.tx_cap, &len);
    if (rc != LHTTP_OK) return rc;
    /* channel bookkeeping for reconnects */
    for (i = 0; i < nheaders; i++) {
        if (lhttp_str_ieq(headers[i].name, "subscribe") || lhttp_str_ieq(headers[i].name, "unsubscribe")) {
            if (!channel_list_valid(headers[i].value)) return LHTTP_ERR_BAD_CHANNEL;
        } else if (lhttp_str_ieq(headers[i].name, "publish")) {
            if (!channel_list_valid(headers[i].value)) return LHTTP_ERR_BAD_CHANNEL;
        }
    }
    for (i = 0; i < nheaders; i++) {
        if (lhttp_str_ieq(headers[i].name, "subscribe")) {
            rc = set_add(c, headers[i].value);
            if (rc != LHTTP_OK) return rc;
        }
    }
    for (i = 0; i < nheaders; i++)
        if (lhttp_str_ieq(headers[i].name, "unsubscribe")) {
            set_remove(c, headers[i].value);
            pos_forget(c, headers[i].value);
        }
    if (!c->connected) return LHTTP_ERR_NOT_CONNECTED;
    return send_raw(c, (const uint8_t *)c->cfg.tx_buf, len);
}

static int sub_unsub(lhttp_client *c, const char *which, const char *channels, const char *ack)
{
    lhttp_header h[3];
    size_t n = 1;
    if (c == NULL || channels == NULL) return LHTTP_ERR_INVALID_ARG;
    h[0].name = lhttp_cstr(which);
    h[0].value = lhttp_cstr(channels);
    if (ack != NULL) {
        h[n].name = lhttp_cstr("ack");
        h[n++].value = lhttp_cstr(ack);
    }
    if (c->cfg.positions_cap && which[0] == 's') { /* ask each channel's position */
        h[n].name = lhttp_cstr("recover");
        h[n++].value = lhttp_cstr(channels);
    }
    return lhttp_client_send(c, which, h, n, NULL, 0);
}

int lhttp_client_subscribe(lhttp_client *c, const char *channels, const char *ack)
{
    return sub_unsub(c, "subscribe", channels, ack);
}

int lhttp_client_unsubscribe(lhttp_client *c, const char *channels, const char *ack)
{
    return sub_unsub(c, "unsubscribe", channels, ack);
}

int lhttp_client_publish(lhttp_client *c, const char *command, const char *channels,
                         const void *body, size_t body_len)
{
    lhttp_header h;
    if (c == NULL || channels == NULL) return LHTTP_ERR_INVALID_ARG;
    h.name = lhttp_cstr("publish");
    h.value = lhttp_cstr(channels);
    return lhttp_client_send(c, command, &h, 1, body, body_len);
}

/* Sends the channel set in frames of at most LHTTP_CLIENT_CHANNELS_PER_FRAME
 * channels, each with an "ack:lhttp-resub-N" header and, with positions, a
 * "recover" header (as many channels per frame as its entries fit in). */
static int resubscribe(lhttp_client *c)
{
    size_t pos = 0;
    lhttp_str t;
    while (pos < c->channels_len) {
        size_t start = pos, count = 0, end = pos, nrec = 0;
        lhttp_header h[2];
        lhttp_writer w;
        char ack[32], rec[LHTTP_CLIENT_RECOVER_MAX];
        size_t len = 0;
        int rc;
        while (count < LHTTP_CLIENT_CHANNELS_PER_FRAME) {
            size_t before = pos;
            if (!next_token(c->cfg.channels, c->channels_len, &pos, &t)) break;
            if (c->cfg.positions_cap && !recover_entry(c, t, rec, sizeof rec, &nrec)) {
                pos = before; /* the next frame takes it */
                break;
            }
            end = (size_t)(t.ptr - c->cfg.channels) + t.len;
            count++;
        }
        if (count == 0) break;
        h[0].name = lhttp_cstr("subscribe");
        h[0].value.ptr = c->cfg.channels + start;
        h[0].value.len = end - start;
        while (h[0].value.len && h[0].value.ptr[0] == ' ') { h[0].value.ptr++; h[0].value.len--; }
        snprintf(ack, sizeof ack, "lhttp-resub-%u", ++c->resub_seq);
        h[1].name = lhttp_cstr("ack");
        h[1].value = lhttp_cstr(ack);
        lhttp_writer_begin(&w, c->cfg.tx_buf, c->cfg.tx_cap, lhttp_cstr("subscribe"));
        lhttp_writer_header(&w, h[0].name, h[0].value);
        lhttp_writer_header(&w, h[1].name, h[1].value);
        if (c->cfg.positions_cap) {
            lhttp_str r;
            r.ptr = rec;
            r.len = nrec;
            lhttp_writer_header(&w, lhttp_cstr("recover"), r);
        }
        rc = lhttp_writer_end(&w, NULL, 0, &len);
        if (rc != LHTTP_OK) return rc;
        rc = send_raw(c, (const uint8_t *)c->cfg.tx_buf, len);
        if (rc != LHTTP_OK) return rc;
    }
    return LHTTP_OK;
}

/* ---- connection management ----------------------------------------------- */

static void schedule_retry(lhttp_client *c)
{
    uint64_t now = lhttp_now_ms();
    /* jitter: 75%..100% of the current backoff */
    uint32_t r = (uint32_t)(now * 2654435761u);
    int delay = c->backoff_ms - (int)(r % (uint32_t)(c->backoff_ms / 4 + 1));
    c->next_attempt_ms = now + (uint64_t)(delay > 0 ? delay : 1);
    if (c->backoff_ms < c->cfg.backoff_max_ms) {
        c->backoff_ms = c->backoff_ms > c->cfg.backoff_max_ms / 2 ? c->cfg.backoff_max_ms : c->backoff_ms * 2;
    }
}

static void lost(lhttp_client *c, int err)
{
    int was = c->connected;
    lhttp_ws_abort(&c->ws);
    c->connected = 0;
    if (!c->stopped) schedule_retry(c);
    if (was && c->cfg.on_state) c->cfg.on_state(c, 0, err, c->cfg.user);
}

int lhttp_client_connect(lhttp_client *c)
{
    int rc;
    if (c == NULL) return LHTTP_ERR_INVALID_ARG;
    if (c->connected) return LHTTP_OK;
    c->stopped = 0;
    rc = lhttp_ws_connect(&c->ws, c->cfg.url, c->cfg.connect_timeout_ms, c->cfg.extra_headers);
    if (rc == LHTTP_OK) {
        c->connected = 1;
        rc = resubscribe(c);
        if (rc != LHTTP_OK) {
            if (c->connected) lost(c, rc);
            return rc;
        }
        c->backoff_ms = c->cfg.backoff_initial_ms;
        c->last_ping_ms = lhttp_now_ms();
        if (c->ever_connected) c->reconnects++;
        c->ever_connected = 1;
        if (c->cfg.on_state) c->cfg.on_state(c, 1, LHTTP_OK, c->cfg.user);
        return LHTTP_OK;
    }
    schedule_retry(c);
    return rc;
}

void lhttp_client_close(lhttp_client *c)
{
    int was;
    if (c == NULL) return;
    c->stopped = 1;
    if (c->in_callback) { /* keep the frame views valid until the callback returns */
        c->close_pending = 1;
        return;
    }
    c->close_pending = 0;
    was = c->connected;
    c->connected = 0;
    lhttp_ws_close(&c->ws, 1000, "bye", 1000);
    if (was && c->cfg.on_state) c->cfg.on_state(c, 0, LHTTP_ERR_CLOSED, c->cfg.user);
}

/* A position frame: updates the held position and tells on_position. */
static void on_position_frame(lhttp_client *c, const lhttp_frame *f, lhttp_str ch)
{
    const lhttp_str *rh = lhttp_frame_header(f, "recovered"), *eh = lhttp_frame_header(f, "epoch");
    lhttp_position_event ev;
    lhttp_position *p = pos_find(c, ch);
    memset(&ev, 0, sizeof ev);
    ev.channel = ch;
    ev.recovered = rh == NULL ? -1 : lhttp_str_eq(*rh, "true");
    ev.epoch = lhttp_cstr("");
    if (parse_offset(lhttp_frame_header(f, "offset"), &ev.offset) && valid_epoch(eh)) {
        ev.history = 1;
        ev.epoch = *eh;
        /* after a recovery the replay brought the held offset to the top;
         * after none (or a refused one) the application starts from the top */
        if (p == NULL || ev.recovered != 1 || !epoch_is(p, *eh)) {
            if (p == NULL && set_find(c, ch, NULL)) p = pos_slot(c, ch);
            if (p != NULL) {
                p->offset = ev.offset;
                memcpy(p->epoch, eh->ptr, eh->len);
                p->epoch[eh->len] = '\0';
            }
        }
        if (p != NULL) p->recovering = 0;
    } else {
        ev.offset = 0;
        if (p != NULL) memset(p, 0, sizeof *p);
        if (ev.recovered == 1) ev.recovered = 0;
    }
    if (c->cfg.on_position) c->cfg.on_position(c, &ev, c->cfg.user);
}

/* Whether a delivery goes to the application: on a channel with a held
 * position only the next one does; duplicates are dropped, and a gap is
 * dropped and repaired by subscribing again from the held position. */
static int accept_delivery(lhttp_client *c, const lhttp_frame *f)
{
    const lhttp_str *ph = lhttp_frame_header(f, "publish"), *eh, *prevh;
    lhttp_position *p;
    uint64_t off, prev;
    if (ph == NULL || (p = pos_find(c, *ph)) == NULL) return 1;
    eh = lhttp_frame_header(f, "epoch");
    if (!parse_offset(lhttp_frame_header(f, "offset"), &off) || !valid_epoch(eh)) return 1;
    if (epoch_is(p, *eh)) {
        if (off <= p->offset) return 0;
        prevh = lhttp_frame_header(f, "prev");
        if (prevh == NULL ? off == p->offset + 1 : (parse_offset(prevh, &prev) && prev == p->offset)) {
            p->offset = off;
            return 1;
        }
    }
    if (!p->recovering && c->connected) {
        char rec[LHTTP_MAX_CHANNEL_LEN + 64];
        size_t n = 0, len = 0;
        lhttp_writer w;
        lhttp_str ch, r;
        ch = lhttp_cstr(p->channel);
        recover_entry(c, ch, rec, sizeof rec, &n);
        r.ptr = rec;
        r.len = n;
        lhttp_writer_begin(&w, c->cfg.tx_buf, c->cfg.tx_cap, lhttp_cstr("subscribe"));
        lhttp_writer_header(&w, lhttp_cstr("subscribe"), ch);
        lhttp_writer_header(&w, lhttp_cstr("recover"), r);
        if (lhttp_writer_end(&w, NULL, 0, &len) == LHTTP_OK)
            send_raw(c, (const uint8_t *)c->cfg.tx_buf, len);
    }
    return 0;
}

static int dispatch(lhttp_client *c, const lhttp_ws_msg *m)
{
    const lhttp_str *ph;
    lhttp_frame f;
    size_t i;
    int rc;
    lhttp_frame_init(&f, c->cfg.headers, c->cfg.header_cap);
    rc = lhttp_parse(m->data, m->len, &c->cfg.limits, &f);
    if (rc != LHTTP_OK) return rc;
    f.text = m->opcode == LHTTP_WS_TEXT;
    c->in_callback = 1;
    if (lhttp_str_eq(f.command, "position") && (ph = lhttp_frame_header(&f, "position")) != NULL &&
        lhttp_frame_header(&f, "publish") == NULL) {
        on_position_frame(c, &f, *ph);
        c->in_callback = 0;
        return LHTTP_OK;
    }
    if (c->cfg.positions_cap && !accept_delivery(c, &f)) {
        c->in_callback = 0;
        return LHTTP_OK;
    }
    for (i = 0; i < c->nhandlers; i++) {
        if (lhttp_str_eq(f.command, c->handlers[i].command)) {
            c->handlers[i].cb(c, &f, m->opcode, c->handlers[i].user);
            break;
        }
    }
    if (i == c->nhandlers && c->cfg.on_frame) c->cfg.on_frame(c, &f, m->opcode, c->cfg.user);
    c->in_callback = 0;
    return LHTTP_OK;
}

static void sleep_ms(int ms)
{
    if (ms > 0) poll(NULL, 0, ms);
}

int lhttp_client_poll(lhttp_client *c, int timeout_ms)
{
    uint64_t deadline, now;
    int dispatched = 0;
    if (c == NULL || c->in_callback) return LHTTP_ERR_INVALID_ARG;
    now = lhttp_now_ms();
    deadline = timeout_ms < 0 ? 0 : now + (uint64_t)timeout_ms;
    for (;;) {
        int wait, rc;
        lhttp_ws_msg m;
        now = lhttp_now_ms();
        wait = deadline == 0 ? -1 : (now >= deadline ? 0 : (int)(deadline - now));
        if (!c->connected) {
            if (dispatched) return dispatched;
            if (c->stopped || !c->cfg.reconnect || (!c->ever_connected && c->next_attempt_ms == 0))
                return LHTTP_ERR_NOT_CONNECTED;
            if (now >= c->next_attempt_ms) {
                rc = lhttp_client_connect(c);
                if (rc != LHTTP_OK) return rc;
                continue;
            }
            if (wait == 0) return 0;
            {
                uint64_t until = c->next_attempt_ms - now;
                sleep_ms(wait < 0 || (uint64_t)wait > until ? (int)until : wait);
            }
            continue;
        }
        if (c->cfg.ping_interval_ms > 0) {
            uint64_t idle = now - c->ws.last_rx_ms;
            int iv = c->cfg.ping_interval_ms;
            if (idle > (uint64_t)iv * 2u + 1000u) { /* no answer to pings: dead */
                lost(c, LHTTP_ERR_TIMEOUT);
                return LHTTP_ERR_TIMEOUT;
            }
            if (idle >= (uint64_t)iv && now - c->last_ping_ms >= (uint64_t)iv) {
                c->last_ping_ms = now;
                rc = lhttp_ws_send(&c->ws, LHTTP_WS_PING, "lhttp", 5);
                if (rc != LHTTP_OK) {
                    lost(c, rc);
                    return LHTTP_ERR_CLOSED;
                }
            }
            if (wait < 0 || wait > iv / 2 + 1) wait = iv / 2 + 1;
        }
        if (dispatched) wait = 0;
        rc = lhttp_ws_recv(&c->ws, wait, &m);
        if (rc == LHTTP_ERR_TIMEOUT) {
            if (dispatched || (deadline != 0 && lhttp_now_ms() >= deadline)) return dispatched;
            continue;
        }
        if (rc != LHTTP_OK) {
            lost(c, rc);
            return rc == LHTTP_ERR_CLOSED ? rc : LHTTP_ERR_CLOSED;
        }
        rc = dispatch(c, &m);
        if (rc != LHTTP_OK) return rc;
        dispatched++;
        if (c->close_pending) lhttp_client_close(c);
        if (!c->connected) return dispatched; /* closed from a callback */
    }
}
