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

/// The operand stack of the function being translated.
#[derive(Default)]
pub struct OperandStack {
    entries: Vec<Provider>,
    max_height: u32,
}

impl OperandStack {
    pub fn clear(&mut self) {
        self.entries.clear();
        self.max_height = 0;
    }

    pub fn height(&self) -> u32 {
        self.entries.len() as u32
    }

    pub fn max_height(&self) -> u32 {
        self.max_height
    }

    pub fn push(&mut self, p: Provider) {
        self.entries.push(p);
        self.max_height = self.max_height.max(self.entries.len() as u32);
    }

    /// Pops the top entry and returns it with its position.
    pub fn pop(&mut self) -> (Provider, u32) {
        // The validator has checked the stack, so an entry is there; an
        // empty stack here means unreachable code the caller skips.
        let p = self.entries.pop().unwrap_or(Provider::Temp);
        (p, self.entries.len() as u32)
    }

    pub fn truncate(&mut self, height: u32) {
        self.entries.truncate(height as usize);
    }

    pub fn get(&self, pos: u32) -> Provider {
        self.entries[pos as usize]
    }

    pub fn set(&mut self, pos: u32, p: Provider) {
        self.entries[pos as usize] = p;
    }

    /// Positions whose entry refers to `local`.
    pub fn positions_of_local(&self, local: u32) -> impl Iterator<Item = u32> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, p)| **p == Provider::Local(local))
            .map(|(i, _)| i as u32)
    }

    /// Positions whose entry refers to any local.
    pub fn positions_of_locals(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Provider::Local(_)))
            .map(|(i, _)| i as u32)
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
