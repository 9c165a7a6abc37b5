/*
 * The 16550A UART model of <hv/uart16550.h>. Register behaviour follows
 * the PC16550D data sheet: the divisor latch behind DLAB, IER's low four
 * bits, IIR's priorities (receiver line status, received data, THR empty,
 * modem status) and its FIFO bits, LSR with THRE and TEMT, MCR's loopback
 * mode feeding THR into RBR and MCR's outputs into MSR's inputs, MSR's
 * delta bits cleared by reading it. Outside loopback the modem lines read
 * as a terminal that is there (CTS, DSR and DCD up, RI down).
 */
#include <hv/lib.h>
#include <hv/uart16550.h>

#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* THR empty */
#define IER_MSI 0x08  /* modem status */
#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0 /* both FIFO bits: FCR bit 0 is set */
#define FCR_ENABLE 0x01
#define MSR_OUTSIDE 0xb0 /* DCD, DSR, CTS */

void uart_init(struct uart16550 *u, void (*out)(void *ctx, const char *line), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->ctx = ctx;
	u->msr_last = MSR_OUTSIDE;
}

void uart_flush(struct uart16550 *u)
{
	if (!u->line_len)
		return;
	u->line[u->line_len] = '\0';
	u->out(u->ctx, u->line);
	u->line_len = 0;
}

static void transmit(struct uart16550 *u, u8 c)
{
	if (c == '\n') {
		u->line[u->line_len] = '\0';
		u->out(u->ctx, u->line);
		u->line_len = 0;
		return;
	}
	if (c == '\r')
		return;
	if (u->line_len == sizeof(u->line) - 1)
		uart_flush(u);
	u->line[u->line_len++] = (c >= 0x20 && c <= 0x7e) || c == '\t' ? (char)c : '?';
}

/* MSR bits 4-7 as the chip's inputs show them now. */
static u8 msr_inputs(const struct uart16550 *u)
{
	u8 m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_OUTSIDE;
	/* Loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2. */
	return (u8)(((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4));
}

/* Note a change of the inputs in the delta bits. */
static void msr_update(struct uart16550 *u)
{
	u8 now = msr_inputs(u), changed = now ^ u->msr_last;

	u->msr_delta |= (changed >> 4) & 0x0b; /* DCTS, DDSR, DDCD */
	if ((u->msr_last & 0x40) && !(now & 0x40))
		u->msr_delta |= 0x04; /* TERI: RI went down */
	u->msr_last = now;
}

static u8 iir(const struct uart16550 *u)
{
	u8 fifo = u->fcr & FCR_ENABLE ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_full)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_irq)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return fifo | IIR_MSI;
	return fifo | IIR_NONE;
}

bool uart_irq_pending(const struct uart16550 *u)
{
	return !(iir(u) & IIR_NONE);
}

u8 uart_read(struct uart16550 *u, unsigned int reg)
{
	u8 v;

	switch (reg & 7) {
	case UART_RBR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		v = u->rx_full ? u->rx : 0;
		u->rx_full = false;
		return v;
	case UART_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thre_irq = false; /* reading IIR with THRE as its source clears it */
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_full ? LSR_DR : 0);
	case UART_MSR:
		v = msr_inputs(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	default:
		return u->scr;
	}
}

void uart_write(struct uart16550 *u, unsigned int reg, u8 val)
{
	switch (reg & 7) {
	case UART_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP) {
			u->rx = val;
			u->rx_full = true;
		} else {
			transmit(u, val);
		}
		u->thre_irq = true; /* sent at once: THR is empty again */
		return;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		/* Enabling the THRE interrupt while THR is empty raises it. */
		if ((val & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_irq = true;
		u->ier = val & 0x0f;
		return;
	case UART_FCR:
		u->fcr = val & 0xc9; /* enable, DMA mode, trigger level; bits 1-2 self-clear */
		if (val & 0x02)
			u->rx_full = false; /* clear the receiver FIFO */
		return;
	case UART_LCR:
		u->lcr = val;
		return;
	case UART_MCR:
		u->mcr = val & 0x1f;
		msr_update(u);
		return;
	case UART_LSR:
	case UART_MSR:
		return; /* read-only here */
	default:
		u->scr = val;
	}
}
