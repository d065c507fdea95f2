//! The functions of `wasi_snapshot_preview1`, each working on the guest's
//! memory and the program's [`WasiCtx`].

use crate::ctx::{FdEntry, FdKind, Stdio, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::fs::{self, Resolved, filetype};
use crate::guest::GuestMemory;
use crate::rights::{self as right, Rights};
use std::ffi::CString;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};

/// Converts a libc return value: negative means `errno`.
fn check(r: libc::c_int) -> WasiResult<libc::c_int> {
    if r < 0 { Err(Errno::last()) } else { Ok(r) }
}

fn cstring(bytes: &[u8]) -> WasiResult<CString> {
    CString::new(bytes).map_err(|_| Errno::Ilseq)
}

const FDFLAG_APPEND: u16 = 1;
const FDFLAG_DSYNC: u16 = 2;
const FDFLAG_NONBLOCK: u16 = 4;
const FDFLAG_RSYNC: u16 = 8;
const FDFLAG_SYNC: u16 = 16;

const OFLAG_CREAT: u16 = 1;
const OFLAG_DIRECTORY: u16 = 2;
const OFLAG_EXCL: u16 = 4;
const OFLAG_TRUNC: u16 = 8;

const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

/// The directory descriptor a path operation starts from, if it holds
/// the rights `needed`.
fn dir_fd(ctx: &mut WasiCtx, fd: u32, needed: Rights) -> WasiResult<RawFd> {
    let entry = ctx.entry(fd)?;
    match &entry.kind {
        FdKind::Dir { fd, .. } => {
            entry.require(needed)?;
            Ok(fd.as_raw_fd())
        }
        _ => Err(Errno::Notdir),
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_path(
    mem: &GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    needed: Rights,
    ptr: u32,
    len: u32,
    follow: bool,
) -> WasiResult<Resolved> {
    let base = dir_fd(ctx, fd, needed)?;
    let path = mem.str(ptr, len)?;
    fs::resolve(base, path, follow)
}

fn write_strings(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> WasiResult<()> {
    let mut off = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write_u32(ptrs.checked_add(i as u32 * 4).ok_or(Errno::Fault)?, off)?;
        let dst = mem.slice_mut(off, s.len() as u32 + 1)?;
        dst[..s.len()].copy_from_slice(s);
        dst[s.len()] = 0;
        off += s.len() as u32 + 1;
    }
    Ok(())
}

fn sizes(
    mem: &mut GuestMemory<'_>,
    list: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> WasiResult<()> {
    mem.write_u32(count_ptr, list.len() as u32)?;
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(size_ptr, u32::try_from(total).map_err(|_| Errno::Overflow)?)
}

fn args_list(ctx: &WasiCtx) -> Vec<Vec<u8>> {
    ctx.args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

fn env_list(ctx: &WasiCtx) -> Vec<Vec<u8>> {
    ctx.env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect()
}

pub fn args_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    argv: u32,
    buf: u32,
) -> WasiResult<()> {
    write_strings(mem, &args_list(ctx), argv, buf)
}

pub fn args_sizes_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    argc: u32,
    size: u32,
) -> WasiResult<()> {
    sizes(mem, &args_list(ctx), argc, size)
}

pub fn environ_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    env: u32,
    buf: u32,
) -> WasiResult<()> {
    write_strings(mem, &env_list(ctx), env, buf)
}

pub fn environ_sizes_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    count: u32,
    size: u32,
) -> WasiResult<()> {
    sizes(mem, &env_list(ctx), count, size)
}

/// The host clock of a WASI clock id.
pub(crate) fn clock_id(id: u32) -> WasiResult<libc::clockid_t> {
    Ok(match id {
        0 => libc::CLOCK_REALTIME,
        1 => libc::CLOCK_MONOTONIC,
        2 => libc::CLOCK_PROCESS_CPUTIME_ID,
        3 => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(Errno::Inval),
    })
}

fn timespec_ns(ts: &libc::timespec) -> u64 {
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

/// Nanoseconds on a host clock.
pub(crate) fn now(clock: libc::clockid_t) -> WasiResult<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-parameter.
    check(unsafe { libc::clock_gettime(clock, &mut ts) })?;
    Ok(timespec_ns(&ts))
}

pub fn clock_res_get(
    mem: &mut GuestMemory<'_>,
    _ctx: &mut WasiCtx,
    id: u32,
    out: u32,
) -> WasiResult<()> {
    let clock = clock_id(id)?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-parameter.
    check(unsafe { libc::clock_getres(clock, &mut ts) })?;
    mem.write_u64(out, timespec_ns(&ts).max(1))
}

pub fn clock_time_get(
    mem: &mut GuestMemory<'_>,
    _ctx: &mut WasiCtx,
    id: u32,
    _precision: u64,
    out: u32,
) -> WasiResult<()> {
    let t = now(clock_id(id)?)?;
    mem.write_u64(out, t)
}

/// The open file `fd`, if it holds the rights `needed`. Like wasmtime, a
/// directory is not a file (`EBADF`) and a stream cannot seek (`ESPIPE`);
/// the kind is checked before the rights.
fn file(ctx: &mut WasiCtx, fd: u32, needed: Rights) -> WasiResult<&mut File> {
    let entry = ctx.entry(fd)?;
    match &entry.kind {
        FdKind::File(_) => entry.require(needed)?,
        FdKind::Dir { .. } => return Err(Errno::Badf),
        FdKind::Stdio(..) => return Err(Errno::Spipe),
    }
    match &mut entry.kind {
        FdKind::File(f) => Ok(f),
        _ => Err(Errno::Badf),
    }
}

pub fn fd_advise(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    offset: u64,
    len: u64,
    advice: u32,
) -> WasiResult<()> {
    let advice = match advice {
        0 => libc::POSIX_FADV_NORMAL,
        1 => libc::POSIX_FADV_SEQUENTIAL,
        2 => libc::POSIX_FADV_RANDOM,
        3 => libc::POSIX_FADV_WILLNEED,
        4 => libc::POSIX_FADV_DONTNEED,
        5 => libc::POSIX_FADV_NOREUSE,
        _ => return Err(Errno::Inval),
    };
    let f = file(ctx, fd, right::FD_ADVISE)
        .map_err(|e| if e == Errno::Spipe { Errno::Badf } else { e })?;
    // SAFETY: plain system call on a descriptor we own.
    let r = unsafe { libc::posix_fadvise(f.as_raw_fd(), offset as i64, len as i64, advice) };
    if r != 0 {
        Err(Errno::from_host(r))
    } else {
        Ok(())
    }
}

pub fn fd_allocate(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    _offset: u64,
    _len: u64,
) -> WasiResult<()> {
    // wasmtime answers ENOTSUP for every open file; so does Strata.
    file(ctx, fd, right::FD_ALLOCATE).map_err(
        |e| {
            if e == Errno::Spipe { Errno::Badf } else { e }
        },
    )?;
    Err(Errno::Notsup)
}

pub fn fd_close(_mem: &mut GuestMemory<'_>, ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    let slot = ctx.fds.get_mut(fd as usize).ok_or(Errno::Badf)?;
    slot.take().map(drop).ok_or(Errno::Badf)
}

fn sync(ctx: &mut WasiCtx, fd: u32, data_only: bool) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    let raw = match &entry.kind {
        FdKind::File(f) => f.as_raw_fd(),
        FdKind::Dir { fd, .. } => fd.as_raw_fd(),
        FdKind::Stdio(..) => return Err(Errno::Inval),
    };
    entry.require(if data_only {
        right::FD_DATASYNC
    } else {
        right::FD_SYNC
    })?;
    // SAFETY: plain system call on a descriptor we own.
    check(unsafe {
        if data_only {
            libc::fdatasync(raw)
        } else {
            libc::fsync(raw)
        }
    })?;
    Ok(())
}

pub fn fd_datasync(_mem: &mut GuestMemory<'_>, ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    sync(ctx, fd, true)
}

pub fn fd_sync(_mem: &mut GuestMemory<'_>, ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    sync(ctx, fd, false)
}

fn host_flags(raw: RawFd) -> WasiResult<u16> {
    // SAFETY: F_GETFL on a descriptor we own.
    let fl = check(unsafe { libc::fcntl(raw, libc::F_GETFL) })?;
    let mut flags = 0;
    if fl & libc::O_APPEND != 0 {
        flags |= FDFLAG_APPEND;
    }
    if fl & libc::O_NONBLOCK != 0 {
        flags |= FDFLAG_NONBLOCK;
    }
    if fl & libc::O_DSYNC != 0 {
        flags |= FDFLAG_DSYNC;
    }
    if fl & libc::O_SYNC == libc::O_SYNC {
        flags |= FDFLAG_SYNC | FDFLAG_RSYNC;
    }
    Ok(flags)
}

fn entry_stat(entry: &FdEntry) -> WasiResult<Option<libc::stat>> {
    match entry.kind.raw() {
        Some(raw) => Ok(Some(fs::fstat(raw)?)),
        None => Ok(None),
    }
}

pub fn fd_fdstat_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    let (ty, flags) = match &entry.kind {
        FdKind::Stdio(Stdio::Inherit, raw) => (
            fs::filetype_of(fs::fstat(*raw)?.st_mode),
            host_flags(*raw)? & FDFLAG_APPEND,
        ),
        FdKind::Stdio(..) => (filetype::CHARACTER_DEVICE, 0),
        FdKind::File(f) => (
            fs::filetype_of(fs::fstat(f.as_raw_fd())?.st_mode),
            host_flags(f.as_raw_fd())?,
        ),
        FdKind::Dir { .. } => (filetype::DIRECTORY, 0),
    };
    let mut rights = entry.rights_base;
    if ty == filetype::CHARACTER_DEVICE {
        // How wasi-libc's isatty() recognises a terminal.
        rights &= !(right::FD_SEEK | right::FD_TELL);
    }
    let buf = mem.slice_mut(out, 24)?;
    buf.fill(0);
    buf[0] = ty;
    buf[2..4].copy_from_slice(&flags.to_le_bytes());
    buf[8..16].copy_from_slice(&rights.to_le_bytes());
    buf[16..24].copy_from_slice(&entry.rights_inheriting.to_le_bytes());
    Ok(())
}

pub fn fd_fdstat_set_flags(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    flags: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    let raw = match &entry.kind {
        FdKind::File(f) => f.as_raw_fd(),
        FdKind::Stdio(Stdio::Inherit, raw) => *raw,
        _ => return Err(Errno::Badf),
    };
    entry.require(right::FD_FDSTAT_SET_FLAGS)?;
    let flags = flags as u16;
    if flags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC) != 0 {
        return Err(Errno::Inval);
    }
    // SAFETY: F_GETFL/F_SETFL on a descriptor we own.
    let mut fl = check(unsafe { libc::fcntl(raw, libc::F_GETFL) })?;
    fl &= !(libc::O_APPEND | libc::O_NONBLOCK);
    if flags & FDFLAG_APPEND != 0 {
        fl |= libc::O_APPEND;
    }
    if flags & FDFLAG_NONBLOCK != 0 {
        fl |= libc::O_NONBLOCK;
    }
    // SAFETY: as above.
    check(unsafe { libc::fcntl(raw, libc::F_SETFL, fl) })?;
    Ok(())
}

pub fn fd_fdstat_set_rights(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    // Rights may only shrink.
    if base & !entry.rights_base != 0 || inheriting & !entry.rights_inheriting != 0 {
        return Err(Errno::Notcapable);
    }
    entry.rights_base = base;
    entry.rights_inheriting = inheriting;
    Ok(())
}

pub fn fd_filestat_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    entry.require(right::FD_FILESTAT_GET)?;
    let bytes = match entry_stat(entry)? {
        Some(st) => fs::filestat_bytes(&st),
        None => {
            let mut b = [0u8; 64];
            b[16] = filetype::CHARACTER_DEVICE;
            b
        }
    };
    mem.slice_mut(out, 64)?.copy_from_slice(&bytes);
    Ok(())
}

pub fn fd_filestat_set_size(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    size: u64,
) -> WasiResult<()> {
    let f = file(ctx, fd, right::FD_FILESTAT_SET_SIZE)
        .map_err(|e| if e == Errno::Spipe { Errno::Badf } else { e })?;
    f.set_len(size)?;
    Ok(())
}

pub fn fd_filestat_set_times(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    let raw = entry.kind.raw().ok_or(Errno::Badf)?;
    entry.require(right::FD_FILESTAT_SET_TIMES)?;
    let ts = fs::timespecs(atim, mtim, flags as u16)?;
    // SAFETY: `ts` holds two valid timespecs.
    check(unsafe { libc::futimens(raw, ts.as_ptr()) })?;
    Ok(())
}

/// Reads (`write == false`) or writes the guest's iovecs at `offset`
/// without moving the file position; stops at the first short transfer.
#[allow(clippy::too_many_arguments)]
fn positional_io(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    iovs: u32,
    count: u32,
    offset: u64,
    done: u32,
    write: bool,
) -> WasiResult<()> {
    let needed = if write {
        right::FD_WRITE
    } else {
        right::FD_READ
    };
    let raw = file(ctx, fd, needed | right::FD_SEEK)?.as_raw_fd();
    let iovs = mem.iovecs(iovs, count)?;
    let mut total = 0u64;
    for (ptr, len) in iovs {
        let buf = mem.slice_mut(ptr, len)?;
        let at = (offset + total) as i64;
        // SAFETY: `buf` is readable and writable for its length.
        let n = unsafe {
            if write {
                libc::pwrite(raw, buf.as_ptr().cast(), buf.len(), at)
            } else {
                libc::pread(raw, buf.as_mut_ptr().cast(), buf.len(), at)
            }
        };
        if n < 0 {
            return Err(Errno::last());
        }
        total += n as u64;
        if (n as u64) < u64::from(len) {
            break;
        }
    }
    // `iovecs` keeps the lengths' sum within a u32.
    mem.write_u32(done, u32::try_from(total).map_err(|_| Errno::Overflow)?)
}

pub fn fd_pread(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    iovs: u32,
    count: u32,
    offset: u64,
    nread: u32,
) -> WasiResult<()> {
    positional_io(mem, ctx, fd, iovs, count, offset, nread, false)
}

pub fn fd_pwrite(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    iovs: u32,
    count: u32,
    offset: u64,
    nwritten: u32,
) -> WasiResult<()> {
    positional_io(mem, ctx, fd, iovs, count, offset, nwritten, true)
}

pub fn fd_prestat_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    out: u32,
) -> WasiResult<()> {
    match &ctx.entry(fd)?.kind {
        FdKind::Dir {
            preopen: Some(name),
            ..
        } => {
            let len = name.len() as u32;
            let buf = mem.slice_mut(out, 8)?;
            buf.fill(0);
            buf[4..8].copy_from_slice(&len.to_le_bytes());
            Ok(())
        }
        _ => Err(Errno::Badf),
    }
}

pub fn fd_prestat_dir_name(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    match &ctx.entry(fd)?.kind {
        FdKind::Dir {
            preopen: Some(name),
            ..
        } => {
            if (len as usize) < name.len() {
                return Err(Errno::Nametoolong);
            }
            mem.slice_mut(path, name.len() as u32)?
                .copy_from_slice(name.as_bytes());
            Ok(())
        }
        _ => Err(Errno::Badf),
    }
}

pub fn fd_read(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    iovs: u32,
    count: u32,
    nread: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    if !matches!(entry.kind, FdKind::Dir { .. }) {
        entry.require(right::FD_READ)?;
    }
    let iovs = mem.iovecs(iovs, count)?;
    let mut total = 0u64;
    for (ptr, len) in iovs {
        let buf = mem.slice_mut(ptr, len)?;
        let n = entry.kind.read(buf)?;
        total += n as u64;
        if n < len as usize {
            break;
        }
    }
    // `iovecs` keeps the lengths' sum within a u32.
    mem.write_u32(nread, u32::try_from(total).map_err(|_| Errno::Overflow)?)
}

pub fn fd_write(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    iovs: u32,
    count: u32,
    nwritten: u32,
) -> WasiResult<()> {
    let entry = ctx.entry(fd)?;
    if !matches!(entry.kind, FdKind::Dir { .. }) {
        entry.require(right::FD_WRITE)?;
    }
    let iovs = mem.iovecs(iovs, count)?;
    let mut total = 0u64;
    for (ptr, len) in iovs {
        let mut buf = mem.slice(ptr, len)?;
        while !buf.is_empty() {
            let n = entry.kind.write(buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            buf = &buf[n..];
        }
    }
    // `iovecs` keeps the lengths' sum within a u32.
    mem.write_u32(nwritten, u32::try_from(total).map_err(|_| Errno::Overflow)?)
}

pub fn fd_readdir(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    bufused: u32,
) -> WasiResult<()> {
    let raw = dir_fd(ctx, fd, right::FD_READDIR)?;
    let entries = fs::read_dir(raw)?;
    let mut out = Vec::new();
    for (i, (name, ino, ty)) in entries.iter().enumerate().skip(cookie as usize) {
        out.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        out.extend_from_slice(&ino.to_le_bytes());
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.push(*ty);
        out.extend_from_slice(&[0, 0, 0]);
        out.extend_from_slice(name);
        if out.len() >= len as usize {
            break;
        }
    }
    // A full buffer tells the guest to call again with a later cookie.
    let n = out.len().min(len as usize);
    mem.slice_mut(buf, n as u32)?.copy_from_slice(&out[..n]);
    mem.write_u32(bufused, n as u32)
}

pub fn fd_renumber(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    from: u32,
    to: u32,
) -> WasiResult<()> {
    ctx.entry(from)?;
    ctx.entry(to)?;
    if from == to {
        return Ok(());
    }
    let entry = ctx.fds[from as usize].take();
    ctx.fds[to as usize] = entry;
    Ok(())
}

pub fn fd_seek(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    offset: u64,
    whence: u32,
    out: u32,
) -> WasiResult<()> {
    let offset = offset as i64;
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    // Asking where the file position is needs only `fd_tell`.
    let needed = if offset == 0 && whence == 1 {
        right::FD_TELL
    } else {
        right::FD_SEEK | right::FD_TELL
    };
    let f = file(ctx, fd, needed)?;
    let new = f.seek(pos)?;
    mem.write_u64(out, new)
}

pub fn fd_tell(mem: &mut GuestMemory<'_>, ctx: &mut WasiCtx, fd: u32, out: u32) -> WasiResult<()> {
    let f = file(ctx, fd, right::FD_TELL)?;
    let pos = f.stream_position()?;
    mem.write_u64(out, pos)
}

pub fn path_create_directory(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let r = resolve_path(mem, ctx, fd, right::PATH_CREATE_DIRECTORY, path, len, false)?;
    // SAFETY: `name` is NUL-terminated; `dir` is a directory we own.
    check(unsafe { libc::mkdirat(r.dir.as_raw_fd(), r.name.as_ptr(), 0o777) })?;
    Ok(())
}

pub fn path_filestat_get(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    out: u32,
) -> WasiResult<()> {
    let follow = flags & LOOKUP_SYMLINK_FOLLOW != 0;
    let r = resolve_path(mem, ctx, fd, right::PATH_FILESTAT_GET, path, len, follow)?;
    let st = fs::lstat_at(r.dir.as_raw_fd(), &r.name)?;
    mem.slice_mut(out, 64)?
        .copy_from_slice(&fs::filestat_bytes(&st));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> WasiResult<()> {
    let follow = flags & LOOKUP_SYMLINK_FOLLOW != 0;
    let r = resolve_path(
        mem,
        ctx,
        fd,
        right::PATH_FILESTAT_SET_TIMES,
        path,
        len,
        follow,
    )?;
    let ts = fs::timespecs(atim, mtim, fst as u16)?;
    // SAFETY: `name` is NUL-terminated and `ts` holds two timespecs.
    check(unsafe {
        libc::utimensat(
            r.dir.as_raw_fd(),
            r.name.as_ptr(),
            ts.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    })?;
    Ok(())
}

/// A link is never made under a name with a trailing slash: that names a
/// directory, so it exists (`EEXIST`) or it cannot be made (`ENOENT`).
fn refuse_dir_only_new(r: &Resolved) -> WasiResult<()> {
    if !r.dir_only {
        return Ok(());
    }
    match fs::lstat_at(r.dir.as_raw_fd(), &r.name) {
        Ok(_) => Err(Errno::Exist),
        Err(Errno::Noent) => Err(Errno::Noent),
        Err(e) => Err(e),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn path_link(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let old = resolve_path(
        mem,
        ctx,
        old_fd,
        right::PATH_LINK_SOURCE,
        old_path,
        old_len,
        old_flags & LOOKUP_SYMLINK_FOLLOW != 0,
    )?;
    let new = resolve_path(
        mem,
        ctx,
        new_fd,
        right::PATH_LINK_TARGET,
        new_path,
        new_len,
        false,
    )?;
    refuse_dir_only_new(&new)?;
    // SAFETY: both names are NUL-terminated; both dirs are ours.
    check(unsafe {
        libc::linkat(
            old.dir.as_raw_fd(),
            old.name.as_ptr(),
            new.dir.as_raw_fd(),
            new.name.as_ptr(),
            0,
        )
    })?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    dirflags: u32,
    path: u32,
    len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    out: u32,
) -> WasiResult<()> {
    let (oflags, fdflags) = (oflags as u16, fdflags as u16);
    if oflags & OFLAG_DIRECTORY != 0 && oflags & (OFLAG_CREAT | OFLAG_EXCL | OFLAG_TRUNC) != 0 {
        return Err(Errno::Inval);
    }
    let mut needed = right::PATH_OPEN;
    if oflags & OFLAG_CREAT != 0 {
        needed |= right::PATH_CREATE_FILE;
    }
    if oflags & OFLAG_TRUNC != 0 {
        needed |= right::PATH_FILESTAT_SET_SIZE;
    }
    let follow = dirflags & LOOKUP_SYMLINK_FOLLOW != 0;
    let r = resolve_path(mem, ctx, fd, needed, path, len, follow)?;
    if r.dir_only && oflags & OFLAG_CREAT != 0 {
        // `name/` names a directory, which `path_open` never creates.
        return Err(Errno::Isdir);
    }
    // The new descriptor gets no more than its parent hands on.
    let parent_inheriting = ctx.entry(fd)?.rights_inheriting;
    let (base, inheriting) = (
        rights_base & parent_inheriting,
        rights_inheriting & parent_inheriting,
    );
    // The host descriptor is opened for what those rights allow: asking to
    // write a directory fails here, with the host's `EISDIR`.
    let read = base & (right::FD_READ | right::FD_READDIR) != 0;
    let write = base & (right::FD_WRITE | right::FD_ALLOCATE | right::FD_FILESTAT_SET_SIZE) != 0
        || oflags & OFLAG_TRUNC != 0
        || fdflags & FDFLAG_APPEND != 0;
    let mut flags = libc::O_CLOEXEC | libc::O_NOFOLLOW;
    flags |= match (read, write) {
        (_, false) => libc::O_RDONLY,
        (false, true) => libc::O_WRONLY,
        (true, true) => libc::O_RDWR,
    };
    if oflags & OFLAG_CREAT != 0 {
        flags |= libc::O_CREAT;
    }
    if oflags & OFLAG_EXCL != 0 {
        flags |= libc::O_EXCL;
    }
    if oflags & OFLAG_TRUNC != 0 {
        flags |= libc::O_TRUNC;
    }
    if oflags & OFLAG_DIRECTORY != 0 || r.dir_only {
        flags |= libc::O_DIRECTORY;
    }
    if fdflags & FDFLAG_APPEND != 0 {
        flags |= libc::O_APPEND;
    }
    if fdflags & FDFLAG_NONBLOCK != 0 {
        flags |= libc::O_NONBLOCK;
    }
    if fdflags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC) != 0 {
        flags |= libc::O_SYNC;
    }
    // SAFETY: `name` is NUL-terminated and `dir` is ours; O_NOFOLLOW keeps a
    // symlink swapped in after resolution from being followed.
    let raw = unsafe { libc::openat(r.dir.as_raw_fd(), r.name.as_ptr(), flags, 0o666) };
    if raw < 0 {
        return Err(Errno::last());
    }
    // SAFETY: `raw` is a fresh descriptor that nothing else owns.
    let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(raw) };
    let st = fs::fstat(raw)?;
    let entry = if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
        FdEntry {
            kind: FdKind::Dir {
                fd: owned,
                preopen: None,
            },
            rights_base: base & right::DIRECTORY,
            rights_inheriting: inheriting & right::DIRECTORY_INHERITING,
        }
    } else {
        FdEntry {
            kind: FdKind::File(File::from(owned)),
            rights_base: base & right::FILE,
            rights_inheriting: inheriting & right::FILE,
        }
    };
    let new = ctx.insert(entry)?;
    if let Err(e) = mem.write_u32(out, new) {
        ctx.fds[new as usize] = None;
        return Err(e);
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn path_readlink(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    used: u32,
) -> WasiResult<()> {
    let r = resolve_path(mem, ctx, fd, right::PATH_READLINK, path, len, false)?;
    let target = fs::readlink(r.dir.as_raw_fd(), &r.name)?;
    let n = target.len().min(buf_len as usize);
    mem.slice_mut(buf, n as u32)?.copy_from_slice(&target[..n]);
    mem.write_u32(used, n as u32)
}

pub fn path_remove_directory(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let r = resolve_path(mem, ctx, fd, right::PATH_REMOVE_DIRECTORY, path, len, false)?;
    // SAFETY: `name` is NUL-terminated; `dir` is ours.
    check(unsafe { libc::unlinkat(r.dir.as_raw_fd(), r.name.as_ptr(), libc::AT_REMOVEDIR) })?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    old: u32,
    old_len: u32,
    new_fd: u32,
    new: u32,
    new_len: u32,
) -> WasiResult<()> {
    let from = resolve_path(mem, ctx, fd, right::PATH_RENAME_SOURCE, old, old_len, false)?;
    let to = resolve_path(
        mem,
        ctx,
        new_fd,
        right::PATH_RENAME_TARGET,
        new,
        new_len,
        false,
    )?;
    // A trailing slash on either name says the source is a directory.
    if (from.dir_only || to.dir_only)
        && fs::lstat_at(from.dir.as_raw_fd(), &from.name)?.st_mode & libc::S_IFMT != libc::S_IFDIR
    {
        return Err(Errno::Notdir);
    }
    // SAFETY: both names are NUL-terminated; both dirs are ours.
    check(unsafe {
        libc::renameat(
            from.dir.as_raw_fd(),
            from.name.as_ptr(),
            to.dir.as_raw_fd(),
            to.name.as_ptr(),
        )
    })?;
    Ok(())
}

pub fn path_symlink(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    old: u32,
    old_len: u32,
    fd: u32,
    new: u32,
    new_len: u32,
) -> WasiResult<()> {
    let target = cstring(mem.slice(old, old_len)?)?;
    let r = resolve_path(mem, ctx, fd, right::PATH_SYMLINK, new, new_len, false)?;
    // A link that could only ever lead outside the sandbox is refused when
    // it is made, as wasmtime does (following one is refused anyway).
    if target.as_bytes().starts_with(b"/") {
        return Err(Errno::Perm);
    }
    refuse_dir_only_new(&r)?;
    // SAFETY: both strings are NUL-terminated; `dir` is ours. The target is
    // only text: following it later goes through `fs::resolve`.
    check(unsafe { libc::symlinkat(target.as_ptr(), r.dir.as_raw_fd(), r.name.as_ptr()) })?;
    Ok(())
}

pub fn path_unlink_file(
    mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let r = resolve_path(mem, ctx, fd, right::PATH_UNLINK_FILE, path, len, false)?;
    // SAFETY: `name` is NUL-terminated; `dir` is ours.
    check(unsafe { libc::unlinkat(r.dir.as_raw_fd(), r.name.as_ptr(), 0) })?;
    Ok(())
}

pub fn random_get(
    mem: &mut GuestMemory<'_>,
    _ctx: &mut WasiCtx,
    buf: u32,
    len: u32,
) -> WasiResult<()> {
    let out = mem.slice_mut(buf, len)?;
    let mut filled = 0;
    while filled < out.len() {
        let rest = &mut out[filled..];
        // SAFETY: `rest` is writable for its length.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = Errno::last();
            if e == Errno::Intr {
                continue;
            }
            return Err(e);
        }
        filled += n as usize;
    }
    Ok(())
}

pub fn sched_yield(_mem: &mut GuestMemory<'_>, _ctx: &mut WasiCtx) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}

pub fn proc_raise(_mem: &mut GuestMemory<'_>, _ctx: &mut WasiCtx, _sig: u32) -> WasiResult<()> {
    Err(Errno::Notsup)
}

/// Strata offers no sockets to guests, so every socket call on an open
/// descriptor answers `ENOTSOCK` (and `EBADF` on a closed one).
fn not_a_socket(ctx: &mut WasiCtx, fd: u32) -> WasiResult<()> {
    ctx.entry(fd)?;
    Err(Errno::Notsock)
}

pub fn sock_accept(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    _flags: u32,
    _out: u32,
) -> WasiResult<()> {
    not_a_socket(ctx, fd)
}

#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    _ri: u32,
    _ri_len: u32,
    _flags: u32,
    _ro_len: u32,
    _ro_flags: u32,
) -> WasiResult<()> {
    not_a_socket(ctx, fd)
}

pub fn sock_send(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    _si: u32,
    _si_len: u32,
    _flags: u32,
    _so_len: u32,
) -> WasiResult<()> {
    not_a_socket(ctx, fd)
}

pub fn sock_shutdown(
    _mem: &mut GuestMemory<'_>,
    ctx: &mut WasiCtx,
    fd: u32,
    _how: u32,
) -> WasiResult<()> {
    not_a_socket(ctx, fd)
}
