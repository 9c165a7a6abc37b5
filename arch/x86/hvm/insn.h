/*
 * Decoding the few x86 instructions that reach emulated memory (the xAPIC
 * register page): MOV between a general register or an immediate and
 * memory, and XCHG of a register with memory, in 64-bit mode (AMD APM
 * vol. 3: legacy prefixes, REX, opcode, ModRM, SIB, displacement,
 * immediate). Pure: the caller fetches the bytes and does the access.
 */
#ifndef X86_HVM_INSN_H
#define X86_HVM_INSN_H

#include <hv/types.h>

struct mem_insn {
	unsigned int len;  /* bytes, prefixes to immediate */
	unsigned int size; /* of the access: 1, 2, 4 or 8 */
	bool store;	   /* memory is written (MOV to memory, XCHG) */
	bool load;	   /* memory is read into reg (MOV from memory, XCHG) */
	int reg;	   /* the register, 0 (RAX) to 15 (R15); -1: imm is stored */
	u64 imm;	   /* sign-extended to size */
};

/*
 * Decode the instruction in bytes[0, n) (n at most 15). 0, or -1 when it
 * is none of: 88/89/8A/8B (MOV r/m, r and back), C6/C7 /0 (MOV r/m,
 * imm), 86/87 (XCHG r/m, r), with a memory operand; prefixes 66, 67,
 * F0, F2, F3 and the segment overrides are taken, REX as the last prefix.
 */
int insn_decode_mem(const u8 *bytes, unsigned int n, struct mem_insn *out);

#endif /* X86_HVM_INSN_H */
