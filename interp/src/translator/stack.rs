//! The translator's model of the operand stack.
//!
//! Each entry says where its value can be found *now*, without code having
//! been emitted to move it: in its own temporary slot, in a local, or as a
//! constant. Values are only copied when an instruction needs them somewhere
//! specific (a call's arguments, a branch's results) or when a `local.set`
//! would change a local that an entry still refers to.

use crate::op::Slot;

/// Where the value of one operand-stack entry lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// In the temporary slot that belongs to the entry's stack position.
    Temp,
    /// In a local (or parameter) slot.
    Local(u32),
    /// A constant (32-bit values zero-extended).
    Const(u64),
}

/// No position.
const NONE: u32 = u32::MAX;

/// The kinds of [`Provider`], as [`OperandStack::push`] hands them on.
const TEMP: u8 = 0;
const LOCAL: u8 = 1;
const CONST: u8 = 2;

/// Links of an entry that refers to a local: to the entries below and
/// above it that refer to the same local, and to any local.
#[derive(Clone, Copy)]
struct Links {
    below_same: u32,
    above_same: u32,
    below_any: u32,
    above_any: u32,
}

/// The operand stack of the function being translated.
///
/// Entries that refer to locals are also kept in doubly linked lists, one
/// per local and one for all of them, so that a `local.set` finds the
/// entries that still read its local, and a block boundary finds every
/// entry that reads any local, in time proportional to what it finds,
/// never to the stack's height: a body of many `local.get`s followed by
/// many `local.set`s translates in linear time.
pub struct OperandStack {
    entries: Vec<Provider>,
    /// Per position; meaningful while the entry is a `Provider::Local`.
    links: Vec<Links>,
    /// The topmost entry referring to each local, or `NONE`; indexed by
    /// local, grown on demand (emptied per function, so a function pays
    /// only for the locals it reads).
    top_same: Vec<u32>,
    /// The topmost entry referring to any local, or `NONE`.
    top_any: u32,
    /// Per position: whether the entry is the high half of a `v128` (which
    /// takes two positions, and so two slots, low half first).
    high: Vec<bool>,
    max_height: u32,
}

impl Default for OperandStack {
    fn default() -> OperandStack {
        OperandStack {
            entries: Vec::new(),
            links: Vec::new(),
            top_same: Vec::new(),
            top_any: NONE,
            high: Vec::new(),
            max_height: 0,
        }
    }
}

impl OperandStack {
    pub fn clear(&mut self) {
        // `links` and `high` keep their length: a position's links are
        // written when a local reference is pushed there, and read only
        // while it is one, so stale ones are never read.
        self.entries.clear();
        self.top_same.clear();
        self.top_any = NONE;
        self.max_height = 0;
    }

    pub fn height(&self) -> u32 {
        self.entries.len() as u32
    }

    pub fn max_height(&self) -> u32 {
        self.max_height
    }

    /// Pushes an entry.
    ///
    /// The entry is taken apart and built again in place: a `Provider`
    /// its caller just built in memory, copied whole into the stack, is
    /// one 16-byte load of two narrower stores, which stalls on store
    /// forwarding (it was a third of this function's time).
    #[inline]
    pub fn push(&mut self, p: Provider) {
        match p {
            Provider::Temp => self.push_entry(TEMP, 0),
            Provider::Local(local) => self.push_entry(LOCAL, u64::from(local)),
            Provider::Const(c) => self.push_entry(CONST, c),
        }
    }

    /// Pushes the entry of kind `kind` ([`TEMP`], [`LOCAL`] or [`CONST`])
    /// and payload `payload`.
    ///
    /// [`Self::push`] takes its entry apart and this builds it again in
    /// place: a `Provider` that the caller just built in memory, copied
    /// whole into the stack, is one 16-byte load of two narrower stores,
    /// which stalls on store forwarding (a third of the push's time).
    #[inline(never)]
    fn push_entry(&mut self, kind: u8, payload: u64) {
        let p = match kind {
            LOCAL => Provider::Local(payload as u32),
            CONST => Provider::Const(payload),
            _ => Provider::Temp,
        };
        let pos = self.entries.len() as u32;
        if self.high.len() <= pos as usize {
            self.grow(pos as usize + 1);
        }
        if let Provider::Local(local) = p {
            // Entries are pushed on top, so this one is topmost in both
            // of its lists.
            let l = local as usize;
            if self.top_same.len() <= l {
                self.top_same.resize(l + 1, NONE);
            }
            let below_same = std::mem::replace(&mut self.top_same[l], pos);
            if below_same != NONE {
                self.links[below_same as usize].above_same = pos;
            }
            let below_any = std::mem::replace(&mut self.top_any, pos);
            if below_any != NONE {
                self.links[below_any as usize].above_any = pos;
            }
            self.links[pos as usize] = Links {
                below_same,
                above_same: NONE,
                below_any,
                above_any: NONE,
            };
        }
        self.entries.push(p);
        self.high[pos as usize] = false;
        self.max_height = self.max_height.max(self.entries.len() as u32);
    }

    /// Makes `links` and `high` at least `len` long (both grow together,
    /// as deep as the deepest stack yet).
    #[cold]
    fn grow(&mut self, len: usize) {
        let len = len.max(self.high.len() * 2).max(16);
        self.high.resize(len, false);
        self.links.resize(
            len,
            Links {
                below_same: NONE,
                above_same: NONE,
                below_any: NONE,
                above_any: NONE,
            },
        );
    }

    /// Pushes the high half of a `v128` (its low half was just pushed).
    pub fn push_high(&mut self, p: Provider) {
        self.push(p);
        let top = self.entries.len() - 1;
        self.high[top] = true;
    }

    /// Whether the entry at `pos` is the high half of a `v128`.
    pub fn is_high(&self, pos: u32) -> bool {
        self.high.get(pos as usize).copied().unwrap_or(false)
    }

    /// Takes the entry at `pos` out of the lists, if it is in them.
    fn unlink(&mut self, pos: u32) {
        let Some(Provider::Local(local)) = self.entries.get(pos as usize).copied() else {
            return;
        };
        let l = self.links[pos as usize];
        if l.below_same != NONE {
            self.links[l.below_same as usize].above_same = l.above_same;
        }
        if l.above_same != NONE {
            self.links[l.above_same as usize].below_same = l.below_same;
        } else {
            // Topmost for its local: the one below (or none) now is.
            self.top_same[local as usize] = l.below_same;
        }
        if l.below_any != NONE {
            self.links[l.below_any as usize].above_any = l.above_any;
        }
        if l.above_any != NONE {
            self.links[l.above_any as usize].below_any = l.below_any;
        } else {
            self.top_any = l.below_any;
        }
    }

    /// Pops the top entry and returns it with its position.
    pub fn pop(&mut self) -> (Provider, u32) {
        // The validator has checked the stack, so an entry is there; an
        // empty stack here means unreachable code the caller skips.
        let Some(pos) = self.entries.len().checked_sub(1) else {
            return (Provider::Temp, 0);
        };
        self.unlink(pos as u32);
        let p = self.entries.pop().unwrap_or(Provider::Temp);
        (p, pos as u32)
    }

    pub fn truncate(&mut self, height: u32) {
        while self.entries.len() > height as usize {
            self.pop();
        }
    }

    pub fn get(&self, pos: u32) -> Provider {
        self.entries[pos as usize]
    }

    pub fn set(&mut self, pos: u32, p: Provider) {
        debug_assert!(
            !matches!(p, Provider::Local(_)),
            "local references enter the stack by `push` only"
        );
        self.unlink(pos);
        self.entries[pos as usize] = p;
    }

    /// Positions whose entry refers to `local`, topmost first.
    pub fn positions_of_local(&self, local: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut pos = self.top_same.get(local as usize).copied().unwrap_or(NONE);
        while pos != NONE {
            out.push(pos);
            pos = self.links[pos as usize].below_same;
        }
        out
    }

    /// Positions whose entry refers to any local, topmost first.
    pub fn positions_of_locals(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut pos = self.top_any;
        while pos != NONE {
            out.push(pos);
            pos = self.links[pos as usize].below_any;
        }
        out
    }
}

/// Maps stack positions to slots.
#[derive(Clone, Copy)]
pub struct FrameLayout {
    pub num_locals: u32,
}

impl FrameLayout {
    pub fn temp(&self, pos: u32) -> Slot {
        self.num_locals + pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists agree with a scan of the stack after every operation of
    /// a long random sequence of pushes, pops, truncations and
    /// materializations.
    #[test]
    fn local_lists_match_a_scan() {
        let mut stack = OperandStack::default();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        // Miri interprets every step: fewer there.
        let steps = if cfg!(miri) { 500 } else { 20_000 };
        for step in 0..steps {
            match next(10) {
                0..=3 => stack.push(Provider::Local(next(5) as u32)),
                4 => stack.push(Provider::Temp),
                5 => stack.push(Provider::Const(7)),
                6 | 7 => {
                    stack.pop();
                }
                8 if stack.height() > 0 => {
                    let pos = next(u64::from(stack.height())) as u32;
                    stack.set(pos, Provider::Temp);
                }
                _ => {
                    let h = stack.height();
                    stack.truncate(h.saturating_sub(next(4) as u32));
                }
            }
            let scan = |f: &dyn Fn(Provider) -> bool| -> Vec<u32> {
                (0..stack.height())
                    .rev()
                    .filter(|p| f(stack.get(*p)))
                    .collect()
            };
            for local in 0..5 {
                assert_eq!(
                    stack.positions_of_local(local),
                    scan(&|p| p == Provider::Local(local)),
                    "local {local} after step {step}"
                );
            }
            assert_eq!(
                stack.positions_of_locals(),
                scan(&|p| matches!(p, Provider::Local(_))),
                "all locals after step {step}"
            );
        }
    }
}
