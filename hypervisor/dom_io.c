/*
 * A domain's I/O ports (dom_ioport() of <hv/domain.h>): the debug port
 * 0xe9, COM1 (the domain's 16550A, hypervisor/uart16550.c, whose lines
 * reach the console as "(d<id>) ..."), the ACPI sleep registers of the
 * guest's FADT (power-off), and nothing else: any other port
 * reads as all ones and drops writes, and the first access to each is
 * logged, once per domain, for the first DOM_IO_LOGGED such ports.
 */
#include <hv/domain.h>
#include <hv/guest_acpi.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/uart16550.h>

#define PORT_DEBUG 0xe9
#define PORT_COM1 0x3f8
#define ACPI_SLP_EN 0x20 /* sleep control register bit 5 */

static void com1_line(void *ctx, const char *line)
{
	const struct domain *d = ctx;

	printk(LOG_NOTICE, "(d%u) %s\n", d->id, line);
}

void dom_io_init(struct domain *d)
{
	spin_lock_init(&d->io_lock);
	uart_init(&d->com1, com1_line, d);
}

void dom_io_end(struct domain *d)
{
	unsigned long flags = spin_lock_irqsave(&d->io_lock);

	uart_flush(&d->com1);
	spin_unlock_irqrestore(&d->io_lock, flags);
}

/* Log the first access to a port nothing emulates, once per port (io_lock held). */
static void unknown_port(struct domain *d, u16 port, bool in)
{
	unsigned int i;

	for (i = 0; i < d->nr_io_logged; i++)
		if (d->io_logged[i] == port)
			return;
	if (d->nr_io_logged == DOM_IO_LOGGED)
		return;
	d->io_logged[d->nr_io_logged++] = port;
	printk(LOG_INFO, "domain %u: %s port 0x%x: nothing there (reads all ones)%s\n", d->id,
	       in ? "read of" : "write to", port,
	       d->nr_io_logged == DOM_IO_LOGGED ? "; further ports are not logged" : "");
}

void dom_unknown_msr(struct vcpu *v, u32 msr, bool wr, u64 val)
{
	struct domain *d = v->dom;
	unsigned long flags = spin_lock_irqsave(&d->io_lock);
	bool log = d->nr_msr_logged < DOM_MSR_LOGGED;
	const char *more;
	unsigned int i;

	for (i = 0; log && i < d->nr_msr_logged; i++)
		log = d->msr_logged[i] != msr;
	if (log)
		d->msr_logged[d->nr_msr_logged++] = msr;
	more = d->nr_msr_logged == DOM_MSR_LOGGED ? "; further MSRs are not logged" : "";
	spin_unlock_irqrestore(&d->io_lock, flags);
	if (!log)
		return;
	if (wr)
		printk(LOG_INFO, "domain %u: vCPU %u: wrmsr 0x%x, 0x%llx: not available (#GP)%s\n",
		       d->id, v->id, msr, val, more);
	else
		printk(LOG_INFO, "domain %u: vCPU %u: rdmsr 0x%x: not available (#GP)%s\n", d->id,
		       v->id, msr, more);
}

/*
 * The FADT's sleep registers (<hv/guest_acpi.h>). Status reads 0 (not
 * woken) and takes writes (the guest clears WAK_STS first); control
 * reads 0, and a write of SLP_EN with the S5 type powers the domain
 * off. Other sleep states are not offered (the DSDT names only \_S5):
 * asked for anyway, they are logged and nothing happens.
 */
static void acpi_sleep_port(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	unsigned int type = (*val >> 2) & 7;

	if (in) {
		*val = 0;
		return;
	}
	if (port != GUEST_ACPI_SLEEP_CONTROL_PORT || size != 1 || !(*val & ACPI_SLP_EN))
		return;
	if (type == GUEST_ACPI_S5_TYPE) {
		dom_shutdown(v->dom, DOM_SHUTDOWN_POWEROFF, v);
		return;
	}
	printk(LOG_INFO, "domain %u: vCPU %u: sleep type %u asked for: not offered, ignored\n",
	       v->dom->id, v->id, type);
}

void dom_ioport(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	struct domain *d = v->dom;
	unsigned long flags;
	unsigned int i;
	u32 got = 0;

	if (!in && port == PORT_DEBUG && size == 1) {
		char c = (char)*val;

		dom_console_write(v, &c, 1);
		return;
	}
	if (port == GUEST_ACPI_SLEEP_CONTROL_PORT || port == GUEST_ACPI_SLEEP_STATUS_PORT) {
		acpi_sleep_port(v, port, size, in, val);
		return;
	}
	flags = spin_lock_irqsave(&d->io_lock);
	/* Byte by byte, as the ports a wider access covers. */
	for (i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		u8 b = 0xff;

		if (p >= PORT_COM1 && p < PORT_COM1 + 8) {
			if (in)
				b = uart_read(&d->com1, p - PORT_COM1);
			else
				uart_write(&d->com1, p - PORT_COM1, (u8)(*val >> (8 * i)));
		} else if (i == 0) {
			unknown_port(d, port, in);
		}
		got |= (u32)b << (8 * i);
	}
	spin_unlock_irqrestore(&d->io_lock, flags);
	if (in)
		*val = got;
}
