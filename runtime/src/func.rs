//! Functions: WebAssembly functions of instances and host functions, both
//! reached through the same [`VMFuncRef`] and array calling convention.

use crate::error::{Error, Result};
use crate::instance::{Instance, InstanceData};
use crate::linker::Extern;
use crate::store::{
    AsContext, AsContextMut, StoreContext, StoreContextMut, StoreInner, StoreOpaque, Stored,
};
use crate::values::Val;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::sync::Arc;
use strata_environ::vmcontext::{VMContext, VMFuncRef, VMStoreContext, VMTrap, ValRaw};
use strata_environ::{FuncType, ValType};

/// A host function after type erasure: given the store (as `*mut
/// StoreInner<T>`), the calling instance's context and the argument buffer,
/// it runs and returns `false` after recording an error in the store.
type RawHostFn = dyn Fn(*mut c_void, *mut VMContext, &mut [ValRaw]) -> bool + Send + Sync;

/// A host function with its store's data type known.
pub(crate) type HostCallback<T> = dyn Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<()> + Send + Sync;

/// What a host function's [`VMFuncRef`] points at. The function reference
/// comes first so that a pointer to it is a pointer to the context.
#[repr(C)]
pub(crate) struct HostFuncCtx {
    funcref: VMFuncRef,
    store: *mut VMStoreContext,
    call: Box<RawHostFn>,
}

/// The array-call entry of every host function.
///
/// # Safety
///
/// `callee` must be the `funcref` of a live [`HostFuncCtx`] and `args` must
/// point to `len` values.
unsafe extern "C" fn host_array_call(
    callee: *const VMFuncRef,
    caller_vmctx: *mut VMContext,
    args: *mut ValRaw,
    len: usize,
) -> bool {
    // SAFETY: `callee` is the first field of a `HostFuncCtx` (repr(C)) that
    // the store keeps alive; its store context outlives it; `args` is valid
    // for `len` values by the caller's contract.
    unsafe {
        let ctx = callee.cast::<HostFuncCtx>();
        let store = (*(*ctx).store).store;
        let vals = std::slice::from_raw_parts_mut(args, len);
        ((*ctx).call)(store, caller_vmctx, vals)
    }
}

/// The store's record of a function.
pub(crate) struct FuncData {
    pub(crate) funcref: *const VMFuncRef,
    pub(crate) ty: FuncType,
    /// Keeps a host function's context alive (and at a fixed address).
    _host: Option<crate::vm_shared::VmShared<HostFuncCtx>>,
}

/// A function handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Func(pub(crate) Stored);

/// The context a host function runs in: the store, and the instance that
/// called it.
pub struct Caller<'a, T> {
    pub(crate) store: StoreContextMut<'a, T>,
    pub(crate) instance: Option<Instance>,
}

impl<T> Caller<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance, such as its `memory`.
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        let instance = self.instance?;
        instance.get_export(&mut self.store, name)
    }

    /// The engine.
    pub fn engine(&self) -> &crate::Engine {
        self.store.engine()
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.store.0)
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.store.0)
    }
}

/// Calls `funcref` through the array convention.
///
/// # Safety
///
/// `funcref` must be a live function reference of the store `inner`, and no
/// reference into that store may be in use during the call.
pub(crate) unsafe fn invoke<T>(
    inner: *mut StoreInner<T>,
    funcref: *const VMFuncRef,
    buf: &mut [ValRaw],
) -> Result<()> {
    // SAFETY: guaranteed by the caller.
    let ok = unsafe {
        let vm = &mut *(*inner).opaque.vm;
        if vm.host_depth == 0 {
            vm.stack_floor = crate::stack::thread_stack_floor();
        }
        ((*funcref).array_call)(funcref, std::ptr::null_mut(), buf.as_mut_ptr(), buf.len())
    };
    if ok {
        Ok(())
    } else {
        // SAFETY: the call has returned; nothing else borrows the store.
        Err(unsafe { (*inner).opaque.take_trap() })
    }
}

impl Func {
    /// Creates a host function of type `ty` that works on [`Val`]s.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let cb = val_callback(ty.clone(), func);
        let ctx = store.as_context_mut();
        Func::from_host(ctx.0, ty, cb)
    }

    /// Creates a host function from a Rust closure whose parameter and
    /// result types map to WebAssembly types; it may take a [`Caller`]
    /// first.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, cb) = func.into_host();
        let ctx = store.as_context_mut();
        Func::from_host(ctx.0, ty, cb)
    }

    pub(crate) fn from_host<T: 'static>(
        inner: &mut StoreInner<T>,
        ty: FuncType,
        cb: Arc<HostCallback<T>>,
    ) -> Func {
        let opaque = &mut inner.opaque;
        // Registration only fails if the registry lock is poisoned, which
        // needs a panic elsewhere; fall back to a fresh index then.
        let type_index = opaque
            .engine
            .register_type(&ty)
            .unwrap_or(strata_environ::vmcontext::VMSharedTypeIndex(u32::MAX));
        let call: Box<RawHostFn> = Box::new(
            move |store: *mut c_void, caller_vmctx: *mut VMContext, vals: &mut [ValRaw]| {
                // SAFETY: `store` is the `StoreInner<T>` this function was
                // created in (host functions never move between stores), and no
                // other reference to it is in use while wasm runs.
                let inner = unsafe { &mut *store.cast::<StoreInner<T>>() };
                let instance = InstanceData::handle_of(caller_vmctx);
                // A panic must not unwind into wasm frames (or across the
                // `extern "C"` entry): it becomes the call's error.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    cb(
                        Caller {
                            store: StoreContextMut(&mut *inner),
                            instance,
                        },
                        vals,
                    )
                }))
                .unwrap_or_else(|panic| {
                    let msg = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a non-string payload".to_string());
                    Err(Error::msg(format!("host function panicked: {msg}")))
                });
                match result {
                    Ok(()) => true,
                    Err(e) => {
                        inner.opaque.pending_error = Some(e);
                        inner.opaque.vm.trap = Some(Box::new(VMTrap {
                            code: None,
                            frames: Vec::new(),
                        }));
                        false
                    }
                }
            },
        );
        let mut ctx = crate::vm_shared::VmShared::new(HostFuncCtx {
            funcref: VMFuncRef {
                array_call: host_array_call,
                // Compiled callers fall back to the array entry when this is
                // None, which costs them what the trampoline would; only the
                // JIT tier, which compiles up front anyway, makes one. A
                // tiered engine's start-up stays free of Cranelift.
                wasm_call: if opaque.engine.tier() != crate::Tier::Jit {
                    None
                } else {
                    strata_jit::wasm_to_array_trampoline(&ty)
                        .ok()
                        .and_then(|p| std::ptr::NonNull::new(p.cast_mut().cast()))
                },
                type_index,
                func_index: 0,
                vmctx: std::ptr::null_mut(),
            },
            store: opaque.vm.as_ptr(),
            call,
        });
        let ctx_ptr: *mut HostFuncCtx = ctx.as_ptr();
        ctx.funcref.vmctx = ctx_ptr.cast::<VMContext>();
        // SAFETY: `ctx_ptr` points to the live context just made.
        let funcref: *const VMFuncRef = unsafe { &raw const (*ctx_ptr).funcref };
        opaque.funcs.push(FuncData {
            funcref,
            ty,
            _host: Some(ctx),
        });
        let index = opaque.funcs.len() - 1;
        opaque.func_by_ref.insert(funcref as usize, index);
        Func(opaque.stored(index))
    }

    /// The handle of the function behind a function reference of this
    /// store, registering it on first sight.
    pub(crate) fn from_funcref(store: &mut StoreOpaque, funcref: *const VMFuncRef) -> Func {
        if let Some(&i) = store.func_by_ref.get(&(funcref as usize)) {
            return Func(store.stored(i));
        }
        // SAFETY: every non-null function reference reaching the store
        // points into one of its live instances.
        let ty = unsafe { InstanceData::func_type_of(funcref) };
        store.funcs.push(FuncData {
            funcref,
            ty,
            _host: None,
        });
        let index = store.funcs.len() - 1;
        store.func_by_ref.insert(funcref as usize, index);
        Func(store.stored(index))
    }

    /// The function's type.
    ///
    /// # Errors
    ///
    /// Fails if the function belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType> {
        let ctx = store.as_context();
        let i = ctx.0.opaque.check(self.0, "function")?;
        Ok(ctx.0.opaque.funcs[i].ty.clone())
    }

    /// Calls the function with `params`, writing its results to `results`.
    ///
    /// # Errors
    ///
    /// A [`crate::Trap`] if execution traps, the host's error if a host
    /// function fails, or a usage error when the arguments do not match the
    /// function's type or the function belongs to another store.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let ctx = store.as_context_mut();
        let inner: *mut StoreInner<_> = ctx.0;
        // SAFETY: `inner` comes from a live exclusive borrow; the references
        // made from it end before `invoke`, which is the only user then.
        let opaque = unsafe { &mut (*inner).opaque };
        let i = opaque.check(self.0, "function")?;
        let ty = opaque.funcs[i].ty.clone();
        let funcref = opaque.funcs[i].funcref;
        if params.len() != ty.params().len() || results.len() != ty.results().len() {
            return Err(Error::Usage(format!(
                "function of type `{ty}` called with {} arguments and {} result slots",
                params.len(),
                results.len()
            )));
        }
        let mut buf = vec![ValRaw::default(); ty.params().len().max(ty.results().len()).max(1)];
        for ((p, expected), slot) in params.iter().zip(ty.params()).zip(buf.iter_mut()) {
            if p.ty() != *expected {
                return Err(Error::Usage(format!(
                    "argument of type {} where {expected} is expected",
                    p.ty()
                )));
            }
            *slot = p.to_raw(opaque)?;
        }
        // SAFETY: `funcref` belongs to this store and no borrow of the
        // store is used across the call.
        unsafe { invoke(inner, funcref, &mut buf)? };
        // SAFETY: the call has returned.
        let opaque = unsafe { &mut (*inner).opaque };
        for ((r, ty), raw) in results.iter_mut().zip(ty.results()).zip(buf.iter()) {
            *r = Val::from_raw(opaque, *raw, *ty);
        }
        Ok(())
    }

    /// A statically typed view of the function.
    ///
    /// # Errors
    ///
    /// Fails if `Params` and `Results` do not match the function's type.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let ty = self.ty(&store)?;
        if ty.params() != Params::types().as_slice() || ty.results() != Results::types().as_slice()
        {
            return Err(Error::Usage(format!(
                "function of type `{ty}` is not `{}`",
                FuncType::new(Params::types(), Results::types())
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

fn val_callback<T: 'static>(
    ty: FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> Arc<HostCallback<T>> {
    Arc::new(move |caller: Caller<'_, T>, raw: &mut [ValRaw]| {
        let opaque = &mut caller.store.0.opaque;
        let params: Vec<Val> = ty
            .params()
            .iter()
            .zip(raw.iter())
            .map(|(t, r)| Val::from_raw(opaque, *r, *t))
            .collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func(
            Caller {
                store: StoreContextMut(&mut *caller.store.0),
                instance: caller.instance,
            },
            &params,
            &mut results,
        )?;
        let opaque = &mut caller.store.0.opaque;
        for ((v, t), slot) in results.iter().zip(ty.results()).zip(raw.iter_mut()) {
            if v.ty() != *t {
                return Err(Error::Usage(format!(
                    "host function returned a {} where {t} is expected",
                    v.ty()
                )));
            }
            *slot = v.to_raw(opaque)?;
        }
        Ok(())
    })
}

pub(crate) fn host_callback_from_vals<T: 'static>(
    ty: FuncType,
    func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> Arc<HostCallback<T>> {
    val_callback(ty, func)
}

/// A Rust type that maps to a WebAssembly value type.
pub trait WasmTy: Copy + Send + Sync + 'static {
    /// Its WebAssembly type.
    const TYPE: ValType;
    /// To the array convention.
    fn into_raw(self) -> ValRaw;
    /// From the array convention.
    fn from_raw(raw: ValRaw) -> Self;
}

macro_rules! wasm_ty {
    ($($t:ty => $vt:ident, |$s:ident| $to:expr, |$r:ident| $from:expr;)*) => {$(
        impl WasmTy for $t {
            const TYPE: ValType = ValType::$vt;
            fn into_raw(self) -> ValRaw { let $s = self; $to }
            fn from_raw($r: ValRaw) -> Self { $from }
        }
    )*};
}
wasm_ty! {
    i32 => I32, |s| ValRaw::from_u32(s as u32), |r| r.get_u32() as i32;
    u32 => I32, |s| ValRaw::from_u32(s), |r| r.get_u32();
    i64 => I64, |s| ValRaw::from_u64(s as u64), |r| r.get_u64() as i64;
    u64 => I64, |s| ValRaw::from_u64(s), |r| r.get_u64();
    f32 => F32, |s| ValRaw::from_u32(s.to_bits()), |r| f32::from_bits(r.get_u32());
    f64 => F64, |s| ValRaw::from_u64(s.to_bits()), |r| f64::from_bits(r.get_u64());
    // A `v128`, lane 0 in the low bits.
    u128 => V128, |s| ValRaw::from_u128(s), |r| r.get_u128();
}

/// A list of parameters: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmParams: Send + Sync + 'static {
    /// How many values.
    const COUNT: usize;
    /// The WebAssembly types.
    fn types() -> Vec<ValType>;
    /// Writes the values to the start of `buf`.
    fn store(self, buf: &mut [ValRaw]);
}

/// A list of results: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmResults: Send + Sync + 'static + Sized {
    /// How many values.
    const COUNT: usize;
    /// The WebAssembly types.
    fn types() -> Vec<ValType>;
    /// Reads the values from the start of `buf`.
    fn load(buf: &[ValRaw]) -> Self;
    /// Writes the values to the start of `buf`.
    fn store(self, buf: &mut [ValRaw]);
}

impl<A: WasmTy> WasmParams for A {
    const COUNT: usize = 1;
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn store(self, buf: &mut [ValRaw]) {
        buf[0] = self.into_raw();
    }
}

impl<A: WasmTy> WasmResults for A {
    const COUNT: usize = 1;
    fn types() -> Vec<ValType> {
        vec![A::TYPE]
    }
    fn load(buf: &[ValRaw]) -> Self {
        A::from_raw(buf[0])
    }
    fn store(self, buf: &mut [ValRaw]) {
        buf[0] = self.into_raw();
    }
}

/// Counts as one, whatever it is given (for tuple arities).
macro_rules! one {
    ($x:tt) => {
        1
    };
}

macro_rules! tuples {
    ($(($($t:ident $v:ident $i:tt),*))*) => {$(
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            const COUNT: usize = 0 $(+ one!($t))*;
            fn types() -> Vec<ValType> { vec![$($t::TYPE),*] }
            #[allow(unused_variables)]
            fn store(self, buf: &mut [ValRaw]) {
                let ($($v,)*) = self;
                $( buf[$i] = $v.into_raw(); )*
            }
        }
        impl<$($t: WasmTy),*> WasmResults for ($($t,)*) {
            const COUNT: usize = 0 $(+ one!($t))*;
            fn types() -> Vec<ValType> { vec![$($t::TYPE),*] }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load(buf: &[ValRaw]) -> Self { ($($t::from_raw(buf[$i]),)*) }
            #[allow(unused_variables)]
            fn store(self, buf: &mut [ValRaw]) {
                let ($($v,)*) = self;
                $( buf[$i] = $v.into_raw(); )*
            }
        }
    )*};
}
tuples! {
    ()
    (A a 0, B b 1)
    (A a 0, B b 1, C c 2)
    (A a 0, B b 1, C c 2, D d 3)
    (A a 0, B b 1, C c 2, D d 3, E e 4)
}

/// What a host closure may return: results, or a `Result` of them.
pub trait WasmRet {
    /// The WebAssembly result types.
    fn types() -> Vec<ValType>;
    /// Writes the results, or passes on the error.
    fn into_results(self, buf: &mut [ValRaw]) -> Result<()>;
}

impl<R: WasmResults> WasmRet for R {
    fn types() -> Vec<ValType> {
        R::types()
    }
    fn into_results(self, buf: &mut [ValRaw]) -> Result<()> {
        self.store(buf);
        Ok(())
    }
}

impl<R: WasmResults> WasmRet for Result<R> {
    fn types() -> Vec<ValType> {
        R::types()
    }
    fn into_results(self, buf: &mut [ValRaw]) -> Result<()> {
        self?.store(buf);
        Ok(())
    }
}

/// A Rust closure usable as a host function.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The function's type and its type-erased body.
    #[doc(hidden)]
    fn into_host(self) -> (FuncType, Arc<HostCallback<T>>);
}

macro_rules! into_func {
    ($(($($t:ident $v:ident $i:tt),*))*) => {$(
        impl<T: 'static, F, R, $($t: WasmTy),*> IntoFunc<T, ($($t,)*), R> for F
        where
            F: Fn($($t),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_host(self) -> (FuncType, Arc<HostCallback<T>>) {
                let ty = FuncType::new([$($t::TYPE),*], R::types());
                let cb = move |_caller: Caller<'_, T>, buf: &mut [ValRaw]| {
                    $( let $v = $t::from_raw(buf[$i]); )*
                    (self)($($v),*).into_results(buf)
                };
                (ty, Arc::new(cb))
            }
        }

        impl<T: 'static, F, R, $($t: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($t,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($t),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_host(self) -> (FuncType, Arc<HostCallback<T>>) {
                let ty = FuncType::new([$($t::TYPE),*], R::types());
                let cb = move |caller: Caller<'_, T>, buf: &mut [ValRaw]| {
                    $( let $v = $t::from_raw(buf[$i]); )*
                    (self)(caller, $($v),*).into_results(buf)
                };
                (ty, Arc::new(cb))
            }
        }
    )*};
}
into_func! {
    ()
    (A a 0)
    (A a 0, B b 1)
    (A a 0, B b 1, C c 2)
    (A a 0, B b 1, C c 2, D d 3)
    (A a 0, B b 1, C c 2, D d 3, E e 4)
    (A a 0, B b 1, C c 2, D d 3, E e 4, G g 5)
    (A a 0, B b 1, C c 2, D d 3, E e 4, G g 5, H h 6)
    (A a 0, B b 1, C c 2, D d 3, E e 4, G g 5, H h 6, I i 7)
    (A a 0, B b 1, C c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8)
    (A a 0, B b 1, C c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8, K k 9)
}

/// A function whose parameter and result types were checked once, so calls
/// skip the [`Val`] conversions.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function.
    ///
    /// # Errors
    ///
    /// A [`crate::Trap`] if execution traps, the host's error if a host
    /// function fails, or a usage error for a handle of another store.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let ctx = store.as_context_mut();
        let inner: *mut StoreInner<_> = ctx.0;
        // SAFETY: `inner` comes from a live exclusive borrow; this shared
        // use ends before the call.
        let funcref = unsafe {
            let opaque = &(*inner).opaque;
            let i = opaque.check(self.func.0, "function")?;
            opaque.funcs[i].funcref
        };
        let mut small = [ValRaw::default(); 8];
        // Counts are constants: the hot call path allocates nothing.
        let n = Params::COUNT.max(Results::COUNT);
        let mut big = Vec::new();
        let buf: &mut [ValRaw] = if n <= small.len() {
            &mut small[..]
        } else {
            big.resize(n, ValRaw::default());
            &mut big[..]
        };
        params.store(buf);
        // SAFETY: `funcref` belongs to this store; no borrow of the store
        // is used across the call.
        unsafe { invoke(inner, funcref, buf)? };
        Ok(Results::load(buf))
    }
}
