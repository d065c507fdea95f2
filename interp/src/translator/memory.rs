//! Loads and stores: address folding (constant addresses, `a + imm`, `a + b`,
//! `a + (b << k)`) and the `v128` accesses.

use super::*;

impl FuncTranslator {
    /// The memory a memory instruction accesses (the destination of a
    /// `memory.copy`).
    #[inline(always)]
    pub(super) fn memory_index(op: &Operator<'_>) -> Option<u32> {
        use Operator as O;
        let memarg = match *op {
            O::I32Store { memarg }
            | O::I64Store { memarg }
            | O::F32Store { memarg }
            | O::F64Store { memarg }
            | O::I32Store8 { memarg }
            | O::I32Store16 { memarg }
            | O::I64Store8 { memarg }
            | O::I64Store16 { memarg }
            | O::I64Store32 { memarg }
            | O::V128Load { memarg }
            | O::V128Load8x8S { memarg }
            | O::V128Load8x8U { memarg }
            | O::V128Load16x4S { memarg }
            | O::V128Load16x4U { memarg }
            | O::V128Load32x2S { memarg }
            | O::V128Load32x2U { memarg }
            | O::V128Load8Splat { memarg }
            | O::V128Load16Splat { memarg }
            | O::V128Load32Splat { memarg }
            | O::V128Load64Splat { memarg }
            | O::V128Load32Zero { memarg }
            | O::V128Load64Zero { memarg }
            | O::V128Store { memarg }
            | O::V128Load8Lane { memarg, .. }
            | O::V128Load16Lane { memarg, .. }
            | O::V128Load32Lane { memarg, .. }
            | O::V128Load64Lane { memarg, .. }
            | O::V128Store8Lane { memarg, .. }
            | O::V128Store16Lane { memarg, .. }
            | O::V128Store32Lane { memarg, .. }
            | O::V128Store64Lane { memarg, .. } => memarg,
            O::MemorySize { mem }
            | O::MemoryGrow { mem }
            | O::MemoryFill { mem }
            | O::MemoryInit { mem, .. } => return Some(mem),
            O::MemoryCopy { dst_mem, .. } => return Some(dst_mem),
            _ => *Self::load_memarg(op)?,
        };
        match memarg.target {
            wasmparser::MemArgTarget::Memory(m) => Some(m),
            _ => None,
        }
    }

    pub(super) fn load(&mut self, offset: u64, make: impl Fn(Slot, Slot, u32) -> Op) {
        // Offsets of 32-bit memories fit in 32 bits (checked by validation).
        let offset = offset as u32;
        let (p, pos) = self.stack.pop();
        if let Some(ea) = Self::constant_address(p, offset)
            && let Some(op) = Op::at_constant_address(make(self.temp(pos), 0, 0), ea)
        {
            self.stack.push(Provider::Temp);
            let at = self.emit(op);
            self.last_def = Some((at, pos));
            return;
        }
        let last = self.code.len().wrapping_sub(1);
        if p == Provider::Temp && self.last_def == Some((last, pos)) {
            // The address was just computed by an add used only here.
            let dst = self.temp(pos);
            if let Some(fused) = Op::fuse_address(make(dst, dst, offset), self.code[last]) {
                self.code[last] = fused;
                self.stack.push(Provider::Temp);
                self.last_def = Some((last, pos));
                return;
            }
        }
        let addr = self.slot_of(p, pos);
        self.push_def(|dst| make(dst, addr, offset));
    }

    pub(super) fn store(&mut self, offset: u64, make: impl Fn(Slot, Slot, u32) -> Op) {
        let offset = offset as u32;
        let value = self.pop_slot();
        let (p, pos) = self.stack.pop();
        if let Some(ea) = Self::constant_address(p, offset)
            && let Some(op) = Op::at_constant_address(make(0, value, 0), ea)
        {
            self.emit(op);
            return;
        }
        let addr = self.slot_of(p, pos);
        self.emit(make(addr, value, offset));
    }

    /// The effective address of an access whose address operand is a
    /// constant, when it fits 32 bits (beyond that it is out of bounds and
    /// keeps the general form).
    pub(super) fn constant_address(p: Provider, offset: u32) -> Option<u32> {
        match p {
            Provider::Const(c) => u32::try_from((c as u32) as u64 + u64::from(offset)).ok(),
            _ => None,
        }
    }

    pub(super) fn is_v128_global(module: &ModuleInfo, index: u32) -> bool {
        module
            .globals
            .get(index as usize)
            .is_some_and(|g| g.content == ValType::V128)
    }

    /// A `v128` load: the address is popped, the vector pushed.
    pub(super) fn load_v128(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        // Offsets of 32-bit memories fit in 32 bits (checked by validation).
        let addr = self.pop_slot();
        self.push_def_v128(|dst| make(dst, addr, offset as u32));
    }

    /// A lane load: the vector and then the address are popped.
    pub(super) fn load_lane(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        let vec = self.pop_v128();
        let addr = self.pop_slot();
        self.push_def_v128_with(|dst| make(dst, addr, offset as u32), vec);
    }

    /// A `v128` store (whole or one lane).
    pub(super) fn store_v128(&mut self, offset: u64, make: impl FnOnce(Slot, Slot, u32) -> Op) {
        let value = self.pop_v128();
        let addr = self.pop_slot();
        self.emit(make(addr, value, offset as u32));
    }
}
