//! Instances: laying out a [`VMContext`], running segment initialisers and
//! the start function, and the runtime services ("builtins") that code
//! calls for operations that touch store-owned objects.

use crate::error::{Error, FrameInfo, Result, Trap};
use crate::func::{self, Func};
use crate::global::Global;
use crate::linker::Extern;
use crate::memory::{LinearMemory, Memory};
use crate::module::Module;
use crate::store::{AsContextMut, StoreInner, StoreOpaque, Stored};
use crate::table::{Table, TableData};
use crate::vm_shared::VmShared;
use strata_environ::vmcontext::{
    VMBuiltinFunctions, VMCONTEXT_MAGIC, VMContext, VMFuncRef, VMGlobalDefinition,
    VMMemoryDefinition, VMSharedTypeIndex, VMTableDefinition, ValRaw,
};
use strata_environ::{
    ConstExpr, ConstOp, DataKind, ElemItems, ElemKind, EntityIndex, FuncType, TrapCode,
};

/// An instance handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance(pub(crate) Stored);

/// The store's record of an instance. Boxed, so that the [`VMContext`] and
/// the arrays it points to never move.
pub(crate) struct InstanceData {
    pub(crate) handle: Instance,
    pub(crate) module: Module,
    vmctx: VmShared<VMContext>,
    memories: Box<[*mut VMMemoryDefinition]>,
    tables: Box<[*mut VMTableDefinition]>,
    globals: Box<[*mut VMGlobalDefinition]>,
    func_refs: Box<[*const VMFuncRef]>,
    defined_funcs: Box<[VMFuncRef]>,
    type_ids: Box<[VMSharedTypeIndex]>,
    memory_handles: Vec<Memory>,
    table_handles: Vec<Table>,
    global_handles: Vec<Global>,
    /// Resolved element segments; `None` once dropped.
    elements: Vec<Option<Box<[usize]>>>,
    dropped_data: Vec<bool>,
    store: *mut StoreOpaque,
}

impl Drop for InstanceData {
    fn drop(&mut self) {
        if let Some(tiered) = self.module.inner.code.tiered() {
            tiered.unregister(self.defined_funcs.as_ptr());
        }
    }
}

static BUILTINS: VMBuiltinFunctions = VMBuiltinFunctions {
    memory_grow: builtin_memory_grow,
    memory_init: builtin_memory_init,
    data_drop: builtin_data_drop,
    table_grow: builtin_table_grow,
    table_fill: builtin_table_fill,
    table_copy: builtin_table_copy,
    table_init: builtin_table_init,
    elem_drop: builtin_elem_drop,
    memory_fill: builtin_memory_fill,
    memory_copy: builtin_memory_copy,
    epoch_interrupt: builtin_epoch_interrupt,
};

fn trap(code: TrapCode) -> Error {
    Error::Trap(Trap::new(code, Vec::new()))
}

fn link_error(module: &str, name: &str, what: &str) -> Error {
    Error::Link(format!("import `{module}::{name}`: {what}"))
}

fn limits_match(actual_min: u64, actual_max: Option<u64>, min: u64, max: Option<u64>) -> bool {
    actual_min >= min
        && match max {
            None => true,
            Some(m) => actual_max.is_some_and(|am| am <= m),
        }
}

impl InstanceData {
    /// The instance whose context `vmctx` is, if it is one.
    pub(crate) fn handle_of(vmctx: *mut VMContext) -> Option<Instance> {
        if vmctx.is_null() {
            return None;
        }
        // SAFETY: a non-null caller context handed to a host function is a
        // live instance context (host contexts are never callers).
        unsafe {
            if (*vmctx).magic != VMCONTEXT_MAGIC {
                return None;
            }
            Some((*(*vmctx).instance.cast::<InstanceData>()).handle)
        }
    }

    /// Names a frame of a backtrace.
    pub(crate) fn frame_info(vmctx: *mut VMContext, func_index: u32) -> FrameInfo {
        // SAFETY: frames of a trap name live instance contexts.
        let info = unsafe {
            if vmctx.is_null() || (*vmctx).magic != VMCONTEXT_MAGIC {
                None
            } else {
                let inst = &*(*vmctx).instance.cast::<InstanceData>();
                Some(&inst.module.inner.info)
            }
        };
        FrameInfo {
            module_name: info.and_then(|i| i.name.clone()),
            func_index,
            func_name: info.and_then(|i| i.function_name(func_index).map(str::to_string)),
        }
    }

    /// The type of the function behind a function reference.
    ///
    /// # Safety
    ///
    /// `funcref` must point to a live function reference of an instance.
    pub(crate) unsafe fn func_type_of(funcref: *const VMFuncRef) -> FuncType {
        // SAFETY: guaranteed by the caller.
        unsafe {
            let vmctx = (*funcref).vmctx;
            if (*vmctx).magic != VMCONTEXT_MAGIC {
                return FuncType::new([], []);
            }
            let inst = &*(*vmctx).instance.cast::<InstanceData>();
            inst.module
                .inner
                .info
                .func_type((*funcref).func_index)
                .clone()
        }
    }
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import
    /// order.
    ///
    /// # Errors
    ///
    /// [`Error::Link`] when the imports do not match, [`Error::Trap`] when a
    /// segment initialiser or the start function traps, [`Error::Resource`]
    /// when a memory or table cannot be allocated.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let ctx = store.as_context_mut();
        instantiate(ctx.0, module, imports)
    }

    /// An export by name.
    pub fn get_export(&self, mut store: impl AsContextMut, name: &str) -> Option<Extern> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "instance").ok()?;
        let inst = &opaque.instances[i];
        let index = inst.module.inner.info.export(name)?;
        Some(match index {
            EntityIndex::Function(f) => {
                let funcref = inst.func_refs[f as usize];
                Extern::Func(Func::from_funcref(opaque, funcref))
            }
            EntityIndex::Table(t) => Extern::Table(inst.table_handles[t as usize]),
            EntityIndex::Memory(m) => Extern::Memory(inst.memory_handles[m as usize]),
            EntityIndex::Global(g) => Extern::Global(inst.global_handles[g as usize]),
        })
    }

    /// All exports, in order.
    pub fn exports(&self, mut store: impl AsContextMut) -> Vec<(String, Extern)> {
        let names: Vec<String> = {
            let ctx = store.as_context_mut();
            let opaque = &ctx.0.opaque;
            match opaque.check(self.0, "instance") {
                Ok(i) => opaque.instances[i]
                    .module
                    .inner
                    .info
                    .exports
                    .iter()
                    .map(|e| e.name.clone())
                    .collect(),
                Err(_) => return Vec::new(),
            }
        };
        names
            .into_iter()
            .filter_map(|n| self.get_export(&mut store, &n).map(|e| (n, e)))
            .collect()
    }

    /// An exported function.
    pub fn get_func(&self, store: impl AsContextMut, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// An exported function with its type checked.
    ///
    /// # Errors
    ///
    /// Fails if there is no such function or its type differs.
    pub fn get_typed_func<Params: func::WasmParams, Results: func::WasmResults>(
        &self,
        mut store: impl AsContextMut,
        name: &str,
    ) -> Result<func::TypedFunc<Params, Results>> {
        let f = self
            .get_func(&mut store, name)
            .ok_or_else(|| Error::Usage(format!("no exported function named `{name}`")))?;
        f.typed(&store)
    }

    /// An exported memory.
    pub fn get_memory(&self, store: impl AsContextMut, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// An exported global.
    pub fn get_global(&self, store: impl AsContextMut, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// An exported table.
    pub fn get_table(&self, store: impl AsContextMut, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }
}

/// Evaluates a constant expression to raw bits.
fn eval_const(
    expr: &ConstExpr,
    globals: &[*mut VMGlobalDefinition],
    func_refs: &[*const VMFuncRef],
) -> ValRaw {
    let mut stack: Vec<ValRaw> = Vec::with_capacity(2);
    for op in expr.ops.iter() {
        let v = match *op {
            ConstOp::I32(v) => ValRaw::from_u32(v as u32),
            ConstOp::I64(v) => ValRaw::from_u64(v as u64),
            ConstOp::F32(v) => ValRaw::from_u32(v),
            ConstOp::F64(v) => ValRaw::from_u64(v),
            ConstOp::V128(v) => ValRaw::from_u128(v),
            ConstOp::RefNull(_) => ValRaw::from_u64(0),
            ConstOp::RefFunc(f) => ValRaw::from_u64(func_refs[f as usize] as u64),
            // SAFETY: global pointers of an instance point at live globals.
            ConstOp::GlobalGet(g) => unsafe { (*globals[g as usize]).storage },
            ConstOp::I32Add | ConstOp::I32Sub | ConstOp::I32Mul => {
                let b = stack.pop().unwrap_or_default().get_u32();
                let a = stack.pop().unwrap_or_default().get_u32();
                ValRaw::from_u32(match op {
                    ConstOp::I32Add => a.wrapping_add(b),
                    ConstOp::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            ConstOp::I64Add | ConstOp::I64Sub | ConstOp::I64Mul => {
                let b = stack.pop().unwrap_or_default().get_u64();
                let a = stack.pop().unwrap_or_default().get_u64();
                ValRaw::from_u64(match op {
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
        };
        stack.push(v);
    }
    stack.pop().unwrap_or_default()
}

pub(crate) fn instantiate<T>(
    inner: &mut StoreInner<T>,
    module: &Module,
    imports: &[Extern],
) -> Result<Instance> {
    let opaque = &mut inner.opaque;
    if !crate::Engine::same(&opaque.engine, module.engine()) {
        return Err(Error::Usage(
            "module and store belong to different engines".into(),
        ));
    }
    if opaque.instances.len() >= opaque.limiter.instances() {
        return Err(Error::Resource("too many instances".into()));
    }
    let info = &module.inner.info;
    if imports.len() != info.imports.len() {
        return Err(Error::Link(format!(
            "expected {} imports, got {}",
            info.imports.len(),
            imports.len()
        )));
    }

    let mut func_refs: Vec<*const VMFuncRef> = Vec::with_capacity(info.functions.len());
    let mut memory_handles = Vec::with_capacity(info.memories.len());
    let mut table_handles = Vec::with_capacity(info.tables.len());
    let mut global_handles = Vec::with_capacity(info.globals.len());
    for (import, ext) in info.imports.iter().zip(imports) {
        let (m, n) = (import.module.as_str(), import.name.as_str());
        match (import.index, ext) {
            (EntityIndex::Function(f), Extern::Func(func)) => {
                let i = opaque.check(func.0, "function")?;
                if opaque.funcs[i].ty != *info.func_type(f) {
                    return Err(link_error(
                        m,
                        n,
                        "incompatible import type: function signature differs",
                    ));
                }
                func_refs.push(opaque.funcs[i].funcref);
            }
            (EntityIndex::Table(t), Extern::Table(table)) => {
                let i = opaque.check(table.0, "table")?;
                let want = info.tables[t as usize];
                let have = opaque.tables[i].ty();
                if have.element != want.element
                    || !limits_match(have.minimum, have.maximum, want.minimum, want.maximum)
                {
                    return Err(link_error(
                        m,
                        n,
                        "incompatible import type: table type differs",
                    ));
                }
                table_handles.push(*table);
            }
            (EntityIndex::Memory(mi), Extern::Memory(mem)) => {
                let i = opaque.check(mem.0, "memory")?;
                let want = info.memories[mi as usize];
                let have = opaque.memories[i].ty();
                if !limits_match(have.minimum, have.maximum, want.minimum, want.maximum) {
                    return Err(link_error(
                        m,
                        n,
                        "incompatible import type: memory limits differ",
                    ));
                }
                memory_handles.push(*mem);
            }
            (EntityIndex::Global(g), Extern::Global(global)) => {
                let i = opaque.check(global.0, "global")?;
                if opaque.globals[i].ty != info.globals[g as usize] {
                    return Err(link_error(
                        m,
                        n,
                        "incompatible import type: global type differs",
                    ));
                }
                global_handles.push(*global);
            }
            _ => {
                return Err(link_error(
                    m,
                    n,
                    "incompatible import type: wrong kind of item",
                ));
            }
        }
    }

    // Defined memories and tables.
    for ty in &info.memories[info.num_imported_memories as usize..] {
        if opaque.memories.len() >= opaque.limiter.memories() {
            return Err(Error::Resource("too many memories".into()));
        }
        let mem = LinearMemory::new(*ty, &mut *opaque.limiter)?;
        opaque.memories.push(mem);
        memory_handles.push(Memory(opaque.stored(opaque.memories.len() - 1)));
    }
    // Code compiled for guard pages has no bounds checks: it must never
    // run on a memory without the full reservation.
    if module.inner.code.needs_guarded_memories() {
        for (i, m) in memory_handles.iter().enumerate() {
            if !opaque.memories[m.0.index].is_guarded() {
                return Err(Error::Resource(format!(
                    "memory {i} has no guard-page reservation, and this module was compiled \
                     for guard pages; compile it with `Config::guard_pages(false)`"
                )));
            }
        }
    }
    let memories: Box<[_]> = memory_handles
        .iter()
        .map(|m| m.definition(opaque))
        .collect();
    // A guarded memory never moves: compiled code may keep its base.
    let memory0_base = match (memory_handles.first(), memories.first()) {
        (Some(m), Some(def)) if opaque.memories[m.0.index].is_guarded() => {
            // SAFETY: the definition belongs to a memory of this store,
            // which outlives this instantiation.
            unsafe { (**def).base }
        }
        _ => std::ptr::null_mut(),
    };

    let index = opaque.instances.len();
    let handle = Instance(opaque.stored(index));
    let type_ids = module.inner.type_ids.clone();
    let num_defined = info.num_defined_functions() as usize;
    let mut data = VmShared::new(InstanceData {
        handle,
        module: module.clone(),
        vmctx: VmShared::new(VMContext {
            magic: VMCONTEXT_MAGIC,
            store: opaque.vm.as_ptr(),
            memories: std::ptr::null(),
            tables: std::ptr::null(),
            globals: std::ptr::null(),
            func_refs: std::ptr::null(),
            type_ids: std::ptr::null(),
            builtins: &BUILTINS,
            instance: std::ptr::null_mut(),
            interp_code: module.inner.code.vm_pointers().0,
            jit_code: module.inner.code.vm_pointers().1,
            memory0_base,
            defined_globals: std::ptr::null_mut(),
        }),
        memories,
        tables: Box::new([]),
        globals: Box::new([]),
        func_refs: Box::new([]),
        defined_funcs: Box::new([]),
        type_ids,
        memory_handles,
        table_handles: Vec::new(),
        global_handles: Vec::new(),
        elements: Vec::new(),
        dropped_data: vec![false; info.data.len()],
        store: opaque,
    });
    let data_ptr: *mut InstanceData = data.as_ptr();
    let vmctx_ptr: *mut VMContext = data.vmctx.as_ptr();
    data.vmctx.instance = data_ptr.cast();

    // Function references: imports point at the exporter's; defined ones
    // enter this instance through the interpreter.
    data.defined_funcs = (0..num_defined)
        .map(|i| {
            let f = info.num_imported_functions + i as u32;
            VMFuncRef {
                array_call: module.inner.code.array_call(),
                wasm_call: module.inner.code.wasm_call(i),
                type_index: data.type_ids[info.functions[f as usize] as usize],
                func_index: f,
                vmctx: vmctx_ptr,
            }
        })
        .collect();
    if let Some(tiered) = module.inner.code.tiered() {
        // Unregistered when the instance is dropped.
        tiered.register(&mut data.defined_funcs);
    }
    // One raw pointer for all of them: code reads these references while
    // background compilation writes their entries.
    let defined_base = data.defined_funcs.as_mut_ptr();
    func_refs.extend((0..num_defined).map(|i| defined_base.wrapping_add(i).cast_const()));
    data.func_refs = func_refs.into_boxed_slice();

    // Globals, in order: an initialiser may read earlier globals.
    let mut globals: Vec<*mut VMGlobalDefinition> = global_handles
        .iter()
        .map(|g| g.definition(opaque))
        .collect();
    let block = opaque.new_global_block(info.global_inits.len());
    for (slot, (ty, init)) in info.globals[info.num_imported_globals as usize..]
        .iter()
        .zip(&info.global_inits)
        .enumerate()
    {
        let raw = eval_const(init, &globals, &data.func_refs);
        let g = Global::in_block(opaque, *ty, block, slot);
        opaque.global_blocks[block][slot].storage = raw;
        globals.push(g.definition(opaque));
        global_handles.push(g);
    }
    data.vmctx.defined_globals = opaque.global_slot_ptr(block, 0);
    data.globals = globals.into_boxed_slice();
    data.global_handles = global_handles;

    for (i, ty) in info.tables[info.num_imported_tables as usize..]
        .iter()
        .enumerate()
    {
        if opaque.tables.len() >= opaque.limiter.tables() {
            return Err(Error::Resource("too many tables".into()));
        }
        let init = match info.table_inits.get(i).and_then(|e| e.as_ref()) {
            Some(expr) => eval_const(expr, &data.globals, &data.func_refs).get_u64() as usize,
            None => 0,
        };
        let t = TableData::new(*ty, init, &mut *opaque.limiter)?;
        opaque.tables.push(t);
        table_handles.push(Table(opaque.stored(opaque.tables.len() - 1)));
    }
    data.tables = table_handles.iter().map(|t| t.definition(opaque)).collect();
    data.table_handles = table_handles;

    data.elements = info
        .elements
        .iter()
        .map(|seg| {
            let items: Box<[usize]> = match &seg.items {
                ElemItems::Functions(fs) => fs
                    .iter()
                    .map(|f| data.func_refs[*f as usize] as usize)
                    .collect(),
                ElemItems::Expressions(es) => es
                    .iter()
                    .map(|e| eval_const(e, &data.globals, &data.func_refs).get_u64() as usize)
                    .collect(),
            };
            Some(items)
        })
        .collect();

    data.vmctx.memories = data.memories.as_ptr();
    data.vmctx.tables = data.tables.as_ptr();
    data.vmctx.globals = data.globals.as_ptr();
    data.vmctx.func_refs = data.func_refs.as_ptr();
    data.vmctx.type_ids = data.type_ids.as_ptr();
    opaque.instances.push(data);

    // From here on the instance exists even if initialisation traps: what
    // earlier segments wrote stays written, as the spec requires.
    let StoreOpaque {
        instances,
        tables,
        memories,
        ..
    } = &mut *opaque;
    let inst = &mut instances[index];
    for (i, seg) in info.elements.iter().enumerate() {
        match &seg.kind {
            ElemKind::Active { table, offset } => {
                let offset = eval_const(offset, &inst.globals, &inst.func_refs).get_u32() as usize;
                let items = inst.elements[i].take().unwrap_or_default();
                let t = &mut tables[inst.table_handles[*table as usize].0.index];
                let end = offset.checked_add(items.len());
                match end.filter(|e| *e <= t.elements.len()) {
                    Some(end) => t.elements[offset..end].copy_from_slice(&items),
                    None => return Err(trap(TrapCode::TableOutOfBounds)),
                }
            }
            ElemKind::Declared => inst.elements[i] = None,
            ElemKind::Passive => {}
        }
    }
    for (i, seg) in info.data.iter().enumerate() {
        if let DataKind::Active { memory, offset } = &seg.kind {
            let offset = eval_const(offset, &inst.globals, &inst.func_refs).get_u32() as usize;
            let bytes = &module.inner.bytes[seg.range.clone()];
            let mem = memories[inst.memory_handles[*memory as usize].0.index].bytes_mut();
            let end = offset.checked_add(bytes.len());
            match end.filter(|e| *e <= mem.len()) {
                Some(end) => mem[offset..end].copy_from_slice(bytes),
                None => return Err(trap(TrapCode::MemoryOutOfBounds)),
            }
            inst.dropped_data[i] = true;
        }
    }

    if let Some(start) = info.start {
        let funcref = inst.func_refs[start as usize];
        let mut buf = [ValRaw::default(); 1];
        let inner: *mut StoreInner<T> = inner;
        // SAFETY: `funcref` belongs to this store's new instance, and no
        // reference into the store is used across the call.
        unsafe { func::invoke(inner, funcref, &mut buf)? };
    }
    Ok(handle)
}

/// The instance and store behind a context.
///
/// # Safety
///
/// `vmctx` must be a live instance context.
unsafe fn resolve<'a>(vmctx: *mut VMContext) -> (&'a mut StoreOpaque, usize) {
    // SAFETY: guaranteed by the caller; builtins run while wasm executes,
    // when nothing else borrows the store.
    unsafe {
        let inst = (*vmctx).instance.cast::<InstanceData>();
        (&mut *(*inst).store, (*inst).handle.0.index)
    }
}

/// `memory.grow` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_memory_grow(vmctx: *mut VMContext, memory: u32, delta: u64) -> u64 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let m = store.instances[i].memory_handles[memory as usize].0.index;
    match store.memories[m].grow(delta, &mut *store.limiter) {
        Some(old) => old,
        None => grow_failed(store, "memory", delta),
    }
}

/// What a refused grow answers: -1 to the guest, or, with
/// `Config::trap_on_grow_failure`, an error the code hands on.
fn grow_failed(store: &mut StoreOpaque, what: &str, delta: u64) -> u64 {
    if !store.engine.config().trap_on_grow_failure {
        return u64::MAX;
    }
    store.pending_error = Some(Error::Resource(format!(
        "{what}.grow by {delta} refused (past its maximum or the store's limit)"
    )));
    store.vm.trap = Some(Box::new(strata_environ::vmcontext::VMTrap {
        code: None,
        frames: Vec::new(),
    }));
    strata_environ::vmcontext::GROW_TRAPPED
}

/// `memory.init` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_memory_init(
    vmctx: *mut VMContext,
    memory: u32,
    data: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let inst = &store.instances[i];
    let seg = &inst.module.inner.info.data[data as usize];
    let bytes: &[u8] = if inst.dropped_data[data as usize] {
        &[]
    } else {
        &inst.module.inner.bytes[seg.range.clone()]
    };
    let m = inst.memory_handles[memory as usize].0.index;
    let mem = store.memories[m].bytes_mut();
    let (src, len) = (src as usize, len as usize);
    let Some(dst) = usize::try_from(dst).ok() else {
        return TrapCode::MemoryOutOfBounds.as_u8();
    };
    match (
        src.checked_add(len).filter(|e| *e <= bytes.len()),
        dst.checked_add(len).filter(|e| *e <= mem.len()),
    ) {
        (Some(se), Some(de)) => {
            mem[dst..de].copy_from_slice(&bytes[src..se]);
            0
        }
        _ => TrapCode::MemoryOutOfBounds.as_u8(),
    }
}

/// The epoch deadline was reached in code running in `vmctx`: asks the
/// store's callback, if any, whether to go on.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code.
unsafe extern "C" fn builtin_epoch_interrupt(vmctx: *mut VMContext) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, _) = unsafe { resolve(vmctx) };
    let Some(mut callback) = store.epoch_callback.take() else {
        return TrapCode::Interrupt.as_u8();
    };
    let result = callback(store.vm.store);
    store.epoch_callback = Some(callback);
    match result {
        Ok(crate::store::UpdateDeadline::Continue(delta)) => {
            let now = store.engine.current_epoch();
            store.vm.epoch_deadline = now.saturating_add(delta.max(1));
            0
        }
        Ok(crate::store::UpdateDeadline::Interrupt) => TrapCode::Interrupt.as_u8(),
        Err(e) => {
            store.pending_error = Some(e);
            store.vm.trap = Some(Box::new(strata_environ::vmcontext::VMTrap {
                code: None,
                frames: Vec::new(),
            }));
            strata_environ::vmcontext::BUILTIN_HOST_ERROR
        }
    }
}

/// `memory.fill` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_memory_fill(
    vmctx: *mut VMContext,
    memory: u32,
    dst: u64,
    val: u32,
    len: u64,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let m = store.instances[i].memory_handles[memory as usize].0.index;
    let mem = store.memories[m].bytes_mut();
    match dst
        .checked_add(len)
        .filter(|e| *e <= mem.len() as u64)
        .map(|e| dst as usize..e as usize)
    {
        Some(range) => {
            mem[range].fill(val as u8);
            0
        }
        None => TrapCode::MemoryOutOfBounds.as_u8(),
    }
}

/// `memory.copy` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_memory_copy(
    vmctx: *mut VMContext,
    dst_memory: u32,
    src_memory: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let inst = &store.instances[i];
    let dm = inst.memory_handles[dst_memory as usize].0.index;
    let sm = inst.memory_handles[src_memory as usize].0.index;
    let in_bounds = |at: u64, m: usize| {
        at.checked_add(len)
            .is_some_and(|e| e <= store.memories[m].bytes().len() as u64)
    };
    if !in_bounds(dst, dm) || !in_bounds(src, sm) {
        return TrapCode::MemoryOutOfBounds.as_u8();
    }
    if dm == sm {
        store.memories[dm]
            .bytes_mut()
            .copy_within(src as usize..(src + len) as usize, dst as usize);
    } else {
        let from = store.memories[sm].bytes_mut()[src as usize..(src + len) as usize].to_vec();
        store.memories[dm].bytes_mut()[dst as usize..(dst + len) as usize].copy_from_slice(&from);
    }
    0
}

/// `data.drop` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_data_drop(vmctx: *mut VMContext, data: u32) {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    store.instances[i].dropped_data[data as usize] = true;
}

/// `table.grow` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_table_grow(
    vmctx: *mut VMContext,
    table: u32,
    delta: u64,
    init: usize,
) -> u64 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let t = store.instances[i].table_handles[table as usize].0.index;
    match store.tables[t].grow(delta, init, &mut *store.limiter) {
        Some(old) => old,
        None => grow_failed(store, "table", delta),
    }
}

/// `table.fill` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_table_fill(
    vmctx: *mut VMContext,
    table: u32,
    dst: u64,
    val: usize,
    len: u64,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let t = store.instances[i].table_handles[table as usize].0.index;
    let elems = &mut store.tables[t].elements;
    match dst.checked_add(len).filter(|e| *e <= elems.len() as u64) {
        Some(end) => {
            elems[dst as usize..end as usize].fill(val);
            0
        }
        None => TrapCode::TableOutOfBounds.as_u8(),
    }
}

/// `table.copy` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_table_copy(
    vmctx: *mut VMContext,
    dst_table: u32,
    src_table: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let inst = &store.instances[i];
    let dt = inst.table_handles[dst_table as usize].0.index;
    let st = inst.table_handles[src_table as usize].0.index;
    let src_len = store.tables[st].elements.len() as u64;
    let dst_len = store.tables[dt].elements.len() as u64;
    let (Some(se), Some(de)) = (
        src.checked_add(len).filter(|e| *e <= src_len),
        dst.checked_add(len).filter(|e| *e <= dst_len),
    ) else {
        return TrapCode::TableOutOfBounds.as_u8();
    };
    if dt == st {
        store.tables[dt]
            .elements
            .copy_within(src as usize..se as usize, dst as usize);
    } else {
        let items: Vec<usize> = store.tables[st].elements[src as usize..se as usize].to_vec();
        store.tables[dt].elements[dst as usize..de as usize].copy_from_slice(&items);
    }
    0
}

/// `table.init` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_table_init(
    vmctx: *mut VMContext,
    table: u32,
    elem: u32,
    dst: u64,
    src: u32,
    len: u32,
) -> u8 {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    let StoreOpaque {
        instances, tables, ..
    } = store;
    let inst = &instances[i];
    let items: &[usize] = inst.elements[elem as usize].as_deref().unwrap_or(&[]);
    let t = &mut tables[inst.table_handles[table as usize].0.index];
    let (src, len) = (src as usize, len as usize);
    let Some(dst) = usize::try_from(dst).ok() else {
        return TrapCode::TableOutOfBounds.as_u8();
    };
    match (
        src.checked_add(len).filter(|e| *e <= items.len()),
        dst.checked_add(len).filter(|e| *e <= t.elements.len()),
    ) {
        (Some(se), Some(de)) => {
            t.elements[dst..de].copy_from_slice(&items[src..se]);
            0
        }
        _ => TrapCode::TableOutOfBounds.as_u8(),
    }
}

/// `elem.drop` for code running in `vmctx`.
///
/// # Safety
///
/// `vmctx` must be the live instance context of the calling code, and
/// the indices must have been validated against its module.
unsafe extern "C" fn builtin_elem_drop(vmctx: *mut VMContext, elem: u32) {
    // SAFETY: builtins are called by code running in `vmctx`.
    let (store, i) = unsafe { resolve(vmctx) };
    store.instances[i].elements[elem as usize] = None;
}
