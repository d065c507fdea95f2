// stdio.c - inherited stdin/stdout/stderr.
// Run with stdin "hello wasi\nsecond line\n"; prints it back uppercased.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#include "check.h"
#define RAW(call) (errno = (int)(call))

int main(void) {
    // --- fd_fdstat_get on the three standard fds (isatty uses it) ---
    for (int fd = 0; fd <= 2; fd++) {
        __wasi_fdstat_t st;
        CHECK(RAW(__wasi_fd_fdstat_get(fd, &st)) == 0);
        CHECK(st.fs_filetype != __WASI_FILETYPE_DIRECTORY);
        (void)isatty(fd); // result depends on how the harness connects fds
    }
    OK("fd_fdstat_get on fds 0, 1, 2");

    // --- read all of stdin (fd_read), in small pieces to exercise partial reads
    char in[4096];
    size_t len = 0;
    for (;;) {
        CHECK(len < sizeof in);
        size_t want = sizeof in - len < 7 ? sizeof in - len : 7;
        ssize_t n = read(0, in + len, want);
        CHECK(n >= 0);
        if (n == 0) break;
        len += (size_t)n;
    }
    CHECK(read(0, in, sizeof in) == 0); // still EOF
    CHECK(len == 23);
    OK("read stdin to EOF");

    for (size_t i = 0; i < len; i++) in[i] = (char)toupper((unsigned char)in[i]);
    CHECK(fwrite(in, 1, len, stdout) == len);
    fflush(stdout);

    // --- stderr (not checked by the harness) ---
    fprintf(stderr, "this line goes to stderr\n");
    CHECK(write(2, "raw stderr\n", 11) == 11);
    OK("wrote to stderr");

    // --- raw fd_write with several iovecs on stdout ---
    {
        __wasi_ciovec_t iov[4] = {
            {(const uint8_t *)"ok fd_write ", 12},
            {(const uint8_t *)"", 0},
            {(const uint8_t *)"gathers ", 8},
            {(const uint8_t *)"iovecs\n", 7},
        };
        __wasi_size_t n = 0;
        fflush(stdout);
        CHECK(RAW(__wasi_fd_write(1, iov, 4, &n)) == 0);
        CHECK(n == 27);
    }

    // --- a large write to stderr goes through completely ---
    {
        static char big[20000];
        for (size_t i = 0; i < sizeof big; i++) big[i] = 'a' + (char)(i % 26);
        CHECK(fwrite(big, 1, sizeof big, stderr) == sizeof big);
        CHECK(fputc('\n', stderr) == '\n');
        CHECK(fflush(stderr) == 0);
    }
    OK("20000-byte write to stderr");

    // --- bad fd ---
    {
        __wasi_fdstat_t st;
        CHECK(RAW(__wasi_fd_fdstat_get(77, &st)) == __WASI_ERRNO_BADF);
    }
    OK("fd_fdstat_get on unknown fd gives EBADF");
    return 0;
}
