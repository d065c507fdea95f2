//! Turning hardware faults in compiled code into wasm traps.
//!
//! One handler serves SIGSEGV, SIGBUS, SIGILL and SIGFPE. It is installed
//! once per process, runs on an alternate signal stack, and decides in
//! this order:
//!
//! 1. Is this thread inside a wasm activation (see `entry.rs`)? If not, the
//!    fault is not Strata's.
//! 2. Does the faulting PC lie in registered compiled code with a trap
//!    record exactly there (`registry.rs`)? If not, it is not Strata's
//!    either (a bug would show up as the crash it is).
//! 3. Otherwise it records the trap and the wasm frames (walking frame
//!    pointers, which all compiled code keeps) in the activation, and
//!    rewrites the interrupted context so that returning from the handler
//!    resumes at the activation's entry stub, which returns `false` to the
//!    host. No `longjmp`: the kernel restores the rewritten registers.
//!
//! Faults that are not Strata's go to the handler installed before
//! Strata's; if that was the default action, it is reinstated and the
//! faulting instruction runs again, so the process dies as it would have
//! without Strata.
//!
//! Invariants: the handler allocates nothing, takes only the registry's
//! read lock, and touches only the current activation (thread-local, set
//! up before wasm code runs on the thread).

use crate::entry::{self, Activation};
use crate::registry;
use std::sync::Once;

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

/// The handlers that were installed before Strata's, by position in
/// [`SIGNALS`]. Written once, under `INSTALL`, before Strata's handler can
/// run.
static mut PREVIOUS: [std::mem::MaybeUninit<libc::sigaction>; 4] =
    [std::mem::MaybeUninit::uninit(); 4];

static INSTALL: Once = Once::new();

/// Installs the handler (once per process).
pub fn install() {
    INSTALL.call_once(|| {
        for (i, sig) in SIGNALS.into_iter().enumerate() {
            // SAFETY: a zeroed sigaction is a valid value to fill in; the
            // handler has the three-argument form SA_SIGINFO asks for;
            // PREVIOUS is written only here, inside `call_once`, before the
            // new handler is live.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut action.sa_mask);
                let prev = &raw mut PREVIOUS;
                let slot = (*prev)[i].as_mut_ptr();
                libc::sigaction(sig, &action, slot);
            }
        }
    });
}

/// The signal handler.
///
/// # Safety
///
/// Called by the kernel with a valid `info` and `context` for `sig`.
unsafe extern "C" fn handler(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid ucontext for SA_SIGINFO handlers;
    // the activation pointer is either null or the live activation of this
    // thread (entry.rs keeps it so).
    unsafe {
        let uc = context.cast::<libc::ucontext_t>();
        let gregs = &mut (*uc).uc_mcontext.gregs;
        let pc = gregs[libc::REG_RIP as usize] as usize;
        let fp = gregs[libc::REG_RBP as usize] as usize;
        let act = entry::current();
        if !act.is_null()
            && let Some(kind) = registry::trap_at(pc)
        {
            record(act, kind, pc, fp);
            gregs[libc::REG_RSP as usize] = (*act).resume_sp as i64;
            gregs[libc::REG_RIP as usize] = entry::trap_landing() as i64;
            return;
        }
        chain(sig, info, context);
    }
}

/// Records the trap and the wasm return addresses above it.
///
/// # Safety
///
/// `act` is the live activation; `fp` is the frame pointer of compiled
/// code at `pc`, so the chain of saved frame pointers is valid for as long
/// as it stays in compiled code.
unsafe fn record(act: *mut Activation, kind: crate::traps::TrapKind, pc: usize, mut fp: usize) {
    // SAFETY: see above; reads stop at the first address that is not
    // compiled code.
    unsafe {
        (*act).trap = Some(kind);
        let frames = &mut (*act).frames;
        let mut n = 0;
        frames[n] = pc;
        n += 1;
        while fp != 0 && n < frames.len() {
            let ret = *((fp + 8) as *const usize);
            if !registry::is_compiled_code(ret) {
                break;
            }
            // Name the call instruction, not the one after it.
            frames[n] = ret - 1;
            n += 1;
            fp = *(fp as *const usize);
        }
        (*act).num_frames = n;
    }
}

/// Hands a fault that is not Strata's to the previous handler.
///
/// # Safety
///
/// The arguments are the kernel's for this signal.
unsafe fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let Some(i) = SIGNALS.iter().position(|s| *s == sig) else {
        return;
    };
    // SAFETY: PREVIOUS[i] was written before this handler was installed.
    unsafe {
        let prev = &raw const PREVIOUS;
        let prev = (*prev)[i].assume_init_ref();
        if prev.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev.sa_sigaction);
            f(sig, info, context);
        } else if prev.sa_sigaction == libc::SIG_DFL || prev.sa_sigaction == libc::SIG_IGN {
            // Put the old disposition back; the faulting instruction runs
            // again and gets it.
            libc::sigaction(sig, prev, std::ptr::null_mut());
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
            f(sig);
        }
    }
}
