// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/buddyinfo and /proc/pagetypeinfo dumps of hand-built states,
 * compared byte for byte with text written out from mm/vmstat.c's formats:
 *   buddyinfo:   "Node 0, zone %8s " + "%6lu " per order + "\n"
 *   pagetypeinfo: "Node %4d, zone %8s, type %12s " + "%6lu " per order,
 *                 "Node %d, zone %8s " + "%12lu " per migratetype.
 */
#include "fixture.h"

TestSuite(report, .fini = machine_teardown);


/* Compares @got with @want and shows both, with the first difference, on failure. */
static void expect_text(const char *got, const char *want)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	cr_assert(got[i] == want[i],
		  "text differs at byte %zu (got 0x%02x, want 0x%02x)\n--- got:\n%s\n--- want:\n%s",
		  i, (unsigned char)got[i], (unsigned char)want[i], got, want);
}

/*
 * DMA [0, 16), Normal [16, 48), HighMem [48, 64); pageblocks of 4 pages,
 * blocks up to order 3.
 */
static const char CFG_R[] =
	"memory:\n"
	"  size: 256KiB\n"
	"  max_page_order: 3\n"
	"  pageblock_order: 2\n"
	"  min_free_kbytes: 4\n"
	"  lowmem: 192KiB\n"
	"  dma_zone: 64KiB\n";

/*
 * Builds the state the dumps below describe. Boot: DMA M3: 0,8; Normal
 * M3: 16,24,32,40; HighMem M3: 48,56. Watermarks: pages_min 1, lowmem 48
 * pages: DMA and Normal tmp = 0 (min = low = high = 0); HighMem min 32.
 */
static void build_state(void)
{
	uint64_t movable = 99;

	boot(CFG_R);
	ZONE(0, "M3:0,8");
	ZONE(1, "M3:16,24,32,40");
	ZONE(2, "M3:48,56");

	/* A CMA pageblock at 44: [40, 44) to M2, [44, 48) allocated, re-typed, freed:
	 * no merge with the MOVABLE buddy 40 at pageblock order. */
	AT(44, 2, T_M);
	cmasim_set_pageblock_migratetype(mem, 44, T_C);
	cmasim_free_pages(mem, 44);
	ZONE(1, "M2:40 M3:16,24,32 C2:44");

	/* 33 in [32, 40): [36, 40) to M2, [34, 36) to M1, 32 to M0; then isolate 32's block. */
	AT(33, 0, T_M);
	ZONE(1, "M0:32 M1:34 M2:36,40 M3:16,24 C2:44");
	cmasim_set_pageblock_migratetype(mem, 32, T_I);
	cr_assert_eq(cmasim_move_freepages_block(mem, 32, T_I, &movable), 3);
	cr_assert_eq(movable, 1);
	ZONE(1, "M2:36,40 M3:16,24 C2:44 I0:32 I1:34");

	/* DMA: UNMOVABLE steals order-3 block 0 (pageblocks 0, 4 -> U). */
	cr_assert_eq(ALLOC_Z(0, T_U, CMASIM_ZONE_DMA), 0);
	/* RECLAIMABLE: U3 empty, M3's 8 (pageblocks 8, 12 -> R). */
	cr_assert_eq(ALLOC_Z(1, T_R, CMASIM_ZONE_DMA), 8);
	ZONE(0, "U0:1 U1:2 U2:4 R1:10 R2:12");
	/* A MOVABLE page in R's block 12: [14, 16) to R1, 12 to R0. */
	AT(13, 0, T_M);
	ZONE(0, "U0:1 U1:2 U2:4 R0:12 R1:14,10");

	/* Normal: CMA 4 > 28 / 2 is false; M2's 36 splits. */
	cr_assert_eq(ALLOC_Z(0, T_M, CMASIM_ZONE_NORMAL), 36);
	/* UNMOVABLE order 2 steals M3's 16 (pageblocks 16, 20 -> U). */
	cr_assert_eq(ALLOC_Z(2, T_U, CMASIM_ZONE_NORMAL), 16);
	ZONE(1, "M0:37 M1:38 M2:40 M3:24 U2:20 C2:44 I0:32 I1:34");
	/* HighMem: a whole order-3 block. */
	AT(56, 3, T_M);
	/* An UNMOVABLE page in MOVABLE block 24, a MOVABLE one in CMA block 44. */
	AT(25, 0, T_U);
	AT(45, 0, T_M);

	ZONE(0, "U0:1 U1:2 U2:4 R0:12 R1:14,10");
	ZONE(1, "M0:24,37 M1:26,38 M2:28,40 U2:20 C0:44 C1:46 I0:32 I1:34");
	ZONE(2, "M3:48");
}

Test(report, names)
{
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA), "DMA");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_DMA32), "DMA32");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_NORMAL), "Normal");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_HIGHMEM), "HighMem");
	cr_assert_str_eq(cmasim_zone_type_name(CMASIM_ZONE_MOVABLE), "Movable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_UNMOVABLE), "Unmovable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_MOVABLE), "Movable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_RECLAIMABLE), "Reclaimable");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_HIGHATOMIC), "HighAtomic");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_CMA), "CMA");
	cr_assert_str_eq(cmasim_migratetype_name(CMASIM_MT_ISOLATE), "Isolate");
}

Test(report, buddyinfo_boot)
{
	g_autoptr(GString) out = g_string_new(NULL);

	boot(CFG_R);
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str,
		    "Node 0, zone      DMA      0      0      0      2 \n"
		    "Node 0, zone   Normal      0      0      0      4 \n"
		    "Node 0, zone  HighMem      0      0      0      2 \n");
}

Test(report, buddyinfo_hole_nonzero_base)
{
	g_autoptr(GString) out = g_string_new("keep:");

	/* Normal [256, 280) less the hole [264, 268): 256 (o3), 268 (o2), 272 (o3). */
	boot("memory:\n"
	     "  base: 0x100000\n"
	     "  size: 192KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 2\n"
	     "  min_free_kbytes: 4\n"
	     "  lowmem: 96KiB\n"
	     "  holes:\n"
	     "    - { start: 0x108000, size: 16KiB }\n");
	/* The dump appends. */
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str,
		    "keep:"
		    "Node 0, zone   Normal      0      0      1      2 \n"
		    "Node 0, zone  HighMem      0      0      0      3 \n");
}

Test(report, buddyinfo_state)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_buddyinfo(mem, out);
	/*
	 * DMA: o0 U0 + R0 = 2, o1 U1 + 2 R1 = 3, o2 U2 = 1.
	 * Normal (isolated blocks included): o0 2 M0 + C0 + I0 = 4,
	 * o1 2 M1 + C1 + I1 = 4, o2 2 M2 + U2 = 3.
	 */
	expect_text(out->str,
		    "Node 0, zone      DMA      2      3      1      0 \n"
		    "Node 0, zone   Normal      4      4      3      0 \n"
		    "Node 0, zone  HighMem      0      0      0      1 \n");
}

#define PTI_HEAD                                                                        \
	"Page block order: 2\n"                                                         \
	"Pages per block:  4\n"                                                         \
	"\n"                                                                            \
	"Free pages count per migrate type at order       0      1      2      3 \n"

#define PTI_FREE                                                                        \
	"Node    0, zone      DMA, type    Unmovable      1      1      1      0 \n"     \
	"Node    0, zone      DMA, type      Movable      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type  Reclaimable      1      2      0      0 \n"     \
	"Node    0, zone      DMA, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type          CMA      0      0      0      0 \n"     \
	"Node    0, zone      DMA, type      Isolate      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type    Unmovable      0      0      1      0 \n"     \
	"Node    0, zone   Normal, type      Movable      2      2      2      0 \n"     \
	"Node    0, zone   Normal, type  Reclaimable      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone   Normal, type          CMA      1      1      0      0 \n"     \
	"Node    0, zone   Normal, type      Isolate      1      1      0      0 \n"     \
	"Node    0, zone  HighMem, type    Unmovable      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type      Movable      0      0      0      1 \n"     \
	"Node    0, zone  HighMem, type  Reclaimable      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type   HighAtomic      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type          CMA      0      0      0      0 \n"     \
	"Node    0, zone  HighMem, type      Isolate      0      0      0      0 \n"

/*
 * Pageblock types: DMA 0, 4 U; 8, 12 R. Normal 16, 20 U; 24, 28, 36, 40 M;
 * 32 Isolate; 44 CMA. HighMem 48..60 M.
 */
#define PTI_BLOCKS                                                                      \
	"\n"                                                                            \
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic "   \
	"         CMA      Isolate \n"                                                  \
	"Node 0, zone      DMA            2            0            2            0 "     \
	"           0            0 \n"                                                  \
	"Node 0, zone   Normal            2            4            0            0 "     \
	"           1            1 \n"                                                  \
	"Node 0, zone  HighMem            0            4            0            0 "     \
	"           0            0 \n"

Test(report, pagetypeinfo_state)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_pagetypeinfo(mem, false, out);
	expect_text(out->str, PTI_HEAD PTI_FREE PTI_BLOCKS);
}

Test(report, pagetypeinfo_state_page_owner)
{
	g_autoptr(GString) out = g_string_new(NULL);

	build_state();
	cmasim_dump_pagetypeinfo(mem, true, out);
	/*
	 * Mixed: DMA block 12 (R) holds MOVABLE 13. Normal: block 24 (M) holds
	 * UNMOVABLE 25, CMA block 44 holds MOVABLE 45 (counted under Movable),
	 * isolated block 32 holds MOVABLE 33. HighMem: only MOVABLE in MOVABLE.
	 */
	expect_text(out->str,
		    PTI_HEAD PTI_FREE PTI_BLOCKS
		    "\n"
		    "Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic "
		    "         CMA      Isolate \n"
		    "Node 0, zone      DMA            0            0            1            0 "
		    "           0            0 \n"
		    "Node 0, zone   Normal            0            2            0            0 "
		    "           0            1 \n"
		    "Node 0, zone  HighMem            0            0            0            0 "
		    "           0            0 \n");
}

Test(report, unpopulated_zone_skipped)
{
	g_autoptr(GString) out = g_string_new(NULL);

	/* HighMem [48, 64) is all hole: present 0, so no line for it. */
	boot("memory:\n"
	     "  size: 256KiB\n"
	     "  max_page_order: 3\n"
	     "  pageblock_order: 2\n"
	     "  min_free_kbytes: 4\n"
	     "  lowmem: 192KiB\n"
	     "  holes:\n"
	     "    - { start: 0x30000, size: 64KiB }\n");
	cmasim_dump_buddyinfo(mem, out);
	expect_text(out->str, "Node 0, zone   Normal      0      0      0      6 \n");
	g_string_truncate(out, 0);
	cmasim_dump_pagetypeinfo(mem, true, out);
	expect_text(out->str,
		    PTI_HEAD
		    "Node    0, zone   Normal, type    Unmovable      0      0      0      0 \n"
		    "Node    0, zone   Normal, type      Movable      0      0      0      6 \n"
		    "Node    0, zone   Normal, type  Reclaimable      0      0      0      0 \n"
		    "Node    0, zone   Normal, type   HighAtomic      0      0      0      0 \n"
		    "Node    0, zone   Normal, type          CMA      0      0      0      0 \n"
		    "Node    0, zone   Normal, type      Isolate      0      0      0      0 \n"
		    "\n"
		    "Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic "
		    "         CMA      Isolate \n"
		    "Node 0, zone   Normal            0           12            0            0 "
		    "           0            0 \n"
		    "\n"
		    "Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic "
		    "         CMA      Isolate \n"
		    "Node 0, zone   Normal            0            0            0            0 "
		    "           0            0 \n");
}
