//! Executable memory for compiled code.
//!
//! Invariants:
//! - The pages are never writable and executable at once: code is copied
//!   in while the mapping is read+write, then the whole mapping becomes
//!   read+execute and stays so until it is unmapped.
//! - A [`CodeMemory`] is unmapped only when dropped; whoever may still run
//!   its code (instances of its module, registered trap records) holds it
//!   alive through the module.

use std::ptr::NonNull;

/// A mapping holding a module's machine code: an anonymous mapping the
/// code was copied into, or a file (an AOT artifact) mapped privately whose
/// page-aligned text range was made executable in place.
pub struct CodeMemory {
    /// The first byte of the text.
    ptr: NonNull<u8>,
    /// The text's length (whole pages for an anonymous mapping).
    len: usize,
    /// Keeps a file mapping alive; `None` for an anonymous mapping, which
    /// `Drop` unmaps.
    file: Option<memmap2::Mmap>,
}

// SAFETY: after `publish` the mapping is immutable (read+execute); sharing
// its address between threads is sound.
unsafe impl Send for CodeMemory {}
// SAFETY: as above.
unsafe impl Sync for CodeMemory {}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

impl CodeMemory {
    /// Lays `pieces` out one after another (each 16-byte aligned), copies
    /// them in and makes the whole mapping executable. Returns the memory
    /// and the offset of each piece.
    ///
    /// # Errors
    ///
    /// When the host refuses the mapping or the protection change.
    pub fn publish(pieces: &[&[u8]]) -> Result<(CodeMemory, Vec<usize>), String> {
        CodeMemory::publish_patched(pieces, 0, |_, _| Ok(()))
    }

    /// As [`CodeMemory::publish`], with the first piece `lead` bytes
    /// (rounded up to 16) into the mapping, and letting `patch` rewrite the
    /// laid-out code (given its bytes and the pieces' offsets) while it is
    /// still writable.
    ///
    /// # Errors
    ///
    /// As [`CodeMemory::publish`], or `patch`'s error.
    pub fn publish_patched(
        pieces: &[&[u8]],
        lead: usize,
        patch: impl FnOnce(&mut [u8], &[usize]) -> Result<(), String>,
    ) -> Result<(CodeMemory, Vec<usize>), String> {
        let mut offsets = Vec::with_capacity(pieces.len());
        let mut end = lead;
        for p in pieces {
            end = end.next_multiple_of(16);
            offsets.push(end);
            end += p.len();
        }
        let len = end.max(1).next_multiple_of(page_size());
        // SAFETY: an anonymous private mapping at an address of the kernel's
        // choosing aliases nothing.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return Err(format!(
                "cannot map {len} bytes for code: {}",
                std::io::Error::last_os_error()
            ));
        }
        let ptr = NonNull::new(raw.cast::<u8>()).ok_or("mmap returned null")?;
        let mem = CodeMemory {
            ptr,
            len,
            file: None,
        };
        for (p, off) in pieces.iter().zip(&offsets) {
            // SAFETY: `off + p.len() <= end <= len`, the mapping is writable
            // and nothing else refers to it yet.
            unsafe {
                std::ptr::copy_nonoverlapping(p.as_ptr(), mem.ptr.as_ptr().add(*off), p.len());
            }
        }
        // SAFETY: the mapping is `len` writable bytes that only `mem` owns.
        let bytes = unsafe { std::slice::from_raw_parts_mut(mem.ptr.as_ptr(), len) };
        patch(bytes, &offsets)?;
        // SAFETY: the range is exactly our mapping. From here on it is never
        // written again (x86-64 keeps instruction caches coherent).
        let r = unsafe {
            libc::mprotect(
                mem.ptr.as_ptr().cast(),
                len,
                libc::PROT_READ | libc::PROT_EXEC,
            )
        };
        if r != 0 {
            return Err(format!(
                "cannot make code executable: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok((mem, offsets))
    }

    /// Makes `text` of a privately mapped file executable, in place: no
    /// copy, and the pages are never writable (the mapping is read-only).
    ///
    /// # Errors
    ///
    /// When `text` is not a page-aligned range of the mapping, or the host
    /// refuses to make it executable (for example a `noexec` mount).
    pub fn from_file_mapping(
        mapping: memmap2::Mmap,
        text: std::ops::Range<usize>,
    ) -> Result<CodeMemory, String> {
        if !text.start.is_multiple_of(page_size()) || text.end > mapping.len() || text.is_empty() {
            return Err("the code section is not a page-aligned part of the file".into());
        }
        // SAFETY: `text` lies within the mapping (checked above).
        let start = unsafe { mapping.as_ptr().add(text.start) };
        let len = text.len();
        // SAFETY: the range is page-aligned and inside a mapping this value
        // owns; it was mapped read-only and becomes read+execute, never
        // writable.
        let r = unsafe {
            libc::mprotect(
                start.cast_mut().cast(),
                len,
                libc::PROT_READ | libc::PROT_EXEC,
            )
        };
        if r != 0 {
            return Err(format!(
                "cannot make mapped code executable: {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(CodeMemory {
            ptr: NonNull::new(start.cast_mut()).ok_or("null mapping")?,
            len,
            file: Some(mapping),
        })
    }

    /// The first byte of the code.
    pub fn start(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// The code's bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is readable for `len` bytes and immutable
        // once published.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The mapping's length.
    pub fn len(&self) -> usize {
        self.len
    }
}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if self.file.is_some() {
            // The file mapping unmaps itself.
            return;
        }
        // SAFETY: the mapping came from `mmap` with this length and is
        // unmapped once; its owner guarantees no code in it still runs.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}
