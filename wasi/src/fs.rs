//! Sandboxed path resolution.
//!
//! A guest path is resolved one component at a time beneath a directory
//! descriptor, keeping the chain of directories walked through. `..` pops
//! that chain and may never pop its root; absolute paths and symlinks with
//! absolute targets are refused; a relative symlink's target is spliced into
//! the remaining path and resolved the same way. The final component is
//! handed to an `*at` system call with `O_NOFOLLOW`/`AT_SYMLINK_NOFOLLOW`,
//! so a symlink swapped in after the check cannot lead outside either.

use crate::errno::{Errno, WasiResult};
use std::collections::VecDeque;
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// How many symlinks one resolution may follow.
const MAX_SYMLINKS: u32 = 40;

/// A resolved path: the directory holding the last component, and its name
/// (`.` when the path names that directory itself).
pub struct Resolved {
    pub dir: OwnedFd,
    pub name: CString,
    /// The path ended in `/`: it names a directory. `name` is then a
    /// directory or does not exist yet (a symlink there was followed, and
    /// anything else was refused with `ENOTDIR`); the slash itself is never
    /// handed to the host, so the host never follows a symlink on its own.
    pub dir_only: bool,
}

fn cstring(s: &str) -> WasiResult<CString> {
    CString::new(s).map_err(|_| Errno::Ilseq)
}

fn dup(fd: RawFd) -> WasiResult<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC on any descriptor number is safe; a bad one
    // fails with EBADF.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    if new < 0 {
        return Err(Errno::last());
    }
    // SAFETY: `new` is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// `fstatat` without following a final symlink.
pub fn lstat_at(dir: RawFd, name: &CString) -> WasiResult<libc::stat> {
    // SAFETY: zeroed `stat` is a valid out-buffer.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is NUL-terminated and `st` is writable.
    let r = unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
    if r < 0 { Err(Errno::last()) } else { Ok(st) }
}

/// `fstat`.
pub fn fstat(fd: RawFd) -> WasiResult<libc::stat> {
    // SAFETY: zeroed `stat` is a valid out-buffer.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is writable.
    let r = unsafe { libc::fstat(fd, &mut st) };
    if r < 0 { Err(Errno::last()) } else { Ok(st) }
}

fn readlink_at(dir: RawFd, name: &CString) -> WasiResult<Vec<u8>> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: `buf` is writable for its length; `name` is NUL-terminated.
    let n = unsafe { libc::readlinkat(dir, name.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(Errno::last());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

/// Reads a symlink's target.
pub fn readlink(dir: RawFd, name: &CString) -> WasiResult<Vec<u8>> {
    readlink_at(dir, name)
}

fn open_dir_at(dir: RawFd, name: &CString) -> WasiResult<OwnedFd> {
    // SAFETY: `name` is NUL-terminated; the flags open a directory only and
    // never follow a symlink.
    let fd = unsafe {
        libc::openat(
            dir,
            name.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(Errno::last());
    }
    // SAFETY: `fd` is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn is_symlink(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFLNK
}

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

/// Resolves `path` beneath the directory `base`. With `follow`, a symlink
/// in the last component is followed too.
pub fn resolve(base: RawFd, path: &str, follow: bool) -> WasiResult<Resolved> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.starts_with('/') {
        return Err(Errno::Notcapable);
    }
    let mut stack: Vec<OwnedFd> = vec![dup(base)?];
    let mut parts: VecDeque<String> = path.split('/').map(str::to_string).collect();
    let mut dir_only = path.ends_with('/');
    let mut links = 0u32;
    loop {
        let Some(part) = parts.pop_front() else {
            let dir = stack.pop().ok_or(Errno::Notcapable)?;
            return Ok(Resolved {
                dir,
                name: cstring(".")?,
                dir_only,
            });
        };
        let last = parts.iter().all(|p| p.is_empty());
        match part.as_str() {
            "" | "." => {
                if last {
                    parts.clear();
                }
                continue;
            }
            ".." => {
                if stack.len() == 1 {
                    return Err(Errno::Notcapable);
                }
                stack.pop();
                if last {
                    parts.clear();
                }
                continue;
            }
            _ => {}
        }
        let top = stack
            .last()
            .map(AsRawFd::as_raw_fd)
            .ok_or(Errno::Notcapable)?;
        let name = cstring(&part)?;
        if last && !follow && !dir_only {
            let dir = stack.pop().ok_or(Errno::Notcapable)?;
            return Ok(Resolved {
                dir,
                name,
                dir_only,
            });
        }
        let st = match lstat_at(top, &name) {
            Ok(st) => st,
            // A missing last component is fine: the caller may create it.
            Err(Errno::Noent) if last => {
                let dir = stack.pop().ok_or(Errno::Notcapable)?;
                return Ok(Resolved {
                    dir,
                    name,
                    dir_only,
                });
            }
            Err(e) => return Err(e),
        };
        if is_symlink(&st) {
            links += 1;
            if links > MAX_SYMLINKS {
                return Err(Errno::Loop);
            }
            let target = readlink_at(top, &name)?;
            let target = String::from_utf8(target).map_err(|_| Errno::Ilseq)?;
            if target.starts_with('/') {
                return Err(Errno::Notcapable);
            }
            let mut new_parts: VecDeque<String> = target.split('/').map(str::to_string).collect();
            if last {
                // The target is the new last component; a slash at its
                // end asks for a directory as one after the link does.
                dir_only |= target.ends_with('/');
                parts.clear();
            }
            new_parts.extend(parts.drain(..));
            parts = new_parts;
            continue;
        }
        if last {
            if dir_only && !is_dir(&st) {
                return Err(Errno::Notdir);
            }
            let dir = stack.pop().ok_or(Errno::Notcapable)?;
            return Ok(Resolved {
                dir,
                name,
                dir_only,
            });
        }
        if !is_dir(&st) {
            return Err(Errno::Notdir);
        }
        stack.push(open_dir_at(top, &name)?);
    }
}

/// WASI file types.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// The WASI file type of a host mode.
pub fn filetype_of(mode: libc::mode_t) -> u8 {
    match mode & libc::S_IFMT {
        libc::S_IFDIR => filetype::DIRECTORY,
        libc::S_IFREG => filetype::REGULAR_FILE,
        libc::S_IFLNK => filetype::SYMBOLIC_LINK,
        libc::S_IFCHR => filetype::CHARACTER_DEVICE,
        libc::S_IFBLK => filetype::BLOCK_DEVICE,
        libc::S_IFSOCK => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

/// A `filestat` as its 64 guest bytes.
// The casts matter on hosts where these fields are narrower than 64 bits.
#[allow(clippy::unnecessary_cast)]
pub fn filestat_bytes(st: &libc::stat) -> [u8; 64] {
    let ns = |s: i64, n: i64| {
        (s as u64)
            .wrapping_mul(1_000_000_000)
            .wrapping_add(n as u64)
    };
    let mut out = [0u8; 64];
    out[0..8].copy_from_slice(&st.st_dev.to_le_bytes());
    out[8..16].copy_from_slice(&st.st_ino.to_le_bytes());
    out[16] = filetype_of(st.st_mode);
    out[24..32].copy_from_slice(&(st.st_nlink as u64).to_le_bytes());
    out[32..40].copy_from_slice(&(st.st_size as u64).to_le_bytes());
    out[40..48].copy_from_slice(&ns(st.st_atime, st.st_atime_nsec).to_le_bytes());
    out[48..56].copy_from_slice(&ns(st.st_mtime, st.st_mtime_nsec).to_le_bytes());
    out[56..64].copy_from_slice(&ns(st.st_ctime, st.st_ctime_nsec).to_le_bytes());
    out
}

/// The `timespec` pair for `utimensat`/`futimens` from WASI times and
/// `fstflags` (ATIM 1, ATIM_NOW 2, MTIM 4, MTIM_NOW 8).
pub fn timespecs(atim: u64, mtim: u64, flags: u16) -> WasiResult<[libc::timespec; 2]> {
    let one = |t: u64, set: bool, now: bool| -> WasiResult<libc::timespec> {
        match (set, now) {
            (true, true) => Err(Errno::Inval),
            (true, false) => Ok(libc::timespec {
                tv_sec: (t / 1_000_000_000) as libc::time_t,
                tv_nsec: (t % 1_000_000_000) as libc::c_long,
            }),
            (false, true) => Ok(libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_NOW,
            }),
            (false, false) => Ok(libc::timespec {
                tv_sec: 0,
                tv_nsec: libc::UTIME_OMIT,
            }),
        }
    };
    Ok([
        one(atim, flags & 1 != 0, flags & 2 != 0)?,
        one(mtim, flags & 4 != 0, flags & 8 != 0)?,
    ])
}

/// Lists a directory: `(name, inode, filetype)`, `.` and `..` included.
pub fn read_dir(fd: RawFd) -> WasiResult<Vec<(Vec<u8>, u64, u8)>> {
    let owned = dup(fd)?;
    // SAFETY: `fdopendir` takes ownership of the duplicated descriptor.
    let dir = unsafe { libc::fdopendir(owned.as_raw_fd()) };
    if dir.is_null() {
        return Err(Errno::last());
    }
    std::mem::forget(owned);
    // SAFETY: `dir` is a valid stream until `closedir` below.
    unsafe { libc::rewinddir(dir) };
    let mut out = Vec::new();
    loop {
        // SAFETY: `dir` is valid; the entry is copied before the next call.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: `ent` points to a valid dirent with a NUL-terminated name.
        let (name, ino, dtype) = unsafe {
            let e = &*ent;
            let name = std::ffi::CStr::from_ptr(e.d_name.as_ptr())
                .to_bytes()
                .to_vec();
            (name, e.d_ino, e.d_type)
        };
        let ty = match dtype {
            libc::DT_DIR => filetype::DIRECTORY,
            libc::DT_REG => filetype::REGULAR_FILE,
            libc::DT_LNK => filetype::SYMBOLIC_LINK,
            libc::DT_CHR => filetype::CHARACTER_DEVICE,
            libc::DT_BLK => filetype::BLOCK_DEVICE,
            libc::DT_SOCK => filetype::SOCKET_STREAM,
            _ => filetype::UNKNOWN,
        };
        out.push((name, ino, ty));
    }
    // SAFETY: `dir` came from `fdopendir` and is closed once.
    unsafe { libc::closedir(dir) };
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Every way out of a preopen that the resolver must refuse. The C
    //! programs in `tests/programs` check the same through the guest's eyes.

    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    /// `root/sandbox` (the preopen, with `file` and `sub/`) beside
    /// `root/outside/secret`.
    fn sandbox() -> (tempfile::TempDir, OwnedFd) {
        let root = tempfile::tempdir().unwrap();
        let sb = root.path().join("sandbox");
        fs::create_dir_all(sb.join("sub")).unwrap();
        fs::write(sb.join("file"), "inside").unwrap();
        fs::create_dir(root.path().join("outside")).unwrap();
        fs::write(root.path().join("outside/secret"), "outside").unwrap();
        let fd = OwnedFd::from(fs::File::open(&sb).unwrap());
        (root, fd)
    }

    fn resolves(base: &OwnedFd, path: &str) -> WasiResult<Resolved> {
        resolve(base.as_raw_fd(), path, true)
    }

    #[test]
    fn dot_dot_above_the_preopen_is_refused() {
        let (_root, base) = sandbox();
        for path in [
            "..",
            "../outside/secret",
            "sub/../..",
            "sub/../../outside",
            "./..",
        ] {
            assert_eq!(
                resolves(&base, path).err(),
                Some(Errno::Notcapable),
                "{path}"
            );
        }
        // Within the preopen, `..` is fine.
        assert!(resolves(&base, "sub/../file").is_ok());
    }

    #[test]
    fn absolute_paths_are_refused() {
        let (root, base) = sandbox();
        let abs = root.path().join("outside/secret");
        for path in ["/", "/etc/passwd", abs.to_str().unwrap()] {
            assert_eq!(
                resolves(&base, path).err(),
                Some(Errno::Notcapable),
                "{path}"
            );
        }
    }

    #[test]
    fn symlinks_leading_outside_are_refused() {
        let (root, base) = sandbox();
        let sb = root.path().join("sandbox");
        symlink(root.path().join("outside"), sb.join("abs")).unwrap();
        symlink("../outside", sb.join("rel")).unwrap();
        symlink("sub/../../outside/secret", sb.join("sneaky")).unwrap();
        symlink("loop", sb.join("loop")).unwrap();
        for path in ["abs/secret", "rel/secret", "sneaky", "abs", "rel/"] {
            assert_eq!(
                resolves(&base, path).err(),
                Some(Errno::Notcapable),
                "{path}"
            );
        }
        assert_eq!(resolves(&base, "loop").err(), Some(Errno::Loop));
        // Not following the last component hands back the link itself,
        // which the `*at` calls then never follow.
        let r = resolve(base.as_raw_fd(), "abs", false).unwrap();
        assert_eq!(r.name.as_bytes(), b"abs");
    }

    #[test]
    fn nul_bytes_are_refused() {
        let (_root, base) = sandbox();
        assert_eq!(resolves(&base, "file\0../..").err(), Some(Errno::Ilseq));
        assert_eq!(resolves(&base, "sub\0/x").err(), Some(Errno::Ilseq));
    }

    /// Another thread keeps swapping `sandbox/d` between a directory and a
    /// symlink to the outside while paths through it are resolved and
    /// opened: every open must land inside the sandbox or fail.
    #[test]
    fn symlinks_swapped_in_during_resolution_never_lead_outside() {
        let (root, base) = sandbox();
        let sb = root.path().join("sandbox");
        let dir = sb.join("d");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("secret"), "inside").unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (sb, stop) = (sb.clone(), stop.clone());
            let outside = root.path().join("outside");
            std::thread::spawn(move || {
                let (d, parked, link) = (sb.join("d"), sb.join("parked"), sb.join("link"));
                let mut swaps = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    // d is a directory: park it and put a symlink there.
                    let _ = fs::remove_file(&link);
                    symlink(&outside, &link).unwrap();
                    fs::rename(&d, &parked).unwrap();
                    fs::rename(&link, &d).unwrap();
                    // And back.
                    fs::remove_file(&d).unwrap();
                    fs::rename(&parked, &d).unwrap();
                    swaps += 1;
                }
                swaps
            })
        };
        let (mut inside, mut refused) = (0u32, 0u32);
        for _ in 0..20_000 {
            match resolves(&base, "d/secret") {
                Ok(r) => {
                    let content = read_at(&r.dir, &r.name);
                    match content.as_deref() {
                        Some("inside") => inside += 1,
                        Some(other) => panic!("escaped the sandbox: read {other:?}"),
                        None => refused += 1,
                    }
                }
                Err(_) => refused += 1,
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let swaps = swapper.join().unwrap();
        assert!(swaps > 0, "the swapper never ran");
        assert_eq!(inside + refused, 20_000);
    }

    /// Reads `name` beneath `dir` the way `path_open` opens it.
    fn read_at(dir: &OwnedFd, name: &CString) -> Option<String> {
        // SAFETY: `name` is NUL-terminated; the flags never follow a link.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                name.as_ptr(),
                libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` is fresh and owned here.
        let mut f = unsafe { fs::File::from_raw_fd(fd) };
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).ok()?;
        Some(s)
    }
}
