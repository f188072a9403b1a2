/* heap_count.h - bytes allocated through calloc (see heap_count.c). */
#ifndef TEST_HEAP_COUNT_H
#define TEST_HEAP_COUNT_H
#include <stddef.h>
size_t heap_current(void);
size_t heap_peak(void);
unsigned long heap_blocks(void);
void heap_reset_peak(void);
#endif
