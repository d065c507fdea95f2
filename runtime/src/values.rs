//! Values that cross between the host and WebAssembly.

use crate::error::{Error, Result};
use crate::func::Func;
use crate::store::{AsContext, AsContextMut, StoreOpaque, Stored};
use std::any::Any;
use strata_environ::vmcontext::{VMFuncRef, ValRaw};
use strata_environ::{RefType, ValType};

/// A WebAssembly value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as its bits (so NaN payloads survive).
    F32(u32),
    /// An `f64`, as its bits.
    F64(u64),
    /// A `v128`.
    V128(u128),
    /// A `funcref`.
    FuncRef(Option<Func>),
    /// An `externref`.
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
        }
    }

    /// The zero (or null) value of a type.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(RefType::FuncRef) => Val::FuncRef(None),
            ValType::Ref(RefType::ExternRef) => Val::ExternRef(None),
        }
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }

    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }

    pub(crate) fn to_raw(self, store: &mut StoreOpaque) -> Result<ValRaw> {
        Ok(match self {
            Val::I32(v) => ValRaw::from_u32(v as u32),
            Val::I64(v) => ValRaw::from_u64(v as u64),
            Val::F32(v) => ValRaw::from_u32(v),
            Val::F64(v) => ValRaw::from_u64(v),
            Val::V128(v) => ValRaw::from_u128(v),
            Val::FuncRef(_) => ValRaw::from_u64(self.to_raw_ref(store, RefType::FuncRef)? as u64),
            Val::ExternRef(_) => {
                ValRaw::from_u64(self.to_raw_ref(store, RefType::ExternRef)? as u64)
            }
        })
    }

    pub(crate) fn from_raw(store: &mut StoreOpaque, raw: ValRaw, ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw.get_u32() as i32),
            ValType::I64 => Val::I64(raw.get_u64() as i64),
            ValType::F32 => Val::F32(raw.get_u32()),
            ValType::F64 => Val::F64(raw.get_u64()),
            ValType::V128 => Val::V128(raw.get_u128()),
            ValType::Ref(r) => Val::from_raw_ref(store, raw.get_u64() as usize, r),
        }
    }

    /// The raw form of a reference for a table or the VM.
    pub(crate) fn to_raw_ref(self, store: &StoreOpaque, ty: RefType) -> Result<usize> {
        match (self, ty) {
            (Val::FuncRef(None), RefType::FuncRef) | (Val::ExternRef(None), RefType::ExternRef) => {
                Ok(0)
            }
            (Val::FuncRef(Some(f)), RefType::FuncRef) => {
                let i = store.check(f.0, "function")?;
                Ok(store.funcs[i].funcref as usize)
            }
            (Val::ExternRef(Some(e)), RefType::ExternRef) => {
                let i = store.check(e.0, "externref")?;
                Ok(&*store.externs[i] as *const ExternData as usize)
            }
            (v, ty) => Err(Error::Usage(format!("expected a {ty}, got a {}", v.ty()))),
        }
    }

    pub(crate) fn from_raw_ref(store: &mut StoreOpaque, raw: usize, ty: RefType) -> Val {
        match ty {
            RefType::FuncRef => Val::FuncRef(if raw == 0 {
                None
            } else {
                Some(Func::from_funcref(store, raw as *const VMFuncRef))
            }),
            RefType::ExternRef => Val::ExternRef(if raw == 0 {
                None
            } else {
                // SAFETY: non-null externref values only ever come from
                // `to_raw_ref`, which hands out addresses of the store's own
                // boxed extern data; the store frees none while it lives.
                let index = unsafe { (*(raw as *const ExternData)).index };
                Some(ExternRef(store.stored(index)))
            }),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

/// The host value behind an `externref`.
pub(crate) struct ExternData {
    pub(crate) index: usize,
    pub(crate) value: Box<dyn Any + Send + Sync>,
}

/// An opaque host value that WebAssembly can hold as an `externref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternRef(pub(crate) Stored);

impl ExternRef {
    /// Wraps a host value.
    pub fn new<V: Any + Send + Sync>(mut store: impl AsContextMut, value: V) -> ExternRef {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let index = opaque.externs.len();
        opaque.externs.push(Box::new(ExternData {
            index,
            value: Box::new(value),
        }));
        ExternRef(opaque.stored(index))
    }

    /// The wrapped host value.
    ///
    /// # Errors
    ///
    /// Fails if the reference belongs to another store.
    pub fn data<'a, S: AsContext + 'a>(&self, store: &'a S) -> Result<&'a (dyn Any + Send + Sync)> {
        let ctx: crate::store::StoreContext<'a, S::Data> = store.as_context();
        let i = ctx.0.opaque.check(self.0, "externref")?;
        Ok(&*ctx.0.opaque.externs[i].value)
    }
}
