/* matmul.c - memory-heavy loads/stores: naive i-j-k matrix multiply of
 * 512x512 uint32 matrices (row-wise loads of A, column-strided loads of B,
 * stores to C), repeated with the result fed back as the next input.
 * Usage: matmul [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define DIM 512
#define MULS_PER_UNIT 1u


static uint32_t rng_state = 0x9e3779b9u;
static uint32_t xorshift32(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static uint32_t A[DIM][DIM], B[DIM][DIM], C[DIM][DIM];

static void matmul(void) {
    for (int i = 0; i < DIM; i++) {
        for (int j = 0; j < DIM; j++) {
            uint32_t sum = 0;
            for (int k = 0; k < DIM; k++) sum += A[i][k] * B[k][j];
            C[i][j] = sum;
        }
    }
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    uint32_t reps = units * MULS_PER_UNIT;
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            A[i][j] = xorshift32() & 0xffffu;
            B[i][j] = xorshift32() & 0xffffu;
        }
    uint32_t h = 2166136261u;
    for (uint32_t r = 0; r < reps; r++) {
        matmul();
        /* feed the result back (transposed, so access patterns vary) */
        for (int i = 0; i < DIM; i++)
            for (int j = 0; j < DIM; j++)
                A[j][i] = (C[i][j] >> 7) ^ r;
        h = (h ^ C[r % DIM][(r * 7u) % DIM]) * 16777619u;
    }
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++)
            h = (h ^ C[i][j]) * 16777619u;
    printf("checksum: %u\n", (unsigned)h);
    return 0;
}
