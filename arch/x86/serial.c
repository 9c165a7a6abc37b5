/*
 * The 16550 UART console: output for printk, input for the debug keys.
 * Owns the UART at CONFIG_SERIAL_PORT. Output is polled (the transmitter
 * is waited on byte by byte), so it works with interrupts off and in
 * panic; input is polled from the idle loop. Callers serialise output
 * through the console lock; input is read by the boot CPU only.
 */
#include <asm/io.h>
#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/printk.h>

#define UART_CLOCK 115200

#define RBR 0 /* receive buffer (read) */
#define THR 0 /* transmit holding (write) */
#define DLL 0 /* divisor latch low (DLAB=1) */
#define IER 1 /* interrupt enable */
#define DLM 1 /* divisor latch high (DLAB=1) */
#define FCR 2 /* FIFO control */
#define LCR 3 /* line control */
#define MCR 4 /* modem control */
#define LSR 5 /* line status */
#define SCR 7 /* scratch */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT2 0x08

static const u16 port = CONFIG_SERIAL_PORT;
static bool present;

void x86_serial_init(void)
{
	unsigned int divisor = (UART_CLOCK + CONFIG_SERIAL_BAUD / 2) / CONFIG_SERIAL_BAUD;

	/* No UART answers at this port: the scratch register won't hold a value. */
	outb(port + SCR, 0x5a);
	if (inb(port + SCR) != 0x5a)
		return;
	if (!divisor)
		divisor = 1;
	outb(port + IER, 0);
	outb(port + LCR, LCR_DLAB);
	outb(port + DLL, divisor & 0xff);
	outb(port + DLM, (divisor >> 8) & 0xff);
	outb(port + LCR, LCR_8N1);
	outb(port + FCR, 0x07); /* enable and clear both FIFOs */
	outb(port + MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	present = true;
}

static void put_byte(char c)
{
	unsigned int spins = 0;

	/* A stuck transmitter must not hang the machine: give up after a while. */
	while (!(inb(port + LSR) & LSR_THRE) && ++spins < 1000000)
		arch_cpu_relax();
	outb(port + THR, (u8)c);
}

void arch_console_write(const char *s, size_t n)
{
	size_t i;

	if (!present)
		return;
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			put_byte('\r');
		put_byte(s[i]);
	}
}

int arch_console_getc(void)
{
	if (!present || !(inb(port + LSR) & LSR_DR))
		return -1;
	return inb(port + RBR);
}
