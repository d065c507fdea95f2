//! The translator's locals: `local.set`/`local.tee`, and keeping stack
//! entries that still read a local correct when it is written.

use super::*;

impl FuncTranslator {
    /// Before a local changes, entries still reading it get their own copy.
    pub(super) fn preserve_local(&mut self, local: u32) -> bool {
        let positions = self.stack.positions_of_local(local);
        for &pos in &positions {
            self.materialize(pos);
        }
        !positions.is_empty()
    }

    /// At block boundaries no entry may refer to a local: a `local.set` on
    /// one path must not change what another path sees.
    pub(super) fn flush_locals(&mut self) {
        for pos in self.stack.positions_of_locals() {
            self.materialize(pos);
        }
    }

    /// The instruction that just wrote the temporary at `pos`, if nothing
    /// was emitted after it (but its trailing `Operand`).
    pub(super) fn last_def_at(&self, pos: u32) -> Option<usize> {
        let (at, def_pos) = self.last_def?;
        let len = self.code.len();
        let is_last =
            at + 1 == len || (at + 2 == len && matches!(self.code[len - 1], Op::Operand { .. }));
        (def_pos == pos && is_last).then_some(at)
    }

    pub(super) fn set_local(&mut self, local: u32, tee: bool) {
        let (p, pos) = self.stack.pop();
        if p == Provider::Local(local) {
            if tee {
                self.stack.push(p);
            }
            return;
        }
        let preserved = self.preserve_local(local);
        match p {
            Provider::Temp => {
                let retarget = match self.last_def_at(pos).filter(|_| !preserved) {
                    Some(at) => match self.code[at].dst_mut() {
                        Some(dst) => {
                            *dst = local;
                            true
                        }
                        None => false,
                    },
                    None => false,
                };
                if retarget {
                    self.last_def = None;
                } else {
                    let src = self.temp(pos);
                    self.emit(Op::Copy { dst: local, src });
                }
                if tee {
                    self.stack.push(if retarget {
                        Provider::Local(local)
                    } else {
                        Provider::Temp
                    });
                }
            }
            Provider::Local(src) => {
                self.emit(Op::Copy { dst: local, src });
                if tee {
                    self.stack.push(Provider::Local(local));
                }
            }
            Provider::Const(value) => {
                self.emit(Op::Const { dst: local, value });
                if tee {
                    self.stack.push(p);
                }
            }
        }
    }

    /// `local.set`/`local.tee` of a `v128` local whose first slot is
    /// `local`.
    pub(super) fn set_local_v128(&mut self, local: Slot, tee: bool) {
        let (high, _) = self.stack.pop();
        let (low, pos) = self.stack.pop();
        let push_local = |t: &mut Self| {
            t.stack.push(Provider::Local(local));
            t.stack.push_high(Provider::Local(local + 1));
        };
        if low == Provider::Local(local) && high == Provider::Local(local + 1) {
            if tee {
                push_local(self);
            }
            return;
        }
        let preserved = self.preserve_local(local) | self.preserve_local(local + 1);
        if (low, high) == (Provider::Temp, Provider::Temp)
            && !preserved
            && let Some(at) = self.last_def_at(pos)
            && let Some(dst) = self.code[at].dst_mut()
        {
            // The instruction that computed the value writes the local.
            *dst = local;
            self.last_def = None;
        } else {
            self.emit_v128_to(local, low, high, pos);
        }
        if tee {
            push_local(self);
        }
    }

    /// The first slot of local `index`, and whether it is a `v128`.
    pub(super) fn local(&self, index: u32) -> Result<(Slot, bool), String> {
        self.locals
            .get(index as usize)
            .copied()
            .ok_or_else(|| format!("unknown local {index}"))
    }
}
