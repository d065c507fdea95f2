"""Runs a WASI command module on wasm3 (through pywasm3).

pywasm3 has no WASI of its own, so this file gives it the handful of
wasi_snapshot_preview1 calls that the benchmark programs make. Usage:
    python wasm3_wasi.py prog.wasm [ARGS...]
"""
import os
import struct
import sys
import time

import wasm3

ESUCCESS, EBADF, EINVAL, ESPIPE = 0, 8, 28, 70


class Exit(Exception):
    def __init__(self, code):
        self.code = code


def main():
    path = sys.argv[1]
    args = [os.path.basename(path)] + sys.argv[2:]
    env = wasm3.Environment()
    rt = env.new_runtime(64 * 1024 * 1024)
    with open(path, "rb") as f:
        mod = env.parse_module(f.read())
    rt.load(mod)
    mem = lambda: rt.get_memory(0)
    out = {1: sys.stdout.buffer, 2: sys.stderr.buffer}

    def put_strings(strings, ptrs, buf):
        m = mem()
        for i, s in enumerate(strings):
            data = s.encode() + b"\0"
            struct.pack_into("<I", m, ptrs + 4 * i, buf)
            m[buf:buf + len(data)] = data
            buf += len(data)
        return ESUCCESS

    def sizes(strings, count_ptr, size_ptr):
        m = mem()
        struct.pack_into("<I", m, count_ptr, len(strings))
        struct.pack_into("<I", m, size_ptr, sum(len(s.encode()) + 1 for s in strings))
        return ESUCCESS

    def fd_write(fd, iovs, n, nwritten):
        if fd not in out:
            return EBADF
        m = mem()
        total = 0
        for i in range(n):
            base, length = struct.unpack_from("<II", m, iovs + 8 * i)
            out[fd].write(bytes(m[base:base + length]))
            total += length
        struct.pack_into("<I", m, nwritten, total)
        return ESUCCESS

    def fd_read(fd, iovs, n, nread):
        if fd != 0:
            return EBADF
        m = mem()
        total = 0
        for i in range(n):
            base, length = struct.unpack_from("<II", m, iovs + 8 * i)
            data = sys.stdin.buffer.read1(length) if length else b""
            m[base:base + len(data)] = data
            total += len(data)
            if len(data) < length:
                break
        struct.pack_into("<I", m, nread, total)
        return ESUCCESS

    def fd_fdstat_get(fd, buf):
        if fd > 2:
            return EBADF
        m = mem()
        struct.pack_into("<BxHxxxxQQ", m, buf, 2, 0, 0xFFFFFFDB, 0)
        return ESUCCESS

    def clock_time_get(clock, _precision, out_ptr):
        ns = time.time_ns() if clock == 0 else time.monotonic_ns()
        struct.pack_into("<Q", mem(), out_ptr, ns)
        return ESUCCESS

    def random_get(buf, n):
        mem()[buf:buf + n] = os.urandom(n)
        return ESUCCESS

    def proc_exit(code):
        raise Exit(code)

    funcs = {
        "args_get": ("i(ii)", lambda p, b: put_strings(args, p, b)),
        "args_sizes_get": ("i(ii)", lambda c, s: sizes(args, c, s)),
        "environ_get": ("i(ii)", lambda p, b: put_strings([], p, b)),
        "environ_sizes_get": ("i(ii)", lambda c, s: sizes([], c, s)),
        "fd_write": ("i(iiii)", fd_write),
        "fd_read": ("i(iiii)", fd_read),
        "fd_close": ("i(i)", lambda fd: ESUCCESS if fd <= 2 else EBADF),
        "fd_fdstat_get": ("i(ii)", fd_fdstat_get),
        "fd_fdstat_set_flags": ("i(ii)", lambda fd, f: ESUCCESS),
        "fd_seek": ("i(iIii)", lambda fd, off, wh, p: ESPIPE),
        "fd_prestat_get": ("i(ii)", lambda fd, p: EBADF),
        "fd_prestat_dir_name": ("i(iii)", lambda fd, p, n: EBADF),
        "clock_time_get": ("i(iIi)", clock_time_get),
        "random_get": ("i(ii)", random_get),
        "proc_exit": ("v(i)", proc_exit),
    }
    for name, (sig, fn) in funcs.items():
        try:
            mod.link_function("wasi_snapshot_preview1", name, sig, fn)
        except RuntimeError:
            pass  # not imported by this module
    code = 0
    try:
        rt.find_function("_start")()
    except Exit as e:
        code = e.code
    except RuntimeError as e:
        # wasm3 reports proc_exit raised inside a host call this way.
        if isinstance(e.__cause__, Exit):
            code = e.__cause__.code
        else:
            raise
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
