/*
 * Hosted tests of the 16550A model (hypervisor/uart16550.c). Expected
 * register values are those of the National Semiconductor PC16550D data
 * sheet (register summary and reset table): after reset IER 0x00, IIR
 * 0x01 (no interrupt pending), LCR 0x00, MCR 0x00, LSR 0x60 (THRE and
 * TEMT); IIR bits 7:6 are both set when FCR bit 0 has enabled the FIFOs;
 * THR-empty is interrupt identification 0x02, received data 0x04; in
 * loopback (MCR bit 4) MSR's CTS, DSR, RI and DCD (bits 4-7) follow RTS,
 * DTR, OUT1 and OUT2 (MCR bits 1, 0, 2, 3). The probe sequence is the one
 * a Linux 8250 driver runs to tell a 16550A (IER read-back, loopback MSR
 * 0x90 for MCR 0x1a, IIR 0xc0 bits after FCR 0xe7, scratch register).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <hv/uart16550.h>

static struct uart16550 u;
static char lines[8][UART_LINE_MAX];
static unsigned int nr_lines;

static void out(void *ctx, const char *line)
{
	assert_ptr_equal(ctx, &u);
	assert_true(nr_lines < 8);
	assert_true(strlen(line) < UART_LINE_MAX);
	strcpy(lines[nr_lines++], line);
}

static int setup(void **state)
{
	nr_lines = 0;
	uart_init(&u, out, &u);
	return 0;
}

static void send(const char *s)
{
	while (*s)
		uart_write(&u, UART_THR, (u8)*s++);
}

static void test_reset_values(void **state)
{
	assert_int_equal(uart_read(&u, UART_IER), 0x00);
	assert_int_equal(uart_read(&u, UART_IIR), 0x01);
	assert_int_equal(uart_read(&u, UART_LCR), 0x00);
	assert_int_equal(uart_read(&u, UART_MCR), 0x00);
	assert_int_equal(uart_read(&u, UART_LSR), 0x60);
	/* A terminal is there: DCD, DSR and CTS up, no change since. */
	assert_int_equal(uart_read(&u, UART_MSR), 0xb0);
	assert_false(uart_irq_pending(&u));
}

static void test_divisor_latch_behind_dlab(void **state)
{
	uart_write(&u, UART_LCR, 0x80);
	uart_write(&u, UART_DLL, 0x01); /* 115200 baud */
	uart_write(&u, UART_DLM, 0x00);
	assert_int_equal(uart_read(&u, UART_DLL), 0x01);
	assert_int_equal(uart_read(&u, UART_DLM), 0x00);
	uart_write(&u, UART_LCR, 0x03); /* 8 bits, no parity, 1 stop */
	assert_int_equal(uart_read(&u, UART_LCR), 0x03);
	assert_int_equal(uart_read(&u, UART_IER), 0x00); /* the latch did not touch IER */
	send("x\n");
	assert_int_equal(nr_lines, 1);
	assert_string_equal(lines[0], "x");
	uart_write(&u, UART_LCR, 0x83);
	assert_int_equal(uart_read(&u, UART_DLL), 0x01);
}

static void test_lines_come_out_whole(void **state)
{
	send("Linux version 6.1\r\n");
	send("two ");
	assert_int_equal(nr_lines, 1);
	send("halves\n\n");
	assert_int_equal(nr_lines, 3);
	assert_string_equal(lines[0], "Linux version 6.1");
	assert_string_equal(lines[1], "two halves");
	assert_string_equal(lines[2], "");
	send("\x1b[0mesc\x7f\n");
	assert_string_equal(lines[3], "?[0mesc?");
	send("left over");
	uart_flush(&u);
	assert_string_equal(lines[4], "left over");
	uart_flush(&u);
	assert_int_equal(nr_lines, 5);
	/* Transmitting never blocks: THRE and TEMT stay set. */
	assert_int_equal(uart_read(&u, UART_LSR), 0x60);
}

static void test_long_line_is_split(void **state)
{
	char buf[UART_LINE_MAX + 10];

	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	send(buf);
	assert_int_equal(nr_lines, 1); /* the first 159 went out when the 160th came */
	send("\n");
	assert_int_equal(nr_lines, 2);
	assert_int_equal(strlen(lines[0]), UART_LINE_MAX - 1);
	assert_int_equal(strlen(lines[1]), sizeof(buf) - 1 - (UART_LINE_MAX - 1));
}

static void test_linux_probe_finds_a_16550a(void **state)
{
	/* Something answers: IER reads back what was written (its low 4 bits). */
	uart_write(&u, UART_IER, 0x00);
	assert_int_equal(uart_read(&u, UART_IER), 0x00);
	uart_write(&u, UART_IER, 0xff);
	assert_int_equal(uart_read(&u, UART_IER), 0x0f);
	uart_write(&u, UART_IER, 0x00);
	/* Loopback with RTS and OUT2: CTS and DCD. */
	uart_write(&u, UART_MCR, 0x1a);
	assert_int_equal(uart_read(&u, UART_MSR) & 0xf0, 0x90);
	uart_write(&u, UART_MCR, 0x00);
	/* FIFOs on: both IIR FIFO bits, a 16550A (a 16550 would show one). */
	uart_write(&u, UART_FCR, 0xe7);
	assert_int_equal(uart_read(&u, UART_IIR) & 0xc0, 0xc0);
	uart_write(&u, UART_FCR, 0x00);
	assert_int_equal(uart_read(&u, UART_IIR), 0x01);
	uart_write(&u, UART_SCR, 0xa5);
	assert_int_equal(uart_read(&u, UART_SCR), 0xa5);
	assert_int_equal(nr_lines, 0);
}

static void test_loopback_receives_its_own_bytes(void **state)
{
	uart_write(&u, UART_MCR, 0x10);
	uart_write(&u, UART_THR, 'x');
	assert_int_equal(uart_read(&u, UART_LSR), 0x61); /* data ready */
	assert_int_equal(uart_read(&u, UART_RBR), 'x');
	assert_int_equal(uart_read(&u, UART_LSR), 0x60);
	uart_write(&u, UART_MCR, 0x00);
	uart_flush(&u);
	assert_int_equal(nr_lines, 0); /* nothing went out */
}

static void test_modem_status_deltas(void **state)
{
	/* Into loopback with no outputs: CTS, DSR and DCD drop (delta bits 0, 1, 3). */
	uart_write(&u, UART_MCR, 0x10);
	assert_int_equal(uart_read(&u, UART_MSR), 0x0b);
	assert_int_equal(uart_read(&u, UART_MSR), 0x00); /* the deltas were cleared */
	uart_write(&u, UART_MCR, 0x14);			 /* OUT1: RI up, no delta */
	assert_int_equal(uart_read(&u, UART_MSR), 0x40);
	uart_write(&u, UART_MCR, 0x10); /* RI down: trailing edge (TERI, bit 2) */
	assert_int_equal(uart_read(&u, UART_MSR), 0x04);
}

static void test_thr_empty_interrupt(void **state)
{
	uart_write(&u, UART_IER, 0x02); /* enabled while THR is empty: pending at once */
	assert_true(uart_irq_pending(&u));
	assert_int_equal(uart_read(&u, UART_IIR), 0x02);
	assert_int_equal(uart_read(&u, UART_IIR), 0x01); /* reading IIR cleared it */
	assert_false(uart_irq_pending(&u));
	uart_write(&u, UART_FCR, 0x01);
	uart_write(&u, UART_THR, 'a'); /* sent: empty again */
	assert_int_equal(uart_read(&u, UART_IIR), 0xc2);
	/* Received data comes first: loopback a byte with both enabled. */
	uart_write(&u, UART_IER, 0x03);
	uart_write(&u, UART_MCR, 0x10);
	uart_write(&u, UART_THR, 'b');
	assert_int_equal(uart_read(&u, UART_IIR), 0xc4);
	assert_int_equal(uart_read(&u, UART_RBR), 'b');
	assert_int_equal(uart_read(&u, UART_IIR), 0xc2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_reset_values, setup),
	    cmocka_unit_test_setup(test_divisor_latch_behind_dlab, setup),
	    cmocka_unit_test_setup(test_lines_come_out_whole, setup),
	    cmocka_unit_test_setup(test_long_line_is_split, setup),
	    cmocka_unit_test_setup(test_linux_probe_finds_a_16550a, setup),
	    cmocka_unit_test_setup(test_loopback_receives_its_own_bytes, setup),
	    cmocka_unit_test_setup(test_modem_status_deltas, setup),
	    cmocka_unit_test_setup(test_thr_empty_interrupt, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
