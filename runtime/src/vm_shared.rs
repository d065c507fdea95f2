//! Structures that running code writes through raw pointers.
//!
//! A memory's, table's or global's definition is read and written by
//! compiled code and the interpreter through the pointers in a
//! `VMContext`, and by the runtime through the store. Writing through a
//! pointer made from a shared reference is undefined behaviour, so each
//! definition lives in an [`UnsafeCell`] behind a stable heap address, and
//! the pointer handed to code comes from [`VmShared::as_ptr`].

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

/// A heap-pinned value that code may write through [`VmShared::as_ptr`].
pub(crate) struct VmShared<T>(Box<UnsafeCell<T>>);

impl<T> VmShared<T> {
    pub(crate) fn new(value: T) -> VmShared<T> {
        VmShared(Box::new(UnsafeCell::new(value)))
    }

    /// The address code reads and writes; stable for the value's life.
    pub(crate) fn as_ptr(&self) -> *mut T {
        self.0.get()
    }
}

impl<T> Deref for VmShared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: code writes through `as_ptr` only while it runs, and it
        // runs only while the store is exclusively borrowed by the call that
        // started it; a shared reference made here from the store does not
        // outlive a call into wasm.
        unsafe { &*self.0.get() }
    }
}

impl<T> DerefMut for VmShared<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_mut()
    }
}
