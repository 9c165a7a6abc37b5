/*
 * The hypervisor's own page tables on x86-64. Owns the top-level table
 * and the layout in asm/page.h: it replaces the boot identity map of the
 * first 4 GiB with a direct map of the whole physical memory map (RAM and
 * firmware data write-back, everything else uncached) and a W^X identity
 * map of the image. Built once on the boot CPU with the boot allocator;
 * the tables are never freed.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/setup.h>
#include <hv/arch.h>
#include <hv/boot.h>
#include <hv/bootmem.h>
#include <hv/lib.h>
#include <hv/panic.h>
#include <hv/printk.h>

extern char __image_start[], __image_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];

static paddr_t pml4_pa;
static bool switched; /* tables reached through the direct map from now on */
static u64 pte_nx;    /* PTE_NX when the CPU supports it, else 0 */
static u64 pte_global;
/* Where the direct map ends (bytes from DIRECTMAP_BASE); arch_virt_to_maddr() reads it. */
paddr_t x86_directmap_bytes;

void *arch_maddr_to_virt(paddr_t pa)
{
	return maddr_to_virt(pa);
}

paddr_t x86_directmap_end(void)
{
	return x86_directmap_bytes;
}

/* A page-table page by physical address: identity map until the switch. */
static u64 *table_virt(paddr_t pa)
{
	return switched ? maddr_to_virt(pa) : (u64 *)pa;
}

/*
 * Page-table pages come from below 4 GiB, which the boot identity map
 * reaches. Returns the table's physical address.
 */
static paddr_t alloc_table(void)
{
	paddr_t pa = bootmem_alloc(PAGE_SIZE, PAGE_SIZE, GiB(4));

	if (!pa)
		panic("out of memory for page tables");
	memset(table_virt(pa), 0, PAGE_SIZE);
	return pa;
}

/* The table that entry i of table t points to, created if absent. */
static u64 *next_level(u64 *t, unsigned int i)
{
	if (!(t[i] & PTE_P))
		t[i] = alloc_table() | PTE_P | PTE_W;
	return table_virt(t[i] & PTE_ADDR);
}

static unsigned int idx(unsigned long va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Map one page of size 4K (level 1), 2M (level 2) or 1G (level 3). */
static void map_page(unsigned long va, paddr_t pa, unsigned int level, u64 flags)
{
	u64 *t = table_virt(pml4_pa);
	unsigned int l;

	for (l = 4; l > level; l--)
		t = next_level(t, idx(va, l));
	t[idx(va, level)] = pa | flags | PTE_P | (level > 1 ? PTE_PS : 0);
}

void x86_map_trampoline(paddr_t pa)
{
	map_page(pa, pa, 1, 0); /* read and execute, for the start-up code */
	__asm__ __volatile__("invlpg (%0)" : : "r"(pa) : "memory");
}

/* Write-back if the range holds RAM or firmware data, uncached otherwise. */
static u64 cache_flags(const struct boot_info *bi, paddr_t s, paddr_t e)
{
	unsigned int i;

	for (i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];

		if (r->end <= s || r->start >= e)
			continue;
		if (r->type == MEM_RAM || r->type == MEM_ACPI || r->type == MEM_NVS ||
		    r->type == MEM_PMEM)
			return 0;
	}
	return PTE_PCD | PTE_PWT;
}

static void map_directmap(const struct boot_info *bi)
{
	bool gbpages = cpu_has_1g_pages();
	paddr_t pa;
	unsigned int i;

	x86_directmap_bytes = GiB(4); /* always cover the local APIC and other MMIO */
	for (i = 0; i < bi->nr_mem; i++)
		x86_directmap_bytes = MAX(x86_directmap_bytes, ALIGN_UP(bi->mem[i].end, MiB(2)));
	if (x86_directmap_bytes > DIRECTMAP_SIZE) {
		pr_warn("memory map reaches %llu GiB; the direct map stops at %llu GiB\n",
			x86_directmap_bytes >> 30, DIRECTMAP_SIZE >> 30);
		x86_directmap_bytes = DIRECTMAP_SIZE;
	}
	for (pa = 0; pa < x86_directmap_bytes;) {
		u64 fl = PTE_W | pte_nx | pte_global;

		if (gbpages && IS_ALIGNED(pa, GiB(1)) && pa + GiB(1) <= x86_directmap_bytes) {
			u64 c = cache_flags(bi, pa, pa + GiB(1));
			paddr_t q;
			bool uniform = true;

			for (q = pa; q < pa + GiB(1) && uniform; q += MiB(2))
				uniform = cache_flags(bi, q, q + MiB(2)) == c;
			if (uniform) {
				map_page(DIRECTMAP_BASE + pa, pa, 3, fl | c);
				pa += GiB(1);
				continue;
			}
		}
		map_page(DIRECTMAP_BASE + pa, pa, 2, fl | cache_flags(bi, pa, pa + MiB(2)));
		pa += MiB(2);
	}
}

static void map_image(void)
{
	unsigned long va;

	for (va = (unsigned long)__image_start; va < (unsigned long)__image_end; va += PAGE_SIZE) {
		u64 fl = pte_global;

		if (va >= (unsigned long)__text_start && va < (unsigned long)__text_end)
			fl |= 0; /* read, execute */
		else if (va >= (unsigned long)__rodata_start && va < (unsigned long)__rodata_end)
			fl |= pte_nx; /* read only */
		else
			fl |= PTE_W | pte_nx; /* data, bss, stacks */
		map_page(va, va, 1, fl);
	}
}

/*
 * Self-test: the first and last word of every free RAM range answer
 * through the direct map (write a pattern, read it back), RAM above 4 GiB
 * included. Free memory only, so nothing in use is touched.
 */
static void selftest_directmap(void)
{
	const struct mem_range *free;
	unsigned int i, n = bootmem_free_ranges(&free), passed = 0, failed = 0;

	for (i = 0; i < n; i++) {
		const struct mem_range *r = &free[i];
		paddr_t probe[2] = {r->start, r->end - 8};
		unsigned int j;

		for (j = 0; j < 2; j++) {
			volatile u64 *p = maddr_to_virt(probe[j]);
			u64 old = *p, pat = 0x5a5aa5a5f00d0000ULL ^ probe[j];

			*p = pat;
			if (*p == pat && *(volatile u64 *)maddr_to_virt(probe[j]) == pat) {
				passed++;
			} else {
				failed++;
				pr_err("selftest paging: RAM at 0x%llx does not hold a value "
				       "through the direct map\n",
				       probe[j]);
			}
			*p = old;
		}
	}
	printk(LOG_EMERG, "selftest paging: %u passed, %u failed\n", passed, failed);
}

void arch_setup_memory(struct boot_info *bi)
{
	paddr_t image_s = (paddr_t)__image_start,
		image_e = ALIGN_UP((paddr_t)__image_end, PAGE_SIZE);
	unsigned int i;

	if (!memmap_ram_bytes(bi->mem, bi->nr_mem))
		panic("no usable RAM in the boot memory map");
	bootmem_init(bi->mem, bi->nr_mem);
	bootmem_reserve(0, MiB(1)); /* BIOS data, SMP trampoline */
	bootmem_reserve(image_s, image_e);
	for (i = 0; i < bi->nr_modules; i++) /* guest images, read later */
		bootmem_reserve(ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE),
				ALIGN_UP(bi->modules[i].end, PAGE_SIZE));
	if (!bootmem_free_bytes())
		panic("no usable RAM outside the first MiB and the image");

	if (cpu_has_nx()) {
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
		pte_nx = PTE_NX;
	}
	if (cpu_has_pge())
		pte_global = PTE_G;
	pml4_pa = alloc_table();
	map_directmap(bi);
	map_image();
	write_cr3(pml4_pa);
	switched = true;
	if (pte_global)
		write_cr4(read_cr4() | CR4_PGE);
	pr_info("paging: direct map of %s at %016lx%s, image %lu KiB (W^X%s)\n",
		size_str(x86_directmap_bytes).s, DIRECTMAP_BASE,
		cpu_has_1g_pages() ? " with 1 GiB pages" : "",
		(unsigned long)((image_e - image_s) >> 10), pte_nx ? ", NX" : ", no NX");
	pr_info("RAM: %llu MiB in the memory map, %llu MiB free after boot allocations\n",
		(memmap_ram_bytes(bi->mem, bi->nr_mem) >> 20), (bootmem_free_bytes() >> 20));
	if (IS_ENABLED(CONFIG_SELFTEST))
		selftest_directmap();
}
