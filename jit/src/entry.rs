//! Entering compiled code from the host, and coming back from a trap.
//!
//! Every call from the host (or another tier) into compiled code is an
//! *activation*: [`array_call`] links an [`Activation`] into this thread's
//! list and calls the small assembly stub `strata_jit_enter`, which saves
//! the callee-saved registers, records its stack pointer in the activation
//! and calls the function's array trampoline. Normally the trampoline
//! returns and so does the stub, with `true`.
//!
//! When compiled code traps, the signal handler (`signals.rs`) records the
//! trap in the innermost activation and resumes the thread at
//! `strata_jit_trap_landing` with the stack pointer the stub recorded:
//! the landing restores the registers the stub saved and returns `false`.
//! Every frame between the stub and the fault is simply abandoned; compiled
//! code owns no resources on the stack, and host frames never lie between
//! a stub and compiled code it called (a host call from wasm is an array
//! call, and anything the host calls back goes through a new activation).
//!
//! Invariants:
//! - `CURRENT` is the innermost live activation of this thread or null; it
//!   is restored before [`array_call`] returns, on every path.
//! - The stub's frame layout and the landing's epilogue match exactly.

use crate::registry;
use crate::traps::TrapKind;
use std::cell::Cell;
use std::sync::atomic::Ordering;
use strata_environ::TrapCode;
use strata_environ::vmcontext::{VMContext, VMFrameInfo, VMFuncRef, VMTrap, ValRaw};

/// How many wasm frames a trap's backtrace keeps.
pub const MAX_FRAMES: usize = 256;

/// One entry into compiled code.
#[repr(C)]
pub struct Activation {
    /// Written by the stub: the stack pointer the landing resumes with.
    /// Must stay the first field (the stub stores through the pointer).
    pub resume_sp: usize,
    prev: *mut Activation,
    /// Set by the signal handler.
    pub trap: Option<TrapKind>,
    pub frames: [usize; MAX_FRAMES],
    pub num_frames: usize,
}

thread_local! {
    static CURRENT: Cell<*mut Activation> = const { Cell::new(std::ptr::null_mut()) };
}

/// The innermost activation of this thread, or null.
pub fn current() -> *mut Activation {
    CURRENT.try_with(Cell::get).unwrap_or(std::ptr::null_mut())
}

std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl strata_jit_enter",
    "strata_jit_enter:",
    // (activation, trampoline, vmctx, caller_vmctx, args)
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    // Keep the stack 16-byte aligned for the call.
    "sub rsp, 8",
    "mov [rdi], rsp",
    "mov rax, rsi",
    "mov rdi, rdx",
    "mov rsi, rcx",
    "mov rdx, r8",
    "call rax",
    "mov eax, 1",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".p2align 4",
    ".globl strata_jit_trap_landing",
    "strata_jit_trap_landing:",
    // Entered from the signal handler with rsp = the value stored above.
    "xor eax, eax",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
);

unsafe extern "C" {
    // Opaque pointers: the stub only passes them on (and stores the stack
    // pointer into the activation's first word).
    fn strata_jit_enter(
        activation: *mut usize,
        trampoline: usize,
        vmctx: *mut std::ffi::c_void,
        caller_vmctx: *mut std::ffi::c_void,
        args: *mut std::ffi::c_void,
    ) -> bool;
    fn strata_jit_trap_landing();
}

/// Where the signal handler resumes a trapped activation.
pub fn trap_landing() -> usize {
    strata_jit_trap_landing as *const () as usize
}

/// What [`VMContext::jit_code`] points at: the
/// entry table compiled code reads (first, so the layout in
/// `strata_environ` holds) and what [`array_call`] needs.
#[repr(C)]
pub struct JitModuleCode {
    pub compiled: strata_environ::vmcontext::VMCompiledModule,
    /// The array trampoline of each defined function (0 while a tiered
    /// function has no native code).
    pub trampolines: *const std::sync::atomic::AtomicUsize,
    pub num_imported_funcs: u32,
}

/// The array-call entry of every compiled function.
///
/// # Safety
///
/// As [`VMArrayCallFn`](strata_environ::vmcontext::VMArrayCallFn): `callee`
/// is a live function reference of a compiled module's instance and `args`
/// holds `len >= max(params, results)` values.
pub unsafe extern "C" fn array_call(
    callee: *const VMFuncRef,
    caller_vmctx: *mut VMContext,
    args: *mut ValRaw,
    _len: usize,
) -> bool {
    // SAFETY: the caller guarantees `callee`, its instance and `args`; the
    // module code outlives its instances.
    unsafe {
        let vmctx = (*callee).vmctx;
        let code = (*vmctx).jit_code.cast::<JitModuleCode>();
        let defined = ((*callee).func_index - (*code).num_imported_funcs) as usize;
        let trampoline = (*(*code).trampolines.add(defined)).load(Ordering::Acquire);
        enter(
            vmctx,
            (*callee).func_index,
            trampoline,
            caller_vmctx,
            args.cast(),
        )
    }
}

/// Runs an on-stack-replacement entry that [`JitModule::compile_osr`]
/// returned: function `func_index` of instance `vmctx` continues natively
/// from a loop header with its locals taken from the interpreter frame
/// `frame`; its results are written to the frame's first slots. `false`
/// when it trapped (the trap is in the store context, with the native
/// frames, this function's included).
///
/// # Safety
///
/// `trampoline` must be an OSR trampoline of this function of `vmctx`'s
/// module, and `frame` the interpreter frame of that function, holding
/// every local and room for every result.
///
/// [`JitModule::compile_osr`]: crate::JitModule::compile_osr
pub unsafe fn osr_call(
    vmctx: *mut VMContext,
    func_index: u32,
    trampoline: usize,
    frame: *mut u64,
) -> bool {
    // SAFETY: guaranteed by the caller.
    unsafe { enter(vmctx, func_index, trampoline, vmctx, frame.cast()) }
}

/// Opens an activation and calls `trampoline(vmctx, caller_vmctx, args)`
/// in it, turning a trap into the store's trap record.
///
/// # Safety
///
/// `trampoline` must be a trampoline of function `func_index` of `vmctx`'s
/// module (or 0, which traps) whose arguments `args` satisfies.
unsafe fn enter(
    vmctx: *mut VMContext,
    func_index: u32,
    trampoline: usize,
    caller_vmctx: *mut VMContext,
    args: *mut std::ffi::c_void,
) -> bool {
    crate::signals::install();
    crate::altstack::ensure();
    // SAFETY: the caller guarantees `vmctx` and `args`; the module code
    // outlives its instances.
    unsafe {
        let store = (*vmctx).store;
        let code = (*vmctx).jit_code.cast::<JitModuleCode>();
        if trampoline == 0 {
            let trap = VMTrap::at_entry(TrapCode::Internal, vmctx, func_index);
            (*store).trap = Some(Box::new(trap));
            return false;
        }

        // The first entry sets the native stack limit compiled code checks
        // in every prologue; re-entries from the host must stay above it.
        let marker = 0u8;
        let sp = &marker as *const u8 as usize;
        if !(*store).check_entry_stack(sp) {
            let trap = VMTrap::at_entry(TrapCode::StackOverflow, vmctx, func_index);
            (*store).trap = Some(Box::new(trap));
            return false;
        }

        let mut act = Activation {
            resume_sp: 0,
            prev: current(),
            trap: None,
            frames: [0; MAX_FRAMES],
            num_frames: 0,
        };
        CURRENT.with(|c| c.set(&mut act));
        (*store).host_depth += 1;
        let ok = strata_jit_enter(
            (&raw mut act).cast(),
            trampoline,
            vmctx.cast(),
            caller_vmctx.cast(),
            args,
        );
        (*store).host_depth -= 1;
        CURRENT.with(|c| c.set(act.prev));
        if ok {
            return true;
        }
        // Frames of this module ran in this instance. A frame of another
        // module was reached through an import; its instance is not known
        // here, so the frame keeps its function index without names.
        let mut frames: Vec<VMFrameInfo> = act.frames[..act.num_frames]
            .iter()
            .filter_map(|pc| registry::func_at(*pc))
            .map(|(module, func_index)| VMFrameInfo {
                vmctx: if module == code as usize {
                    vmctx
                } else {
                    std::ptr::null_mut()
                },
                func_index,
            })
            .collect();
        let trap = match act.trap {
            Some(TrapKind::Trap(code)) => VMTrap {
                code: Some(code),
                frames,
            },
            // A callee reported the trap; its frames are the inner ones.
            Some(TrapKind::Propagate) | None => match (*store).trap.take() {
                Some(inner) => {
                    let mut all = inner.frames;
                    all.append(&mut frames);
                    VMTrap {
                        code: inner.code,
                        frames: all,
                    }
                }
                None => VMTrap {
                    code: Some(TrapCode::Internal),
                    frames,
                },
            },
        };
        (*store).trap = Some(Box::new(trap));
        false
    }
}
