//! The `spectest` host module that the spec scripts import from.

use strata::{
    Engine, Func, FuncType, Global, GlobalType, Linker, Memory, MemoryType, RefType, Result, Store,
    Table, TableType, Val, ValType,
};

/// Defines `spectest` in `linker` for `store`.
///
/// # Errors
///
/// Only if the definitions collide with existing ones.
pub fn define_spectest(
    linker: &mut Linker<()>,
    store: &mut Store<()>,
    _engine: &Engine,
) -> Result<()> {
    let prints: [(&str, Vec<ValType>); 7] = [
        ("print", vec![]),
        ("print_i32", vec![ValType::I32]),
        ("print_i64", vec![ValType::I64]),
        ("print_f32", vec![ValType::F32]),
        ("print_f64", vec![ValType::F64]),
        ("print_i32_f32", vec![ValType::I32, ValType::F32]),
        ("print_f64_f64", vec![ValType::F64, ValType::F64]),
    ];
    for (name, params) in prints {
        let f = Func::new(&mut *store, FuncType::new(params, []), |_, _, _| Ok(()));
        linker.define("spectest", name, f)?;
    }
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.to_bits())),
        ("global_f64", Val::F64(666.6f64.to_bits())),
    ];
    for (name, val) in globals {
        let g = Global::new(
            &mut *store,
            GlobalType {
                content: val.ty(),
                mutable: false,
            },
            val,
        )?;
        linker.define("spectest", name, g)?;
    }
    let table = Table::new(
        &mut *store,
        TableType {
            element: RefType::FuncRef,
            minimum: 10,
            maximum: Some(20),
        },
        Val::FuncRef(None),
    )?;
    linker.define("spectest", "table", table)?;
    let memory = Memory::new(
        &mut *store,
        MemoryType {
            minimum: 1,
            maximum: Some(2),
            memory64: false,
            shared: false,
        },
    )?;
    linker.define("spectest", "memory", memory)?;
    Ok(())
}
