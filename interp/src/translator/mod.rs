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

mod accumulator;
mod branches;
mod control;
mod dispatch;
mod locals;
mod memory;
mod numeric;
mod pairs;
mod simd;
mod stack;
mod visit;

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
    /// The last instruction if it is an immediate-form operation whose
    /// operand was the temporary the instruction before it wrote for it
    /// alone (a load then `+ constant`, which a `br_table` may take over
    /// whole). Cleared by every emission, like `last_def`.
    fed_by_previous: Option<usize>,
    /// The last instruction if it is an `I32Eqz` of the bitwise `and`
    /// just before it, which only it reads: a branch on it becomes one
    /// bit test. Cleared by every emission, like `last_def`.
    eqz_of_and: Option<usize>,
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
    /// Whether the body has a `br_table`, whose entries are resolved at
    /// the end.
    has_br_table: bool,
    /// Per instruction, once the code is complete: whether it is a branch
    /// target, then (see [`Self::read_accumulator`]) whether it reads the
    /// accumulator. Kept between functions for its allocation.
    marks: Vec<bool>,
    /// The defined functions the body calls directly, in the order of
    /// its calls (repeats included).
    callees: Vec<u32>,
    /// Per instruction variant, what [`Self::read_accumulator`] learnt of
    /// it (see `accumulator.rs`); kept for the translator's life.
    variant_facts: Vec<u8>,
    /// Per instruction of the function, its variant's facts. Kept between
    /// functions for its allocation.
    kinds: Vec<u8>,
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

    /// Sets the options of [`Self::with_epoch_checks`],
    /// [`Self::with_fuel`] and [`Self::with_tiering`] in place.
    pub(crate) fn set_options(&mut self, epoch_checks: bool, fuel: bool, tiering: bool) {
        self.epoch_checks = epoch_checks;
        self.tiering = tiering;
        if fuel != self.fuel.is_some() {
            self.fuel = fuel.then(Default::default);
        }
    }

    /// The defined functions (by defined-function index) that the last
    /// translated body calls directly, in the order of its calls.
    pub(crate) fn callees(&self) -> &[u32] {
        &self.callees
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
        self.callees.clear();
        self.has_br_table = false;
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
        if let Some(v) = validator.as_mut() {
            while !reader.eof() {
                let offset = reader.original_position();
                let op = reader.read()?;
                v.op(offset, &op)?;
                self.op_offset = u32::try_from(offset).unwrap_or(u32::MAX);
                self.translate_op(module, &op)
                    .map_err(|m| WasmError::new(m, offset))?;
            }
        } else {
            let mut visitor = visit::TranslatingVisitor {
                translator: self,
                module,
                error: None,
            };
            while !reader.eof() {
                let offset = reader.original_position();
                visitor.translator.op_offset = u32::try_from(offset).unwrap_or(u32::MAX);
                reader.visit_operator(&mut visitor)?;
                if let Some(m) = visitor.error.take() {
                    return Err(WasmError::new(m, offset));
                }
            }
        }
        reader.finish()?;
        drop(validator);
        if self.has_br_table {
            self.duplicate_dispatch();
        }
        self.read_accumulator();
        if self.has_br_table {
            self.resolve_br_table_entries();
        }
        let frame_size = num_locals + self.stack.max_height();
        if frame_size >= MAX_FRAME_SLOTS {
            return Err(WasmError::new(
                "function frame too large for the interpreter",
                body.range().start,
            ));
        }
        // Only an instruction `read_accumulator` rewrote has a handler
        // other than its variant's: the search for it is skipped for the
        // rest.
        Ok(InterpFunc {
            code: self
                .code
                .iter()
                .zip(&self.marks)
                .map(|(op, reads_acc)| {
                    if *reads_acc {
                        crate::instr::Instr::new(*op)
                    } else {
                        crate::instr::Instr::reading_no_accumulator(*op)
                    }
                })
                .collect(),
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
        self.fed_by_previous = None;
        self.eqz_of_and = None;
        self.code.push(op);
        self.code.len() - 1
    }

    /// As [`Self::push_def`], with an `Operand` after the instruction; the
    /// instruction reads all its operands before writing, so a
    /// `local.set` may still retarget it.
    fn push_def_with(&mut self, make: impl FnOnce(Slot) -> Op, operand: Slot) {
        self.push_def(make);
        let last_def = self.last_def;
        self.emit(Op::Operand { slot: operand });
        self.last_def = last_def;
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

    /// Makes the two moves emitted since `start`, if they move a `v128`'s
    /// halves (`Copy`s of adjacent slots to adjacent slots, or `Const`s to
    /// adjacent slots), one 16-byte move: `CopyV128` (the second `Copy`
    /// dropped) or `ConstV128` (which reads and skips the second `Const`).
    /// The pair must be the caller's own, so no label can stand between.
    fn fuse_v128_move(&mut self, start: usize) {
        if self.code.len() != start + 2 {
            return;
        }
        match (self.code[start], self.code[start + 1]) {
            // One load before both stores is the same as two copies unless
            // the first copy writes what the second reads.
            (Op::Copy { dst, src }, Op::Copy { dst: d, src: s })
                if d == dst + 1 && s == src + 1 && dst != s =>
            {
                self.code[start] = Op::CopyV128 { dst, src };
                self.code.pop();
            }
            (Op::Const { dst, value }, Op::Const { dst: d, .. }) if d == dst + 1 => {
                self.code[start] = Op::ConstV128 { dst, value };
            }
            _ => {}
        }
    }

    /// Emits what puts the `v128` whose halves are `low` and `high` (the
    /// entries at `pos` and `pos + 1`) into `dst` and `dst + 1`.
    fn emit_v128_to(&mut self, dst: Slot, low: Provider, high: Provider, pos: u32) {
        let start = self.code.len();
        self.emit_value_to(dst, low, pos);
        self.emit_value_to(dst + 1, high, pos + 1);
        self.fuse_v128_move(start);
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
                self.emit_v128_to(self.temp(pos), low, high, pos);
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
        let mut start = self.code.len();
        for pos in h - n..h {
            if self.stack.is_high(pos) {
                self.materialize(pos);
                self.fuse_v128_move(start);
            } else {
                start = self.code.len();
                self.materialize(pos);
            }
        }
        self.temp(h - n)
    }

    /// Pops `n` operands into consecutive temporaries; returns the first.
    fn pop_contiguous(&mut self, n: u32) -> Slot {
        let base = self.materialize_top(n);
        self.stack.truncate(self.stack.height() - n);
        base
    }

    /// Translates one operator.
    ///
    /// This, [`Self::translate_reachable`] and the numeric table's match
    /// are inlined into each of the visitor's methods (`visit.rs`), where
    /// the operator is a constant: each method keeps only its operator's
    /// arm, and an arithmetic operator, a load or one of the most frequent
    /// others goes straight to its translation instead of through three
    /// jump tables. The rest share one out-of-line match, which keeps the
    /// copies small (inlining that one as well added 2 MB of code and
    /// 0.7 MB to a Lua start-up's resident memory).
    #[inline(always)]
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

    #[inline(always)]
    fn translate_reachable(
        &mut self,
        module: &ModuleInfo,
        op: &Operator<'_>,
    ) -> Result<(), String> {
        // The most frequent operators that are not in the numeric table.
        match *op {
            Operator::LocalGet { local_index } => {
                let (slot, wide) = self.local(local_index)?;
                self.stack.push(Provider::Local(slot));
                if wide {
                    self.stack.push_high(Provider::Local(slot + 1));
                }
                return Ok(());
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let tee = matches!(op, Operator::LocalTee { .. });
                match self.local(local_index)? {
                    (slot, true) => self.set_local_v128(slot, tee),
                    (slot, false) => self.set_local(slot, tee),
                }
                return Ok(());
            }
            Operator::I32Const { value } => {
                self.stack.push(Provider::Const(value as u32 as u64));
                return Ok(());
            }
            Operator::I64Const { value } => {
                self.stack.push(Provider::Const(value as u64));
                return Ok(());
            }
            Operator::End => {
                self.translate_end();
                return Ok(());
            }
            Operator::BrIf { relative_depth } => {
                self.translate_br_if(relative_depth);
                return Ok(());
            }
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
        self.translate_other(module, op)
    }

    /// The operators that are neither in the numeric table nor among the
    /// most frequent ones.
    #[inline(never)]
    fn translate_other(&mut self, module: &ModuleInfo, op: &Operator<'_>) -> Result<(), String> {
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
            Operator::Br { relative_depth } => {
                self.branch(relative_depth);
                self.mark_unreachable();
            }
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
                    let func = function_index - module.num_imported_functions;
                    self.callees.push(func);
                    Op::Call { func, base }
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
                // The validator allows 1000 parameters, 2000 slots.
                let params = u16::try_from(np).map_err(|_| "too many parameters".to_string())?;
                let base = self.pop_contiguous(np + 1);
                self.emit(Op::CallIndirect {
                    params,
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
                // `select(a, b, eqz(x))` is `select(b, a, x)`: when the
                // condition is an `eqz` just emitted for this select only,
                // drop it and swap the operands.
                let (pc, posc) = self.stack.pop();
                let last = self.code.len().wrapping_sub(1);
                let negated = match self.code.get(last) {
                    Some(&Op::I32Eqz { a: x, .. }) => Some((x, false)),
                    Some(&Op::I64Eqz { a: x, .. }) => Some((x, true)),
                    _ => None,
                }
                .filter(|_| pc == Provider::Temp && self.last_def == Some((last, posc)));
                let cond = match negated {
                    Some((x, _)) => {
                        self.code.pop();
                        self.last_def = None;
                        x
                    }
                    None => self.slot_of(pc, posc),
                };
                let b = self.pop_slot();
                let a = self.pop_slot();
                let (a, b) = if negated.is_some() { (b, a) } else { (a, b) };
                let pos = self.stack.height();
                let dst = self.temp(pos);
                self.stack.push(Provider::Temp);
                let at = match negated {
                    Some((_, true)) => self.emit(Op::Select64 { dst, cond, a }),
                    _ => self.emit(Op::Select { dst, cond, a }),
                };
                self.emit(Op::Operand { slot: b });
                // A select feeding `local.set` may write the local directly:
                // it reads all its operands before writing.
                self.last_def = Some((at, pos));
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
            Operator::GlobalGet { global_index } if global_index >= module.num_imported_globals => {
                let defined = global_index - module.num_imported_globals;
                self.push_def(|dst| Op::GlobalGetDefined { dst, defined });
            }
            Operator::GlobalSet { global_index } if global_index >= module.num_imported_globals => {
                let src = self.pop_slot();
                self.emit(Op::GlobalSetDefined {
                    defined: global_index - module.num_imported_globals,
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
            Operator::F32Const { value } => self.stack.push(Provider::Const(value.bits() as u64)),
            Operator::F64Const { value } => self.stack.push(Provider::Const(value.bits())),
            Operator::I32ReinterpretF32
            | Operator::F32ReinterpretI32
            | Operator::I64ReinterpretF64
            | Operator::F64ReinterpretI64 => {
                // Slots are untyped: the bits stay where they are.
            }
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
}
