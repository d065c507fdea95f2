//! The state of a WASI program: arguments, environment and open files.

use crate::errno::{Errno, WasiResult};
use crate::rights::{self, Rights};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Where a standard stream goes.
#[derive(Clone)]
pub(crate) enum Stdio {
    /// The host process's own stream.
    Inherit,
    /// Reads see end of file; writes vanish.
    Null,
    /// Reads come from these bytes.
    Bytes(Arc<Mutex<std::io::Cursor<Vec<u8>>>>),
    /// Writes are appended here.
    Capture(Arc<Mutex<Vec<u8>>>),
}

/// What a file descriptor refers to.
pub(crate) enum FdKind {
    /// Standard input, output or error (0, 1, 2).
    Stdio(Stdio, RawFd),
    /// A regular file (or anything else that is not a directory).
    File(File),
    /// A directory; `preopen` is its guest name if it was preopened.
    Dir {
        fd: OwnedFd,
        preopen: Option<String>,
    },
}

/// An open descriptor and its rights (see `rights.rs`).
pub(crate) struct FdEntry {
    pub(crate) kind: FdKind,
    pub(crate) rights_base: Rights,
    pub(crate) rights_inheriting: Rights,
}

impl FdEntry {
    /// `Ok` if the descriptor holds every right in `needed`.
    pub(crate) fn require(&self, needed: Rights) -> WasiResult<()> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }
}

/// A WASI program's view of the world. Nothing of the host reaches the
/// guest unless it was added here.
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: Vec<Option<FdEntry>>,
}

impl WasiCtx {
    /// A builder.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    pub(crate) fn entry(&mut self, fd: u32) -> WasiResult<&mut FdEntry> {
        self.fds
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    pub(crate) fn insert(&mut self, entry: FdEntry) -> WasiResult<u32> {
        if let Some(i) = self.fds.iter().position(Option::is_none) {
            self.fds[i] = Some(entry);
            return Ok(i as u32);
        }
        if self.fds.len() >= 1 << 20 {
            return Err(Errno::Mfile);
        }
        self.fds.push(Some(entry));
        Ok(self.fds.len() as u32 - 1)
    }
}

impl FdKind {
    /// The host descriptor, for system calls.
    pub(crate) fn raw(&self) -> Option<RawFd> {
        match self {
            FdKind::Stdio(Stdio::Inherit, fd) => Some(*fd),
            FdKind::Stdio(..) => None,
            FdKind::File(f) => Some(f.as_raw_fd()),
            FdKind::Dir { fd, .. } => Some(fd.as_raw_fd()),
        }
    }

    pub(crate) fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        match self {
            FdKind::Stdio(Stdio::Inherit, fd) => {
                // SAFETY: `buf` is a valid writable buffer of its length.
                let n = unsafe { libc::read(*fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(Errno::last())
                } else {
                    Ok(n as usize)
                }
            }
            FdKind::Stdio(Stdio::Bytes(c), _) => {
                let mut c = c.lock().map_err(|_| Errno::Io)?;
                Ok(c.read(buf)?)
            }
            FdKind::Stdio(_, 0) => Ok(0),
            FdKind::Stdio(..) => Err(Errno::Badf),
            FdKind::File(f) => Ok(f.read(buf)?),
            // As in wasmtime, a directory is not a file: EBADF.
            FdKind::Dir { .. } => Err(Errno::Badf),
        }
    }

    pub(crate) fn write(&mut self, buf: &[u8]) -> WasiResult<usize> {
        match self {
            FdKind::Stdio(Stdio::Inherit, fd) => {
                // SAFETY: `buf` is a valid readable buffer of its length.
                let n = unsafe { libc::write(*fd, buf.as_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(Errno::last())
                } else {
                    Ok(n as usize)
                }
            }
            FdKind::Stdio(Stdio::Capture(out), _) => {
                out.lock().map_err(|_| Errno::Io)?.extend_from_slice(buf);
                Ok(buf.len())
            }
            FdKind::Stdio(Stdio::Null, fd) if *fd != 0 => Ok(buf.len()),
            FdKind::Stdio(..) => Err(Errno::Badf),
            FdKind::File(f) => Ok(f.write(buf)?),
            // As in wasmtime, a directory is not a file: EBADF.
            FdKind::Dir { .. } => Err(Errno::Badf),
        }
    }
}

/// Builds a [`WasiCtx`].
#[derive(Default)]
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<Stdio>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
    preopens: Vec<(OwnedFd, String)>,
}

impl WasiCtxBuilder {
    /// An empty context: no arguments, no environment, no files, and
    /// standard streams connected to nothing.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// Appends a program argument (the first is the program's name).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends program arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable.
    pub fn env(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Connects stdin, stdout and stderr to the host's.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin = Some(Stdio::Inherit);
        self.stdout = Some(Stdio::Inherit);
        self.stderr = Some(Stdio::Inherit);
        self
    }

    /// Feeds stdin from bytes.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Some(Stdio::Bytes(Arc::new(Mutex::new(std::io::Cursor::new(
            bytes.into(),
        )))));
        self
    }

    /// Collects stdout into the returned buffer.
    pub fn capture_stdout(&mut self) -> Arc<Mutex<Vec<u8>>> {
        let buf = Arc::new(Mutex::new(Vec::new()));
        self.stdout = Some(Stdio::Capture(buf.clone()));
        buf
    }

    /// Collects stderr into the returned buffer.
    pub fn capture_stderr(&mut self) -> Arc<Mutex<Vec<u8>>> {
        let buf = Arc::new(Mutex::new(Vec::new()));
        self.stderr = Some(Stdio::Capture(buf.clone()));
        buf
    }

    /// Gives the guest the host directory `host` under the name `guest`.
    /// The guest reaches only what lies beneath it.
    ///
    /// # Errors
    ///
    /// Fails if `host` cannot be opened as a directory.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
    ) -> std::io::Result<&mut Self> {
        let dir = File::open(host.as_ref())?;
        if !dir.metadata()?.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is not a directory", host.as_ref().display()),
            ));
        }
        self.preopens.push((OwnedFd::from(dir), guest.into()));
        Ok(self)
    }

    /// The context.
    pub fn build(&mut self) -> WasiCtx {
        let stdio = |s: &Option<Stdio>, fd| {
            let stdio = s.clone().unwrap_or(Stdio::Null);
            let mut base = if fd == 0 {
                rights::STDIN
            } else {
                rights::STDOUT
            };
            // An inherited stream redirected to a regular file can seek.
            if let Stdio::Inherit = stdio
                && crate::fs::fstat(fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG)
            {
                base |= rights::FD_SEEK | rights::FD_TELL;
            }
            FdEntry {
                kind: FdKind::Stdio(stdio, fd),
                rights_base: base,
                rights_inheriting: 0,
            }
        };
        let mut fds = vec![
            Some(stdio(&self.stdin, 0)),
            Some(stdio(&self.stdout, 1)),
            Some(stdio(&self.stderr, 2)),
        ];
        for (fd, name) in self.preopens.drain(..) {
            fds.push(Some(FdEntry {
                kind: FdKind::Dir {
                    fd,
                    preopen: Some(name),
                },
                rights_base: rights::DIRECTORY,
                rights_inheriting: rights::DIRECTORY_INHERITING,
            }));
        }
        WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            fds,
        }
    }
}
