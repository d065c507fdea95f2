/* dot.c - WebAssembly SIMD: f32/f64/i16/i8 dot products and f32
 * matrix-vector kernels. A power-iteration-like loop runs y = M x (row dot
 * products), z = M^T y (column axpy), x = z / sqrt(|z|^2 + z^2); then long
 * f32 vectors are dotted in f32 and f64, updated (mul/add, clamped with
 * pmin/pmax), quantized to i8 and i16 (trunc_sat/nearest + saturating
 * narrows) and dotted as integers (i32x4.dot_i16x8_s, extmul, extend +
 * i16x8.mul + extadd_pairwise), and the quantization error is summed.
 * With -msimd128 (__wasm_simd128__) the kernels use wasm_simd128.h
 * intrinsics; otherwise plain scalar C. Both compute the same values bit for
 * bit: f32/f64 sums keep a fixed number of lanes (acc[i % 4] or acc[i % 8])
 * and combine them in a fixed order, and no a*b + c is contracted into an FMA
 * (see the pragma below).
 * Usage: dot [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>
#include "../bench.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* No FMA contraction: a*b + c must round twice on every target, also when
 * built natively for a CPU with FMA (e.g. -march=native). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define MDIM 256            /* 256x256 f32 matrix: 256 KiB */
#define VLEN 16384          /* long vectors: 64 KiB per f32 array */
#define ROUNDS_PER_UNIT 600u

static _Alignas(16) float M[MDIM][MDIM];
static _Alignas(16) float xv[MDIM], yv[MDIM], zv[MDIM];
static _Alignas(16) float va[VLEN], vb[VLEN];
static _Alignas(16) int16_t q16[VLEN], w16[VLEN];
static _Alignas(16) int8_t q8[VLEN], w8[VLEN];

static uint32_t rng_state = 0x2545f491u;
static uint32_t xorshift32(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}
/* exact value in [-1, 1): a 24-bit signed integer / 2^23 */
static float rnd_unit(void) { return (float)((int32_t)xorshift32() >> 8) * (1.0f / 8388608.0f); }

static uint64_t mix64(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }
static uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t f64_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

/* f32 dot product, n a multiple of 8: eight running sums acc[i % 8],
 * combined as ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)). */
static float dot_f32(const float *a, const float *b, uint32_t n) {
#ifdef __wasm_simd128__
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = wasm_f32x4_splat(0.0f);
    for (uint32_t i = 0; i < n; i += 8) {
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
    }
    v128_t s = wasm_f32x4_add(s0, s1);                        /* k: a_k + a_{k+4} */
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 2, 3, 0, 1)); /* 0: (..0)+(..2) */
    s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(s, 0);
#else
    float acc[8] = {0};
    for (uint32_t i = 0; i < n; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    float s[4];
    for (int j = 0; j < 4; j++) s[j] = acc[j] + acc[j + 4];
    return (s[0] + s[2]) + (s[1] + s[3]);
#endif
}

/* f32 inputs widened to f64 (exact products), four running sums acc[i % 4],
 * combined as (a0+a2)+(a1+a3). */
static double dot_f64(const float *a, const float *b, uint32_t n) {
#ifdef __wasm_simd128__
    v128_t lo = wasm_f64x2_splat(0.0), hi = wasm_f64x2_splat(0.0);
    for (uint32_t i = 0; i < n; i += 4) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        lo = wasm_f64x2_add(lo, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(x),
                                               wasm_f64x2_promote_low_f32x4(y)));
        v128_t xh = wasm_i64x2_shuffle(x, x, 1, 0), yh = wasm_i64x2_shuffle(y, y, 1, 0);
        hi = wasm_f64x2_add(hi, wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(xh),
                                               wasm_f64x2_promote_low_f32x4(yh)));
    }
    v128_t s = wasm_f64x2_add(lo, hi); /* (a0+a2, a1+a3) */
    return wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
#else
    double acc[4] = {0};
    for (uint32_t i = 0; i < n; i += 4)
        for (int j = 0; j < 4; j++) acc[j] += (double)a[i + j] * (double)b[i + j];
    return (acc[0] + acc[2]) + (acc[1] + acc[3]);
#endif
}

/* round to f32 (f32x4.demote_f64x2_zero on the SIMD path) */
static float to_f32(double d) {
#ifdef __wasm_simd128__
    return wasm_f32x4_extract_lane(wasm_f32x4_demote_f64x2_zero(wasm_f64x2_splat(d)), 0);
#else
    return (float)d;
#endif
}

/* y = M x, one row dot product per output */
static void matvec_rows(void) {
    for (int r = 0; r < MDIM; r++) yv[r] = dot_f32(M[r], xv, MDIM);
}

/* z = M^T y, as z += M[i] * y[i] over rows i (so z[j] sums in i order) */
static void matvec_cols(void) {
#ifdef __wasm_simd128__
    for (int j = 0; j < MDIM; j += 4) wasm_v128_store(zv + j, wasm_f32x4_splat(0.0f));
    for (int i = 0; i < MDIM; i++) {
        v128_t yi = wasm_v128_load32_splat(yv + i);
        for (int j = 0; j < MDIM; j += 4)
            wasm_v128_store(zv + j, wasm_f32x4_add(wasm_v128_load(zv + j),
                                                   wasm_f32x4_mul(wasm_v128_load(&M[i][j]), yi)));
    }
#else
    for (int j = 0; j < MDIM; j++) zv[j] = 0.0f;
    for (int i = 0; i < MDIM; i++) {
        float yi = yv[i];
        for (int j = 0; j < MDIM; j++) zv[j] += M[i][j] * yi;
    }
#endif
}

/* x = z / sqrt(n2 + z*z), lane-wise */
static void squash(float n2) {
#ifdef __wasm_simd128__
    v128_t n = wasm_f32x4_splat(n2);
    for (int j = 0; j < MDIM; j += 4) {
        v128_t z = wasm_v128_load(zv + j);
        v128_t d = wasm_f32x4_sqrt(wasm_f32x4_add(n, wasm_f32x4_mul(z, z)));
        wasm_v128_store(xv + j, wasm_f32x4_div(z, d));
    }
#else
    for (int j = 0; j < MDIM; j++) {
        float z = zv[j];
        float d = sqrtf(n2 + z * z);
        xv[j] = z / d;
    }
#endif
}

/* a = clamp(a*k1 + b*k2, -lim, lim); the clamp is pmin/pmax (b < a ? b : a) */
static void update_a(float k1, float k2, float lim) {
#ifdef __wasm_simd128__
    v128_t c1 = wasm_f32x4_splat(k1), c2 = wasm_f32x4_splat(k2);
    v128_t hi = wasm_f32x4_splat(lim), lo = wasm_f32x4_neg(hi);
    for (uint32_t i = 0; i < VLEN; i += 4) {
        v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(va + i), c1),
                                  wasm_f32x4_mul(wasm_v128_load(vb + i), c2));
        v = wasm_f32x4_pmin(v, hi);
        v = wasm_f32x4_pmax(v, lo);
        wasm_v128_store(va + i, v);
    }
#else
    float lo = -lim;
    for (uint32_t i = 0; i < VLEN; i++) {
        float p = va[i] * k1, q = vb[i] * k2;
        float v = p + q;
        v = (lim < v) ? lim : v;
        v = (v < lo) ? lo : v;
        va[i] = v;
    }
#endif
}

#ifndef __wasm_simd128__
static int32_t sat16(int32_t v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }
static int32_t sat8(int32_t v) { return v < -128 ? -128 : v > 127 ? 127 : v; }
#endif

/* q8 = sat8(sat16(trunc(a*300))), q16 = sat16(nearest(a*40000)); |a| < 1 so
 * the f32 -> i32 conversions are in range, the narrows do saturate. */
static void quantize(void) {
#ifdef __wasm_simd128__
    v128_t s8 = wasm_f32x4_splat(300.0f), s16 = wasm_f32x4_splat(40000.0f);
    for (uint32_t i = 0; i < VLEN; i += 16) {
        v128_t f0 = wasm_v128_load(va + i), f1 = wasm_v128_load(va + i + 4);
        v128_t f2 = wasm_v128_load(va + i + 8), f3 = wasm_v128_load(va + i + 12);
        v128_t a0 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f0, s8));
        v128_t a1 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f1, s8));
        v128_t a2 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f2, s8));
        v128_t a3 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(f3, s8));
        wasm_v128_store(q8 + i, wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a0, a1),
                                                        wasm_i16x8_narrow_i32x4(a2, a3)));
        v128_t b0 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(f0, s16)));
        v128_t b1 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(f1, s16)));
        v128_t b2 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(f2, s16)));
        v128_t b3 = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(wasm_f32x4_mul(f3, s16)));
        wasm_v128_store(q16 + i, wasm_i16x8_narrow_i32x4(b0, b1));
        wasm_v128_store(q16 + i + 8, wasm_i16x8_narrow_i32x4(b2, b3));
    }
#else
    for (uint32_t i = 0; i < VLEN; i++) {
        q8[i] = (int8_t)sat8(sat16((int32_t)(va[i] * 300.0f)));
        q16[i] = (int16_t)sat16((int32_t)nearbyintf(va[i] * 40000.0f));
    }
#endif
}

/* sum of q16[i]*w16[i] (i32x4.dot_i16x8_s), wrapping u32 */
static uint32_t dot_i16(const int16_t *a, const int16_t *b, uint32_t n) {
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0);
    for (uint32_t i = 0; i < n; i += 8)
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    acc = wasm_i32x4_add(acc, wasm_i64x2_shuffle(acc, acc, 1, 0));
    acc = wasm_i32x4_add(acc, wasm_i32x4_shuffle(acc, acc, 1, 0, 3, 2));
    return (uint32_t)wasm_i32x4_extract_lane(acc, 0);
#else
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++) s += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
    return s;
#endif
}

/* sum of a[i]*a[i+1] over even i, via extmul (i16 -> i32), wrapping u32 */
static uint32_t pair_products(const int16_t *a, uint32_t n) {
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0);
    for (uint32_t i = 0; i < n; i += 16) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(a + i + 8);
        v128_t ev = wasm_i16x8_shuffle(x, y, 0, 2, 4, 6, 8, 10, 12, 14);
        v128_t od = wasm_i16x8_shuffle(x, y, 1, 3, 5, 7, 9, 11, 13, 15);
        acc = wasm_i32x4_add(acc, wasm_i32x4_extmul_low_i16x8(ev, od));
        acc = wasm_i32x4_add(acc, wasm_i32x4_extmul_high_i16x8(ev, od));
    }
    return (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
           (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
#else
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i += 2) s += (uint32_t)((int32_t)a[i] * (int32_t)a[i + 1]);
    return s;
#endif
}

/* sum of q8[i]*w8[i]: extend i8 -> i16, i16x8.mul (no overflow for i8
 * inputs), i32x4.extadd_pairwise_i16x8 */
static uint32_t dot_i8(const int8_t *a, const int8_t *b, uint32_t n) {
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0);
    for (uint32_t i = 0; i < n; i += 16) {
        v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
        v128_t lo = wasm_i16x8_mul(wasm_i16x8_extend_low_i8x16(x), wasm_i16x8_extend_low_i8x16(y));
        v128_t hi = wasm_i16x8_mul(wasm_i16x8_extend_high_i8x16(x), wasm_i16x8_extend_high_i8x16(y));
        acc = wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(lo));
        acc = wasm_i32x4_add(acc, wasm_i32x4_extadd_pairwise_i16x8(hi));
    }
    return (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
           (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
#else
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++) s += (uint32_t)((int32_t)a[i] * (int32_t)b[i]);
    return s;
#endif
}

/* quantization error of q8: d = a - q8/300 (i8 -> i32 -> f32); returns
 * sum d*d and sums |d| into *abs_sum, each with acc[i % 4], (a0+a2)+(a1+a3) */
static float quant_error(float *abs_sum) {
    const float inv = 1.0f / 300.0f;
#ifdef __wasm_simd128__
    v128_t sq = wasm_f32x4_splat(0.0f), ab = wasm_f32x4_splat(0.0f), iv = wasm_f32x4_splat(inv);
    for (uint32_t i = 0; i < VLEN; i += 16) {
        v128_t q = wasm_v128_load(q8 + i);
        v128_t h0 = wasm_i16x8_extend_low_i8x16(q), h1 = wasm_i16x8_extend_high_i8x16(q);
        v128_t e[4] = { wasm_i32x4_extend_low_i16x8(h0), wasm_i32x4_extend_high_i16x8(h0),
                        wasm_i32x4_extend_low_i16x8(h1), wasm_i32x4_extend_high_i16x8(h1) };
        for (int k = 0; k < 4; k++) {
            v128_t d = wasm_f32x4_sub(wasm_v128_load(va + i + 4 * k),
                                      wasm_f32x4_mul(wasm_f32x4_convert_i32x4(e[k]), iv));
            sq = wasm_f32x4_add(sq, wasm_f32x4_mul(d, d));
            ab = wasm_f32x4_add(ab, wasm_f32x4_abs(d));
        }
    }
    sq = wasm_f32x4_add(sq, wasm_i32x4_shuffle(sq, sq, 2, 3, 0, 1));
    ab = wasm_f32x4_add(ab, wasm_i32x4_shuffle(ab, ab, 2, 3, 0, 1));
    *abs_sum = wasm_f32x4_extract_lane(ab, 0) + wasm_f32x4_extract_lane(ab, 1);
    return wasm_f32x4_extract_lane(sq, 0) + wasm_f32x4_extract_lane(sq, 1);
#else
    float sq[4] = {0}, ab[4] = {0};
    for (uint32_t i = 0; i < VLEN; i++) {
        float d = va[i] - (float)(int32_t)q8[i] * inv;
        sq[i & 3] += d * d;
        ab[i & 3] += fabsf(d);
    }
    *abs_sum = (ab[0] + ab[2]) + (ab[1] + ab[3]);
    return (sq[0] + sq[2]) + (sq[1] + sq[3]);
#endif
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t rounds = units * ROUNDS_PER_UNIT;

    for (int i = 0; i < MDIM; i++)
        for (int j = 0; j < MDIM; j++) M[i][j] = rnd_unit();
    for (int i = 0; i < MDIM; i++) xv[i] = rnd_unit() * 0.0625f;
    for (uint32_t i = 0; i < VLEN; i++) {
        va[i] = rnd_unit();
        vb[i] = rnd_unit();
        uint32_t r = xorshift32();
        w16[i] = (int16_t)(r >> 16);
        w8[i] = (int8_t)(r >> 3);
    }
    /* a few extreme weights so that dot_i16x8_s sees -32768 * -32768 */
    w16[0] = w16[VLEN - 1] = -32768;

    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t r = 0; r < rounds; r++) {
        matvec_rows();
        matvec_cols();
        float n2 = dot_f32(zv, zv, MDIM);
        squash(n2);
        h = mix64(h, f32_bits(n2));

        float fd = dot_f32(va, vb, VLEN);
        double dd = dot_f64(va, vb, VLEN);
        h = mix64(h, f32_bits(fd));
        h = mix64(h, f64_bits(dd));

        /* k1 in about 0.5 .. 0.75, k2 = +-0.5; dd/VLEN is small */
        float k1 = 0.625f + xv[r % MDIM] + to_f32(dd) * (1.0f / VLEN);
        float k2 = (r & 1u) ? 0.5f : -0.5f;
        update_a(k1, k2, 0.9375f);
        /* keep q16 hitting both saturation bounds now and then */
        va[(r * 97u) % VLEN] = (r & 2u) ? 0.9375f : -0.9375f;

        quantize();
        h = mix64(h, dot_i16(q16, w16, VLEN));
        h = mix64(h, pair_products(q16, VLEN));
        h = mix64(h, dot_i8(q8, w8, VLEN));
        float ab;
        float sq = quant_error(&ab);
        h = mix64(h, f32_bits(sq));
        h = mix64(h, f32_bits(ab));
    }
    for (int i = 0; i < MDIM; i++) h = mix64(h, f32_bits(xv[i]));
    for (uint32_t i = 0; i < VLEN; i += 61) h = mix64(h, f32_bits(va[i]));
    printf("checksum: %016llx\n", (unsigned long long)h);
    return 0;
}
