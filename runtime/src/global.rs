//! Globals.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, Stored};
use crate::values::Val;
use strata_environ::GlobalType;
use strata_environ::vmcontext::{VMGlobalDefinition, ValRaw};

/// The storage behind a [`Global`].
pub(crate) struct GlobalData {
    pub(crate) def: crate::vm_shared::VmShared<VMGlobalDefinition>,
    pub(crate) ty: GlobalType,
}

/// A global handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Global(pub(crate) Stored);

impl Global {
    /// Creates a global holding `val`.
    ///
    /// # Errors
    ///
    /// Fails if `val` does not have the global's type or belongs to another
    /// store.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        if val.ty() != ty.content {
            return Err(Error::Usage(format!(
                "global of type {} initialised with a {}",
                ty.content,
                val.ty()
            )));
        }
        let raw = val.to_raw(opaque)?;
        opaque.globals.push(GlobalData {
            def: crate::vm_shared::VmShared::new(VMGlobalDefinition { storage: raw }),
            ty,
        });
        Ok(Global(opaque.stored(opaque.globals.len() - 1)))
    }

    pub(crate) fn from_raw(
        opaque: &mut crate::store::StoreOpaque,
        ty: GlobalType,
        raw: ValRaw,
    ) -> Global {
        opaque.globals.push(GlobalData {
            def: crate::vm_shared::VmShared::new(VMGlobalDefinition { storage: raw }),
            ty,
        });
        Global(opaque.stored(opaque.globals.len() - 1))
    }

    /// The global's type.
    ///
    /// # Errors
    ///
    /// Fails if the global belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType> {
        let ctx = store.as_context();
        let i = ctx.0.opaque.check(self.0, "global")?;
        Ok(ctx.0.opaque.globals[i].ty)
    }

    /// The current value.
    ///
    /// # Errors
    ///
    /// Fails if the global belongs to another store.
    pub fn get(&self, mut store: impl AsContextMut) -> Result<Val> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "global")?;
        let g = &opaque.globals[i];
        let (raw, ty) = (g.def.storage, g.ty.content);
        Ok(Val::from_raw(opaque, raw, ty))
    }

    /// Changes the value of a mutable global.
    ///
    /// # Errors
    ///
    /// Fails for an immutable global, a value of another type, or a handle
    /// of another store.
    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<()> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "global")?;
        let ty = opaque.globals[i].ty;
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        if val.ty() != ty.content {
            return Err(Error::Usage(format!(
                "global of type {} set to a {}",
                ty.content,
                val.ty()
            )));
        }
        let raw = val.to_raw(opaque)?;
        opaque.globals[i].def.storage = raw;
        Ok(())
    }

    pub(crate) fn definition(&self, store: &crate::store::StoreOpaque) -> *mut VMGlobalDefinition {
        store.globals[self.0.index].def.as_ptr()
    }
}
