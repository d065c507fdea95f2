// fdops.c - raw descriptor calls: fd_renumber, fd_fdstat_set_rights,
// fd_prestat_get/fd_prestat_dir_name, fd_readdir, fd_close, sock_* on
// non-sockets. Run with: dir /sandbox (fresh empty directory).
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

static const __wasi_rights_t FILE_RIGHTS =
    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |
    __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET;

static __wasi_fd_t open_file(const char *name, const char *content) {
    __wasi_fd_t fd;
    CHECK(RAW(__wasi_path_open(3, 0, name, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                               FILE_RIGHTS, 0, 0, &fd)) == 0);
    __wasi_ciovec_t iov = {(const uint8_t *)content, strlen(content)};
    __wasi_size_t n;
    CHECK(RAW(__wasi_fd_write(fd, &iov, 1, &n)) == 0 && n == strlen(content));
    __wasi_filesize_t pos;
    CHECK(RAW(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos)) == 0 && pos == 0);
    return fd;
}

static size_t read_all(__wasi_fd_t fd, char *buf, size_t cap) {
    __wasi_iovec_t iov = {(uint8_t *)buf, cap};
    __wasi_size_t n = 0;
    CHECK(RAW(__wasi_fd_read(fd, &iov, 1, &n)) == 0);
    return n;
}

static int cmpstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Lists directory `fd` using a read buffer of `bufsize` bytes, following the
// fd_readdir protocol: a full buffer means "maybe more", a truncated last
// entry must be re-read from the cookie of the previous complete entry.
// Returns the number of names (excluding "." and ".."), sorted.
static int list_raw(__wasi_fd_t fd, size_t bufsize, char names[][32], int max) {
    uint8_t *buf = malloc(bufsize);
    CHECK(buf != NULL);
    __wasi_dircookie_t cookie = __WASI_DIRCOOKIE_START;
    int count = 0, dots = 0, calls = 0;
    for (;;) {
        __wasi_size_t used = 0;
        CHECK(RAW(__wasi_fd_readdir(fd, buf, bufsize, cookie, &used)) == 0);
        CHECK(used <= bufsize);
        CHECK(++calls < 10000);
        size_t off = 0;
        int progressed = 0;
        while (off + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t de;
            memcpy(&de, buf + off, sizeof de);
            if (off + sizeof de + de.d_namlen > used) break; // truncated entry
            const char *name = (const char *)buf + off + sizeof de;
            if ((de.d_namlen == 1 && name[0] == '.') ||
                (de.d_namlen == 2 && name[0] == '.' && name[1] == '.')) {
                dots++;
                CHECK(de.d_type == __WASI_FILETYPE_DIRECTORY);
            } else {
                CHECK(count < max);
                CHECK(de.d_namlen < 32);
                memcpy(names[count], name, de.d_namlen);
                names[count][de.d_namlen] = 0;
                count++;
            }
            cookie = de.d_next;
            off += sizeof de + de.d_namlen;
            progressed = 1;
        }
        if (used < bufsize) break; // end of directory
        CHECK(progressed);         // buffer must hold at least one entry
    }
    free(buf);
    CHECK(dots <= 2);
    char *ptrs[64];
    CHECK(count <= 64);
    for (int i = 0; i < count; i++) ptrs[i] = names[i];
    qsort(ptrs, count, sizeof ptrs[0], cmpstr);
    char tmp[64][32];
    for (int i = 0; i < count; i++) strcpy(tmp[i], ptrs[i]);
    memcpy(names, tmp, sizeof(tmp[0]) * count);
    return count;
}

int main(void) {
    char buf[64];

    // --- fd_prestat_get / fd_prestat_dir_name on fd 3 ---
    {
        __wasi_prestat_t ps;
        CHECK(RAW(__wasi_fd_prestat_get(3, &ps)) == 0);
        CHECK(ps.tag == __WASI_PREOPENTYPE_DIR);
        CHECK(ps.u.dir.pr_name_len == 8);
        memset(buf, 'x', sizeof buf);
        CHECK(RAW(__wasi_fd_prestat_dir_name(3, (uint8_t *)buf, ps.u.dir.pr_name_len)) == 0);
        CHECK(memcmp(buf, "/sandbox", 8) == 0);
        CHECK(buf[8] == 'x'); // no NUL or anything else written past the length
        printf("ok fd_prestat_dir_name(3) = %.8s\n", buf);
        // fd 4 is not a preopen (and not open yet): EBADF ends the preopen scan
        CHECK(RAW(__wasi_fd_prestat_get(4, &ps)) == __WASI_ERRNO_BADF);
        // stdio fds are not preopens (any error will do; EBADF is typical)
        int r = __wasi_fd_prestat_get(0, &ps);
        errno = r;
        CHECK(r != 0);
    }
    OK("fd_prestat_get fails for non-preopens");

    // --- fdstat of the preopen and of a file ---
    __wasi_fd_t a = open_file("a.txt", "aaa");
    __wasi_fd_t b = open_file("b.txt", "bbbb");
    CHECK(a > 3 && b > 3 && a != b);
    {
        __wasi_fdstat_t st;
        CHECK(RAW(__wasi_fd_fdstat_get(3, &st)) == 0);
        CHECK(st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
        CHECK(RAW(__wasi_fd_fdstat_get(a, &st)) == 0);
        CHECK(st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
        CHECK(st.fs_flags == 0);
        __wasi_filestat_t fst;
        CHECK(RAW(__wasi_fd_filestat_get(a, &fst)) == 0);
        CHECK(fst.filetype == __WASI_FILETYPE_REGULAR_FILE && fst.size == 3);
        __wasi_filesize_t pos;
        CHECK(RAW(__wasi_fd_tell(a, &pos)) == 0 && pos == 0);
    }
    OK("fd_fdstat_get/fd_filestat_get/fd_tell on dir and file");

    // --- fd_renumber: b now refers to a's file, a is closed ---
    CHECK(RAW(__wasi_fd_renumber(a, b)) == 0);
    memset(buf, 0, sizeof buf);
    CHECK(read_all(b, buf, sizeof buf) == 3 && memcmp(buf, "aaa", 3) == 0);
    {
        __wasi_fdstat_t st;
        CHECK(RAW(__wasi_fd_fdstat_get(a, &st)) == __WASI_ERRNO_BADF);
    }
    CHECK(RAW(__wasi_fd_close(a)) == __WASI_ERRNO_BADF);
    OK("fd_renumber moves the description and closes the source");
    CHECK(RAW(__wasi_fd_renumber(b, 200)) == __WASI_ERRNO_BADF);
    CHECK(RAW(__wasi_fd_renumber(201, b)) == __WASI_ERRNO_BADF);
    CHECK(read_all(b, buf, sizeof buf) == 0); // b untouched, still at EOF
    OK("fd_renumber to/from unknown fds gives EBADF");

    // --- fd_fdstat_set_rights: success or ENOTSUP ---
    {
        __wasi_fdstat_t st;
        CHECK(RAW(__wasi_fd_fdstat_get(b, &st)) == 0);
        int r = __wasi_fd_fdstat_set_rights(b, st.fs_rights_base, st.fs_rights_inheriting);
        errno = r;
        CHECK(r == 0 || r == __WASI_ERRNO_NOTSUP);
        // the fd stays usable either way
        __wasi_filesize_t pos;
        CHECK(RAW(__wasi_fd_seek(b, 0, __WASI_WHENCE_SET, &pos)) == 0 && pos == 0);
        CHECK(read_all(b, buf, sizeof buf) == 3);
    }
    OK("fd_fdstat_set_rights (success or ENOTSUP)");

    // --- fd_seek argument checks ---
    {
        __wasi_filesize_t pos;
        CHECK(RAW(__wasi_fd_seek(b, 0, 7, &pos)) == __WASI_ERRNO_INVAL);
        CHECK(RAW(__wasi_fd_seek(b, -1, __WASI_WHENCE_SET, &pos)) == __WASI_ERRNO_INVAL);
        CHECK(RAW(__wasi_fd_seek(b, -1, __WASI_WHENCE_END, &pos)) == 0 && pos == 2);
        CHECK(RAW(__wasi_fd_advise(b, 0, 0, 99)) == __WASI_ERRNO_INVAL);
    }
    OK("fd_seek bad whence / negative offset and fd_advise bad advice give EINVAL");

    // --- fd_close ---
    CHECK(RAW(__wasi_fd_close(b)) == 0);
    CHECK(RAW(__wasi_fd_close(b)) == __WASI_ERRNO_BADF);
    CHECK(RAW(__wasi_fd_close(12345)) == __WASI_ERRNO_BADF);
    OK("fd_close twice / of a bad fd gives EBADF");

    // --- fd_readdir ---
    {
        __wasi_fd_t f;
        CHECK(RAW(__wasi_path_create_directory(3, "subdir")) == 0);
        f = open_file("gamma-with-a-longer-name", "g");
        CHECK(RAW(__wasi_fd_close(f)) == 0);
        f = open_file("alpha", "");
        CHECK(RAW(__wasi_fd_close(f)) == 0);

        __wasi_fd_t d;
        CHECK(RAW(__wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY,
                                   __WASI_RIGHTS_FD_READDIR, 0, 0, &d)) == 0);
        static char names[64][32], names2[64][32];
        int n = list_raw(d, 4096, names, 64);
        printf("ok fd_readdir:");
        for (int i = 0; i < n; i++) printf(" %s", names[i]);
        printf("\n");
        CHECK(n == 5);
        // same listing with tiny buffers (forces truncated entries + cookies)
        for (size_t bs = sizeof(__wasi_dirent_t) + 24; bs <= 100; bs += 7) {
            int n2 = list_raw(d, bs, names2, 64);
            CHECK(n2 == n);
            for (int i = 0; i < n; i++) CHECK(strcmp(names[i], names2[i]) == 0);
        }
        OK("fd_readdir with small buffers gives the same listing");

        // a cookie past the end yields nothing
        {
            uint8_t tiny[256];
            __wasi_size_t used = 99;
            CHECK(RAW(__wasi_fd_readdir(d, tiny, sizeof tiny, 1000000, &used)) == 0);
            CHECK(used == 0);
        }
        OK("fd_readdir with a cookie past the end returns 0 bytes");
        CHECK(RAW(__wasi_fd_close(d)) == 0);

        // fd_readdir on a regular file fails
        f = open_file("alpha", "x");
        uint8_t tiny[256];
        __wasi_size_t used;
        int r = __wasi_fd_readdir(f, tiny, sizeof tiny, 0, &used);
        errno = r;
        // (the fd was opened without FD_READDIR, so ENOTCAPABLE is fine too)
        CHECK(r == __WASI_ERRNO_NOTDIR || r == __WASI_ERRNO_BADF ||
              r == __WASI_ERRNO_NOTCAPABLE);
        OK("fd_readdir on a file fails");

        // --- sockets calls on non-sockets ---
        __wasi_fd_t nfd;
        r = __wasi_sock_accept(f, 0, &nfd);
        errno = r;
        CHECK(r == __WASI_ERRNO_NOTSOCK || r == __WASI_ERRNO_BADF);
        r = __wasi_sock_accept(3, 0, &nfd);
        errno = r;
        CHECK(r == __WASI_ERRNO_NOTSOCK || r == __WASI_ERRNO_BADF);
        CHECK(RAW(__wasi_sock_accept(999, 0, &nfd)) == __WASI_ERRNO_BADF);
        OK("sock_accept on a file, a directory and a bad fd fails");

        __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
        __wasi_size_t rn;
        __wasi_roflags_t rflags;
        r = __wasi_sock_recv(f, &riov, 1, 0, &rn, &rflags);
        errno = r;
        CHECK(r != 0);
        OK("sock_recv on a file fails");
        __wasi_ciovec_t siov = {(const uint8_t *)"zz", 2};
        __wasi_size_t sn;
        r = __wasi_sock_send(f, &siov, 1, 0, &sn);
        errno = r;
        CHECK(r != 0);
        OK("sock_send on a file fails");
        r = __wasi_sock_shutdown(f, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR);
        errno = r;
        CHECK(r != 0);
        OK("sock_shutdown on a file fails");
        // the failed socket calls did not touch the file
        __wasi_filestat_t fst;
        CHECK(RAW(__wasi_fd_filestat_get(f, &fst)) == 0 && fst.size == 1);
        CHECK(RAW(__wasi_fd_close(f)) == 0);
    }

    // --- path_open flag checks ---
    {
        __wasi_fd_t f;
        CHECK(RAW(__wasi_path_open(3, 0, "alpha", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &f)) ==
              __WASI_ERRNO_NOTDIR);
        CHECK(RAW(__wasi_path_open(3, 0, "alpha",
                                   __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                                   FILE_RIGHTS, 0, 0, &f)) == __WASI_ERRNO_EXIST);
        CHECK(RAW(__wasi_path_open(3, 0, "missing", 0, FILE_RIGHTS, 0, 0, &f)) ==
              __WASI_ERRNO_NOENT);
        CHECK(RAW(__wasi_path_open(77, 0, "alpha", 0, FILE_RIGHTS, 0, 0, &f)) ==
              __WASI_ERRNO_BADF);
    }
    OK("path_open ENOTDIR/EEXIST/ENOENT/EBADF");

    // --- the preopen itself cannot be closed by mistake through a bad fd ---
    {
        __wasi_prestat_t ps;
        CHECK(RAW(__wasi_fd_prestat_get(3, &ps)) == 0);
    }
    OK("preopen fd 3 still valid");
    return 0;
}
