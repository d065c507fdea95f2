/* histogram.c - WebAssembly SIMD: byte statistics over a 4 MiB PRNG buffer.
 * One fused scan per pass computes, 16 bytes at a time: a 256-bin histogram
 * (lane extraction), the total popcount (i8x16.popcnt), nibble-table weights
 * (i8x16.swizzle, including out-of-range indices that give 0), counts of
 * bytes above a threshold (unsigned gt), below a key (signed lt) and equal to
 * the next byte (unaligned load + eq), sums of rounding averages and absolute
 * differences with the next byte (avgr_u, sub_sat_u), i16 sign bits
 * (i16x8.bitmask), chunks with a zero byte (any_true) and chunks with all
 * bytes >= 8 (all_true), unsigned and signed min/max of each 64-byte group
 * (min/max + shuffle reductions), and the positions of a key byte
 * (i8x16.bitmask + ctz). The small counters are widened with
 * extadd_pairwise (u8 -> u16 -> u32) once per 2 KiB block. A pass then
 * builds the next buffer as next[i] = cur[i] + cur[i + S] + key (i8x16.add).
 * With -msimd128 (__wasm_simd128__) the scan uses wasm_simd128.h intrinsics;
 * otherwise plain scalar C computing the same numbers.
 * Usage: histogram [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../bench.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define BUF_LEN (4u << 20)
#define BLOCK 2048u          /* bytes per counter flush: 128 chunks of 16 */
#define GROUP 64u            /* bytes per min/max group */
#define PASSES_PER_UNIT 3u

typedef struct {
    uint32_t hist[4][256];
    uint64_t popcnt, weights, above, below_key, eq_next, avg_next, sad_next, sign16;
    uint32_t zero_chunks, ge8_chunks;
    uint32_t minmax_hash, pos_hash;
} stats;

/* weight tables, indexed by (b & 31) and (b >> 3); indices 16..31 are out of
 * range for i8x16.swizzle, which gives 0 for them (the zero upper halves) */
static const uint8_t TLO[32] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3 };
static const uint8_t THI[32] = { 2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5 };

#ifdef __wasm_simd128__

/* u8x16 -> u16x8 -> u32x4 sum of all lanes of a u16x8 vector, added to a u32x4 */
#define FLUSH16(acc32, v16) acc32 = wasm_i32x4_add(acc32, wasm_u32x4_extadd_pairwise_u16x8(v16))
/* a u8x16 count vector (lanes <= 255) widened into a u16x8 accumulator */
#define WIDEN8(acc16, v8) acc16 = wasm_i16x8_add(acc16, wasm_u16x8_extadd_pairwise_u8x16(v8))

static uint64_t sum_u32x4(v128_t v) {
    return (uint64_t)wasm_u32x4_extract_lane(v, 0) + wasm_u32x4_extract_lane(v, 1) +
           wasm_u32x4_extract_lane(v, 2) + wasm_u32x4_extract_lane(v, 3);
}

/* reduce 16 u8 lanes with OP into lane 0 (shuffles halve the width) */
#define HREDUCE8(OP, v)                                                                      \
    do {                                                                                     \
        v = OP(v, wasm_i64x2_shuffle(v, v, 1, 0));                                           \
        v = OP(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));                                     \
        v = OP(v, wasm_i16x8_shuffle(v, v, 1, 0, 3, 2, 5, 4, 7, 6));                         \
        v = OP(v, wasm_i8x16_shuffle(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)); \
    } while (0)

static void scan(const uint8_t *buf, uint8_t key, uint8_t thr, stats *st) {
    const v128_t tlo = wasm_v128_load(TLO), thi = wasm_v128_load(THI);
    const v128_t m31 = wasm_i8x16_splat(31), keyv = wasm_i8x16_splat((int8_t)key);
    const v128_t thrv = wasm_u8x16_splat(thr), eight = wasm_u8x16_splat(8);
    const v128_t zero = wasm_i8x16_splat(0);
    v128_t pop32 = zero, wt32 = zero, above32 = zero, below32 = zero, eq32 = zero;
    v128_t avg32 = zero, sad32 = zero;
    uint32_t (*hist)[256] = st->hist;
    uint64_t sign16 = 0;
    uint32_t zero_chunks = 0, ge8_chunks = 0, pos_hash = st->pos_hash, mm_hash = st->minmax_hash;
    for (uint32_t blk = 0; blk < BUF_LEN; blk += BLOCK) {
        v128_t pop16 = zero, wt16 = zero, avg16 = zero, sad16 = zero;
        v128_t above8 = zero, below8 = zero, eq8 = zero;
        for (uint32_t g = blk; g < blk + BLOCK; g += GROUP) {
            v128_t umin = wasm_i8x16_splat(-1), umax = zero;
            v128_t smin = wasm_i8x16_splat(127), smax = wasm_i8x16_splat(-128);
            for (uint32_t i = g; i < g + GROUP; i += 16) {
                const uint8_t *p = buf + i;
                v128_t v = wasm_v128_load(p);
                v128_t nx = wasm_v128_load(p + 1); /* unaligned; buf has a 16-byte wrap pad */
#define HL(k) hist[(k) & 3][wasm_u8x16_extract_lane(v, k)]++;
                HL(0) HL(1) HL(2) HL(3) HL(4) HL(5) HL(6) HL(7)
                HL(8) HL(9) HL(10) HL(11) HL(12) HL(13) HL(14) HL(15)
#undef HL
                WIDEN8(pop16, wasm_i8x16_popcnt(v));
                v128_t w = wasm_i8x16_add(wasm_i8x16_swizzle(tlo, wasm_v128_and(v, m31)),
                                          wasm_i8x16_swizzle(thi, wasm_u8x16_shr(v, 3)));
                WIDEN8(wt16, w);
                above8 = wasm_i8x16_sub(above8, wasm_u8x16_gt(v, thrv));
                below8 = wasm_i8x16_sub(below8, wasm_i8x16_lt(v, keyv));
                eq8 = wasm_i8x16_sub(eq8, wasm_i8x16_eq(v, nx));
                WIDEN8(avg16, wasm_u8x16_avgr(v, nx));
                WIDEN8(sad16, wasm_v128_or(wasm_u8x16_sub_sat(v, nx), wasm_u8x16_sub_sat(nx, v)));
                sign16 += (uint32_t)__builtin_popcount(wasm_i16x8_bitmask(v));
                zero_chunks += wasm_v128_any_true(wasm_i8x16_eq(v, zero));
                ge8_chunks += wasm_i8x16_all_true(wasm_u8x16_ge(v, eight));
                umin = wasm_u8x16_min(umin, v);
                umax = wasm_u8x16_max(umax, v);
                smin = wasm_i8x16_min(smin, v);
                smax = wasm_i8x16_max(smax, v);
                uint32_t bits = (uint32_t)wasm_i8x16_bitmask(wasm_i8x16_eq(v, keyv));
                while (bits) {
                    pos_hash = (pos_hash ^ (i + (uint32_t)__builtin_ctz(bits))) * 16777619u;
                    bits &= bits - 1u;
                }
            }
            HREDUCE8(wasm_u8x16_min, umin);
            HREDUCE8(wasm_u8x16_max, umax);
            HREDUCE8(wasm_i8x16_min, smin);
            HREDUCE8(wasm_i8x16_max, smax);
            uint32_t mm = (uint32_t)wasm_u8x16_extract_lane(umin, 0) |
                          (uint32_t)wasm_u8x16_extract_lane(umax, 0) << 8 |
                          (uint32_t)wasm_u8x16_extract_lane(smin, 0) << 16 |
                          (uint32_t)wasm_u8x16_extract_lane(smax, 0) << 24;
            mm_hash = (mm_hash ^ mm) * 16777619u;
        }
        FLUSH16(pop32, pop16);
        FLUSH16(wt32, wt16);
        FLUSH16(avg32, avg16);
        FLUSH16(sad32, sad16);
        FLUSH16(above32, wasm_u16x8_extadd_pairwise_u8x16(above8));
        FLUSH16(below32, wasm_u16x8_extadd_pairwise_u8x16(below8));
        FLUSH16(eq32, wasm_u16x8_extadd_pairwise_u8x16(eq8));
    }
    st->sign16 += sign16;
    st->zero_chunks += zero_chunks; st->ge8_chunks += ge8_chunks;
    st->pos_hash = pos_hash; st->minmax_hash = mm_hash;
    st->popcnt += sum_u32x4(pop32);
    st->weights += sum_u32x4(wt32);
    st->above += sum_u32x4(above32);
    st->below_key += sum_u32x4(below32);
    st->eq_next += sum_u32x4(eq32);
    st->avg_next += sum_u32x4(avg32);
    st->sad_next += sum_u32x4(sad32);
}

/* next[i] = cur[i] + cur[(i + shift) % BUF_LEN] + key, shift a multiple of 16 */
static void step(uint8_t *next, const uint8_t *cur, uint32_t shift, uint8_t key) {
    v128_t k = wasm_i8x16_splat((int8_t)key);
    uint32_t i = 0;
    for (; i < BUF_LEN - shift; i += 16)
        wasm_v128_store(next + i, wasm_i8x16_add(wasm_i8x16_add(wasm_v128_load(cur + i),
                                                                wasm_v128_load(cur + i + shift)), k));
    for (; i < BUF_LEN; i += 16)
        wasm_v128_store(next + i, wasm_i8x16_add(wasm_i8x16_add(wasm_v128_load(cur + i),
                                                                wasm_v128_load(cur + i + shift - BUF_LEN)), k));
}

#else /* scalar */

static void scan(const uint8_t *buf, uint8_t key, uint8_t thr, stats *st) {
    static const uint8_t pc4[16] = { 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4 };
    uint64_t pop = 0, wt = 0, above = 0, below = 0, eq = 0, avg = 0, sad = 0, sign16 = 0;
    uint32_t zero_chunks = 0, ge8_chunks = 0, pos_hash = st->pos_hash, mm_hash = st->minmax_hash;
    for (uint32_t g = 0; g < BUF_LEN; g += GROUP) {
        uint8_t umin = 255, umax = 0;
        int8_t smin = 127, smax = -128;
        for (uint32_t c = g; c < g + GROUP; c += 16) {
            uint32_t has_zero = 0, all_ge8 = 1;
            for (uint32_t i = c; i < c + 16; i++) {
                uint8_t b = buf[i], n = buf[i + 1];
                st->hist[i & 3][b]++;
                pop += pc4[b & 15] + pc4[b >> 4];
                wt += (uint32_t)TLO[b & 31] + THI[b >> 3];
                above += b > thr;
                below += (int8_t)b < (int8_t)key;
                eq += b == n;
                avg += (uint32_t)(b + n + 1) >> 1;
                int32_t d = (int32_t)b - (int32_t)n;
                sad += (uint32_t)(d < 0 ? -d : d);
                if (i & 1) sign16 += b >> 7;
                has_zero |= b == 0;
                all_ge8 &= b >= 8;
                if (b < umin) umin = b;
                if (b > umax) umax = b;
                if ((int8_t)b < smin) smin = (int8_t)b;
                if ((int8_t)b > smax) smax = (int8_t)b;
                if (b == key) pos_hash = (pos_hash ^ i) * 16777619u;
            }
            zero_chunks += has_zero;
            ge8_chunks += all_ge8;
        }
        uint32_t mm = (uint32_t)umin | (uint32_t)umax << 8 | (uint32_t)(uint8_t)smin << 16 |
                      (uint32_t)(uint8_t)smax << 24;
        mm_hash = (mm_hash ^ mm) * 16777619u;
    }
    st->popcnt += pop; st->weights += wt; st->above += above; st->below_key += below;
    st->eq_next += eq; st->avg_next += avg; st->sad_next += sad; st->sign16 += sign16;
    st->zero_chunks += zero_chunks; st->ge8_chunks += ge8_chunks;
    st->pos_hash = pos_hash; st->minmax_hash = mm_hash;
}

static void step(uint8_t *next, const uint8_t *cur, uint32_t shift, uint8_t key) {
    uint32_t i = 0;
    for (; i < BUF_LEN - shift; i++) next[i] = (uint8_t)(cur[i] + cur[i + shift] + key);
    for (; i < BUF_LEN; i++) next[i] = (uint8_t)(cur[i] + cur[i + shift - BUF_LEN] + key);
}

#endif

static uint64_t mix64(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t passes = units * PASSES_PER_UNIT;
    /* +16: a copy of the first 16 bytes, so the "next byte" of the last one is buf[0] */
    uint8_t *cur = malloc(BUF_LEN + 16), *next = malloc(BUF_LEN + 16);
    stats *st = calloc(1, sizeof *st);
    if (!cur || !next || !st) { fprintf(stderr, "out of memory\n"); return 1; }
    uint64_t s = 0x243f6a8885a308d3ull;
    for (uint32_t i = 0; i < BUF_LEN; i += 8) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        memcpy(cur + i, &s, 8); /* little-endian on both targets */
    }
    memcpy(cur + BUF_LEN, cur, 16);

    uint64_t h = 0xcbf29ce484222325ull;
    st->pos_hash = st->minmax_hash = 2166136261u;
    for (uint32_t p = 0; p < passes; p++) {
        uint8_t key = (uint8_t)(h >> 24), thr = (uint8_t)(h >> 40);
        scan(cur, key, thr, st);
        h = mix64(h, st->popcnt);
        h = mix64(h, st->weights);
        h = mix64(h, st->above);
        h = mix64(h, st->below_key);
        h = mix64(h, st->eq_next);
        h = mix64(h, st->avg_next);
        h = mix64(h, st->sad_next);
        h = mix64(h, st->sign16);
        h = mix64(h, (uint64_t)st->zero_chunks << 32 | st->ge8_chunks);
        h = mix64(h, (uint64_t)st->minmax_hash << 32 | st->pos_hash);
        for (int b = 0; b < 256; b++)
            h = mix64(h, (uint64_t)st->hist[0][b] + st->hist[1][b] + st->hist[2][b] + st->hist[3][b]);
        uint32_t shift = 16u * (1u + (uint32_t)(h % 65521u));
        step(next, cur, shift, (uint8_t)(key ^ 0x5a));
        memcpy(next + BUF_LEN, next, 16);
        uint8_t *t = cur; cur = next; next = t;
    }
    for (int b = 0; b < 256; b++) h = mix64(h, st->hist[b & 3][b]);
    h = mix64(h, cur[(uint32_t)h % BUF_LEN]);
    free(cur);
    free(next);
    free(st);
    printf("checksum: %016llx\n", (unsigned long long)h);
    return 0;
}
