//! Runs WebAssembly spec scripts (`.wast`) against Strata.
//!
//! [`run_wast`] executes every top-level directive of a script in order and
//! counts each one as passed or failed; it never stops at the first failure.
//! The CLI's `strata wast` command and the spec test harness both use it.
//!
//! ```
//! use strata_spec_tests::{run_wast, WastOptions};
//!
//! let script = r#"
//!     (module (func (export "add") (param i32 i32) (result i32)
//!       local.get 0 local.get 1 i32.add))
//!     (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
//!     (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
//! "#;
//! let report = run_wast("example.wast", script, &WastOptions::default());
//! assert_eq!((report.passed, report.failed), (3, 0));
//! ```

mod runner;
mod spectest;

pub use runner::{Failure, FileReport, WastOptions, run_wast};
pub use spectest::define_spectest;
