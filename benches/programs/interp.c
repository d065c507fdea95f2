/* interp.c - switch-dispatch bytecode interpreter: a tiny register VM whose
 * main loop is a dense `switch` (clang lowers it to br_table on wasm). The
 * bytecode is assembled at run time and runs nested loops that mix
 * arithmetic, branches and VM-memory loads/stores.
 * Usage: interp [N|q]   N = integer scale (default 1), q = ~1/5 of the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "bench.h"

#define OUTER_PER_UNIT 1500
#define INNER 1024
#define VM_MEM 1024u
#define NREGS 16


enum {
    OP_HALT, OP_LOADI, OP_MOV, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_AND,
    OP_OR, OP_SHL, OP_SHR, OP_ADDI, OP_ANDI, OP_JMP, OP_JLT, OP_JNE,
    OP_JZ, OP_LOAD, OP_STORE, OP_REMU, OP_ROTL, OP_NOT, OP_COUNT
};

typedef struct { uint8_t op, a, b, c; int32_t imm; } insn;

static insn code[64];
static uint32_t vm_mem[VM_MEM];

static uint32_t ncode;
static void emit(uint8_t op, uint8_t a, uint8_t b, uint8_t c, int32_t imm) {
    insn i = { op, a, b, c, imm };
    code[ncode++] = i;
}

__attribute__((noinline)) static uint64_t run(const insn *prog, uint32_t *mem, uint32_t *regs) {
    uint32_t pc = 0;
    uint64_t executed = 0;
    for (;;) {
        const insn *i = &prog[pc++];
        executed++;
        switch (i->op) {
        case OP_HALT: return executed;
        case OP_LOADI: regs[i->a] = (uint32_t)i->imm; break;
        case OP_MOV: regs[i->a] = regs[i->b]; break;
        case OP_ADD: regs[i->a] = regs[i->b] + regs[i->c]; break;
        case OP_SUB: regs[i->a] = regs[i->b] - regs[i->c]; break;
        case OP_MUL: regs[i->a] = regs[i->b] * regs[i->c]; break;
        case OP_XOR: regs[i->a] = regs[i->b] ^ regs[i->c]; break;
        case OP_AND: regs[i->a] = regs[i->b] & regs[i->c]; break;
        case OP_OR: regs[i->a] = regs[i->b] | regs[i->c]; break;
        case OP_SHL: regs[i->a] = regs[i->b] << (regs[i->c] & 31u); break;
        case OP_SHR: regs[i->a] = regs[i->b] >> (regs[i->c] & 31u); break;
        case OP_ADDI: regs[i->a] = regs[i->b] + (uint32_t)i->imm; break;
        case OP_ANDI: regs[i->a] = regs[i->b] & (uint32_t)i->imm; break;
        case OP_JMP: pc = (uint32_t)i->imm; break;
        case OP_JLT: if ((int32_t)regs[i->a] < (int32_t)regs[i->b]) pc = (uint32_t)i->imm; break;
        case OP_JNE: if (regs[i->a] != regs[i->b]) pc = (uint32_t)i->imm; break;
        case OP_JZ: if (regs[i->a] == 0) pc = (uint32_t)i->imm; break;
        case OP_LOAD: regs[i->a] = mem[regs[i->b] & (VM_MEM - 1u)]; break;
        case OP_STORE: mem[regs[i->b] & (VM_MEM - 1u)] = regs[i->a]; break;
        case OP_REMU: regs[i->a] = regs[i->c] ? regs[i->b] % regs[i->c] : 0u; break;
        case OP_ROTL: {
            uint32_t s = regs[i->c] & 31u, v = regs[i->b];
            regs[i->a] = s ? (v << s) | (v >> (32u - s)) : v;
            break;
        }
        case OP_NOT: regs[i->a] = ~regs[i->b]; break;
        default: return executed; /* bad opcode */
        }
    }
}

int main(int argc, char **argv) {
    uint32_t units = parse_units(argc, argv);
    int32_t outer = (int32_t)(units * OUTER_PER_UNIT);

    /* registers: r0 i, r1 outer, r2 acc, r3 j, r4 inner, r5/r6 temps,
     * r7 const 33, r8 const 7, r9 const 13, r10 const 1000003, r11 count */
    ncode = 0;
    emit(OP_LOADI, 0, 0, 0, 0);
    emit(OP_LOADI, 1, 0, 0, outer);
    emit(OP_LOADI, 2, 0, 0, 0x2545f491);
    emit(OP_LOADI, 4, 0, 0, INNER);
    emit(OP_LOADI, 7, 0, 0, 33);
    emit(OP_LOADI, 8, 0, 0, 7);
    emit(OP_LOADI, 9, 0, 0, 13);
    emit(OP_LOADI, 10, 0, 0, 1000003);
    emit(OP_LOADI, 11, 0, 0, 0);
    /* 9: outer loop */
    emit(OP_LOADI, 3, 0, 0, 0);
    /* 10: inner loop */
    emit(OP_XOR, 5, 0, 3, 0);        /* t = i ^ j */
    emit(OP_MUL, 2, 2, 7, 0);        /* acc *= 33 */
    emit(OP_ADD, 2, 2, 5, 0);        /* acc += t */
    emit(OP_SHR, 6, 2, 8, 0);        /* acc ^= acc >> 7 */
    emit(OP_XOR, 2, 2, 6, 0);
    emit(OP_LOAD, 6, 3, 0, 0);       /* m = mem[j] */
    emit(OP_ROTL, 6, 6, 9, 0);       /* m = rotl(m, 13) */
    emit(OP_ADD, 6, 6, 2, 0);        /* m += acc */
    emit(OP_STORE, 6, 3, 0, 0);      /* mem[j] = m */
    emit(OP_ANDI, 5, 2, 0, 3);       /* if ((acc & 3) == 0) */
    emit(OP_JZ, 5, 0, 0, 23);
    emit(OP_ADDI, 11, 11, 0, 1);     /*   else count++ */
    emit(OP_JMP, 0, 0, 0, 25);
    /* 23: */
    emit(OP_REMU, 5, 2, 10, 0);      /*   acc ^= acc % 1000003 */
    emit(OP_XOR, 2, 2, 5, 0);
    /* 25: */
    emit(OP_ADDI, 3, 3, 0, 1);       /* j++ */
    emit(OP_JLT, 3, 4, 0, 10);
    emit(OP_ADDI, 0, 0, 0, 1);       /* i++ */
    emit(OP_JLT, 0, 1, 0, 9);
    emit(OP_HALT, 0, 0, 0, 0);

    for (uint32_t k = 0; k < VM_MEM; k++) vm_mem[k] = k * 2654435761u;
    uint32_t regs[NREGS] = {0};
    uint64_t executed = run(code, vm_mem, regs);

    uint32_t h = 2166136261u;
    for (uint32_t k = 0; k < VM_MEM; k++) h = (h ^ vm_mem[k]) * 16777619u;
    for (uint32_t r = 0; r < NREGS; r++) h = (h ^ regs[r]) * 16777619u;
    h ^= (uint32_t)executed;
    printf("checksum: %u\n", (unsigned)h);
    return 0;
}
