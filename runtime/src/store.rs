//! Stores: the owners of all runtime objects, and the handles into them.

use crate::config::Engine;
use crate::error::{Error, FrameInfo, Result, Trap};
use crate::func::FuncData;
use crate::global::GlobalData;
use crate::instance::InstanceData;
use crate::limits::{ResourceLimiter, StoreLimits};
use crate::memory::LinearMemory;
use crate::table::TableData;
use crate::values::ExternData;
use crate::vm_shared::VmShared;
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};
use strata_environ::vmcontext::{VMGlobalDefinition, VMStoreContext, VMTrap, ValRaw};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// Identifies a store; every handle carries the id of its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct StoreId(u64);

/// A handle: which store, and which object in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Stored {
    pub(crate) store: StoreId,
    pub(crate) index: usize,
}

/// The part of a store that does not depend on the host data type.
pub(crate) struct StoreOpaque {
    pub(crate) id: StoreId,
    pub(crate) engine: Engine,
    pub(crate) vm: VmShared<VMStoreContext>,
    /// Each instance's context points back at its record.
    pub(crate) instances: Vec<VmShared<InstanceData>>,
    pub(crate) funcs: Vec<FuncData>,
    pub(crate) memories: Vec<LinearMemory>,
    pub(crate) tables: Vec<TableData>,
    pub(crate) globals: Vec<GlobalData>,
    /// Where globals' values live (see [`GlobalData`]).
    pub(crate) global_blocks: Vec<VmShared<[VMGlobalDefinition]>>,
    /// Boxed: an `externref` is the address of its data.
    #[allow(clippy::vec_box)]
    pub(crate) externs: Vec<Box<ExternData>>,
    /// Function handles by the address of their function reference.
    pub(crate) func_by_ref: HashMap<usize, usize>,
    /// The error of a failed host function, until the call returns.
    pub(crate) pending_error: Option<Error>,
    pub(crate) limiter: Box<dyn ResourceLimiter>,
    /// What happens at the epoch deadline; `None` traps with `interrupt`.
    /// Type-erased: it is given the `StoreInner<T>` as a pointer.
    pub(crate) epoch_callback: Option<Box<EpochCallback>>,
}

/// A store's epoch deadline callback after type erasure.
pub(crate) type EpochCallback = dyn FnMut(*mut c_void) -> Result<UpdateDeadline> + Send;

/// What an epoch deadline callback decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateDeadline {
    /// Let the guest run until the epoch has advanced this many more
    /// times.
    Continue(u64),
    /// Stop the guest with the `interrupt` trap.
    Interrupt,
}

/// A store and the host's data.
pub struct StoreInner<T> {
    pub(crate) opaque: StoreOpaque,
    pub(crate) data: T,
}

/// Owns every instance, memory, table, global and function created in it,
/// plus a host value of type `T`. Objects live as long as their store.
pub struct Store<T> {
    /// The store context points back at it.
    inner: VmShared<StoreInner<T>>,
}

// SAFETY: the raw pointers inside a store point only at memory the store
// owns (or at the engine's immutable module code), and host callbacks are
// required to be `Send + Sync`; moving the whole store to another thread
// moves all of it.
unsafe impl<T: Send> Send for Store<T> {}

impl<T> Store<T> {
    /// Creates a store for `engine` holding `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let vm = VmShared::new(VMStoreContext {
            fuel_remaining: if engine.config().consume_fuel {
                0
            } else {
                i64::MAX
            },
            epoch_deadline: u64::MAX,
            store: std::ptr::null_mut(),
            host_depth: 0,
            stack_limit: 0,
            native_stack_budget: engine.config().max_native_stack,
            max_frames: engine.config().max_wasm_frames,
            trap: None,
            tier_state: None,
            epoch_counter: engine.epoch_counter(),
            stack_floor: 0,
        });
        let mut inner = VmShared::new(StoreInner {
            opaque: StoreOpaque {
                id: StoreId(NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed)),
                engine: engine.clone(),
                vm,
                instances: Vec::new(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                global_blocks: Vec::new(),
                externs: Vec::new(),
                func_by_ref: HashMap::new(),
                pending_error: None,
                limiter: Box::new(StoreLimits::default()),
                epoch_callback: None,
            },
            data,
        });
        let ptr: *mut StoreInner<T> = inner.as_ptr();
        inner.opaque.vm.store = ptr.cast::<c_void>();
        Store { inner }
    }

    /// The engine the store was created for.
    pub fn engine(&self) -> &Engine {
        &self.inner.opaque.engine
    }

    /// The host data.
    pub fn data(&self) -> &T {
        &self.inner.data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    /// Consumes the store and returns its host data.
    pub fn into_data(self) -> T {
        self.inner.into_inner().data
    }

    /// Sets the fuel this store's wasm may consume from now on.
    ///
    /// # Errors
    ///
    /// When the engine does not meter fuel ([`Config::consume_fuel`](crate::Config::consume_fuel)).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.check_fuel()?;
        self.inner.opaque.vm.fuel_remaining = i64::try_from(fuel).unwrap_or(i64::MAX);
        Ok(())
    }

    /// The fuel left (0 once a guest ran out).
    ///
    /// # Errors
    ///
    /// When the engine does not meter fuel.
    pub fn get_fuel(&self) -> Result<u64> {
        self.check_fuel()?;
        Ok(self.inner.opaque.vm.fuel_remaining.max(0) as u64)
    }

    fn check_fuel(&self) -> Result<()> {
        if self.inner.opaque.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::Usage(
                "fuel is not enabled: use `Config::consume_fuel(true)`".into(),
            ))
        }
    }

    /// Interrupts wasm running in this store once the engine's epoch has
    /// advanced `delta` times from now ([`Engine::increment_epoch`]). Takes
    /// effect only with [`Config::epoch_interruption`](crate::Config::epoch_interruption);
    /// the check runs at every function entry and loop header, in every
    /// tier. Without a deadline (the default) nothing is interrupted.
    pub fn set_epoch_deadline(&mut self, delta: u64) {
        let now = self.inner.opaque.engine.current_epoch();
        self.inner.opaque.vm.epoch_deadline = now.saturating_add(delta);
    }

    /// Decides what happens at the epoch deadline instead of trapping:
    /// the callback may let the guest go on for more epochs
    /// ([`UpdateDeadline::Continue`]), stop it ([`UpdateDeadline::Interrupt`],
    /// the `interrupt` trap), or fail with an error the call then returns.
    pub fn epoch_deadline_callback(
        &mut self,
        mut callback: impl FnMut(StoreContextMut<'_, T>) -> Result<UpdateDeadline> + Send + 'static,
    ) {
        self.inner.opaque.epoch_callback = Some(Box::new(move |store: *mut c_void| {
            // SAFETY: the runtime passes this store's `StoreInner<T>` while
            // wasm is suspended at a deadline check; nothing else borrows
            // it then.
            let inner = unsafe { &mut *store.cast::<StoreInner<T>>() };
            callback(StoreContextMut(inner))
        }));
    }

    /// Limits the memories, tables and instances of this store.
    pub fn limiter(&mut self, limits: StoreLimits) {
        self.inner.opaque.limiter = Box::new(limits);
    }

    /// Lets `limiter` decide what this store may allocate from now on (see
    /// [`ResourceLimiter`]; [`Store::limiter`] installs the ready-made
    /// [`StoreLimits`]).
    pub fn resource_limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        self.inner.opaque.limiter = Box::new(limiter);
    }
}

impl StoreOpaque {
    /// Refuses a handle of another store.
    pub(crate) fn check(&self, stored: Stored, what: &str) -> Result<usize> {
        if stored.store == self.id {
            Ok(stored.index)
        } else {
            Err(Error::Usage(format!(
                "{what} used with a store it does not belong to"
            )))
        }
    }

    /// Allocates a block of `len` zeroed global values; returns its index
    /// in `global_blocks`.
    pub(crate) fn new_global_block(&mut self, len: usize) -> usize {
        let block = (0..len)
            .map(|_| VMGlobalDefinition {
                storage: ValRaw::from_u128(0),
            })
            .collect();
        self.global_blocks.push(VmShared::from_box(block));
        self.global_blocks.len() - 1
    }

    /// The address code uses for slot `slot` of global block `block`;
    /// derived from the block's pointer, as every pointer code gets is.
    pub(crate) fn global_slot_ptr(&self, block: usize, slot: usize) -> *mut VMGlobalDefinition {
        self.global_blocks[block]
            .as_ptr()
            .cast::<VMGlobalDefinition>()
            .wrapping_add(slot)
    }

    pub(crate) fn stored(&self, index: usize) -> Stored {
        Stored {
            store: self.id,
            index,
        }
    }

    /// Turns the trap recorded by a failed array call into an error.
    pub(crate) fn take_trap(&mut self) -> Error {
        let trap = self.vm.trap.take();
        match trap.map(|b| *b) {
            Some(VMTrap {
                code: Some(code),
                frames,
            }) => {
                let backtrace = frames
                    .iter()
                    .map(|f| InstanceData::frame_info(f.vmctx, f.func_index))
                    .collect::<Vec<FrameInfo>>();
                Error::Trap(Trap::new(code, backtrace))
            }
            Some(VMTrap { code: None, .. }) => self
                .pending_error
                .take()
                .unwrap_or_else(|| Error::msg("host function failed")),
            None => self
                .pending_error
                .take()
                .unwrap_or_else(|| Error::msg("call failed without a recorded trap")),
        }
    }
}

/// A shared borrow of a store.
pub struct StoreContext<'a, T>(pub(crate) &'a StoreInner<T>);

/// An exclusive borrow of a store.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut StoreInner<T>);

impl<T> StoreContext<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        &self.0.data
    }
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.0.opaque.engine
    }
}

impl<T> StoreContextMut<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        &self.0.data
    }
    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.0.data
    }
    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.0.opaque.engine
    }
}

/// Anything that can lend a store for reading.
pub trait AsContext {
    /// The host data type.
    type Data;
    /// Borrows the store.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Anything that can lend a store for writing.
pub trait AsContextMut: AsContext {
    /// Borrows the store exclusively.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&self.inner)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(&mut self.inner)
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, S::Data> {
        (**self).as_context_mut()
    }
}
