/*
 * Hosted tests of the memory-access decoder (arch/x86/hvm/insn.c). The
 * byte sequences are the encodings of the AMD64 manual (vol. 3: MOV
 * 88/89/8A/8B, MOV C6/C7 /0, XCHG 86/87; ModRM mod/reg/rm, SIB, REX.W
 * and REX.R, prefixes 66 and segment overrides), among them the ones a
 * Linux kernel uses on the xAPIC page (a load into EAX through a
 * register, a store of ESI at a 32-bit displacement).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../arch/x86/hvm/insn.h"

static struct mem_insn in;

static int dec(const u8 *b, unsigned int n)
{
	return insn_decode_mem(b, n, &in);
}

static void test_loads(void **state)
{
	static const u8 mov_eax_rax[] = {0x8b, 0x00};		    /* mov (%rax),%eax */
	static const u8 mov_r9d_disp8[] = {0x44, 0x8b, 0x48, 0x30}; /* mov 0x30(%rax),%r9d */
	static const u8 mov_rdx_rip[] = {0x48, 0x8b, 0x15, 1,
					 2,    3,    4};   /* mov 0x4030201(%rip),%rdx */
	static const u8 mov_al_sib[] = {0x8a, 0x04, 0x24}; /* mov (%rsp),%al */

	assert_int_equal(dec(mov_eax_rax, 2), 0);
	assert_true(in.load && !in.store);
	assert_int_equal(in.len, 2);
	assert_int_equal(in.size, 4);
	assert_int_equal(in.reg, 0);
	assert_int_equal(dec(mov_r9d_disp8, 4), 0);
	assert_int_equal(in.len, 4);
	assert_int_equal(in.reg, 9);
	assert_int_equal(in.size, 4);
	assert_int_equal(dec(mov_rdx_rip, 7), 0);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.size, 8);
	assert_int_equal(in.reg, 2);
	assert_int_equal(dec(mov_al_sib, 3), 0);
	assert_int_equal(in.len, 3);
	assert_int_equal(in.size, 1);
}

static void test_stores(void **state)
{
	/* mov %esi,0xfee000b0 (SIB, no base, disp32), with a %ds override */
	static const u8 mov_abs[] = {0x3e, 0x89, 0x34, 0x25, 0xb0, 0x00, 0xe0, 0xfe};
	static const u8 mov_disp32[] = {0x89, 0x90, 0x00,
					0x03, 0x00, 0x00}; /* mov %edx,0x300(%rax) */
	static const u8 mov_imm[] = {0xc7, 0x40, 0x10, 0x78,
				     0x56, 0x34, 0x12}; /* movl $0x12345678,0x10(%rax) */
	static const u8 mov_imm16[] = {0x66, 0xc7, 0x00, 0xff, 0xff}; /* movw $-1,(%rax) */
	static const u8 xchg[] = {0x87, 0x07};			      /* xchg %eax,(%rdi) */

	assert_int_equal(dec(mov_abs, 8), 0);
	assert_true(in.store && !in.load);
	assert_int_equal(in.len, 8);
	assert_int_equal(in.reg, 6);
	assert_int_equal(dec(mov_disp32, 6), 0);
	assert_int_equal(in.len, 6);
	assert_int_equal(in.reg, 2);
	assert_int_equal(dec(mov_imm, 7), 0);
	assert_int_equal(in.len, 7);
	assert_int_equal(in.reg, -1);
	assert_int_equal(in.imm, 0x12345678);
	assert_int_equal(dec(mov_imm16, 5), 0);
	assert_int_equal(in.len, 5);
	assert_int_equal(in.size, 2);
	assert_int_equal(in.imm, 0xffffffffffffffffULL);
	assert_int_equal(dec(xchg, 2), 0);
	assert_true(in.load && in.store);
	assert_int_equal(in.reg, 0);
}

static void test_refused(void **state)
{
	static const u8 reg_reg[] = {0x89, 0xc0};	      /* mov %eax,%eax: no memory */
	static const u8 add[] = {0x01, 0x00};		      /* add %eax,(%rax) */
	static const u8 c7_not0[] = {0xc7, 0x08, 0, 0, 0, 0}; /* C7 /1 */
	static const u8 short_disp[] = {0x8b, 0x80, 0x00};    /* disp32 cut off */
	static const u8 short_imm[] = {0xc7, 0x00, 0x01};     /* imm32 cut off */

	assert_int_equal(dec(reg_reg, 2), -1);
	assert_int_equal(dec(add, 2), -1);
	assert_int_equal(dec(c7_not0, 6), -1);
	assert_int_equal(dec(short_disp, 3), -1);
	assert_int_equal(dec(short_imm, 3), -1);
	assert_int_equal(dec(add, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_loads),
	    cmocka_unit_test(test_stores),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
