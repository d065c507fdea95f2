//! SIMD operators: the table-driven lane operations, and those that touch
//! memory, constants or lane masks.

use super::*;

impl FuncTranslator {
    /// `f32x4.add`/`f64x2.add` of the product the last instruction alone
    /// computed, fused as [`Self::fuse_mul_add`] fuses the scalar ones:
    /// `c + a * b` with any addend, `a * b + c` with a local addend (any
    /// other would be materialized into the temporaries of the product's
    /// operands before the fused instruction reads them).
    fn fuse_v128_mul_add(&mut self, op: &Operator<'_>) -> bool {
        let kind = match op {
            Operator::F32x4Add => Op::F32x4Add { dst: 0, a: 0, b: 0 },
            Operator::F64x2Add => Op::F64x2Add { dst: 0, a: 0, b: 0 },
            _ => return false,
        };
        let h = self.stack.height();
        if h < 4 {
            return false;
        }
        let (posa, posb) = (h - 4, h - 2);
        let forms = |def: Option<Op>| def.and_then(|d| Self::mul_add_forms(kind, d));
        let b_is_local_pair = matches!(
            (self.stack.get(posb), self.stack.get(posb + 1)),
            (Provider::Local(l), Provider::Local(h)) if h == l + 1
        );
        let (make, (a, b), product_right) = if let Some((ab, add_mul, _)) =
            forms(self.fusable_def(self.stack.get(posb), posb))
        {
            (add_mul, ab, true)
        } else if let Some((ab, _, mul_add)) = forms(self.fusable_def(self.stack.get(posa), posa))
            && b_is_local_pair
        {
            (mul_add, ab, false)
        } else {
            return false;
        };
        self.absorb_last();
        let c = if product_right {
            // The product's entries, then the addend, below them.
            self.stack.pop();
            self.stack.pop();
            self.pop_v128()
        } else {
            let c = self.pop_v128();
            self.stack.pop();
            self.stack.pop();
            c
        };
        self.push_def_v128_with(|dst| make(dst, a, b), c);
        true
    }

    /// SIMD operators that touch memory, constants or lane masks; `false`
    /// for anything else.
    pub(super) fn translate_simd_special(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match *op {
            O::V128Const { value } => {
                let v = value.i128() as u128;
                self.stack.push(Provider::Const(v as u64));
                self.stack.push_high(Provider::Const((v >> 64) as u64));
            }
            O::I8x16Shuffle { lanes } => {
                // The mask goes through a slot pair like any constant.
                let mask = u128::from_le_bytes(lanes);
                self.stack.push(Provider::Const(mask as u64));
                self.stack.push_high(Provider::Const((mask >> 64) as u64));
                let mask = self.pop_v128();
                let b = self.pop_v128();
                let a = self.pop_v128();
                self.push_def_v128_with(|dst| Op::I8x16Shuffle { dst, a, b }, mask);
            }
            O::V128Load { memarg } => self.load_v128(memarg.offset, |dst, addr, offset| {
                Op::V128Load { dst, addr, offset }
            }),
            O::V128Store { memarg } => {
                self.store_v128(memarg.offset, |addr, value, offset| Op::V128Store {
                    addr,
                    value,
                    offset,
                })
            }
            _ => return self.translate_simd_access(op),
        }
        true
    }
}

/// The `v128` loads and stores whose operator and instruction share a
/// name: `(loads) (lane loads) (lane stores)`.
macro_rules! define_translate_simd_access {
    (($($load:ident)*) ($($lane_load:ident)*) ($($lane_store:ident)*)) => {
        impl FuncTranslator {
            /// Translates a `v128` load or store; `false` if `op` is not one.
            fn translate_simd_access(&mut self, op: &Operator<'_>) -> bool {
                match *op {
                    $( Operator::$load { memarg } => {
                        self.load_v128(memarg.offset, |dst, addr, offset| Op::$load { dst, addr, offset })
                    } )*
                    $( Operator::$lane_load { memarg, lane } => {
                        self.load_lane(memarg.offset, |dst, addr, offset| Op::$lane_load { dst, addr, offset, lane })
                    } )*
                    $( Operator::$lane_store { memarg, lane } => {
                        self.store_v128(memarg.offset, |addr, value, offset| Op::$lane_store { addr, value, offset, lane })
                    } )*
                    _ => return false,
                }
                true
            }
        }
    };
}
define_translate_simd_access!(
    (V128Load8x8S V128Load8x8U V128Load16x4S V128Load16x4U V128Load32x2S V128Load32x2U
     V128Load8Splat V128Load16Splat V128Load32Splat V128Load64Splat V128Load32Zero V128Load64Zero)
    (V128Load8Lane V128Load16Lane V128Load32Lane V128Load64Lane)
    (V128Store8Lane V128Store16Lane V128Store32Lane V128Store64Lane)
);

macro_rules! define_translate_simd {
    (
        simd_unary { $( $su:ident = $suf:path; )* }
        simd_binary { $( $sb:ident = $sbf:path; )* }
        simd_ternary { $( $st:ident = $stf:path; )* }
        simd_shift { $( $ss:ident = $ssf:path; )* }
        simd_test { $( $sq:ident = $sqf:path; )* }
        simd_splat { $( $sp:ident = $spf:path; )* }
        simd_extract { $( $se:ident = $sef:path; )* }
        simd_replace { $( $sr:ident = $srf:path; )* }
    ) => {
        impl FuncTranslator {
            /// Translates a SIMD operator; `false` if `op` is not one.
            pub(super) fn translate_simd(&mut self, op: &Operator<'_>) -> bool {
                if self.fuse_v128_mul_add(op) {
                    return true;
                }
                match *op {
                    $( Operator::$su => {
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$su { dst, a });
                    } )*
                    $( Operator::$sb => {
                        let b = self.pop_v128();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$sb { dst, a, b });
                    } )*
                    $( Operator::$st => {
                        let c = self.pop_v128();
                        let b = self.pop_v128();
                        let a = self.pop_v128();
                        self.push_def_v128_with(|dst| Op::$st { dst, a, b }, c);
                    } )*
                    $( Operator::$ss => {
                        let b = self.pop_slot();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$ss { dst, a, b });
                    } )*
                    $( Operator::$sq => {
                        let a = self.pop_v128();
                        self.push_def(|dst| Op::$sq { dst, a });
                    } )*
                    $( Operator::$sp => {
                        let a = self.pop_slot();
                        self.push_def_v128(|dst| Op::$sp { dst, a });
                    } )*
                    $( Operator::$se { lane } => {
                        let a = self.pop_v128();
                        self.push_def(|dst| Op::$se { dst, a, lane });
                    } )*
                    $( Operator::$sr { lane } => {
                        let b = self.pop_slot();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$sr { dst, a, b, lane });
                    } )*
                    _ => return self.translate_simd_special(op),
                }
                true
            }
        }
    };
}
crate::for_each_simd_op!(define_translate_simd);
