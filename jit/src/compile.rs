//! Compiling a module: every function body and its array-call trampoline,
//! in parallel, each to position-independent machine code with its trap
//! records.

use crate::env::{self, FuncEnv, PTR, clif_type, intern_flags, readonly, trusted};
use crate::translate::FuncTranslator;
use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::ir::{
    self, AbiParam, GlobalValueData, InstBuilder, MemFlagsData, Signature, UserFuncName, types,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::{Context, FinalizedRelocTarget, control::ControlPlane};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use rayon::prelude::*;
use std::ops::Range;
use strata_environ::vmcontext::{store_offsets, vmctx_offsets};
use strata_environ::{FuncType, ModuleInfo};
use wasmparser::{BinaryReader, FunctionBody};

/// One compiled piece of code: bytes, trap records (offset within the
/// piece, Cranelift trap code) and direct calls to patch (offset of a
/// 32-bit PC-relative field, callee's function index, addend).
pub struct CompiledCode {
    pub bytes: Vec<u8>,
    pub traps: Vec<(u32, ir::TrapCode)>,
    pub calls: Vec<(u32, u32, i64)>,
}

/// How the code is generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompileOptions {
    /// Memories have the 4 GiB + guard reservation (no bounds checks for
    /// small offsets).
    pub guarded: bool,
    /// Size of the guard region after 4 GiB.
    pub guard_size: u64,
    /// Calls within the module jump straight to the callee (PC-relative)
    /// instead of loading its entry from the module's entry table. Faster
    /// by one load, but fixes each call's target for good, so a tiered
    /// engine (which swaps entries) must not use it.
    pub direct_calls: bool,
    /// Check the store's epoch deadline at function entry and loop
    /// headers.
    pub epoch_checks: bool,
    /// Consume fuel (see `strata_environ::fuel`).
    pub fuel: bool,
    /// The module is tiered: functions start in the interpreter and get
    /// native code one by one, so a function's entry may be null, and a
    /// call to it then goes through its array entry. Implies table calls.
    pub tiered: bool,
}

/// Builds the target ISA for this host with Strata's settings.
///
/// # Errors
///
/// When the host is not a target Cranelift supports.
pub fn host_isa() -> Result<OwnedTargetIsa, String> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| {
        f.set(k, v)
            .map_err(|e| format!("cranelift setting {k}={v}: {e}"))
    };
    set(&mut flags, "opt_level", "speed")?;
    // The frontend's output is checked in debug builds of Strata only.
    set(
        &mut flags,
        "enable_verifier",
        if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        },
    )?;
    // Backtraces walk frame pointers.
    set(&mut flags, "preserve_frame_pointers", "true")?;
    // The code is copied to wherever its memory lands.
    set(&mut flags, "is_pic", "false")?;
    // Multi-value functions may return more values than fit in registers:
    // the rest go through a return area the caller provides.
    set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
    let builder = cranelift_native::builder().map_err(|e| format!("unsupported host: {e}"))?;
    builder
        .finish(settings::Flags::new(flags))
        .map_err(|e| format!("cranelift: {e}"))
}

/// The wasm signature with the stack-limit check every function carries.
fn define_stack_limit(func: &mut ir::Function) {
    let vmctx = func.create_global_value(GlobalValueData::VMContext);
    let flags = intern_flags(func, readonly());
    let store = func.create_global_value(GlobalValueData::Load {
        base: vmctx,
        offset: (vmctx_offsets::store as i32).into(),
        global_type: PTR,
        flags,
    });
    let flags = intern_flags(func, MemFlagsData::trusted());
    let limit = func.create_global_value(GlobalValueData::Load {
        base: store,
        offset: (store_offsets::stack_limit as i32).into(),
        global_type: PTR,
        flags,
    });
    func.stack_limit = Some(limit);
}

fn finish(ctx: &mut Context, isa: &OwnedTargetIsa) -> Result<CompiledCode, String> {
    let code = ctx
        .compile(&**isa, &mut ControlPlane::default())
        .map_err(|e| format!("cranelift: {:?}", e.inner))?;
    let buffer = &code.buffer;
    let bytes = buffer.data().to_vec();
    let traps = buffer.traps().iter().map(|t| (t.offset, t.code)).collect();
    let relocs: Vec<_> = buffer
        .relocs()
        .iter()
        .map(|r| (r.offset, r.kind, r.target.clone(), r.addend))
        .collect();
    let mut calls = Vec::new();
    for (offset, kind, target, addend) in relocs {
        // Everything compiled code reaches goes through the VM context; the
        // one relocation is a direct call to a function of the same module.
        // Anything else means Cranelift wanted a library call this host
        // cannot avoid.
        let callee = match (kind, &target) {
            (
                Reloc::X86CallPCRel4,
                FinalizedRelocTarget::ExternalName(ir::ExternalName::User(name)),
            ) => ctx.func.params.user_named_funcs()[*name].index,
            _ => return Err(format!("unsupported relocation {kind:?} to {target:?}")),
        };
        calls.push((offset, callee, addend));
    }
    Ok(CompiledCode {
        bytes,
        traps,
        calls,
    })
}

/// Compiles defined function `func_index` from its body; with `osr`, its
/// on-stack-replacement entry at the loop at that offset instead.
fn compile_function(
    isa: &OwnedTargetIsa,
    env: &FuncEnv<'_>,
    func_index: u32,
    body: &FunctionBody<'_>,
    osr: Option<u32>,
) -> Result<CompiledCode, String> {
    let func = function_ir(isa, env, func_index, body, osr)?;
    let mut ctx = Context::for_function(func);
    finish(&mut ctx, isa)
}

/// The Cranelift IR of a function (or, with `osr`, of its entry at that
/// loop), before any optimization.
fn function_ir(
    isa: &OwnedTargetIsa,
    env: &FuncEnv<'_>,
    func_index: u32,
    body: &FunctionBody<'_>,
    osr: Option<u32>,
) -> Result<ir::Function, String> {
    let ty = env.module.func_type(func_index);
    let sig = match osr {
        None => env::wasm_signature(ty),
        Some(_) => env::osr_signature(ty),
    };
    let mut func = ir::Function::with_name_signature(UserFuncName::user(0, func_index), sig);
    define_stack_limit(&mut func);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    FuncTranslator::translate(&mut b, env, ty, body, osr)?;
    b.finalize(isa.frontend_config());
    Ok(func)
}

/// The array-call trampoline of defined function `defined_index`:
/// `(vmctx, caller_vmctx, args) -> ()` in the host convention. It reads the
/// arguments from the `ValRaw` buffer, calls the function's current entry,
/// and writes the results back.
fn compile_trampoline(
    isa: &OwnedTargetIsa,
    ty: &FuncType,
    defined_index: u32,
) -> Result<CompiledCode, String> {
    let call_conv = isa.default_call_conv();
    let mut sig = Signature::new(call_conv);
    sig.params.extend([AbiParam::new(PTR); 3]);
    let mut func = ir::Function::with_name_signature(UserFuncName::user(1, defined_index), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let p = b.block_params(entry).to_vec();
    let (vmctx, caller, args) = (p[0], p[1], p[2]);
    let mut call_args = vec![vmctx, caller];
    for (i, t) in ty.params().iter().enumerate() {
        let v = b
            .ins()
            .load(clif_type(*t), trusted(), args, (i * 16) as i32);
        call_args.push(v);
    }
    let target = env::load_defined_entry(&mut b, vmctx, defined_index);
    let wasm_sig = b.import_signature(env::wasm_signature(ty));
    let call = b.ins().call_indirect(wasm_sig, target, &call_args);
    let results = b.inst_results(call).to_vec();
    for (i, v) in results.into_iter().enumerate() {
        // Results go back zero-extended, as `ValRaw` holds them.
        let bits = widen(&mut b, v);
        b.ins().store(trusted(), bits, args, (i * 16) as i32);
    }
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
    let mut ctx = Context::for_function(func);
    finish(&mut ctx, isa)
}

/// The trampoline of an on-stack-replacement entry:
/// `(vmctx, caller_vmctx, frame) -> ()` in the host convention, `frame`
/// being the interpreter frame of the function (one 8-byte slot per local,
/// two per `v128`).
/// It calls the entry at `entry` and writes the results into the frame's
/// first slots, where the interpreter expects a returning function's
/// results.
fn compile_osr_trampoline(isa: &OwnedTargetIsa, ty: &FuncType) -> Result<CompiledCode, String> {
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.extend([AbiParam::new(PTR); 3]);
    let mut func = ir::Function::with_name_signature(UserFuncName::user(3, 0), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let block = b.create_block();
    b.append_block_params_for_function_params(block);
    b.switch_to_block(block);
    let p = b.block_params(block).to_vec();
    // The entry is laid out right after this trampoline (see
    // `JitModule::compile_osr`): call it PC-relative.
    let name = b
        .func
        .declare_imported_user_function(ir::UserExternalName::new(0, u32::MAX));
    let osr_sig = b.import_signature(env::osr_signature(ty));
    let callee = b.import_function(ir::ExtFuncData {
        name: ir::ExternalName::user(name),
        signature: osr_sig,
        colocated: true,
        patchable: false,
    });
    let call = b.ins().call(callee, &p);
    let results = b.inst_results(call).to_vec();
    // A `v128` result takes two slots, low half first.
    let mut offset = 0;
    for v in results {
        let bits = widen(&mut b, v);
        b.ins().store(trusted(), bits, p[2], offset);
        offset += b.func.dfg.value_type(bits).bytes().max(8) as i32;
    }
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
    let mut ctx = Context::for_function(func);
    finish(&mut ctx, isa)
}

/// The wasm-to-array trampoline of signature `ty`: a native wasm-call
/// entry for functions that only have an array entry (host functions).
/// Its callee context is the function's `VMFuncRef` itself (a host
/// function's context begins with its function reference). It spills the
/// arguments into a `ValRaw` buffer on its stack, calls `array_call`, and
/// raises [`traps::PROPAGATE`] if that reports a trap.
pub fn compile_wasm_to_array(isa: &OwnedTargetIsa, ty: &FuncType) -> Result<CompiledCode, String> {
    let mut func =
        ir::Function::with_name_signature(UserFuncName::user(2, 0), env::wasm_signature(ty));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let p = b.block_params(entry).to_vec();
    let (funcref, caller) = (p[0], p[1]);
    let len = ty.params().len().max(ty.results().len());
    let slot = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        (len.max(1) * 16) as u32,
        4,
    ));
    let buf = b.ins().stack_addr(PTR, slot, 0);
    for (i, v) in p[2..].iter().enumerate() {
        let bits = widen(&mut b, *v);
        b.ins().store(trusted(), bits, buf, (i * 16) as i32);
    }
    let f = b.ins().load(
        PTR,
        trusted().with_readonly(),
        funcref,
        strata_environ::vmcontext::funcref_offsets::array_call as i32,
    );
    let sig = b.import_signature(env::array_signature(isa.default_call_conv()));
    let n = b.ins().iconst(PTR, len as i64);
    let call = b.ins().call_indirect(sig, f, &[funcref, caller, buf, n]);
    let ok = b.inst_results(call)[0];
    b.ins().trapz(ok, crate::traps::PROPAGATE);
    let rets: Vec<ir::Value> = ty
        .results()
        .iter()
        .enumerate()
        .map(|(i, t)| b.ins().load(clif_type(*t), trusted(), buf, (i * 16) as i32))
        .collect();
    b.ins().return_(&rets);
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
    let mut ctx = Context::for_function(func);
    finish(&mut ctx, isa)
}

/// A value as the low bits of a `ValRaw`: integers and float bits
/// zero-extended to 64 bits.
pub fn widen(b: &mut FunctionBuilder<'_>, v: ir::Value) -> ir::Value {
    match b.func.dfg.value_type(v) {
        types::I32 => b.ins().uextend(types::I64, v),
        types::F32 => {
            let i = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
            b.ins().uextend(types::I64, i)
        }
        types::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), v),
        _ => v,
    }
}

fn func_env<'m>(
    isa: &OwnedTargetIsa,
    module: &'m ModuleInfo,
    options: CompileOptions,
) -> FuncEnv<'m> {
    FuncEnv {
        module,
        host_call_conv: isa.default_call_conv(),
        guarded: options.guarded,
        guard_size: options.guard_size,
        direct_calls: options.direct_calls && !options.tiered,
        epoch_checks: options.epoch_checks,
        fuel: options.fuel,
        tiered: options.tiered,
        direct_self: None,
        known_entries: Vec::new(),
    }
}

/// Compiles `body`, catching a panic of the code generator as an error.
fn compile_body(
    isa: &OwnedTargetIsa,
    env: &FuncEnv<'_>,
    func_index: u32,
    wasm: &[u8],
    range: &Range<usize>,
    osr: Option<u32>,
) -> Result<CompiledCode, String> {
    let bytes = wasm
        .get(range.clone())
        .ok_or_else(|| format!("function {func_index}: body out of range"))?;
    let body = FunctionBody::new(BinaryReader::new(bytes, range.start as u64));
    // A panic inside Cranelift becomes this function's compile error
    // rather than taking the process down.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compile_function(isa, env, func_index, &body, osr)
    }))
    .unwrap_or_else(|_| Err("the code generator panicked".into()))
    .map_err(|e| format!("function {func_index}: {e}"))
}

/// Compiles one defined function of a tiered module and its array
/// trampoline: `(function, trampoline)`. `known_entries` are the native
/// entries installed so far (see `FuncEnv::known_entries`).
///
/// # Errors
///
/// When Cranelift cannot compile the function.
pub fn compile_one(
    isa: &OwnedTargetIsa,
    module: &ModuleInfo,
    wasm: &[u8],
    range: &Range<usize>,
    defined: u32,
    options: CompileOptions,
    known_entries: Vec<usize>,
) -> Result<(CompiledCode, CompiledCode), String> {
    let index = module.num_imported_functions + defined;
    let env = FuncEnv {
        direct_self: Some(index),
        known_entries,
        ..func_env(isa, module, options)
    };
    let func = compile_body(isa, &env, index, wasm, range, None)?;
    let tramp = compile_trampoline(isa, module.func_type(index), defined)?;
    Ok((func, tramp))
}

/// Compiles the on-stack-replacement entry of defined function `defined`
/// at the loop at byte offset `loop_offset`: `(trampoline, entry)`, to be
/// laid out in that order (the trampoline calls the entry PC-relative).
///
/// # Errors
///
/// When the loop is not a valid OSR point or Cranelift fails.
pub fn compile_osr(
    isa: &OwnedTargetIsa,
    module: &ModuleInfo,
    wasm: &[u8],
    range: &Range<usize>,
    (defined, loop_offset): (u32, u32),
    options: CompileOptions,
    known_entries: Vec<usize>,
) -> Result<(CompiledCode, CompiledCode), String> {
    let env = FuncEnv {
        known_entries,
        ..func_env(isa, module, options)
    };
    let index = module.num_imported_functions + defined;
    let entry = compile_body(isa, &env, index, wasm, range, Some(loop_offset))?;
    let tramp = compile_osr_trampoline(isa, module.func_type(index))?;
    Ok((tramp, entry))
}

/// Compiles all defined functions of `module` (bodies at `bodies` in
/// `wasm`) and their trampolines, in parallel. Returns `(functions,
/// trampolines)` by defined index.
///
/// # Errors
///
/// A function Cranelift cannot compile, with its index.
pub fn compile_module(
    isa: &OwnedTargetIsa,
    module: &ModuleInfo,
    wasm: &[u8],
    bodies: &[Range<usize>],
    options: CompileOptions,
) -> Result<(Vec<CompiledCode>, Vec<CompiledCode>), String> {
    let env = func_env(isa, module, options);
    let nimp = module.num_imported_functions;
    let funcs: Vec<CompiledCode> = bodies
        .par_iter()
        .enumerate()
        .map(|(i, range)| compile_body(isa, &env, nimp + i as u32, wasm, range, None))
        .collect::<Result<_, _>>()?;
    let tramps: Vec<CompiledCode> = (0..bodies.len())
        .into_par_iter()
        .map(|i| compile_trampoline(isa, module.func_type(nimp + i as u32), i as u32))
        .collect::<Result<_, _>>()?;
    Ok((funcs, tramps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::dominator_tree::DominatorTree;
    use cranelift_codegen::flowgraph::ControlFlowGraph;
    use cranelift_codegen::loop_analysis::LoopAnalysis;
    use strata_environ::{FuncBodySink, ModuleEnvironment};

    /// Passes over a buffer in one call: a kernel loop and a loop nest
    /// inside the pass loop, and a loop before it.
    const NESTED: &str = r#"
      (module
        (memory 1)
        (func (param $n i32) (param $len i32) (result i64)
          (local $p i32) (local $i i32) (local $j i32) (local $h i64)
          (loop $fill
            (i32.store8 (local.get $i) (local.get $i))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $fill (i32.lt_u (local.get $i) (local.get $len))))
          (loop $pass
            (local.set $i (i32.const 0))
            (loop $kernel
              (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $i)))
                                     (i64.const 0x100000001b3)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $kernel (i32.lt_u (local.get $i) (local.get $len))))
            (local.set $i (i32.const 0))
            (loop $rows
              (local.set $j (i32.const 0))
              (loop $cols
                (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $j))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br_if $cols (i32.lt_u (local.get $j) (i32.const 8))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $rows (i32.lt_u (local.get $i) (i32.const 8))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $p) (local.get $n))))
          (local.get $h)))
    "#;

    /// The depth of each loop Cranelift finds in function 0 of `wat`,
    /// compiled whole or as the entry at its `osr`-th `loop` (sorted).
    fn loop_depths(wat: &str, osr: Option<usize>) -> Vec<usize> {
        let wasm = wat::parse_str(wat).unwrap();
        let mut sink = crate::JitCompiler::new();
        let info = ModuleEnvironment::new(strata_environ::supported_features())
            .translate(&wasm, &mut sink)
            .unwrap();
        sink.finish_bodies(
            strata_environ::ModuleBinary::Borrowed(&wasm),
            strata_environ::supported_features(),
        )
        .unwrap();
        let range = sink.bodies[0].clone();
        let body = FunctionBody::new(BinaryReader::new(&wasm[range.clone()], range.start as u64));
        let mut loops = Vec::new();
        let mut ops = body.get_operators_reader().unwrap();
        while !ops.eof() {
            let pos = ops.original_position() as u32;
            if let wasmparser::Operator::Loop { .. } = ops.read().unwrap() {
                loops.push(pos);
            }
        }
        let options = CompileOptions {
            guarded: true,
            guard_size: 0,
            direct_calls: false,
            epoch_checks: false,
            fuel: false,
            tiered: true,
        };
        let isa = crate::isa().unwrap();
        let env = func_env(isa, &info, options);
        let func = function_ir(isa, &env, 0, &body, osr.map(|i| loops[i])).unwrap();
        let cfg = ControlFlowGraph::with_function(&func);
        let domtree = DominatorTree::with_function(&func, &cfg);
        let mut analysis = LoopAnalysis::new();
        analysis.compute(&func, &cfg, &domtree);
        let mut depths: Vec<usize> = analysis
            .loops()
            .map(|lp| std::iter::successors(Some(lp), |l| analysis.loop_parent(*l)).count())
            .collect();
        depths.sort_unstable();
        depths
    }

    #[test]
    fn an_osr_entry_keeps_the_loop_nest_of_the_function() {
        // $fill, $pass; $kernel and $rows in $pass; $cols in $rows.
        assert_eq!(loop_depths(NESTED, None), [1, 1, 2, 2, 3]);
        // Entered at $pass: $fill is behind the entry.
        assert_eq!(loop_depths(NESTED, Some(1)), [1, 2, 2, 3]);
        // Entered at $kernel or $cols, inside $pass: the same nest. A
        // jump straight to their headers would make one loop of $pass and
        // the entered loop ([1, 2, 3] or [1, 2]).
        assert_eq!(loop_depths(NESTED, Some(2)), [1, 2, 2, 3]);
        assert_eq!(loop_depths(NESTED, Some(4)), [1, 2, 2, 3]);
    }
}
