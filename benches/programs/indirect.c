/* indirect.c - indirect calls: a loop dispatching through tables of function
 * pointers (call_indirect on wasm) selected by data-dependent indices, with
 * two different function signatures.
 * Usage: indirect [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define CALLS_PER_UNIT 6000000u


typedef uint32_t (*op32)(uint32_t, uint32_t);
typedef uint64_t (*op64)(uint64_t);

#define NOINL __attribute__((noinline))
NOINL static uint32_t f_add(uint32_t a, uint32_t b) { return a + b; }
NOINL static uint32_t f_sub(uint32_t a, uint32_t b) { return a - b + 0x9e37u; }
NOINL static uint32_t f_xor(uint32_t a, uint32_t b) { return (a ^ b) * 3u; }
NOINL static uint32_t f_mul(uint32_t a, uint32_t b) { return a * (b | 1u); }
NOINL static uint32_t f_rotl(uint32_t a, uint32_t b) { uint32_t s = b & 31u; return s ? (a << s) | (a >> (32u - s)) : a + 1u; }
NOINL static uint32_t f_shr(uint32_t a, uint32_t b) { return (a >> (b & 15u)) + b; }
NOINL static uint32_t f_min(uint32_t a, uint32_t b) { return (a < b ? a : b) ^ 0x5bd1e995u; }
NOINL static uint32_t f_max(uint32_t a, uint32_t b) { return (a > b ? a : b) + 77u; }
NOINL static uint32_t f_avg(uint32_t a, uint32_t b) { return (a >> 1) + (b >> 1) + 13u; }
NOINL static uint32_t f_mix(uint32_t a, uint32_t b) { a ^= b; a *= 0x85ebca6bu; return a ^ (a >> 13); }
NOINL static uint32_t f_div(uint32_t a, uint32_t b) { return a / ((b & 255u) + 1u) + b; }
NOINL static uint32_t f_rem(uint32_t a, uint32_t b) { return a % ((b & 1023u) + 1u) + (a >> 3); }
NOINL static uint32_t f_not(uint32_t a, uint32_t b) { return ~a + (b << 1); }
NOINL static uint32_t f_and(uint32_t a, uint32_t b) { return (a & b) + 0x1234567u; }
NOINL static uint32_t f_or(uint32_t a, uint32_t b) { return (a | b) - 0x7654321u; }
NOINL static uint32_t f_neg(uint32_t a, uint32_t b) { return (0u - a) ^ b; }

NOINL static uint64_t g_mul(uint64_t x) { return x * 0x9e3779b97f4a7c15ull; }
NOINL static uint64_t g_xs(uint64_t x) { x ^= x << 13; x ^= x >> 7; return x ^ (x << 17); }
NOINL static uint64_t g_add(uint64_t x) { return x + 0x632be59bd9b4e019ull; }
NOINL static uint64_t g_rot(uint64_t x) { return (x << 23) | (x >> 41); }

static op32 table32[16] = {
    f_add, f_sub, f_xor, f_mul, f_rotl, f_shr, f_min, f_max,
    f_avg, f_mix, f_div, f_rem, f_not, f_and, f_or, f_neg,
};
static op64 table64[4] = { g_mul, g_xs, g_add, g_rot };

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t calls = units * CALLS_PER_UNIT;
    uint32_t a = 0x12345678u, b = 0x9abcdef0u;
    uint64_t w = 0x0123456789abcdefull;
    uint32_t hist[16] = {0};
    for (uint32_t i = 0; i < calls; i++) {
        uint32_t idx = (a ^ (a >> 7) ^ i) & 15u;
        hist[idx]++;
        uint32_t r = table32[idx](a, b);
        b = a;
        a = r ^ i;
        if ((i & 7u) == 0) {
            w = table64[(w >> 61) & 3u](w ^ r);
            a += (uint32_t)(w >> 32);
        }
    }
    uint32_t h = 2166136261u;
    h = (h ^ a) * 16777619u;
    h = (h ^ b) * 16777619u;
    h = (h ^ (uint32_t)w) * 16777619u;
    h = (h ^ (uint32_t)(w >> 32)) * 16777619u;
    for (int k = 0; k < 16; k++) h = (h ^ hist[k]) * 16777619u;
    printf("checksum: %u\n", (unsigned)h);
    return 0;
}
