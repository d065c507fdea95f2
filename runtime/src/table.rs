//! Tables of references.

use crate::error::{Error, Result};
use crate::limits::ResourceLimiter;
use crate::store::{AsContext, AsContextMut, Stored};
use crate::values::Val;
use strata_environ::TableType;
use strata_environ::vmcontext::VMTableDefinition;

/// The storage behind a [`Table`]: raw references (0 is null).
pub(crate) struct TableData {
    pub(crate) def: crate::vm_shared::VmShared<VMTableDefinition>,
    pub(crate) elements: Vec<usize>,
    pub(crate) ty: TableType,
}

impl TableData {
    pub(crate) fn new(
        ty: TableType,
        init: usize,
        limiter: &mut dyn ResourceLimiter,
    ) -> Result<TableData> {
        let maximum = ty.maximum.and_then(|m| usize::try_from(m).ok());
        let n = usize::try_from(ty.minimum)
            .ok()
            .filter(|n| limiter.table_growing(0, *n, maximum))
            .filter(|n| *n <= u32::MAX as usize)
            .ok_or_else(|| {
                Error::Resource(format!("table of {} elements is too large", ty.minimum))
            })?;
        let mut elements = Vec::new();
        elements
            .try_reserve_exact(n)
            .map_err(|_| Error::Resource("out of memory for a table".into()))?;
        elements.resize(n, init);
        let mut t = TableData {
            def: crate::vm_shared::VmShared::new(VMTableDefinition {
                base: std::ptr::null_mut(),
                current_elements: 0,
            }),
            elements,
            ty,
        };
        t.sync();
        Ok(t)
    }

    fn sync(&mut self) {
        self.def.base = self.elements.as_mut_ptr();
        self.def.current_elements = self.elements.len();
    }

    /// Grows by `delta`; the old size, or `None`.
    pub(crate) fn grow(
        &mut self,
        delta: u64,
        init: usize,
        limiter: &mut dyn ResourceLimiter,
    ) -> Option<u64> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.maximum.unwrap_or(u32::MAX as u64) {
            return None;
        }
        let new = usize::try_from(new).ok()?;
        let maximum = self.ty.maximum.and_then(|m| usize::try_from(m).ok());
        if !limiter.table_growing(old as usize, new, maximum) {
            return None;
        }
        self.elements.try_reserve(new - old as usize).ok()?;
        self.elements.resize(new, init);
        self.sync();
        Some(old)
    }

    pub(crate) fn ty(&self) -> TableType {
        TableType {
            minimum: self.elements.len() as u64,
            ..self.ty
        }
    }
}

/// A table handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table(pub(crate) Stored);

impl Table {
    /// Creates a table filled with `init`.
    ///
    /// # Errors
    ///
    /// Fails if `init` does not match the element type, belongs to another
    /// store, or the table is too large.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        if opaque.tables.len() >= opaque.limiter.tables() {
            return Err(Error::Resource("too many tables".into()));
        }
        let raw = init.to_raw_ref(opaque, ty.element)?;
        let t = TableData::new(ty, raw, &mut *opaque.limiter)?;
        opaque.tables.push(t);
        Ok(Table(opaque.stored(opaque.tables.len() - 1)))
    }

    /// The table's type, with its current size as the minimum.
    ///
    /// # Errors
    ///
    /// Fails if the table belongs to another store.
    pub fn ty(&self, store: impl AsContext) -> Result<TableType> {
        let ctx = store.as_context();
        let i = ctx.0.opaque.check(self.0, "table")?;
        Ok(ctx.0.opaque.tables[i].ty())
    }

    /// The number of elements.
    ///
    /// # Errors
    ///
    /// Fails if the table belongs to another store.
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        let ctx = store.as_context();
        let i = ctx.0.opaque.check(self.0, "table")?;
        Ok(ctx.0.opaque.tables[i].elements.len() as u64)
    }

    /// The element at `index`, or `None` out of bounds.
    ///
    /// # Errors
    ///
    /// Fails if the table belongs to another store.
    pub fn get(&self, mut store: impl AsContextMut, index: u64) -> Result<Option<Val>> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "table")?;
        let t = &opaque.tables[i];
        let elem = t.ty.element;
        let Some(raw) = usize::try_from(index)
            .ok()
            .and_then(|x| t.elements.get(x))
            .copied()
        else {
            return Ok(None);
        };
        Ok(Some(Val::from_raw_ref(opaque, raw, elem)))
    }

    /// Sets the element at `index`.
    ///
    /// # Errors
    ///
    /// Fails out of bounds, on a type mismatch or with another store.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Val) -> Result<()> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "table")?;
        let raw = val.to_raw_ref(opaque, opaque.tables[i].ty.element)?;
        let slot = usize::try_from(index)
            .ok()
            .and_then(|x| opaque.tables[i].elements.get_mut(x))
            .ok_or_else(|| Error::Usage("table index out of bounds".into()))?;
        *slot = raw;
        Ok(())
    }

    /// Grows the table by `delta` elements set to `init`; the old size.
    ///
    /// # Errors
    ///
    /// Fails past the maximum or the store's limits, on a type mismatch, or
    /// with another store.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let ctx = store.as_context_mut();
        let opaque = &mut ctx.0.opaque;
        let i = opaque.check(self.0, "table")?;
        let raw = init.to_raw_ref(opaque, opaque.tables[i].ty.element)?;

        opaque.tables[i]
            .grow(delta, raw, &mut *opaque.limiter)
            .ok_or_else(|| Error::Resource("failed to grow table".into()))
    }

    pub(crate) fn definition(&self, store: &crate::store::StoreOpaque) -> *mut VMTableDefinition {
        store.tables[self.0.index].def.as_ptr()
    }
}
