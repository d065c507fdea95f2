//! How compiled code reaches the instance: everything it reads from the
//! [`VMContext`] and the calls it makes into the runtime.
//!
//! Every offset comes from `strata_environ::vmcontext`, where the layout is
//! declared once; nothing here hard-codes a number. Loads of fields that
//! never change while an instance lives (its arrays of memories, tables,
//! globals and functions, and a guarded memory's base) are marked
//! read-only and movable, so Cranelift hoists them out of loops and merges
//! repeats.
//!
//! [`VMContext`]: strata_environ::vmcontext::VMContext

use cranelift_codegen::ir::{
    self, AbiParam, ArgumentPurpose, InstBuilder, MemFlagsData, Signature, Type, Value, types,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;
use strata_environ::vmcontext::{
    builtin_offsets, compiled_module_offsets, funcref_offsets, global_offsets, memory_offsets,
    table_offsets, vmctx_offsets,
};
use strata_environ::{FuncType, ModuleInfo, ValType};

/// The native pointer type.
pub const PTR: Type = types::I64;

/// The Cranelift type of a wasm value (references are pointers).
pub fn clif_type(ty: ValType) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I8X16,
        ValType::Ref(_) => PTR,
    }
}

/// The native signature of a wasm function type: the callee's context
/// (`VMContext` purpose), the caller's context, then the wasm parameters;
/// the wasm results. Cranelift's `tail` convention returns any number of
/// results.
pub fn wasm_signature(ty: &FuncType) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params
        .push(AbiParam::special(PTR, ArgumentPurpose::VMContext));
    sig.params.push(AbiParam::new(PTR));
    sig.params
        .extend(ty.params().iter().map(|t| AbiParam::new(clif_type(*t))));
    sig.returns
        .extend(ty.results().iter().map(|t| AbiParam::new(clif_type(*t))));
    sig
}

/// An on-stack-replacement entry of a function of type `ty`: the wasm
/// signature with the parameters replaced by a pointer to the interpreter
/// frame the locals are loaded from.
pub fn osr_signature(ty: &FuncType) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params
        .push(AbiParam::special(PTR, ArgumentPurpose::VMContext));
    sig.params.extend([AbiParam::new(PTR); 2]);
    sig.returns
        .extend(ty.results().iter().map(|t| AbiParam::new(clif_type(*t))));
    sig
}

/// The array calling convention (`VMArrayCallFn`) as a signature.
pub fn array_signature(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend([AbiParam::new(PTR); 4]);
    sig.returns.push(AbiParam::new(types::I8));
    sig
}

/// A runtime builtin: where it sits in the builtins table and its native
/// signature.
#[derive(Clone, Copy)]
pub struct Builtin {
    offset: u32,
    params: &'static [Type],
    ret: Option<Type>,
}

const I32: Type = types::I32;
const I64: Type = types::I64;

impl Builtin {
    pub const MEMORY_GROW: Builtin = Builtin {
        offset: builtin_offsets::memory_grow,
        params: &[PTR, I32, I64],
        ret: Some(I64),
    };
    pub const MEMORY_INIT: Builtin = Builtin {
        offset: builtin_offsets::memory_init,
        params: &[PTR, I32, I32, I64, I32, I32],
        ret: Some(types::I8),
    };
    pub const DATA_DROP: Builtin = Builtin {
        offset: builtin_offsets::data_drop,
        params: &[PTR, I32],
        ret: None,
    };
    pub const TABLE_GROW: Builtin = Builtin {
        offset: builtin_offsets::table_grow,
        params: &[PTR, I32, I64, PTR],
        ret: Some(I64),
    };
    pub const TABLE_FILL: Builtin = Builtin {
        offset: builtin_offsets::table_fill,
        params: &[PTR, I32, I64, PTR, I64],
        ret: Some(types::I8),
    };
    pub const TABLE_COPY: Builtin = Builtin {
        offset: builtin_offsets::table_copy,
        params: &[PTR, I32, I32, I64, I64, I64],
        ret: Some(types::I8),
    };
    pub const TABLE_INIT: Builtin = Builtin {
        offset: builtin_offsets::table_init,
        params: &[PTR, I32, I32, I64, I32, I32],
        ret: Some(types::I8),
    };
    pub const ELEM_DROP: Builtin = Builtin {
        offset: builtin_offsets::elem_drop,
        params: &[PTR, I32],
        ret: None,
    };
    pub const MEMORY_FILL: Builtin = Builtin {
        offset: builtin_offsets::memory_fill,
        params: &[PTR, I32, I64, I32, I64],
        ret: Some(types::I8),
    };
    pub const EPOCH_INTERRUPT: Builtin = Builtin {
        offset: builtin_offsets::epoch_interrupt,
        params: &[PTR],
        ret: Some(types::I8),
    };
    pub const MEMORY_COPY: Builtin = Builtin {
        offset: builtin_offsets::memory_copy,
        params: &[PTR, I32, I32, I64, I64, I64],
        ret: Some(types::I8),
    };

    fn signature(self, call_conv: CallConv) -> Signature {
        let mut sig = Signature::new(call_conv);
        sig.params
            .extend(self.params.iter().map(|t| AbiParam::new(*t)));
        sig.returns.extend(self.ret.map(AbiParam::new));
        sig
    }
}

/// Flags for fields that never change while the instance lives.
pub fn readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Flags for runtime fields that may change (lengths, table slots).
pub fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// One function's view of its module and instance while it is compiled.
pub struct FuncEnv<'m> {
    pub module: &'m ModuleInfo,
    /// The host's calling convention, for builtins and array calls.
    pub host_call_conv: CallConv,
    /// Whether memories have the 4 GiB + guard reservation, so that
    /// accesses with small offsets need no bounds check.
    pub guarded: bool,
    /// The size of the guard region after 4 GiB.
    pub guard_size: u64,
    /// Calls within the module are PC-relative (see
    /// [`CompileOptions::direct_calls`](crate::CompileOptions)).
    pub direct_calls: bool,
    /// Check the epoch deadline at function entry and loop headers.
    pub epoch_checks: bool,
    /// Consume fuel.
    pub fuel: bool,
    /// The module is tiered: a function's entry is null while it is still
    /// interpreted (see [`CompileOptions::tiered`](crate::CompileOptions)).
    pub tiered: bool,
    /// A tiered function's own index: its calls to itself jump straight
    /// to its own code (which, once installed, never changes), not
    /// through the entry table.
    pub direct_self: Option<u32>,
    /// In a tiered module: per defined function, its native entry when
    /// this compile started, or 0. Installed code never changes and lives
    /// as long as the module, so calls to these go straight to it; the
    /// others go through the entry table.
    pub known_entries: Vec<usize>,
}

impl FuncEnv<'_> {
    /// The native entry of defined function `defined`, if it was installed
    /// before this compile started.
    pub fn known_entry(&self, defined: u32) -> Option<usize> {
        self.known_entries
            .get(defined as usize)
            .copied()
            .filter(|a| *a != 0)
    }

    /// The instance's context: the function's first parameter.
    pub fn vmctx(&self, b: &mut FunctionBuilder<'_>) -> Value {
        b.func
            .special_param(ArgumentPurpose::VMContext)
            .expect("wasm functions take a VMContext")
    }

    /// `vmctx.<array>[index]`: a pointer from one of the context's arrays.
    fn array_entry(&self, b: &mut FunctionBuilder<'_>, array_offset: u32, index: u32) -> Value {
        let vmctx = self.vmctx(b);
        let array = b.ins().load(PTR, readonly(), vmctx, array_offset as i32);
        b.ins().load(PTR, readonly(), array, (index * 8) as i32)
    }

    /// The definition of memory `index`.
    pub fn memory_def(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        self.array_entry(b, vmctx_offsets::memories, index)
    }

    /// The base address of memory `index`. A guarded memory's base never
    /// moves; an unguarded one's may at any call or `memory.grow`.
    pub fn memory_base(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        if self.guarded && index == 0 {
            let vmctx = self.vmctx(b);
            return b
                .ins()
                .load(PTR, readonly(), vmctx, vmctx_offsets::memory0_base as i32);
        }
        let def = self.memory_def(b, index);
        let flags = if self.guarded { readonly() } else { trusted() };
        b.ins().load(PTR, flags, def, memory_offsets::base as i32)
    }

    /// The current length in bytes of memory `index`.
    pub fn memory_length(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        let def = self.memory_def(b, index);
        b.ins()
            .load(PTR, trusted(), def, memory_offsets::current_length as i32)
    }

    /// The definition of table `index`.
    pub fn table_def(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        self.array_entry(b, vmctx_offsets::tables, index)
    }

    /// `(base, current_elements)` of table `index`.
    pub fn table_parts(&self, b: &mut FunctionBuilder<'_>, index: u32) -> (Value, Value) {
        let def = self.table_def(b, index);
        let base = b
            .ins()
            .load(PTR, trusted(), def, table_offsets::base as i32);
        let len = b
            .ins()
            .load(PTR, trusted(), def, table_offsets::current_elements as i32);
        (base, len)
    }

    /// Where global `index`'s value lives: a base and a byte offset to
    /// load or store at.
    pub fn global_addr(&self, b: &mut FunctionBuilder<'_>, index: u32) -> (Value, i32) {
        if let Some(defined) = index.checked_sub(self.module.num_imported_globals) {
            let vmctx = self.vmctx(b);
            let block = b.ins().load(
                PTR,
                readonly(),
                vmctx,
                vmctx_offsets::defined_globals as i32,
            );
            let offset = defined * global_offsets::SIZE + global_offsets::storage;
            return (block, offset as i32);
        }
        let g = self.array_entry(b, vmctx_offsets::globals, index);
        (g, global_offsets::storage as i32)
    }

    /// The function reference of function `index` (imports first).
    pub fn func_ref(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        self.array_entry(b, vmctx_offsets::func_refs, index)
    }

    /// The engine-wide signature id of the module's type `index`.
    pub fn type_id(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        let vmctx = self.vmctx(b);
        let ids = b
            .ins()
            .load(PTR, readonly(), vmctx, vmctx_offsets::type_ids as i32);
        b.ins().load(I32, readonly(), ids, (index * 4) as i32)
    }

    /// The current native entry of defined function `defined_index`, from
    /// the module's entry table. Not read-only: a tiered engine may swap it.
    pub fn defined_entry(&self, b: &mut FunctionBuilder<'_>, defined_index: u32) -> Value {
        let vmctx = self.vmctx(b);
        load_defined_entry(b, vmctx, defined_index)
    }

    /// Calls a runtime builtin; returns its result, if any.
    pub fn call_builtin(
        &self,
        b: &mut FunctionBuilder<'_>,
        builtin: Builtin,
        args: &[Value],
    ) -> Option<Value> {
        let vmctx = self.vmctx(b);
        let table = b
            .ins()
            .load(PTR, readonly(), vmctx, vmctx_offsets::builtins as i32);
        let f = b.ins().load(PTR, readonly(), table, builtin.offset as i32);
        let sig = b.import_signature(builtin.signature(self.host_call_conv));
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(vmctx);
        all.extend_from_slice(args);
        let call = b.ins().call_indirect(sig, f, &all);
        b.inst_results(call).first().copied()
    }

    /// Offsets within a [`VMFuncRef`](strata_environ::vmcontext::VMFuncRef).
    pub fn funcref_field(
        &self,
        b: &mut FunctionBuilder<'_>,
        funcref: Value,
        field: FuncRefField,
    ) -> Value {
        let (ty, offset) = match field {
            FuncRefField::ArrayCall => (PTR, funcref_offsets::array_call),
            FuncRefField::WasmCall => (PTR, funcref_offsets::wasm_call),
            FuncRefField::TypeIndex => (I32, funcref_offsets::type_index),
            FuncRefField::Vmctx => (PTR, funcref_offsets::vmctx),
        };
        // Read-only but not movable: the reference was checked for null
        // just before, and the load must stay after that check.
        b.ins()
            .load(ty, trusted().with_readonly(), funcref, offset as i32)
    }
}

/// A field of a function reference.
#[derive(Clone, Copy)]
pub enum FuncRefField {
    ArrayCall,
    WasmCall,
    TypeIndex,
    Vmctx,
}

/// Loads the current native entry of defined function `defined_index`
/// from the entry table of the module `vmctx` runs.
pub fn load_defined_entry(b: &mut FunctionBuilder<'_>, vmctx: Value, defined_index: u32) -> Value {
    let code = b
        .ins()
        .load(PTR, readonly(), vmctx, vmctx_offsets::jit_code as i32);
    let entries = b.ins().load(
        PTR,
        readonly(),
        code,
        compiled_module_offsets::entries as i32,
    );
    b.ins()
        .load(PTR, trusted(), entries, (defined_index * 8) as i32)
}

/// Makes `flags` into the interned form `GlobalValueData::Load` needs.
pub fn intern_flags(func: &mut ir::Function, flags: MemFlagsData) -> ir::MemFlags {
    func.dfg
        .mem_flags
        .insert(flags)
        .expect("a handful of flag sets fit the table")
}
