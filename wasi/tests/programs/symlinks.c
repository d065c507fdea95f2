// symlinks.c - symbolic links inside the preopened /sandbox, and links whose
// target lies outside it (which may be created but must not be followed).
// Run with: dir /sandbox (fresh empty directory).
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
#define DENIED(e) ((e) == ENOTCAPABLE || (e) == EPERM)

static void touch(const char *path, const char *content) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    size_t len = strlen(content);
    CHECK(write(fd, content, len) == (ssize_t)len);
    CHECK(close(fd) == 0);
}

// A symlink whose target leaves the sandbox: creating it may succeed or be
// refused (ENOTCAPABLE/EPERM); if it exists, nothing may follow it.
// Write-mode opens are only tried when `probe_create` is set, i.e. when the
// target is a made-up "strata_escape_*" name: a broken sandbox must never be
// able to damage a real host file (think of a harness running as root).
static void outside_link(const char *target, const char *link, int probe_create) {
    char buf[128];
    struct stat st;
    errno = 0;
    int r = symlink(target, link);
    CHECK(r == 0 || DENIED(errno));
    if (r != 0) return;

    // The link itself is an ordinary entry inside the sandbox.
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    ssize_t n = readlink(link, buf, sizeof buf);
    CHECK(n == (ssize_t)strlen(target) && memcmp(buf, target, n) == 0);

    // ...but following it must fail.
    errno = 0;
    CHECK(open(link, O_RDONLY) == -1 && DENIED(errno));
    if (probe_create) {
        errno = 0;
        CHECK(open(link, O_WRONLY | O_CREAT, 0644) == -1 && DENIED(errno));
        errno = 0;
        CHECK(open(link, O_RDWR | O_CREAT, 0644) == -1 && DENIED(errno));
    }
    errno = 0;
    CHECK(stat(link, &st) == -1 && DENIED(errno));
    errno = 0;
    CHECK(opendir(link) == NULL && DENIED(errno));

    CHECK(unlink(link) == 0);
    errno = 0;
    CHECK(lstat(link, &st) == -1 && errno == ENOENT);
}

int main(void) {
    char buf[128];
    struct stat st, lst, tst;
    int fd;
    ssize_t n;

    touch("/sandbox/target.txt", "target data");
    CHECK(mkdir("/sandbox/dir", 0755) == 0);
    touch("/sandbox/dir/inner.txt", "inner");

    // --- create + readlink ---
    CHECK(symlink("target.txt", "/sandbox/link") == 0);
    memset(buf, 0, sizeof buf);
    n = readlink("/sandbox/link", buf, sizeof buf);
    CHECK(n == 10 && memcmp(buf, "target.txt", 10) == 0);
    OK("symlink + readlink returns the target");

    // --- open through the link ---
    fd = open("/sandbox/link", O_RDONLY);
    CHECK(fd >= 0);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, sizeof buf) == 11 && memcmp(buf, "target data", 11) == 0);
    CHECK(close(fd) == 0);
    fd = open("/sandbox/link", O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK(write(fd, "!", 1) == 1);
    CHECK(close(fd) == 0);
    CHECK(stat("/sandbox/target.txt", &tst) == 0 && tst.st_size == 12);
    OK("open through symlink reads and writes the target");

    // --- lstat vs stat ---
    CHECK(lstat("/sandbox/link", &lst) == 0);
    CHECK(stat("/sandbox/link", &st) == 0);
    CHECK(S_ISLNK(lst.st_mode));
    CHECK(lst.st_size == 10); // length of "target.txt"
    CHECK(S_ISREG(st.st_mode));
    CHECK(st.st_size == 12);
    CHECK(st.st_ino == tst.st_ino);
    CHECK(lst.st_ino != tst.st_ino);
    OK("lstat sees the link, stat sees the target");

    // --- O_NOFOLLOW ---
    errno = 0;
    CHECK(open("/sandbox/link", O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP);
    OK("O_NOFOLLOW on a symlink gives ELOOP");

    // --- readdir reports DT_LNK ---
    {
        DIR *d = opendir("/sandbox");
        CHECK(d != NULL);
        struct dirent *de;
        int seen = 0;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, "link") == 0) {
                CHECK(de->d_type == DT_LNK);
                seen = 1;
            }
        CHECK(seen);
        CHECK(closedir(d) == 0);
    }
    OK("readdir d_type DT_LNK");

    // --- misc errors ---
    errno = 0;
    CHECK(symlink("whatever", "/sandbox/link") == -1 && errno == EEXIST);
    OK("symlink over existing name gives EEXIST");
    errno = 0;
    CHECK(readlink("/sandbox/target.txt", buf, sizeof buf) == -1 && errno == EINVAL);
    OK("readlink on a regular file gives EINVAL");
    errno = 0;
    CHECK(readlink("/sandbox/nothing", buf, sizeof buf) == -1 && errno == ENOENT);
    OK("readlink on a missing path gives ENOENT");

    // --- symlink to a directory, relative links inside subdirectories ---
    CHECK(symlink("dir", "/sandbox/dlink") == 0);
    CHECK(stat("/sandbox/dlink/inner.txt", &st) == 0 && st.st_size == 5);
    CHECK(symlink("../target.txt", "/sandbox/dir/up") == 0);
    CHECK(stat("/sandbox/dir/up", &st) == 0 && st.st_size == 12);
    CHECK(stat("/sandbox/dlink/up", &st) == 0 && st.st_size == 12);
    CHECK(symlink("link", "/sandbox/chain") == 0); // chain -> link -> target.txt
    CHECK(stat("/sandbox/chain", &st) == 0 && st.st_ino == tst.st_ino);
    OK("symlinks to a directory, with .. inside, and chained");

    // --- dangling link ---
    CHECK(symlink("no-such-file", "/sandbox/dangling") == 0);
    errno = 0;
    CHECK(stat("/sandbox/dangling", &st) == -1 && errno == ENOENT);
    CHECK(lstat("/sandbox/dangling", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(unlink("/sandbox/dangling") == 0);
    OK("dangling symlink: stat ENOENT, lstat ok");

    // --- symlink loop ---
    CHECK(symlink("loop2", "/sandbox/loop1") == 0);
    CHECK(symlink("loop1", "/sandbox/loop2") == 0);
    errno = 0;
    CHECK(open("/sandbox/loop1", O_RDONLY) == -1 && errno == ELOOP);
    CHECK(unlink("/sandbox/loop1") == 0);
    CHECK(unlink("/sandbox/loop2") == 0);
    OK("symlink loop gives ELOOP");

    // --- unlink removes the link, not the target ---
    CHECK(unlink("/sandbox/link") == 0);
    errno = 0;
    CHECK(lstat("/sandbox/link", &st) == -1 && errno == ENOENT);
    CHECK(stat("/sandbox/target.txt", &st) == 0 && st.st_size == 12);
    errno = 0;
    CHECK(stat("/sandbox/chain", &st) == -1 && errno == ENOENT);
    CHECK(unlink("/sandbox/chain") == 0);
    CHECK(unlink("/sandbox/dlink") == 0);
    CHECK(stat("/sandbox/dir/inner.txt", &st) == 0);
    OK("unlink symlink keeps the target");

    // --- links pointing outside the sandbox ---
    outside_link("../strata_escape_symlink_target", "/sandbox/out-rel", 1);
    OK("symlink to ../outside is never followed");
    outside_link("/etc/passwd", "/sandbox/out-abs", 0);
    OK("symlink to /etc/passwd is never followed");
    outside_link("/", "/sandbox/out-root", 0);
    OK("symlink to / is never followed");
    outside_link("dir/../..", "/sandbox/out-dotdot", 0);
    OK("symlink to dir/../.. is never followed");
    outside_link("/tmp/strata_escape_abs_target", "/sandbox/out-abs-tmp", 1);
    OK("symlink to /tmp/strata_escape_abs_target is never followed");
    // an absolute target is not interpreted relative to the sandbox either
    outside_link("/sandbox/target.txt", "/sandbox/out-abs-sandbox", 0);
    OK("symlink with absolute target inside guest namespace is never followed");
    return 0;
}
