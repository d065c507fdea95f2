// proc_exit_flush.c - text printed without a trailing newline is still
// written when main returns 3 (libc flushes stdout before proc_exit(3)).
#include <stdio.h>

int main(void) {
    printf("no newline at the end");
    return 3;
}
