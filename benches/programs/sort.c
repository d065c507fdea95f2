/* sort.c - sorting: a hand-written quicksort (median-of-three, insertion
 * sort for short ranges) over arrays filled by a fixed-seed xorshift PRNG.
 * Usage: sort [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define LEN 200000u
#define SORTS_PER_UNIT 4u


static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t xorshift64(void) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void insertion_sort(uint32_t *a, int32_t lo, int32_t hi) {
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static inline void swap(uint32_t *a, int32_t i, int32_t j) {
    uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
}

static void quicksort(uint32_t *a, int32_t lo, int32_t hi) {
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi] < a[lo]) swap(a, hi, lo);
        if (a[hi] < a[mid]) swap(a, hi, mid);
        uint32_t pivot = a[mid];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { swap(a, i, j); i++; j--; }
        }
        /* recurse into the smaller side, loop on the larger */
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
    insertion_sort(a, lo, hi);
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t sorts = units * SORTS_PER_UNIT;
    uint32_t *a = malloc(LEN * sizeof *a);
    if (!a) { fprintf(stderr, "out of memory\n"); return 1; }
    uint32_t h = 2166136261u;
    for (uint32_t s = 0; s < sorts; s++) {
        /* every third array has many duplicates (small value range) */
        uint32_t mask = (s % 3u == 2u) ? 0x3ffu : 0xffffffffu;
        for (uint32_t i = 0; i < LEN; i++) a[i] = (uint32_t)(xorshift64() >> 17) & mask;
        quicksort(a, 0, (int32_t)LEN - 1);
        for (uint32_t i = 1; i < LEN; i++) {
            if (a[i - 1] > a[i]) { printf("checksum: unsorted\n"); return 1; }
        }
        for (uint32_t i = 0; i < LEN; i += 97u) h = (h ^ a[i]) * 16777619u;
        h = (h ^ a[LEN - 1]) * 16777619u;
    }
    free(a);
    printf("checksum: %u\n", (unsigned)h);
    return 0;
}
