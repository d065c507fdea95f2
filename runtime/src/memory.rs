//! Linear memories.
//!
//! On 64-bit hosts a 32-bit memory reserves its whole 4 GiB index space
//! plus a 32 MiB guard region as inaccessible address space, and growing
//! only makes more pages accessible: the base never moves and nothing is
//! copied. Any 32-bit index plus a static offset below the guard size lands
//! in the reservation, so compiled code can drop bounds checks and let the
//! hardware fault instead.
//!
//! When that much address space cannot be had (for example under
//! `ulimit -v`), the memory falls back to reserving just its declared
//! maximum (or its initial size when unbounded) and moves when it outgrows
//! that. Such a memory reports `needs_bounds_checks`, and code must check
//! every access explicitly. The interpreter always checks.

use crate::error::{Error, Result};
use crate::limits::ResourceLimiter;
use crate::store::{AsContext, AsContextMut, Stored};
use std::ptr;
use strata_environ::MemoryType;
use strata_environ::vmcontext::VMMemoryDefinition;

const WASM_PAGE: usize = 65536;
/// Inaccessible bytes after a full 4 GiB reservation.
pub const GUARD_SIZE: usize = 32 << 20;
const FULL_RESERVATION: u64 = (4u64 << 30) + GUARD_SIZE as u64;

fn os_page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

fn round_up(n: usize, to: usize) -> usize {
    n.div_ceil(to) * to
}

/// An anonymous mapping, unmapped on drop.
struct Mapping {
    ptr: *mut u8,
    len: usize,
}

impl Mapping {
    /// Reserves `len` bytes of inaccessible address space. (Under Miri,
    /// which models neither `PROT_NONE` reservations nor `mprotect`, the
    /// bytes are accessible at once and memories get no guard region.)
    fn reserve(len: usize) -> Option<Mapping> {
        let (prot, noreserve) = if cfg!(miri) {
            (libc::PROT_READ | libc::PROT_WRITE, 0)
        } else {
            (libc::PROT_NONE, libc::MAP_NORESERVE)
        };
        // SAFETY: an anonymous mapping at an address of the kernel's
        // choosing has no preconditions.
        let ptr = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                prot,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | noreserve,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            None
        } else {
            Some(Mapping {
                ptr: ptr.cast(),
                len,
            })
        }
    }

    /// Makes the first `len` bytes readable and writable.
    fn make_accessible(&self, len: usize) -> bool {
        if len == 0 || cfg!(miri) {
            return true;
        }
        // SAFETY: `[ptr, ptr + len)` lies within this mapping (callers check
        // `len <= self.len`).
        unsafe { libc::mprotect(self.ptr.cast(), len, libc::PROT_READ | libc::PROT_WRITE) == 0 }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping was created by `reserve` with this length and
        // nothing refers to it after the memory is dropped.
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}

/// The storage behind a [`Memory`].
pub(crate) struct LinearMemory {
    pub(crate) def: crate::vm_shared::VmShared<VMMemoryDefinition>,
    mapping: Mapping,
    /// Bytes of the mapping that may become accessible without moving.
    capacity: usize,
    ty: MemoryType,
    full_reservation: bool,
}

impl LinearMemory {
    /// Allocates a memory of type `ty`.
    pub(crate) fn new(ty: MemoryType, limiter: &mut dyn ResourceLimiter) -> Result<LinearMemory> {
        if ty.memory64 || ty.shared {
            return Err(Error::Resource(
                "64-bit and shared memories are not supported".into(),
            ));
        }
        let maximum = ty.maximum.and_then(Self::bytes_for);
        let initial = Self::bytes_for(ty.minimum)
            .filter(|b| limiter.memory_growing(0, *b, maximum))
            .ok_or_else(|| {
                Error::Resource(format!(
                    "memory of {} pages is too large or over the store's limit",
                    ty.minimum
                ))
            })?;
        let page = os_page_size();
        let full_reservation = if cfg!(miri) {
            None
        } else {
            Mapping::reserve(FULL_RESERVATION as usize)
        };
        let (mapping, capacity, full) = match full_reservation {
            Some(m) if cfg!(target_pointer_width = "64") => (m, 4usize << 30, true),
            _ => {
                let max = maximum.unwrap_or(initial);
                let cap = round_up(max.max(page), page);
                let m = Mapping::reserve(cap).ok_or_else(|| {
                    Error::Resource(format!("cannot reserve {cap} bytes for a memory"))
                })?;
                (m, cap, false)
            }
        };
        if !mapping.make_accessible(initial) {
            return Err(Error::Resource(format!(
                "cannot commit {initial} bytes of memory"
            )));
        }
        Ok(LinearMemory {
            def: crate::vm_shared::VmShared::new(VMMemoryDefinition {
                base: mapping.ptr,
                current_length: initial,
            }),
            mapping,
            capacity,
            ty,
            full_reservation: full,
        })
    }

    fn bytes_for(pages: u64) -> Option<usize> {
        if pages > 65536 {
            return None;
        }
        usize::try_from(pages).ok()?.checked_mul(WASM_PAGE)
    }

    pub(crate) fn ty(&self) -> MemoryType {
        MemoryType {
            minimum: self.pages(),
            ..self.ty
        }
    }

    pub(crate) fn pages(&self) -> u64 {
        (self.def.current_length / WASM_PAGE) as u64
    }

    /// Whether the memory sits in a full 4 GiB + guard reservation, so that
    /// compiled code may skip bounds checks.
    pub(crate) fn is_guarded(&self) -> bool {
        self.full_reservation
    }

    /// Grows by `delta` pages; the old size in pages, or `None` if the
    /// memory cannot grow that much.
    pub(crate) fn grow(&mut self, delta: u64, limiter: &mut dyn ResourceLimiter) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if let Some(max) = self.ty.maximum
            && new > max
        {
            return None;
        }
        let new_bytes = Self::bytes_for(new)?;
        let maximum = self.ty.maximum.and_then(Self::bytes_for);
        if !limiter.memory_growing(self.def.current_length, new_bytes, maximum) {
            return None;
        }
        if new_bytes <= self.capacity {
            if !self.mapping.make_accessible(new_bytes) {
                return None;
            }
        } else {
            // Only a memory without a full reservation gets here: move it.
            let page = os_page_size();
            let cap = round_up(new_bytes.max(page), page);
            let mapping = Mapping::reserve(cap)?;
            if !mapping.make_accessible(new_bytes) {
                return None;
            }
            // SAFETY: both ranges are accessible and distinct mappings; the
            // old one holds `current_length` initialised bytes.
            unsafe {
                ptr::copy_nonoverlapping(self.mapping.ptr, mapping.ptr, self.def.current_length);
            }
            self.mapping = mapping;
            self.capacity = cap;
            self.def.base = self.mapping.ptr;
        }
        self.def.current_length = new_bytes;
        Some(old)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        if self.def.current_length == 0 {
            return &[];
        }
        // SAFETY: `current_length` bytes from `base` are mapped read/write
        // and owned by this memory.
        unsafe { std::slice::from_raw_parts(self.def.base, self.def.current_length) }
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        if self.def.current_length == 0 {
            return &mut [];
        }
        // SAFETY: as in `bytes`, and `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.def.base, self.def.current_length) }
    }
}

/// A linear memory handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory(pub(crate) Stored);

/// An out-of-bounds access through [`Memory::read`] or [`Memory::write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("out of bounds memory access")]
pub struct MemoryAccessError;

impl Memory {
    /// Creates a memory in the store.
    ///
    /// # Errors
    ///
    /// Fails if the memory is too large or the store's limits forbid it.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        if opaque.memories.len() >= opaque.limiter.memories() {
            return Err(Error::Resource("too many memories".into()));
        }
        let mem = LinearMemory::new(ty, &mut *opaque.limiter)?;
        opaque.memories.push(mem);
        Ok(Memory(opaque.stored(opaque.memories.len() - 1)))
    }

    fn index(&self, store: &impl AsContext) -> usize {
        let ctx = store.as_context();
        match ctx.0.opaque.check(self.0, "memory") {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        }
    }

    /// The memory's type, with its current size as the minimum.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let i = self.index(&store);
        store.as_context().0.opaque.memories[i].ty()
    }

    /// The current size in pages.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn size(&self, store: impl AsContext) -> u64 {
        let i = self.index(&store);
        store.as_context().0.opaque.memories[i].pages()
    }

    /// The current size in bytes.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        let i = self.index(&store);
        store.as_context().0.opaque.memories[i].def.current_length
    }

    /// The memory's bytes.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data<'a, S: AsContext + 'a>(&self, store: &'a S) -> &'a [u8] {
        let i = self.index(store);
        let ctx: crate::store::StoreContext<'a, S::Data> = store.as_context();
        ctx.0.opaque.memories[i].bytes()
    }

    /// The memory's bytes, mutably.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data_mut<'a, S: AsContextMut + 'a>(&self, store: &'a mut S) -> &'a mut [u8] {
        let i = self.index(store);
        let ctx: crate::store::StoreContextMut<'a, S::Data> = store.as_context_mut();
        ctx.0.opaque.memories[i].bytes_mut()
    }

    /// The memory's bytes and the store's host data, both mutably.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn data_and_store_mut<'a, S: AsContextMut + 'a>(
        &self,
        store: &'a mut S,
    ) -> (&'a mut [u8], &'a mut S::Data) {
        let i = self.index(store);
        let ctx: crate::store::StoreContextMut<'a, S::Data> = store.as_context_mut();
        let inner = ctx.0;
        let def = &inner.opaque.memories[i].def;
        let (base, len) = (def.base, def.current_length);
        let bytes: &'a mut [u8] = if len == 0 {
            &mut []
        } else {
            // SAFETY: the bytes live in the memory's own mapping, not in the
            // store, so they do not alias the host data borrowed next.
            unsafe { std::slice::from_raw_parts_mut(base, len) }
        };
        (bytes, &mut inner.data)
    }

    /// Copies bytes out of the memory.
    ///
    /// # Errors
    ///
    /// [`MemoryAccessError`] if the range is out of bounds.
    pub fn read(
        &self,
        store: impl AsContext,
        offset: usize,
        buf: &mut [u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data(&store);
        let end = offset.checked_add(buf.len()).ok_or(MemoryAccessError)?;
        buf.copy_from_slice(data.get(offset..end).ok_or(MemoryAccessError)?);
        Ok(())
    }

    /// Copies bytes into the memory.
    ///
    /// # Errors
    ///
    /// [`MemoryAccessError`] if the range is out of bounds.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: usize,
        buf: &[u8],
    ) -> Result<(), MemoryAccessError> {
        let data = self.data_mut(&mut store);
        let end = offset.checked_add(buf.len()).ok_or(MemoryAccessError)?;
        data.get_mut(offset..end)
            .ok_or(MemoryAccessError)?
            .copy_from_slice(buf);
        Ok(())
    }

    /// Grows the memory by `delta` pages and returns the old size.
    ///
    /// # Errors
    ///
    /// Fails if the memory would exceed its maximum or the store's limits,
    /// or belongs to another store.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "memory")?;
        opaque.memories[i]
            .grow(delta, &mut *opaque.limiter)
            .ok_or_else(|| Error::Resource("failed to grow memory".into()))
    }

    /// Whether the memory sits in a full 4 GiB + guard reservation (its
    /// base never moves and compiled code may skip bounds checks), rather
    /// than the smaller fallback reservation.
    ///
    /// # Panics
    ///
    /// If the memory belongs to another store.
    pub fn is_guarded(&self, store: impl AsContext) -> bool {
        let i = self.index(&store);
        store.as_context().0.opaque.memories[i].is_guarded()
    }

    pub(crate) fn definition(&self, store: &crate::store::StoreOpaque) -> *mut VMMemoryDefinition {
        store.memories[self.0.index].def.as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::StoreLimits;

    #[test]
    fn grows_in_place_within_reservation() {
        let ty = MemoryType {
            minimum: 1,
            maximum: Some(4),
            memory64: false,
            shared: false,
        };
        let mut mem = LinearMemory::new(ty, &mut StoreLimits::default()).expect("memory");
        let base = mem.def.base;
        mem.bytes_mut()[100] = 7;
        assert_eq!(mem.grow(2, &mut StoreLimits::default()), Some(1));
        assert_eq!(mem.pages(), 3);
        assert_eq!(mem.bytes()[100], 7);
        if mem.is_guarded() {
            assert_eq!(mem.def.base, base, "a reserved memory never moves");
        }
        assert_eq!(
            mem.grow(2, &mut StoreLimits::default()),
            None,
            "beyond the maximum"
        );
    }

    #[test]
    fn limits_cap_growth() {
        let ty = MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
        };
        let mut limits = StoreLimits {
            memory_size: Some(2 * WASM_PAGE),
            ..StoreLimits::default()
        };
        let mut mem = LinearMemory::new(ty, &mut limits).expect("memory");
        assert_eq!(mem.grow(1, &mut limits), Some(1));
        assert_eq!(mem.grow(1, &mut limits), None);
    }
}
