//! Per-store resource limits.

/// Caps on what one store may allocate. `None` means no cap beyond the
/// WebAssembly limits themselves.
#[derive(Debug, Clone, Default)]
pub struct StoreLimits {
    /// Bytes one linear memory may grow to.
    pub memory_size: Option<usize>,
    /// Elements one table may grow to.
    pub table_elements: Option<usize>,
    /// Instances the store may hold.
    pub instances: Option<usize>,
    /// Linear memories the store may hold.
    pub memories: Option<usize>,
    /// Tables the store may hold.
    pub tables: Option<usize>,
}

/// Builds [`StoreLimits`].
#[derive(Debug, Clone, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// No limits.
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }
    /// Caps the byte size of each memory.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = Some(bytes);
        self
    }
    /// Caps the element count of each table.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.table_elements = Some(elements);
        self
    }
    /// Caps the number of instances.
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = Some(n);
        self
    }
    /// Caps the number of memories.
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = Some(n);
        self
    }
    /// Caps the number of tables.
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = Some(n);
        self
    }
    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

/// Decides what a store may allocate. The store consults it before a
/// memory or table is created or grows, and before an instance, memory or
/// table is added. [`StoreLimits`] is the ready-made implementation; an
/// embedder can write its own (to share one budget between stores, say).
///
/// A refused grow makes `memory.grow`/`table.grow` answer -1 to the guest
/// (the store stays usable); a refused creation is an error.
pub trait ResourceLimiter: Send {
    /// May a memory grow from `current` to `desired` bytes? `maximum` is
    /// its declared maximum in bytes, if any.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// May a table grow from `current` to `desired` elements?
    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;
    /// How many instances the store may hold.
    fn instances(&self) -> usize {
        usize::MAX
    }
    /// How many memories the store may hold.
    fn memories(&self) -> usize {
        usize::MAX
    }
    /// How many tables the store may hold.
    fn tables(&self) -> usize {
        usize::MAX
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> bool {
        self.memory_size.is_none_or(|cap| desired <= cap)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> bool {
        self.table_elements.is_none_or(|cap| desired <= cap)
    }
    fn instances(&self) -> usize {
        self.instances.unwrap_or(usize::MAX)
    }
    fn memories(&self) -> usize {
        self.memories.unwrap_or(usize::MAX)
    }
    fn tables(&self) -> usize {
        self.tables.unwrap_or(usize::MAX)
    }
}
