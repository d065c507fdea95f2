//! Compiled modules.

use crate::config::{Engine, Tier};
use crate::error::{Error, Result};
use std::path::Path;
use std::sync::Arc;
use strata_environ::vmcontext::VMSharedTypeIndex;
use strata_environ::{
    EntityIndex, FuncType, GlobalType, MemoryType, ModuleEnvironment, ModuleInfo, TableType,
};
use strata_interp::{InterpCompiler, InterpModule};
use strata_jit::{CompileOptions, JitCompiler, JitModule};

/// A module's code, as the engine's tier produced it.
pub(crate) enum ModuleCode {
    Interp(InterpModule),
    Jit(JitModule),
}

impl ModuleCode {
    /// What instances store in `VMContext::module_code`.
    pub(crate) fn vm_pointer(&self) -> *const std::ffi::c_void {
        match self {
            ModuleCode::Interp(m) => (m as *const InterpModule).cast(),
            ModuleCode::Jit(m) => m.module_code(),
        }
    }

    /// The array-call entry of the module's defined functions.
    pub(crate) fn array_call(&self) -> strata_environ::vmcontext::VMArrayCallFn {
        match self {
            ModuleCode::Interp(_) => strata_interp::array_call,
            ModuleCode::Jit(_) => strata_jit::array_call,
        }
    }

    /// The native entry of defined function `index`, if the tier has one.
    pub(crate) fn wasm_call(
        &self,
        index: usize,
    ) -> Option<std::ptr::NonNull<strata_environ::vmcontext::VMWasmCallFunction>> {
        match self {
            ModuleCode::Interp(_) => None,
            ModuleCode::Jit(m) => std::ptr::NonNull::new(m.wasm_call(index).cast_mut().cast()),
        }
    }

    /// Whether the code relies on guard pages for memory bounds.
    pub(crate) fn needs_guarded_memories(&self) -> bool {
        match self {
            ModuleCode::Interp(_) => false,
            ModuleCode::Jit(m) => m.options().guarded,
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
        let env = ModuleEnvironment::new(engine.config().features);
        let bytes: Arc<[u8]> = wasm.into();
        let (info, code) = match engine.tier() {
            Tier::Interpreter => {
                let mut compiler = if engine.config().lazy_translation {
                    InterpCompiler::new_lazy()
                } else {
                    InterpCompiler::new()
                };
                let info = Arc::new(env.translate(wasm, &mut compiler)?);
                let code = compiler.finish(info.clone(), bytes.clone());
                (info, ModuleCode::Interp(code))
            }
            Tier::Jit => {
                let mut compiler = JitCompiler::new();
                let info = Arc::new(env.translate(wasm, &mut compiler)?);
                let options = CompileOptions {
                    guarded: engine.config().guard_pages,
                    guard_size: crate::memory::GUARD_SIZE as u64,
                    direct_calls: engine.config().jit_direct_calls,
                };
                let code = compiler
                    .finish(&info, wasm, options)
                    .map_err(|e| Error::Compile(strata_environ::WasmError::new(e, 0)))?;
                (info, ModuleCode::Jit(code))
            }
        };
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
            }),
        })
    }

    /// Reads, validates and translates a module file (binary or text).
    ///
    /// # Errors
    ///
    /// As [`Module::new`], plus I/O errors reading the file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Usage(format!("failed to read {}: {e}", path.display())))?;
        Module::new(engine, bytes)
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
