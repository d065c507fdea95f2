//! How values lie in a frame's 8-byte slots.
//!
//! A scalar or reference takes one slot; a `v128` takes two adjacent ones,
//! its low half first (lanes are little-endian, so the low half holds
//! lanes 0.. of every shape). Calls into and out of the interpreter convert
//! between that layout and the array convention's one 16-byte [`ValRaw`]
//! per value; a signature without `v128` needs no conversion beyond a copy.

use strata_environ::vmcontext::ValRaw;
use strata_environ::{FuncType, ValType};

/// Slots a value of type `ty` takes.
pub fn slots_of(ty: ValType) -> u32 {
    if ty == ValType::V128 { 2 } else { 1 }
}

/// Slots a sequence of values takes.
pub fn slots_of_all(types: &[ValType]) -> u32 {
    types.iter().map(|t| slots_of(*t)).sum()
}

/// Per slot of `types`: whether it is the high half of a `v128`. Empty when
/// no value is a `v128`, which callers read as "all scalars".
pub fn high_halves(types: &[ValType]) -> Box<[bool]> {
    if !types.contains(&ValType::V128) {
        return Box::new([]);
    }
    let mut out = Vec::with_capacity(types.len() * 2);
    for t in types {
        out.push(false);
        if *t == ValType::V128 {
            out.push(true);
        }
    }
    out.into_boxed_slice()
}

/// A function type as the interpreter's calls see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotSignature {
    /// Slots the parameters take (the callee's first slots).
    pub param_slots: u32,
    /// Slots the results take (returned in the callee's first slots).
    pub result_slots: u32,
    /// Per parameter, then per result: whether it is a `v128`. Empty when
    /// none is.
    wide: Box<[bool]>,
    num_params: u32,
    /// `max(parameters, results)`: the `ValRaw`s an array call needs.
    array_len: u32,
}

impl SlotSignature {
    /// The layout of `ty`.
    pub fn of(ty: &FuncType) -> SlotSignature {
        let (params, results) = (ty.params(), ty.results());
        let any_wide = params.contains(&ValType::V128) || results.contains(&ValType::V128);
        SlotSignature {
            param_slots: slots_of_all(params),
            result_slots: slots_of_all(results),
            wide: if any_wide {
                params
                    .iter()
                    .chain(results)
                    .map(|t| *t == ValType::V128)
                    .collect()
            } else {
                Box::new([])
            },
            num_params: params.len() as u32,
            array_len: params.len().max(results.len()) as u32,
        }
    }

    /// How many `ValRaw`s an array call with this signature needs.
    pub fn array_len(&self) -> usize {
        self.array_len as usize
    }

    fn params_wide(&self) -> Option<&[bool]> {
        (!self.wide.is_empty()).then(|| &self.wide[..self.num_params as usize])
    }

    fn results_wide(&self) -> Option<&[bool]> {
        (!self.wide.is_empty()).then(|| &self.wide[self.num_params as usize..])
    }

    /// Copies the arguments of an array call into parameter slots.
    ///
    /// # Safety
    ///
    /// `vals` must hold the parameters; `slots` must have `param_slots`
    /// writable slots.
    pub unsafe fn params_from_vals(&self, vals: *const ValRaw, slots: *mut u64) {
        // SAFETY: guaranteed by the caller.
        unsafe { vals_to_slots(vals, slots, self.param_slots, self.params_wide()) }
    }

    /// Copies parameter slots into an array call's arguments.
    ///
    /// # Safety
    ///
    /// `slots` must hold `param_slots` slots; `vals` must have room for
    /// the parameters.
    pub unsafe fn params_to_vals(&self, slots: *const u64, vals: *mut ValRaw) {
        // SAFETY: guaranteed by the caller.
        unsafe { slots_to_vals(slots, vals, self.param_slots, self.params_wide()) }
    }

    /// Copies an array call's results into result slots.
    ///
    /// # Safety
    ///
    /// As [`SlotSignature::params_from_vals`], for the results.
    pub unsafe fn results_from_vals(&self, vals: *const ValRaw, slots: *mut u64) {
        // SAFETY: guaranteed by the caller.
        unsafe { vals_to_slots(vals, slots, self.result_slots, self.results_wide()) }
    }

    /// Copies result slots into an array call's results.
    ///
    /// # Safety
    ///
    /// As [`SlotSignature::params_to_vals`], for the results.
    pub unsafe fn results_to_vals(&self, slots: *const u64, vals: *mut ValRaw) {
        // SAFETY: guaranteed by the caller.
        unsafe { slots_to_vals(slots, vals, self.result_slots, self.results_wide()) }
    }
}

/// # Safety
///
/// `vals` must hold the values (`count` of them when `wide` is `None`, else
/// `wide.len()`), `slots` must have room for their slots.
unsafe fn vals_to_slots(vals: *const ValRaw, slots: *mut u64, count: u32, wide: Option<&[bool]>) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match wide {
            None => {
                for i in 0..count as usize {
                    *slots.add(i) = (*vals.add(i)).get_u64();
                }
            }
            Some(wide) => {
                let mut s = 0;
                for (i, w) in wide.iter().enumerate() {
                    if *w {
                        let v = (*vals.add(i)).get_u128();
                        *slots.add(s) = v as u64;
                        *slots.add(s + 1) = (v >> 64) as u64;
                        s += 2;
                    } else {
                        *slots.add(s) = (*vals.add(i)).get_u64();
                        s += 1;
                    }
                }
            }
        }
    }
}

/// # Safety
///
/// The reverse of [`vals_to_slots`].
unsafe fn slots_to_vals(slots: *const u64, vals: *mut ValRaw, count: u32, wide: Option<&[bool]>) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        match wide {
            None => {
                for i in 0..count as usize {
                    *vals.add(i) = ValRaw::from_u64(*slots.add(i));
                }
            }
            Some(wide) => {
                let mut s = 0;
                for (i, w) in wide.iter().enumerate() {
                    if *w {
                        let v = u128::from(*slots.add(s)) | (u128::from(*slots.add(s + 1)) << 64);
                        *vals.add(i) = ValRaw::from_u128(v);
                        s += 2;
                    } else {
                        *vals.add(i) = ValRaw::from_u64(*slots.add(s));
                        s += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v128_takes_two_slots_low_half_first() {
        let ty = FuncType::new([ValType::I32, ValType::V128, ValType::F64], [ValType::V128]);
        let sig = SlotSignature::of(&ty);
        assert_eq!((sig.param_slots, sig.result_slots), (4, 2));
        let v = 0x0102_0304_0506_0708_1112_1314_1516_1718u128;
        let vals = [
            ValRaw::from_u64(7),
            ValRaw::from_u128(v),
            ValRaw::from_u64(9),
        ];
        let mut slots = [0u64; 4];
        // SAFETY: the arrays have the sizes the signature needs.
        unsafe { sig.params_from_vals(vals.as_ptr(), slots.as_mut_ptr()) };
        assert_eq!(slots, [7, 0x1112_1314_1516_1718, 0x0102_0304_0506_0708, 9]);
        let mut back = [ValRaw::default(); 3];
        // SAFETY: as above.
        unsafe { sig.params_to_vals(slots.as_ptr(), back.as_mut_ptr()) };
        assert_eq!(back[1].get_u128(), v);
        assert_eq!(back[2].get_u64(), 9);
        assert_eq!(
            high_halves(&[ValType::V128, ValType::I32]).as_ref(),
            [false, true, false]
        );
        assert!(high_halves(&[ValType::I64]).is_empty());
    }
}
