//! Copies of a bytecode loop's dispatch.
//!
//! A bytecode interpreter compiled to wasm is a loop whose header fetches
//! the next opcode and dispatches on it with a `br_table`; every case ends
//! with a `br` back to the header. Translated, each case pays one more
//! instruction for that jump. When the code is complete, a `Br` whose
//! target is such a header (a few instructions, then a `BrTable*` and its
//! entries) becomes a copy of the header, which ends in its own
//! dispatch. Executing the copy is executing the jump and then the
//! header, so any straight-line prefix may be copied; branches in the copy
//! keep their targets. The copies are bounded per function, and the
//! tables copied are small: a copy saves one dispatch per case, and Lua's
//! 83-way `luaV_execute` switch measured no faster for its 160 KB of
//! copies, while a 21-way VM ran 7% faster.
//!
//! It runs before the accumulator pass, which then treats each copy like
//! any other code: the first instruction of a copy is reached by falling
//! through from the case's last.

use super::FuncTranslator;
use crate::op::Op;

/// Instructions before the `BrTable*` a copied header may have.
const MAX_PREFIX: usize = 8;
/// Entries a copied `br_table` may have.
const MAX_ENTRIES: usize = 64;
/// Instructions the copies may add to one function.
const MAX_ADDED: usize = 4096;

impl FuncTranslator {
    /// Replaces every `Br` to a dispatch header by a copy of it.
    pub(super) fn duplicate_dispatch(&mut self) {
        let n = self.code.len();
        // The end (exclusive) of the header starting at each target, if
        // it is one.
        let header_end = |code: &[Op], t: usize| -> Option<usize> {
            let mut at = t;
            while at < code.len() && at - t <= MAX_PREFIX {
                let len = match code[at] {
                    Op::BrTable { len, .. } => len as usize,
                    Op::BrTableLoad8U { len, .. }
                    | Op::BrTableLoad32 { len, .. }
                    | Op::BrTableLoad8UAt { len, .. }
                    | Op::BrTableLoad32At { len, .. } => usize::from(len),
                    Op::BrTableEntry { .. } => return None,
                    _ => {
                        at += 1;
                        continue;
                    }
                };
                // `len + 1` entries: the last is the default.
                let end = at + 2 + len;
                return (len <= MAX_ENTRIES && end <= code.len()).then_some(end);
            }
            None
        };
        let target_of = |i: usize, op: &mut Op| -> Option<usize> {
            let off = *op.branch_offset_mut()?;
            usize::try_from(i as i64 + i64::from(off)).ok()
        };
        let mut added = 0;
        let mut copies: Vec<Option<(usize, usize)>> = vec![None; n];
        for (i, copy) in copies.iter_mut().enumerate() {
            let mut op = self.code[i];
            if let Op::Br { .. } = op
                && let Some(t) = target_of(i, &mut op)
                && let Some(end) = header_end(&self.code, t)
                && !(t..end).contains(&i)
                && added + (end - t) <= MAX_ADDED
            {
                *copy = Some((t, end));
                added += end - t - 1;
            }
        }
        if added == 0 {
            return;
        }
        // The new code, each instruction with the old index it comes from;
        // `at[i]`: where old instruction `i` (or its copy) now starts.
        let mut code = Vec::with_capacity(n + added);
        let mut origin = Vec::with_capacity(n + added);
        let mut at = Vec::with_capacity(n + 1);
        for (i, copy) in copies.iter().enumerate() {
            at.push(code.len());
            match *copy {
                Some((t, end)) => {
                    code.extend_from_slice(&self.code[t..end]);
                    origin.extend(t..end);
                }
                None => {
                    code.push(self.code[i]);
                    origin.push(i);
                }
            }
        }
        at.push(code.len());
        for (k, op) in code.iter_mut().enumerate() {
            let from = origin[k];
            if let Some(old) = target_of(from, op)
                && let Some(&new) = at.get(old)
                && let Some(offset) = op.branch_offset_mut()
            {
                *offset = (new as i64 - k as i64) as i32;
            }
        }
        self.code = code;
    }
}
