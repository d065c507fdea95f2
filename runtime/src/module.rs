//! Compiled modules.

use crate::config::{Engine, Tier};
use crate::error::{Error, Result};
use crate::tier::{TierSettings, TierState};
use std::path::Path;
use std::sync::Arc;
use strata_aot::cache::Cache;
use strata_environ::vmcontext::VMSharedTypeIndex;
use strata_environ::{
    EntityIndex, FuncType, GlobalType, MemoryType, ModuleEnvironment, ModuleInfo, TableType,
};
use strata_interp::{InterpCompiler, InterpModule};
use strata_jit::{CompileOptions, JitCompiler, JitModule};

/// How an engine's JIT compiles whole modules (JIT tier, artifacts, the
/// cache).
fn jit_options(engine: &Engine) -> CompileOptions {
    CompileOptions {
        guarded: engine.config().guard_pages,
        guard_size: crate::memory::GUARD_SIZE as u64,
        direct_calls: engine.config().jit_direct_calls,
        epoch_checks: engine.config().epoch_interruption,
        fuel: engine.config().consume_fuel,
        tiered: false,
    }
}

/// Validates `wasm` and compiles all of it, as the JIT tier does.
fn compile_whole(engine: &Engine, wasm: &Arc<[u8]>) -> Result<(ModuleInfo, JitModule)> {
    let mut compiler = JitCompiler::new();
    let info =
        ModuleEnvironment::new(engine.config().features).translate_shared(wasm, &mut compiler)?;
    let code = compiler
        .finish(&info, wasm, jit_options(engine))
        .map_err(|e| Error::Compile(strata_environ::WasmError::new(e, 0)))?;
    Ok((info, code))
}

/// The settings an artifact must have been compiled with to run on
/// `engine`.
fn artifact_settings(engine: &Engine) -> Result<(CompileOptions, u64)> {
    if !engine.tier().compiles() {
        return Err(Error::Usage(
            "artifacts hold compiled code: load them with an engine using `Tier::Jit` or `Tier::Auto`"
                .into(),
        ));
    }
    Ok((jit_options(engine), engine.config().features.bits()))
}

/// A module's code, as the engine's tier produced it.
pub(crate) enum ModuleCode {
    Interp(InterpModule),
    Jit(JitModule),
    /// Both: the interpreter's code, and native code added function by
    /// function.
    Tiered(InterpModule, Arc<TierState>),
}

impl ModuleCode {
    /// What instances store in `VMContext::interp_code` and
    /// `VMContext::jit_code`.
    pub(crate) fn vm_pointers(&self) -> (*const std::ffi::c_void, *const std::ffi::c_void) {
        let interp = |m: &InterpModule| (m as *const InterpModule).cast();
        match self {
            ModuleCode::Interp(m) => (interp(m), std::ptr::null()),
            ModuleCode::Jit(m) => (std::ptr::null(), m.jit_code()),
            ModuleCode::Tiered(m, t) => (interp(m), t.jit.jit_code()),
        }
    }

    /// The array-call entry of the module's defined functions.
    pub(crate) fn array_call(&self) -> strata_environ::vmcontext::VMArrayCallFn {
        match self {
            // A tiered function's array entry is the interpreter's, which
            // passes the call on to native code once there is some.
            ModuleCode::Interp(_) | ModuleCode::Tiered(..) => strata_interp::array_call,
            ModuleCode::Jit(_) => strata_jit::array_call,
        }
    }

    /// The native entry of defined function `index`, if the tier has one
    /// (a tiered module's instances get theirs from `TierState::register`).
    pub(crate) fn wasm_call(
        &self,
        index: usize,
    ) -> Option<std::ptr::NonNull<strata_environ::vmcontext::VMWasmCallFunction>> {
        match self {
            ModuleCode::Interp(_) | ModuleCode::Tiered(..) => None,
            ModuleCode::Jit(m) => std::ptr::NonNull::new(m.wasm_call(index).cast_mut().cast()),
        }
    }

    /// Whether the code relies on guard pages for memory bounds.
    pub(crate) fn needs_guarded_memories(&self) -> bool {
        match self {
            ModuleCode::Interp(_) => false,
            ModuleCode::Jit(m) => m.options().guarded,
            ModuleCode::Tiered(_, t) => t.jit.options().guarded,
        }
    }

    /// The tier state of a tiered module.
    pub(crate) fn tiered(&self) -> Option<&Arc<TierState>> {
        match self {
            ModuleCode::Tiered(_, t) => Some(t),
            _ => None,
        }
    }
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
}

pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) info: Arc<ModuleInfo>,
    pub(crate) code: ModuleCode,
    pub(crate) bytes: Arc<[u8]>,
    pub(crate) type_ids: Box<[VMSharedTypeIndex]>,
    /// Where the code came from.
    pub(crate) origin: CodeOrigin,
}

impl Drop for ModuleInner {
    fn drop(&mut self) {
        let config = self.engine.config();
        let (Some(cache), Some(tiered)) = (config.cache.as_ref(), self.code.tiered()) else {
            return;
        };
        if !config.cache_tiered_on_drop || !tiered.any_native() {
            return;
        }
        // The next start finds the whole module compiled. Any failure
        // only costs that start its speed.
        let options = jit_options(&self.engine);
        let features = config.features.bits();
        let Ok(key) = Cache::key(&self.bytes, &options, features) else {
            return;
        };
        if let Ok((info, code)) = compile_whole(&self.engine, &self.bytes)
            && let Ok(bytes) = strata_aot::serialize(&info, &self.bytes, &code, features)
        {
            let _ = cache.store(&key, &bytes);
        }
    }
}

/// Where a module's code came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOrigin {
    /// Translated or compiled when the module was created.
    Compiled,
    /// Mapped from the compile cache.
    Cache,
    /// Loaded from an artifact ([`Module::deserialize`] and friends).
    Artifact,
}

/// A validated and translated WebAssembly module, ready to instantiate any
/// number of times. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.inner.info.name)
            .finish()
    }
}

/// The contents of the file at `path`, read straight into the shared
/// buffer a module keeps.
fn read_shared(path: &Path) -> std::io::Result<Arc<[u8]>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
    // A run of known length collects into one allocation, filled in place.
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0, len).collect();
    let Some(buf) = Arc::get_mut(&mut bytes) else {
        return Err(std::io::Error::other("a new buffer is shared"));
    };
    file.read_exact(buf)?;
    // A length of 0 may mean a pipe or a special file; one that grew since
    // its length was taken also has more.
    let mut rest = Vec::new();
    file.read_to_end(&mut rest)?;
    if rest.is_empty() {
        Ok(bytes)
    } else {
        Ok(bytes.iter().chain(&rest).copied().collect())
    }
}

/// Turns WebAssembly text into binary; binary passes through.
pub(crate) fn wasm_bytes(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    let looks_like_text = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'(' || *b == b';');
    if !looks_like_text {
        return Err(Error::Compile(strata_environ::WasmError::new(
            "not a WebAssembly module: no binary magic header (\\0asm) and not text",
            0,
        )));
    }
    wat::parse_bytes(bytes).map_err(|e| Error::Text(e.to_string()))
}

impl Module {
    /// Validates and translates a module from its binary or text form.
    ///
    /// # Errors
    ///
    /// [`Error::Text`] for text that does not parse, [`Error::Compile`] for
    /// a malformed or invalid module.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let wasm = wasm_bytes(bytes.as_ref())?;
        Module::from_binary(engine, &wasm)
    }

    /// Validates and translates a module binary.
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] for a malformed or invalid module.
    pub fn from_binary(engine: &Engine, wasm: &[u8]) -> Result<Module> {
        Module::from_shared_binary(engine, wasm.into())
    }

    /// [`Module::from_binary`] for a binary already in the `Arc` the
    /// module keeps (a lazily translated module reads its bodies from it
    /// later), so a large module is not copied once more.
    fn from_shared_binary(engine: &Engine, bytes: Arc<[u8]>) -> Result<Module> {
        let wasm = &bytes[..];
        let env = ModuleEnvironment::new(engine.config().features);
        let (info, code) = match engine.tier() {
            Tier::Interpreter => {
                let mut compiler = Module::interp_compiler(engine);
                let info = Arc::new(env.translate_shared(&bytes, &mut compiler)?);
                let code = compiler.finish(info.clone(), bytes.clone());
                (info, ModuleCode::Interp(code))
            }
            Tier::Auto => {
                // A module the cache holds runs compiled from the start.
                if let Some(module) = Module::from_cache(engine, wasm)? {
                    return Ok(module);
                }
                let mut compiler = Module::interp_compiler(engine).with_tiering(true);
                let info = Arc::new(env.translate_shared(&bytes, &mut compiler)?);
                let mut interp = compiler.finish(info.clone(), bytes.clone());
                let options = CompileOptions {
                    tiered: true,
                    direct_calls: false,
                    ..jit_options(engine)
                };
                let jit = JitModule::new_tiered(&info, options)
                    .map_err(|e| Error::Compile(strata_environ::WasmError::new(e, 0)))?;
                let config = engine.config();
                let state = TierState::new(
                    info.clone(),
                    bytes.clone(),
                    interp.bodies().into(),
                    jit,
                    engine.inner.compile_queue.clone(),
                    TierSettings {
                        threshold: config.tier_up_threshold,
                        synchronous: config.tier_up_synchronous,
                        log: config.tier_up_log.clone(),
                    },
                );
                interp.tiering = Some(strata_interp::Tiering::new(
                    interp.num_funcs(),
                    config.tier_up_threshold.min(i32::MAX as u32) as i32,
                    state.shared_state(),
                    strata_jit::array_call,
                    strata_jit::osr_call,
                    state.clone(),
                ));
                (info, ModuleCode::Tiered(interp, state))
            }
            Tier::Jit => {
                if let Some(module) = Module::from_cache(engine, wasm)? {
                    return Ok(module);
                }
                let options = jit_options(engine);
                let (info, code) = compile_whole(engine, &bytes)?;
                let info = Arc::new(info);
                if let Some(cache) = engine.config().cache.as_ref()
                    && let Ok(key) = Cache::key(wasm, &options, engine.config().features.bits())
                    && let Ok(bytes) =
                        strata_aot::serialize(&info, wasm, &code, engine.config().features.bits())
                {
                    // A cache that cannot be written only costs the next
                    // start its compile.
                    let _ = cache.store(&key, &bytes);
                }
                (info, ModuleCode::Jit(code))
            }
        };
        Module::assemble(engine, info, code, bytes, CodeOrigin::Compiled)
    }

    /// The interpreter's translator as the engine wants it.
    fn interp_compiler(engine: &Engine) -> InterpCompiler {
        let compiler = if engine.config().lazy_translation {
            InterpCompiler::new_lazy().with_prefetch(engine.config().translate_ahead)
        } else {
            InterpCompiler::new()
        };
        compiler
            .with_epoch_checks(engine.config().epoch_interruption)
            .with_fuel(engine.config().consume_fuel)
    }

    /// The module from the compile cache, when the engine has one and it
    /// holds an entry for `wasm` (any failure is a miss). A hit skips
    /// validation: the artifact's module was validated when it was
    /// compiled.
    fn from_cache(engine: &Engine, wasm: &[u8]) -> Result<Option<Module>> {
        let Some(cache) = engine.config().cache.as_ref() else {
            return Ok(None);
        };
        let options = jit_options(engine);
        let features = engine.config().features.bits();
        let Ok(key) = Cache::key(wasm, &options, features) else {
            return Ok(None);
        };
        // SAFETY: the cache folder is the embedder's choice and holds only
        // artifacts Strata wrote (Config::cache_dir).
        match unsafe { cache.load(&key, &options, features) } {
            Some(artifact) => Module::from_artifact(engine, artifact, CodeOrigin::Cache).map(Some),
            None => Ok(None),
        }
    }

    fn assemble(
        engine: &Engine,
        info: Arc<ModuleInfo>,
        code: ModuleCode,
        bytes: Arc<[u8]>,
        origin: CodeOrigin,
    ) -> Result<Module> {
        let type_ids = info
            .types
            .iter()
            .map(|t| engine.register_type(t))
            .collect::<Result<Box<[_]>>>()?;
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                info,
                code,
                bytes,
                type_ids,
                origin,
            }),
        })
    }

    /// Where this module's code came from: compiled now, the compile
    /// cache, or an artifact.
    pub fn code_origin(&self) -> CodeOrigin {
        self.inner.origin
    }

    fn from_artifact(
        engine: &Engine,
        artifact: strata_aot::Artifact,
        origin: CodeOrigin,
    ) -> Result<Module> {
        Module::assemble(
            engine,
            Arc::new(artifact.info),
            ModuleCode::Jit(artifact.code),
            artifact.wasm.into(),
            origin,
        )
    }

    /// Whether `bytes` start like an artifact of [`Module::serialize`].
    pub fn is_artifact(bytes: &[u8]) -> bool {
        strata_aot::is_artifact(bytes)
    }

    /// Writes this module's compiled code as an artifact that
    /// [`Module::deserialize`] or [`Module::deserialize_file`] load back
    /// without compiling (`strata compile` writes these files).
    ///
    /// # Errors
    ///
    /// When the module was not compiled (an interpreter engine's modules
    /// have no native code to save).
    pub fn serialize(&self) -> Result<Vec<u8>> {
        match &self.inner.code {
            ModuleCode::Jit(code) => strata_aot::serialize(
                &self.inner.info,
                &self.inner.bytes,
                code,
                self.inner.engine.config().features.bits(),
            )
            .map_err(|e| Error::msg(e.to_string())),
            ModuleCode::Interp(_) => Err(Error::Usage(
                "only compiled modules can be serialized: use an engine with `Tier::Jit` or `Tier::Auto`".into(),
            )),
            ModuleCode::Tiered(..) => {
                // Compile the whole module now, as the JIT tier would.
                let engine = &self.inner.engine;
                let (info, code) = compile_whole(engine, &self.inner.bytes)?;
                strata_aot::serialize(&info, &self.inner.bytes, &code, engine.config().features.bits())
                    .map_err(|e| Error::msg(e.to_string()))
            }
        }
    }

    /// Loads a module from an artifact that [`Module::serialize`] wrote,
    /// copying its code into executable memory.
    ///
    /// The artifact is checked before anything runs: another format, Strata
    /// version, target, missing CPU features, other engine settings, a
    /// truncated or altered file are refused with an error.
    ///
    /// # Errors
    ///
    /// [`Error::Usage`] naming why the artifact was refused, or when the
    /// engine does not compile.
    ///
    /// # Safety
    ///
    /// The artifact's machine code will run in this process. The checks
    /// catch accidents, not malice: anyone can write bytes that pass them.
    /// Only load artifacts this Strata wrote and that nothing untrusted
    /// could have changed.
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let (options, features) = artifact_settings(engine)?;
        // SAFETY: the caller vouches for the bytes.
        let artifact = unsafe { strata_aot::deserialize(bytes, &options, features) }
            .map_err(|e| Error::Usage(format!("cannot load artifact: {e}")))?;
        Module::from_artifact(engine, artifact, CodeOrigin::Artifact)
    }

    /// Maps an artifact file that [`Module::serialize`] wrote (or
    /// `strata compile`) and loads it: the code pages become executable in
    /// place, without a copy or a compile. Checked as in
    /// [`Module::deserialize`].
    ///
    /// # Errors
    ///
    /// As [`Module::deserialize`], and when the file cannot be read.
    ///
    /// # Safety
    ///
    /// As [`Module::deserialize`]; also, the file must not be modified
    /// while the module lives (replace artifacts by renaming a new file
    /// over them, as the cache does).
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let (options, features) = artifact_settings(engine)?;
        // SAFETY: the caller vouches for the file.
        let artifact = unsafe { strata_aot::deserialize_file(path, &options, features) }
            .map_err(|e| Error::Usage(format!("cannot load artifact {}: {e}", path.display())))?;
        Module::from_artifact(engine, artifact, CodeOrigin::Artifact)
    }

    /// Reads, validates and translates a module file (binary or text).
    ///
    /// # Errors
    ///
    /// As [`Module::new`], plus I/O errors reading the file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = read_shared(path)
            .map_err(|e| Error::Usage(format!("failed to read {}: {e}", path.display())))?;
        if bytes.starts_with(b"\0asm") {
            Module::from_shared_binary(engine, bytes)
        } else {
            Module::new(engine, &bytes[..])
        }
    }

    /// Validates a module binary without keeping it.
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] for a malformed or invalid module.
    pub fn validate(engine: &Engine, wasm: &[u8]) -> Result<()> {
        let mut validator = wasmparser::Validator::new_with_features(engine.config().features);
        validator
            .validate_all(wasm)
            .map_err(|e| Error::Compile(e.into()))?;
        Ok(())
    }

    /// The engine the module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    /// The module's metadata.
    pub fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    pub(crate) fn entity_type(&self, index: EntityIndex) -> ExternType {
        let info = &self.inner.info;
        match index {
            EntityIndex::Function(f) => ExternType::Func(info.func_type(f).clone()),
            EntityIndex::Table(t) => ExternType::Table(info.tables[t as usize]),
            EntityIndex::Memory(m) => ExternType::Memory(info.memories[m as usize]),
            EntityIndex::Global(g) => ExternType::Global(info.globals[g as usize]),
        }
    }

    /// The imports: module name, field name and type.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ExternType)> + '_ {
        self.inner.info.imports.iter().map(|i| {
            (
                i.module.as_str(),
                i.name.as_str(),
                self.entity_type(i.index),
            )
        })
    }

    /// The exports: name and type.
    pub fn exports(&self) -> impl Iterator<Item = (&str, ExternType)> + '_ {
        self.inner
            .info
            .exports
            .iter()
            .map(|e| (e.name.as_str(), self.entity_type(e.index)))
    }
}
