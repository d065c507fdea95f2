//! Which addresses hold compiled wasm code, and what each trap site means.
//!
//! The signal handler asks two questions about a program counter: is it in
//! compiled code, and if so, is there a trap record exactly there? Every
//! module's code registers its range, its functions and its trap records
//! here when it is published and unregisters when it is freed.
//!
//! Invariants:
//! - A range is registered only while its [`CodeMemory`](crate::code_memory::CodeMemory)
//!   is mapped; [`Registration`] unregisters it before the memory goes.
//! - The handler takes the read lock only; the write lock is taken by
//!   module creation and drop, never while the same thread runs wasm code,
//!   so a fault cannot interrupt a writer on its own thread.

use crate::traps::TrapKind;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// What one published module's code holds.
pub struct CodeInfo {
    /// `[start, end)` of the code.
    pub start: usize,
    pub end: usize,
    /// Function ranges as absolute addresses, sorted: `(start, end, wasm
    /// function index or None for a trampoline)`.
    pub funcs: Vec<(usize, usize, Option<u32>)>,
    /// Trap sites as absolute addresses, sorted.
    pub traps: Vec<(usize, TrapKind)>,
    /// Which module's code this is (its `jit_code` pointer), to tell
    /// frames of different modules apart in one backtrace; 0 for shared
    /// trampolines.
    pub module: usize,
}

impl CodeInfo {
    fn trap_at(&self, pc: usize) -> Option<TrapKind> {
        self.traps
            .binary_search_by_key(&pc, |(at, _)| *at)
            .ok()
            .map(|i| self.traps[i].1)
    }

    fn func_at(&self, pc: usize) -> Option<Option<u32>> {
        let i = self.funcs.partition_point(|(start, _, _)| *start <= pc);
        let (start, end, f) = *self.funcs.get(i.checked_sub(1)?)?;
        (start <= pc && pc < end).then_some(f)
    }
}

static REGISTRY: RwLock<BTreeMap<usize, Arc<CodeInfo>>> = RwLock::new(BTreeMap::new());

fn with_info<R>(pc: usize, f: impl FnOnce(&CodeInfo) -> Option<R>) -> Option<R> {
    let map = REGISTRY.read().ok()?;
    let (_, info) = map.range(..=pc).next_back()?;
    if pc < info.end { f(info) } else { None }
}

/// The trap recorded exactly at `pc`, if `pc` is in compiled code.
pub fn trap_at(pc: usize) -> Option<TrapKind> {
    with_info(pc, |i| i.trap_at(pc))
}

/// Whether `pc` lies in compiled code (a function or a trampoline).
pub fn is_compiled_code(pc: usize) -> bool {
    with_info(pc, |i| i.func_at(pc)).is_some()
}

/// The module and wasm function index of the code at `pc`; `None`
/// outside wasm functions (trampolines included).
pub fn func_at(pc: usize) -> Option<(usize, u32)> {
    with_info(pc, |i| Some((i.module, i.func_at(pc)??)))
}

/// Keeps a range registered until dropped.
pub struct Registration {
    start: usize,
}

/// Registers `info`.
pub fn register(info: CodeInfo) -> Registration {
    let start = info.start;
    if let Ok(mut map) = REGISTRY.write() {
        map.insert(start, Arc::new(info));
    }
    Registration { start }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut map) = REGISTRY.write() {
            map.remove(&self.start);
        }
    }
}
