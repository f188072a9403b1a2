/* gen_corpus.c - writes every golden frame as a fuzz seed (both targets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int main(int argc, char **argv)
{
    size_t len, i;
    char err[128], path[4096];
    char *text;
    jnode *root;
    const jnode *frames;
    if (argc < 3) { fprintf(stderr, "usage: gen_corpus frames.json outdir\n"); return 2; }
    text = read_file(argv[1], &len);
    if (!text) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
    root = json_parse(text, len, err, sizeof err);
    free(text);
    if (!root) { fprintf(stderr, "%s\n", err); return 1; }
    frames = json_get(root, "frames");
    for (i = 0; frames && i < frames->len; i++) {
        const jnode *in = json_get(frames->items[i], "input");
        FILE *f;
        snprintf(path, sizeof path, "%s/vector-%03lu", argv[2], (unsigned long)i);
        f = fopen(path, "wb");
        if (!f) { perror(path); json_free(root); return 1; }
        fputc(0, f); /* codec target */
        fwrite(in->str, 1, in->len, f);
        fclose(f);
    }
    {   /* a WebSocket seed: text, ping, fragmented text, close */
        static const unsigned char ws[] = {1, 0x81, 5, 'h', 'e', 'l', 'l', 'o', 0x89, 2, 'p', '1',
                                           0x01, 3, 'h', 'e', 'l', 0x80, 2, 'l', 'o', 0x88, 2, 3, 0xe8};
        FILE *f;
        snprintf(path, sizeof path, "%s/ws-000", argv[2]);
        f = fopen(path, "wb");
        if (f) { fwrite(ws, 1, sizeof ws, f); fclose(f); }
    }
    printf("corpus: %lu seeds in %s\n", (unsigned long)(frames ? frames->len + 1 : 1), argv[2]);
    json_free(root);
    return 0;
}
