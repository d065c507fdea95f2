//! Operands read from the accumulator.
//!
//! When a function's code is complete, every instruction that reads the
//! integer or float result of the instruction just before it takes that
//! operand from an accumulator register (the integer one, or the float one
//! of the value's width) instead of from its slot (see
//! `executor/accumulator.rs`). An instruction is rewritten only when it
//! can be reached solely by falling through from its producer: not the
//! first instruction, and not the target of any branch. (An `Operand`
//! belongs to the instruction before it, so the producer is the last
//! instruction before that is not one.)

use super::FuncTranslator;
use super::pairs::{pair, reading_slot};
use crate::executor::accumulator::{may_read_acc, may_read_facc, with_acc, with_facc};
use crate::op::{HANDLERS, Op};

/// Facts about an instruction that its variant alone decides, as bits:
/// learnt from the first instruction of each variant and kept in
/// `FuncTranslator::variant_facts`, so that the pass below makes one table
/// lookup per instruction for each, instead of a call into a match over
/// every variant (which costs an indirect jump that mostly mispredicts).
const KNOWN: u8 = 1;
/// It has a branch offset.
const BRANCH: u8 = 2;
/// It leaves its result in the accumulator.
const WRITES_ACC: u8 = 4;
/// It may read an operand from the accumulator.
const MAY_READ_ACC: u8 = 8;
/// It leaves its result in the float accumulator.
const WRITES_FACC: u8 = 16;
/// It may read an operand from the float accumulator.
const MAY_READ_FACC: u8 = 32;

/// The facts of `op`'s variant, learnt now if `memo` lacks them.
fn facts(memo: &mut [u8], op: &mut Op) -> u8 {
    let v = usize::from(op.variant_number());
    match memo.get(v) {
        Some(&f) if f != 0 => f,
        _ => {
            let mut f = KNOWN;
            if op.branch_offset_mut().is_some() {
                f |= BRANCH;
            }
            if op.acc_dst().is_some() {
                f |= WRITES_ACC;
            }
            if may_read_acc(op) {
                f |= MAY_READ_ACC;
            }
            if op.facc_dst().is_some() {
                f |= WRITES_FACC;
            }
            if may_read_facc(op) {
                f |= MAY_READ_FACC;
            }
            if let Some(slot) = memo.get_mut(v) {
                *slot = f;
            }
            f
        }
    }
}

impl FuncTranslator {
    /// Names [`ACC`](crate::op::ACC) for every operand that the
    /// accumulator holds when its instruction runs.
    pub(super) fn read_accumulator(&mut self) {
        let n = self.code.len();
        let memo = &mut self.variant_facts;
        if memo.len() != HANDLERS.len() {
            memo.clear();
            memo.resize(HANDLERS.len(), 0);
        }
        // First whether each instruction is a branch target...
        let marks = &mut self.marks;
        marks.clear();
        marks.resize(n + 1, false);
        let kinds = &mut self.kinds;
        kinds.clear();
        for (i, op) in self.code.iter_mut().enumerate() {
            let f = facts(memo, op);
            kinds.push(f);
            if f & BRANCH != 0
                && let Some(offset) = op.branch_offset_mut()
            {
                let to = i as i64 + i64::from(*offset);
                if let Ok(to) = usize::try_from(to)
                    && to <= n
                {
                    marks[to] = true;
                }
            }
        }
        // ...then, in the same pass that reads that, whether it reads the
        // accumulator; and adjacent moves become pairs (`pairs.rs`), the
        // second of which must be no branch target either. The
        // instruction before `i` (its trailing `Operand`s skipped).
        let mut prev = 0;
        marks[0] = false;
        // Whether the instruction before `i` may begin a pair: it reads no
        // accumulator, and it is neither the second of a pair nor the data
        // of the instruction before it.
        let mut may_begin_pair = true;
        for (i, mark) in marks.iter_mut().enumerate().take(n).skip(1) {
            let target = std::mem::replace(mark, false);
            if !target
                && kinds[prev] & WRITES_ACC != 0
                && kinds[i] & MAY_READ_ACC != 0
                && let Some(d) = self.code[prev].acc_dst()
                && let Some(op) = with_acc(self.code[i], d)
            {
                self.code[i] = op;
                *mark = true;
            } else if !target
                && kinds[prev] & WRITES_FACC != 0
                && kinds[i] & MAY_READ_FACC != 0
                && let Some(d) = self.code[prev].facc_dst()
                && let Some(op) = with_facc(self.code[i], d)
            {
                // No pair reads a float: the instruction begins none and
                // ends none (`facc_dst` is `None` for every pair).
                self.code[i] = op;
                *mark = true;
            }
            let mut paired = false;
            if may_begin_pair && !target {
                // A second that reads the first's result from the
                // accumulator gets it from the pair's handler instead.
                let second = if *mark {
                    (self.code[i - 1].acc_dst()).and_then(|d| reading_slot(self.code[i], d))
                } else {
                    Some(self.code[i])
                };
                if let Some(second) = second
                    && let Some(op) = pair(self.code[i - 1], second)
                {
                    self.code[i - 1] = op;
                    self.code[i] = second;
                    *mark = false;
                    paired = true;
                }
            }
            may_begin_pair = !*mark && !paired && !matches!(self.code[i - 1], Op::ConstV128 { .. });
            if !matches!(self.code[i], Op::Operand { .. }) {
                prev = i;
            }
        }
    }
}
