/*
 * The decoder of insn.h. Lengths follow the ModRM encoding: mod 3 is a
 * register (refused: no memory access); rm 4 with mod 0-2 adds a SIB
 * byte; mod 1 adds 8 bits of displacement, mod 2 32 bits; mod 0 with rm 5
 * is RIP-relative with 32 bits, and with a SIB whose base is 5, 32 bits
 * without a base. Operand size: 8 bits for the byte opcodes, else 64
 * with REX.W, 16 with 66, else 32; C7 takes a 32-bit immediate (16 with
 * 66) sign-extended to 64.
 */
#include <hv/lib.h>

#include "insn.h"

int insn_decode_mem(const u8 *b, unsigned int n, struct mem_insn *out)
{
	unsigned int i = 0, mod, rm, imm_len = 0;
	bool opsize16 = false, byte_op;
	u8 rex = 0, op, modrm;

	memset(out, 0, sizeof(*out));
	for (; i < n; i++) {
		u8 c = b[i];

		if (c == 0x66)
			opsize16 = true;
		else if (c != 0x67 && c != 0xf0 && c != 0xf2 && c != 0xf3 && c != 0x2e &&
			 c != 0x36 && c != 0x3e && c != 0x26 && c != 0x64 && c != 0x65)
			break;
	}
	if (i < n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > n)
		return -1;
	op = b[i++];
	modrm = b[i++];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -1;
	switch (op) {
	case 0x88:
	case 0x89:
		out->store = true;
		break;
	case 0x8a:
	case 0x8b:
		out->load = true;
		break;
	case 0x86:
	case 0x87:
		out->store = out->load = true;
		break;
	case 0xc6:
	case 0xc7:
		if ((modrm >> 3) & 7)
			return -1;
		out->store = true;
		break;
	default:
		return -1;
	}
	byte_op = !(op & 1);
	out->size = byte_op ? 1 : (rex & 8) ? 8 : opsize16 ? 2 : 4;
	out->reg = op >= 0xc6 ? -1 : (int)(((modrm >> 3) & 7) | ((rex & 4) << 1));
	if (rm == 4) {
		if (i >= n)
			return -1;
		if (mod == 0 && (b[i] & 7) == 5)
			i += 4; /* no base: 32-bit displacement */
		i++;
	} else if (mod == 0 && rm == 5) {
		i += 4; /* RIP-relative */
	}
	i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	if (op >= 0xc6)
		imm_len = byte_op ? 1 : opsize16 ? 2 : 4;
	if (i + imm_len > n)
		return -1;
	if (imm_len == 1)
		out->imm = (u64)(s64)(s8)b[i];
	else if (imm_len == 2)
		out->imm = (u64)(s64)(s16)(b[i] | b[i + 1] << 8);
	else if (imm_len == 4)
		out->imm =
		    (u64)(s64)(s32)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | (u32)b[i + 3] << 24);
	out->len = i + imm_len;
	return 0;
}
