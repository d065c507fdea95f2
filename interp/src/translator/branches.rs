//! Branches, blocks and returns: block shapes, copying results to a label,
//! patching branch offsets, and the control operators with translation of
//! their own.

use super::*;

impl FuncTranslator {
    /// Whether branching with the top `arity` values to a label whose values
    /// live from `label_base` on needs copies.
    pub(super) fn needs_copies(&self, arity: u32, label_base: u32) -> bool {
        let h = self.stack.height();
        (0..arity).any(|i| {
            let pos = h - arity + i;
            pos != label_base + i || self.stack.get(pos) != Provider::Temp
        })
    }

    /// Copies the top `arity` values to the label's slots without changing
    /// the model (the code runs only on the branch's path).
    pub(super) fn copy_to_label(&mut self, arity: u32, label_base: u32) {
        let h = self.stack.height();
        let mut start = self.code.len();
        for i in 0..arity {
            let pos = h - arity + i;
            let dst = self.temp(label_base + i);
            if !self.stack.is_high(pos) {
                start = self.code.len();
            }
            self.emit_value_to(dst, self.stack.get(pos), pos);
            if self.stack.is_high(pos) {
                self.fuse_v128_move(start);
            }
        }
    }

    /// Emits a return of the top values without changing the model.
    pub(super) fn emit_return(&mut self) {
        let n = self.num_results;
        let h = self.stack.height();
        match n {
            0 => {
                self.emit(Op::Return0);
            }
            1 => {
                let src = self.slot_of(self.stack.get(h - 1), h - 1);
                self.emit(Op::Return1 { src });
            }
            _ => {
                let mut start = self.code.len();
                for pos in h - n..h {
                    if !self.stack.is_high(pos) {
                        start = self.code.len();
                    }
                    self.emit_value_to(self.temp(pos), self.stack.get(pos), pos);
                    if self.stack.is_high(pos) {
                        self.fuse_v128_move(start);
                    }
                }
                let src = self.temp(h - n);
                self.emit(Op::ReturnMany { src, count: n });
            }
        }
    }

    pub(super) fn offset_to(from: usize, to: usize) -> BranchOffset {
        (to as i64 - from as i64) as BranchOffset
    }

    pub(super) fn patch(&mut self, at: usize, to: usize) {
        let off = Self::offset_to(at, to);
        if let Some(offset) = self.code[at].branch_offset_mut() {
            *offset = off;
        }
    }

    /// Pops a condition and emits a branch taken when it is non-zero (or,
    /// with `negate`, zero), with offset 0 for the caller to set. A
    /// comparison computed by the instruction just before is fused into a
    /// compare-and-branch.
    pub(super) fn cond_branch(&mut self, negate: bool) -> usize {
        let (p, pos) = self.stack.pop();
        let last = self.code.len().wrapping_sub(1);
        if p == Provider::Temp
            && self.last_def == Some((last, pos))
            && let Some(fused) = self.code[last].fuse_branch(negate)
        {
            // `eqz(x & y)`: the bit test of the opposite sense, in place of
            // the `and` (which only the `eqz` read).
            if self.eqz_of_and == Some(last)
                && let Some(&Op::I32Eqz { a, .. }) = self.code.get(last)
                && let Some(mut and) = last
                    .checked_sub(1)
                    .and_then(|at| self.code.get(at))
                    .copied()
                && and.dst_mut().is_some_and(|d| *d == a)
                && let Some(test) = and.fuse_branch(!negate)
            {
                self.code.pop();
                self.code[last - 1] = test;
                self.last_def = None;
                self.eqz_of_and = None;
                return last - 1;
            }
            self.code[last] = fused;
            self.last_def = None;
            return last;
        }
        let cond = self.slot_of(p, pos);
        if negate {
            self.emit(Op::BrIfEqz { cond, offset: 0 })
        } else {
            self.emit(Op::BrIfNez { cond, offset: 0 })
        }
    }

    /// Emits an unconditional branch (with value copies) to `depth`.
    pub(super) fn branch(&mut self, depth: u32) {
        let idx = self.control.len() - 1 - depth as usize;
        if self.control[idx].kind == ControlKind::Function {
            self.emit_return();
            return;
        }
        let (arity, base) = (self.control[idx].branch_arity(), self.control[idx].height);
        self.copy_to_label(arity, base);
        self.jump_to_label(idx);
    }

    /// Emits a `Br` to the label of control frame `idx`.
    pub(super) fn jump_to_label(&mut self, idx: usize) {
        if self.control[idx].kind == ControlKind::Loop {
            let offset = Self::offset_to(self.pc(), self.control[idx].loop_start);
            self.emit(Op::Br { offset });
        } else {
            let at = self.emit(Op::Br { offset: 0 });
            self.control[idx].patches.push(at);
        }
    }

    /// The slots of a block type's parameters and results, and which of
    /// them are high halves of `v128`s.
    pub(super) fn block_arity(module: &ModuleInfo, ty: BlockType) -> BlockShape {
        match ty {
            BlockType::Empty => (0, 0, Box::new([]), Box::new([])),
            BlockType::Type(t) => {
                let t = [ValType::from_wasmparser(t).unwrap_or(ValType::I32)];
                (0, slots_of_all(&t), Box::new([]), high_halves(&t))
            }
            BlockType::FuncType(i) => {
                let ft = &module.types[i as usize];
                (
                    slots_of_all(ft.params()),
                    slots_of_all(ft.results()),
                    high_halves(ft.params()),
                    high_halves(ft.results()),
                )
            }
        }
    }

    pub(super) fn push_control(&mut self, kind: ControlKind, shape: BlockShape, dead: bool) {
        let (params, results, param_high, result_high) = shape;
        let height = self.stack.height().saturating_sub(params);
        let loop_start = self.pc();
        self.control.push(Control {
            kind,
            height,
            num_params: params,
            num_results: results,
            param_high,
            result_high,
            dead,
            patches: Vec::new(),
            else_patch: None,
            loop_start,
        });
    }

    pub(super) fn mark_unreachable(&mut self) {
        self.reachable = false;
        let h = self.control.last().map_or(0, |c| c.height);
        self.stack.truncate(h);
    }

    /// Keeps the block structure in code that can never run.
    pub(super) fn translate_unreachable(
        &mut self,
        _module: &ModuleInfo,
        op: &Operator<'_>,
    ) -> Result<(), String> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.push_control(ControlKind::Block, (0, 0, Box::new([]), Box::new([])), true);
            }
            Operator::Else if !self.control.last().is_some_and(|c| c.dead) => {
                self.translate_else();
            }
            Operator::End => {
                if self.control.last().is_some_and(|c| c.dead) {
                    self.control.pop();
                } else {
                    self.translate_end();
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn translate_else(&mut self) {
        let idx = self.control.len() - 1;
        if self.reachable {
            let (arity, base) = (self.control[idx].num_results, self.control[idx].height);
            self.copy_to_label(arity, base);
            let at = self.emit(Op::Br { offset: 0 });
            self.control[idx].patches.push(at);
        }
        let pc = self.pc();
        if let Some(at) = self.control[idx].else_patch.take() {
            self.patch(at, pc);
        }
        let frame = &mut self.control[idx];
        frame.kind = ControlKind::Else;
        let keep = frame.height + frame.num_params;
        let start = frame.height;
        let high = std::mem::take(&mut frame.param_high);
        self.stack.truncate(keep);
        while self.stack.height() < keep {
            let i = (self.stack.height() - start) as usize;
            if high.get(i).copied().unwrap_or(false) {
                self.stack.push_high(Provider::Temp);
            } else {
                self.stack.push(Provider::Temp);
            }
        }
        self.control[idx].param_high = high;
        self.reachable = true;
        self.last_def = None;
    }

    pub(super) fn translate_end(&mut self) {
        let Some(frame) = self.control.pop() else {
            return;
        };
        if frame.kind == ControlKind::Function {
            if self.reachable {
                self.emit_return();
            }
            self.reachable = false;
            return;
        }
        let targeted = !frame.patches.is_empty() || frame.else_patch.is_some();
        if self.reachable && targeted {
            self.copy_to_label(frame.num_results, frame.height);
        }
        let pc = self.pc();
        if let Some(at) = frame.else_patch {
            self.patch(at, pc);
        }
        for &at in &frame.patches {
            self.patch(at, pc);
        }
        if targeted || !self.reachable {
            self.stack.truncate(frame.height);
            self.push_temps(frame.num_results, &frame.result_high);
            self.last_def = None;
        }
        if targeted {
            self.last_def = None;
        }
        self.reachable = self.reachable || targeted;
    }

    pub(super) fn translate_br_if(&mut self, depth: u32) {
        let idx = self.control.len() - 1 - depth as usize;
        let frame = &self.control[idx];
        // The branch values sit below the condition.
        let h = self.stack.height() - 1;
        let simple = frame.kind != ControlKind::Function && {
            let (arity, base) = (frame.branch_arity(), frame.height);
            (0..arity).all(|i| {
                let pos = h - arity + i;
                pos == base + i && self.stack.get(pos) == Provider::Temp
            })
        };
        if simple {
            let at = self.cond_branch(false);
            if self.control[idx].kind == ControlKind::Loop {
                let start = self.control[idx].loop_start;
                self.patch(at, start);
            } else {
                self.control[idx].patches.push(at);
            }
        } else {
            let skip = self.cond_branch(true);
            self.branch(depth);
            let pc = self.pc();
            self.patch(skip, pc);
            self.last_def = None;
        }
    }

    pub(super) fn translate_br_table(&mut self, depths: &[u32]) {
        let len = depths.len() as u32 - 1;
        // An index just computed as `x + constant` for this `br_table`
        // alone: the table adds the constant itself.
        let (p, pos) = self.stack.pop();
        let last = self.code.len().wrapping_sub(1);
        // `load_fusable`: the instruction now last alone computed the
        // index (or the operand of the `+ constant` taken into the table),
        // so a load there may be taken into the table too.
        let (index, bias, load_fusable) = match self.code.get(last) {
            Some(&Op::I32AddImm { a, imm, .. })
                if p == Provider::Temp && self.last_def == Some((last, pos)) =>
            {
                let fed = self.fed_by_previous == Some(last);
                self.code.pop();
                self.last_def = None;
                self.fed_by_previous = None;
                (a, imm, fed)
            }
            _ => {
                let fusable = self.fusable_def(p, pos).is_some();
                (self.slot_of(p, pos), 0, fusable)
            }
        };
        let fused = self
            .code
            .last()
            .filter(|_| load_fusable)
            .and_then(|&load| Self::br_table_load(load, index, len, bias));
        let table = match fused {
            Some(op) => {
                self.absorb_last();
                op
            }
            None => Op::BrTable { index, len, bias },
        };
        let table_at = self.emit(table);
        for _ in depths {
            self.emit(Op::BrTableEntry {
                next_op: 0,
                offset: 0,
            });
        }
        self.has_br_table = true;
        for (i, &depth) in depths.iter().enumerate() {
            let entry = table_at + 1 + i;
            let idx = self.control.len() - 1 - depth as usize;
            let frame = &self.control[idx];
            let direct = frame.kind != ControlKind::Function
                && !self.needs_copies(frame.branch_arity(), frame.height);
            if direct {
                if frame.kind == ControlKind::Loop {
                    self.code[entry] = Op::BrTableEntry {
                        next_op: 0,
                        offset: Self::offset_to(entry, frame.loop_start),
                    };
                } else {
                    self.control[idx].patches.push(entry);
                }
            } else {
                let stub = self.pc();
                self.patch(entry, stub);
                self.branch(depth);
            }
        }
        self.mark_unreachable();
    }

    /// `load`, which wrote `index` for the `br_table` alone, fused into the
    /// table (`len` entries plus the default, `bias` added to the index),
    /// if it is a load that has such a form and the numbers fit.
    fn br_table_load(load: Op, index: Slot, len: u32, bias: i32) -> Option<Op> {
        let len = u16::try_from(len).ok()?;
        let bias = i16::try_from(bias).ok()?;
        match load {
            Op::I32Load8U { dst, addr, offset } if dst == index => Some(Op::BrTableLoad8U {
                len,
                addr,
                offset,
                bias,
            }),
            Op::I32Load { dst, addr, offset } if dst == index => Some(Op::BrTableLoad32 {
                len,
                addr,
                offset,
                bias,
            }),
            Op::I32Load8UAt { dst, a, imm } if dst == index => {
                Some(Op::BrTableLoad8UAt { len, a, imm, bias })
            }
            Op::I32LoadAt { dst, a, imm } if dst == index => {
                Some(Op::BrTableLoad32At { len, a, imm, bias })
            }
            _ => None,
        }
    }

    /// Fills in each `BrTableEntry`'s `next_op` once no instruction will
    /// change any more. The executor dispatches on `next_op` without
    /// looking at the target, so it must be the target's variant number.
    pub(super) fn resolve_br_table_entries(&mut self) {
        for at in 0..self.code.len() {
            if let Op::BrTableEntry { offset, .. } = self.code[at] {
                let target = (at as isize + offset as isize) as usize;
                let next_op = self.code[target].variant_number();
                self.code[at] = Op::BrTableEntry { next_op, offset };
            }
        }
    }
}
