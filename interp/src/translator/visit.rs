//! Feeds a body's operators to the translator straight from the decoder.
//!
//! `OperatorsReader::read` builds each [`Operator`] in the decoder's frame
//! and returns it wrapped in a `Result`, which the caller copies out in
//! wide loads over the decoder's narrow stores: a store-forwarding stall on
//! every operator, plus a drop of the value. Visiting instead hands each
//! operator to [`FuncTranslator::translate_op`] from the decoder's own
//! `visit_*` method, by reference and without the copy. For an already
//! validated body (lazy translation) this is most of what the translator
//! reads; a body validated while it is translated still goes through
//! `read`, because the validator wants the operator too.

use super::FuncTranslator;
use strata_environ::ModuleInfo;
use wasmparser::{Operator, VisitOperator, VisitSimdOperator};

/// The translator as a [`VisitOperator`].
///
/// A visit returns nothing: an error is kept in [`Self::error`], so that
/// the decoder's own `Result` stays one register wide rather than nesting
/// the translator's (a nested one is returned through memory and read
/// back on every operator).
pub(super) struct TranslatingVisitor<'t, 'm> {
    pub(super) translator: &'t mut FuncTranslator,
    pub(super) module: &'m ModuleInfo,
    /// The first translation error.
    pub(super) error: Option<String>,
}

macro_rules! define_translating_visit {
    ($(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) {
                if let Err(e) = self.translator.translate_op(self.module, &Operator::$op $({ $($arg),* })?) {
                    self.error.get_or_insert(e);
                }
            }
        )*
    };
}

impl<'a> VisitOperator<'a> for TranslatingVisitor<'_, '_> {
    type Output = ();

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_translating_visit);
}

impl<'a> VisitSimdOperator<'a> for TranslatingVisitor<'_, '_> {
    wasmparser::for_each_visit_simd_operator!(define_translating_visit);
}
