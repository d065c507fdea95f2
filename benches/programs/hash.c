/* hash.c - hashing: SHA-256 (32-bit rotates, shifts, adds, big-endian
 * loads) and 64-bit FNV-1a (byte loop, 64-bit multiply) over a 1 MiB buffer
 * filled by a fixed-seed PRNG; each pass perturbs the buffer with the last
 * digest so passes cannot be merged.
 * Usage: hash [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define BUF_LEN (1u << 20)
#define SHA_PASSES_PER_UNIT 11u
#define FNV_PASSES_PER_UNIT 6u


typedef struct {
    uint32_t h[8];
    uint8_t block[64];
    uint32_t fill;
    uint64_t total;
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};

static inline uint32_t rotr(uint32_t x, uint32_t n) { return (x >> n) | (x << (32u - n)); }

static void sha256_block(uint32_t h[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
               ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K[i] + w[i];
        uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + maj;
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_init(sha256_ctx *c) {
    static const uint32_t iv[8] = { 0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                    0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u };
    memcpy(c->h, iv, sizeof iv);
    c->fill = 0;
    c->total = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, uint32_t n) {
    c->total += n;
    while (n > 0) {
        if (c->fill == 0 && n >= 64) {
            sha256_block(c->h, p);
            p += 64; n -= 64;
            continue;
        }
        uint32_t take = 64u - c->fill;
        if (take > n) take = n;
        memcpy(c->block + c->fill, p, take);
        c->fill += take; p += take; n -= take;
        if (c->fill == 64) { sha256_block(c->h, c->block); c->fill = 0; }
    }
}

static void sha256_final(sha256_ctx *c, uint8_t out[32]) {
    uint64_t bits = c->total * 8u;
    uint8_t pad = 0x80;
    sha256_update(c, &pad, 1);
    uint8_t zero = 0;
    while (c->fill != 56) sha256_update(c, &zero, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(c, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

static uint64_t fnv1a64(const uint8_t *p, uint32_t n, uint64_t h) {
    for (uint32_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);

    /* self-test: SHA-256("abc") */
    {
        static const uint8_t expect[4] = { 0xba, 0x78, 0x16, 0xbf };
        sha256_ctx c;
        uint8_t d[32];
        sha256_init(&c);
        sha256_update(&c, (const uint8_t *)"abc", 3);
        sha256_final(&c, d);
        if (memcmp(d, expect, 4) != 0) { printf("checksum: sha256-selftest-failed\n"); return 1; }
    }

    uint8_t *buf = malloc(BUF_LEN);
    if (!buf) { fprintf(stderr, "out of memory\n"); return 1; }
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < BUF_LEN; i += 8) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        for (int k = 0; k < 8; k++) buf[i + k] = (uint8_t)(s >> (8 * k));
    }

    uint8_t digest[32] = {0};
    uint32_t sha_passes = units * SHA_PASSES_PER_UNIT;
    for (uint32_t p = 0; p < sha_passes; p++) {
        memcpy(buf + (p * 4099u) % (BUF_LEN - 32u), digest, 32);
        sha256_ctx c;
        sha256_init(&c);
        /* odd split so both the block path and the buffered path run */
        sha256_update(&c, buf, 1001u);
        sha256_update(&c, buf + 1001u, BUF_LEN - 1001u);
        sha256_final(&c, digest);
    }

    uint64_t f = 0xcbf29ce484222325ull;
    uint32_t fnv_passes = units * FNV_PASSES_PER_UNIT;
    for (uint32_t p = 0; p < fnv_passes; p++) {
        buf[(p * 7919u) % BUF_LEN] ^= (uint8_t)f;
        f = fnv1a64(buf, BUF_LEN, f);
    }
    free(buf);

    uint64_t h = f;
    for (int i = 0; i < 32; i++) h = (h ^ digest[i]) * 0x100000001b3ull;
    printf("checksum: %016llx\n", (unsigned long long)h);
    return 0;
}
