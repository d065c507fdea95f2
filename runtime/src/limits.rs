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
