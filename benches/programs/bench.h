/* bench.h - what every benchmark program shares: the work scale.
 * No argument: 5 units; N: 5*N units; q: 1 unit (quick mode); 0: no work,
 * so that a run measures start-up only. */
#ifndef STRATA_BENCH_H
#define STRATA_BENCH_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t parse_units(int argc, char **argv) {
    if (argc < 2) return 5;
    if (strcmp(argv[1], "q") == 0) return 1;
    long n = strtol(argv[1], NULL, 10);
    if (n < 0) n = 0; /* 0: start-up only, no work */
    return (uint32_t)n * 5u;
}

#endif
