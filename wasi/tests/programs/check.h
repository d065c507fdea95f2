/* check.h - the self-checking helpers every WASI test program uses.
 * CHECK prints the failed expression with errno and exits 1; OK documents
 * a passed check in the program's expected output. */
#ifndef STRATA_WASI_CHECK_H
#define STRATA_WASI_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            int e_ = errno;                                                  \
            printf("FAIL %s:%d: %s errno=%d\n", __FILE_NAME__, __LINE__,     \
                   #cond, e_);                                               \
            fflush(stdout);                                                  \
            exit(1);                                                         \
        }                                                                    \
    } while (0)
#define OK(what) printf("ok %s\n", what)

#endif
