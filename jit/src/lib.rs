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
pub use entry::{array_call, osr_call};

use code_memory::CodeMemory;
use cranelift_codegen::isa::OwnedTargetIsa;
use entry::JitModuleCode;
use std::ops::Range;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use strata_environ::vmcontext::VMCompiledModule;
use strata_environ::{FuncBodySink, ModuleInfo, WasmError};
use wasmparser::{FuncToValidate, FunctionBody, ValidatorResources};

/// The distance in bytes between the start offsets (within a page) of
/// successive code publishes of a tiered module: 37 cache lines, so that
/// 64 publishes in a row start on 64 different lines of a 4 KiB page.
const LATER_CODE_STRIDE: usize = 37 * 64;

/// Remembers where function bodies are while the module is decoded, and
/// validates them once it is (on several threads, see
/// [`DeferredBodies`](strata_environ::DeferredBodies));
/// [`JitCompiler::finish`] compiles them.
#[derive(Default)]
pub struct JitCompiler {
    bodies: Vec<Range<usize>>,
    unvalidated: strata_environ::DeferredBodies,
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

/// What compiled code depends on in its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDescription {
    /// The target triple.
    pub triple: String,
    /// The CPU features Cranelift may use on this host (its enabled ISA
    /// flags); code compiled here may need any of them.
    pub cpu_features: Vec<String>,
    /// Cranelift's shared settings (optimization level, frame pointers,
    /// ...), as one string.
    pub settings: String,
}

/// This host's target, as the JIT compiles for it.
///
/// # Errors
///
/// When Cranelift does not support the host.
pub fn target() -> Result<TargetDescription, String> {
    let isa = isa()?;
    Ok(TargetDescription {
        triple: isa.triple().to_string(),
        cpu_features: isa
            .isa_flags()
            .iter()
            .filter(|v| v.as_bool() == Some(true))
            .map(|v| v.name.to_string())
            .collect(),
        settings: isa.flags().to_string(),
    })
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
        to_validate: FuncToValidate<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), WasmError> {
        let r = body.range();
        self.bodies.push(r.start as usize..r.end as usize);
        self.unvalidated
            .push(to_validate, r.start as usize..r.end as usize);
        Ok(())
    }

    fn finish_bodies(
        &mut self,
        wasm: strata_environ::ModuleBinary<'_>,
        features: strata_environ::WasmFeatures,
    ) -> Result<(), WasmError> {
        std::mem::take(&mut self.unvalidated).validate_all(wasm, features)
    }
}

/// A module's compiled code, published and registered for trap handling.
pub struct JitModule {
    /// What instances' `jit_code` points at.
    code: Box<JitModuleCode>,
    /// Native entry of each defined function; `code.compiled.entries`
    /// points here.
    entries: Box<[AtomicPtr<u8>]>,
    /// Array trampoline of each defined function; `code.trampolines`
    /// points here. In a tiered module, 0 until the function is compiled.
    trampolines: Box<[AtomicUsize]>,
    options: CompileOptions,
    layout: CodeLayout,
    /// Code compiled after the module was published (tiered functions and
    /// OSR entries), kept as long as the module: frames may still run it.
    later: Mutex<Vec<(registry::Registration, CodeMemory)>>,
    /// How many times code was published into `later`.
    published_later: AtomicUsize,
    // Dropped in this order: unregister before unmapping.
    _registration: Option<registry::Registration>,
    memory: CodeMemory,
}

// SAFETY: the raw pointers in `code` point into `entries` and
// `trampolines`, owned by the same value and never moved (boxed slices);
// the code memory is immutable once published.
unsafe impl Send for JitModule {}
// SAFETY: as above; entries are atomics.
unsafe impl Sync for JitModule {}

/// Where everything lies in a module's text: what an AOT artifact stores
/// beside the code to rebuild a [`JitModule`] from it. Offsets are from the
/// start of the text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeLayout {
    /// Bytes of text in use.
    pub text_len: u64,
    /// `(offset, length)` of each defined function.
    pub funcs: Vec<(u64, u64)>,
    /// `(offset, length)` of each defined function's array trampoline.
    pub trampolines: Vec<(u64, u64)>,
    /// Trap sites: offset and Cranelift's trap code byte.
    pub traps: Vec<(u64, u8)>,
    /// How many functions the module imports.
    pub num_imported_funcs: u32,
}

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
        let (memory, offsets) = CodeMemory::publish_patched(&pieces, 0, |code, offsets| {
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
        let piece =
            |(c, off): (&compile::CompiledCode, &usize)| (*off as u64, c.bytes.len() as u64);
        let mut traps = Vec::new();
        for (c, off) in funcs.iter().chain(&tramps).zip(&offsets) {
            for (o, code) in &c.traps {
                traps.push((*off as u64 + u64::from(*o), code.as_raw().get()));
            }
        }
        traps.sort_unstable();
        let layout = CodeLayout {
            text_len: pieces
                .last()
                .zip(offsets.last())
                .map_or(0, |(p, o)| (o + p.len()) as u64),
            funcs: funcs.iter().zip(&offsets).map(piece).collect(),
            trampolines: tramps
                .iter()
                .zip(&offsets[funcs.len()..])
                .map(piece)
                .collect(),
            traps,
            num_imported_funcs: nimp,
        };
        JitModule::from_parts(memory, layout, options)
    }

    /// Rebuilds a module from code laid out as `layout` says: entry table,
    /// trampolines, trap registration.
    ///
    /// # Errors
    ///
    /// When the layout does not fit the code.
    fn from_parts(
        memory: CodeMemory,
        layout: CodeLayout,
        options: CompileOptions,
    ) -> Result<JitModule, String> {
        let start = memory.start();
        let in_text = |(off, len): &(u64, u64)| {
            off.checked_add(*len)
                .is_some_and(|end| end <= layout.text_len && end as usize <= memory.len())
        };
        if !layout.funcs.iter().chain(&layout.trampolines).all(in_text)
            || layout.funcs.len() != layout.trampolines.len()
        {
            return Err("the code layout does not fit the code".into());
        }
        let nimp = layout.num_imported_funcs;
        let mut ranges = Vec::new();
        for (i, (off, len)) in layout.funcs.iter().enumerate() {
            let at = start + *off as usize;
            ranges.push((at, at + *len as usize, Some(nimp + i as u32)));
        }
        for (off, len) in &layout.trampolines {
            let at = start + *off as usize;
            ranges.push((at, at + *len as usize, None));
        }
        ranges.sort_unstable_by_key(|r| r.0);
        let trap_sites: Vec<(usize, traps::TrapKind)> = layout
            .traps
            .iter()
            .filter_map(|(off, code)| {
                let code =
                    cranelift_codegen::ir::TrapCode::from_raw(std::num::NonZeroU8::new(*code)?);
                Some((start + *off as usize, traps::from_clif(code)?))
            })
            .collect();
        let entries: Box<[AtomicPtr<u8>]> = layout
            .funcs
            .iter()
            .map(|(o, _)| AtomicPtr::new((start + *o as usize) as *mut u8))
            .collect();
        let trampolines: Box<[AtomicUsize]> = layout
            .trampolines
            .iter()
            .map(|(o, _)| AtomicUsize::new(start + *o as usize))
            .collect();
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
            layout,
            later: Mutex::new(Vec::new()),
            published_later: AtomicUsize::new(0),
            _registration: Some(registration),
            memory,
        })
    }

    /// A tiered module's code before any function is compiled: every entry
    /// is null (callers use the functions' array entries, which
    /// interpret), until [`JitModule::compile_function`] installs one.
    /// `options.tiered` must be set.
    ///
    /// # Errors
    ///
    /// When the host refuses memory. (Whether Cranelift supports the host
    /// shows at the first compile, which then leaves functions
    /// interpreted.)
    pub fn new_tiered(info: &ModuleInfo, options: CompileOptions) -> Result<JitModule, String> {
        let n = info.num_defined_functions() as usize;
        let entries: Box<[AtomicPtr<u8>]> = (0..n)
            .map(|_| AtomicPtr::new(std::ptr::null_mut()))
            .collect();
        let trampolines: Box<[AtomicUsize]> = (0..n).map(|_| AtomicUsize::new(0)).collect();
        let code = Box::new(JitModuleCode {
            compiled: VMCompiledModule {
                entries: entries.as_ptr().cast(),
                num_entries: entries.len(),
            },
            trampolines: trampolines.as_ptr(),
            num_imported_funcs: info.num_imported_functions,
        });
        let (memory, _) = CodeMemory::publish(&[])?;
        Ok(JitModule {
            code,
            entries,
            trampolines,
            options: CompileOptions {
                tiered: true,
                direct_calls: false,
                ..options
            },
            layout: CodeLayout {
                text_len: 0,
                funcs: Vec::new(),
                trampolines: Vec::new(),
                traps: Vec::new(),
                num_imported_funcs: info.num_imported_functions,
            },
            later: Mutex::new(Vec::new()),
            published_later: AtomicUsize::new(0),
            _registration: None,
            memory,
        })
    }

    /// Publishes `pieces` and registers them; `funcs[i]` is the wasm
    /// function index of piece `i`, if it is a function. A direct call to
    /// `u32::MAX` goes to the piece after the caller (an OSR trampoline's
    /// entry), one to a function index to the first piece that is that
    /// function (a function calling itself). Returns each piece's address.
    fn publish_later(
        &self,
        pieces: &[&compile::CompiledCode],
        funcs: &[Option<u32>],
    ) -> Result<Vec<usize>, String> {
        let bytes: Vec<&[u8]> = pieces.iter().map(|c| c.bytes.as_slice()).collect();
        // Each publish gets fresh pages. Were every function to start at
        // the same offset in its page, their branches and returns would
        // collide in the CPU's branch predictors and cache sets, which
        // index by the low address bits: a loop calling 16 small tiered
        // functions through a table ran 15% slower than the same code
        // packed by a whole-module compile. Successive publishes start at
        // different cache lines instead.
        let nth = self.published_later.fetch_add(1, Ordering::Relaxed);
        let lead = nth.wrapping_mul(LATER_CODE_STRIDE) % 4096;
        let (memory, offsets) = CodeMemory::publish_patched(&bytes, lead, |code, offsets| {
            for (i, (c, at)) in pieces.iter().zip(offsets).enumerate() {
                for (off, callee, addend) in &c.calls {
                    let target = if *callee == u32::MAX {
                        offsets.get(i + 1).copied()
                    } else {
                        funcs
                            .iter()
                            .position(|f| *f == Some(*callee))
                            .and_then(|j| offsets.get(j).copied())
                    };
                    let target = target
                        .ok_or("a direct call in tiered code to code not published with it")?;
                    let site = at + *off as usize;
                    let disp = i32::try_from(target as i64 + addend - site as i64)
                        .map_err(|_| "direct call out of range".to_string())?;
                    code[site..site + 4].copy_from_slice(&disp.to_le_bytes());
                }
            }
            Ok(())
        })?;
        let start = memory.start();
        let addrs: Vec<usize> = offsets.iter().map(|o| start + o).collect();
        let mut ranges: Vec<(usize, usize, Option<u32>)> = pieces
            .iter()
            .zip(&addrs)
            .zip(funcs)
            .map(|((c, at), f)| (*at, at + c.bytes.len(), *f))
            .collect();
        ranges.sort_unstable_by_key(|r| r.0);
        let mut traps = Vec::new();
        for (c, at) in pieces.iter().zip(&addrs) {
            for (o, code) in &c.traps {
                if let Some(kind) = traps::from_clif(*code) {
                    traps.push((at + *o as usize, kind));
                }
            }
        }
        traps.sort_unstable_by_key(|t| t.0);
        let registration = registry::register(registry::CodeInfo {
            start,
            end: start + memory.len(),
            funcs: ranges,
            traps,
            module: &*self.code as *const JitModuleCode as usize,
        });
        self.later
            .lock()
            .map_err(|_| "code list poisoned")?
            .push((registration, memory));
        Ok(addrs)
    }

    /// Compiles defined function `defined` of this tiered module (`info`
    /// and `wasm` are the module's; `range` is where its body lies) and
    /// installs it: once this returns, the function's entry and array
    /// trampoline are its native code, executable and registered for
    /// traps. Returns the native (`wasm_call`) entry. Safe to call from any
    /// thread while instances run; frames already running keep running
    /// what they started in.
    ///
    /// # Errors
    ///
    /// When Cranelift cannot compile the function; the module is left as
    /// it was.
    pub fn compile_function(
        &self,
        info: &ModuleInfo,
        wasm: &[u8],
        range: &Range<usize>,
        defined: u32,
    ) -> Result<*const u8, String> {
        let slot = self
            .entries
            .get(defined as usize)
            .ok_or("no such function")?;
        let isa = isa()?;
        let (func, tramp) = compile::compile_one(
            isa,
            info,
            wasm,
            range,
            defined,
            self.options,
            self.known_entries(),
        )?;
        let index = info.num_imported_functions + defined;
        let addrs = self.publish_later(&[&func, &tramp], &[Some(index), None])?;
        // The trampoline loads the entry, so it may go first; the entry is
        // what makes callers switch.
        self.trampolines[defined as usize].store(addrs[1], Ordering::Release);
        slot.store(addrs[0] as *mut u8, Ordering::Release);
        Ok(addrs[0] as *const u8)
    }

    /// The native entry of each defined function installed so far, or 0.
    fn known_entries(&self) -> Vec<usize> {
        self.entries
            .iter()
            .map(|e| e.load(Ordering::Acquire) as usize)
            .collect()
    }

    /// Compiles the on-stack-replacement entry of defined function
    /// `defined` at the loop whose `loop` operator is at byte offset
    /// `loop_offset`, and returns its trampoline for [`osr_call`].
    ///
    /// # Errors
    ///
    /// When the loop cannot be entered (it has parameters or values below
    /// it on the stack) or Cranelift fails.
    pub fn compile_osr(
        &self,
        info: &ModuleInfo,
        wasm: &[u8],
        range: &Range<usize>,
        defined: u32,
        loop_offset: u32,
    ) -> Result<usize, String> {
        let isa = isa()?;
        let (tramp, entry) = compile::compile_osr(
            isa,
            info,
            wasm,
            range,
            (defined, loop_offset),
            self.options,
            self.known_entries(),
        )?;
        let index = info.num_imported_functions + defined;
        let addrs = self.publish_later(&[&tramp, &entry], &[None, Some(index)])?;
        Ok(addrs[0])
    }

    /// Loads a module from an artifact's file mapping whose byte range
    /// `text` holds code laid out as `layout` says, compiled with
    /// `options`. The text is made executable in place.
    ///
    /// # Errors
    ///
    /// When the text cannot be made executable or the layout does not fit.
    ///
    /// # Safety
    ///
    /// The text must be code that this version of Strata compiled for this
    /// host with `options`, laid out as `layout` says: it will be executed
    /// as is. An artifact's checks (format, version, settings, CPU
    /// features, checksum) make an accident unlikely; they cannot make a
    /// file from an untrusted source safe.
    pub unsafe fn from_file_mapping(
        mapping: memmap2::Mmap,
        text: Range<usize>,
        layout: CodeLayout,
        options: CompileOptions,
    ) -> Result<JitModule, String> {
        let memory = if text.is_empty() {
            // A module without functions has no code to map.
            CodeMemory::publish(&[])?.0
        } else {
            CodeMemory::from_file_mapping(mapping, text)?
        };
        JitModule::from_parts(memory, layout, options)
    }

    /// As [`JitModule::from_file_mapping`], copying `text` into fresh code
    /// memory.
    ///
    /// # Errors
    ///
    /// As [`JitModule::from_file_mapping`].
    ///
    /// # Safety
    ///
    /// As [`JitModule::from_file_mapping`].
    pub unsafe fn from_text(
        text: &[u8],
        layout: CodeLayout,
        options: CompileOptions,
    ) -> Result<JitModule, String> {
        let (memory, _) = CodeMemory::publish(&[text])?;
        JitModule::from_parts(memory, layout, options)
    }

    /// The code, as laid out in [`JitModule::layout`].
    pub fn text(&self) -> &[u8] {
        let len = (self.layout.text_len as usize).min(self.memory.len());
        &self.memory.bytes()[..len]
    }

    /// Where the functions and trap sites lie in [`JitModule::text`].
    pub fn layout(&self) -> &CodeLayout {
        &self.layout
    }

    /// What instances of this module store in `VMContext::jit_code`.
    pub fn jit_code(&self) -> *const std::ffi::c_void {
        (&*self.code as *const JitModuleCode).cast()
    }

    /// The native entry of defined function `index` (null while a tiered
    /// function is not compiled).
    pub fn wasm_call(&self, index: usize) -> *const u8 {
        self.entries[index].load(Ordering::Acquire)
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
