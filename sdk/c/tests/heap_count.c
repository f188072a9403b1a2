/* heap_count.c - counts the heap that mbedTLS uses (it allocates with calloc
 * and free only). Linked with -Wl,--wrap=calloc -Wl,--wrap=free and a static
 * mbedTLS, so that every calloc/free of the SDK and of mbedTLS comes here.
 * Each block carries its size in a 16-byte prefix (keeps 16-byte alignment). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heap_count.h"

void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);
void *__wrap_calloc(size_t n, size_t size);
void __wrap_free(void *p);

static size_t cur, peak;
static unsigned long blocks;

void *__wrap_calloc(size_t n, size_t size)
{
    unsigned char *p;
    size_t total;
    if (size != 0 && n > (SIZE_MAX - 16) / size) return NULL;
    total = n * size;
    p = (unsigned char *)__real_calloc(1, total + 16);
    if (p == NULL) return NULL;
    memcpy(p, &total, sizeof total);
    cur += total;
    blocks++;
    if (cur > peak) peak = cur;
    return p + 16;
}

void __wrap_free(void *ptr)
{
    unsigned char *p = (unsigned char *)ptr;
    size_t total;
    if (p == NULL) return;
    p -= 16;
    memcpy(&total, p, sizeof total);
    cur -= total;
    blocks--;
    __real_free(p);
}

size_t heap_current(void) { return cur; }
size_t heap_peak(void) { return peak; }
unsigned long heap_blocks(void) { return blocks; }
void heap_reset_peak(void) { peak = cur; }
