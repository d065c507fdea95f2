//! What a validated module declares: its index spaces, imports, exports and
//! segments. Every tier reads this; none changes it.

use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType};
use std::collections::HashMap;
use std::ops::Range;

/// An item of one of a module's index spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EntityIndex {
    /// A function index (imports first).
    Function(u32),
    /// A table index.
    Table(u32),
    /// A memory index.
    Memory(u32),
    /// A global index.
    Global(u32),
}

/// One import of a module.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Import {
    /// The module name.
    pub module: String,
    /// The field name.
    pub name: String,
    /// The index the import occupies in its index space.
    pub index: EntityIndex,
}

/// One export of a module.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Export {
    /// The export name.
    pub name: String,
    /// What is exported.
    pub index: EntityIndex,
}

/// One instruction of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ConstOp {
    /// `i32.const`
    I32(i32),
    /// `i64.const`
    I64(i64),
    /// `f32.const`, as bits.
    F32(u32),
    /// `f64.const`, as bits.
    F64(u64),
    /// `v128.const`
    V128(u128),
    /// `ref.null`
    RefNull(RefType),
    /// `ref.func`
    RefFunc(u32),
    /// `global.get`
    GlobalGet(u32),
    /// `i32.add` (extended constant expressions)
    I32Add,
    /// `i32.sub`
    I32Sub,
    /// `i32.mul`
    I32Mul,
    /// `i64.add`
    I64Add,
    /// `i64.sub`
    I64Sub,
    /// `i64.mul`
    I64Mul,
}

/// A constant expression: global initialisers and segment offsets.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConstExpr {
    /// The instructions, without the final `end`.
    pub ops: Box<[ConstOp]>,
}

/// Where an element segment goes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum ElemKind {
    /// Copied into a table at instantiation.
    Active {
        /// The table.
        table: u32,
        /// Where in the table.
        offset: ConstExpr,
    },
    /// Used by `table.init`.
    Passive,
    /// Only declares functions for `ref.func`.
    Declared,
}

/// The items of an element segment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum ElemItems {
    /// Function indices.
    Functions(Box<[u32]>),
    /// Constant expressions producing references.
    Expressions(Box<[ConstExpr]>),
}

impl ElemItems {
    /// The number of items.
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Functions(f) => f.len(),
            ElemItems::Expressions(e) => e.len(),
        }
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An element segment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ElemSegment {
    /// Where the segment goes.
    pub kind: ElemKind,
    /// The type of its references.
    pub ty: RefType,
    /// Its items.
    pub items: ElemItems,
}

/// Where a data segment goes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum DataKind {
    /// Copied into a memory at instantiation.
    Active {
        /// The memory.
        memory: u32,
        /// Where in the memory.
        offset: ConstExpr,
    },
    /// Used by `memory.init`.
    Passive,
}

/// A data segment; its bytes are a range of the module's binary.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DataSegment {
    /// Where the segment goes.
    pub kind: DataKind,
    /// The byte range of its contents within the module binary.
    pub range: Range<usize>,
}

/// Everything a validated module declares, in its index spaces.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ModuleInfo {
    /// The module's name from the name section.
    pub name: Option<String>,
    /// The type section.
    pub types: Vec<FuncType>,
    /// The type index of each function, imported functions first.
    pub functions: Vec<u32>,
    /// How many of `functions` are imports.
    pub num_imported_functions: u32,
    /// Every table, imported tables first.
    pub tables: Vec<TableType>,
    /// How many of `tables` are imports.
    pub num_imported_tables: u32,
    /// Every memory, imported memories first.
    pub memories: Vec<MemoryType>,
    /// How many of `memories` are imports.
    pub num_imported_memories: u32,
    /// Every global, imported globals first.
    pub globals: Vec<GlobalType>,
    /// How many of `globals` are imports.
    pub num_imported_globals: u32,
    /// The initialisers of the defined globals.
    pub global_inits: Vec<ConstExpr>,
    /// The initialisers of defined tables that have one.
    pub table_inits: Vec<Option<ConstExpr>>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Exports, in order.
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
    /// Element segments.
    pub elements: Vec<ElemSegment>,
    /// Data segments.
    pub data: Vec<DataSegment>,
    /// Function names from the name section.
    pub function_names: HashMap<u32, String>,
    /// Functions that may be referenced by `ref.func` (declared in an element
    /// segment, exported or used in a global initialiser).
    pub escaped_functions: Vec<u32>,
}

impl ModuleInfo {
    /// The signature of function `index`.
    ///
    /// # Panics
    ///
    /// If `index` is not a function index of this module (the validator
    /// guarantees this for indices taken from the module's code).
    pub fn func_type(&self, index: u32) -> &FuncType {
        &self.types[self.functions[index as usize] as usize]
    }

    /// The number of functions defined (not imported) by the module.
    pub fn num_defined_functions(&self) -> u32 {
        self.functions.len() as u32 - self.num_imported_functions
    }

    /// Looks up an export by name.
    pub fn export(&self, name: &str) -> Option<EntityIndex> {
        self.exports
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.index)
    }

    /// A function's name from the name section, if it has one.
    pub fn function_name(&self, index: u32) -> Option<&str> {
        self.function_names.get(&index).map(String::as_str)
    }
}
