//! Strata's compiling tier: every function compiled to native code with
//! Cranelift.
//!
//! The tier plugs into the same store and instance model as the
//! interpreter. What it adds:
//!
//! - **Compilation** ([`JitCompiler`]): bodies are validated while the
//!   module is decoded, then all functions compile in parallel (`rayon`)
//!   with Cranelift (`opt_level=speed`), each into position-independent
//!   code that reaches everything through its [`VMContext`] — no
//!   relocations — so the same bytes could be written to a file and mapped
//!   back (the AOT cache builds on that).
//! - **One calling convention** (`env.rs`): a compiled function takes its
//!   instance's context, the caller's context and its wasm parameters
//!   (Cranelift's `tail` convention). Calls within a module go through the
//!   module's entry table ([`VMCompiledModule`]) — one load and an indirect
//!   call — so a function's code can later be swapped with one store.
//!   Imports and functions of other instances are entered through their
//!   `VMFuncRef`'s array entry, like any caller would.
//! - **Guard pages instead of bounds checks**: with
//!   [`CompileOptions::guarded`], a 32-bit memory access whose static
//!   offset stays within the guard region is emitted without a check; an
//!   access past the memory faults in the reservation's `PROT_NONE` pages.
//! - **Traps from signals** (`signals.rs`, `entry.rs`, `registry.rs`):
//!   faults at recorded trap sites become trap values with a backtrace
//!   walked along frame pointers, and the thread resumes at the entry of
//!   the activation.
//!
//! # The life of a call
//!
//! The runtime calls a compiled function's `VMFuncRef::array_call`, which
//! is [`array_call`]: it opens an activation and enters the function's
//! array trampoline through a small assembly stub. The trampoline unpacks
//! the `ValRaw` arguments, calls the function's native code, and packs the
//! results. A trap anywhere below unwinds straight back to the stub.
//!
//! [`VMContext`]: strata_environ::vmcontext::VMContext
//! [`VMCompiledModule`]: strata_environ::vmcontext::VMCompiledModule

mod altstack;
mod code_memory;
mod compile;
mod entry;
mod env;
mod registry;
mod signals;
mod translate;
mod traps;

pub use compile::CompileOptions;
pub use entry::array_call;

use code_memory::CodeMemory;
use cranelift_codegen::isa::OwnedTargetIsa;
use entry::JitModuleCode;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::AtomicPtr;
use strata_environ::vmcontext::VMCompiledModule;
use strata_environ::{FuncBodySink, ModuleInfo, WasmError};
use wasmparser::{FuncValidator, FunctionBody, ValidatorResources};

/// Validates function bodies while the module is decoded and remembers
/// where they are; [`JitCompiler::finish`] compiles them.
#[derive(Default)]
pub struct JitCompiler {
    bodies: Vec<Range<usize>>,
}

impl JitCompiler {
    /// A compiler with no functions yet.
    pub fn new() -> JitCompiler {
        JitCompiler::default()
    }

    /// Compiles every function of the validated module `info` (whose
    /// binary is `wasm`) and publishes the code.
    ///
    /// # Errors
    ///
    /// When Cranelift cannot compile a function for this host, or the host
    /// refuses executable memory.
    pub fn finish(
        self,
        info: &ModuleInfo,
        wasm: &[u8],
        options: CompileOptions,
    ) -> Result<JitModule, String> {
        let isa = isa()?;
        let (funcs, tramps) = compile::compile_module(isa, info, wasm, &self.bodies, options)?;
        JitModule::publish(info, funcs, tramps, options)
    }
}

/// The native wasm-call entry for host functions of signature `ty`: a
/// trampoline into the function's array entry, compiled once per signature
/// and kept for the life of the process.
///
/// # Errors
///
/// When Cranelift cannot compile for this host.
pub fn wasm_to_array_trampoline(ty: &strata_environ::FuncType) -> Result<*const u8, String> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: Mutex<Option<HashMap<strata_environ::FuncType, usize>>> = Mutex::new(None);
    let mut cache = CACHE.lock().map_err(|_| "trampoline cache poisoned")?;
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(p) = cache.get(ty) {
        return Ok(*p as *const u8);
    }
    let code = compile::compile_wasm_to_array(isa()?, ty)?;
    let (memory, offsets) = CodeMemory::publish(&[&code.bytes])?;
    let start = memory.start() + offsets[0];
    let registration = registry::register(registry::CodeInfo {
        start: memory.start(),
        end: memory.start() + memory.len(),
        funcs: vec![(start, start + code.bytes.len(), None)],
        traps: code
            .traps
            .iter()
            .filter_map(|(o, c)| Some((start + *o as usize, traps::from_clif(*c)?)))
            .collect(),
        module: 0,
    });
    // Trampolines live as long as the process: host functions anywhere
    // may point at them.
    std::mem::forget(registration);
    std::mem::forget(memory);
    cache.insert(ty.clone(), start);
    Ok(start as *const u8)
}

fn isa() -> Result<&'static OwnedTargetIsa, String> {
    static ISA: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(compile::host_isa)
        .as_ref()
        .map_err(Clone::clone)
}

impl FuncBodySink for JitCompiler {
    fn translate_body(
        &mut self,
        _module: &ModuleInfo,
        _func_index: u32,
        mut validator: FuncValidator<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), WasmError> {
        validator.validate(&body)?;
        let r = body.range();
        self.bodies.push(r.start as usize..r.end as usize);
        Ok(())
    }
}

/// A module's compiled code, published and registered for trap handling.
pub struct JitModule {
    /// What instances' `module_code` points at.
    code: Box<JitModuleCode>,
    /// Native entry of each defined function; `code.compiled.entries`
    /// points here.
    entries: Box<[AtomicPtr<u8>]>,
    /// Array trampoline of each defined function; `code.trampolines`
    /// points here.
    trampolines: Box<[usize]>,
    options: CompileOptions,
    // Dropped in this order: unregister before unmapping.
    _registration: registry::Registration,
    _memory: CodeMemory,
}

// SAFETY: the raw pointers in `code` point into `entries` and
// `trampolines`, owned by the same value and never moved (boxed slices);
// the code memory is immutable once published.
unsafe impl Send for JitModule {}
// SAFETY: as above; entries are atomics.
unsafe impl Sync for JitModule {}

impl JitModule {
    fn publish(
        info: &ModuleInfo,
        funcs: Vec<compile::CompiledCode>,
        tramps: Vec<compile::CompiledCode>,
        options: CompileOptions,
    ) -> Result<JitModule, String> {
        let pieces: Vec<&[u8]> = funcs
            .iter()
            .chain(&tramps)
            .map(|c| c.bytes.as_slice())
            .collect();
        let nimp = info.num_imported_functions;
        let (memory, offsets) = CodeMemory::publish_patched(&pieces, |code, offsets| {
            // Direct calls: a 32-bit displacement from the end of the field
            // (the addend accounts for it) to the callee's first byte.
            for (c, at) in funcs.iter().zip(offsets) {
                for (off, callee, addend) in &c.calls {
                    let site = at + *off as usize;
                    let target = offsets[(*callee - nimp) as usize];
                    let disp = i32::try_from(target as i64 + addend - site as i64)
                        .map_err(|_| "direct call out of range".to_string())?;
                    code[site..site + 4].copy_from_slice(&disp.to_le_bytes());
                }
            }
            Ok(())
        })?;
        let start = memory.start();
        let mut ranges = Vec::new();
        let mut trap_sites = Vec::new();
        for (i, (c, off)) in funcs.iter().chain(&tramps).zip(&offsets).enumerate() {
            let at = start + off;
            let func = (i < funcs.len()).then_some(nimp + i as u32);
            ranges.push((at, at + c.bytes.len(), func));
            for (o, code) in &c.traps {
                if let Some(kind) = traps::from_clif(*code) {
                    trap_sites.push((at + *o as usize, kind));
                }
            }
        }
        trap_sites.sort_by_key(|(at, _)| *at);
        let entries: Box<[AtomicPtr<u8>]> = offsets[..funcs.len()]
            .iter()
            .map(|o| AtomicPtr::new((start + o) as *mut u8))
            .collect();
        let trampolines: Box<[usize]> = offsets[funcs.len()..].iter().map(|o| start + o).collect();
        let code = Box::new(JitModuleCode {
            compiled: VMCompiledModule {
                entries: entries.as_ptr().cast(),
                num_entries: entries.len(),
            },
            trampolines: trampolines.as_ptr(),
            num_imported_funcs: nimp,
        });
        let registration = registry::register(registry::CodeInfo {
            start,
            end: start + memory.len(),
            funcs: ranges,
            traps: trap_sites,
            module: &*code as *const JitModuleCode as usize,
        });
        Ok(JitModule {
            code,
            entries,
            trampolines,
            options,
            _registration: registration,
            _memory: memory,
        })
    }

    /// What instances of this module store in `VMContext::module_code`.
    pub fn module_code(&self) -> *const std::ffi::c_void {
        (&*self.code as *const JitModuleCode).cast()
    }

    /// The native entry of defined function `index`.
    pub fn wasm_call(&self, index: usize) -> *const u8 {
        self.entries[index].load(std::sync::atomic::Ordering::Acquire)
    }

    /// How the code was generated.
    pub fn options(&self) -> CompileOptions {
        self.options
    }

    /// The number of defined functions.
    pub fn num_funcs(&self) -> usize {
        self.trampolines.len()
    }
}
