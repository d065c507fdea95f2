//! On-stack-replacement entries: a function compiled to start at one of
//! its loop headers, with its locals taken from an interpreter frame.
//!
//! The body is translated as usual, from a block nothing jumps to (so the
//! blocks around the loop exist, and Cranelift drops the code no path from
//! the entry reaches); the entry block loads the locals and goes to the
//! loop. *Where* it goes matters when the loop is nested in others.
//!
//! # Why the entry goes in through the outer headers
//!
//! Take a kernel inlined into a pass loop:
//!
//! ```text
//! loop $pass          ;; header P
//!   ...               ;; set up the pass
//!   loop $inner       ;; header I: the interpreter is here
//!     ...
//!   end
//!   ...               ;; finish the pass
//!   br_if $pass
//! end
//! ```
//!
//! An entry block that jumps straight to `I` gives the pass loop a second
//! way in. Every path from the entry then reaches `P` only through `I`, so
//! `I` dominates `P`: Cranelift finds one loop at `I`, holding the whole
//! pass, and no inner loop. Register allocation weighs spill costs by loop
//! depth, so it spills and reloads in the kernel as readily as in the
//! pass's set-up (measured: a hash kernel ran 1.6× slower entered this way
//! than compiled whole).
//!
//! So the entry sets a flag and jumps to `P` instead. Each enclosing
//! loop's header first tests the flag: set, it jumps on to the header of
//! the next loop towards `I`, skipping the code between (which the frame
//! has already run); clear, it runs the loop as usual. `I`'s header clears
//! the flag. Every loop keeps a single way in, nested as in the function
//! compiled whole, and the price is one test per iteration of each
//! enclosing loop, none in the innermost.
//!
//! Jumping from one header to the next skips code that could leave values
//! on the operand stack, so a loop can be gone through this way only if it
//! begins with an empty stack and takes no parameters, as the entered loop
//! must. The entry goes in through the outermost loop from which every
//! loop inwards qualifies; loops further out keep the entered one as a
//! second way in, as above (and those of them that qualify test a flag
//! that is never set there).

use super::Result;
use cranelift_codegen::ir::{self, InstBuilder, types};
use cranelift_frontend::{FunctionBuilder, Variable};
use wasmparser::{FunctionBody, Operator};

/// The plan of an OSR entry, followed as the body is translated.
pub(super) struct OsrEntry {
    /// The `loop` operators' offsets: the loops enclosing the entered one,
    /// outermost first, then the entered one.
    chain: Vec<u32>,
    /// Per loop of `chain`: its header, if it qualifies (it begins with an
    /// empty operand stack and takes no parameters).
    headers: Vec<ir::Block>,
    /// Per enclosing loop: where its header goes while the flag is set
    /// (filled last, once it is known where the entry goes in).
    resume: Vec<ir::Block>,
    /// Per enclosing loop that qualified: the block its iterations start
    /// in.
    cont: Vec<Option<ir::Block>>,
    /// The level in `chain` of the outermost loop the entry goes in
    /// through.
    entry_level: usize,
    /// Set from the entry block until the entered loop's header.
    flag: Variable,
    /// Where the entry block goes: filled last, with a jump to the header
    /// of `chain[entry_level]`.
    dispatch: ir::Block,
    /// The entered loop was translated.
    found: bool,
}

impl OsrEntry {
    /// Plans an entry at the `loop` at byte offset `at` of `body`, from the
    /// current block of `b`, in which the locals are defined. Ends that
    /// block.
    pub(super) fn new(
        b: &mut FunctionBuilder<'_>,
        body: &FunctionBody<'_>,
        at: u32,
    ) -> Result<Self> {
        let chain = loops_to(body, at)?;
        let flag = b.declare_var(types::I8);
        let one = b.ins().iconst(types::I8, 1);
        b.def_var(flag, one);
        let dispatch = b.create_block();
        b.ins().jump(dispatch, &[]);
        let n = chain.len();
        Ok(OsrEntry {
            headers: (0..n).map(|_| b.create_block()).collect(),
            resume: (0..n.saturating_sub(1)).map(|_| b.create_block()).collect(),
            cont: vec![None; n.saturating_sub(1)],
            chain,
            entry_level: 0,
            flag,
            dispatch,
            found: false,
        })
    }

    /// Clears the flag in code no entry path reaches (the body's start).
    pub(super) fn start_dead(&self, b: &mut FunctionBuilder<'_>) {
        let zero = b.ins().iconst(types::I8, 0);
        b.def_var(self.flag, zero);
    }

    /// At the `loop` at byte offset `pos`: `Some(level)` when it is one of
    /// the plan's loops.
    pub(super) fn level(&self, pos: u32) -> Option<usize> {
        self.chain.iter().position(|&o| o == pos)
    }

    /// The header for the plan's loop at `level`, which begins with an
    /// empty operand stack and takes no parameters if `qualifies`; `None`
    /// when it needs a header of its own because it does not qualify, and
    /// then the entry goes in further inside.
    ///
    /// # Errors
    ///
    /// When the entered loop does not qualify.
    pub(super) fn plan_header(
        &mut self,
        level: usize,
        qualifies: bool,
    ) -> Result<Option<ir::Block>> {
        if qualifies {
            return Ok(Some(self.headers[level]));
        }
        if level + 1 == self.chain.len() {
            return Err("an OSR loop must start with an empty stack and take no parameters".into());
        }
        self.entry_level = level + 1;
        Ok(None)
    }

    /// Right after switching to the header of the plan's loop at `level`:
    /// an enclosing loop goes on inwards while the flag is set; the
    /// entered loop clears it.
    pub(super) fn steer(&mut self, b: &mut FunctionBuilder<'_>, level: usize) {
        if level + 1 == self.chain.len() {
            self.found = true;
        } else {
            let set = b.use_var(self.flag);
            let cont = b.create_block();
            b.ins().brif(set, self.resume[level], &[], cont, &[]);
            b.switch_to_block(cont);
            self.cont[level] = Some(cont);
        }
        let zero = b.ins().iconst(types::I8, 0);
        b.def_var(self.flag, zero);
    }

    /// Fills the blocks the plan left open, once the body is translated
    /// (the builder's current block is filled, or empty and unused).
    ///
    /// # Errors
    ///
    /// When the entered loop was not reached.
    pub(super) fn finish(&self, b: &mut FunctionBuilder<'_>) -> Result<()> {
        if !self.found {
            return Err("no reachable loop at the OSR offset".into());
        }
        b.switch_to_block(self.dispatch);
        b.ins().jump(self.headers[self.entry_level], &[]);
        for (level, &resume) in self.resume.iter().enumerate() {
            // Only a header that tested the flag branches to its resume.
            let Some(cont) = self.cont[level] else {
                continue;
            };
            b.switch_to_block(resume);
            if level >= self.entry_level {
                b.ins().jump(self.headers[level + 1], &[]);
            } else {
                // The flag is never set here: the entry goes in further
                // inside.
                b.ins().jump(cont, &[]);
            }
        }
        Ok(())
    }
}

/// The offsets of the `loop`s that enclose the one at byte offset `at` of
/// `body`, outermost first, then `at` itself.
fn loops_to(body: &FunctionBody<'_>, at: u32) -> Result<Vec<u32>> {
    // Per open construct: its offset if it is a loop.
    let mut open: Vec<Option<u32>> = Vec::new();
    let mut ops = body.get_operators_reader().map_err(super::err)?;
    while !ops.eof() {
        let pos = ops.original_position() as u32;
        match ops.read().map_err(super::err)? {
            Operator::Loop { .. } if pos == at => {
                let mut chain: Vec<u32> = open.iter().flatten().copied().collect();
                chain.push(at);
                return Ok(chain);
            }
            Operator::Loop { .. } => open.push(Some(pos)),
            Operator::Block { .. } | Operator::If { .. } => open.push(None),
            Operator::End => {
                open.pop();
            }
            _ => {}
        }
    }
    Err("no loop at the OSR offset".into())
}
