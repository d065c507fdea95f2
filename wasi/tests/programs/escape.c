// escape.c - every attempt to reach outside the preopened /sandbox must fail.
// Run with: dir /sandbox (fresh empty directory).
//
// Paths that wasi-libc can map to the /sandbox preopen reach the runtime as
// paths relative to the preopen fd (e.g. "../etc/passwd"); the runtime must
// answer ENOTCAPABLE (or EPERM, as newer wasmtime does). Absolute paths that
// match no preopen never reach the runtime; wasi-libc fails them itself, so
// ENOENT is accepted there too. The errno value is never printed, so the
// output is the same for every accepted errno.
//
// Names created by escape attempts all start with "strata_escape_"; a harness
// can check that nothing with that prefix appeared next to the sandbox dir
// (or in /tmp). Real host files such as /etc/passwd are only ever opened
// read-only, and nothing existing outside is ever modified, so even a broken
// sandbox running as root cannot damage the host.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ENOTCAPABLE
#define ENOTCAPABLE EPERM
#endif

#include "check.h"

// Escapes resolved by the runtime (relative to a preopen fd).
#define DENIED(e) ((e) == ENOTCAPABLE || (e) == EPERM)
// Absolute paths outside any preopen (rejected by wasi-libc or the runtime).
#define DENIED_ABS(e) (DENIED(e) || (e) == ENOENT)

static void touch(const char *path, const char *content) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    size_t len = strlen(content);
    CHECK(write(fd, content, len) == (ssize_t)len);
    CHECK(close(fd) == 0);
}

static int count_entries(const char *path) {
    DIR *d = opendir(path);
    CHECK(d != NULL);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) n++;
    CHECK(closedir(d) == 0);
    return n;
}

// Try to open `path` with `flags`; it must fail with an accepted errno.
#define MUST_FAIL_OPEN(path, flags, accept)                                  \
    do {                                                                     \
        errno = 0;                                                           \
        int fd_ = open(path, flags, 0644);                                   \
        CHECK(fd_ == -1 && accept(errno));                                   \
    } while (0)

int main(void) {
    struct stat st;
    char buf[64];

    touch("/sandbox/f", "inside");
    CHECK(mkdir("/sandbox/sub", 0755) == 0);

    // Positive controls: ".." that stays inside is fine.
    CHECK(stat("/sandbox/sub/../f", &st) == 0 && st.st_size == 6);
    CHECK(stat("/sandbox/sub/..", &st) == 0 && S_ISDIR(st.st_mode));
    OK("control: .. inside the sandbox works");

    // --- plain .. escapes through the preopen ---
    MUST_FAIL_OPEN("/sandbox/../etc/passwd", O_RDONLY, DENIED);
    OK("open /sandbox/../etc/passwd");
    MUST_FAIL_OPEN("/sandbox/sub/../../etc/passwd", O_RDONLY, DENIED);
    OK("open /sandbox/sub/../../etc/passwd");
    MUST_FAIL_OPEN("/sandbox/./../etc/passwd", O_RDONLY, DENIED);
    OK("open /sandbox/./../etc/passwd");
    MUST_FAIL_OPEN("/sandbox/../strata_escape_create", O_WRONLY | O_CREAT, DENIED);
    OK("create /sandbox/../strata_escape_create");
    MUST_FAIL_OPEN("/sandbox/sub/../../strata_escape_create2",
                   O_WRONLY | O_CREAT | O_EXCL, DENIED);
    OK("create /sandbox/sub/../../strata_escape_create2");
    errno = 0;
    CHECK(opendir("/sandbox/..") == NULL && DENIED(errno));
    OK("opendir /sandbox/..");
    errno = 0;
    CHECK(stat("/sandbox/../..", &st) == -1 && DENIED(errno));
    OK("stat /sandbox/../..");
    errno = 0;
    CHECK(stat("/sandbox/..", &st) == -1 && DENIED(errno));
    OK("stat /sandbox/..");
    errno = 0;
    CHECK(lstat("/sandbox/../etc", &st) == -1 && DENIED(errno));
    OK("lstat /sandbox/../etc");
    // Leaving the preopen and coming back in is still an escape (wasmtime
    // rejects any component that climbs above the preopened directory).
    errno = 0;
    CHECK(stat("/sandbox/sub/../../sandbox/f", &st) == -1 && DENIED(errno));
    OK("stat /sandbox/sub/../../sandbox/f (out and back in)");
    errno = 0;
    CHECK(mkdir("/sandbox/../strata_escape_mkdir", 0755) == -1 && DENIED(errno));
    OK("mkdir /sandbox/../strata_escape_mkdir");
    errno = 0;
    CHECK(rmdir("/sandbox/../strata_escape_rmdir") == -1 && DENIED(errno));
    OK("rmdir /sandbox/../strata_escape_rmdir");
    errno = 0;
    CHECK(unlink("/sandbox/../strata_escape_unlink") == -1 && DENIED(errno));
    OK("unlink /sandbox/../strata_escape_unlink");
    errno = 0;
    CHECK(rename("/sandbox/f", "/sandbox/../strata_escape_rename") == -1 &&
          DENIED(errno));
    CHECK(stat("/sandbox/f", &st) == 0 && st.st_size == 6);
    OK("rename /sandbox/f to /sandbox/../strata_escape_rename");
    errno = 0;
    CHECK(rename("/sandbox/../strata_escape_src", "/sandbox/g") == -1 &&
          DENIED(errno));
    OK("rename from /sandbox/../strata_escape_src");
    errno = 0;
    CHECK(link("/sandbox/f", "/sandbox/../strata_escape_link") == -1 &&
          DENIED(errno));
    OK("link /sandbox/f to /sandbox/../strata_escape_link");
    errno = 0;
    CHECK(link("/sandbox/../etc/passwd", "/sandbox/passwd-link") == -1 &&
          DENIED(errno));
    errno = 0;
    CHECK(lstat("/sandbox/passwd-link", &st) == -1 && errno == ENOENT);
    OK("link /sandbox/../etc/passwd into the sandbox");
    errno = 0;
    CHECK(symlink("f", "/sandbox/../strata_escape_symlink") == -1 && DENIED(errno));
    OK("symlink at /sandbox/../strata_escape_symlink");
    errno = 0;
    CHECK(readlink("/sandbox/../strata_escape_readlink", buf, sizeof buf) == -1 &&
          DENIED(errno));
    OK("readlink /sandbox/../strata_escape_readlink");
    {
        struct timespec ts[2] = {{1, 0}, {1, 0}};
        errno = 0;
        CHECK(utimensat(AT_FDCWD, "/sandbox/../strata_escape_utimes", ts, 0) == -1 &&
              DENIED(errno));
    }
    OK("utimensat /sandbox/../strata_escape_utimes");

    // --- absolute paths outside any preopen ---
    MUST_FAIL_OPEN("/etc/passwd", O_RDONLY, DENIED_ABS);
    OK("open /etc/passwd");
    MUST_FAIL_OPEN("/strata_escape_abs", O_WRONLY | O_CREAT, DENIED_ABS);
    OK("create /strata_escape_abs");
    errno = 0;
    CHECK(opendir("/") == NULL && DENIED_ABS(errno));
    OK("opendir /");
    errno = 0;
    CHECK(stat("/etc", &st) == -1 && DENIED_ABS(errno));
    OK("stat /etc");
    MUST_FAIL_OPEN("/sandboxx/f", O_RDONLY, DENIED_ABS);
    OK("open /sandboxx/f (not the preopen)");

    // --- relative to the current directory (wasi-libc starts in "/") ---
    MUST_FAIL_OPEN("../etc/passwd", O_RDONLY, DENIED_ABS);
    OK("open ../etc/passwd from initial cwd");
    CHECK(chdir("/sandbox/sub") == 0);
    MUST_FAIL_OPEN("../../etc/passwd", O_RDONLY, DENIED);
    OK("open ../../etc/passwd from cwd /sandbox/sub");
    MUST_FAIL_OPEN("../../strata_escape_cwd", O_WRONLY | O_CREAT, DENIED);
    OK("create ../../strata_escape_cwd from cwd /sandbox/sub");
    CHECK(stat("../f", &st) == 0 && st.st_size == 6); // control
    CHECK(chdir("/sandbox") == 0);

    // --- escapes through guest-created symlinks ---
    // (creating the link may itself be refused; either way it must not work)
    errno = 0;
    if (symlink("..", "/sandbox/up") == 0) {
        MUST_FAIL_OPEN("/sandbox/up/etc/passwd", O_RDONLY, DENIED);
        MUST_FAIL_OPEN("/sandbox/up/strata_escape_via_link", O_WRONLY | O_CREAT,
                       DENIED);
        errno = 0;
        CHECK(opendir("/sandbox/up") == NULL && DENIED(errno));
        errno = 0;
        CHECK(stat("/sandbox/up", &st) == -1 && DENIED(errno));
        errno = 0;
        CHECK(mkdir("/sandbox/up/strata_escape_mkdir2", 0755) == -1 && DENIED(errno));
        errno = 0;
        CHECK(rename("/sandbox/f", "/sandbox/up/strata_escape_rename2") == -1 &&
              DENIED(errno));
        CHECK(stat("/sandbox/f", &st) == 0);
        errno = 0;
        CHECK(symlink("x", "/sandbox/up/strata_escape_symlink2") == -1 &&
              DENIED(errno));
        CHECK(unlink("/sandbox/up") == 0);
    } else {
        CHECK(DENIED(errno));
    }
    OK("symlink up -> .. then open/create/opendir/stat/mkdir/rename/symlink through it");

    errno = 0;
    if (symlink("/etc/passwd", "/sandbox/abs") == 0) {
        MUST_FAIL_OPEN("/sandbox/abs", O_RDONLY, DENIED);
        CHECK(unlink("/sandbox/abs") == 0);
    } else {
        CHECK(DENIED(errno));
    }
    OK("symlink abs -> /etc/passwd then open");

    errno = 0;
    if (symlink("/tmp/strata_escape_abs_target", "/sandbox/abs2") == 0) {
        MUST_FAIL_OPEN("/sandbox/abs2", O_WRONLY | O_CREAT, DENIED);
        CHECK(unlink("/sandbox/abs2") == 0);
    } else {
        CHECK(DENIED(errno));
    }
    OK("symlink abs2 -> /tmp/strata_escape_abs_target then create");

    errno = 0;
    if (symlink("/", "/sandbox/root") == 0) {
        MUST_FAIL_OPEN("/sandbox/root/etc/passwd", O_RDONLY, DENIED);
        errno = 0;
        CHECK(opendir("/sandbox/root") == NULL && DENIED(errno));
        CHECK(unlink("/sandbox/root") == 0);
    } else {
        CHECK(DENIED(errno));
    }
    OK("symlink root -> / then open/opendir");

    // Chained links whose individual targets look harmless:
    //   l1 -> l2, l2 -> sub/l3, sub/l3 -> ../l4, l4 -> sub/.. , so far inside;
    //   sub/l5 -> ../.. escapes; l6 -> sub/l5 reaches it through a chain.
    CHECK(symlink("l2", "/sandbox/l1") == 0);
    CHECK(symlink("sub/l3", "/sandbox/l2") == 0);
    CHECK(symlink("../l4", "/sandbox/sub/l3") == 0);
    CHECK(symlink("sub/..", "/sandbox/l4") == 0);
    CHECK(stat("/sandbox/l1/f", &st) == 0 && st.st_size == 6); // control
    errno = 0;
    if (symlink("../..", "/sandbox/sub/l5") == 0) {
        CHECK(symlink("sub/l5", "/sandbox/l6") == 0);
        CHECK(symlink("l6", "/sandbox/l7") == 0);
        MUST_FAIL_OPEN("/sandbox/l7/etc/passwd", O_RDONLY, DENIED);
        MUST_FAIL_OPEN("/sandbox/l7/strata_escape_chain", O_WRONLY | O_CREAT, DENIED);
        errno = 0;
        CHECK(opendir("/sandbox/l7") == NULL && DENIED(errno));
        // .. after a link to a subdirectory, then one more .. to leave
        MUST_FAIL_OPEN("/sandbox/l1/../strata_escape_chain2", O_WRONLY | O_CREAT,
                       DENIED);
        CHECK(unlink("/sandbox/l7") == 0);
        CHECK(unlink("/sandbox/l6") == 0);
        CHECK(unlink("/sandbox/sub/l5") == 0);
    } else {
        CHECK(DENIED(errno));
    }
    // Also: a chain that is fine until a final ".." component appended by the
    // caller, e.g. l1 resolves to the sandbox root itself.
    MUST_FAIL_OPEN("/sandbox/l1/../etc/passwd", O_RDONLY, DENIED);
    errno = 0;
    CHECK(opendir("/sandbox/l1/..") == NULL && DENIED(errno));
    OK("chained symlinks escaping");

    CHECK(symlink("sub", "/sandbox/s") == 0);
    MUST_FAIL_OPEN("/sandbox/s/../../etc/passwd", O_RDONLY, DENIED);
    CHECK(stat("/sandbox/s/../f", &st) == 0); // control: s/.. is the sandbox
    OK("symlink to subdir followed by ../..");

    // --- nothing was created inside the sandbox by the failed attempts ---
    CHECK(unlink("/sandbox/s") == 0);
    CHECK(unlink("/sandbox/l1") == 0);
    CHECK(unlink("/sandbox/l2") == 0);
    CHECK(unlink("/sandbox/sub/l3") == 0);
    CHECK(unlink("/sandbox/l4") == 0);
    CHECK(count_entries("/sandbox/sub") == 0);
    CHECK(count_entries("/sandbox") == 2); // f, sub
    CHECK(stat("/sandbox/f", &st) == 0 && st.st_size == 6);
    OK("sandbox contents unchanged");
    return 0;
}
