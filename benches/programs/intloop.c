/* intloop.c - integer loops: Collatz step counts over a range of starting
 * values (64-bit arithmetic, data-dependent branches) plus a nested-loop
 * integer mixing kernel (32-bit mul/add/xor/shift/div/rem).
 * Usage: intloop [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define COLLATZ_PER_UNIT 300000u
#define MIX_OUTER_PER_UNIT 420u
#define MIX_INNER 1000u


static uint32_t collatz_steps(uint64_t n) {
    uint32_t steps = 0;
    while (n != 1) {
        if (n & 1) n = 3 * n + 1;
        else n >>= 1;
        steps++;
    }
    return steps;
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint64_t limit = (uint64_t)units * COLLATZ_PER_UNIT;

    uint32_t best_n = 1, best_steps = 0;
    uint64_t total_steps = 0;
    for (uint64_t n = 1; n <= limit; n++) {
        uint32_t s = collatz_steps(n);
        total_steps += s;
        if (s > best_steps) { best_steps = s; best_n = (uint32_t)n; }
    }

    uint32_t acc = 0x12345678u;
    uint32_t outer = units * MIX_OUTER_PER_UNIT;
    for (uint32_t i = 1; i <= outer; i++) {
        uint32_t x = i * 2654435761u;
        for (uint32_t j = 1; j <= MIX_INNER; j++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            acc += (x % (j + 7u)) ^ (acc >> 3);
            acc = acc * 33u + (x / (i + j));
        }
    }

    uint64_t h = total_steps * 1000003ull + best_n;
    h = h * 31ull + best_steps;
    h ^= (uint64_t)acc << 17;
    printf("checksum: %llu\n", (unsigned long long)h);
    return 0;
}
