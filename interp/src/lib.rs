//! Strata's interpreter tier.
//!
//! The interpreter is built for a fast start and a fast loop:
//!
//! - **Fused validation and translation.** [`FuncTranslator`] walks each
//!   function body once, asking `wasmparser`'s validator about every operator
//!   and emitting Strata's own slot code ([`op::Op`]) at the same time.
//! - **A slot machine.** Instructions name the frame slots they read and
//!   write, so `local.get`, constants and most stack shuffling vanish at
//!   translation time; branch targets are precomputed offsets.
//! - **A heap call stack.** Calls between interpreted functions push a frame
//!   on a heap stack instead of recursing in Rust, so deep recursion ends in
//!   a `call stack exhausted` trap, never in a native stack overflow.
//!
//! The interpreter runs against the same [`VMContext`] that compiled code
//! reads, and enters through the same array calling convention
//! ([`array_call`]), so a store can mix tiers function by function.
//!
//! [`VMContext`]: strata_environ::vmcontext::VMContext

mod executor;
mod isa;
pub mod op;
mod semantics;
mod translator;

pub use executor::array_call;
pub use translator::FuncTranslator;

use strata_environ::{FuncBodySink, ModuleInfo, WasmError};
use wasmparser::{FuncValidator, FunctionBody, ValidatorResources};

/// One translated function.
#[derive(Debug)]
pub struct InterpFunc {
    /// The instructions.
    pub code: Box<[op::Op]>,
    /// The function's index in its module.
    pub func_index: u32,
    /// Parameter count; parameters occupy the first slots.
    pub num_params: u32,
    /// Result count; results are returned in the first slots.
    pub num_results: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// Slots the frame needs: locals plus the deepest operand stack.
    pub frame_size: u32,
}

/// The interpreter's code for one module.
#[derive(Debug, Default)]
pub struct InterpModule {
    /// Translated functions, by defined-function index.
    pub funcs: Vec<InterpFunc>,
    /// How many functions the module imports.
    pub num_imported_funcs: u32,
    /// `(params, results)` per module type index.
    pub type_arity: Vec<(u32, u32)>,
    /// `(params, results)` per function index.
    pub func_arity: Vec<(u32, u32)>,
    /// Whether the module has a memory 0.
    pub has_memory: bool,
}

impl InterpModule {
    /// Completes the module's tables once every body is translated.
    pub fn finish(&mut self, module: &ModuleInfo) {
        let arity =
            |t: &strata_environ::FuncType| (t.params().len() as u32, t.results().len() as u32);
        self.num_imported_funcs = module.num_imported_functions;
        self.type_arity = module.types.iter().map(arity).collect();
        self.func_arity = module
            .functions
            .iter()
            .map(|t| arity(&module.types[*t as usize]))
            .collect();
        self.has_memory = !module.memories.is_empty();
    }
}

/// Collects translated bodies into an [`InterpModule`].
#[derive(Default)]
pub struct InterpCompiler {
    translator: FuncTranslator,
    module: InterpModule,
}

impl InterpCompiler {
    /// Creates an empty compiler.
    pub fn new() -> InterpCompiler {
        InterpCompiler::default()
    }

    /// Finishes the module.
    pub fn finish(mut self, module: &ModuleInfo) -> InterpModule {
        self.module.finish(module);
        self.module
    }
}

impl FuncBodySink for InterpCompiler {
    fn translate_body(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        validator: FuncValidator<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), WasmError> {
        let func = self
            .translator
            .translate(module, func_index, validator, &body)?;
        self.module.funcs.push(func);
        Ok(())
    }
}
