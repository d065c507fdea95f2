/* bulkmem.c - bulk memory: memset, memcpy and (overlapping) memmove over two
 * 8 MiB buffers with PRNG-chosen offsets and lengths from 256 B to 1 MiB.
 * With clang -mbulk-memory these become memory.fill / memory.copy.
 * Usage: bulkmem [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define BUF_LEN (8u << 20)
#define OPS_PER_UNIT 12000u


static uint32_t rng_state = 0xdeadbeefu;
static uint32_t rnd(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* length: 256 B .. 1 MiB, skewed towards the small end */
static uint32_t rnd_len(void) {
    uint32_t r = rnd();
    uint32_t shift = 8u + (r % 13u); /* 2^8 .. 2^20 */
    return (1u << shift) - ((r >> 8) & ((1u << (shift - 1)) - 1u));
}

static uint64_t hash_words(const uint8_t *p, uint32_t n, uint64_t h) {
    for (uint32_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
    }
    return h;
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint8_t *a = malloc(BUF_LEN), *b = malloc(BUF_LEN);
    if (!a || !b) { fprintf(stderr, "out of memory\n"); return 1; }
    for (uint32_t i = 0; i < BUF_LEN; i++) {
        a[i] = (uint8_t)(i * 7u + (i >> 11));
        b[i] = (uint8_t)(i * 13u ^ (i >> 9));
    }

    uint32_t h = 2166136261u;
    uint32_t ops = units * OPS_PER_UNIT;
    for (uint32_t k = 0; k < ops; k++) {
        uint32_t len = rnd_len();
        uint32_t src = rnd() % (BUF_LEN - len + 1u);
        uint32_t dst = rnd() % (BUF_LEN - len + 1u);
        switch (k % 5u) {
        case 0: memset(a + dst, (int)(k & 0xffu), len); break;
        case 1: memcpy(b + dst, a + src, len); break;
        case 2: memcpy(a + dst, b + src, len); break;
        case 3: {
            /* overlapping move within one buffer, both directions */
            uint32_t delta = 1u + (rnd() % 4096u);
            if (len + delta > BUF_LEN) delta = BUF_LEN - len;
            uint32_t base = rnd() % (BUF_LEN - len - delta + 1u);
            if (k & 1u) memmove(a + base + delta, a + base, len);
            else memmove(a + base, a + base + delta, len);
            dst = base;
            break;
        }
        default: memmove(b + dst, b + src, len); break;
        }
        /* sample a few bytes so each op is observed */
        h = (h ^ a[dst]) * 16777619u;
        h = (h ^ b[(dst + len - 1u) % BUF_LEN]) * 16777619u;
        h = (h ^ a[src + (len >> 1)]) * 16777619u;
    }
    uint64_t f = 0xcbf29ce484222325ull ^ h;
    f = hash_words(a, BUF_LEN, f);
    f = hash_words(b, BUF_LEN, f);
    free(a);
    free(b);
    printf("checksum: %016llx\n", (unsigned long long)f);
    return 0;
}
