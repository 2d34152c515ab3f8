// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine under a replay: CPU accesses through the MMU and the cache,
 * DMA transfers around a non-snooping cache, and what the coherence model
 * counts, with a test policy whose buffers are mapped as each case needs.
 *
 * The machine: 16 MiB of lowmem in 1 MiB sections, an 8 KiB 2-way PIPT
 * cache of 64-byte lines, one non-coherent device. The policy takes an
 * order-4 block (64 KiB, 1024 lines) or one page, from the buddy allocator.
 */
#include "helpers.h"

/* What the test policy does with its buffers. */
enum {
	P_UNMAP_LINEAR,	/* take the frames out of the linear map */
	P_CACHEABLE,	/* the CPU uses the cacheable linear address, no remap */
	P_SYNC,		/* clean before and invalidate after transfers */
	P_ORDER,
	P_UNCACHED_TOO,	/* with cacheable: an uncached mapping of the frames exists too */
};

static const struct cmasim_param test_params[] = {
	[P_UNMAP_LINEAR] = { "unmap_linear", CMASIM_PARAM_BOOL, "false", "" },
	[P_CACHEABLE] = { "cacheable", CMASIM_PARAM_BOOL, "false", "" },
	[P_SYNC] = { "sync", CMASIM_PARAM_BOOL, "false", "" },
	[P_ORDER] = { "order", CMASIM_PARAM_UINT, "4", "" },
	[P_UNCACHED_TOO] = { "uncached_too", CMASIM_PARAM_BOOL, "false", "" },
	{ NULL },
};

struct test_policy {
	bool unmap_linear, cacheable, sync, uncached_too;
	unsigned int order;
	struct cmasim_dma_buffer other;	/* the uncached mapping beside a cacheable one */
};

static int t_init(struct cmasim_sim *sim, const struct cmasim_param_values *params, void **priv,
		  GError **error)
{
	struct test_policy *p = g_new0(struct test_policy, 1);

	(void)sim;
	(void)error;
	p->unmap_linear = params->value[P_UNMAP_LINEAR];
	p->cacheable = params->value[P_CACHEABLE];
	p->sync = params->value[P_SYNC];
	p->order = (unsigned int)params->value[P_ORDER];
	p->uncached_too = params->value[P_UNCACHED_TOO];
	*priv = p;
	return 0;
}

static enum cmasim_dma_status t_alloc(struct cmasim_sim *sim, void *priv,
				      const struct cmasim_dma_request *req,
				      struct cmasim_dma_buffer *buf)
{
	struct test_policy *p = priv;
	uint64_t pfn;

	(void)req;
	if (cmasim_alloc_pages(cmasim_sim_mem(sim), p->order, CMASIM_MT_UNMOVABLE,
			       CMASIM_ZONE_NORMAL, &pfn))
		return CMASIM_DMA_NO_MEMORY;
	buf->pfn = pfn;
	buf->nr_pages = UINT64_C(1) << p->order;
	if (p->cacheable) {
		if (p->uncached_too) {
			p->other = *buf;
			cr_assert_eq(cmasim_sim_remap(sim, &p->other, CMASIM_ATTR_UNCACHED), 0);
		}
		cmasim_sim_use_linear(sim, buf);
		return CMASIM_DMA_OK;
	}
	cmasim_sim_zero(sim, buf, CMASIM_ZERO_LINEAR);
	if (p->unmap_linear)
		cr_assert_eq(cmasim_sim_linear_attr(sim, pfn, buf->nr_pages, CMASIM_ATTR_NONE), 0);
	cr_assert_eq(cmasim_sim_remap(sim, buf, CMASIM_ATTR_UNCACHED), 0);
	return CMASIM_DMA_OK;
}

static void t_free(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf)
{
	struct test_policy *p = priv;

	cmasim_sim_unmap(sim, buf);
	if (p->uncached_too)
		cmasim_sim_unmap(sim, &p->other);
	if (p->unmap_linear)
		cmasim_sim_linear_attr(sim, buf->pfn, buf->nr_pages, CMASIM_ATTR_CACHEABLE);
	cmasim_free_pages(cmasim_sim_mem(sim), buf->pfn);
}

static void t_for_device(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf,
			 enum cmasim_dma_dir dir, uint64_t bytes)
{
	struct test_policy *p = priv;

	if (p->sync)
		cmasim_sim_cache_maint(sim, buf, dir == CMASIM_DMA_TO_DEVICE ? CMASIM_MAINT_CLEAN
						 : CMASIM_MAINT_FLUSH, bytes);
}

static void t_for_cpu(struct cmasim_sim *sim, void *priv, struct cmasim_dma_buffer *buf,
		      enum cmasim_dma_dir dir, uint64_t bytes)
{
	struct test_policy *p = priv;

	if (p->sync && dir != CMASIM_DMA_TO_DEVICE)
		cmasim_sim_cache_maint(sim, buf, CMASIM_MAINT_INVALIDATE, bytes);
}

static const struct cmasim_policy_ops test_ops = {
	.name = "test",
	.summary = "maps buffers as the test says",
	.params = test_params,
	.init = t_init,
	.dma_alloc = t_alloc,
	.dma_free = t_free,
	.sync_for_device = t_for_device,
	.sync_for_cpu = t_for_cpu,
};

#define MACHINE(prefetch) \
	"memory: { size: 16MiB, pageblock_order: 4 }\n" \
	"devices: [ { name: dev, dma_bits: 32 } ]\n" \
	"cache: { size: 8KiB, ways: 2, line: 64, indexing: pipt, " prefetch " }\n" \
	"mmu: { section_size: 1MiB, tlb_page_entries: 32, tlb_section_entries: 32 }\n"

/* Replays @workload on @machine under the test policy with @set (seed 3); it must succeed. */
static struct cmasim_results *replay(const char *machine, const char *workload,
				     const char *const *set)
{
	struct cmasim_run_options opts = { .policy = &test_ops, .set = set, .seed = 3 };
	GError *error = NULL;
	struct cmasim_results *r = try_replay(machine, workload, &opts, NULL, &error);

	cr_assert_not_null(r, "%s", error ? error->message : "");
	return r;
}

/*
 * The kernel walks all of lowmem once, line by line (16 MiB: 262144
 * lines), while a 64 KiB buffer is mapped uncached. The walk is the
 * kernel's own work: it passes over the buffer's 1024 lines, so it reads
 * 262144 - 1024 and nothing aliases on demand, and it never faults: with
 * the frames out of the linear map it passes over them untranslated.
 */
static const char walk[] =
	"name: walk\nevents:\n"
	"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, id: b }\n"
	"  - { t: 1ms, op: cpu, region: lowmem, access: read, bytes: 16MiB }\n"
	"  - { t: 2ms, op: dma_free, id: b }\n";

Test(machine, region_walks_pass_over_buffers)
{
	struct cmasim_results *r = replay(MACHINE("prefetcher: none"), walk, NULL);

	cr_expect_eq(r->cpu_accesses, 262144 - 1024);
	cr_expect_eq(r->alias_demand, 0);
	cr_expect_eq(r->alias_speculative, 0);
	cr_expect_eq(r->cpu_faults, 0);
	/* 16 sections, one TLB miss each: the TLB holds 32 */
	cr_expect_eq(r->tlb_misses, 16);
	cmasim_results_free(r);

	const char *unmap[] = { "unmap_linear=true", NULL };

	r = replay(MACHINE("prefetcher: none"), walk, unmap);
	cr_expect_eq(r->alias_demand, 0);
	cr_expect_eq(r->cpu_faults, 0);
	cr_expect_eq(r->cpu_accesses, 262144 - 1024);
	/*
	 * The buffer's 16 pages split section 0 or wherever it sits into page
	 * entries: the walk enters 15 sections (15 misses) and the split
	 * section's 256 - 16 mapped pages one by one (240 misses); the 16
	 * unmapped ones it passes over without a walk.
	 */
	cr_expect_eq(r->tlb_misses, 15 + 240);
	cr_expect_eq(r->sections_split, 1);
	cr_expect_eq(r->pagetable_pages_peak, 1);
	cmasim_results_free(r);
}

/*
 * A buffer the CPU reads through its cacheable linear address while an
 * uncached mapping of it exists: each of its 1024 lines is filled on
 * demand through the cacheable one, 1024 alias events, and the walk of
 * 64 KiB is 1024 cacheable accesses.
 */
Test(machine, cacheable_reads_beside_an_uncached_mapping_alias)
{
	static const char read_buffer[] =
		"name: read\nevents:\n"
		"  - { t: 0, op: dma_alloc, device: dev, size: 64KiB, id: b }\n"
		"  - { t: 1ms, op: cpu, buffer: b, access: read, bytes: 64KiB }\n"
		"  - { t: 2ms, op: dma_free, id: b }\n";
	const char *both[] = { "cacheable=true", "uncached_too=true", NULL };
	const char *alone[] = { "cacheable=true", NULL };
	struct cmasim_results *r = replay(MACHINE("prefetcher: none"), read_buffer, both);

	cr_expect_eq(r->cpu_accesses, 1024);
	cr_expect_eq(r->alias_demand, 1024);
	cr_expect_eq(r->cpu_faults, 0);
	cmasim_results_free(r);

	r = replay(MACHINE("prefetcher: none"), read_buffer, alone);
	cr_expect_eq(r->cpu_accesses, 1024);
	cr_expect_eq(r->alias_demand, 0);
	cmasim_results_free(r);
}

/*
 * With a speculating core (a fill at every demand access, within 4 KiB),
 * the walk also pulls lines of the alias in speculatively; with the frames
 * out of the linear map no cacheable mapping of them exists, so none.
 */
Test(machine, speculation_fills_only_through_cacheable_mappings)
{
#define SPEC "prefetcher: speculative, speculation_rate: 1, speculation_window: 4KiB"
	struct cmasim_results *r = replay(MACHINE(SPEC), walk, NULL);

	cr_expect_gt(r->alias_speculative, 0);
	cr_expect_gt(r->cache_speculative_fills, r->alias_speculative);
	cmasim_results_free(r);

	const char *unmap[] = { "unmap_linear=true", NULL };

	r = replay(MACHINE(SPEC), walk, unmap);
	cr_expect_eq(r->alias_speculative, 0);
	cr_expect_eq(r->alias_demand, 0);
	cr_expect_gt(r->cache_speculative_fills, 0, "speculation went on elsewhere");
	cmasim_results_free(r);
}

/*
 * A cacheable one-page buffer (64 lines; the cache holds 128): the CPU
 * reads it (64 fills), the device writes it, the CPU reads it again. With
 * no maintenance, all 64 lines hit stale copies. Invalidating after the
 * transfer (dma_sync_single_for_cpu) drops them: the second read misses
 * and refills fresh data, and nothing is stale.
 */
static const char stale[] =
	"name: stale\nevents:\n"
	"  - { t: 0, op: dma_alloc, device: dev, size: 4KiB, id: b }\n"
	"  - { t: 1ms, op: cpu, buffer: b, access: read, bytes: 4KiB }\n"
	"  - { t: 2ms, op: dma, device: dev, buffer: b, direction: from_device, bytes: 4KiB }\n"
	"  - { t: 3ms, op: cpu, buffer: b, access: read, bytes: 4KiB }\n"
	"  - { t: 4ms, op: dma_free, id: b }\n";

Test(machine, stale_reads_without_maintenance)
{
	const char *nosync[] = { "cacheable=true", "order=0", NULL };
	const char *sync[] = { "cacheable=true", "order=0", "sync=true", NULL };
	struct cmasim_results *r = replay(MACHINE("prefetcher: none"), stale, nosync);

	cr_expect_eq(r->stale_cpu_reads, 64);
	cr_expect_eq(r->cache_read_misses, 64);
	cr_expect_eq(r->alias_demand, 0, "nothing maps it uncached");
	cmasim_results_free(r);

	r = replay(MACHINE("prefetcher: none"), stale, sync);
	cr_expect_eq(r->stale_cpu_reads, 0);
	cr_expect_eq(r->cache_read_misses, 128);
	/* flush before (64 lines) and invalidate after (64): 128 line operations */
	cr_expect_eq(r->cache_maintenance_lines, 128);
	cmasim_results_free(r);
}

/*
 * The CPU dirties the buffer, the device writes it, and a later flush
 * writes the dirty lines back over the device's data: 64 clobbered lines,
 * and a device reading before the flush reads 64 stale lines. Cleaning
 * before each transfer prevents both.
 */
static const char clobber[] =
	"name: clobber\nevents:\n"
	"  - { t: 0, op: dma_alloc, device: dev, size: 4KiB, id: b }\n"
	"  - { t: 1ms, op: cpu, buffer: b, access: write, bytes: 4KiB }\n"
	"  - { t: 2ms, op: dma, device: dev, buffer: b, direction: to_device, bytes: 4KiB }\n"
	"  - { t: 3ms, op: dma, device: dev, buffer: b, direction: from_device, bytes: 4KiB }\n"
	"  - { t: 4ms, op: cpu, region: lowmem, access: read, bytes: 16MiB }\n"
	"  - { t: 5ms, op: dma_free, id: b }\n";

Test(machine, write_backs_clobber_device_data)
{
	const char *nosync[] = { "cacheable=true", "order=0", NULL };
	const char *sync[] = { "cacheable=true", "order=0", "sync=true", NULL };
	struct cmasim_results *r = replay(MACHINE("prefetcher: none"), clobber, nosync);

	cr_expect_eq(r->stale_device_reads, 64);
	/* the lowmem walk evicts every line of the 8 KiB cache: each dirty one clobbers */
	cr_expect_eq(r->clobbered_lines, 64);
	cmasim_results_free(r);

	r = replay(MACHINE("prefetcher: none"), clobber, sync);
	cr_expect_eq(r->stale_device_reads, 0);
	cr_expect_eq(r->clobbered_lines, 0);
	cmasim_results_free(r);
}
