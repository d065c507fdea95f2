//! Preview 1's rights: what a descriptor may be used for.
//!
//! Every descriptor carries a base set (what calls on it may do) and an
//! inheriting set (the most a descriptor opened through it may get). They
//! only ever shrink: `path_open` gives the new descriptor what it asked for,
//! limited by its parent's inheriting set and by what its kind can do at
//! all (a directory cannot be read or seeked; a file cannot be the base of
//! a path), and `fd_fdstat_set_rights` may drop rights but never add them.
//! A call made without the right it needs answers `ENOTCAPABLE`.
//!
//! The sets for directories and files are wasmtime's, so that programs
//! reopening a directory with exactly the rights `fd_fdstat_get` reported
//! (as Rust's standard library does) behave the same on both runtimes.

/// A set of rights, as the guest sees it.
pub type Rights = u64;

pub const FD_DATASYNC: Rights = 1 << 0;
pub const FD_READ: Rights = 1 << 1;
pub const FD_SEEK: Rights = 1 << 2;
pub const FD_FDSTAT_SET_FLAGS: Rights = 1 << 3;
pub const FD_SYNC: Rights = 1 << 4;
pub const FD_TELL: Rights = 1 << 5;
pub const FD_WRITE: Rights = 1 << 6;
pub const FD_ADVISE: Rights = 1 << 7;
pub const FD_ALLOCATE: Rights = 1 << 8;
pub const PATH_CREATE_DIRECTORY: Rights = 1 << 9;
pub const PATH_CREATE_FILE: Rights = 1 << 10;
pub const PATH_LINK_SOURCE: Rights = 1 << 11;
pub const PATH_LINK_TARGET: Rights = 1 << 12;
pub const PATH_OPEN: Rights = 1 << 13;
pub const FD_READDIR: Rights = 1 << 14;
pub const PATH_READLINK: Rights = 1 << 15;
pub const PATH_RENAME_SOURCE: Rights = 1 << 16;
pub const PATH_RENAME_TARGET: Rights = 1 << 17;
pub const PATH_FILESTAT_GET: Rights = 1 << 18;
pub const PATH_FILESTAT_SET_SIZE: Rights = 1 << 19;
pub const PATH_FILESTAT_SET_TIMES: Rights = 1 << 20;
pub const FD_FILESTAT_GET: Rights = 1 << 21;
pub const FD_FILESTAT_SET_SIZE: Rights = 1 << 22;
pub const FD_FILESTAT_SET_TIMES: Rights = 1 << 23;
pub const PATH_SYMLINK: Rights = 1 << 24;
pub const PATH_REMOVE_DIRECTORY: Rights = 1 << 25;
pub const PATH_UNLINK_FILE: Rights = 1 << 26;
pub const POLL_FD_READWRITE: Rights = 1 << 27;
// Bits 28 and 29 (`sock_shutdown`, `sock_accept`) name socket rights;
// Strata offers guests no sockets.

/// What a directory descriptor can do at most.
pub const DIRECTORY: Rights = PATH_CREATE_DIRECTORY
    | PATH_CREATE_FILE
    | PATH_LINK_SOURCE
    | PATH_LINK_TARGET
    | PATH_OPEN
    | FD_READDIR
    | PATH_READLINK
    | PATH_RENAME_SOURCE
    | PATH_RENAME_TARGET
    | PATH_SYMLINK
    | PATH_REMOVE_DIRECTORY
    | PATH_UNLINK_FILE
    | PATH_FILESTAT_GET
    | PATH_FILESTAT_SET_SIZE
    | PATH_FILESTAT_SET_TIMES
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_TIMES
    | FD_SYNC
    | FD_DATASYNC;

/// What a regular file (or other non-directory) descriptor can do at most.
pub const FILE: Rights = FD_DATASYNC
    | FD_READ
    | FD_SEEK
    | FD_FDSTAT_SET_FLAGS
    | FD_SYNC
    | FD_TELL
    | FD_WRITE
    | FD_ADVISE
    | FD_ALLOCATE
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_SIZE
    | FD_FILESTAT_SET_TIMES
    | POLL_FD_READWRITE;

/// What a directory may hand on to descriptors opened through it.
pub const DIRECTORY_INHERITING: Rights = DIRECTORY | FILE;

/// The rights of standard input.
pub const STDIN: Rights = FD_READ | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;

/// The rights of standard output and error.
pub const STDOUT: Rights =
    FD_WRITE | FD_DATASYNC | FD_SYNC | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
