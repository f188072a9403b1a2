/* chat.c - command-line chat client for an lhttp server.
 *
 *   chat [-u ws://127.0.0.1:8081/] [-r room] [-n nick]
 *
 * Lines typed on stdin are published to the room (command "chat", header
 * "nick"); every message of the room is printed, including your own.
 * "/join ROOM" switches rooms, "/quit" (or end of input) leaves.
 */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lhttp_client.h"

static uint8_t rx[64 * 1024], tx[8 * 1024];
static lhttp_header hdrs[32];
static char channels[1024];
static char room[LHTTP_MAX_CHANNEL_LEN + 1] = "room";

static void on_chat(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    const lhttp_str *nick = lhttp_frame_header(f, "nick");
    const lhttp_str *ch = lhttp_frame_header(f, "publish");
    (void)c; (void)op; (void)user;
    printf("[%.*s] %.*s: %.*s\n", ch ? (int)ch->len : 1, ch ? ch->ptr : "?",
           nick ? (int)nick->len : 9, nick ? nick->ptr : "anonymous",
           (int)f->body_len, (const char *)f->body);
    fflush(stdout);
}

static void on_other(lhttp_client *c, const lhttp_frame *f, int op, void *user)
{
    const lhttp_str *st = lhttp_frame_header(f, "status"), *reason = lhttp_frame_header(f, "reason");
    (void)c; (void)op; (void)user;
    if (st && !lhttp_str_eq(*st, "200"))
        fprintf(stderr, "server: %.*s %.*s\n", (int)st->len, st->ptr,
                reason ? (int)reason->len : 0, reason ? reason->ptr : "");
}

static void on_state(lhttp_client *c, int up, int err, void *user)
{
    (void)c; (void)user;
    if (up) fprintf(stderr, "* connected, channels: %s\n", lhttp_client_channels(c));
    else if (!c->stopped) fprintf(stderr, "* disconnected (%s), reconnecting...\n", lhttp_strerror(err));
}

int main(int argc, char **argv)
{
    const char *url = "ws://127.0.0.1:8081/", *nick = "c-user";
    lhttp_client_config cfg;
    lhttp_client c;
    char line[4096];
    size_t used = 0;
    int opt, rc, eof = 0;

    while ((opt = getopt(argc, argv, "u:r:n:h")) != -1) {
        if (opt == 'u') url = optarg;
        else if (opt == 'r') snprintf(room, sizeof room, "%s", optarg);
        else if (opt == 'n') nick = optarg;
        else { fprintf(stderr, "usage: %s [-u url] [-r room] [-n nick]\n", argv[0]); return 2; }
    }
    lhttp_client_config_default(&cfg);
    cfg.url = url;
    cfg.rx_buf = rx; cfg.rx_cap = sizeof rx;
    cfg.tx_buf = tx; cfg.tx_cap = sizeof tx;
    cfg.headers = hdrs; cfg.header_cap = 32;
    cfg.channels = channels; cfg.channels_cap = sizeof channels;
    cfg.ping_interval_ms = 20000;
    cfg.on_frame = on_other;
    cfg.on_state = on_state;
    if ((rc = lhttp_client_init(&c, &cfg)) != LHTTP_OK ||
        (rc = lhttp_client_on(&c, "chat", on_chat, NULL)) != LHTTP_OK) {
        fprintf(stderr, "chat: %s\n", lhttp_strerror(rc));
        return 1;
    }
    lhttp_client_subscribe(&c, room, NULL); /* remembered; sent on connect */
    if ((rc = lhttp_client_connect(&c)) != LHTTP_OK)
        fprintf(stderr, "* connect: %s (will retry)\n", lhttp_strerror(rc));

    while (!eof) {
        struct pollfd in;
        in.fd = 0; in.events = POLLIN; in.revents = 0;
        if (poll(&in, 1, 0) > 0) {
            ssize_t n = read(0, line + used, sizeof line - 1 - used);
            if (n <= 0) eof = 1;
            else used += (size_t)n;
            for (;;) {
                char *nl = memchr(line, '\n', used);
                size_t ll;
                if (!nl) { if (used == sizeof line - 1) nl = line + used - 1; else break; }
                *nl = '\0';
                ll = (size_t)(nl - line);
                if (ll && line[ll - 1] == '\r') line[--ll] = '\0';
                if (strcmp(line, "/quit") == 0) { eof = 1; break; }
                if (strncmp(line, "/join ", 6) == 0) {
                    if (strlen(line + 6) >= sizeof room) {
                        fprintf(stderr, "* room name too long\n");
                        goto next;
                    }
                    lhttp_client_unsubscribe(&c, room, NULL);
                    memcpy(room, line + 6, strlen(line + 6) + 1);
                    if ((rc = lhttp_client_subscribe(&c, room, NULL)) != LHTTP_OK)
                        fprintf(stderr, "* join: %s\n", lhttp_strerror(rc));
                } else if (ll) {
                    lhttp_header h[2];
                    h[0].name = lhttp_cstr("publish"); h[0].value = lhttp_cstr(room);
                    h[1].name = lhttp_cstr("nick"); h[1].value = lhttp_cstr(nick);
                    if ((rc = lhttp_client_send(&c, "chat", h, 2, line, ll)) != LHTTP_OK)
                        fprintf(stderr, "* not sent: %s\n", lhttp_strerror(rc));
                }
            next:
                memmove(line, nl + 1, used - (size_t)(nl + 1 - line));
                used -= (size_t)(nl + 1 - line);
            }
        }
        rc = lhttp_client_poll(&c, 50);
        if (rc < 0 && rc != LHTTP_ERR_CLOSED && rc != LHTTP_ERR_CONNECT && rc != LHTTP_ERR_TIMEOUT &&
            rc != LHTTP_ERR_DNS && rc != LHTTP_ERR_HANDSHAKE)
            fprintf(stderr, "* %s\n", lhttp_strerror(rc));
    }
    /* let the last messages go out and come back */
    lhttp_client_poll(&c, 300);
    lhttp_client_close(&c);
    return 0;
}
