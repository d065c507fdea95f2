//! Decoding and validating a module, section by section.

use crate::module::{
    ConstExpr, ConstOp, DataKind, DataSegment, ElemItems, ElemKind, ElemSegment, EntityIndex,
    Export, Import, ModuleInfo,
};
use crate::types::{FuncType, GlobalType, MemoryType, RefType, TableType, ValType};
use crate::validate::ModuleBinary;
use std::sync::Arc;
use wasmparser::{
    BinaryReaderError, FuncToValidate, FunctionBody, KnownCustom, Name, Parser, Payload, TypeRef,
    ValidPayload, Validator, ValidatorResources, WasmFeatures,
};

/// Why a module was rejected while decoding, validating or translating it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} (at offset {offset:#x})")]
pub struct WasmError {
    /// What is wrong.
    pub message: String,
    /// The byte offset in the module binary where the problem was found.
    pub offset: u64,
}

impl WasmError {
    /// Creates an error at `offset`.
    pub fn new(message: impl Into<String>, offset: u64) -> WasmError {
        WasmError {
            message: message.into(),
            offset,
        }
    }
}

impl From<BinaryReaderError> for WasmError {
    fn from(e: BinaryReaderError) -> WasmError {
        WasmError {
            message: e.message().to_string(),
            offset: e.offset(),
        }
    }
}

/// A tier's hook for function bodies: it receives each body together with
/// what it takes to validate it, so that it can validate and translate in
/// one pass, or keep the body to validate later.
pub trait FuncBodySink {
    /// Validates and translates the body of function `func_index`.
    ///
    /// # Errors
    ///
    /// A validation error of the body, or a translation limit.
    fn translate_body(
        &mut self,
        module: &ModuleInfo,
        func_index: u32,
        to_validate: FuncToValidate<ValidatorResources>,
        body: FunctionBody<'_>,
    ) -> Result<(), WasmError>;

    /// Called once the whole module is decoded, with its binary and the
    /// features it was decoded with, before the module is accepted: a sink
    /// that kept bodies to validate later (see
    /// [`DeferredBodies`](crate::DeferredBodies)) validates them here.
    ///
    /// # Errors
    ///
    /// A validation error of a kept body.
    fn finish_bodies(
        &mut self,
        wasm: ModuleBinary<'_>,
        features: WasmFeatures,
    ) -> Result<(), WasmError> {
        let _ = (wasm, features);
        Ok(())
    }
}

/// Decodes and validates a module binary into a [`ModuleInfo`].
pub struct ModuleEnvironment {
    features: WasmFeatures,
}

impl ModuleEnvironment {
    /// An environment validating against `features`.
    pub fn new(features: WasmFeatures) -> ModuleEnvironment {
        ModuleEnvironment { features }
    }

    /// Decodes and validates `wasm`, handing each function body to `sink`.
    ///
    /// # Errors
    ///
    /// Malformed or invalid modules, and modules using types Strata does not
    /// support, give a [`WasmError`] naming the problem and its offset.
    pub fn translate(
        &self,
        wasm: &[u8],
        sink: &mut dyn FuncBodySink,
    ) -> Result<ModuleInfo, WasmError> {
        self.translate_binary(ModuleBinary::Borrowed(wasm), sink)
    }

    /// [`Self::translate`] for a binary in an `Arc`, which the threads that
    /// validate bodies after decoding share instead of copying the code.
    ///
    /// # Errors
    ///
    /// As [`Self::translate`].
    pub fn translate_shared(
        &self,
        wasm: &Arc<[u8]>,
        sink: &mut dyn FuncBodySink,
    ) -> Result<ModuleInfo, WasmError> {
        self.translate_binary(ModuleBinary::Shared(wasm), sink)
    }

    fn translate_binary(
        &self,
        binary: ModuleBinary<'_>,
        sink: &mut dyn FuncBodySink,
    ) -> Result<ModuleInfo, WasmError> {
        let wasm = binary.bytes();
        let mut validator = Validator::new_with_features(self.features);
        let mut info = ModuleInfo::default();
        let mut next_defined_func = 0u32;
        let mut parser = Parser::new(0);
        parser.set_features(self.features);
        for payload in parser.parse_all(wasm) {
            let payload = payload?;
            match validator.payload(&payload)? {
                ValidPayload::Func(to_validate, body) => {
                    let index = info.num_imported_functions + next_defined_func;
                    next_defined_func += 1;
                    sink.translate_body(&info, index, to_validate, body)?;
                    continue;
                }
                ValidPayload::Parser(_) => {
                    return Err(WasmError::new("components are not supported", 0));
                }
                ValidPayload::Ok | ValidPayload::End(_) => {}
            }
            self.section(&mut info, payload)?;
        }
        sink.finish_bodies(binary, self.features)?;
        Ok(info)
    }

    fn section(&self, info: &mut ModuleInfo, payload: Payload<'_>) -> Result<(), WasmError> {
        match payload {
            Payload::TypeSection(reader) => {
                let offset = reader.range().start;
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty?;
                    let params = convert_types(ty.params(), offset)?;
                    let results = convert_types(ty.results(), offset)?;
                    info.types.push(FuncType::new(params, results));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports_with_offsets() {
                    let (offset, import) = import?;
                    let index = match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            info.functions.push(ty);
                            info.num_imported_functions += 1;
                            EntityIndex::Function(info.functions.len() as u32 - 1)
                        }
                        TypeRef::Table(ty) => {
                            info.tables.push(convert_table(ty, offset)?);
                            info.num_imported_tables += 1;
                            EntityIndex::Table(info.tables.len() as u32 - 1)
                        }
                        TypeRef::Memory(ty) => {
                            info.memories.push(convert_memory(ty));
                            info.num_imported_memories += 1;
                            EntityIndex::Memory(info.memories.len() as u32 - 1)
                        }
                        TypeRef::Global(ty) => {
                            info.globals.push(convert_global(ty, offset)?);
                            info.num_imported_globals += 1;
                            EntityIndex::Global(info.globals.len() as u32 - 1)
                        }
                        TypeRef::Tag(_) => {
                            return Err(WasmError::new("tags are not supported", offset));
                        }
                    };
                    info.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        index,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    info.functions.push(ty?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader.into_iter_with_offsets() {
                    let (offset, table) = table?;
                    info.tables.push(convert_table(table.ty, offset)?);
                    info.table_inits.push(match table.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(convert_const(&e)?),
                    });
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    info.memories.push(convert_memory(memory?));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader.into_iter_with_offsets() {
                    let (offset, global) = global?;
                    info.globals.push(convert_global(global.ty, offset)?);
                    let init = convert_const(&global.init_expr)?;
                    note_escaped_in_const(info, &init);
                    info.global_inits.push(init);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let index = match export.kind {
                        wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                            info.escaped_functions.push(export.index);
                            EntityIndex::Function(export.index)
                        }
                        wasmparser::ExternalKind::Table => EntityIndex::Table(export.index),
                        wasmparser::ExternalKind::Memory => EntityIndex::Memory(export.index),
                        wasmparser::ExternalKind::Global => EntityIndex::Global(export.index),
                        wasmparser::ExternalKind::Tag => {
                            return Err(WasmError::new("tags are not supported", 0));
                        }
                    };
                    info.exports.push(Export {
                        name: export.name.to_string(),
                        index,
                    });
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for elem in reader.into_iter_with_offsets() {
                    let (offset, elem) = elem?;
                    let kind = match elem.kind {
                        wasmparser::ElementKind::Passive => ElemKind::Passive,
                        wasmparser::ElementKind::Declared => ElemKind::Declared,
                        wasmparser::ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemKind::Active {
                            table: table_index.unwrap_or(0),
                            offset: convert_const(&offset_expr)?,
                        },
                    };
                    let (ty, items) = match elem.items {
                        wasmparser::ElementItems::Functions(funcs) => {
                            let funcs = funcs.into_iter().collect::<Result<Box<[u32]>, _>>()?;
                            info.escaped_functions.extend(funcs.iter().copied());
                            (RefType::FuncRef, ElemItems::Functions(funcs))
                        }
                        wasmparser::ElementItems::Expressions(ty, exprs) => {
                            let ty = RefType::from_wasmparser(ty)
                                .ok_or_else(|| unsupported_type(offset))?;
                            let mut items = Vec::new();
                            for expr in exprs {
                                let expr = convert_const(&expr?)?;
                                note_escaped_in_const(info, &expr);
                                items.push(expr);
                            }
                            (ty, ElemItems::Expressions(items.into()))
                        }
                    };
                    info.elements.push(ElemSegment { kind, ty, items });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let kind = match data.kind {
                        wasmparser::DataKind::Passive => DataKind::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataKind::Active {
                            memory: memory_index,
                            offset: convert_const(&offset_expr)?,
                        },
                    };
                    let end = data.range.end as usize;
                    let start = end - data.data.len();
                    info.data.push(DataSegment {
                        kind,
                        range: start..end,
                    });
                }
            }
            Payload::CustomSection(reader) => {
                if let KnownCustom::Name(names) = reader.as_known() {
                    // A malformed name section is not an error: the spec
                    // treats custom sections as opaque.
                    for name in names.into_iter().flatten() {
                        match name {
                            Name::Module { name, .. } => info.name = Some(name.to_string()),
                            Name::Function(map) => {
                                for naming in map.into_iter().flatten() {
                                    info.function_names
                                        .insert(naming.index, naming.name.to_string());
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn note_escaped_in_const(info: &mut ModuleInfo, expr: &ConstExpr) {
    for op in expr.ops.iter() {
        if let ConstOp::RefFunc(f) = op {
            info.escaped_functions.push(*f);
        }
    }
}

fn unsupported_type(offset: u64) -> WasmError {
    WasmError::new("unsupported reference type", offset)
}

fn convert_types(tys: &[wasmparser::ValType], offset: u64) -> Result<Vec<ValType>, WasmError> {
    tys.iter()
        .map(|t| ValType::from_wasmparser(*t).ok_or_else(|| unsupported_type(offset)))
        .collect()
}

fn convert_table(ty: wasmparser::TableType, offset: u64) -> Result<TableType, WasmError> {
    Ok(TableType {
        element: RefType::from_wasmparser(ty.element_type)
            .ok_or_else(|| unsupported_type(offset))?,
        minimum: ty.initial,
        maximum: ty.maximum,
    })
}

fn convert_memory(ty: wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        minimum: ty.initial,
        maximum: ty.maximum,
        memory64: ty.memory64,
        shared: ty.shared,
    }
}

fn convert_global(ty: wasmparser::GlobalType, offset: u64) -> Result<GlobalType, WasmError> {
    Ok(GlobalType {
        content: ValType::from_wasmparser(ty.content_type)
            .ok_or_else(|| unsupported_type(offset))?,
        mutable: ty.mutable,
    })
}

fn convert_const(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, WasmError> {
    use wasmparser::Operator as O;
    let mut reader = expr.get_operators_reader();
    let mut ops = Vec::new();
    loop {
        let offset = reader.original_position();
        let op = match reader.read()? {
            O::End => break,
            O::I32Const { value } => ConstOp::I32(value),
            O::I64Const { value } => ConstOp::I64(value),
            O::F32Const { value } => ConstOp::F32(value.bits()),
            O::F64Const { value } => ConstOp::F64(value.bits()),
            O::V128Const { value } => ConstOp::V128(value.i128() as u128),
            O::RefNull { hty } => {
                let ty = wasmparser::RefType::new(true, hty)
                    .and_then(RefType::from_wasmparser)
                    .ok_or_else(|| unsupported_type(offset))?;
                ConstOp::RefNull(ty)
            }
            O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            O::I32Add => ConstOp::I32Add,
            O::I32Sub => ConstOp::I32Sub,
            O::I32Mul => ConstOp::I32Mul,
            O::I64Add => ConstOp::I64Add,
            O::I64Sub => ConstOp::I64Sub,
            O::I64Mul => ConstOp::I64Mul,
            other => {
                return Err(WasmError::new(
                    format!("unsupported constant expression operator {other:?}"),
                    offset,
                ));
            }
        };
        ops.push(op);
    }
    Ok(ConstExpr { ops: ops.into() })
}
