//! Linking: naming host functions and other instances' exports so that a
//! module's imports can be satisfied by name.

use crate::Engine;
use crate::error::{Error, Result};
use crate::func::{Caller, Func, HostCallback, IntoFunc};
use crate::global::Global;
use crate::instance::{Instance, instantiate};
use crate::memory::Memory;
use crate::module::Module;
use crate::store::AsContextMut;
use crate::table::Table;
use crate::values::Val;
use std::collections::HashMap;
use std::sync::Arc;
use strata_environ::FuncType;

/// Something an instance exports or a module imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A memory.
    Memory(Memory),
    /// A global.
    Global(Global),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

enum Definition<T> {
    Extern(Extern),
    /// A host function not yet tied to a store: one is made per store.
    HostFunc(FuncType, Arc<HostCallback<T>>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(ty, f) => Definition::HostFunc(ty.clone(), f.clone()),
        }
    }
}

/// Resolves imports by `module::name`.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T: 'static> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same
    /// name (otherwise that is an error).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::Link(format!(
                "`{module}::{name}` is already defined"
            )));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as an item of a store.
    ///
    /// # Errors
    ///
    /// Fails if the name is taken and shadowing is not allowed.
    pub fn define(
        &mut self,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines a host function working on [`Val`]s.
    ///
    /// # Errors
    ///
    /// Fails if the name is taken and shadowing is not allowed.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        func: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        let cb = crate::func::host_callback_from_vals(ty.clone(), func);
        self.insert(module, name, Definition::HostFunc(ty, cb))
    }

    /// Defines a host function from a Rust closure.
    ///
    /// # Errors
    ///
    /// Fails if the name is taken and shadowing is not allowed.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, cb) = func.into_host();
        self.insert(module, name, Definition::HostFunc(ty, cb))
    }

    /// Defines every export of `instance` under the module name `module`.
    ///
    /// # Errors
    ///
    /// Fails if a name is taken and shadowing is not allowed.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        for (name, ext) in instance.exports(&mut store) {
            self.define(module, &name, ext)?;
        }
        Ok(self)
    }

    /// The item defined as `module::name`, made for `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        match self.defs.get(&(module.to_string(), name.to_string()))? {
            Definition::Extern(e) => Some(*e),
            Definition::HostFunc(ty, cb) => {
                let ctx = store.as_context_mut();
                Some(Extern::Func(Func::from_host(ctx.0, ty.clone(), cb.clone())))
            }
        }
    }

    /// Instantiates `module`, resolving its imports by name.
    ///
    /// # Errors
    ///
    /// [`Error::Link`] for an import that is not defined or has the wrong
    /// type; otherwise as [`Instance::new`].
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let mut imports = Vec::with_capacity(module.info().imports.len());
        for import in &module.info().imports {
            let ext = self
                .get(&mut store, &import.module, &import.name)
                .ok_or_else(|| {
                    Error::Link(format!(
                        "unknown import: `{}::{}` has not been defined",
                        import.module, import.name
                    ))
                })?;
            imports.push(ext);
        }
        let ctx = store.as_context_mut();
        instantiate(ctx.0, module, &imports)
    }
}
