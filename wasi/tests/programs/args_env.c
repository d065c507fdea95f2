// args_env.c - WASI args_get/args_sizes_get/environ_get/environ_sizes_get.
// Run with: args "one two three=3", env FOO=bar BAZ= (empty value).
// The runtime must pass exactly the requested environment (nothing inherited).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#include "check.h"
// Store a raw WASI errno in errno so CHECK failures report it.
#define RAW(call) (errno = (int)(call))

extern char **environ;

static int cmpstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    // --- argv ---
    CHECK(argc == 4);
    // argv[0] is chosen by the runtime (module name/path); only require it
    // to be present and non-empty, never print it.
    CHECK(argv[0] != NULL && argv[0][0] != '\0');
    CHECK(strcmp(argv[1], "one") == 0);
    CHECK(strcmp(argv[2], "two") == 0);
    CHECK(strcmp(argv[3], "three=3") == 0);
    CHECK(argv[4] == NULL);
    for (int i = 1; i < argc; i++)
        printf("ok argv[%d]=%s\n", i, argv[i]);

    // --- raw args_sizes_get / args_get agree with argv ---
    __wasi_size_t nargs = 0, argbuf = 0;
    CHECK(RAW(__wasi_args_sizes_get(&nargs, &argbuf)) == 0);
    CHECK(nargs == (__wasi_size_t)argc);
    size_t want = 0;
    for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
    CHECK(argbuf == want);
    {
        uint8_t **ptrs = calloc(nargs + 1, sizeof *ptrs);
        uint8_t *buf = malloc(argbuf);
        CHECK(ptrs && buf);
        memset(buf, 0xAA, argbuf);
        CHECK(RAW(__wasi_args_get(ptrs, buf)) == 0);
        for (int i = 0; i < argc; i++) {
            CHECK(ptrs[i] >= buf && ptrs[i] < buf + argbuf);
            CHECK(strcmp((char *)ptrs[i], argv[i]) == 0);
        }
        CHECK(buf[argbuf - 1] == 0); // every string NUL-terminated
        free(ptrs);
        free(buf);
    }
    printf("ok args_sizes_get/args_get\n");

    // --- environment ---
    const char *foo = getenv("FOO");
    CHECK(foo != NULL && strcmp(foo, "bar") == 0);
    printf("ok getenv FOO=bar\n");
    const char *baz = getenv("BAZ");
    CHECK(baz != NULL && baz[0] == '\0');
    printf("ok getenv BAZ is empty\n");
    CHECK(getenv("HOME") == NULL);
    CHECK(getenv("PATH") == NULL);
    CHECK(getenv("USER") == NULL);
    CHECK(getenv("PWD") == NULL);
    printf("ok host HOME/PATH/USER/PWD not visible\n");

    size_t n = 0;
    while (environ[n]) n++;
    CHECK(n == 2);
    char *sorted[2] = {environ[0], environ[1]};
    qsort(sorted, n, sizeof sorted[0], cmpstr);
    for (size_t i = 0; i < n; i++) printf("ok environ: %s\n", sorted[i]);

    __wasi_size_t nenv = 0, envbuf = 0;
    CHECK(RAW(__wasi_environ_sizes_get(&nenv, &envbuf)) == 0);
    CHECK(nenv == 2);
    CHECK(envbuf == sizeof("FOO=bar") + sizeof("BAZ="));
    {
        uint8_t *ptrs[3] = {0, 0, 0};
        uint8_t buf[64];
        memset(buf, 0xAA, sizeof buf);
        CHECK(RAW(__wasi_environ_get(ptrs, buf)) == 0);
        CHECK(ptrs[2] == NULL); // runtime must write exactly nenv pointers
        int saw_foo = 0, saw_baz = 0;
        for (int i = 0; i < 2; i++) {
            CHECK(ptrs[i] >= buf && ptrs[i] < buf + envbuf);
            if (strcmp((char *)ptrs[i], "FOO=bar") == 0) saw_foo++;
            if (strcmp((char *)ptrs[i], "BAZ=") == 0) saw_baz++;
        }
        CHECK(saw_foo == 1 && saw_baz == 1);
        CHECK(buf[envbuf] == 0xAA); // nothing written past the reported size
    }
    printf("ok environ_sizes_get/environ_get\n");
    return 0;
}
