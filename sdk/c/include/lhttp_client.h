/*
 * lhttp_client.h - LHTTP client: connect, subscribe, unsubscribe, publish,
 * send, per-command receive callbacks, a poll/step function for
 * single-threaded event loops, and reconnect with exponential backoff that
 * re-subscribes the client's channels.
 *
 * No allocation: all buffers come from the caller through the config. One
 * lhttp_client must be used from one thread at a time.
 */
#ifndef LHTTP_CLIENT_H
#define LHTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "lhttp_codec.h"
#include "lhttp_ws.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LHTTP_CLIENT_MAX_HANDLERS
#define LHTTP_CLIENT_MAX_HANDLERS 8
#endif
/* Channels per subscribe frame sent when re-subscribing (server limit: 40). */
#ifndef LHTTP_CLIENT_CHANNELS_PER_FRAME
#define LHTTP_CLIENT_CHANNELS_PER_FRAME 40
#endif

/* Bytes of the "recover" header of one re-subscribe frame (on the stack):
 * the frame takes fewer channels when their entries do not fit. */
#ifndef LHTTP_CLIENT_RECOVER_MAX
#define LHTTP_CLIENT_RECOVER_MAX 2048
#endif

typedef struct lhttp_client lhttp_client;

/* The position held for one subscription on a channel with history
 * (PROTOCOL.md section 13). Storage comes from the caller
 * (cfg.positions/positions_cap); the client fills it. */
#ifndef LHTTP_EPOCH_MAX
#define LHTTP_EPOCH_MAX 32
#endif
typedef struct lhttp_position {
    char channel[LHTTP_MAX_CHANNEL_LEN + 1]; /* "" : slot free */
    char epoch[LHTTP_EPOCH_MAX + 1];
    uint64_t offset;                         /* last offset delivered to the application */
    int recovering;                          /* a recover was sent, its position frame not yet in */
} lhttp_position;

/* A position frame (answer to the "recover" the client sends with every
 * subscribe). recovered: 1 = everything missed while away was delivered
 * (before this call), 0 = it could not be (history lost: reload the state;
 * offset/epoch are the channel's current position), -1 = nothing was asked
 * (a fresh subscribe). history: 0 for a channel without history (no offset,
 * epoch ""). Position frames never reach on_frame or the handlers. */
typedef struct lhttp_position_event {
    lhttp_str channel;
    int recovered;
    int history;
    uint64_t offset;
    lhttp_str epoch;
} lhttp_position_event;
typedef void (*lhttp_position_cb)(lhttp_client *c, const lhttp_position_event *ev, void *user);

/* A received frame. Views (command, headers, body) are valid only during the
 * call. ws_opcode is LHTTP_WS_TEXT or LHTTP_WS_BINARY. The callback may call
 * lhttp_client_send/publish/subscribe/unsubscribe/close, not poll. */
typedef void (*lhttp_frame_cb)(lhttp_client *c, const lhttp_frame *f, int ws_opcode, void *user);

/* Connection state changes: connected = 1 after a (re)connect and the
 * re-subscription was sent; connected = 0 after a loss, with the cause. */
typedef void (*lhttp_state_cb)(lhttp_client *c, int connected, int err, void *user);

typedef struct lhttp_client_config {
    const char *url;              /* ws[s]://host[:port][/path]; must outlive the client */
    void *rx_buf;                 /* receive buffer: bounds the largest message */
    size_t rx_cap;
    void *tx_buf;                 /* send buffer: bounds the largest frame sent */
    size_t tx_cap;
    lhttp_header *headers;        /* headers of a received frame */
    size_t header_cap;
    char *channels;               /* storage for the subscribed channel set */
    size_t channels_cap;          /* (space-separated names, NUL-terminated) */
    lhttp_limits limits;          /* applied to received frames */
    int connect_timeout_ms;       /* TCP connect + handshake; default 5000 */
    int send_timeout_ms;          /* per send; default 10000 */
    int reconnect;                /* 1: reconnect automatically (default) */
    int backoff_initial_ms;       /* default 500 */
    int backoff_max_ms;           /* default 30000 */
    int ping_interval_ms;         /* keepalive ping when idle; 0: off (default) */
    const char *extra_headers;    /* handshake: NULL or "Name: value\r\n" lines */
    const lhttp_transport *tls;   /* wss:// transport, e.g. &lhttp_tls_mbedtls_transport */
    void *tls_ctx;                /* its context (an lhttp_tls_mbedtls), reused on reconnects */
    lhttp_position *positions;    /* recovery: one slot per subscribed history channel; */
    size_t positions_cap;         /* NULL/0: no "recover" is sent (as before) */
    lhttp_position_cb on_position; /* position frames (recovered or not); may be NULL */
    lhttp_frame_cb on_frame;      /* frames with no per-command handler */
    lhttp_state_cb on_state;
    void *user;                   /* passed to on_frame and on_state */
} lhttp_client_config;

struct lhttp_client {
    lhttp_client_config cfg;
    lhttp_ws ws;
    struct {
        const char *command;
        lhttp_frame_cb cb;
        void *user;
    } handlers[LHTTP_CLIENT_MAX_HANDLERS];
    size_t nhandlers;
    size_t channels_len;
    int connected;
    int stopped;               /* lhttp_client_close() was called */
    int in_callback;
    int close_pending;         /* lhttp_client_close() from a callback */
    int backoff_ms;
    uint64_t next_attempt_ms;
    uint64_t last_ping_ms;
    unsigned resub_seq;
    unsigned reconnects;       /* successful reconnects after the first connect */
    int ever_connected;
};

/* Fills *cfg with defaults (no buffers; the caller must set them). */
void lhttp_client_config_default(lhttp_client_config *cfg);

/* Validates cfg and prepares the client (no I/O). */
int lhttp_client_init(lhttp_client *c, const lhttp_client_config *cfg);

/* Registers a callback for frames whose command equals `command` (exact
 * match). `command` must stay valid. Re-registering replaces the callback. */
int lhttp_client_on(lhttp_client *c, const char *command, lhttp_frame_cb cb, void *user);

/* Connects now (blocking up to connect_timeout_ms) and re-sends the channel
 * set. On failure with reconnect on, lhttp_client_poll() retries later. */
int lhttp_client_connect(lhttp_client *c);

/*
 * Runs the client for up to timeout_ms (0: only what is ready, <0: until
 * something happens): reconnects when due, sends keepalive pings, receives
 * and dispatches frames. Returns the number of frames dispatched (>= 0), or a
 * negative error: LHTTP_ERR_CLOSED when the connection was lost (the next
 * polls reconnect; on_state gets the cause, e.g. LHTTP_ERR_TLS_RECORD), a connect error from a reconnect attempt, a codec error
 * for a malformed frame from the server (the frame is dropped, the
 * connection stays), LHTTP_ERR_NOT_CONNECTED when there is nothing to do.
 */
int lhttp_client_poll(lhttp_client *c, int timeout_ms);

/* Subscribes to space-separated channels; ack may be NULL. The channel set
 * is updated even when not connected (LHTTP_ERR_NOT_CONNECTED is returned
 * then) and is sent again on every reconnect.
 *
 * Recovery (cfg.positions set): the subscribe carries "recover" with each
 * channel, so the server answers its position; deliveries on a tracked
 * channel carry offset/epoch: duplicates (offset at or below the held one)
 * are dropped, a gap is dropped and repaired by re-subscribing from the held
 * position. A reconnect re-subscribes with "recover: channel,offset,epoch"
 * and the server replays what was missed before the position frame
 * (on_position, recovered = 1), or answers recovered = 0. */
int lhttp_client_subscribe(lhttp_client *c, const char *channels, const char *ack);
int lhttp_client_unsubscribe(lhttp_client *c, const char *channels, const char *ack);

/* Publishes body to space-separated channels as a frame with `command`. */
int lhttp_client_publish(lhttp_client *c, const char *command, const char *channels,
                         const void *body, size_t body_len);

/* Sends any frame. subscribe/unsubscribe headers update the channel set.
 * Sent as a text WebSocket message if the frame is valid UTF-8, else binary. */
int lhttp_client_send(lhttp_client *c, const char *command, const lhttp_header *headers,
                      size_t nheaders, const void *body, size_t body_len);

/* Closing handshake; stops reconnecting. From a callback, the close
 * happens when the callback returns. */
void lhttp_client_close(lhttp_client *c);

int lhttp_client_is_connected(const lhttp_client *c);
/* The position held for `channel` (NULL when none). */
const lhttp_position *lhttp_client_position(const lhttp_client *c, const char *channel);
/* The subscribed channel set (space-separated, NUL-terminated). */
const char *lhttp_client_channels(const lhttp_client *c);

#ifdef __cplusplus
}
#endif
#endif /* LHTTP_CLIENT_H */
