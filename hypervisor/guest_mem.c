/*
 * A domain's guest-physical memory as the hypervisor sees it: the PC
 * layout of its RAM, checking that a guest buffer is RAM, copying to and
 * from it through the nested page tables, and the guest console's line
 * buffers. Guest addresses are guest input: every access is checked
 * against the RAM ranges before a byte moves. No state of its own.
 */
#include <hv/arch.h>
#include <hv/domain.h>
#include <hv/errno.h>
#include <hv/hvm.h>
#include <hv/lib.h>
#include <hv/printk.h>

/* The guest-physical layout of a PC: a hole below 1 MiB and below 4 GiB. */
#define LOW_RAM_END 0xa0000ULL
#define HIGH_RAM_START 0x100000ULL
#define PCI_HOLE_START GiB(3)
#define ABOVE_4G GiB(4)

void dom_layout_ram(struct domain *d, u64 mem)
{
	u64 below = MIN(mem + (HIGH_RAM_START - LOW_RAM_END), PCI_HOLE_START);

	d->ram[0] = (struct guest_ram_range){0, LOW_RAM_END};
	d->ram[1] = (struct guest_ram_range){HIGH_RAM_START, below};
	d->nr_ram = 2;
	if (mem + (HIGH_RAM_START - LOW_RAM_END) > below) {
		u64 rest = mem - (below - (HIGH_RAM_START - LOW_RAM_END));

		d->ram[2] = (struct guest_ram_range){ABOVE_4G, ABOVE_4G + rest};
		d->nr_ram = 3;
	}
}

bool dom_gpa_is_ram(const struct domain *d, u64 gpa, u64 len)
{
	unsigned int i;

	if (gpa + len < gpa)
		return false;
	for (i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].start && gpa + len <= d->ram[i].end)
			return true;
	return false;
}

/* Copy len bytes between buf and guest RAM at gpa, page by page. */
static int copy_guest(const struct domain *d, u64 gpa, void *buf, u64 len, bool to_guest)
{
	u8 *p = buf;

	if (!dom_gpa_is_ram(d, gpa, len))
		return -EFAULT;
	while (len) {
		u64 off = gpa & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);
		mfn_t mfn = arch_domain_lookup(d, gpa >> PAGE_SHIFT);
		u8 *g;

		if (mfn == INVALID_MFN)
			return -EFAULT;
		g = (u8 *)arch_maddr_to_virt(mfn << PAGE_SHIFT) + off;
		if (to_guest)
			memcpy(g, p, n);
		else
			memcpy(p, g, n);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int dom_copy_from_guest(const struct domain *d, void *dst, u64 gpa, u64 len)
{
	return copy_guest(d, gpa, dst, len, false);
}

int dom_copy_to_guest(const struct domain *d, u64 gpa, const void *src, u64 len)
{
	return copy_guest(d, gpa, (void *)src, len, true);
}

/* --- guest console -------------------------------------------------- */

static void console_flush(struct vcpu *v)
{
	v->line[v->line_len] = '\0';
	printk(LOG_NOTICE, "(d%u) %s\n", v->dom->id, v->line);
	v->line_len = 0;
}

void dom_console_write(struct vcpu *v, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n') {
			console_flush(v);
			continue;
		}
		if ((c < 0x20 || c > 0x7e) && c != '\t')
			c = '?';
		/* Split a full line only when more of it comes: not before its newline. */
		if (v->line_len == sizeof(v->line) - 1)
			console_flush(v);
		v->line[v->line_len++] = c;
	}
}
