//! Pairs of simple instructions executed in one dispatch.
//!
//! Moves and `+ constant`s come in runs: a loop's induction variables
//! stepped one after the other (`i += 1; p += 4`), the values a branch
//! hands to its target, a call's arguments. Each costs a dispatch (an
//! indirect jump) for a load and a store of work. When two of them are
//! adjacent, the first becomes a pair instruction whose handler also does
//! the second's work; the second stays where it is, as the pair's data, so
//! no instruction moves and no branch offset changes (a branch to the
//! second would still run it alone). The accumulator pass forms the pairs
//! (it knows the branch targets): never into a branch target, which
//! leaves a loop header free to begin its own pair instead, never from an
//! instruction that reads the accumulator or is another instruction's
//! data. A second that read the first's result from the accumulator reads
//! its slot again ([`reading_slot`]), and the pair's handler hands it the
//! value in a register.
//!
//! Integer multiply-adds (`I32AddMul`) and the float ones are fused by
//! the translator as it goes (`numeric.rs`), since the product must have
//! no other reader.

use crate::op::{ACC, Op, Slot};

/// The pair instruction that does `first` and then `second`, if there is
/// one for these two. Neither may read the accumulator (the pair handlers
/// have no such forms; see [`reading_slot`]); the caller checks that
/// nothing branches to `second`.
pub(super) fn pair(first: Op, second: Op) -> Option<Op> {
    enum Second {
        Copy,
        Const,
        AddImm,
    }
    let second = match second {
        Op::Copy { .. } => Second::Copy,
        Op::Const { .. } => Second::Const,
        Op::I32AddImm { .. } => Second::AddImm,
        _ => return None,
    };
    Some(match (first, second) {
        (Op::Copy { dst, src }, Second::Copy) => Op::CopyAndCopy { dst, src },
        (Op::Copy { dst, src }, Second::Const) => Op::CopyAndConst { dst, src },
        (Op::Copy { dst, src }, Second::AddImm) => Op::CopyAndI32AddImm { dst, src },
        (Op::Const { dst, value }, Second::Copy) => Op::ConstAndCopy { dst, value },
        (Op::Const { dst, value }, Second::Const) => Op::ConstAndConst { dst, value },
        (Op::Const { dst, value }, Second::AddImm) => Op::ConstAndI32AddImm { dst, value },
        (Op::I32AddImm { dst, a, imm }, Second::Copy) => Op::I32AddImmAndCopy { dst, a, imm },
        (Op::I32AddImm { dst, a, imm }, Second::Const) => Op::I32AddImmAndConst { dst, a, imm },
        (Op::I32AddImm { dst, a, imm }, Second::AddImm) => {
            Op::I32AddImmAndI32AddImm { dst, a, imm }
        }
        _ => return None,
    })
}

/// `second`, which reads the accumulator that `first` leaves `first_dst`
/// in, as it reads that value from its slot instead, if it can begin no
/// pair otherwise: a pair's handler hands the first's result to the
/// second itself.
pub(super) fn reading_slot(second: Op, first_dst: Slot) -> Option<Op> {
    match second {
        Op::Copy { dst, src: ACC } => Some(Op::Copy {
            dst,
            src: first_dst,
        }),
        Op::I32AddImm { dst, a: ACC, imm } => Some(Op::I32AddImm {
            dst,
            a: first_dst,
            imm,
        }),
        _ => None,
    }
}
