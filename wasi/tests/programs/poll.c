// poll.c - poll() (poll_oneoff with fd_read/fd_write/clock subscriptions)
// and sched_yield. Run with stdin "poll me\n".
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"
#define RAW(call) (errno = (int)(call))

static int64_t mono_ns(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(void) {
    // --- stdin becomes readable (the harness feeds data) ---
    {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        int n = poll(&p, 1, 5000);
        CHECK(n == 1);
        CHECK((p.revents & POLLIN) != 0);
        CHECK((p.revents & (POLLERR | POLLNVAL)) == 0);
        char buf[64];
        size_t len = 0;
        ssize_t r;
        while ((r = read(0, buf + len, sizeof buf - len)) > 0) len += (size_t)r;
        CHECK(r == 0);
        CHECK(len == 8 && memcmp(buf, "poll me\n", 8) == 0);
    }
    OK("poll stdin POLLIN ready, data read back");

    // --- stdout is writable ---
    {
        fflush(stdout);
        struct pollfd p = {.fd = 1, .events = POLLOUT};
        int n = poll(&p, 1, 5000);
        CHECK(n == 1);
        CHECK((p.revents & POLLOUT) != 0);
    }
    OK("poll stdout POLLOUT ready");

    // --- no fds, 20 ms timeout ---
    {
        int64_t before = mono_ns();
        int n = poll(NULL, 0, 20);
        int64_t elapsed = mono_ns() - before;
        CHECK(n == 0);
        CHECK(elapsed >= 20 * 1000 * 1000);
        CHECK(elapsed < 5LL * 1000 * 1000 * 1000);
    }
    OK("poll with no fds and 20ms timeout returns 0 after >= 20ms");

    // --- two clock subscriptions: only the earlier one fires ---
    {
        __wasi_subscription_t subs[2] = {
            {.userdata = 200,
             .u.tag = __WASI_EVENTTYPE_CLOCK,
             .u.u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 2000000000ULL}},
            {.userdata = 5,
             .u.tag = __WASI_EVENTTYPE_CLOCK,
             .u.u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 5000000ULL}},
        };
        __wasi_event_t ev[2];
        __wasi_size_t nev = 0;
        memset(ev, 0xff, sizeof ev);
        int64_t before = mono_ns();
        CHECK(RAW(__wasi_poll_oneoff(subs, ev, 2, &nev)) == 0);
        int64_t elapsed = mono_ns() - before;
        CHECK(nev == 1);
        CHECK(ev[0].userdata == 5);
        CHECK(ev[0].error == 0);
        CHECK(ev[0].type == __WASI_EVENTTYPE_CLOCK);
        CHECK(elapsed >= 5 * 1000 * 1000);
        CHECK(elapsed < 1000LL * 1000 * 1000);
    }
    OK("raw poll_oneoff with two clocks reports only the earlier");

    // --- fd_write subscription on stdout together with a long clock ---
    {
        __wasi_subscription_t subs[2] = {
            {.userdata = 1,
             .u.tag = __WASI_EVENTTYPE_CLOCK,
             .u.u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 3000000000ULL}},
            {.userdata = 2,
             .u.tag = __WASI_EVENTTYPE_FD_WRITE,
             .u.u.fd_write = {.file_descriptor = 1}},
        };
        __wasi_event_t ev[2];
        __wasi_size_t nev = 0;
        int64_t before = mono_ns();
        CHECK(RAW(__wasi_poll_oneoff(subs, ev, 2, &nev)) == 0);
        CHECK(mono_ns() - before < 2000LL * 1000 * 1000);
        CHECK(nev == 1);
        CHECK(ev[0].userdata == 2);
        CHECK(ev[0].type == __WASI_EVENTTYPE_FD_WRITE);
        CHECK(ev[0].error == 0);
    }
    OK("raw poll_oneoff fd_write on stdout fires before the clock");

    // --- zero subscriptions is EINVAL ---
    {
        __wasi_subscription_t sub;
        __wasi_event_t ev;
        __wasi_size_t nev = 99;
        CHECK(RAW(__wasi_poll_oneoff(&sub, &ev, 0, &nev)) == __WASI_ERRNO_INVAL);
    }
    OK("raw poll_oneoff with zero subscriptions gives EINVAL");

    // --- sched_yield ---
    CHECK(sched_yield() == 0);
    CHECK(RAW(__wasi_sched_yield()) == 0);
    OK("sched_yield");
    return 0;
}
