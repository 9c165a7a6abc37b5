/*
 * The uart argument: find the 16550A on COM1 the way Linux's 8250 driver
 * does (IER reads back its low four bits, loopback with RTS and OUT2
 * shows CTS and DCD in MSR, FCR 0xe7 sets both FIFO bits of IIR, the
 * scratch register holds a byte), set it to 115200 8N1, and send one line
 * through it, waiting for THRE before each byte. Each step's result is
 * printed through the console hypercall; a UART that fails a step
 * crashes the guest.
 */
#include "guest.h"

#define COM1 0x3f8

static void expect(const char *what, u8 got, u8 want)
{
	if (got != want)
		crash("guest: uart %s: 0x%x, not 0x%x\n", what, got, want);
}

void uart_check(void)
{
	static const char line[] = "guest: this line came through com1\r\n";
	const char *c;

	outb(COM1 + 1, 0x00);
	expect("ier 0", inb(COM1 + 1), 0x00);
	outb(COM1 + 1, 0x0f);
	expect("ier 0x0f", inb(COM1 + 1), 0x0f);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 4, 0x1a);
	expect("loopback msr", inb(COM1 + 6) & 0xf0, 0x90);
	outb(COM1 + 4, 0x00);
	outb(COM1 + 2, 0xe7);
	expect("fifo bits", inb(COM1 + 2) & 0xc0, 0xc0);
	outb(COM1 + 7, 0xa5);
	expect("scratch", inb(COM1 + 7), 0xa5);
	outb(COM1 + 3, 0x80); /* DLAB: divisor 1 */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
	gprintf("guest: uart 16550a at 0x3f8\n");
	for (c = line; *c; c++) {
		while (!(inb(COM1 + 5) & 0x20))
			cpu_relax();
		outb(COM1, (u8)*c);
	}
}
