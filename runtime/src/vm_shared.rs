//! Structures that running code reaches through raw pointers.
//!
//! A store's [`VMStoreContext`], each instance's `VMContext` and record,
//! and every memory's, table's and global's definition are read and
//! written by compiled code and the interpreter through raw pointers, and
//! by the runtime through the store. Each lives in a [`VmShared`]: at a
//! stable heap address, owned through a raw pointer rather than a `Box`.
//!
//! Why not a `Box`: Rust treats a `Box` as the unique owner of its value,
//! so moving one (a `Vec` of them growing) or writing through it
//! invalidates every pointer derived from it before; Miri's aliasing
//! models report exactly that for pointers handed to code. Here the raw
//! pointers handed to code ([`VmShared::as_ptr`]) and the references
//! [`Deref`] and [`DerefMut`] give out all derive from the one pointer the
//! allocation returned, so each use is allowed after the others.
//!
//! Invariant: `ptr` comes from `Box::leak` and is freed only by `Drop`.
//! Code writes through the raw pointers only while it runs, and it runs
//! only while the store is exclusively borrowed by the call that started
//! it, so no reference made here is live during such a write.
//!
//! [`VMStoreContext`]: strata_environ::vmcontext::VMStoreContext

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// A heap-pinned value that code may read and write through
/// [`VmShared::as_ptr`] (see the [module docs](self)).
pub(crate) struct VmShared<T: ?Sized> {
    ptr: NonNull<T>,
}

impl<T> VmShared<T> {
    pub(crate) fn new(value: T) -> VmShared<T> {
        VmShared::from_box(Box::new(value))
    }

    /// Takes the value back out; no pointer to it may be used after.
    pub(crate) fn into_inner(self) -> T {
        let ptr = self.ptr.as_ptr();
        std::mem::forget(self);
        // SAFETY: the pointer came from `Box::leak` in `new`; forgetting
        // `self` keeps `Drop` from freeing it again.
        *unsafe { Box::from_raw(ptr) }
    }
}

impl<T: ?Sized> VmShared<T> {
    /// Takes over a boxed value (a slice, for one allocation that code
    /// indexes).
    pub(crate) fn from_box(value: Box<T>) -> VmShared<T> {
        VmShared {
            ptr: NonNull::from(Box::leak(value)),
        }
    }

    /// The address code reads and writes; stable for the value's life.
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.ptr.as_ptr()
    }
}

impl<T: ?Sized> Deref for VmShared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the pointer is live while `self` is (module invariant),
        // and code does not write through its copies while a reference
        // made here from the store is in use.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for VmShared<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this the only reference
        // given out now.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T: ?Sized> Drop for VmShared<T> {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `Box::leak` in `new` and is freed
        // only here (module invariant).
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

// SAFETY: a `VmShared<T>` owns its `T` as a `Box<T>` would; sending it to
// another thread sends the `T`. (It is not `Sync`: code may write through
// `as_ptr` while the owner is shared.)
unsafe impl<T: ?Sized + Send> Send for VmShared<T> {}
