// random.c - random_get through getentropy/arc4random_buf and raw calls.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"
#define RAW(call) (errno = (int)(call))

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

int main(void) {
    uint8_t a[64], b[64];

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(getentropy(a, sizeof a) == 0);
    CHECK(getentropy(b, sizeof b) == 0);
    CHECK(!all_zero(a, sizeof a));
    CHECK(!all_zero(b, sizeof b));
    CHECK(memcmp(a, b, sizeof a) != 0);
    OK("getentropy 64 bytes twice: non-zero and different");

    // getentropy allows at most 256 bytes
    {
        uint8_t big[257];
        CHECK(getentropy(big, 256) == 0);
        errno = 0;
        CHECK(getentropy(big, 257) == -1 && errno == EIO);
    }
    OK("getentropy 256 ok, 257 gives EIO");

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    arc4random_buf(a, sizeof a);
    arc4random_buf(b, sizeof b);
    CHECK(!all_zero(a, sizeof a));
    CHECK(memcmp(a, b, sizeof a) != 0);
    OK("arc4random_buf 64 bytes twice: non-zero and different");

    // Raw random_get: exact length, no write past the end, large buffers.
    {
        static uint8_t buf[70000];
        memset(buf, 0, sizeof buf);
        CHECK(RAW(__wasi_random_get(buf + 1, 64)) == 0);
        CHECK(buf[0] == 0 && buf[65] == 0); // nothing outside [1, 65)
        CHECK(!all_zero(buf + 1, 64));
        CHECK(RAW(__wasi_random_get(buf, 0)) == 0);
        memset(buf, 0, sizeof buf);
        CHECK(RAW(__wasi_random_get(buf, sizeof buf)) == 0);
        // every 4 KiB chunk got filled (catches hosts that fill only a prefix)
        for (size_t off = 0; off + 4096 <= sizeof buf; off += 4096)
            CHECK(!all_zero(buf + off, 4096));
        CHECK(!all_zero(buf + sizeof buf - 64, 64));
    }
    OK("raw random_get exact length, zero length, 70000 bytes");

    // Rough sanity: bytes are not heavily biased (very loose bound).
    {
        static uint8_t buf[65536];
        unsigned ones = 0;
        CHECK(RAW(__wasi_random_get(buf, sizeof buf)) == 0);
        for (size_t i = 0; i < sizeof buf; i++) ones += __builtin_popcount(buf[i]);
        // expected 262144 set bits; allow +-2%
        CHECK(ones > 256900 && ones < 267400);
    }
    OK("random bits roughly balanced");
    return 0;
}
