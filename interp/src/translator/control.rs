//! The translator's stack of enclosing blocks.

/// What kind of construct a control frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControlKind {
    /// The function body; branching to it returns.
    Function,
    /// `block`
    Block,
    /// `loop`: branches go back to its start.
    Loop,
    /// `if` before its `else`.
    If,
    /// The `else` arm of an `if`.
    Else,
}

/// One enclosing block.
#[derive(Debug)]
pub struct Control {
    pub kind: ControlKind,
    /// The stack position of the block's first parameter: where its results
    /// go, and where a loop's parameters live.
    pub height: u32,
    /// Slots of the parameters and results (a `v128` takes two).
    pub num_params: u32,
    pub num_results: u32,
    /// Per parameter slot and per result slot: whether it is the high
    /// half of a `v128`; empty when none is.
    pub param_high: Box<[bool]>,
    pub result_high: Box<[bool]>,
    /// Pushed while translating unreachable code: no code is emitted for it.
    pub dead: bool,
    /// Branch instructions to patch with the position of the block's end.
    pub patches: Vec<usize>,
    /// The conditional jump of an `if` to its `else` arm (or end).
    pub else_patch: Option<usize>,
    /// Where a loop starts.
    pub loop_start: usize,
}

impl Control {
    /// How many values a branch to this block carries.
    pub fn branch_arity(&self) -> u32 {
        if self.kind == ControlKind::Loop {
            self.num_params
        } else {
            self.num_results
        }
    }
}
