/*
 * A domain's guest-physical memory as the hypervisor sees it: the PC
 * layout of its RAM, checking that a guest buffer is RAM, copying to and
 * from it through the nested page tables, and the guest console's line
 * buffers. Guest addresses are guest input: every access is checked
 * against the RAM ranges and the nested page tables before a byte moves.
 * No state of its own.
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
#define VNODE_ALIGN MiB(2)
#define HOT_ALIGN GiB(1)

static void add_ram(struct domain *d, u64 start, u64 end, unsigned int v)
{
	d->ram[d->nr_ram] = (struct guest_ram_range){start, end};
	d->ram_vnode[d->nr_ram++] = (u8)v;
}

void dom_layout_ram(struct domain *d)
{
	const struct domain_config *c = &d->cfg;
	u64 cursor = 0, hot_size, hot;
	unsigned int v, vcpu = 0;

	d->nr_ram = 0;
	d->nr_vnodes = c->vnodes;
	for (v = 0; v < c->vnodes; v++) {
		u64 left = c->vnode_mem[v];

		if (v == 0) {
			/* vnode_mem[0] >= 2 MiB: the whole of low memory. */
			add_ram(d, 0, LOW_RAM_END, 0);
			left -= LOW_RAM_END;
			cursor = HIGH_RAM_START;
		} else {
			cursor = ALIGN_UP(cursor, VNODE_ALIGN);
		}
		while (left) {
			u64 n = left;

			if (cursor >= PCI_HOLE_START && cursor < ABOVE_4G)
				cursor = ABOVE_4G;
			if (cursor < PCI_HOLE_START)
				n = MIN(left, PCI_HOLE_START - cursor);
			add_ram(d, cursor, cursor + n, v);
			cursor += n;
			left -= n;
		}
		d->vnode[v].first_vcpu = vcpu;
		d->vnode[v].nr_vcpus = c->vnode_vcpus[v];
		vcpu += c->vnode_vcpus[v];
	}
	hot_size = ALIGN_UP(c->maxmem - c->mem, VNODE_ALIGN);
	hot = ALIGN_UP(MAX(cursor, ABOVE_4G), HOT_ALIGN);
	for (v = 0; v < c->vnodes; v++) {
		d->vnode[v].hot_start = hot;
		d->vnode[v].hot_end = hot + hot_size;
		hot = ALIGN_UP(hot + hot_size, HOT_ALIGN);
	}
}

int dom_gfn_vnode(const struct domain *d, u64 gfn)
{
	u64 gpa = gfn << PAGE_SHIFT;
	unsigned int i;

	if (gfn >> (64 - PAGE_SHIFT))
		return -1;
	for (i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].start && gpa < d->ram[i].end)
			return d->ram_vnode[i];
	for (i = 0; i < d->nr_vnodes; i++)
		if (gpa >= d->vnode[i].hot_start && gpa < d->vnode[i].hot_end)
			return (int)i;
	return -1;
}

int dom_range_vnode(const struct domain *d, u64 gpa, u64 len)
{
	unsigned int i;

	if (gpa + len < gpa)
		return -1;
	for (i = 0; i < d->nr_ram; i++)
		if (gpa >= d->ram[i].start && gpa + len <= d->ram[i].end)
			return d->ram_vnode[i];
	for (i = 0; i < d->nr_vnodes; i++)
		if (gpa >= d->vnode[i].hot_start && gpa + len <= d->vnode[i].hot_end)
			return (int)i;
	return -1;
}

static bool in_ranges(const struct domain *d, u64 gpa, u64 len)
{
	return dom_range_vnode(d, gpa, len) >= 0;
}

bool dom_gpa_is_ram(struct domain *d, u64 gpa, u64 len)
{
	unsigned long flags;
	u64 gfn, last;
	bool ok = true;

	if (!in_ranges(d, gpa, len))
		return false;
	if (!len)
		return true;
	last = (gpa + len - 1) >> PAGE_SHIFT;
	flags = spin_lock_irqsave(&d->mem_lock);
	for (gfn = gpa >> PAGE_SHIFT; ok && gfn <= last; gfn++)
		ok = arch_domain_lookup(d, gfn) != INVALID_MFN;
	spin_unlock_irqrestore(&d->mem_lock, flags);
	return ok;
}

/*
 * Copy len bytes between buf and guest RAM at gpa, page by page, each
 * under mem_lock so that memory_op cannot take the page away meanwhile.
 */
static int copy_guest(struct domain *d, u64 gpa, void *buf, u64 len, bool to_guest)
{
	u8 *p = buf;

	if (!dom_gpa_is_ram(d, gpa, len))
		return -EFAULT;
	while (len) {
		u64 off = gpa & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);
		unsigned long flags = spin_lock_irqsave(&d->mem_lock);
		mfn_t mfn = arch_domain_lookup(d, gpa >> PAGE_SHIFT);
		u8 *g;

		if (mfn == INVALID_MFN) {
			spin_unlock_irqrestore(&d->mem_lock, flags);
			return -EFAULT;
		}
		g = (u8 *)arch_maddr_to_virt(mfn << PAGE_SHIFT) + off;
		if (to_guest)
			memcpy(g, p, n);
		else
			memcpy(p, g, n);
		spin_unlock_irqrestore(&d->mem_lock, flags);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int dom_copy_from_guest(struct domain *d, void *dst, u64 gpa, u64 len)
{
	return copy_guest(d, gpa, dst, len, false);
}

int dom_copy_to_guest(struct domain *d, u64 gpa, const void *src, u64 len)
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
