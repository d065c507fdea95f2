//! WASI preview 1 (`wasi_snapshot_preview1`) for Strata.
//!
//! The functions are ordinary host functions defined on a [`Linker`], so
//! they work with every execution tier. A program's state lives in a
//! [`WasiCtx`] inside the store's data:
//!
//! ```no_run
//! use strata::{Engine, Linker, Module, Store};
//! use strata_wasi::{I32Exit, WasiCtx};
//!
//! # fn main() -> strata::Result<()> {
//! let engine = Engine::default();
//! let module = Module::from_file(&engine, "hello.wasm")?;
//! let mut linker = Linker::new(&engine);
//! strata_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
//!
//! let wasi = WasiCtx::builder()
//!     .arg("hello.wasm")
//!     .env("GREETING", "hi")
//!     .inherit_stdio()
//!     .preopened_dir(".", "/work")
//!     .map_err(strata::Error::new)?
//!     .build();
//! let mut store = Store::new(&engine, wasi);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
//! match start.call(&mut store, ()) {
//!     Ok(()) => {}
//!     Err(e) => match e.downcast_ref::<I32Exit>() {
//!         Some(exit) => std::process::exit(exit.0),
//!         None => return Err(e),
//!     },
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # The sandbox
//!
//! The guest reaches files only beneath its preopened directories. Paths are
//! resolved component by component beneath a directory descriptor (see
//! `fs.rs`): `..` above the preopen, absolute paths, and symlinks whose
//! target leads outside are refused with `ENOTCAPABLE`, as wasmtime refuses
//! them. Guest pointers and lengths are checked against linear memory:
//! bad ones give `EFAULT`, never a host fault.

mod ctx;
mod errno;
mod fs;
mod guest;
mod poll;
mod preview1;
mod rights;

pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use errno::Errno;

use guest::GuestMemory;
use strata::{Caller, Error, Extern, Linker, Result};

/// The import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The error a guest's `proc_exit` returns to the host: the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl std::fmt::Display for I32Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// Runs `f` with the caller's memory and WASI context; the result becomes
/// the errno the guest sees.
fn with_wasi<T>(
    caller: &mut Caller<'_, T>,
    get: fn(&mut T) -> &mut WasiCtx,
    f: impl FnOnce(&mut GuestMemory<'_>, &mut WasiCtx) -> errno::WasiResult<()>,
) -> Result<i32> {
    let memory = caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| {
            Error::msg("WASI functions need the module to export its memory as `memory`")
        })?;
    let (bytes, data) = memory.data_and_store_mut(caller);
    let mut mem = GuestMemory::new(bytes);
    Ok(match f(&mut mem, get(data)) {
        Ok(()) => 0,
        Err(e) => e as i32,
    })
}

macro_rules! wasi_functions {
    ($linker:ident, $get:ident; $( $name:ident ( $( $arg:ident : $ty:ident ),* ); )*) => {
        $(
            $linker.func_wrap(
                MODULE,
                stringify!($name),
                move |mut caller: Caller<'_, T>, $( $arg: $ty ),*| -> Result<i32> {
                    with_wasi(&mut caller, $get, |mem, ctx| {
                        preview1_call!($name, mem, ctx $(, $arg: $ty)*)
                    })
                },
            )?;
        )*
    };
}

/// Calls the implementation, converting wasm integer types to the unsigned
/// types the implementations take.
macro_rules! preview1_call {
    ($name:ident, $mem:ident, $ctx:ident $(, $arg:ident : $ty:ident)*) => {
        wasi_impl!($name)($mem, $ctx $(, conv!($arg, $ty))*)
    };
}

macro_rules! conv {
    ($arg:ident, i32) => {
        $arg as u32
    };
    ($arg:ident, i64) => {
        $arg as u64
    };
}

macro_rules! wasi_impl {
    (poll_oneoff) => {
        poll::poll_oneoff
    };
    ($name:ident) => {
        preview1::$name
    };
}

/// Defines every `wasi_snapshot_preview1` function in `linker`. `get`
/// finds the [`WasiCtx`] in the store's data.
///
/// # Errors
///
/// Fails if the linker already defines one of the names.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut WasiCtx,
) -> Result<()> {
    wasi_functions! { linker, get;
        args_get(argv: i32, buf: i32);
        args_sizes_get(argc: i32, size: i32);
        environ_get(env: i32, buf: i32);
        environ_sizes_get(count: i32, size: i32);
        clock_res_get(id: i32, out: i32);
        fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
        fd_allocate(fd: i32, offset: i64, len: i64);
        fd_close(fd: i32);
        fd_datasync(fd: i32);
        fd_fdstat_get(fd: i32, out: i32);
        fd_fdstat_set_flags(fd: i32, flags: i32);
        fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
        fd_filestat_get(fd: i32, out: i32);
        fd_filestat_set_size(fd: i32, size: i64);
        fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32);
        fd_pread(fd: i32, iovs: i32, count: i32, offset: i64, nread: i32);
        fd_prestat_get(fd: i32, out: i32);
        fd_prestat_dir_name(fd: i32, path: i32, len: i32);
        fd_pwrite(fd: i32, iovs: i32, count: i32, offset: i64, nwritten: i32);
        fd_read(fd: i32, iovs: i32, count: i32, nread: i32);
        fd_readdir(fd: i32, buf: i32, len: i32, cookie: i64, used: i32);
        fd_renumber(from: i32, to: i32);
        fd_seek(fd: i32, offset: i64, whence: i32, out: i32);
        fd_sync(fd: i32);
        fd_tell(fd: i32, out: i32);
        fd_write(fd: i32, iovs: i32, count: i32, nwritten: i32);
        path_create_directory(fd: i32, path: i32, len: i32);
        path_filestat_get(fd: i32, flags: i32, path: i32, len: i32, out: i32);
        path_filestat_set_times(fd: i32, flags: i32, path: i32, len: i32, atim: i64, mtim: i64, fst: i32);
        path_link(old_fd: i32, old_flags: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32);
        path_open(fd: i32, dirflags: i32, path: i32, len: i32, oflags: i32, base: i64, inheriting: i64, fdflags: i32, out: i32);
        path_readlink(fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, used: i32);
        path_remove_directory(fd: i32, path: i32, len: i32);
        path_rename(fd: i32, old: i32, old_len: i32, new_fd: i32, new: i32, new_len: i32);
        path_symlink(old: i32, old_len: i32, fd: i32, new: i32, new_len: i32);
        path_unlink_file(fd: i32, path: i32, len: i32);
        poll_oneoff(subs: i32, out: i32, nsubs: i32, nevents: i32);
        proc_raise(sig: i32);
        sched_yield();
        random_get(buf: i32, len: i32);
        sock_accept(fd: i32, flags: i32, out: i32);
        sock_recv(fd: i32, ri: i32, ri_len: i32, flags: i32, ro_len: i32, ro_flags: i32);
        sock_send(fd: i32, si: i32, si_len: i32, flags: i32, so_len: i32);
        sock_shutdown(fd: i32, how: i32);
    }
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        move |mut caller: Caller<'_, T>, id: i32, precision: i64, out: i32| -> Result<i32> {
            with_wasi(&mut caller, get, |mem, ctx| {
                preview1::clock_time_get(mem, ctx, id as u32, precision as u64, out as u32)
            })
        },
    )?;
    linker.func_wrap(MODULE, "proc_exit", |code: i32| -> Result<()> {
        Err(Error::new(I32Exit(code)))
    })?;
    Ok(())
}
