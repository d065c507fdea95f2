//! WebAssembly function bodies to Cranelift IR.
//!
//! The translator walks a (validated) body once, keeping the wasm operand
//! stack as a stack of SSA [`Value`]s. Locals are Cranelift variables, so
//! the frontend builds SSA form for them. Each wasm block becomes a
//! Cranelift block whose parameters are the block's results; a loop's
//! header takes the loop's parameters. Branches pass the values on top of
//! the stack as block arguments.
//!
//! Code after an unconditional branch is unreachable; the translator skips
//! it, counting the blocks it opens, until the `else` or `end` that makes
//! code reachable again.
//!
//! Traps are Cranelift trap instructions (or loads, stores, divisions and
//! conversions that trap by themselves) with codes from `traps.rs`; at run
//! time the signal handler finds them in the trap table. Calls go through
//! the module's entry table (functions of this module) or through the
//! callee's `VMFuncRef` (imports, `call_indirect`).

use crate::env::{Builtin, FuncEnv, FuncRefField, PTR, clif_type, trusted};
use crate::traps::{self, to_clif};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, BlockArg, InstBuilder, JumpTableData, MemFlagsData, StackSlotData, StackSlotKind, Type,
    Value, types,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use strata_environ::{FuncType, TrapCode, ValType};
use wasmparser::{BlockType, FunctionBody, MemArg, Operator};

mod osr;
mod simd;

use osr::OsrEntry;

/// What a wasm control construct became.
struct Control {
    /// Where `end` continues; its parameters are the results.
    dest: ir::Block,
    /// A loop's header (branches to a loop go there).
    header: Option<ir::Block>,
    /// An `if`'s else branch, until `else` or `end` fills it, and the
    /// parameters it starts with.
    else_block: Option<(ir::Block, Vec<Value>)>,
    /// Operand stack height below the construct's parameters.
    height: usize,
    params: Vec<Type>,
    results: Vec<Type>,
    /// Whether anything branches to (or falls through to) `dest`.
    dest_reached: bool,
}

impl Control {
    /// The arity of a branch to this construct.
    fn branch_types(&self) -> &[Type] {
        if self.header.is_some() {
            &self.params
        } else {
            &self.results
        }
    }

    fn branch_target(&self) -> ir::Block {
        self.header.unwrap_or(self.dest)
    }
}

fn block_args(values: &[Value]) -> Vec<BlockArg> {
    values.iter().map(|v| BlockArg::Value(*v)).collect()
}

/// Translates one function.
pub struct FuncTranslator<'a, 'b, 'm> {
    b: &'a mut FunctionBuilder<'b>,
    env: &'a FuncEnv<'m>,
    stack: Vec<Value>,
    control: Vec<Control>,
    locals: Vec<Variable>,
    /// Blocks opened in unreachable code, not yet closed.
    unreachable_depth: u32,
    reachable: bool,
    fuel: Option<strata_environ::fuel::FuelMeter>,
    /// For an OSR entry: how it goes in (`osr.rs`).
    osr: Option<OsrEntry>,
    /// The byte offset of the operator being translated.
    pos: u32,
}

type Result<T> = std::result::Result<T, String>;

fn err(e: wasmparser::BinaryReaderError) -> String {
    e.to_string()
}

impl<'a, 'b, 'm> FuncTranslator<'a, 'b, 'm> {
    /// Translates the body of a function of type `ty` into `b`, whose
    /// function has [`crate::env::wasm_signature`]`(ty)`.
    ///
    /// With `osr`, the function is an on-stack-replacement entry instead
    /// (signature [`crate::env::osr_signature`]`(ty)`): it continues a
    /// frame at the header of the loop whose `loop` operator is at byte offset `osr` of
    /// the module, with every local loaded from the interpreter frame its
    /// third parameter points to (one 8-byte slot per local, two per
    /// `v128`, in order). The code before that loop is translated as
    /// usual but unreachable, so Cranelift drops it; branches out of the
    /// loop reach the rest of the function. The loop must start with an
    /// empty operand stack. How the entry goes in when the loop is nested
    /// is `osr.rs`'s subject.
    pub fn translate(
        b: &'a mut FunctionBuilder<'b>,
        env: &'a FuncEnv<'m>,
        ty: &FuncType,
        body: &FunctionBody<'_>,
        osr: Option<u32>,
    ) -> Result<()> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        // Put the entry block in the layout now: `special_param` finds the
        // VMContext there, possibly before any instruction was emitted.
        b.ensure_inserted_block();
        let mut local_types: Vec<Type> = ty.params().iter().map(|t| clif_type(*t)).collect();
        let mut reader = body.get_locals_reader().map_err(err)?;
        for _ in 0..reader.get_count() {
            let (count, ty) = reader.read().map_err(err)?;
            let ty = ValType::from_wasmparser(ty).ok_or("unsupported local type")?;
            local_types.extend(std::iter::repeat_n(clif_type(ty), count as usize));
        }
        let locals: Vec<Variable> = local_types.iter().map(|t| b.declare_var(*t)).collect();
        let osr = match osr {
            None => {
                let params: Vec<Value> = b.block_params(entry)[2..].to_vec();
                for (i, var) in locals.iter().enumerate() {
                    let v = match params.get(i) {
                        Some(p) => *p,
                        None => zero_of(b, local_types[i]),
                    };
                    b.def_var(*var, v);
                }
                None
            }
            Some(at) => {
                let frame = b.block_params(entry)[2];
                // One 8-byte slot per local, two per `v128` (its low half
                // first: the little-endian layout of the whole vector).
                let mut offset = 0;
                for (i, var) in locals.iter().enumerate() {
                    let v = b.ins().load(local_types[i], trusted(), frame, offset);
                    offset += local_types[i].bytes().max(8) as i32;
                    b.def_var(*var, v);
                }
                let plan = OsrEntry::new(b, body, at)?;
                // The body from its start: never entered, but translated
                // so that the blocks around the loop exist.
                let dead = b.create_block();
                b.switch_to_block(dead);
                for (i, var) in locals.iter().enumerate() {
                    let zero = zero_of(b, local_types[i]);
                    b.def_var(*var, zero);
                }
                plan.start_dead(b);
                Some(plan)
            }
        };
        let results: Vec<Type> = ty.results().iter().map(|t| clif_type(*t)).collect();
        let exit = b.create_block();
        for t in &results {
            b.append_block_param(exit, *t);
        }
        let mut t = FuncTranslator {
            b,
            env,
            stack: Vec::new(),
            control: vec![Control {
                dest: exit,
                header: None,
                else_block: None,
                height: 0,
                params: Vec::new(),
                results,
                dest_reached: false,
            }],
            locals,
            unreachable_depth: 0,
            reachable: true,
            fuel: env.fuel.then(Default::default),
            osr,
            pos: 0,
        };
        if t.osr.is_none() {
            t.epoch_check();
            t.fuel_check();
        }
        let mut ops = body.get_operators_reader().map_err(err)?;
        while !ops.eof() {
            let pos = ops.original_position();
            let op = ops.read().map_err(err)?;
            t.b.set_srcloc(ir::SourceLoc::new(pos as u32));
            t.pos = pos as u32;
            if t.reachable {
                if let Some(amount) = t.fuel.as_mut().and_then(|m| m.before(&op)) {
                    t.consume_fuel(amount);
                }
                t.op(&op)?;
            } else {
                t.unreachable_op(&op)?;
            }
            if t.control.is_empty() {
                break;
            }
        }
        // The function's `end` switched to `exit`; return its parameters.
        let rets = t.b.block_params(exit).to_vec();
        if t.reachable {
            t.b.ins().return_(&rets);
        }
        if let Some(osr) = &t.osr {
            osr.finish(t.b)?;
        }
        t.b.seal_all_blocks();
        Ok(())
    }

    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    fn pop3(&mut self) -> (Value, Value, Value) {
        let c = self.pop();
        let (a, b) = self.pop2();
        (a, b, c)
    }

    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    fn block_types(&self, bt: BlockType) -> (Vec<Type>, Vec<Type>) {
        match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Type(t) => (
                Vec::new(),
                vec![clif_type(
                    ValType::from_wasmparser(t).unwrap_or(ValType::I32),
                )],
            ),
            BlockType::FuncType(i) => {
                let ft = &self.env.module.types[i as usize];
                (
                    ft.params().iter().map(|t| clif_type(*t)).collect(),
                    ft.results().iter().map(|t| clif_type(*t)).collect(),
                )
            }
        }
    }

    fn new_block_with(&mut self, types: &[Type]) -> ir::Block {
        let block = self.b.create_block();
        for t in types {
            self.b.append_block_param(block, *t);
        }
        block
    }

    /// Switches to `block` and makes its parameters the top of the stack.
    fn enter(&mut self, block: ir::Block, height: usize) {
        self.b.switch_to_block(block);
        self.stack.truncate(height);
        let params = self.b.block_params(block).to_vec();
        self.stack.extend(params);
    }

    /// The arguments and target of a branch to relative depth `depth`,
    /// marking the target reached.
    fn branch_to(&mut self, depth: u32) -> (ir::Block, Vec<Value>) {
        let i = self.control.len() - 1 - depth as usize;
        let n = self.control[i].branch_types().len();
        let target = self.control[i].branch_target();
        if self.control[i].header.is_none() {
            self.control[i].dest_reached = true;
        }
        (target, self.peekn(n).to_vec())
    }

    fn unreachable_op(&mut self, op: &Operator<'_>) -> Result<()> {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                self.unreachable_depth += 1;
            }
            Operator::Else if self.unreachable_depth == 0 => self.op(op)?,
            Operator::End if self.unreachable_depth == 0 => self.op(op)?,
            Operator::End => self.unreachable_depth -= 1,
            _ => {}
        }
        Ok(())
    }

    /// Ends straight-line code: what follows is unreachable.
    fn set_unreachable(&mut self) {
        self.reachable = false;
    }

    fn trap(&mut self, code: TrapCode) {
        self.b.ins().trap(to_clif(code));
        self.set_unreachable();
    }

    fn op(&mut self, op: &Operator<'_>) -> Result<()> {
        use Operator as O;
        match *op {
            O::Unreachable => self.trap(TrapCode::Unreachable),
            O::Nop => {}
            O::Block { blockty } => {
                let (params, results) = self.block_types(blockty);
                let dest = self.new_block_with(&results);
                self.control.push(Control {
                    dest,
                    header: None,
                    else_block: None,
                    height: self.stack.len() - params.len(),
                    params,
                    results,
                    dest_reached: false,
                });
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_types(blockty);
                // A loop an OSR entry goes in through has its header
                // planned.
                let qualifies = params.is_empty() && self.stack.is_empty();
                let mut planned = None;
                if let Some(osr) = self.osr.as_mut()
                    && let Some(level) = osr.level(self.pos)
                {
                    planned = osr.plan_header(level, qualifies)?.map(|h| (level, h));
                }
                let header = match planned {
                    Some((_, header)) => header,
                    None => self.new_block_with(&params),
                };
                let dest = self.new_block_with(&results);
                let args = block_args(self.peekn(params.len()));
                self.b.ins().jump(header, &args);
                let height = self.stack.len() - params.len();
                self.enter(header, height);
                if let Some((level, _)) = planned
                    && let Some(osr) = self.osr.as_mut()
                {
                    osr.steer(self.b, level);
                }
                self.epoch_check();
                self.fuel_check();
                self.control.push(Control {
                    dest,
                    header: Some(header),
                    else_block: None,
                    height,
                    params,
                    results,
                    dest_reached: false,
                });
            }
            O::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_types(blockty);
                let then = self.b.create_block();
                let els = self.b.create_block();
                let dest = self.new_block_with(&results);
                self.b.ins().brif(cond, then, &[], els, &[]);
                let height = self.stack.len() - params.len();
                let saved = self.peekn(params.len()).to_vec();
                self.b.switch_to_block(then);
                self.control.push(Control {
                    dest,
                    header: None,
                    else_block: Some((els, saved)),
                    height,
                    params,
                    results,
                    dest_reached: false,
                });
            }
            O::Else => {
                let frame = self.control.last_mut().expect("validated: else in if");
                if self.reachable {
                    frame.dest_reached = true;
                    let n = frame.results.len();
                    let dest = frame.dest;
                    let args = block_args(self.peekn(n));
                    self.b.ins().jump(dest, &args);
                }
                let frame = self.control.last_mut().expect("validated: else in if");
                let (els, saved) = frame.else_block.take().expect("validated: one else");
                let height = frame.height;
                self.b.switch_to_block(els);
                self.stack.truncate(height);
                self.stack.extend(saved);
                self.reachable = true;
            }
            O::End => {
                let mut frame = self.control.pop().expect("validated: balanced end");
                if self.reachable {
                    frame.dest_reached = true;
                    let args = block_args(self.peekn(frame.results.len()));
                    self.b.ins().jump(frame.dest, &args);
                }
                if let Some((els, saved)) = frame.else_block.take() {
                    // An `if` without `else`: the false branch passes its
                    // parameters through as results.
                    frame.dest_reached = true;
                    self.b.switch_to_block(els);
                    self.b.ins().jump(frame.dest, &block_args(&saved));
                }
                self.enter(frame.dest, frame.height);
                self.reachable = frame.dest_reached;
            }
            O::Br { relative_depth } => {
                let (target, args) = self.branch_to(relative_depth);
                self.b.ins().jump(target, &block_args(&args));
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop();
                let (target, args) = self.branch_to(relative_depth);
                let cont = self.b.create_block();
                self.b
                    .ins()
                    .brif(cond, target, &block_args(&args), cont, &[]);
                self.b.switch_to_block(cont);
            }
            O::BrTable { ref targets } => {
                let index = self.pop();
                let mut depths = Vec::with_capacity(targets.len() as usize + 1);
                for t in targets.targets() {
                    depths.push(t.map_err(err)?);
                }
                let default = targets.default();
                // Every target takes the same number of values; a jump
                // table entry carries no arguments, so each distinct target
                // gets a small block that jumps on with them (filled after
                // the `br_table` ends the current block).
                let mut edge_of: Vec<(u32, ir::Block)> = Vec::new();
                let mut pending: Vec<(ir::Block, ir::Block, Vec<Value>)> = Vec::new();
                let mut edge = |this: &mut Self, depth: u32| -> ir::Block {
                    if let Some((_, b)) = edge_of.iter().find(|(d, _)| *d == depth) {
                        return *b;
                    }
                    let (target, args) = this.branch_to(depth);
                    let block = if args.is_empty() {
                        target
                    } else {
                        let e = this.b.create_block();
                        pending.push((e, target, args));
                        e
                    };
                    edge_of.push((depth, block));
                    block
                };
                let default_block = edge(self, default);
                let blocks: Vec<ir::Block> = depths.iter().map(|d| edge(self, *d)).collect();
                let pool = &mut self.b.func.dfg.value_lists;
                let def = ir::BlockCall::new(default_block, [], pool);
                let table: Vec<ir::BlockCall> = blocks
                    .iter()
                    .map(|b| ir::BlockCall::new(*b, [], pool))
                    .collect();
                let jt = self.b.create_jump_table(JumpTableData::new(def, &table));
                self.b.ins().br_table(index, jt);
                for (e, target, args) in pending {
                    self.b.switch_to_block(e);
                    self.b.ins().jump(target, &block_args(&args));
                }
                self.set_unreachable();
            }
            O::Return => {
                let n = self.control[0].results.len();
                let rets = self.peekn(n).to_vec();
                self.b.ins().return_(&rets);
                self.set_unreachable();
            }
            O::Call { function_index } => self.call(function_index)?,
            O::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index)?,
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let (a, b, c) = self.pop3();
                let v = self.b.ins().select(c, a, b);
                self.push(v);
            }
            O::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize]);
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize], v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.b.def_var(self.locals[local_index as usize], v);
            }
            O::GlobalGet { global_index } => {
                let ty = clif_type(self.env.module.globals[global_index as usize].content);
                let (base, offset) = self.env.global_addr(self.b, global_index);
                let v = self.b.ins().load(ty, trusted(), base, offset);
                self.push(v);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                let (base, offset) = self.env.global_addr(self.b, global_index);
                self.b.ins().store(trusted(), v, base, offset);
            }
            O::I32Load { memarg } => self.load(types::I32, types::I32, false, memarg),
            O::I64Load { memarg } => self.load(types::I64, types::I64, false, memarg),
            O::F32Load { memarg } => self.load(types::F32, types::F32, false, memarg),
            O::F64Load { memarg } => self.load(types::F64, types::F64, false, memarg),
            O::I32Load8S { memarg } => self.load(types::I8, types::I32, true, memarg),
            O::I32Load8U { memarg } => self.load(types::I8, types::I32, false, memarg),
            O::I32Load16S { memarg } => self.load(types::I16, types::I32, true, memarg),
            O::I32Load16U { memarg } => self.load(types::I16, types::I32, false, memarg),
            O::I64Load8S { memarg } => self.load(types::I8, types::I64, true, memarg),
            O::I64Load8U { memarg } => self.load(types::I8, types::I64, false, memarg),
            O::I64Load16S { memarg } => self.load(types::I16, types::I64, true, memarg),
            O::I64Load16U { memarg } => self.load(types::I16, types::I64, false, memarg),
            O::I64Load32S { memarg } => self.load(types::I32, types::I64, true, memarg),
            O::I64Load32U { memarg } => self.load(types::I32, types::I64, false, memarg),
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store { memarg } => {
                self.store(None, memarg)
            }
            O::F64Store { memarg } => self.store(None, memarg),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                self.store(Some(types::I8), memarg)
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store(Some(types::I16), memarg)
            }
            O::I64Store32 { memarg } => self.store(Some(types::I32), memarg),
            O::MemorySize { mem } => {
                let len = self.env.memory_length(self.b, mem);
                let pages = self.b.ins().ushr_imm_u(len, 16);
                let v = self.b.ins().ireduce(types::I32, pages);
                self.push(v);
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let delta = self.u64_of(delta);
                let m = self.imm(mem);
                let old = self
                    .env
                    .call_builtin(self.b, Builtin::MEMORY_GROW, &[m, delta])
                    .expect("memory.grow returns");
                self.propagate_grow_trap(old);
                let v = self.b.ins().ireduce(types::I32, old);
                self.push(v);
            }
            O::MemoryFill { mem } => {
                let (dst, val, len) = self.pop3();
                let dst = self.u64_of(dst);
                let len = self.u64_of(len);
                let m = self.imm(mem);
                self.builtin_trap(
                    Builtin::MEMORY_FILL,
                    &[m, dst, val, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst, src, len) = self.pop3();
                let dst = self.u64_of(dst);
                let src = self.u64_of(src);
                let len = self.u64_of(len);
                let dm = self.imm(dst_mem);
                let sm = self.imm(src_mem);
                self.builtin_trap(
                    Builtin::MEMORY_COPY,
                    &[dm, sm, dst, src, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::MemoryInit { data_index, mem } => {
                let (dst, src, len) = self.pop3();
                let dst = self.u64_of(dst);
                let m = self.imm(mem);
                let d = self.imm(data_index);
                self.builtin_trap(
                    Builtin::MEMORY_INIT,
                    &[m, d, dst, src, len],
                    TrapCode::MemoryOutOfBounds,
                );
            }
            O::DataDrop { data_index } => {
                let d = self.imm(data_index);
                self.env.call_builtin(self.b, Builtin::DATA_DROP, &[d]);
            }
            O::TableGet { table } => {
                let index = self.pop();
                let slot = self.table_slot(table, index);
                let v = self.b.ins().load(PTR, trusted(), slot, 0);
                self.push(v);
            }
            O::TableSet { table } => {
                let (index, value) = self.pop2();
                let slot = self.table_slot(table, index);
                self.b.ins().store(trusted(), value, slot, 0);
            }
            O::TableSize { table } => {
                let (_, len) = self.env.table_parts(self.b, table);
                let v = self.b.ins().ireduce(types::I32, len);
                self.push(v);
            }
            O::TableGrow { table } => {
                let (init, delta) = self.pop2();
                let delta = self.u64_of(delta);
                let t = self.imm(table);
                let old = self
                    .env
                    .call_builtin(self.b, Builtin::TABLE_GROW, &[t, delta, init])
                    .expect("table.grow returns");
                self.propagate_grow_trap(old);
                let v = self.b.ins().ireduce(types::I32, old);
                self.push(v);
            }
            O::TableFill { table } => {
                let (dst, val, len) = self.pop3();
                let dst = self.u64_of(dst);
                let len = self.u64_of(len);
                let t = self.imm(table);
                self.builtin_trap(
                    Builtin::TABLE_FILL,
                    &[t, dst, val, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, len) = self.pop3();
                let dst = self.u64_of(dst);
                let src = self.u64_of(src);
                let len = self.u64_of(len);
                let dt = self.imm(dst_table);
                let st = self.imm(src_table);
                self.builtin_trap(
                    Builtin::TABLE_COPY,
                    &[dt, st, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::TableInit { elem_index, table } => {
                let (dst, src, len) = self.pop3();
                let dst = self.u64_of(dst);
                let t = self.imm(table);
                let e = self.imm(elem_index);
                self.builtin_trap(
                    Builtin::TABLE_INIT,
                    &[t, e, dst, src, len],
                    TrapCode::TableOutOfBounds,
                );
            }
            O::ElemDrop { elem_index } => {
                let e = self.imm(elem_index);
                self.env.call_builtin(self.b, Builtin::ELEM_DROP, &[e]);
            }
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(PTR, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let r = self.pop();
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, r, 0);
                let v = self.b.ins().uextend(types::I32, c);
                self.push(v);
            }
            O::RefFunc { function_index } => {
                let v = self.env.func_ref(self.b, function_index);
                self.push(v);
            }
            O::I32Const { value } => {
                let v = self.b.ins().iconst(types::I32, i64::from(value));
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(types::I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f32const(ir::immediates::Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f64const(ir::immediates::Ieee64::with_bits(value.bits()));
                self.push(v);
            }
            _ => {
                if !self.numeric(op) && !self.simd(op) {
                    return Err(format!("the JIT tier does not support {op:?}"));
                }
            }
        }
        Ok(())
    }

    /// A wasm `i32` index or length as the builtins' `u64`.
    fn u64_of(&mut self, v: Value) -> Value {
        self.b.ins().uextend(types::I64, v)
    }

    /// An index immediate as an `i32` argument.
    fn imm(&mut self, n: u32) -> Value {
        self.b.ins().iconst(types::I32, i64::from(n))
    }

    /// Calls a builtin that answers 0 or a trap code; `code` is the only
    /// trap it can answer.
    fn builtin_trap(&mut self, builtin: Builtin, args: &[Value], code: TrapCode) {
        let r = self
            .env
            .call_builtin(self.b, builtin, args)
            .expect("the builtin answers a trap code");
        self.b.ins().trapnz(r, to_clif(code));
    }

    /// The address of element `index` of table `table`, trapping when it
    /// is out of bounds.
    fn table_slot(&mut self, table: u32, index: Value) -> Value {
        let (base, len) = self.env.table_parts(self.b, table);
        let index = self.b.ins().uextend(PTR, index);
        let oob = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.b
            .ins()
            .trapnz(oob, to_clif(TrapCode::TableOutOfBounds));
        let offset = self.b.ins().ishl_imm_u(index, 3);
        self.b.ins().iadd(base, offset)
    }

    /// The native address of a `size`-byte access at wasm address `addr`
    /// plus `memarg.offset`. Inside a guarded memory an access whose static
    /// offset stays within the guard needs no check: the furthest it can
    /// reach is 4 GiB + offset + size, which faults in the guard region.
    fn heap_addr(&mut self, addr: Value, memarg: MemArg, size: u32) -> Value {
        let mem = match memarg.target {
            wasmparser::MemArgTarget::Memory(m) => m,
            wasmparser::MemArgTarget::Array(_) => 0,
        };
        let addr = self.b.ins().uextend(types::I64, addr);
        let end_offset = memarg.offset + u64::from(size);
        if !(self.env.guarded && end_offset <= self.env.guard_size) {
            let len = self.env.memory_length(self.b, mem);
            // `addr < 2^32` and `end_offset < 2^33`: no overflow in 64 bits.
            let end = self.b.ins().iadd_imm_s(addr, end_offset as i64);
            let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
            self.b
                .ins()
                .trapnz(oob, to_clif(TrapCode::MemoryOutOfBounds));
        }
        let base = self.env.memory_base(self.b, mem);
        let ea = self.b.ins().iadd(base, addr);
        if memarg.offset == 0 {
            ea
        } else {
            self.b.ins().iadd_imm_s(ea, memarg.offset as i64)
        }
    }

    fn load(&mut self, mem_ty: Type, ty: Type, signed: bool, memarg: MemArg) {
        let addr = self.pop();
        let ea = self.heap_addr(addr, memarg, mem_ty.bytes());
        let flags = MemFlagsData::new();
        let v = if mem_ty == ty {
            self.b.ins().load(ty, flags, ea, 0)
        } else if signed {
            match mem_ty {
                types::I8 => self.b.ins().sload8(ty, flags, ea, 0),
                types::I16 => self.b.ins().sload16(ty, flags, ea, 0),
                _ => self.b.ins().sload32(flags, ea, 0),
            }
        } else {
            match mem_ty {
                types::I8 => self.b.ins().uload8(ty, flags, ea, 0),
                types::I16 => self.b.ins().uload16(ty, flags, ea, 0),
                _ => self.b.ins().uload32(flags, ea, 0),
            }
        };
        self.push(v);
    }

    /// A store of the value's full width, or narrowed to `narrow`.
    fn store(&mut self, narrow: Option<Type>, memarg: MemArg) {
        let value = self.pop();
        let addr = self.pop();
        let ty = self.b.func.dfg.value_type(value);
        let size = narrow.unwrap_or(ty).bytes();
        let ea = self.heap_addr(addr, memarg, size);
        let flags = MemFlagsData::new();
        match narrow {
            None => {
                self.b.ins().store(flags, value, ea, 0);
            }
            Some(types::I8) => {
                self.b.ins().istore8(flags, value, ea, 0);
            }
            Some(types::I16) => {
                self.b.ins().istore16(flags, value, ea, 0);
            }
            Some(_) => {
                self.b.ins().istore32(flags, value, ea, 0);
            }
        }
    }

    /// Stores `args` into a fresh array-call buffer of `len` values and
    /// returns its address.
    fn spill_args(&mut self, args: &[Value], len: usize) -> Value {
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            (len.max(1) * 16) as u32,
            4,
        ));
        let buf = self.b.ins().stack_addr(PTR, slot, 0);
        for (i, v) in args.iter().enumerate() {
            // Values go in zero-extended to 64 bits, as `ValRaw` holds them.
            let bits = crate::compile::widen(self.b, *v);
            self.b.ins().store(trusted(), bits, buf, (i * 16) as i32);
        }
        buf
    }

    /// Calls `funcref` through the array convention with the top
    /// arguments of `ty`, pushing its results. A `false` answer raises
    /// [`traps::PROPAGATE`].
    fn array_call(&mut self, funcref: Value, args: &[Value], ty: &FuncType) -> Vec<Value> {
        let len = ty.params().len().max(ty.results().len());
        let buf = self.spill_args(args, len);
        let f = self
            .env
            .funcref_field(self.b, funcref, FuncRefField::ArrayCall);
        let sig = self
            .b
            .import_signature(crate::env::array_signature(self.env.host_call_conv));
        let vmctx = self.env.vmctx(self.b);
        let n = self.b.ins().iconst(PTR, len as i64);
        let call = self
            .b
            .ins()
            .call_indirect(sig, f, &[funcref, vmctx, buf, n]);
        let ok = self.b.inst_results(call)[0];
        self.b.ins().trapz(ok, traps::PROPAGATE);
        ty.results()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                self.b
                    .ins()
                    .load(clif_type(*t), trusted(), buf, (i * 16) as i32)
            })
            .collect()
    }

    fn call(&mut self, index: u32) -> Result<()> {
        let module = self.env.module;
        let ty = module.func_type(index).clone();
        let n = ty.params().len();
        let args = self.peekn(n).to_vec();
        self.stack.truncate(self.stack.len() - n);
        let results = if index < module.num_imported_functions {
            let funcref = self.env.func_ref(self.b, index);
            self.call_funcref(funcref, &args, &ty)?
        } else if self.env.tiered && self.env.direct_self != Some(index) {
            self.call_tiered(index, &args, &ty)?
        } else if self.env.direct_calls || self.env.direct_self == Some(index) {
            let sig = self.b.import_signature(crate::env::wasm_signature(&ty));
            let vmctx = self.env.vmctx(self.b);
            let mut all = vec![vmctx, vmctx];
            all.extend(args);
            let name = self
                .b
                .func
                .declare_imported_user_function(ir::UserExternalName::new(0, index));
            let callee = self.b.import_function(ir::ExtFuncData {
                name: ir::ExternalName::user(name),
                signature: sig,
                colocated: true,
                patchable: false,
            });
            let call = self.b.ins().call(callee, &all);
            self.b.inst_results(call).to_vec()
        } else {
            let code = self
                .env
                .defined_entry(self.b, index - module.num_imported_functions);
            let vmctx = self.env.vmctx(self.b);
            self.call_code(code, vmctx, &args, &ty)
        };
        self.stack.extend(results);
        Ok(())
    }

    /// Calls native code at `code` (a wasm-call entry of type `ty`) with
    /// the callee's context; its results.
    fn call_code(
        &mut self,
        code: Value,
        callee_vmctx: Value,
        args: &[Value],
        ty: &FuncType,
    ) -> Vec<Value> {
        let sig = self.b.import_signature(crate::env::wasm_signature(ty));
        let vmctx = self.env.vmctx(self.b);
        let mut all = vec![callee_vmctx, vmctx];
        all.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sig, code, &all);
        self.b.inst_results(call).to_vec()
    }

    /// Calls defined function `index` of a tiered module: straight to its
    /// code if it was compiled before this function, else through its
    /// entry once it has native code, else through the wasm-to-array
    /// trampoline of its type with its function reference, which runs it
    /// in the interpreter.
    fn call_tiered(&mut self, index: u32, args: &[Value], ty: &FuncType) -> Result<Vec<Value>> {
        let defined = index - self.env.module.num_imported_functions;
        if let Some(addr) = self.env.known_entry(defined) {
            // Compiled before this function: its code is final.
            let code = self.b.ins().iconst(PTR, addr as i64);
            let vmctx = self.env.vmctx(self.b);
            return Ok(self.call_code(code, vmctx, args, ty));
        }
        let code = self.env.defined_entry(self.b, defined);
        let vmctx = self.env.vmctx(self.b);
        let funcref = self.env.func_ref(self.b, index);
        self.call_native_or_array(code, vmctx, funcref, args, ty)
    }

    /// Calls the function behind `funcref` (checked non-null and of type
    /// `ty`) through its native entry, or through its array entry if it has
    /// none (a host function, a tiered function still interpreted).
    fn call_funcref(
        &mut self,
        funcref: Value,
        args: &[Value],
        ty: &FuncType,
    ) -> Result<Vec<Value>> {
        let callee_vmctx = self.env.funcref_field(self.b, funcref, FuncRefField::Vmctx);
        let wasm_call = self
            .env
            .funcref_field(self.b, funcref, FuncRefField::WasmCall);
        self.call_native_or_array(wasm_call, callee_vmctx, funcref, args, ty)
    }

    /// Calls native `code` with `callee_vmctx` when it is not null, else
    /// the array entry of `funcref`, on a cold path.
    ///
    /// Tiered code, which is never written to a file, calls the process's
    /// wasm-to-array trampoline of `ty` there, with the same arguments as
    /// the native call: the caller keeps no argument buffer, whose stores
    /// and loads made the hot loops of OSR entries spill (a `main`
    /// compiled before its callees calls them this way for as long as it
    /// runs). Picking target and context with `select`s and making one
    /// call measured slower (the Lua workload's comparison functions took
    /// three times as long). Other code makes the array call inline.
    fn call_native_or_array(
        &mut self,
        code: Value,
        callee_vmctx: Value,
        funcref: Value,
        args: &[Value],
        ty: &FuncType,
    ) -> Result<Vec<Value>> {
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let result_types: Vec<Type> = ty.results().iter().map(|t| clif_type(*t)).collect();
        let merge = self.new_block_with(&result_types);
        self.b.ins().brif(code, fast, &[], slow, &[]);
        self.b.set_cold_block(slow);

        self.b.switch_to_block(fast);
        let rets = self.call_code(code, callee_vmctx, args, ty);
        self.b.ins().jump(merge, &block_args(&rets));

        self.b.switch_to_block(slow);
        let rets = if self.env.tiered {
            let tramp = crate::wasm_to_array_trampoline(ty)?;
            let tramp = self.b.ins().iconst(PTR, tramp as i64);
            self.call_code(tramp, funcref, args, ty)
        } else {
            self.array_call(funcref, args, ty)
        };
        self.b.ins().jump(merge, &block_args(&rets));

        self.b.switch_to_block(merge);
        Ok(self.b.block_params(merge).to_vec())
    }

    fn call_indirect(&mut self, type_index: u32, table: u32) -> Result<()> {
        let ty = self.env.module.types[type_index as usize].clone();
        let index = self.pop();
        let n = ty.params().len();
        let args = self.peekn(n).to_vec();
        self.stack.truncate(self.stack.len() - n);

        let (base, len) = self.env.table_parts(self.b, table);
        let index = self.b.ins().uextend(PTR, index);
        let oob = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, len);
        self.b
            .ins()
            .trapnz(oob, to_clif(TrapCode::IndirectCallOutOfBounds));
        let offset = self.b.ins().ishl_imm_u(index, 3);
        let slot = self.b.ins().iadd(base, offset);
        let funcref = self.b.ins().load(PTR, trusted(), slot, 0);
        self.b
            .ins()
            .trapz(funcref, to_clif(TrapCode::IndirectCallToNull));
        let have = self
            .env
            .funcref_field(self.b, funcref, FuncRefField::TypeIndex);
        let want = self.env.type_id(self.b, type_index);
        let bad = self.b.ins().icmp(IntCC::NotEqual, have, want);
        self.b.ins().trapnz(bad, to_clif(TrapCode::BadSignature));

        let rets = self.call_funcref(funcref, &args, &ty)?;
        self.stack.extend(rets);
        Ok(())
    }

    fn store_context(&mut self) -> Value {
        let vmctx = self.env.vmctx(self.b);
        self.b.ins().load(
            PTR,
            crate::env::readonly(),
            vmctx,
            strata_environ::vmcontext::vmctx_offsets::store as i32,
        )
    }

    /// Charges `amount` fuel (see `strata_environ::fuel`).
    fn consume_fuel(&mut self, amount: u32) {
        let store = self.store_context();
        let offset = strata_environ::vmcontext::store_offsets::fuel_remaining as i32;
        let fuel = self.b.ins().load(types::I64, trusted(), store, offset);
        let fuel = self.b.ins().iadd_imm_s(fuel, -i64::from(amount));
        self.b.ins().store(trusted(), fuel, store, offset);
    }

    /// Traps with `all fuel consumed` once no fuel is left.
    fn fuel_check(&mut self) {
        if self.fuel.is_none() {
            return;
        }
        let store = self.store_context();
        let fuel = self.b.ins().load(
            types::I64,
            trusted(),
            store,
            strata_environ::vmcontext::store_offsets::fuel_remaining as i32,
        );
        let out = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThanOrEqual, fuel, 0);
        self.b.ins().trapnz(out, to_clif(TrapCode::OutOfFuel));
    }

    /// If the engine asks for it: interrupts execution when the store's
    /// epoch deadline has passed. The fast path is two loads and a
    /// compare; the runtime's `epoch_interrupt` builtin decides the rest.
    fn epoch_check(&mut self) {
        if !self.env.epoch_checks {
            return;
        }
        let vmctx = self.env.vmctx(self.b);
        let store = self.b.ins().load(
            PTR,
            crate::env::readonly(),
            vmctx,
            strata_environ::vmcontext::vmctx_offsets::store as i32,
        );
        let counter = self.b.ins().load(
            PTR,
            crate::env::readonly(),
            store,
            strata_environ::vmcontext::store_offsets::epoch_counter as i32,
        );
        let epoch = self
            .b
            .ins()
            .atomic_load(types::I64, MemFlagsData::trusted(), counter);
        let deadline = self.b.ins().load(
            types::I64,
            trusted(),
            store,
            strata_environ::vmcontext::store_offsets::epoch_deadline as i32,
        );
        let due = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, epoch, deadline);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(due, slow, &[], cont, &[]);
        self.b.set_cold_block(slow);
        self.b.switch_to_block(slow);
        let code = self
            .env
            .call_builtin(self.b, Builtin::EPOCH_INTERRUPT, &[])
            .expect("the builtin answers");
        let host_error = self.b.ins().icmp_imm_u(
            IntCC::Equal,
            code,
            i64::from(strata_environ::vmcontext::BUILTIN_HOST_ERROR),
        );
        self.b.ins().trapnz(host_error, traps::PROPAGATE);
        self.b.ins().trapnz(code, to_clif(TrapCode::Interrupt));
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Hands on the error of a grow the engine traps on (`GROW_TRAPPED`).
    fn propagate_grow_trap(&mut self, old: Value) {
        let trapped = self.b.ins().icmp_imm_u(
            IntCC::Equal,
            old,
            strata_environ::vmcontext::GROW_TRAPPED as i64,
        );
        self.b.ins().trapnz(trapped, traps::PROPAGATE);
    }

    fn bool_to_i32(&mut self, c: Value) -> Value {
        self.b.ins().uextend(types::I32, c)
    }

    fn icmp(&mut self, cc: IntCC) {
        let (a, b) = self.pop2();
        let c = self.b.ins().icmp(cc, a, b);
        let v = self.bool_to_i32(c);
        self.push(v);
    }

    /// `i32.eqz` of a float comparison (`!(x < y)` in C) as the complemented
    /// comparison. Cranelift's mid-end folds this for `icmp` but not for
    /// `fcmp`, and x64 then materializes the flag (`seta`, `movzx`, `test`)
    /// before branching on it; the complement branches on the flags.
    fn complemented_fcmp(&mut self, v: Value) -> Option<Value> {
        use cranelift_codegen::ir::condcodes::CondCode;
        use cranelift_codegen::ir::{InstructionData, Opcode, ValueDef};
        let dfg = &self.b.func.dfg;
        let ValueDef::Result(ext, _) = dfg.value_def(v) else {
            return None;
        };
        let InstructionData::Unary {
            opcode: Opcode::Uextend,
            arg,
        } = dfg.insts[ext]
        else {
            return None;
        };
        let ValueDef::Result(cmp, _) = dfg.value_def(arg) else {
            return None;
        };
        let InstructionData::FloatCompare { cond, args, .. } = dfg.insts[cmp] else {
            return None;
        };
        Some(self.b.ins().fcmp(cond.complement(), args[0], args[1]))
    }

    fn fcmp(&mut self, cc: FloatCC) {
        let (a, b) = self.pop2();
        let c = self.b.ins().fcmp(cc, a, b);
        let v = self.bool_to_i32(c);
        self.push(v);
    }

    /// Numeric instructions; `false` for anything else.
    fn numeric(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        macro_rules! bin {
            ($m:ident) => {{
                let (a, b) = self.pop2();
                let v = self.b.ins().$m(a, b);
                self.push(v);
            }};
        }
        macro_rules! un {
            ($m:ident) => {{
                let a = self.pop();
                let v = self.b.ins().$m(a);
                self.push(v);
            }};
            ($m:ident, $ty:expr) => {{
                let a = self.pop();
                let v = self.b.ins().$m($ty, a);
                self.push(v);
            }};
        }
        macro_rules! bitcast {
            ($ty:expr) => {{
                let a = self.pop();
                let v = self.b.ins().bitcast($ty, MemFlagsData::new(), a);
                self.push(v);
            }};
        }
        macro_rules! ext {
            ($narrow:expr, $wide:expr) => {{
                let a = self.pop();
                let n = self.b.ins().ireduce($narrow, a);
                let v = self.b.ins().sextend($wide, n);
                self.push(v);
            }};
        }
        let (i32_, i64_, f32_, f64_) = (types::I32, types::I64, types::F32, types::F64);
        match *op {
            O::I32Eqz | O::I64Eqz => {
                let a = self.pop();
                if let Some(c) = self.complemented_fcmp(a) {
                    let v = self.bool_to_i32(c);
                    self.push(v);
                    return true;
                }
                let c = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let v = self.bool_to_i32(c);
                self.push(v);
            }
            O::I32Eq | O::I64Eq => self.icmp(IntCC::Equal),
            O::I32Ne | O::I64Ne => self.icmp(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => self.icmp(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => self.icmp(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => self.icmp(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => self.icmp(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => self.icmp(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual),
            O::F32Eq | O::F64Eq => self.fcmp(FloatCC::Equal),
            O::F32Ne | O::F64Ne => self.fcmp(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => self.fcmp(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => self.fcmp(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => self.fcmp(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual),
            O::I32Clz | O::I64Clz => un!(clz),
            O::I32Ctz | O::I64Ctz => un!(ctz),
            O::I32Popcnt | O::I64Popcnt => un!(popcnt),
            O::I32Add | O::I64Add => bin!(iadd),
            O::I32Sub | O::I64Sub => bin!(isub),
            O::I32Mul | O::I64Mul => bin!(imul),
            O::I32DivS | O::I64DivS => bin!(sdiv),
            O::I32DivU | O::I64DivU => bin!(udiv),
            O::I32RemS | O::I64RemS => bin!(srem),
            O::I32RemU | O::I64RemU => bin!(urem),
            O::I32And | O::I64And => bin!(band),
            O::I32Or | O::I64Or => bin!(bor),
            O::I32Xor | O::I64Xor => bin!(bxor),
            O::I32Shl | O::I64Shl => bin!(ishl),
            O::I32ShrS | O::I64ShrS => bin!(sshr),
            O::I32ShrU | O::I64ShrU => bin!(ushr),
            O::I32Rotl | O::I64Rotl => bin!(rotl),
            O::I32Rotr | O::I64Rotr => bin!(rotr),
            O::F32Abs | O::F64Abs => un!(fabs),
            O::F32Neg | O::F64Neg => un!(fneg),
            O::F32Ceil | O::F64Ceil => un!(ceil),
            O::F32Floor | O::F64Floor => un!(floor),
            O::F32Trunc | O::F64Trunc => un!(trunc),
            O::F32Nearest | O::F64Nearest => un!(nearest),
            O::F32Sqrt | O::F64Sqrt => un!(sqrt),
            O::F32Add | O::F64Add => bin!(fadd),
            O::F32Sub | O::F64Sub => bin!(fsub),
            O::F32Mul | O::F64Mul => bin!(fmul),
            O::F32Div | O::F64Div => bin!(fdiv),
            O::F32Min | O::F64Min => bin!(fmin),
            O::F32Max | O::F64Max => bin!(fmax),
            O::F32Copysign | O::F64Copysign => bin!(fcopysign),
            O::I32WrapI64 => un!(ireduce, i32_),
            O::I32TruncF32S | O::I32TruncF64S => un!(fcvt_to_sint, i32_),
            O::I32TruncF32U | O::I32TruncF64U => un!(fcvt_to_uint, i32_),
            O::I64TruncF32S | O::I64TruncF64S => un!(fcvt_to_sint, i64_),
            O::I64TruncF32U | O::I64TruncF64U => un!(fcvt_to_uint, i64_),
            O::I32TruncSatF32S | O::I32TruncSatF64S => un!(fcvt_to_sint_sat, i32_),
            O::I32TruncSatF32U | O::I32TruncSatF64U => un!(fcvt_to_uint_sat, i32_),
            O::I64TruncSatF32S | O::I64TruncSatF64S => un!(fcvt_to_sint_sat, i64_),
            O::I64TruncSatF32U | O::I64TruncSatF64U => un!(fcvt_to_uint_sat, i64_),
            O::I64ExtendI32S => un!(sextend, i64_),
            O::I64ExtendI32U => un!(uextend, i64_),
            O::F32ConvertI32S | O::F32ConvertI64S => un!(fcvt_from_sint, f32_),
            O::F32ConvertI32U | O::F32ConvertI64U => un!(fcvt_from_uint, f32_),
            O::F64ConvertI32S | O::F64ConvertI64S => un!(fcvt_from_sint, f64_),
            O::F64ConvertI32U | O::F64ConvertI64U => un!(fcvt_from_uint, f64_),
            O::F32DemoteF64 => un!(fdemote, f32_),
            O::F64PromoteF32 => un!(fpromote, f64_),
            O::I32ReinterpretF32 => bitcast!(i32_),
            O::I64ReinterpretF64 => bitcast!(i64_),
            O::F32ReinterpretI32 => bitcast!(f32_),
            O::F64ReinterpretI64 => bitcast!(f64_),
            O::I32Extend8S => ext!(types::I8, i32_),
            O::I32Extend16S => ext!(types::I16, i32_),
            O::I64Extend8S => ext!(types::I8, i64_),
            O::I64Extend16S => ext!(types::I16, i64_),
            O::I64Extend32S => ext!(types::I32, i64_),
            _ => return false,
        }
        true
    }
}

fn zero_of(b: &mut FunctionBuilder<'_>, ty: Type) -> Value {
    match ty {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        types::I8X16 => {
            let c = b.func.dfg.constants.insert(vec![0u8; 16].into());
            b.ins().vconst(types::I8X16, c)
        }
        _ => b.ins().iconst(ty, 0),
    }
}
