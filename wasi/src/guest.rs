//! Checked access to guest memory: every bad pointer or length is `EFAULT`.

use crate::errno::{Errno, WasiResult};

/// The most buffers one vectored read or write takes (Linux's `IOV_MAX`).
pub const IOV_MAX: u32 = 1024;

/// A guest's linear memory, borrowed for one call.
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    /// Wraps the memory's bytes.
    pub fn new(bytes: &'a mut [u8]) -> GuestMemory<'a> {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    /// `len` bytes at `ptr`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// A UTF-8 string at `ptr`.
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::Ilseq)
    }

    /// Reads a little-endian `u32`.
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        let b = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a little-endian `u64`.
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.slice(ptr, 8)?);
        Ok(u64::from_le_bytes(a))
    }

    /// Reads a little-endian `u16`.
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        let b = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    /// Reads a byte.
    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.slice(ptr, 1)?[0])
    }

    /// Writes a little-endian `u32`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.slice_mut(ptr, 4)?.copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    /// Writes a little-endian `u64`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.slice_mut(ptr, 8)?.copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    /// Reads an array of `(buf, len)` pairs (`iovec`/`ciovec`), checking
    /// that every buffer lies in memory.
    ///
    /// As POSIX's `readv`/`writev` do, at most [`IOV_MAX`] buffers are taken
    /// (`EINVAL` beyond, once the array itself is known to be in memory), and their lengths must add up to something the
    /// guest's `u32` byte count can report (`EINVAL` otherwise), so a
    /// transfer's total never wraps.
    pub fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<(u32, u32)>> {
        // The array must lie in memory (`EFAULT`) before its size matters.
        let bytes = count.checked_mul(8).ok_or(Errno::Fault)?;
        self.slice(ptr, bytes)?;
        if count > IOV_MAX {
            return Err(Errno::Inval);
        }
        let mut total = 0u64;
        (0..count)
            .map(|i| {
                let base = self.read_u32(ptr + i * 8)?;
                let len = self.read_u32(ptr + i * 8 + 4)?;
                self.range(base, len)?;
                total += u64::from(len);
                if total > u64::from(u32::MAX) {
                    return Err(Errno::Inval);
                }
                Ok((base, len))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut bytes);
        assert_eq!(m.read_u32(13), Err(Errno::Fault));
        assert_eq!(m.write_u64(u32::MAX - 2, 1), Err(Errno::Fault));
        assert_eq!(m.slice(8, u32::MAX).err(), Some(Errno::Fault));
        m.write_u32(12, 7).unwrap();
        assert_eq!(m.read_u32(12), Ok(7));
        assert_eq!(m.str(0, 2), Ok("\0\0"));
    }

    #[test]
    fn iovecs_are_capped_and_never_overflow_the_count() {
        let mut bytes = vec![0u8; 64 * 1024];
        let mut m = GuestMemory::new(&mut bytes);
        // Two buffers of the whole memory: fine.
        m.write_u32(0, 0).unwrap();
        m.write_u32(4, 64 * 1024).unwrap();
        m.write_u32(8, 0).unwrap();
        m.write_u32(12, 64 * 1024).unwrap();
        assert_eq!(m.iovecs(0, 2).unwrap().len(), 2);
        // More than IOV_MAX buffers, all in memory: refused before any is
        // read.
        assert_eq!(m.iovecs(0, IOV_MAX + 1), Err(Errno::Inval));
        // An array that cannot be in memory, or whose size wraps: EFAULT.
        assert_eq!(m.iovecs(0, 8 * 1024 + 1), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX / 4), Err(Errno::Fault));
    }

    #[test]
    fn iovec_lengths_that_sum_past_u32_are_refused() {
        const MIB8: u32 = 8 << 20;
        let mut bytes = vec![0u8; MIB8 as usize];
        let mut m = GuestMemory::new(&mut bytes);
        for i in 0..IOV_MAX {
            m.write_u32(i * 8, 0).unwrap();
            m.write_u32(i * 8 + 4, MIB8).unwrap();
        }
        // 511 x 8 MiB still fits a u32 count; 512 x 8 MiB is 4 GiB.
        assert_eq!(m.iovecs(0, 511).unwrap().len(), 511);
        assert_eq!(m.iovecs(0, 512), Err(Errno::Inval));
        assert_eq!(m.iovecs(0, IOV_MAX), Err(Errno::Inval));
    }
}
