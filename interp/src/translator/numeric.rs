//! Numeric operators: immediate forms, commutative operands, and fused
//! address arithmetic.

use super::*;

/// Makes an instruction from its destination and two operand slots.
pub(super) type MakeOp = fn(Slot, Slot, Slot) -> Op;

impl FuncTranslator {
    /// An immediate that fits the instruction's immediate field.
    pub(super) fn imm_of(value: u64, is64: bool) -> Option<i32> {
        if !is64 {
            Some(value as u32 as i32)
        } else {
            let v = value as i64;
            i32::try_from(v).ok()
        }
    }

    pub(super) fn binary(
        &mut self,
        is64: bool,
        commutative: bool,
        make: impl Fn(Slot, Slot, Slot) -> Op,
    ) {
        let (pb, posb) = self.stack.pop();
        let (pa, posa) = self.stack.pop();
        let kind = make(0, 0, 0);
        let has_imm_form = kind.with_imm(0).is_some();
        if has_imm_form {
            // `x op c`, or `c op x` when the operation is commutative.
            let imm_operand = match (pa, pb) {
                (_, Provider::Const(c)) => Self::imm_of(c, is64).map(|imm| (imm, pa, posa)),
                (Provider::Const(c), _) if commutative => {
                    Self::imm_of(c, is64).map(|imm| (imm, pb, posb))
                }
                _ => None,
            };
            if let Some((imm, p, pos)) = imm_operand {
                if matches!(kind, Op::I32And { .. }) && self.fuse_shr_u_and(p, pos, imm) {
                    return;
                }
                if matches!(kind, Op::I32Shl { .. }) && self.fuse_field_shl(p, pos, imm) {
                    return;
                }
                let fed = self.fusable_def(p, pos).is_some();
                let a = self.slot_of(p, pos);
                // Always `Some`: the operation has an immediate form.
                if let Some(op) = make(0, a, 0).with_imm(imm) {
                    self.push_def(|dst| {
                        let mut op = op;
                        if let Some(d) = op.dst_mut() {
                            *d = dst;
                        }
                        op
                    });
                    if fed {
                        self.fed_by_previous = Some(self.code.len() - 1);
                    }
                    return;
                }
            }
        }
        // `x + (y << k)`: array indexing, fused when the shift was the last
        // instruction and its result is used only here.
        let last = self.code.len().wrapping_sub(1);
        if matches!(make(0, 0, 0), Op::I32Add { .. })
            && pb == Provider::Temp
            && self.last_def == Some((last, posb))
            && let Op::I32ShlImm {
                a: shifted, imm, ..
            } = self.code[last]
            && (0..32).contains(&imm)
        {
            self.code.pop();
            self.last_def = None;
            let a = self.slot_of(pa, posa);
            let shift = imm as u8;
            self.push_def(|dst| Op::I32AddShl {
                dst,
                a,
                b: shifted,
                shift,
            });
            return;
        }
        if matches!(kind, Op::I32Xor { .. }) && self.fuse_xor_shift((pa, posa), (pb, posb)) {
            return;
        }
        // `x + ((y >> k) & mask)`: a bit field used as an offset, as a
        // bytecode VM decodes an operand and indexes its registers.
        if matches!(kind, Op::I32Add { .. }) {
            let fused = match (pa, pb) {
                (_, Provider::Temp) => self.fusable_def(pb, posb).map(|op| (op, pa, posa)),
                (Provider::Temp, Provider::Local(_)) => {
                    self.fusable_def(pa, posa).map(|op| (op, pb, posb))
                }
                _ => None,
            };
            if let Some((def, p, pos)) = fused
                && let Some((field, shifts)) = match def {
                    Op::I32Bits { shifts, a, .. } => Some((a, shifts)),
                    op => Self::bit_field(op, 0, false),
                }
            {
                self.absorb_last();
                let a = self.slot_of(p, pos);
                self.push_def(|dst| Op::I32AddBits {
                    shifts,
                    dst,
                    a,
                    b: field,
                });
                return;
            }
        }
        if self.fuse_mul_add(kind, (pa, posa), (pb, posb)) {
            return;
        }
        let b = self.slot_of(pb, posb);
        let a = self.slot_of(pa, posa);
        self.push_def(|dst| make(dst, a, b));
    }

    /// Fuses an `i32.xor` (operands `pa` and `pb` with their positions)
    /// with the shift by a constant that computed one of its operands, if
    /// that was the last instruction and only this `xor` uses its result:
    /// `x ^ (y << k)` or `x ^ (y >> k)` (unsigned) in one instruction, the
    /// steps of xorshift generators and of many hashes.
    fn fuse_xor_shift(&mut self, (pa, posa): (Provider, u32), (pb, posb): (Provider, u32)) -> bool {
        type MakeXorShift = fn(u8, Slot, Slot, Slot) -> Op;
        let shift_of = |def: Option<Op>| -> Option<(Slot, u8, MakeXorShift)> {
            match def? {
                Op::I32ShlImm { a, imm, .. } if (0..32).contains(&imm) => {
                    Some((a, imm as u8, |shift, dst, a, b| Op::I32XorShl {
                        shift,
                        dst,
                        a,
                        b,
                    }))
                }
                Op::I32ShrUImm { a, imm, .. } if (0..32).contains(&imm) => {
                    Some((a, imm as u8, |shift, dst, a, b| Op::I32XorShrU {
                        shift,
                        dst,
                        a,
                        b,
                    }))
                }
                _ => None,
            }
        };
        // `xor` is commutative: the shift may be either operand.
        let ((shifted, shift, make), (po, poso)) =
            if let Some(fused) = shift_of(self.fusable_def(pb, posb)) {
                (fused, (pa, posa))
            } else if let Some(fused) = shift_of(self.fusable_def(pa, posa)) {
                (fused, (pb, posb))
            } else {
                return false;
            };
        self.absorb_last();
        let a = self.slot_of(po, poso);
        self.push_def(|dst| make(shift, dst, a, shifted));
        true
    }

    /// Fuses an addition (`kind`, operands `pa` and `pb` with their
    /// positions) with the multiplication that computed one of its
    /// operands, if that was the last instruction and only this addition
    /// uses its result: `c + a * b` or `a * b + c` in one instruction,
    /// with the operands in their order (a NaN operand's payload may
    /// depend on it). Dot products, matrix products, physics kernels and
    /// hashes are made of these.
    fn fuse_mul_add(
        &mut self,
        kind: Op,
        (pa, posa): (Provider, u32),
        (pb, posb): (Provider, u32),
    ) -> bool {
        let forms = |def: Option<Op>| def.and_then(|d| Self::mul_add_forms(kind, d));
        let (make, (a, b), (pc, posc)) =
            if let Some((ab, add_mul, _)) = forms(self.fusable_def(pb, posb)) {
                (add_mul, ab, (pa, posa))
            } else if let Some((ab, _, mul_add)) = forms(self.fusable_def(pa, posa))
                && !matches!(pb, Provider::Const(_))
            {
                // (A constant addend would go into its position's temporary,
                // which may be the product's right operand, still unread.)
                (mul_add, ab, (pb, posb))
            } else {
                return false;
            };
        self.absorb_last();
        // The addend's slot. A constant (only ever the left operand here)
        // goes into its own temporary, below the product's operands, which
        // the fused instruction still reads.
        let c = self.slot_of(pc, posc);
        self.push_def_with(|dst| make(dst, a, b), c);
        true
    }

    /// The fused forms of the addition `add` with `product`, its operand,
    /// when that is a multiplication of the same type: the product's
    /// operands, then the makers of `c + a * b` and `a * b + c`.
    pub(super) fn mul_add_forms(add: Op, product: Op) -> Option<((Slot, Slot), MakeOp, MakeOp)> {
        let (ab, add_mul, mul_add): (_, MakeOp, MakeOp) = match (add, product) {
            // Integer addition is exact and commutative: one form serves
            // both orders.
            (Op::I32Add { .. }, Op::I32Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::I32AddMul { dst, a, b },
                |dst, a, b| Op::I32AddMul { dst, a, b },
            ),
            (Op::I64Add { .. }, Op::I64Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::I64AddMul { dst, a, b },
                |dst, a, b| Op::I64AddMul { dst, a, b },
            ),
            (Op::F32Add { .. }, Op::F32Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::F32AddMul { dst, a, b },
                |dst, a, b| Op::F32MulAdd { dst, a, b },
            ),
            (Op::F64Add { .. }, Op::F64Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::F64AddMul { dst, a, b },
                |dst, a, b| Op::F64MulAdd { dst, a, b },
            ),
            (Op::F32x4Add { .. }, Op::F32x4Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::F32x4AddMul { dst, a, b },
                |dst, a, b| Op::F32x4MulAdd { dst, a, b },
            ),
            (Op::F64x2Add { .. }, Op::F64x2Mul { a, b, .. }) => (
                (a, b),
                |dst, a, b| Op::F64x2AddMul { dst, a, b },
                |dst, a, b| Op::F64x2MulAdd { dst, a, b },
            ),
            _ => return None,
        };
        Some((ab, add_mul, mul_add))
    }

    /// The last instruction emitted, if it alone computed `p` at `pos` (a
    /// temporary that only the instruction being translated reads): one
    /// that a fusion may take over with [`Self::absorb_last`].
    pub(super) fn fusable_def(&self, p: Provider, pos: u32) -> Option<Op> {
        let last = self.code.len().checked_sub(1)?;
        (p == Provider::Temp && self.last_def == Some((last, pos))).then(|| self.code[last])
    }

    /// Drops the instruction [`Self::fusable_def`] returned; the fused one
    /// replaces it.
    pub(super) fn absorb_last(&mut self) {
        self.code.pop();
        self.last_def = None;
    }

    /// Fuses `i32.and` with the immediate `mask` into the `i32.shr_u` by a
    /// constant that computed its other operand (`p` at `pos`), if that
    /// was the last instruction and only this `and` uses its result.
    fn fuse_shr_u_and(&mut self, p: Provider, pos: u32, mask: i32) -> bool {
        let Some(Op::I32ShrUImm { a, imm, .. }) = self.fusable_def(p, pos) else {
            return false;
        };
        self.absorb_last();
        self.push_def(|dst| Op::I32ShrUAnd {
            shift: (imm & 31) as u8,
            dst,
            a,
            mask: mask as u32,
        });
        true
    }

    /// Fuses `i32.shl` by the constant `k` into the bit-field extraction
    /// that computed its other operand (`p` at `pos`), if that was the last
    /// instruction and only this shift uses its result.
    fn fuse_field_shl(&mut self, p: Provider, pos: u32, k: i32) -> bool {
        let Some((a, shifts)) = self
            .fusable_def(p, pos)
            .and_then(|op| Self::bit_field(op, (k & 31) as u32, true))
        else {
            return false;
        };
        self.absorb_last();
        self.push_def(|dst| Op::I32Bits { shifts, dst, a });
        true
    }

    /// The source slot and [`crate::op::bit_field_shifts`] of `op` shifted
    /// left by `shl`, when `op` extracts a contiguous bit field: `(a >> k)
    /// & mask` (or, with `and_alone`, `a & mask`) with the mask's bits
    /// (those the shift can leave set) contiguous. Without a shift to
    /// fold, `a & mask` stays as it is: one operation, which a fused
    /// indexed load adds to its base, where the shifts would lengthen the
    /// chain.
    fn bit_field(op: Op, shl: u32, and_alone: bool) -> Option<(Slot, u16)> {
        let (src, shift, mask) = match op {
            Op::I32ShrUAnd { shift, a, mask, .. } => (a, u32::from(shift), mask),
            Op::I32AndImm { a, imm, .. } if and_alone => (a, 0, imm as u32),
            _ => return None,
        };
        let mask = mask & (u32::MAX >> shift);
        if mask == 0 {
            return None;
        }
        let low = mask.trailing_zeros();
        // Contiguous: the set bits, shifted down, are all ones.
        let ones = mask >> low;
        if ones & ones.wrapping_add(1) != 0 || low + shl >= 32 {
            return None;
        }
        // Bits shifted past bit 31 are lost.
        let to = low + shl;
        let width = mask.count_ones().min(32 - to);
        Some((src, crate::op::bit_field_shifts(shift + low, width, to)))
    }

    pub(super) fn sub_imm(&mut self, is64: bool, make: impl Fn(Slot, Slot, Slot) -> Op) {
        let h = self.stack.height();
        if let Provider::Const(c) = self.stack.get(h - 1) {
            let neg = if is64 {
                (c as i64).wrapping_neg() as u64
            } else {
                (c as u32).wrapping_neg() as u64
            };
            if let Some(imm) = Self::imm_of(neg, is64) {
                self.stack.pop();
                let (p, pos) = self.stack.pop();
                let fed = self.fusable_def(p, pos).is_some();
                let a = self.slot_of(p, pos);
                let add = if is64 {
                    Op::I64AddImm { dst: 0, a, imm }
                } else {
                    Op::I32AddImm { dst: 0, a, imm }
                };
                self.push_def(|dst| match add {
                    Op::I64AddImm { a, imm, .. } => Op::I64AddImm { dst, a, imm },
                    Op::I32AddImm { a, imm, .. } => Op::I32AddImm { dst, a, imm },
                    other => other,
                });
                if fed {
                    self.fed_by_previous = Some(self.code.len() - 1);
                }
                return;
            }
        }
        self.binary(is64, false, make);
    }

    pub(super) fn unary(&mut self, make: impl FnOnce(Slot, Slot) -> Op) {
        let (p, pos) = self.stack.pop();
        let of_and = matches!(
            self.fusable_def(p, pos),
            Some(Op::I32And { .. } | Op::I32AndImm { .. })
        );
        let a = self.slot_of(p, pos);
        self.push_def(|dst| make(dst, a));
        if of_and && matches!(self.code.last(), Some(Op::I32Eqz { .. })) {
            self.eqz_of_and = Some(self.code.len() - 1);
        }
    }
}

macro_rules! define_translate_numeric {
    (
        loads { $( $lname:ident $lat:ident $lidx:ident $lshl:ident $labs:ident ($lty:ty => $lvia:ty); )* }
        branches { $( $brname:ident $brimm:ident = $cmp:ident $cmpimm:ident, not $nbr:ident $nbrimm:ident, $bty:ty, $btest:expr; )* }
        binary { $( $bname:ident $([$bimm:ident $(, $bcomm:ident)?])? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $tname:ident ($ta:ty, $tb:ty) -> $tr:ty = $tf:expr; )* }
        unary { $( $uname:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $vname:ident ($va:ty) -> $vr:ty = $vf:expr; )* }
    ) => {
        impl FuncTranslator {
            /// Translates a numeric operator or a scalar load; `false` if
            /// `op` is neither.
            #[inline(always)]
            pub(super) fn translate_numeric(&mut self, op: &Operator<'_>) -> bool {
                match op {
                    $( Operator::$bname => {
                        let is64 = std::mem::size_of::<$ba>() == 8;
                        let commutative = false $( $( || { let _ = stringify!($bcomm); true } )? )?;
                        self.binary(is64, commutative, |dst, a, b| Op::$bname { dst, a, b });
                    } )*
                    $( Operator::$tname => {
                        self.binary(false, false, |dst, a, b| Op::$tname { dst, a, b });
                    } )*
                    $( Operator::$uname => self.unary(|dst, a| Op::$uname { dst, a }), )*
                    $( Operator::$vname => self.unary(|dst, a| Op::$vname { dst, a }), )*
                    $( Operator::$lname { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                        Op::$lname { dst, addr, offset }
                    }), )*
                    _ => return false,
                }
                true
            }

            /// The memory argument of a scalar load, `None` for any other
            /// operator.
            pub(super) fn load_memarg<'a>(op: &'a Operator<'_>) -> Option<&'a wasmparser::MemArg> {
                match op {
                    $( Operator::$lname { memarg } )|* => Some(memarg),
                    _ => None,
                }
            }
        }
    };
}
crate::for_each_load_op!(for_each_branch_op for_each_numeric_op define_translate_numeric);
