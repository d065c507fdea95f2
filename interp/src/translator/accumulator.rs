//! Operands read from the accumulator.
//!
//! When a function's code is complete, every instruction that reads the
//! integer result of the instruction just before it takes that operand
//! from the accumulator register instead of from its slot (see
//! `executor/accumulator.rs`). An instruction is rewritten only when it
//! can be reached solely by falling through from its producer: not the
//! first instruction, and not the target of any branch. (An `Operand`
//! belongs to the instruction before it, so the producer is the last
//! instruction before that is not one.)

use super::FuncTranslator;
use crate::executor::accumulator::with_acc;
use crate::op::Op;

impl FuncTranslator {
    /// Names [`ACC`](crate::op::ACC) for every operand that the
    /// accumulator holds when its instruction runs.
    pub(super) fn read_accumulator(&mut self) {
        let n = self.code.len();
        let mut is_target = vec![false; n + 1];
        for (i, op) in self.code.iter_mut().enumerate() {
            if let Some(offset) = op.branch_offset_mut() {
                let to = i as i64 + i64::from(*offset);
                if let Ok(to) = usize::try_from(to)
                    && to <= n
                {
                    is_target[to] = true;
                }
            }
        }
        // The instruction before `i` (its trailing `Operand`s skipped).
        let mut prev = 0;
        for (i, &target) in is_target.iter().enumerate().take(n).skip(1) {
            if !target
                && let Some(d) = self.code[prev].acc_dst()
                && let Some(op) = with_acc(self.code[i], d)
            {
                self.code[i] = op;
            }
            if !matches!(self.code[i], Op::Operand { .. }) {
                prev = i;
            }
        }
    }
}
