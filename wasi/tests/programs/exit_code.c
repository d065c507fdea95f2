// exit_code.c - exit(42) flushes stdio, then proc_exit(42) ends the process:
// the runtime must exit with status 42 and nothing after exit() may run.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("before exit\n");
    exit(42);
    printf("after exit (must not appear)\n");
    return 0;
}
