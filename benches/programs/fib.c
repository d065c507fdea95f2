/* fib.c - call-heavy recursion: naive recursive Fibonacci.
 * Usage: fib [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"


/* noinline keeps the recursion a real call chain in both gcc and clang. */
__attribute__((noinline)) static uint32_t fib(uint32_t n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t sum = 0;
    for (uint32_t u = 0; u < units; u++) {
        /* alternate depth slightly so each unit depends on u */
        uint32_t k = 36u + (u % 3u == 2u ? 1u : 0u);
        sum = sum * 31u + fib(k);
    }
    printf("checksum: %u\n", (unsigned)sum);
    return 0;
}
