//! An instruction as the executor reads it: its handler's address beside it.
//!
//! The translator produces [`Op`]s; a translated function keeps each one
//! as an [`Instr`], the `Op` preceded by the address of the handler that
//! executes it (*direct threading*). A handler ends by loading the next
//! instruction's handler from the instruction itself and jumping there:
//! one load, instead of reading the variant number and then looking the
//! handler up in [`HANDLERS`] (two dependent loads on every dispatch).
//!
//! The price is eight bytes per instruction (24 instead of 16). Branch
//! offsets count instructions, so they are the same either way.

use crate::executor::Handler;
use crate::op::{HANDLERS, Op};

/// An instruction with its handler.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Instr {
    /// `HANDLERS[op.variant_number()]` or the accumulator form of that
    /// handler, set by [`Instr::new`] only, so that a handler is always
    /// handed its own instruction.
    handler: Handler,
    op: Op,
}

impl Instr {
    /// `op` with its handler: the one that reads the accumulator if an
    /// operand is [`ACC`](crate::op::ACC).
    pub fn new(op: Op) -> Instr {
        let handler = crate::executor::accumulator::handler(&op)
            .unwrap_or(HANDLERS[usize::from(op.variant_number())]);
        Instr { handler, op }
    }

    /// `op` with the handler of its variant, for an instruction known to
    /// have no [`ACC`](crate::op::ACC) operand (the translator knows which
    /// ones it gave one): [`Instr::new`] without its search.
    pub(crate) fn reading_no_accumulator(op: Op) -> Instr {
        debug_assert!(crate::executor::accumulator::handler(&op).is_none());
        Instr {
            handler: HANDLERS[usize::from(op.variant_number())],
            op,
        }
    }

    /// The instruction.
    #[inline(always)]
    pub fn op(&self) -> &Op {
        &self.op
    }

    /// The handler of the instruction.
    #[inline(always)]
    pub(crate) fn handler(&self) -> Handler {
        self.handler
    }
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.op.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instruction_is_its_handler_then_its_op() {
        assert_eq!(std::mem::size_of::<Instr>(), 24);
        assert_eq!(std::mem::offset_of!(Instr, handler), 0);
        assert_eq!(std::mem::offset_of!(Instr, op), 8);
    }

    #[test]
    fn new_pairs_an_op_with_the_handler_of_its_variant() {
        let op = Op::Br { offset: 3 };
        let instr = Instr::new(op);
        assert_eq!(*instr.op(), op);
        assert!(std::ptr::fn_addr_eq(
            instr.handler(),
            HANDLERS[usize::from(op.variant_number())]
        ));
        assert!(!std::ptr::fn_addr_eq(
            instr.handler(),
            HANDLERS[usize::from(Op::Return0.variant_number())]
        ));
    }
}
