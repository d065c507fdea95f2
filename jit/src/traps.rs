//! Trap codes in compiled code: Strata's [`TrapCode`]s as Cranelift's.
//!
//! Cranelift reserves a few codes for what its own instructions raise
//! (`HEAP_OUT_OF_BOUNDS` for a load or store that faults, the division and
//! conversion traps, `STACK_OVERFLOW` from the prologue's stack-limit
//! check); everything else is a user code carrying Strata's own number.
//! [`PROPAGATE`] is the one code that is no trap of its own: compiled code
//! raises it after a callee reached through the array convention reported
//! a trap, so that the entry of this activation hands that trap on.

use cranelift_codegen::ir;
use strata_environ::TrapCode;

/// The user code for "a callee already recorded the trap".
const PROPAGATE_CODE: u8 = 200;

/// Raised after a failed array call; the callee's trap stands.
pub const PROPAGATE: ir::TrapCode = match ir::TrapCode::user(PROPAGATE_CODE) {
    Some(c) => c,
    None => panic!("200 is a valid user trap code"),
};

/// The Cranelift code for a Strata trap.
pub fn to_clif(code: TrapCode) -> ir::TrapCode {
    match code {
        TrapCode::MemoryOutOfBounds => ir::TrapCode::HEAP_OUT_OF_BOUNDS,
        TrapCode::IntegerOverflow => ir::TrapCode::INTEGER_OVERFLOW,
        TrapCode::IntegerDivisionByZero => ir::TrapCode::INTEGER_DIVISION_BY_ZERO,
        TrapCode::BadConversionToInteger => ir::TrapCode::BAD_CONVERSION_TO_INTEGER,
        TrapCode::StackOverflow => ir::TrapCode::STACK_OVERFLOW,
        // Strata's codes are 1..=13, all valid user codes.
        other => ir::TrapCode::user(other.as_u8()).unwrap_or(ir::TrapCode::HEAP_OUT_OF_BOUNDS),
    }
}

/// What a trap record in compiled code means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    /// A trap of its own.
    Trap(TrapCode),
    /// A callee's trap, handed on.
    Propagate,
}

/// The Strata meaning of a Cranelift trap code, if it is one of Strata's.
pub fn from_clif(code: ir::TrapCode) -> Option<TrapKind> {
    Some(TrapKind::Trap(match code {
        ir::TrapCode::HEAP_OUT_OF_BOUNDS => TrapCode::MemoryOutOfBounds,
        ir::TrapCode::INTEGER_OVERFLOW => TrapCode::IntegerOverflow,
        ir::TrapCode::INTEGER_DIVISION_BY_ZERO => TrapCode::IntegerDivisionByZero,
        ir::TrapCode::BAD_CONVERSION_TO_INTEGER => TrapCode::BadConversionToInteger,
        ir::TrapCode::STACK_OVERFLOW => TrapCode::StackOverflow,
        c if c == PROPAGATE => return Some(TrapKind::Propagate),
        c => {
            let n = c.as_raw().get();
            return TrapCode::ALL
                .into_iter()
                .find(|t| t.as_u8() == n)
                .map(TrapKind::Trap);
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for code in TrapCode::ALL {
            assert_eq!(from_clif(to_clif(code)), Some(TrapKind::Trap(code)));
        }
        assert_eq!(from_clif(PROPAGATE), Some(TrapKind::Propagate));
    }
}
