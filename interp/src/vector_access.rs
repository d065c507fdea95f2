//! The `v128` slot writes that must be one 16-byte store.
//!
//! A handler reads a `v128` operand with one 16-byte load. If the slot
//! was written by narrower stores still in flight (two 8-byte halves, or
//! sixteen single bytes), the CPU cannot forward them to that load and
//! stalls it until they retire, a dozen cycles or more. Most handlers
//! store their result whole anyway; the two here would not if left to
//! LLVM, which splits a vector assembled from two integers into two
//! integer stores and a byte permutation into byte stores:
//!
//! - [`write_halves`] stores a vector given as two 64-bit halves (a
//!   `v128.const`);
//! - [`shuffle_to`] stores the result of `i8x16.shuffle`, with SSSE3's
//!   byte shuffle where the CPU has it (checked at run time, as it is not
//!   part of baseline x86-64) and the portable [`i8x16_shuffle`] elsewhere.
//!
//! Both are `unsafe` only because they write through a raw slot pointer.

use crate::simd::{V128, i8x16_shuffle};

/// Writes the `v128` whose low half is `lo` and high half `hi` to `p`.
///
/// # Safety
///
/// `p` must be valid for writing 16 bytes (two slots).
#[inline(always)]
pub unsafe fn write_halves(p: *mut u64, lo: u64, hi: u64) {
    // With debug assertions the intrinsic's store is checked through a
    // stack temporary whose address escapes, which would keep the
    // handler's dispatch a call: two stores there (speed does not matter).
    #[cfg(debug_assertions)]
    // SAFETY: the caller vouches that `p` is writable for two slots.
    unsafe {
        *p = lo;
        *p.add(1) = hi;
    }
    #[cfg(all(target_arch = "x86_64", not(debug_assertions)))]
    {
        use std::arch::x86_64::{_mm_set_epi64x, _mm_storeu_si128};
        // SAFETY: SSE2 is part of baseline x86-64; the caller vouches that
        // `p` is writable for 16 bytes, and the store is unaligned.
        unsafe { _mm_storeu_si128(p.cast(), _mm_set_epi64x(hi as i64, lo as i64)) }
    }
    #[cfg(all(not(target_arch = "x86_64"), not(debug_assertions)))]
    {
        let v = V128::from_u128(u128::from(lo) | u128::from(hi) << 64);
        // SAFETY: the caller vouches that `p` is writable for 16 bytes.
        unsafe { p.cast::<V128>().write_unaligned(v) }
    }
}

/// `i8x16.shuffle` of the vectors at `a` and `b` by the 16 lane indices
/// (0..32, bounded by the validator) at `mask`, written to `dst`.
///
/// # Safety
///
/// `a`, `b` and `mask` must be valid for reading 16 bytes and `dst` for
/// writing 16 bytes; `dst` may be any of them.
#[inline(always)]
pub unsafe fn shuffle_to(dst: *mut u64, a: *const u64, b: *const u64, mask: *const u64) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    if std::arch::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3 (just checked); the caller vouches for
        // the pointers.
        unsafe { ssse3::shuffle_to(dst, a, b, mask) };
        return;
    }
    // SAFETY: the caller vouches for the pointers.
    unsafe { portable_shuffle_to(dst, a, b, mask) }
}

/// [`shuffle_to`] without SSSE3: out of line, as it needs many registers.
///
/// # Safety
///
/// As for [`shuffle_to`].
#[inline(never)]
unsafe fn portable_shuffle_to(dst: *mut u64, a: *const u64, b: *const u64, mask: *const u64) {
    // SAFETY: the caller vouches for the pointers; every read happens
    // before the write.
    unsafe {
        let r = i8x16_shuffle(
            a.cast::<V128>().read_unaligned(),
            b.cast::<V128>().read_unaligned(),
            mask.cast::<[u8; 16]>().read_unaligned(),
        );
        dst.cast::<V128>().write_unaligned(r);
    }
}

#[cfg(all(target_arch = "x86_64", not(miri)))]
mod ssse3 {
    use std::arch::x86_64::{
        __m128i, _mm_adds_epu8, _mm_and_si128, _mm_loadu_si128, _mm_or_si128, _mm_set1_epi8,
        _mm_shuffle_epi8, _mm_storeu_si128, _mm_sub_epi8,
    };

    /// `pshufb` zeroes a lane whose index has its top bit set and otherwise
    /// picks by the low four bits: indices 0..16 pick from `a` once lifted
    /// to 0x70..0x80 (16..32 saturate past 0x80 and pick nothing), and from
    /// `b` once lowered by 16 (0..16 wrap to 0xf0.. and pick nothing).
    ///
    /// # Safety
    ///
    /// The CPU must have SSSE3; the pointers as for
    /// [`super::shuffle_to`].
    #[target_feature(enable = "ssse3")]
    pub(super) unsafe fn shuffle_to(dst: *mut u64, a: *const u64, b: *const u64, mask: *const u64) {
        // SAFETY: the caller vouches that the three are readable for 16
        // bytes; the loads are unaligned.
        let (a, b, m) = unsafe {
            (
                _mm_loadu_si128(a.cast::<__m128i>()),
                _mm_loadu_si128(b.cast::<__m128i>()),
                _mm_loadu_si128(mask.cast::<__m128i>()),
            )
        };
        let m = _mm_and_si128(m, _mm_set1_epi8(31));
        let from_a = _mm_shuffle_epi8(a, _mm_adds_epu8(m, _mm_set1_epi8(0x70)));
        let from_b = _mm_shuffle_epi8(b, _mm_sub_epi8(m, _mm_set1_epi8(16)));
        // SAFETY: the caller vouches that `dst` is writable for 16 bytes.
        unsafe { _mm_storeu_si128(dst.cast::<__m128i>(), _mm_or_si128(from_a, from_b)) }
    }
}
