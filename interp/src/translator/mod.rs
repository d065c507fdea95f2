//! One pass over a function body: validate each operator with `wasmparser`
//! and translate it into slot code ([`crate::op`]).
//!
//! The translator keeps a model of the operand stack ([`stack`]) in which an
//! entry may still be "the value of local 3" or "the constant 7". Most
//! `local.get`s and constants therefore cost nothing at run time: they
//! become operands of the instruction that consumes them. An instruction
//! whose result goes straight into a `local.set` is retargeted to write the
//! local directly.
//!
//! ```text
//! local.get 0        ;; stack: [L0]
//! i32.const 1        ;; stack: [L0, 1]
//! i32.add            ;; emits  I32AddImm { dst: T0, a: L0, imm: 1 }
//! local.set 1        ;; retargets it: I32AddImm { dst: L1, a: L0, imm: 1 }
//! ```

mod control;
mod stack;

use crate::op::{BranchOffset, Op, Slot};
use crate::slots::{SlotSignature, high_halves, slots_of, slots_of_all};
use crate::{InterpFunc, for_each_branch_op, for_each_numeric_op};
use control::{Control, ControlKind};
use stack::{FrameLayout, OperandStack, Provider};
use strata_environ::{ModuleInfo, TrapCode, ValType, WasmError};
use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources};

/// A block type as the translator sees it: parameter and result slots,
/// and which of them are high halves of `v128`s.
type BlockShape = (u32, u32, Box<[bool]>, Box<[bool]>);

/// Largest frame, in slots, that the translator accepts.
const MAX_FRAME_SLOTS: u32 = 1 << 20;

/// Translates function bodies; reuse one for many functions to keep its
/// allocations.
#[derive(Default)]
pub struct FuncTranslator {
    code: Vec<Op>,
    stack: OperandStack,
    control: Vec<Control>,
    layout: Option<FrameLayout>,
    reachable: bool,
    /// The last instruction if it wrote a fresh temporary at this position.
    last_def: Option<(usize, u32)>,
    /// Result count of the function being translated.
    num_results: u32,
    /// Emit epoch checks at function entry and loop headers.
    epoch_checks: bool,
    /// Meter fuel, or not.
    fuel: Option<strata_environ::fuel::FuelMeter>,
    /// Count calls and loop iterations for tiering up.
    tiering: bool,
    /// Byte offset of the operator being translated.
    op_offset: u32,
    /// Per local: its first slot, and whether it is a `v128` (two slots).
    locals: Vec<(Slot, bool)>,
}

impl FuncTranslator {
    /// Creates a translator.
    pub fn new() -> FuncTranslator {
        FuncTranslator::default()
    }

    /// Whether translated code consumes fuel (see `strata_environ::fuel`).
    pub fn with_fuel(mut self, enable: bool) -> FuncTranslator {
        self.fuel = enable.then(Default::default);
        self
    }

    /// Whether translated code counts its calls and loop iterations for
    /// tiering up ([`Op::Heat`] at function entry and loop headers).
    pub fn with_tiering(mut self, enable: bool) -> FuncTranslator {
        self.tiering = enable;
        self
    }

    /// Whether translated code checks the epoch deadline at function entry
    /// and loop headers.
    pub fn with_epoch_checks(mut self, enable: bool) -> FuncTranslator {
        self.epoch_checks = enable;
        self
    }

    /// Validates and translates the body of function `func_index`.
    ///
    /// # Errors
    ///
    /// Returns the validator's error for an invalid body, or an error when
    /// the function exceeds the interpreter's frame size limit.
    pub fn translate(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        validator: FuncValidator<ValidatorResources>,
        body: &FunctionBody<'_>,
    ) -> Result<InterpFunc, WasmError> {
        self.translate_body(module, func_index, Some(validator), body)
    }

    /// Translates the body of a function that was already validated.
    ///
    /// # Errors
    ///
    /// Only when the function exceeds the interpreter's frame size limit
    /// (or the body is not the validated one).
    pub fn translate_validated(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        body: &FunctionBody<'_>,
    ) -> Result<InterpFunc, WasmError> {
        self.translate_body(module, func_index, None, body)
    }

    fn translate_body(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        mut validator: Option<FuncValidator<ValidatorResources>>,
        body: &FunctionBody<'_>,
    ) -> Result<InterpFunc, WasmError> {
        let ty = module.func_type(func_index);
        let num_params = slots_of_all(ty.params());
        let num_results = slots_of_all(ty.results());
        self.locals.clear();
        let mut num_locals = 0;
        for t in ty.params() {
            self.locals.push((num_locals, *t == ValType::V128));
            num_locals += slots_of(*t);
        }
        let mut locals = body.get_locals_reader()?;
        for _ in 0..locals.get_count() {
            let offset = locals.original_position();
            let (count, ty) = locals.read()?;
            if let Some(v) = validator.as_mut() {
                v.define_locals(offset, count, ty)?;
            }
            let wide = ty == wasmparser::ValType::V128;
            let width = if wide { 2 } else { 1 };
            let end = count
                .checked_mul(width)
                .and_then(|n| num_locals.checked_add(n))
                .filter(|n| *n < MAX_FRAME_SLOTS)
                .ok_or_else(|| WasmError::new("too many locals", offset))?;
            self.locals
                .extend((num_locals..end).step_by(width as usize).map(|s| (s, wide)));
            num_locals = end;
        }
        self.code.clear();
        self.stack.clear();
        self.control.clear();
        self.layout = Some(FrameLayout { num_locals });
        self.reachable = true;
        self.last_def = None;
        self.num_results = num_results;
        self.control.push(Control {
            kind: ControlKind::Function,
            height: 0,
            num_params: 0,
            num_results,
            param_high: Box::new([]),
            result_high: high_halves(ty.results()),
            dead: false,
            patches: Vec::new(),
            else_patch: None,
            loop_start: 0,
        });
        if self.tiering {
            self.emit(Op::Heat { offset: 0 });
        }
        if self.epoch_checks {
            self.emit(Op::EpochCheck);
        }
        if let Some(meter) = self.fuel.as_mut() {
            meter.reset();
            self.emit(Op::FuelCheck);
        }
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let offset = reader.original_position();
            let op = reader.read()?;
            if let Some(v) = validator.as_mut() {
                v.op(offset, &op)?;
            }
            self.op_offset = u32::try_from(offset).unwrap_or(u32::MAX);
            self.translate_op(module, &op)
                .map_err(|m| WasmError::new(m, offset))?;
        }
        reader.finish()?;
        drop(validator);
        let frame_size = num_locals + self.stack.max_height();
        if frame_size >= MAX_FRAME_SLOTS {
            return Err(WasmError::new(
                "function frame too large for the interpreter",
                body.range().start,
            ));
        }
        Ok(InterpFunc {
            code: self.code.as_slice().into(),
            func_index,
            num_params,
            num_results,
            num_locals,
            frame_size,
            signature: SlotSignature::of(module.func_type(func_index)),
        })
    }

    fn temp(&self, pos: u32) -> Slot {
        self.layout.map_or(0, |l| l.temp(pos))
    }

    fn pc(&self) -> usize {
        self.code.len()
    }

    fn emit(&mut self, op: Op) -> usize {
        self.last_def = None;
        self.code.push(op);
        self.code.len() - 1
    }

    /// Emits `make(dst)` writing a new temporary on top of the stack.
    fn push_def(&mut self, make: impl FnOnce(Slot) -> Op) {
        let pos = self.stack.height();
        let dst = self.temp(pos);
        self.stack.push(Provider::Temp);
        let idx = self.emit(make(dst));
        self.last_def = Some((idx, pos));
    }

    /// The slot holding the value of `p` at `pos`, emitting a constant into
    /// the position's own temporary if needed. Does not change the model.
    fn slot_of(&mut self, p: Provider, pos: u32) -> Slot {
        match p {
            Provider::Temp => self.temp(pos),
            Provider::Local(l) => l,
            Provider::Const(value) => {
                let dst = self.temp(pos);
                self.emit(Op::Const { dst, value });
                dst
            }
        }
    }

    fn pop_slot(&mut self) -> Slot {
        let (p, pos) = self.stack.pop();
        self.slot_of(p, pos)
    }

    /// Emits what puts the value of `p`, the entry at `pos`, into `dst`:
    /// nothing when it is already there (its own temporary).
    fn emit_value_to(&mut self, dst: Slot, p: Provider, pos: u32) {
        match p {
            Provider::Temp => {
                let src = self.temp(pos);
                if src != dst {
                    self.emit(Op::Copy { dst, src });
                }
            }
            Provider::Local(src) => {
                self.emit(Op::Copy { dst, src });
            }
            Provider::Const(value) => {
                self.emit(Op::Const { dst, value });
            }
        }
    }

    /// Pops a `v128` (two entries) and returns the first of two adjacent
    /// slots holding it, emitting copies into the position's own
    /// temporaries if its halves are not adjacent already. Does not change
    /// the model beyond the pop.
    fn pop_v128(&mut self) -> Slot {
        let (high, _) = self.stack.pop();
        let (low, pos) = self.stack.pop();
        match (low, high) {
            (Provider::Temp, Provider::Temp) => self.temp(pos),
            (Provider::Local(l), Provider::Local(h)) if h == l + 1 => l,
            _ => {
                for (i, p) in [(0, low), (1, high)] {
                    self.emit_value_to(self.temp(pos + i), p, pos + i);
                }
                self.temp(pos)
            }
        }
    }

    /// Emits `make(dst)` writing a new `v128` temporary on top of the
    /// stack.
    fn push_def_v128(&mut self, make: impl FnOnce(Slot) -> Op) {
        let pos = self.stack.height();
        let dst = self.temp(pos);
        self.stack.push(Provider::Temp);
        self.stack.push_high(Provider::Temp);
        let idx = self.emit(make(dst));
        self.last_def = Some((idx, pos));
    }

    /// As [`Self::push_def_v128`], with an `Operand` after the instruction.
    fn push_def_v128_with(&mut self, make: impl FnOnce(Slot) -> Op, operand: Slot) {
        self.push_def_v128(make);
        let last_def = self.last_def;
        self.emit(Op::Operand { slot: operand });
        self.last_def = last_def;
    }

    /// Pushes `n` fresh temporaries shaped as `high` says (see
    /// [`Control::result_high`]).
    fn push_temps(&mut self, n: u32, high: &[bool]) {
        for i in 0..n as usize {
            if high.get(i).copied().unwrap_or(false) {
                self.stack.push_high(Provider::Temp);
            } else {
                self.stack.push(Provider::Temp);
            }
        }
    }

    /// Moves the value at `pos` into its own temporary.
    fn materialize(&mut self, pos: u32) {
        let dst = self.temp(pos);
        match self.stack.get(pos) {
            Provider::Temp => return,
            Provider::Local(src) => self.emit(Op::Copy { dst, src }),
            Provider::Const(value) => self.emit(Op::Const { dst, value }),
        };
        self.stack.set(pos, Provider::Temp);
    }

    /// Materializes the top `n` entries; returns the slot of the first.
    fn materialize_top(&mut self, n: u32) -> Slot {
        let h = self.stack.height();
        for pos in h - n..h {
            self.materialize(pos);
        }
        self.temp(h - n)
    }

    /// Pops `n` operands into consecutive temporaries; returns the first.
    fn pop_contiguous(&mut self, n: u32) -> Slot {
        let base = self.materialize_top(n);
        self.stack.truncate(self.stack.height() - n);
        base
    }

    /// Before a local changes, entries still reading it get their own copy.
    fn preserve_local(&mut self, local: u32) -> bool {
        let positions = self.stack.positions_of_local(local);
        for &pos in &positions {
            self.materialize(pos);
        }
        !positions.is_empty()
    }

    /// At block boundaries no entry may refer to a local: a `local.set` on
    /// one path must not change what another path sees.
    fn flush_locals(&mut self) {
        for pos in self.stack.positions_of_locals() {
            self.materialize(pos);
        }
    }

    /// The instruction that just wrote the temporary at `pos`, if nothing
    /// was emitted after it (but its trailing `Operand`).
    fn last_def_at(&self, pos: u32) -> Option<usize> {
        let (at, def_pos) = self.last_def?;
        let len = self.code.len();
        let is_last =
            at + 1 == len || (at + 2 == len && matches!(self.code[len - 1], Op::Operand { .. }));
        (def_pos == pos && is_last).then_some(at)
    }

    fn set_local(&mut self, local: u32, tee: bool) {
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
    fn set_local_v128(&mut self, local: Slot, tee: bool) {
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
            for (i, p) in [(0, low), (1, high)] {
                self.emit_value_to(local + i, p, pos + i);
            }
        }
        if tee {
            push_local(self);
        }
    }

    /// Whether branching with the top `arity` values to a label whose values
    /// live from `label_base` on needs copies.
    fn needs_copies(&self, arity: u32, label_base: u32) -> bool {
        let h = self.stack.height();
        (0..arity).any(|i| {
            let pos = h - arity + i;
            pos != label_base + i || self.stack.get(pos) != Provider::Temp
        })
    }

    /// Copies the top `arity` values to the label's slots without changing
    /// the model (the code runs only on the branch's path).
    fn copy_to_label(&mut self, arity: u32, label_base: u32) {
        let h = self.stack.height();
        for i in 0..arity {
            let pos = h - arity + i;
            let dst = self.temp(label_base + i);
            self.emit_value_to(dst, self.stack.get(pos), pos);
        }
    }

    /// Emits a return of the top values without changing the model.
    fn emit_return(&mut self) {
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
                for pos in h - n..h {
                    self.emit_value_to(self.temp(pos), self.stack.get(pos), pos);
                }
                let src = self.temp(h - n);
                self.emit(Op::ReturnMany { src, count: n });
            }
        }
    }

    fn offset_to(from: usize, to: usize) -> BranchOffset {
        (to as i64 - from as i64) as BranchOffset
    }

    fn patch(&mut self, at: usize, to: usize) {
        let off = Self::offset_to(at, to);
        if let Some(offset) = self.code[at].branch_offset_mut() {
            *offset = off;
        }
    }

    /// Pops a condition and emits a branch taken when it is non-zero (or,
    /// with `negate`, zero), with offset 0 for the caller to set. A
    /// comparison computed by the instruction just before is fused into a
    /// compare-and-branch.
    fn cond_branch(&mut self, negate: bool) -> usize {
        let (p, pos) = self.stack.pop();
        let last = self.code.len().wrapping_sub(1);
        if p == Provider::Temp
            && self.last_def == Some((last, pos))
            && let Some(fused) = self.code[last].fuse_branch(negate)
        {
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
    fn branch(&mut self, depth: u32) {
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
    fn jump_to_label(&mut self, idx: usize) {
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
    fn block_arity(module: &ModuleInfo, ty: BlockType) -> BlockShape {
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

    fn push_control(&mut self, kind: ControlKind, shape: BlockShape, dead: bool) {
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

    fn mark_unreachable(&mut self) {
        self.reachable = false;
        let h = self.control.last().map_or(0, |c| c.height);
        self.stack.truncate(h);
    }

    fn translate_op(&mut self, module: &ModuleInfo, op: &Operator<'_>) -> Result<(), String> {
        if !self.reachable {
            return self.translate_unreachable(module, op);
        }
        if let Some(amount) = self.fuel.as_mut().and_then(|m| m.before(op)) {
            // The charge writes no slot; like any instruction it ends a
            // fusion with what precedes it (a compare no longer fuses into
            // the `br_if` after it), which is part of fuel's cost.
            self.emit(Op::ConsumeFuel { amount });
        }
        // An access to a memory other than 0 runs with that memory
        // selected, and memory 0 selected again right after it.
        if let Some(mem) = Self::memory_index(op).filter(|m| *m != 0) {
            self.emit(Op::SelectMemory { mem });
            let r = self.translate_reachable(module, op);
            self.emit(Op::SelectMemory { mem: 0 });
            return r;
        }
        self.translate_reachable(module, op)
    }

    /// The memory a memory instruction accesses (the destination of a
    /// `memory.copy`).
    fn memory_index(op: &Operator<'_>) -> Option<u32> {
        use Operator as O;
        match *op {
            O::I32Load { memarg }
            | O::I64Load { memarg }
            | O::F32Load { memarg }
            | O::F64Load { memarg }
            | O::I32Load8S { memarg }
            | O::I32Load8U { memarg }
            | O::I32Load16S { memarg }
            | O::I32Load16U { memarg }
            | O::I64Load8S { memarg }
            | O::I64Load8U { memarg }
            | O::I64Load16S { memarg }
            | O::I64Load16U { memarg }
            | O::I64Load32S { memarg }
            | O::I64Load32U { memarg }
            | O::I32Store { memarg }
            | O::I64Store { memarg }
            | O::F32Store { memarg }
            | O::F64Store { memarg }
            | O::I32Store8 { memarg }
            | O::I32Store16 { memarg }
            | O::I64Store8 { memarg }
            | O::I64Store16 { memarg }
            | O::I64Store32 { memarg }
            | O::V128Load { memarg }
            | O::V128Load8x8S { memarg }
            | O::V128Load8x8U { memarg }
            | O::V128Load16x4S { memarg }
            | O::V128Load16x4U { memarg }
            | O::V128Load32x2S { memarg }
            | O::V128Load32x2U { memarg }
            | O::V128Load8Splat { memarg }
            | O::V128Load16Splat { memarg }
            | O::V128Load32Splat { memarg }
            | O::V128Load64Splat { memarg }
            | O::V128Load32Zero { memarg }
            | O::V128Load64Zero { memarg }
            | O::V128Store { memarg }
            | O::V128Load8Lane { memarg, .. }
            | O::V128Load16Lane { memarg, .. }
            | O::V128Load32Lane { memarg, .. }
            | O::V128Load64Lane { memarg, .. }
            | O::V128Store8Lane { memarg, .. }
            | O::V128Store16Lane { memarg, .. }
            | O::V128Store32Lane { memarg, .. }
            | O::V128Store64Lane { memarg, .. } => match memarg.target {
                wasmparser::MemArgTarget::Memory(m) => Some(m),
                _ => None,
            },
            O::MemorySize { mem }
            | O::MemoryGrow { mem }
            | O::MemoryFill { mem }
            | O::MemoryInit { mem, .. } => Some(mem),
            O::MemoryCopy { dst_mem, .. } => Some(dst_mem),
            _ => None,
        }
    }

    fn translate_reachable(
        &mut self,
        module: &ModuleInfo,
        op: &Operator<'_>,
    ) -> Result<(), String> {
        match op {
            Operator::I32Sub => {
                self.sub_imm(false, |dst, a, b| Op::I32Sub { dst, a, b });
                return Ok(());
            }
            Operator::I64Sub => {
                self.sub_imm(true, |dst, a, b| Op::I64Sub { dst, a, b });
                return Ok(());
            }
            _ => {}
        }
        if self.translate_numeric(op) {
            return Ok(());
        }
        match *op {
            Operator::Nop => {}
            Operator::Unreachable => {
                self.emit(Op::Trap {
                    code: TrapCode::Unreachable,
                });
                self.mark_unreachable();
            }
            Operator::Block { blockty } => {
                let shape = Self::block_arity(module, blockty);
                self.flush_locals();
                self.push_control(ControlKind::Block, shape, false);
            }
            Operator::Loop { blockty } => {
                let shape = Self::block_arity(module, blockty);
                let p = shape.0;
                self.flush_locals();
                self.materialize_top(p);
                self.last_def = None;
                let empty = p == 0 && self.stack.height() == 0;
                self.push_control(ControlKind::Loop, shape, false);
                if self.tiering {
                    // First, so that on-stack replacement enters compiled
                    // code before this header's other checks, which the
                    // compiled header repeats.
                    let offset = if empty { self.op_offset } else { u32::MAX };
                    self.emit(Op::Heat { offset });
                }
                if self.epoch_checks {
                    // The loop's first instruction: every back-edge runs it.
                    self.emit(Op::EpochCheck);
                }
                if self.fuel.is_some() {
                    self.emit(Op::FuelCheck);
                }
            }
            Operator::If { blockty } => {
                let shape = Self::block_arity(module, blockty);
                let p = shape.0;
                // Below the condition: no entry may refer to a local, and
                // the parameters must be in place. Both emit code only when
                // needed, which keeps the condition's comparison fusable.
                let h = self.stack.height();
                for pos in self.stack.positions_of_locals() {
                    if pos < h - 1 {
                        self.materialize(pos);
                    }
                }
                for pos in h - 1 - p..h - 1 {
                    self.materialize(pos);
                }
                let base = self.temp(h - 1 - p);
                let at = self.cond_branch(true);
                if p > 0 {
                    // Both arms start from the parameters: the `then` arm
                    // works on copies above them, so the originals are
                    // still in place for the `else` arm.
                    let h = self.stack.height();
                    for i in 0..p {
                        let dst = self.temp(h + i);
                        self.emit(Op::Copy { dst, src: base + i });
                        if self.stack.is_high(h - p + i) {
                            self.stack.push_high(Provider::Temp);
                        } else {
                            self.stack.push(Provider::Temp);
                        }
                    }
                }
                let height = self.stack.height() - 2 * p;
                self.push_control(ControlKind::If, shape, false);
                let frame = self.control.last_mut().expect("just pushed");
                frame.height = height;
                frame.else_patch = Some(at);
            }
            Operator::Else => self.translate_else(),
            Operator::End => self.translate_end(),
            Operator::Br { relative_depth } => {
                self.branch(relative_depth);
                self.mark_unreachable();
            }
            Operator::BrIf { relative_depth } => self.translate_br_if(relative_depth),
            Operator::BrTable { ref targets } => {
                let mut depths = Vec::with_capacity(targets.len() as usize + 1);
                for t in targets.targets() {
                    depths.push(t.map_err(|e| e.to_string())?);
                }
                depths.push(targets.default());
                self.translate_br_table(&depths);
            }
            Operator::Return => {
                self.emit_return();
                self.mark_unreachable();
            }
            Operator::Call { function_index } => {
                let ty = module.func_type(function_index);
                let (np, nr) = (slots_of_all(ty.params()), slots_of_all(ty.results()));
                let base = self.pop_contiguous(np);
                let op = if function_index < module.num_imported_functions {
                    Op::CallRef {
                        func: function_index,
                        base,
                    }
                } else {
                    Op::Call {
                        func: function_index - module.num_imported_functions,
                        base,
                    }
                };
                self.emit(op);
                self.push_temps(nr, &high_halves(ty.results()));
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                let ty = &module.types[type_index as usize];
                let (np, nr) = (slots_of_all(ty.params()), slots_of_all(ty.results()));
                let base = self.pop_contiguous(np + 1);
                self.emit(Op::CallIndirect {
                    base,
                    table: table_index,
                    ty: type_index,
                });
                self.push_temps(nr, &high_halves(ty.results()));
            }
            Operator::Drop => {
                let h = self.stack.height();
                if h > 0 && self.stack.is_high(h - 1) {
                    self.stack.pop();
                }
                self.stack.pop();
            }
            Operator::Select | Operator::TypedSelect { .. }
                if self.stack.height() >= 2 && self.stack.is_high(self.stack.height() - 2) =>
            {
                let cond = self.pop_slot();
                let b = self.pop_v128();
                let a = self.pop_v128();
                self.push_def_v128_with(|dst| Op::SelectV128 { dst, cond, a }, b);
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let cond = self.pop_slot();
                let b = self.pop_slot();
                let a = self.pop_slot();
                let pos = self.stack.height();
                let dst = self.temp(pos);
                self.stack.push(Provider::Temp);
                let at = self.emit(Op::Select { dst, cond, a });
                self.emit(Op::Operand { slot: b });
                // A select feeding `local.set` may write the local directly:
                // it reads all its operands before writing.
                self.last_def = Some((at, pos));
            }
            Operator::LocalGet { local_index } => {
                let (slot, wide) = self.local(local_index)?;
                self.stack.push(Provider::Local(slot));
                if wide {
                    self.stack.push_high(Provider::Local(slot + 1));
                }
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let tee = matches!(op, Operator::LocalTee { .. });
                match self.local(local_index)? {
                    (slot, true) => self.set_local_v128(slot, tee),
                    (slot, false) => self.set_local(slot, tee),
                }
            }
            Operator::GlobalGet { global_index } if Self::is_v128_global(module, global_index) => {
                self.push_def_v128(|dst| Op::GlobalGetV128 {
                    dst,
                    global: global_index,
                });
            }
            Operator::GlobalSet { global_index } if Self::is_v128_global(module, global_index) => {
                let src = self.pop_v128();
                self.emit(Op::GlobalSetV128 {
                    global: global_index,
                    src,
                });
            }
            Operator::GlobalGet { global_index } => {
                self.push_def(|dst| Op::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            Operator::GlobalSet { global_index } => {
                let src = self.pop_slot();
                self.emit(Op::GlobalSet {
                    global: global_index,
                    src,
                });
            }
            Operator::I32Const { value } => self.stack.push(Provider::Const(value as u32 as u64)),
            Operator::I64Const { value } => self.stack.push(Provider::Const(value as u64)),
            Operator::F32Const { value } => self.stack.push(Provider::Const(value.bits() as u64)),
            Operator::F64Const { value } => self.stack.push(Provider::Const(value.bits())),
            Operator::I32ReinterpretF32
            | Operator::F32ReinterpretI32
            | Operator::I64ReinterpretF64
            | Operator::F64ReinterpretI64 => {
                // Slots are untyped: the bits stay where they are.
            }
            Operator::I32Load { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I32Load { dst, addr, offset }
            }),
            Operator::I64Load { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load { dst, addr, offset }
            }),
            Operator::F32Load { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::F32Load { dst, addr, offset }
            }),
            Operator::F64Load { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::F64Load { dst, addr, offset }
            }),
            Operator::I32Load8S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I32Load8S { dst, addr, offset }
            }),
            Operator::I32Load8U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I32Load8U { dst, addr, offset }
            }),
            Operator::I32Load16S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I32Load16S { dst, addr, offset }
            }),
            Operator::I32Load16U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I32Load16U { dst, addr, offset }
            }),
            Operator::I64Load8S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load8S { dst, addr, offset }
            }),
            Operator::I64Load8U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load8U { dst, addr, offset }
            }),
            Operator::I64Load16S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load16S { dst, addr, offset }
            }),
            Operator::I64Load16U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load16U { dst, addr, offset }
            }),
            Operator::I64Load32S { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load32S { dst, addr, offset }
            }),
            Operator::I64Load32U { memarg } => self.load(memarg.offset, |dst, addr, offset| {
                Op::I64Load32U { dst, addr, offset }
            }),
            Operator::I32Store { memarg } | Operator::F32Store { memarg } => {
                self.store(memarg.offset, |addr, value, offset| Op::Store32 {
                    addr,
                    value,
                    offset,
                })
            }
            Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
                self.store(memarg.offset, |addr, value, offset| Op::Store64 {
                    addr,
                    value,
                    offset,
                })
            }
            Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => {
                self.store(memarg.offset, |addr, value, offset| Op::Store8 {
                    addr,
                    value,
                    offset,
                })
            }
            Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => {
                self.store(memarg.offset, |addr, value, offset| Op::Store16 {
                    addr,
                    value,
                    offset,
                })
            }
            Operator::I64Store32 { memarg } => {
                self.store(memarg.offset, |addr, value, offset| Op::Store32Wrap {
                    addr,
                    value,
                    offset,
                })
            }
            Operator::MemorySize { .. } => self.push_def(|dst| Op::MemorySize { dst }),
            Operator::MemoryGrow { .. } => {
                let delta = self.pop_slot();
                self.push_def(|dst| Op::MemoryGrow { dst, delta });
            }
            Operator::MemoryFill { .. } => {
                let base = self.pop_contiguous(3);
                self.emit(Op::MemoryFill { base });
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let base = self.pop_contiguous(3);
                if dst_mem == src_mem {
                    self.emit(Op::MemoryCopy { base });
                } else {
                    self.emit(Op::MemoryCopyFrom { base, src_mem });
                }
            }
            Operator::MemoryInit { data_index, .. } => {
                let base = self.pop_contiguous(3);
                self.emit(Op::MemoryInit {
                    base,
                    data: data_index,
                });
            }
            Operator::DataDrop { data_index } => {
                self.emit(Op::DataDrop { data: data_index });
            }
            Operator::RefNull { .. } => self.stack.push(Provider::Const(0)),
            Operator::RefIsNull => {
                let a = self.pop_slot();
                self.push_def(|dst| Op::RefIsNull { dst, a });
            }
            Operator::RefFunc { function_index } => {
                self.push_def(|dst| Op::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            Operator::TableGet { table } => {
                let index = self.pop_slot();
                self.push_def(|dst| Op::TableGet { dst, index, table });
            }
            Operator::TableSet { table } => {
                let value = self.pop_slot();
                let index = self.pop_slot();
                self.emit(Op::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Operator::TableSize { table } => self.push_def(|dst| Op::TableSize { dst, table }),
            Operator::TableGrow { table } => {
                let base = self.pop_contiguous(2);
                self.emit(Op::TableGrow { base, table });
                self.stack.push(Provider::Temp);
            }
            Operator::TableFill { table } => {
                let base = self.pop_contiguous(3);
                self.emit(Op::TableFill { base, table });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.pop_contiguous(3);
                self.emit(Op::TableCopy {
                    base,
                    dst_table,
                    src_table,
                });
            }
            Operator::TableInit { elem_index, table } => {
                let base = self.pop_contiguous(3);
                self.emit(Op::TableInit {
                    base,
                    table,
                    elem: elem_index,
                });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop { elem: elem_index });
            }
            ref other => {
                if !self.translate_simd(other) {
                    return Err(format!("unsupported operator {other:?}"));
                }
            }
        }
        Ok(())
    }

    /// Keeps the block structure in code that can never run.
    fn translate_unreachable(
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

    fn translate_else(&mut self) {
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

    fn translate_end(&mut self) {
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

    fn translate_br_if(&mut self, depth: u32) {
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

    fn translate_br_table(&mut self, depths: &[u32]) {
        let index = self.pop_slot();
        let len = depths.len() as u32 - 1;
        let table_at = self.emit(Op::BrTable { index, len });
        for _ in depths {
            self.emit(Op::Br { offset: 0 });
        }
        for (i, &depth) in depths.iter().enumerate() {
            let entry = table_at + 1 + i;
            let idx = self.control.len() - 1 - depth as usize;
            let frame = &self.control[idx];
            let direct = frame.kind != ControlKind::Function
                && !self.needs_copies(frame.branch_arity(), frame.height);
            if direct {
                if frame.kind == ControlKind::Loop {
                    self.code[entry] = Op::Br {
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

    fn load(&mut self, offset: u64, make: impl Fn(Slot, Slot, u32) -> Op) {
        // Offsets of 32-bit memories fit in 32 bits (checked by validation).
        let offset = offset as u32;
        let (p, pos) = self.stack.pop();
        if let Some(ea) = Self::constant_address(p, offset)
            && let Some(op) = Op::at_constant_address(make(self.temp(pos), 0, 0), ea)
        {
            self.stack.push(Provider::Temp);
            let at = self.emit(op);
            self.last_def = Some((at, pos));
            return;
        }
        let last = self.code.len().wrapping_sub(1);
        if p == Provider::Temp && self.last_def == Some((last, pos)) {
            // The address was just computed by an add used only here.
            let dst = self.temp(pos);
            if let Some(fused) = Op::fuse_address(make(dst, dst, offset), self.code[last]) {
                self.code[last] = fused;
                self.stack.push(Provider::Temp);
                self.last_def = Some((last, pos));
                return;
            }
        }
        let addr = self.slot_of(p, pos);
        self.push_def(|dst| make(dst, addr, offset));
    }

    fn store(&mut self, offset: u64, make: impl Fn(Slot, Slot, u32) -> Op) {
        let offset = offset as u32;
        let value = self.pop_slot();
        let (p, pos) = self.stack.pop();
        if let Some(ea) = Self::constant_address(p, offset)
            && let Some(op) = Op::at_constant_address(make(0, value, 0), ea)
        {
            self.emit(op);
            return;
        }
        let addr = self.slot_of(p, pos);
        self.emit(make(addr, value, offset));
    }

    /// The effective address of an access whose address operand is a
    /// constant, when it fits 32 bits (beyond that it is out of bounds and
    /// keeps the general form).
    fn constant_address(p: Provider, offset: u32) -> Option<u32> {
        match p {
            Provider::Const(c) => u32::try_from((c as u32) as u64 + u64::from(offset)).ok(),
            _ => None,
        }
    }

    /// An immediate that fits the instruction's immediate field.
    fn imm_of(value: u64, is64: bool) -> Option<i32> {
        if !is64 {
            Some(value as u32 as i32)
        } else {
            let v = value as i64;
            i32::try_from(v).ok()
        }
    }

    fn binary(&mut self, is64: bool, commutative: bool, make: impl Fn(Slot, Slot, Slot) -> Op) {
        let (pb, posb) = self.stack.pop();
        let (pa, posa) = self.stack.pop();
        let has_imm_form = make(0, 0, 0).with_imm(0).is_some();
        if has_imm_form {
            // `x op c`, or `c op x` when the operation is commutative.
            let imm_operand = match (pa, pb) {
                (_, Provider::Const(c)) => Self::imm_of(c, is64).map(|imm| (imm, pa, posa)),
                (Provider::Const(c), _) if commutative => {
                    Self::imm_of(c, is64).map(|imm| (imm, pb, posb))
                }
                _ => None,
            };
            if let Some((imm, p, pos)) = imm_operand {
                let a = self.slot_of(p, pos);
                let op = make(0, a, 0).with_imm(imm);
                self.push_def(|dst| match op {
                    Some(mut op) => {
                        if let Some(d) = op.dst_mut() {
                            *d = dst;
                        }
                        op
                    }
                    None => Op::Trap {
                        code: TrapCode::Unreachable,
                    },
                });
                return;
            }
        }
        // `x + (y << k)`: array indexing, fused when the shift was the last
        // instruction and its result is used only here.
        let last = self.code.len().wrapping_sub(1);
        if matches!(make(0, 0, 0), Op::I32Add { .. })
            && pb == Provider::Temp
            && self.last_def == Some((last, posb))
            && let Op::I32ShlImm {
                a: shifted, imm, ..
            } = self.code[last]
            && (0..32).contains(&imm)
        {
            self.code.pop();
            self.last_def = None;
            let a = self.slot_of(pa, posa);
            let shift = imm as u8;
            self.push_def(|dst| Op::I32AddShl {
                dst,
                a,
                b: shifted,
                shift,
            });
            return;
        }
        let b = self.slot_of(pb, posb);
        let a = self.slot_of(pa, posa);
        self.push_def(|dst| make(dst, a, b));
    }

    fn sub_imm(&mut self, is64: bool, make: impl Fn(Slot, Slot, Slot) -> Op) {
        let h = self.stack.height();
        if let Provider::Const(c) = self.stack.get(h - 1) {
            let neg = if is64 {
                (c as i64).wrapping_neg() as u64
            } else {
                (c as u32).wrapping_neg() as u64
            };
            if let Some(imm) = Self::imm_of(neg, is64) {
                self.stack.pop();
                let a = self.pop_slot();
                let add = if is64 {
                    Op::I64AddImm { dst: 0, a, imm }
                } else {
                    Op::I32AddImm { dst: 0, a, imm }
                };
                self.push_def(|dst| match add {
                    Op::I64AddImm { a, imm, .. } => Op::I64AddImm { dst, a, imm },
                    Op::I32AddImm { a, imm, .. } => Op::I32AddImm { dst, a, imm },
                    other => other,
                });
                return;
            }
        }
        self.binary(is64, false, make);
    }

    fn unary(&mut self, make: impl FnOnce(Slot, Slot) -> Op) {
        let a = self.pop_slot();
        self.push_def(|dst| make(dst, a));
    }

    /// The first slot of local `index`, and whether it is a `v128`.
    fn local(&self, index: u32) -> Result<(Slot, bool), String> {
        self.locals
            .get(index as usize)
            .copied()
            .ok_or_else(|| format!("unknown local {index}"))
    }

    fn is_v128_global(module: &ModuleInfo, index: u32) -> bool {
        module
            .globals
            .get(index as usize)
            .is_some_and(|g| g.content == ValType::V128)
    }

    /// A `v128` load: the address is popped, the vector pushed.
    fn load_v128(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        // Offsets of 32-bit memories fit in 32 bits (checked by validation).
        let addr = self.pop_slot();
        self.push_def_v128(|dst| make(dst, addr, offset as u32));
    }

    /// A lane load: the vector and then the address are popped.
    fn load_lane(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        let vec = self.pop_v128();
        let addr = self.pop_slot();
        self.push_def_v128_with(|dst| make(dst, addr, offset as u32), vec);
    }

    /// A `v128` store (whole or one lane).
    fn store_v128(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        let value = self.pop_v128();
        let addr = self.pop_slot();
        self.emit(make(addr, value, offset as u32));
    }

    /// SIMD operators that touch memory, constants or lane masks; `false`
    /// for anything else.
    fn translate_simd_special(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match *op {
            O::V128Const { value } => {
                let v = value.i128() as u128;
                self.stack.push(Provider::Const(v as u64));
                self.stack.push_high(Provider::Const((v >> 64) as u64));
            }
            O::I8x16Shuffle { lanes } => {
                // The mask goes through a slot pair like any constant.
                let mask = u128::from_le_bytes(lanes);
                self.stack.push(Provider::Const(mask as u64));
                self.stack.push_high(Provider::Const((mask >> 64) as u64));
                let mask = self.pop_v128();
                let b = self.pop_v128();
                let a = self.pop_v128();
                self.push_def_v128_with(|dst| Op::I8x16Shuffle { dst, a, b }, mask);
            }
            O::V128Load { memarg } => self.load_v128(memarg.offset, |dst, addr, offset| {
                Op::V128Load { dst, addr, offset }
            }),
            O::V128Store { memarg } => {
                self.store_v128(memarg.offset, |addr, value, offset| Op::V128Store {
                    addr,
                    value,
                    offset,
                })
            }
            _ => return self.translate_simd_access(op),
        }
        true
    }
}

/// The `v128` loads and stores whose operator and instruction share a
/// name: `(loads) (lane loads) (lane stores)`.
macro_rules! define_translate_simd_access {
    (($($load:ident)*) ($($lane_load:ident)*) ($($lane_store:ident)*)) => {
        impl FuncTranslator {
            /// Translates a `v128` load or store; `false` if `op` is not one.
            fn translate_simd_access(&mut self, op: &Operator<'_>) -> bool {
                match *op {
                    $( Operator::$load { memarg } => {
                        self.load_v128(memarg.offset, |dst, addr, offset| Op::$load { dst, addr, offset })
                    } )*
                    $( Operator::$lane_load { memarg, lane } => {
                        self.load_lane(memarg.offset, |dst, addr, offset| Op::$lane_load { dst, addr, offset, lane })
                    } )*
                    $( Operator::$lane_store { memarg, lane } => {
                        self.store_v128(memarg.offset, |addr, value, offset| Op::$lane_store { addr, value, offset, lane })
                    } )*
                    _ => return false,
                }
                true
            }
        }
    };
}
define_translate_simd_access!(
    (V128Load8x8S V128Load8x8U V128Load16x4S V128Load16x4U V128Load32x2S V128Load32x2U
     V128Load8Splat V128Load16Splat V128Load32Splat V128Load64Splat V128Load32Zero V128Load64Zero)
    (V128Load8Lane V128Load16Lane V128Load32Lane V128Load64Lane)
    (V128Store8Lane V128Store16Lane V128Store32Lane V128Store64Lane)
);

macro_rules! define_translate_simd {
    (
        simd_unary { $( $su:ident = $suf:path; )* }
        simd_binary { $( $sb:ident = $sbf:path; )* }
        simd_ternary { $( $st:ident = $stf:path; )* }
        simd_shift { $( $ss:ident = $ssf:path; )* }
        simd_test { $( $sq:ident = $sqf:path; )* }
        simd_splat { $( $sp:ident = $spf:path; )* }
        simd_extract { $( $se:ident = $sef:path; )* }
        simd_replace { $( $sr:ident = $srf:path; )* }
    ) => {
        impl FuncTranslator {
            /// Translates a SIMD operator; `false` if `op` is not one.
            fn translate_simd(&mut self, op: &Operator<'_>) -> bool {
                match *op {
                    $( Operator::$su => {
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$su { dst, a });
                    } )*
                    $( Operator::$sb => {
                        let b = self.pop_v128();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$sb { dst, a, b });
                    } )*
                    $( Operator::$st => {
                        let c = self.pop_v128();
                        let b = self.pop_v128();
                        let a = self.pop_v128();
                        self.push_def_v128_with(|dst| Op::$st { dst, a, b }, c);
                    } )*
                    $( Operator::$ss => {
                        let b = self.pop_slot();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$ss { dst, a, b });
                    } )*
                    $( Operator::$sq => {
                        let a = self.pop_v128();
                        self.push_def(|dst| Op::$sq { dst, a });
                    } )*
                    $( Operator::$sp => {
                        let a = self.pop_slot();
                        self.push_def_v128(|dst| Op::$sp { dst, a });
                    } )*
                    $( Operator::$se { lane } => {
                        let a = self.pop_v128();
                        self.push_def(|dst| Op::$se { dst, a, lane });
                    } )*
                    $( Operator::$sr { lane } => {
                        let b = self.pop_slot();
                        let a = self.pop_v128();
                        self.push_def_v128(|dst| Op::$sr { dst, a, b, lane });
                    } )*
                    _ => return self.translate_simd_special(op),
                }
                true
            }
        }
    };
}
crate::for_each_simd_op!(define_translate_simd);

macro_rules! define_translate_numeric {
    (
        loads { $( $lname:ident $lat:ident $lidx:ident $lshl:ident $labs:ident ($lty:ty => $lvia:ty); )* }
        branches { $( $brname:ident $brimm:ident = $cmp:ident $cmpimm:ident, not $nbr:ident $nbrimm:ident, $bty:ty, $btest:expr; )* }
        binary { $( $bname:ident $([$bimm:ident $(, $bcomm:ident)?])? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $tname:ident ($ta:ty, $tb:ty) -> $tr:ty = $tf:expr; )* }
        unary { $( $uname:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $vname:ident ($va:ty) -> $vr:ty = $vf:expr; )* }
    ) => {
        impl FuncTranslator {
            /// Translates a numeric operator; `false` if `op` is not one.
            fn translate_numeric(&mut self, op: &Operator<'_>) -> bool {
                match op {
                    $( Operator::$bname => {
                        let is64 = std::mem::size_of::<$ba>() == 8;
                        let commutative = false $( $( || { let _ = stringify!($bcomm); true } )? )?;
                        self.binary(is64, commutative, |dst, a, b| Op::$bname { dst, a, b });
                    } )*
                    $( Operator::$tname => {
                        self.binary(false, false, |dst, a, b| Op::$tname { dst, a, b });
                    } )*
                    $( Operator::$uname => self.unary(|dst, a| Op::$uname { dst, a }), )*
                    $( Operator::$vname => self.unary(|dst, a| Op::$vname { dst, a }), )*
                    _ => return false,
                }
                true
            }
        }
    };
}
crate::for_each_load_op!(for_each_branch_op for_each_numeric_op define_translate_numeric);
