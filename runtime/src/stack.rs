//! Where the running thread's native stack ends.
//!
//! Compiled code checks a stack limit in every prologue; the limit is the
//! entry's stack pointer less the store's native stack budget. A budget
//! larger than the thread's actual stack would let code run into the
//! thread's guard page, a fault that is no trap. The limit is therefore
//! never set below the floor computed here: the lowest address of the
//! thread's stack plus room for the host code (host functions, the
//! interpreter loop, the runtime) that may run below the last wasm frame.

use std::cell::Cell;

/// Room kept below the limit for host code called from wasm.
const HOST_RESERVE: usize = 256 << 10;

thread_local! {
    static FLOOR: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The lowest stack address wasm may use on this thread (0 if unknown).
pub(crate) fn thread_stack_floor() -> usize {
    FLOOR
        .try_with(|f| match f.get() {
            Some(v) => v,
            None => {
                let v = query().map_or(0, |low| low.saturating_add(HOST_RESERVE));
                f.set(Some(v));
                v
            }
        })
        .unwrap_or(0)
}

/// The lowest address of this thread's stack.
#[cfg(all(target_os = "linux", not(miri)))]
fn query() -> Option<usize> {
    // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is
    // read and destroyed exactly once; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        ok.then_some(addr as usize)
    }
}

/// Unknown (Miri does not model `pthread_getattr_np`): no floor beyond
/// the budget.
#[cfg(any(not(target_os = "linux"), miri))]
fn query() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_floor_lies_below_the_current_frame() {
        let marker = 0u8;
        let sp = &marker as *const u8 as usize;
        let floor = super::thread_stack_floor();
        assert!(floor > 0 && floor < sp, "floor {floor:#x}, sp {sp:#x}");
        // A spawned thread has its own, different stack.
        let other = std::thread::spawn(super::thread_stack_floor)
            .join()
            .unwrap();
        assert_ne!(other, floor);
    }
}
