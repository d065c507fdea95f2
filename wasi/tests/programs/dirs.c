// dirs.c - directory operations inside the preopened /sandbox.
// Run with: dir /sandbox (fresh empty directory).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

struct ent {
    char name[64];
    unsigned char type;
};

static int cmpent(const void *a, const void *b) {
    return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

// Reads a whole directory; returns the number of entries (sorted by name).
static int list_dir(const char *path, struct ent *out, int max) {
    DIR *d = opendir(path);
    CHECK(d != NULL);
    int n = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        CHECK(n < max);
        CHECK(strlen(de->d_name) < sizeof out[n].name);
        strcpy(out[n].name, de->d_name);
        out[n].type = de->d_type;
        n++;
        errno = 0;
    }
    CHECK(errno == 0);
    CHECK(closedir(d) == 0);
    qsort(out, n, sizeof *out, cmpent);
    return n;
}

static void touch(const char *path, const char *content) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    size_t len = strlen(content);
    CHECK(write(fd, content, len) == (ssize_t)len);
    CHECK(close(fd) == 0);
}

static const char *tname(unsigned char t) {
    switch (t) {
    case DT_DIR: return "dir";
    case DT_REG: return "file";
    case DT_LNK: return "symlink";
    default: return "other";
    }
}

int main(void) {
    struct stat st;
    struct ent ents[400];
    char path[128];
    int n;

    // --- mkdir / EEXIST ---
    CHECK(mkdir("/sandbox/d", 0755) == 0);
    CHECK(stat("/sandbox/d", &st) == 0 && S_ISDIR(st.st_mode));
    errno = 0;
    CHECK(mkdir("/sandbox/d", 0755) == -1 && errno == EEXIST);
    touch("/sandbox/plain", "x");
    errno = 0;
    CHECK(mkdir("/sandbox/plain", 0755) == -1 && errno == EEXIST);
    errno = 0;
    CHECK(mkdir("/sandbox/nope/sub", 0755) == -1 && errno == ENOENT);
    OK("mkdir, mkdir existing gives EEXIST");

    // --- readdir listing with . and .. and d_type ---
    touch("/sandbox/d/f2", "two");
    touch("/sandbox/d/f1", "one");
    CHECK(mkdir("/sandbox/d/sub", 0755) == 0);
    n = list_dir("/sandbox/d", ents, 400);
    printf("ok readdir /sandbox/d:");
    for (int i = 0; i < n; i++) printf(" %s(%s)", ents[i].name, tname(ents[i].type));
    printf("\n");
    CHECK(n == 5);
    CHECK(strcmp(ents[0].name, ".") == 0 && ents[0].type == DT_DIR);
    CHECK(strcmp(ents[1].name, "..") == 0 && ents[1].type == DT_DIR);
    CHECK(strcmp(ents[2].name, "f1") == 0 && ents[2].type == DT_REG);
    CHECK(strcmp(ents[3].name, "f2") == 0 && ents[3].type == DT_REG);
    CHECK(strcmp(ents[4].name, "sub") == 0 && ents[4].type == DT_DIR);
    OK("d_type file vs dir");

    // --- d_ino matches stat ---
    {
        DIR *d = opendir("/sandbox/d");
        CHECK(d != NULL);
        struct dirent *de;
        int seen = 0;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, "f1") == 0) {
                CHECK(stat("/sandbox/d/f1", &st) == 0);
                CHECK(de->d_ino == st.st_ino);
                seen = 1;
            }
        }
        CHECK(seen);
        // rewinddir restarts the listing
        rewinddir(d);
        int again = 0;
        while ((de = readdir(d)) != NULL) again++;
        CHECK(again == 5);
        CHECK(closedir(d) == 0);
    }
    OK("d_ino matches st_ino, rewinddir");

    // --- rmdir ---
    errno = 0;
    CHECK(rmdir("/sandbox/d") == -1 && errno == ENOTEMPTY);
    OK("rmdir non-empty gives ENOTEMPTY");
    errno = 0;
    CHECK(rmdir("/sandbox/d/f1") == -1 && errno == ENOTDIR);
    OK("rmdir on a file gives ENOTDIR");
    errno = 0;
    CHECK(rmdir("/sandbox/missing") == -1 && errno == ENOENT);
    OK("rmdir missing gives ENOENT");
    errno = 0;
    CHECK(unlink("/sandbox/d/sub") == -1 && (errno == EISDIR || errno == EPERM));
    OK("unlink on a directory fails");
    CHECK(rmdir("/sandbox/d/sub") == 0);
    errno = 0;
    CHECK(stat("/sandbox/d/sub", &st) == -1 && errno == ENOENT);
    OK("rmdir empty directory");

    // --- rename a directory ---
    CHECK(rename("/sandbox/d", "/sandbox/e") == 0);
    errno = 0;
    CHECK(stat("/sandbox/d", &st) == -1 && errno == ENOENT);
    CHECK(stat("/sandbox/e", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/sandbox/e/f1", &st) == 0 && st.st_size == 3);
    OK("rename directory");

    // --- nested paths a/b/c ---
    CHECK(mkdir("/sandbox/a", 0755) == 0);
    CHECK(mkdir("/sandbox/a/b", 0755) == 0);
    CHECK(mkdir("/sandbox/a/b/c", 0755) == 0);
    touch("/sandbox/a/b/c/deep.txt", "deep");
    CHECK(stat("/sandbox/a/b/c/deep.txt", &st) == 0 && st.st_size == 4);
    // ".." and "." that stay inside the sandbox are fine
    CHECK(stat("/sandbox/a/b/../b/./c/deep.txt", &st) == 0 && st.st_size == 4);
    CHECK(stat("/sandbox/a/b/c/../../../a/b/c/deep.txt", &st) == 0);
    CHECK(stat("/sandbox//a//b/c/deep.txt", &st) == 0);
    CHECK(stat("/sandbox/a/b/c/", &st) == 0 && S_ISDIR(st.st_mode));
    OK("nested a/b/c, with . and .. staying inside");
    // moving a whole subtree
    CHECK(rename("/sandbox/a/b", "/sandbox/e/b") == 0);
    CHECK(stat("/sandbox/e/b/c/deep.txt", &st) == 0);
    errno = 0;
    CHECK(stat("/sandbox/a/b", &st) == -1 && errno == ENOENT);
    OK("rename subtree");

    // --- chdir + relative paths (wasi-libc cwd emulation) ---
    CHECK(chdir("/sandbox/e/b") == 0);
    CHECK(getcwd(path, sizeof path) != NULL && strcmp(path, "/sandbox/e/b") == 0);
    CHECK(stat("c/deep.txt", &st) == 0 && st.st_size == 4);
    CHECK(stat("../f2", &st) == 0 && st.st_size == 3);
    touch("rel.txt", "rel");
    CHECK(stat("/sandbox/e/b/rel.txt", &st) == 0);
    CHECK(chdir("/sandbox") == 0);
    OK("chdir and relative paths");

    // --- many entries: fd_readdir must continue correctly across buffers ---
    CHECK(mkdir("/sandbox/many", 0755) == 0);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/sandbox/many/entry-with-a-longish-name-%03d", i);
        touch(path, "");
    }
    n = list_dir("/sandbox/many", ents, 400);
    {
        // ("." and ".." are checked above; only count the real entries here)
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (strcmp(ents[i].name, ".") == 0 || strcmp(ents[i].name, "..") == 0)
                continue;
            CHECK(k < 300);
            snprintf(path, sizeof path, "entry-with-a-longish-name-%03d", k);
            CHECK(strcmp(ents[i].name, path) == 0);
            CHECK(ents[i].type == DT_REG);
            k++;
        }
        CHECK(k == 300);
    }
    OK("readdir of 300 entries, each exactly once");
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "/sandbox/many/entry-with-a-longish-name-%03d", i);
        CHECK(unlink(path) == 0);
    }
    CHECK(rmdir("/sandbox/many") == 0);

    // --- readdir of the preopen itself, then clean up ---
    n = list_dir("/sandbox", ents, 400);
    printf("ok readdir /sandbox:");
    for (int i = 0; i < n; i++) printf(" %s(%s)", ents[i].name, tname(ents[i].type));
    printf("\n");
    CHECK(unlink("/sandbox/e/b/c/deep.txt") == 0);
    CHECK(rmdir("/sandbox/e/b/c") == 0);
    CHECK(unlink("/sandbox/e/b/rel.txt") == 0);
    CHECK(rmdir("/sandbox/e/b") == 0);
    CHECK(unlink("/sandbox/e/f1") == 0);
    CHECK(unlink("/sandbox/e/f2") == 0);
    CHECK(rmdir("/sandbox/e") == 0);
    CHECK(rmdir("/sandbox/a") == 0);
    CHECK(unlink("/sandbox/plain") == 0);
    n = list_dir("/sandbox", ents, 400);
    CHECK(n == 2);
    OK("cleanup leaves only . and ..");

    // --- opendir errors ---
    errno = 0;
    CHECK(opendir("/sandbox/missing") == NULL && errno == ENOENT);
    touch("/sandbox/file", "f");
    errno = 0;
    CHECK(opendir("/sandbox/file") == NULL && errno == ENOTDIR);
    CHECK(unlink("/sandbox/file") == 0);
    OK("opendir errors ENOENT/ENOTDIR");
    return 0;
}
