// SPDX-License-Identifier: GPL-2.0-only
/*
 * Captures of real machines (sim/snapshot.c, sim/snapwrite.c): a
 * hand-made capture of 48 pfns whose every page is worked out below from
 * the kernel's kpageflags bits (include/uapi/linux/kernel-page-flags.h,
 * fs/proc/page.c: stable_page_flags(), 6.1), rebuilt, written out as a
 * machine and its initial state, and booted; and its bad variants.
 *
 * The machine: 4 KiB pages, max order 3, pageblock order 2.
 *   iomem: RAM at pfns 1-9 and 12-47; pfn 0 and 10-11 are no RAM.
 *   zoneinfo: DMA spans [1, 16), 13 present (1-9, 12-15), 12 managed;
 *             Normal spans [16, 48), 32 present, 31 managed.
 *   pfn  0     no RAM                          hole
 *        1     KPF_RESERVED                    reserved
 *        2-7   KPF_BUDDY                       free: order 1 at 2, order 2 at 4
 *        8     ANON|LRU|SWAPBACKED             anon
 *        9     no flag                         kernel
 *       10-11  KPF_RESERVED, no RAM            hole
 *       12-15  KPF_BUDDY                       free: order 2 at 12
 *       16-23  KPF_BUDDY                       free: order 3 at 16
 *       24-27  THP: ANON|LRU|HEAD, then TAILs  anon, one order-2 block
 *       28     LRU                             file
 *       29     LRU|ACTIVE                      file-active
 *       30     SLAB                            slab
 *       31     PGTABLE                         pagetable
 *       32-39  KPF_BUDDY                       free: order 3 at 32
 *       40     KPF_BUDDY                       free: order 0 (41 is not)
 *       41     LRU|DIRTY                       anon: dirty page cache migrates
 *       42-44  HEAD, TAIL, TAIL                kernel: 3 pages are no buddy block, split
 *       45     no flag                         kernel
 *       46     KPF_OFFLINE                     reserved
 *       47     KPF_BUDDY                       free: order 0
 * So DMA holds free blocks {order 1: 1, order 2: 2} and Normal {order 0:
 * 2, order 3: 2}, as the buddy allocator would: every free run cut into
 * the largest naturally aligned blocks up to order 3.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <gio/gio.h>

#include "cmasim/buddy.h"
#include "cmasim/config.h"
#include "cmasim/error.h"
#include "cmasim/report.h"
#include "cmasim/snapshot.h"
#include "cmasim/state.h"
#include "scratch.h"

#define BIT(n) (UINT64_C(1) << (n))
#define NR_PFNS 48

/* kernel-page-flags.h */
enum { LRU = 5, ACTIVE = 6, SLAB = 7, DIRTY = 4, BUDDY = 10, ANON = 12, SWAPBACKED = 14,
       HEAD = 15, TAIL = 16, NOPAGE = 20, THP = 22, OFFLINE = 23, PGTABLE = 26, RESERVED = 32 };

static const char CAPTURE[] =
	"format cmasim-snapshot 1\n"
	"kernel 6.1.0-test\n"
	"machine x86_64\n"
	"page_size 4096\n"
	"byte_order little\n"
	"begin 100.0\n"
	"min_free_kbytes 16\n"
	"kpageflags_begin 100.5\n"
	"kpageflags_end 101.25\n"
	"kpageflags_bytes 384\n";

static const char ZONEINFO[] =
	"Node 0, zone      DMA\n"
	"  per-node stats\n"
	"      nr_inactive_anon 190128\n"
	"  pages free     10\n"
	"        min      1\n"
	"        low      2\n"
	"        high     3\n"
	"        spanned  15\n"
	"        present  13\n"
	"        managed  12\n"
	"        protection: (0, 3, 3, 3)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 0\n"
	"              high:  0\n"
	"    cpu: 1\n"
	"              count: 2\n"
	"  start_pfn:           1\n"
	"Node 0, zone   Normal\n"
	"  pages free     18\n"
	"        min      1\n"
	"        low      2\n"
	"        high     3\n"
	"        spanned  32\n"
	"        present  32\n"
	"        managed  31\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 3\n"
	"    cpu: 1\n"
	"              count: 0\n"
	"  start_pfn:           16\n"
	"Node 0, zone  Movable\n"
	"  pages free     0\n"
	"        spanned  0\n"
	"        present  0\n"
	"        managed  0\n";

static const char BUDDYINFO[] =
	"Node 0, zone      DMA      0      1      2      0 \n"
	"Node 0, zone   Normal      2      0      0      2 \n";

static const char PAGETYPEINFO[] =
	"Page block order: 2\n"
	"Pages per block:  4\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3 \n"
	"Node    0, zone      DMA, type    Unmovable      0      0      0      0 \n"
	"Node    0, zone      DMA, type      Movable      0      1      2      0 \n"
	"Node    0, zone   Normal, type    Unmovable      1      0      0      0 \n"
	"Node    0, zone   Normal, type      Movable      1      0      0      2 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            0            4            0            0            0 \n"
	"Node 0, zone   Normal            1            6            1            0            0 \n"
	"\n"
	"Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            9            9            9            9            9 \n";

static const char IOMEM[] =
	"00000000-00000fff : Reserved\n"
	"00001000-00009fff : System RAM\n"
	"0000a000-0000bfff : Reserved\n"
	"0000c000-0002ffff : System RAM\n"
	"  00010000-00010fff : Kernel code\n";

/* The kpageflags words of the table at the top. */
static void base_flags(uint64_t *f)
{
	memset(f, 0, NR_PFNS * sizeof(*f));
	f[1] = BIT(RESERVED);
	for (int p = 2; p <= 7; p++)
		f[p] = BIT(BUDDY);
	f[8] = BIT(ANON) | BIT(LRU) | BIT(SWAPBACKED);
	f[10] = f[11] = BIT(RESERVED);
	for (int p = 12; p <= 23; p++)
		f[p] = BIT(BUDDY);
	f[24] = BIT(ANON) | BIT(LRU) | BIT(THP) | BIT(HEAD);
	f[25] = f[26] = f[27] = BIT(ANON) | BIT(LRU) | BIT(THP) | BIT(TAIL);
	f[28] = BIT(LRU);
	f[29] = BIT(LRU) | BIT(ACTIVE);
	f[30] = BIT(SLAB);
	f[31] = BIT(PGTABLE);
	for (int p = 32; p <= 40; p++)
		f[p] = BIT(BUDDY);
	f[41] = BIT(LRU) | BIT(DIRTY);
	f[42] = BIT(HEAD);
	f[43] = f[44] = BIT(TAIL);
	f[46] = BIT(OFFLINE);
	f[47] = BIT(BUDDY);
}

/* A capture in memory: the files above, and @flags as kpageflags. */
static GHashTable *files_with(const uint64_t *flags, size_t nr)
{
	GHashTable *files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)g_bytes_unref);

	g_hash_table_insert(files, g_strdup("capture.txt"), g_bytes_new_static(CAPTURE, strlen(CAPTURE)));
	g_hash_table_insert(files, g_strdup("zoneinfo"), g_bytes_new_static(ZONEINFO, strlen(ZONEINFO)));
	g_hash_table_insert(files, g_strdup("buddyinfo"),
			    g_bytes_new_static(BUDDYINFO, strlen(BUDDYINFO)));
	g_hash_table_insert(files, g_strdup("pagetypeinfo"),
			    g_bytes_new_static(PAGETYPEINFO, strlen(PAGETYPEINFO)));
	g_hash_table_insert(files, g_strdup("iomem"), g_bytes_new_static(IOMEM, strlen(IOMEM)));
	g_hash_table_insert(files, g_strdup("kpageflags"), g_bytes_new(flags, nr * sizeof(*flags)));
	return files;
}

/* Replaces the first @from of file @name with @to. */
static void edit(GHashTable *files, const char *name, const char *from, const char *to)
{
	gsize len;
	const char *text = g_bytes_get_data(g_hash_table_lookup(files, name), &len);
	g_autofree char *copy = g_strndup(text, len);
	char *at = strstr(copy, from);
	GString *s;

	cr_assert_not_null(at, "%s has no \"%s\"", name, from);
	s = g_string_new_len(copy, at - copy);
	g_string_append(s, to);
	g_string_append(s, at + strlen(from));
	g_hash_table_insert(files, g_strdup(name), g_string_free_to_bytes(s));
}

/* The capture of kpageflags @f, with @from changed to @to in @file (unless NULL); it must read. */
static struct cmasim_snapshot *read_with(const uint64_t *f, const char *file, const char *from,
					 const char *to)
{
	g_autoptr(GHashTable) files = files_with(f, NR_PFNS);
	g_autoptr(GError) error = NULL;
	struct cmasim_snapshot *s;

	if (file)
		edit(files, file, from, to);
	s = cmasim_snapshot_read_files("t", files, &error);
	cr_assert_not_null(s, "%s", error ? error->message : "");
	return s;
}

static struct cmasim_snapshot *read_base(void)
{
	uint64_t f[NR_PFNS];

	base_flags(f);
	return read_with(f, NULL, NULL, NULL);
}

Test(snapshot, pages_and_free_blocks)
{
	struct cmasim_snapshot *s = read_base();
	static const enum cmasim_page_kind want[NR_PFNS] = {
		[0] = CMASIM_PAGE_HOLE, [1] = CMASIM_PAGE_RESERVED,
		[2 ... 7] = CMASIM_PAGE_FREE, [8] = CMASIM_PAGE_ANON, [9] = CMASIM_PAGE_KERNEL,
		[10 ... 11] = CMASIM_PAGE_HOLE, [12 ... 23] = CMASIM_PAGE_FREE,
		[24 ... 27] = CMASIM_PAGE_ANON, [28] = CMASIM_PAGE_FILE,
		[29] = CMASIM_PAGE_FILE_ACTIVE, [30] = CMASIM_PAGE_SLAB,
		[31] = CMASIM_PAGE_PAGETABLE, [32 ... 40] = CMASIM_PAGE_FREE,
		[41] = CMASIM_PAGE_ANON, [42 ... 45] = CMASIM_PAGE_KERNEL,
		[46] = CMASIM_PAGE_RESERVED, [47] = CMASIM_PAGE_FREE,
	};

	cr_expect_eq(s->nr_pfns, NR_PFNS);
	cr_expect_eq(s->max_order, 3);
	cr_expect_eq(s->pageblock_order, 2);
	cr_expect_eq(s->cpus, 2);
	cr_expect_eq(s->min_free_kbytes, 16);
	cr_expect_eq(s->read_seconds, 0.75);
	cr_expect_not(s->buddy_head_only);
	for (int p = 0; p < NR_PFNS; p++)
		cr_expect_eq(CMASIM_PFN_KIND(s->pfn[p]), want[p], "pfn %d: %s", p,
			     cmasim_page_kind_name(CMASIM_PFN_KIND(s->pfn[p])));
	/* the THP's marks stay; 42-44's go: 3 pages are no buddy block */
	cr_expect(s->pfn[24] & CMASIM_PFN_HEAD);
	cr_expect(s->pfn[27] & CMASIM_PFN_TAIL);
	cr_expect_not(s->pfn[42] & CMASIM_PFN_HEAD);
	cr_expect_eq(s->counts[CMASIM_SNAP_COMPOUND_SPLIT], 3);
	cr_expect_eq(s->counts[CMASIM_SNAP_THP], 4);
	cr_expect_eq(s->counts[CMASIM_SNAP_DIRTY], 1);
	/* 0, 9, 45 read 0, but 0 is no RAM */
	cr_expect_eq(s->counts[CMASIM_SNAP_ZERO_FLAGS], 2);

	cr_assert_eq(s->nr_zones, 2);
	cr_expect_eq(s->zones[0].type, CMASIM_ZONE_DMA);
	cr_expect_eq(s->zones[0].pcp_count, 2);
	cr_expect_eq(s->zones[1].pcp_count, 3);
	cr_expect_eq(s->zones[0].free_blocks[1], 1);
	cr_expect_eq(s->zones[0].free_blocks[2], 2);
	cr_expect_eq(s->zones[1].free_blocks[0], 2);
	cr_expect_eq(s->zones[1].free_blocks[3], 2);
	cr_expect_eq(s->zones[1].kinds[CMASIM_PAGE_KERNEL], 4);
	cr_expect_eq(s->zones[1].pageblocks[CMASIM_MT_RECLAIMABLE], 1);
	/* page_owner's mixed blocks are not pageblock counts */
	cr_expect_eq(s->zones[0].pageblocks[CMASIM_MT_UNMOVABLE], 0);
	cr_expect_eq(s->zones[0].buddyinfo[2], 2);
	cmasim_snapshot_free(s);
}

/*
 * The same free blocks from a kernel that flags only a free block's
 * first page: two free pages side by side at an even pfn then never
 * occur, and each head reaches over the flagless pages after it. Heads
 * at 12 and 14, buddies the kernel would have merged, make one block.
 */
Test(snapshot, head_only_free_pages)
{
	uint64_t f[NR_PFNS];
	struct cmasim_snapshot *s;

	base_flags(f);
	for (int p = 2; p < NR_PFNS; p++)
		if (f[p] == BIT(BUDDY) && p != 2 && p != 4 && p != 12 && p != 14 && p != 16 &&
		    p != 32 && p != 40 && p != 47)
			f[p] = 0;
	s = read_with(f, NULL, NULL, NULL);
	cr_expect(s->buddy_head_only);
	cr_expect_eq(s->zones[0].free_blocks[1], 1);
	cr_expect_eq(s->zones[0].free_blocks[2], 2);
	cr_expect_eq(s->zones[1].free_blocks[0], 2);
	cr_expect_eq(s->zones[1].free_blocks[3], 2);
	cr_expect_eq(CMASIM_PFN_KIND(s->pfn[39]), CMASIM_PAGE_FREE);
	cmasim_snapshot_free(s);
}

/* kpageflags of a big-endian machine, read on any host. */
Test(snapshot, other_byte_order)
{
	uint64_t f[NR_PFNS];
	struct cmasim_snapshot *s;
	bool host_little = G_BYTE_ORDER == G_LITTLE_ENDIAN;

	base_flags(f);
	for (int p = 0; p < NR_PFNS; p++)
		f[p] = host_little ? GUINT64_TO_BE(f[p]) : GUINT64_TO_LE(f[p]);
	s = read_with(f, "capture.txt", "byte_order little", host_little ? "byte_order big"
									   : "byte_order little");
	cr_expect_eq(s->zones[1].free_blocks[3], 2);
	cr_expect_eq(CMASIM_PFN_KIND(s->pfn[30]), CMASIM_PAGE_SLAB);
	cmasim_snapshot_free(s);
}

/*
 * Normal manages 30 pages of 32 present with one reserved (46): the one
 * page over is memory the kernel never handed out, flagless at the top.
 */
Test(snapshot, unmanaged_top_of_zone)
{
	uint64_t f[NR_PFNS];
	struct cmasim_snapshot *s;

	base_flags(f);
	f[47] = 0;
	s = read_with(f, "zoneinfo", "managed  31", "managed  30");
	cr_expect_eq(s->zones[1].unmanaged_tail, 1);
	cr_expect_eq(CMASIM_PFN_KIND(s->pfn[47]), CMASIM_PAGE_RESERVED);
	cr_expect_eq(s->zones[1].free_blocks[0], 1);
	cmasim_snapshot_free(s);
}

/*
 * The kernel profile a capture gets: the newest not newer than its
 * release, but none with MIGRATE_RESERVE from 4.4 on, which removed it
 * (so 4.9, older than every other profile, gets the oldest without it).
 */
Test(snapshot, kernel_profile_of_the_release)
{
	static const struct {
		const char *release, *profile;
	} cases[] = {
		{ "3.4.0", "3.5" }, { "3.10.108", "3.5" }, { "4.9.253-tegra", "5.10" },
		{ "5.10.0", "5.10" }, { "6.5.0", "6.1" }, { "6.18.0", "6.10" },
	};
	uint64_t f[NR_PFNS];

	base_flags(f);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *from = g_strdup_printf("kernel %s", cases[i].release);
		g_autofree char *want = g_strdup_printf("\nkernel: \"%s\"\n", cases[i].profile);
		struct cmasim_snapshot *s = read_with(f, "capture.txt", "kernel 6.1.0-test", from);
		g_autoptr(GString) config = g_string_new(NULL);
		g_autoptr(GString) state = g_string_new(NULL);

		cmasim_snapshot_write(s, "m", "m.state", config, state);
		cr_expect(strstr(config->str, want), "%s: %s", cases[i].release, config->str);
		cmasim_snapshot_free(s);
	}
}

/*
 * Written out: the layout from the table (RAM from pfn 0, a max-order
 * boundary, to 48; DMA [0, 16), Normal [16, 48)); the pageblocks of
 * Normal typed to pagetypeinfo's 1 unmovable and 1 reclaimable, by the
 * pages of the kind less the free pages: block 28-31 scores 1 slab page,
 * the rest 0 or less, so it is reclaimable; then 40-43 and 44-47 score 2
 * pages that never move less 1 free page each, and the lower wins.
 */
Test(snapshot, written_machine)
{
	struct cmasim_snapshot *s = read_base();
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);

	cmasim_snapshot_write(s, "m", "m.state", config, state);
	cr_expect_str_eq(config->str,
			 "# Imported by cmasim import snapshot from \"t\"\n"
			 "# zoneinfo: DMA start_pfn 0x1 spanned 15 present 13 managed 12\n"
			 "# zoneinfo: Normal start_pfn 0x10 spanned 32 present 32 managed 31\n"
			 "name: \"m\"\n"
			 "description: \"snapshot of Linux 6.1.0-test (x86_64)\"\n"
			 "kernel: \"6.1\"\n"
			 "cpus: 2\n"
			 "memory:\n"
			 "  base: 0\n"
			 "  size: 192KiB\n"
			 "  page_size: 4KiB\n"
			 "  max_page_order: 3\n"
			 "  pageblock_order: 2\n"
			 "  min_free_kbytes: 16\n"
			 "  zones:\n"
			 "    - { type: DMA, size: 64KiB }\n"
			 "    - { type: Normal, size: 128KiB }\n"
			 "  holes:\n"
			 "    - { start: 0, size: 4KiB }\n"
			 "    - { start: 0xa000, size: 8KiB }\n"
			 "  reserved:\n"
			 "    - { start: 0x1000, size: 4KiB }\n"
			 "    - { start: 0x2e000, size: 4KiB }\n"
			 "initial: \"m.state\"\n");
	cr_expect_str_eq(state->str,
			 "cmasim-state 1\n"
			 "# imported from \"t\"\n"
			 "frames 0 48\n"
			 "pageblock 0x1c 1 reclaimable\n"
			 "pageblock 0x28 1 unmovable\n"
			 "alloc 0x8 0 1 anon\n"
			 "alloc 0x9 0 1 kernel\n"
			 "alloc 0x18 2 1 anon\n"
			 "alloc 0x1c 0 1 file\n"
			 "alloc 0x1d 0 1 file-active\n"
			 "alloc 0x1e 0 1 slab\n"
			 "alloc 0x1f 0 1 pagetable\n"
			 "alloc 0x29 0 1 anon\n"
			 "alloc 0x2a 0 4 kernel\n");
	cmasim_snapshot_free(s);
}

/*
 * Two CMA areas: the one dma_contiguous_reserve() names "reserved" is the
 * default one, shared; the other is some devices' own, which the capture
 * does not name. The machine written loads, with both where they were.
 */
Test(snapshot, written_cma_areas)
{
	uint64_t f[NR_PFNS];
	g_autoptr(GHashTable) files = NULL;
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	struct cmasim_snapshot *s;
	struct cmasim_config *cfg;
	char *initial;

	base_flags(f);
	files = files_with(f, NR_PFNS);
	edit(files, "capture.txt", "begin", "cma other 32 8 0\ncma reserved 16 4 1\nbegin");
	s = cmasim_snapshot_read_files("t", files, &error);
	cr_assert_not_null(s, "%s", error ? error->message : "");
	cmasim_snapshot_write(s, "m", "m.state", config, state);
	cr_expect(strstr(config->str,
			 "cma:\n"
			 "  - { name: \"other\", base: 0x20000, size: 32KiB, order_per_bit: 0, "
			 "devices: [] }\n"
			 "  - { name: \"reserved\", base: 0x10000, size: 16KiB, "
			 "order_per_bit: 1 }\n"),
		  "%s", config->str);
	/* loaded without its initial state, which only boot reads */
	initial = strstr(config->str, "initial: ");
	cr_assert_not_null(initial);
	g_string_truncate(config, (gsize)(initial - config->str));
	cfg = cmasim_config_load_data("m.yaml", config->str, config->len, &error);
	cr_assert_not_null(cfg, "%s", error ? error->message : "");
	cr_expect_eq(cfg->nr_cma, 2);
	cr_expect_eq(cfg->cma[0].base, 0x20000);
	cr_expect_not(cfg->cma[0].shared);
	cr_expect_eq(cfg->cma[1].base, 0x10000);
	cr_expect(cfg->cma[1].shared);
	cmasim_config_free(cfg);
	cmasim_snapshot_free(s);
}

/* Booted into, the machine shows the capture's own free blocks, as buddyinfo prints them. */
Test(snapshot, booted_machine)
{
	g_autofree char *dir = scratch_new("cmasim-snapshot-XXXXXX");
	g_autofree char *cfg_path = g_build_filename(dir, "m.yaml", NULL);
	g_autofree char *state_path = g_build_filename(dir, "m.state", NULL);
	struct cmasim_snapshot *s = read_base();
	g_autoptr(GString) config = g_string_new(NULL);
	g_autoptr(GString) state = g_string_new(NULL);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	struct cmasim_config *cfg;
	struct cmasim_mem *mem;
	struct cmasim_state *st;
	uint64_t all;

	cmasim_snapshot_write(s, "m", "m.state", config, state);
	cr_assert(g_file_set_contents(cfg_path, config->str, -1, NULL));
	cr_assert(g_file_set_contents(state_path, state->str, -1, NULL));
	cfg = cmasim_config_load_file(cfg_path, &error);
	cr_assert_not_null(cfg, "%s", error ? error->message : "");
	mem = cmasim_mem_new(cfg);
	st = cmasim_state_load(mem, &error);
	cr_assert_not_null(st, "%s", error ? error->message : "");
	cmasim_dump_buddyinfo(mem, out);
	cr_expect_str_eq(out->str, BUDDYINFO);
	cr_expect(cmasim_mem_check_invariants(mem, NULL));
	/* 8 anon + 9 kernel + 4 THP + 28-31 + 41 + 42-45: 15 pages */
	cr_expect_eq(cmasim_state_pages(st), 15);
	/* Normal's 4-page ranges: 16, 20, 32, 36 free; 24 anon; the rest hold slab or kernel */
	cr_expect_eq(cmasim_mem_clearable_ranges(mem, 1, 2, &all), 5);
	cr_expect_eq(all, 8);
	cmasim_state_free(st);
	cmasim_mem_free(mem);
	cmasim_config_free(cfg);
	cmasim_snapshot_free(s);
	scratch_remove_path(dir);
}

/* One bad capture: a change to the base, and the message it must give. */
struct bad_case {
	const char *name;
	const char *file;	/* the file changed, or "kpageflags" */
	const char *from, *to;	/* for text files */
	int pfn;		/* for kpageflags: the word changed, and to what */
	uint64_t flags;
	size_t nr_pfns;		/* kpageflags' length, in words (NR_PFNS unless shorter) */
	size_t cut;		/* bytes cut off the end of kpageflags */
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ "capture format", "capture.txt", "cmasim-snapshot 1", "cmasim-snapshot 2", .message =
	  "t/capture.txt:1:8: unknown format (expected \"cmasim-snapshot 1\")" },
	{ "page size", "capture.txt", "page_size 4096", "page_size 12288", .message =
	  "t/capture.txt:4:11: page size \"12288\" (expected a power of two from 4096 to 65536)" },
	{ "unknown key", "capture.txt", "begin 100.0", "bgein 100.0", .message =
	  "t/capture.txt:6:1: unknown key \"bgein\"" },
	/*
	 * the same addresses taken as 16 KiB pages: iomem's RAM is pfns 1 and
	 * 3-11, and pfn 2 is free in kpageflags
	 */
	{ "another page size", "capture.txt", "page_size 4096", "page_size 16384", .message =
	  "t/kpageflags.gz: byte 16: pfn 0x2 is free, but iomem has no RAM there (expected a "
	  "capture of one moment of one machine)" },
	{ "two nodes", "zoneinfo", "Node 0, zone   Normal", "Node 1, zone   Normal", .message =
	  "t/zoneinfo:19:6: node 1 (expected one node, 0: cmasim models one)" },
	{ "present", "zoneinfo", "present  32", "present  31", .message =
	  "t/zoneinfo:19:1: zone Normal: 31 pages present, but iomem and kpageflags give 32 pages "
	  "of RAM in its span (expected a capture of one machine, in its page size)" },
	{ "managed", "zoneinfo", "managed  31", "managed  29", .message =
	  "t/zoneinfo:19:1: zone Normal: 29 pages managed, but kpageflags shows 31 present pages "
	  "not reserved, and pfn 0x2f is free (expected 2 unmanaged pages without flags at the "
	  "top of the zone)" },
	{ "zoneinfo number", "zoneinfo", "spanned  15", "spanned  1x5", .message =
	  "t/zoneinfo:8:18: the value \"1x5\" is not a number" },
	{ "buddyinfo orders", "buddyinfo", "Normal      2      0      0      2 ",
	  "Normal      2      0      0 ", .message =
	  "t/buddyinfo:2:44: 3 orders (expected 4, as on the first line)" },
	{ "buddyinfo zone", "buddyinfo", "zone   Normal", "zone  HighMem", .message =
	  "t/buddyinfo:2:15: zone HighMem is not a populated zone of zoneinfo" },
	{ "migratetype", "pagetypeinfo", "Reclaimable   HighAtomic", "Reclaimable   Bogus", .message =
	  "t/pagetypeinfo:10:65: unknown migratetype \"Bogus\"" },
	{ "pageblock order", "pagetypeinfo", "Page block order: 2", "Page block order: 4", .message =
	  "t/pagetypeinfo:1:1: pageblock order 4 is above the largest order 3 of buddyinfo" },
	{ "CMA without an area", "pagetypeinfo",
	  "     Isolate \nNode 0, zone      DMA            0            4            0            0"
	  "            0 \nNode 0, zone   Normal            1            6            1            0"
	  "            0 ",
	  "         CMA \nNode 0, zone      DMA            0            4            0            0"
	  "            0 \nNode 0, zone   Normal            1            6            1            0"
	  "            1 ", .message =
	  "t/capture.txt: lists no CMA area, but pagetypeinfo has CMA pageblocks in zone Normal "
	  "(expected cma lines: capture with debugfs at /sys/kernel/debug)" },
	/* CMA areas the kernel could not have made, on line 6 of capture.txt */
	{ "CMA area of part of a pageblock", "capture.txt", "begin", "cma a 16 6 0\nbegin",
	  .message = "t/capture.txt:6:1: CMA area \"a\": 6 pages at pfn 0x10 (expected whole "
	  "pageblocks of 4 pages)" },
	{ "CMA area across zones", "capture.txt", "begin", "cma a 12 8 0\nbegin", .message =
	  "t/capture.txt:6:1: CMA area \"a\": pfns 0xc-0x13 are not inside one zone" },
	{ "CMA area over a hole", "capture.txt", "begin", "cma a 8 4 0\nbegin", .message =
	  "t/capture.txt:6:1: CMA area \"a\": pfn 0xa is in a hole (expected RAM the buddy "
	  "allocator was given)" },
	/* pfn 46 is KPF_OFFLINE: reserved */
	{ "CMA area over a reserved page", "capture.txt", "begin", "cma a 44 4 0\nbegin",
	  .message = "t/capture.txt:6:1: CMA area \"a\": pfn 0x2e is reserved (expected RAM the "
	  "buddy allocator was given)" },
	{ "CMA areas overlapping", "capture.txt", "begin", "cma a 16 8 0\ncma b 20 4 0\nbegin",
	  .message = "t/capture.txt:7:1: CMA area \"b\": overlaps area \"a\"" },
	{ "CMA area named twice", "capture.txt", "begin", "cma a 16 4 0\ncma a 32 4 0\nbegin",
	  .message = "t/capture.txt:7:1: CMA area \"a\": named again (first on line 6)" },
	{ "CMA bits above a pageblock", "capture.txt", "begin", "cma a 16 4 3\nbegin", .message =
	  "t/capture.txt:6:1: CMA area \"a\": order_per_bit 3 (expected at most the pageblock "
	  "order, 2)" },
	{ "iomem not root", "iomem", IOMEM, "00000000-00000000 : Reserved\n"
	  "00000000-00000000 : System RAM\n", .message =
	  "t/iomem: every address is 0 (expected a capture made as root: iomem hides addresses from "
	  "other users)" },
	{ "iomem range", "iomem", "0000c000-0002ffff", "0000c000+0002ffff", .message =
	  "t/iomem:4:1: \"0000c000+0002ffff\" is not a range (expected START-END in hex)" },
	{ "free page in a hole", "kpageflags", .pfn = 10, .flags = BIT(BUDDY), .message =
	  "t/kpageflags.gz: byte 80: pfn 0xa is free, but iomem has no RAM there (expected a "
	  "capture of one moment of one machine)" },
	{ "no page", "kpageflags", .pfn = 30, .flags = BIT(NOPAGE), .message =
	  "t/zoneinfo:19:1: zone Normal: 32 pages present, but iomem and kpageflags give 31 pages "
	  "of RAM in its span (expected a capture of one machine, in its page size)" },
	{ "cut in a word", "kpageflags", .pfn = -1, .cut = 3, .message =
	  "t/kpageflags.gz: byte 376: the file ends inside a word (expected whole 8-byte words)" },
	{ "short", "kpageflags", .pfn = -1, .nr_pfns = 40, .message =
	  "t/kpageflags.gz: byte 320: the file ends, but the capture read 384 bytes (expected the "
	  "whole file)" },
};

Test(snapshot, bad_captures)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		uint64_t f[NR_PFNS];
		g_autoptr(GHashTable) files = NULL;
		g_autoptr(GError) error = NULL;
		struct cmasim_snapshot *s;
		size_t nr = c->nr_pfns ? c->nr_pfns : NR_PFNS;

		base_flags(f);
		if (c->file && !strcmp(c->file, "kpageflags") && c->pfn >= 0)
			f[c->pfn] = c->flags;
		files = files_with(f, nr);
		if (c->cut)
			g_hash_table_insert(files, g_strdup("kpageflags"),
					    g_bytes_new(f, nr * sizeof(*f) - c->cut));
		if (c->from)
			edit(files, c->file, c->from, c->to);
		s = cmasim_snapshot_read_files("t", files, &error);
		cr_expect_null(s, "%s: read", c->name);
		cmasim_snapshot_free(s);
		cr_assert_not_null(error, "%s: no error", c->name);
		cr_expect_eq(error->domain, CMASIM_ERROR);
		cr_expect_str_eq(error->message, c->message, "%s", c->name);
	}
}

/* A NUL in an area's name would cut the name the machine config gives it: refused at its column. */
Test(snapshot, cma_name_with_a_nul)
{
	static const char line[] = "cma a\0b 16 4 0\n";
	uint64_t f[NR_PFNS];
	g_autoptr(GHashTable) files = NULL;
	g_autoptr(GError) error = NULL;
	GString *capture = g_string_new(CAPTURE);
	struct cmasim_snapshot *s;

	base_flags(f);
	files = files_with(f, NR_PFNS);
	g_string_append_len(capture, line, sizeof(line) - 1);
	g_hash_table_insert(files, g_strdup("capture.txt"), g_string_free_to_bytes(capture));
	s = cmasim_snapshot_read_files("t", files, &error);
	cr_expect_null(s);
	cmasim_snapshot_free(s);
	cr_assert_not_null(error);
	cr_expect_str_eq(error->message, "t/capture.txt:11:5: a CMA area's name with a NUL byte "
			 "(expected the name debugfs shows)");
}

Test(snapshot, missing_file)
{
	uint64_t f[NR_PFNS];
	g_autoptr(GHashTable) files = NULL;
	g_autoptr(GError) error = NULL;

	base_flags(f);
	files = files_with(f, NR_PFNS);
	g_hash_table_remove(files, "iomem");
	cr_expect_null(cmasim_snapshot_read_files("t", files, &error));
	cr_assert_not_null(error);
	cr_expect_eq(error->code, CMASIM_ERROR_IO);
	cr_expect_str_eq(error->message, "t/iomem: missing (expected a folder "
			 "scripts/capture-snapshot wrote)");
}

/* A gzipped kpageflags reads as the raw one; a damaged one is an error, not a crash. */
Test(snapshot, gzipped_kpageflags)
{
	uint64_t f[NR_PFNS];
	g_autoptr(GHashTable) files = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
	char gz[4096];
	gsize read, written;
	struct cmasim_snapshot *s;

	base_flags(f);
	cr_assert_eq(g_converter_convert(G_CONVERTER(z), f, sizeof(f), gz, sizeof(gz),
					 G_CONVERTER_INPUT_AT_END, &read, &written, NULL),
		     G_CONVERTER_FINISHED);
	files = files_with(f, NR_PFNS);
	g_hash_table_insert(files, g_strdup("kpageflags"), g_bytes_new(gz, written));
	s = cmasim_snapshot_read_files("t", files, &error);
	cr_assert_not_null(s, "%s", error ? error->message : "");
	cr_expect_eq(s->zones[1].free_blocks[3], 2);
	cmasim_snapshot_free(s);
	gz[written / 2] ^= 0x55;
	g_hash_table_insert(files, g_strdup("kpageflags"), g_bytes_new(gz, written));
	cr_expect_null(cmasim_snapshot_read_files("t", files, &error));
	cr_assert_not_null(error);
	cr_expect(g_str_has_prefix(error->message, "t/kpageflags.gz: byte "), "%s", error->message);
}
