//! An alternate signal stack for every thread that runs compiled code.
//!
//! The trap handler must run even when the fault was a stack overflow, so
//! it runs on a stack of its own (`SA_ONSTACK`). Rust's standard library
//! gives the threads it creates a small one; a thread whose alternate
//! stack is missing or smaller than [`SIZE`] gets a mapping of [`SIZE`]
//! bytes below a guard page, registered the first time it enters compiled
//! code and unregistered and unmapped when the thread exits.

use std::cell::RefCell;

/// The alternate stack Strata wants at least.
const SIZE: usize = 64 << 10;
const GUARD: usize = 4096;

struct AltStack {
    mapping: *mut libc::c_void,
    len: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        // SAFETY: disabling this thread's alternate stack, then unmapping
        // the memory that was registered; nothing runs on it now.
        unsafe {
            let disable = libc::stack_t {
                ss_sp: std::ptr::null_mut(),
                ss_flags: libc::SS_DISABLE,
                ss_size: SIZE,
            };
            libc::sigaltstack(&disable, std::ptr::null_mut());
            libc::munmap(self.mapping, self.len);
        }
    }
}

thread_local! {
    static ALT_STACK: RefCell<Option<AltStack>> = const { RefCell::new(None) };
    static CHECKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes sure this thread has a large enough alternate signal stack.
pub fn ensure() {
    if CHECKED.with(|c| c.replace(true)) {
        return;
    }
    // SAFETY: querying and setting this thread's alternate stack with valid
    // out-parameters; the new stack is a fresh mapping owned by ALT_STACK.
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut old) != 0 {
            return;
        }
        if old.ss_flags & libc::SS_DISABLE == 0 && old.ss_size >= SIZE {
            return;
        }
        let len = SIZE + GUARD;
        let mapping = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if mapping == libc::MAP_FAILED {
            return;
        }
        let stack = mapping.cast::<u8>().add(GUARD);
        if libc::mprotect(stack.cast(), SIZE, libc::PROT_READ | libc::PROT_WRITE) != 0 {
            libc::munmap(mapping, len);
            return;
        }
        let new = libc::stack_t {
            ss_sp: stack.cast(),
            ss_flags: 0,
            ss_size: SIZE,
        };
        if libc::sigaltstack(&new, std::ptr::null_mut()) != 0 {
            libc::munmap(mapping, len);
            return;
        }
        ALT_STACK.with(|s| *s.borrow_mut() = Some(AltStack { mapping, len }));
    }
}
