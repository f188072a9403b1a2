/* json.h - tiny JSON reader for the test harness (not part of the SDK). */
#ifndef TEST_JSON_H
#define TEST_JSON_H
#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode {
    jtype type;
    double num;            /* J_NUM, J_BOOL */
    char *str;             /* J_STR (decoded UTF-8, NUL-terminated) */
    size_t len;            /* J_STR length; J_ARR/J_OBJ item count */
    struct jnode **items;  /* J_ARR/J_OBJ values */
    char **keys;           /* J_OBJ keys */
} jnode;

/* Parses text; returns NULL on error (with a message in err). */
jnode *json_parse(const char *text, size_t len, char *err, size_t errcap);
void json_free(jnode *n);
/* Object member lookup; NULL if absent or n is not an object. */
const jnode *json_get(const jnode *n, const char *key);
/* Reads a whole file (NUL-terminated, malloc'd); NULL on error. */
char *read_file(const char *path, size_t *len);

#endif
