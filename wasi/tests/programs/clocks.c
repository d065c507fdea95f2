// clocks.c - clock_time_get, clock_res_get and clock subscriptions in
// poll_oneoff (used by nanosleep/clock_nanosleep).
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <wasi/api.h>

#include "check.h"
#define RAW(call) (errno = (int)(call))

static int64_t ns(const struct timespec *t) {
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t mono_ns(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0);
    return ns(&t);
}

int main(void) {
    struct timespec t, r;
    static const struct {
        clockid_t id;
        const char *name;
    } clocks[] = {
        {CLOCK_REALTIME, "CLOCK_REALTIME"},
        {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
        {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
        {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    };

    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        CHECK(clock_gettime(clocks[i].id, &t) == 0);
        CHECK(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
        CHECK(clock_getres(clocks[i].id, &r) == 0);
        CHECK(r.tv_sec >= 0 && r.tv_nsec >= 0 && r.tv_nsec < 1000000000);
        CHECK(ns(&r) > 0);
        CHECK(ns(&r) <= 1000000000); // resolution no coarser than 1s
        printf("ok clock_gettime/clock_getres %s\n", clocks[i].name);
    }

    // Raw calls: ids 0..3 are the four preview1 clocks; others are EINVAL.
    {
        __wasi_timestamp_t ts = 0;
        for (__wasi_clockid_t id = 0; id < 4; id++) {
            CHECK(RAW(__wasi_clock_time_get(id, 1, &ts)) == 0);
            CHECK(RAW(__wasi_clock_res_get(id, &ts)) == 0 && ts > 0);
        }
        CHECK(RAW(__wasi_clock_time_get(4, 1, &ts)) == __WASI_ERRNO_INVAL);
        CHECK(RAW(__wasi_clock_res_get(99, &ts)) == __WASI_ERRNO_INVAL);
        OK("raw clock ids 0-3 valid, 4 and 99 give EINVAL");
    }

    // Realtime is after 2020-01-01T00:00:00Z and before 2200.
    CHECK(clock_gettime(CLOCK_REALTIME, &t) == 0);
    CHECK(t.tv_sec > 1577836800);
    CHECK(t.tv_sec < 7258118400LL);
    CHECK(time(NULL) > 1577836800);
    {
        struct timeval tv;
        CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1577836800);
    }
    OK("realtime is after 2020-01-01");

    // Monotonic never goes backwards over a busy loop.
    {
        int64_t prev = mono_ns(), first = prev;
        volatile uint64_t sink = 0;
        for (int i = 0; i < 20000; i++) {
            for (int j = 0; j < 50; j++) sink += (uint64_t)j * i;
            int64_t now = mono_ns();
            CHECK(now >= prev);
            prev = now;
        }
        CHECK(prev > first); // and it did advance
        (void)sink;
    }
    OK("monotonic does not go backwards across a busy loop");

    // CPU-time clock does not go backwards either.
    {
        struct timespec a, b;
        CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a) == 0);
        volatile uint64_t sink = 0;
        for (int i = 0; i < 1000000; i++) sink += i;
        CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b) == 0);
        CHECK(ns(&b) >= ns(&a));
        (void)sink;
    }
    OK("process cputime does not go backwards");

    // nanosleep: poll_oneoff with one relative CLOCK_REALTIME subscription.
    {
        struct timespec req = {0, 10 * 1000 * 1000};
        int64_t before = mono_ns();
        CHECK(nanosleep(&req, NULL) == 0);
        int64_t after = mono_ns();
        CHECK(after - before >= 10 * 1000 * 1000);
        CHECK(after - before < 5LL * 1000 * 1000 * 1000); // sanity
    }
    OK("nanosleep 10ms advances monotonic by >= 10ms");

    // clock_nanosleep on CLOCK_MONOTONIC, relative.
    {
        struct timespec req = {0, 15 * 1000 * 1000};
        int64_t before = mono_ns();
        CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0);
        CHECK(mono_ns() - before >= 15 * 1000 * 1000);
    }
    OK("clock_nanosleep CLOCK_MONOTONIC relative 15ms");

    // clock_nanosleep on CLOCK_MONOTONIC with TIMER_ABSTIME.
    {
        int64_t target = mono_ns() + 12 * 1000 * 1000;
        struct timespec req = {target / 1000000000, target % 1000000000};
        CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
        CHECK(mono_ns() >= target);
        // an absolute deadline in the past returns at once
        req.tv_sec = 0;
        req.tv_nsec = 1;
        int64_t before = mono_ns();
        CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL) == 0);
        CHECK(mono_ns() - before < 1000LL * 1000 * 1000);
    }
    OK("clock_nanosleep CLOCK_MONOTONIC TIMER_ABSTIME");

    // Raw poll_oneoff with a single clock subscription reports it.
    {
        __wasi_subscription_t sub = {
            .userdata = 0x1122334455667788ULL,
            .u.tag = __WASI_EVENTTYPE_CLOCK,
            .u.u.clock.id = __WASI_CLOCKID_MONOTONIC,
            .u.u.clock.timeout = 5 * 1000 * 1000,
            .u.u.clock.precision = 0,
            .u.u.clock.flags = 0,
        };
        __wasi_event_t ev;
        __wasi_size_t nev = 0;
        int64_t before = mono_ns();
        CHECK(RAW(__wasi_poll_oneoff(&sub, &ev, 1, &nev)) == 0);
        CHECK(mono_ns() - before >= 5 * 1000 * 1000);
        CHECK(nev == 1);
        CHECK(ev.userdata == 0x1122334455667788ULL);
        CHECK(ev.error == 0);
        CHECK(ev.type == __WASI_EVENTTYPE_CLOCK);
    }
    OK("raw poll_oneoff clock subscription event");

    // A zero-length sleep returns promptly.
    {
        struct timespec req = {0, 0};
        CHECK(nanosleep(&req, NULL) == 0);
    }
    OK("nanosleep 0");
    return 0;
}
