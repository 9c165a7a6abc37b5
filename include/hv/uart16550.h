/*
 * A 16550A UART as a guest sees it through eight I/O ports (hypervisor/
 * uart16550.c): the register set of the National Semiconductor PC16550D
 * data sheet, transmitting at once (THR and the transmitter are always
 * empty again by the next read of LSR), receiving nothing from outside
 * (only its own bytes in loopback mode). What the guest sends comes out a
 * line at a time through out(). The model raises no interrupt itself:
 * uart_irq_pending() says whether its IIR shows one, for whoever routes
 * it. The caller serialises the calls on one UART.
 */
#ifndef HV_UART16550_H
#define HV_UART16550_H

#include <hv/types.h>

/* The register offsets from the base port. */
#define UART_RBR 0 /* read, DLAB 0: receiver buffer */
#define UART_THR 0 /* write, DLAB 0: transmitter holding */
#define UART_DLL 0 /* DLAB 1: divisor latch, low byte */
#define UART_IER 1 /* DLAB 0: interrupt enable */
#define UART_DLM 1 /* DLAB 1: divisor latch, high byte */
#define UART_IIR 2 /* read: interrupt identification */
#define UART_FCR 2 /* write: FIFO control */
#define UART_LCR 3 /* line control; bit 7 is DLAB */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_LINE_MAX 480 /* a longer line is sent in pieces (the console takes 512) */

struct uart16550 {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u8 msr_delta; /* MSR bits 0-3, cleared when MSR is read */
	u8 msr_last;  /* MSR bits 4-7 at the last change */
	bool rx_full; /* a byte waits in RBR (loopback only) */
	u8 rx;
	bool thre_irq; /* the THR-empty interrupt is pending */
	unsigned int line_len;
	char line[UART_LINE_MAX];
	void (*out)(void *ctx, const char *line); /* one line, without its newline */
	void *ctx;
};

/* Reset u (the state after the chip's MR pin) with out(ctx, line) for its output. */
void uart_init(struct uart16550 *u, void (*out)(void *ctx, const char *line), void *ctx);

/* Read or write the register at offset reg (0-7; only the low 3 bits count). */
u8 uart_read(struct uart16550 *u, unsigned int reg);
void uart_write(struct uart16550 *u, unsigned int reg, u8 val);

/* Whether the IIR shows an interrupt (and so the chip drives its INTRPT pin). */
bool uart_irq_pending(const struct uart16550 *u);

/* Send out what is left of a line (the guest ends, say). */
void uart_flush(struct uart16550 *u);

#endif /* HV_UART16550_H */
