//! Fuel: the cost model every tier charges, so that a metered program
//! consumes exactly the same fuel whatever tier runs it.
//!
//! - **Cost.** Every wasm operator costs one unit, except those that do no
//!   work of their own: `nop`, `drop`, `block`, `loop`, `else` and `end`
//!   cost nothing.
//! - **Charged per region.** A translator adds up the cost of the
//!   operators it translates in reachable code and charges the sum just
//!   before an operator for which [`ends_region`] holds — one that may
//!   leave straight-line code (branches, block boundaries, `return`,
//!   `unreachable`) or run another function (calls). A region's cost is
//!   charged once, before its last operator runs, whichever way it leaves.
//! - **Checked** at function entry and loop headers: if no fuel is left
//!   (zero or below: the last region may overdraw it), execution traps
//!   with `all fuel consumed`.
//!
//! Both tiers follow these rules on the same operator stream, so they
//! charge the same amounts at the same operators and stop at the same
//! check. Host functions cost nothing beyond their call.

use wasmparser::Operator;

/// The fuel one operator costs.
pub fn cost(op: &Operator<'_>) -> u32 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

/// Whether the fuel of the current region is charged before `op` runs.
pub fn ends_region(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::Else
            | Operator::End
            | Operator::Br { .. }
            | Operator::BrIf { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
    )
}

/// Adds up the fuel of a function's reachable operators between charges.
#[derive(Debug, Default)]
pub struct FuelMeter {
    pending: u32,
}

impl FuelMeter {
    /// Accounts for `op` (translated in reachable code); returns the amount
    /// to charge before it, if this is where its region ends.
    pub fn before(&mut self, op: &Operator<'_>) -> Option<u32> {
        self.pending = self.pending.saturating_add(cost(op));
        if ends_region(op) && self.pending > 0 {
            Some(std::mem::take(&mut self.pending))
        } else {
            None
        }
    }

    /// Starts a new function.
    pub fn reset(&mut self) {
        self.pending = 0;
    }
}
