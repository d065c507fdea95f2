// badptr.c - raw WASI calls with pointers outside linear memory must return
// EFAULT (21) instead of crashing the runtime or touching host memory.
// Run with: dir /sandbox (so fd 3 is a valid preopened directory).
//
// Note: wasmtime traps the instance for out-of-bounds pointers (the witx
// docs allow either); Strata's contract, checked here, is __WASI_ERRNO_FAULT.
// All bad pointers are suitably aligned, so alignment checks (which may
// legitimately give EINVAL or a trap) are not what is being tested.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"
#define RAW(call) (errno = (int)(call))
#define FAULT __WASI_ERRNO_FAULT

// The wasi/api.h wrappers for path_* take NUL-terminated strings and call
// strlen() in the guest, so declare the raw import to pass (ptr, len) pairs.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                      int32_t oflags, int64_t rights_base, int64_t rights_inheriting,
                      int32_t fdflags, int32_t retptr);

__attribute__((import_module("wasi_snapshot_preview1"),
               import_name("path_create_directory")))
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len);

// Byte address one past the end of linear memory.
static uintptr_t mem_end(void) {
    return (uintptr_t)__builtin_wasm_memory_size(0) * 65536;
}

int main(void) {
    __wasi_size_t n = 0, m = 0;
    uint8_t buf[64];

    // --- fd_write ---
    CHECK(RAW(__wasi_fd_write(1, (const __wasi_ciovec_t *)0xFFFFFFF0, 4, &n)) == FAULT);
    OK("fd_write with iovec array outside memory");
    {
        __wasi_ciovec_t iov = {(const uint8_t *)0xFFFFFF00, 0x1000};
        CHECK(RAW(__wasi_fd_write(1, &iov, 1, &n)) == FAULT);
    }
    OK("fd_write with buffer outside memory");
    {
        __wasi_ciovec_t iov = {(const uint8_t *)(mem_end() - 2), 4};
        CHECK(RAW(__wasi_fd_write(1, &iov, 1, &n)) == FAULT);
    }
    OK("fd_write with buffer straddling the end of memory");
    {
        // 0x10000000 iovecs * 8 bytes overflows 32 bits
        CHECK(RAW(__wasi_fd_write(1, (const __wasi_ciovec_t *)buf, 0x20000000, &n)) ==
              FAULT);
    }
    OK("fd_write with iovec count overflowing the address space");
    {
        __wasi_ciovec_t iov = {(const uint8_t *)"", 0};
        CHECK(RAW(__wasi_fd_write(1, &iov, 1, (__wasi_size_t *)0xFFFFFFFC)) == FAULT);
    }
    OK("fd_write with result pointer outside memory");

    // --- args / environ ---
    CHECK(RAW(__wasi_args_sizes_get((__wasi_size_t *)0xFFFFFFFC, &m)) == FAULT);
    CHECK(RAW(__wasi_args_sizes_get(&n, (__wasi_size_t *)0xFFFFFFFC)) == FAULT);
    OK("args_sizes_get with result pointer outside memory");
    CHECK(RAW(__wasi_args_sizes_get(&n, &m)) == 0 && n >= 1);
    CHECK(RAW(__wasi_args_get((uint8_t **)0xFFFFFFF0, buf)) == FAULT);
    {
        uint8_t *ptrs[8];
        CHECK(n <= 8);
        CHECK(RAW(__wasi_args_get(ptrs, (uint8_t *)(mem_end() - 1))) == FAULT);
    }
    OK("args_get with pointers outside memory");
    CHECK(RAW(__wasi_environ_sizes_get((__wasi_size_t *)0xFFFFFFFC, &m)) == FAULT);
    OK("environ_sizes_get with result pointer outside memory");

    // --- random_get ---
    CHECK(RAW(__wasi_random_get((uint8_t *)0xFFFFFF00, 0x1000)) == FAULT);
    CHECK(RAW(__wasi_random_get((uint8_t *)(mem_end() - 2), 4)) == FAULT);
    CHECK(RAW(__wasi_random_get(buf, 0xFFFFFFF0)) == FAULT);
    OK("random_get with buffer outside memory");
    {
        // The last 4 bytes of memory are a valid buffer (bounds are exclusive).
        uint8_t *last = (uint8_t *)(mem_end() - 4), saved[4];
        memcpy(saved, last, 4);
        CHECK(RAW(__wasi_random_get(last, 4)) == 0);
        memcpy(last, saved, 4);
    }
    OK("random_get on the last 4 bytes of memory succeeds");

    // --- clocks ---
    CHECK(RAW(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1,
                                    (__wasi_timestamp_t *)0xFFFFFFF8)) == FAULT);
    CHECK(RAW(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC,
                                   (__wasi_timestamp_t *)0xFFFFFFF8)) == FAULT);
    OK("clock_time_get/clock_res_get with result pointer outside memory");

    // --- poll_oneoff ---
    {
        __wasi_event_t ev;
        CHECK(RAW(__wasi_poll_oneoff((const __wasi_subscription_t *)0xFFFFFFC0, &ev, 1,
                                     &n)) == FAULT);
        __wasi_subscription_t sub = {
            .u.tag = __WASI_EVENTTYPE_CLOCK,
            .u.u.clock = {.id = __WASI_CLOCKID_MONOTONIC, .timeout = 1},
        };
        CHECK(RAW(__wasi_poll_oneoff(&sub, (__wasi_event_t *)0xFFFFFFE0, 1, &n)) ==
              FAULT);
    }
    OK("poll_oneoff with subscriptions/events outside memory");

    // --- prestat ---
    {
        __wasi_prestat_t ps;
        CHECK(RAW(__wasi_fd_prestat_get(3, &ps)) == 0);
        CHECK(RAW(__wasi_fd_prestat_get(3, (__wasi_prestat_t *)0xFFFFFFF8)) == FAULT);
        CHECK(RAW(__wasi_fd_prestat_dir_name(3, (uint8_t *)(mem_end() - 2),
                                             ps.u.dir.pr_name_len)) == FAULT);
    }
    OK("fd_prestat_get/fd_prestat_dir_name with pointers outside memory");

    // --- path_open ---
    {
        const __wasi_rights_t rights = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;
        __wasi_fd_t fd;
        // path starting in bounds but running past the end of memory
        CHECK(RAW(raw_path_open(3, 0, (int32_t)(mem_end() - 3), 10, 0, rights, 0, 0,
                                (int32_t)(uintptr_t)&fd)) == FAULT);
        // path entirely outside memory
        CHECK(RAW(raw_path_open(3, 0, (int32_t)0xFFFFFFF0, 4, 0, rights, 0, 0,
                                (int32_t)(uintptr_t)&fd)) == FAULT);
        // valid path, result pointer outside memory
        CHECK(RAW(raw_path_open(3, 0, (int32_t)(uintptr_t) ".", 1,
                                __WASI_OFLAGS_DIRECTORY, 0, 0, 0,
                                (int32_t)0xFFFFFFFC)) == FAULT);
        // sanity: the same call with good pointers works
        CHECK(RAW(raw_path_open(3, 0, (int32_t)(uintptr_t) ".", 1,
                                __WASI_OFLAGS_DIRECTORY, 0, 0, 0,
                                (int32_t)(uintptr_t)&fd)) == 0);
        CHECK(RAW(__wasi_fd_close(fd)) == 0);
    }
    OK("path_open with path/result outside memory");
    CHECK(RAW(raw_path_create_directory(3, (int32_t)(mem_end() - 1), 2)) == FAULT);
    OK("path_create_directory with path outside memory");
    {
        __wasi_filestat_t *bad = (__wasi_filestat_t *)0xFFFFFFC0;
        CHECK(RAW(__wasi_path_filestat_get(3, 0, ".", bad)) == FAULT);
        CHECK(RAW(__wasi_fd_filestat_get(3, bad)) == FAULT);
    }
    OK("path_filestat_get/fd_filestat_get with result outside memory");

    // --- fd_read / fd_pread into memory we do not have ---
    {
        int fd = open("/sandbox/data", O_CREAT | O_RDWR | O_TRUNC, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, "0123456789", 10) == 10);
        CHECK(lseek(fd, 0, SEEK_SET) == 0);
        __wasi_iovec_t iov = {(uint8_t *)0xFFFFFF00, 0x100};
        CHECK(RAW(__wasi_fd_read(fd, &iov, 1, &n)) == FAULT);
        CHECK(RAW(__wasi_fd_pread(fd, &iov, 1, 0, &n)) == FAULT);
        CHECK(RAW(__wasi_fd_read(fd, (const __wasi_iovec_t *)0xFFFFFFF8, 2, &n)) == FAULT);
        // a good read afterwards still works and starts at offset 0
        char good[16] = {0};
        CHECK(read(fd, good, sizeof good) == 10 && memcmp(good, "0123456789", 10) == 0);
        CHECK(close(fd) == 0);
    }
    OK("fd_read/fd_pread into buffers outside memory");

    printf("ok runtime still healthy after all faults\n");
    return 0;
}
