//! The reasons WebAssembly execution can stop abnormally.

use std::fmt;

/// Why a WebAssembly computation trapped. Every tier reports the same codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapCode {
    /// `unreachable` was executed.
    Unreachable = 1,
    /// A load or store outside the bounds of a linear memory.
    MemoryOutOfBounds,
    /// A table access outside the bounds of a table.
    TableOutOfBounds,
    /// `call_indirect` with an index outside its table.
    IndirectCallOutOfBounds,
    /// `call_indirect` through a null table entry.
    IndirectCallToNull,
    /// `call_indirect` to a function of a different signature.
    BadSignature,
    /// Signed division overflowed (`INT_MIN / -1`).
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// A float-to-integer conversion of NaN or an out-of-range value.
    BadConversionToInteger,
    /// The WebAssembly call stack ran out of space.
    StackOverflow,
    /// A null reference was dereferenced.
    NullReference,
    /// The store ran out of fuel.
    OutOfFuel,
    /// The epoch deadline passed.
    Interrupt,
    /// The runtime broke one of its own invariants (a bug in Strata, never
    /// the guest's doing): reported as a trap rather than a panic, and
    /// never confused with a guest's `unreachable`.
    Internal,
}

impl TrapCode {
    /// Every trap code, in declaration order.
    pub const ALL: [TrapCode; 14] = [
        TrapCode::Unreachable,
        TrapCode::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::StackOverflow,
        TrapCode::NullReference,
        TrapCode::OutOfFuel,
        TrapCode::Interrupt,
        TrapCode::Internal,
    ];

    /// The message the WebAssembly specification's test suite uses.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::IndirectCallOutOfBounds => "undefined element",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::NullReference => "null reference",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupt => "interrupted",
            TrapCode::Internal => "internal error in the runtime",
        }
    }

    /// The code's number (never zero), for tables of trap sites.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The inverse of [`TrapCode::as_u8`].
    pub fn from_u8(n: u8) -> Option<TrapCode> {
        TrapCode::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_u8() {
        for code in TrapCode::ALL {
            assert_eq!(TrapCode::from_u8(code.as_u8()), Some(code));
        }
        assert_eq!(TrapCode::from_u8(0), None);
        assert_eq!(TrapCode::from_u8(200), None);
    }
}
