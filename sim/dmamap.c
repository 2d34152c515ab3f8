// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helpers policies map, clear and maintain their buffers with (see
 * include/cmasim/policy.h), after arch/arm/mm/dma-mapping.c: remapping a
 * buffer uncached, rewriting the linear map, __dma_clear_buffer() and the
 * dma_sync_* cache maintenance, each charged at the config's costs.
 */
#include <errno.h>

#include "cmasim/policy.h"
#include "machine.h"

/* How a buffer's CPU mapping was made (struct cmasim_dma_buffer.mapping). */
enum {
	MAP_NONE,
	MAP_LINEAR,
	MAP_REMAP,		/* a vmap of its own, cacheable */
	MAP_REMAP_NONCACHED,	/* a vmap of its own, uncached or write-combined */
};

bool dmamap_noncached(const struct cmasim_dma_buffer *buf)
{
	return buf->mapping == MAP_REMAP_NONCACHED;
}

/* Charges what one mapping operation did. */
static void charge_mmu(struct cmasim_sim *sim, const struct cmasim_mmu_stats *st)
{
	cmasim_charge(sim, CMASIM_COST_MAPPING, st->cost_ns);
}

/* Charges @lines line operations by address and the barrier after them. */
static void charge_lines(struct cmasim_sim *sim, uint64_t lines)
{
	const struct cmasim_costs *c = &cmasim_sim_config(sim)->costs;

	cmasim__sim_results(sim)->cache_maintenance_lines += lines;
	cmasim_charge_n(sim, CMASIM_COST_CACHE, lines, c->cache_line_op_ns);
	cmasim_charge(sim, CMASIM_COST_CACHE, c->cache_barrier_ns);
}

int cmasim_sim_remap(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
		     enum cmasim_attr attr)
{
	struct machine *m = cmasim__sim_machine(sim);
	uint64_t va, present = 0, n;

	if (buf->pages ? cmasim_mmu_vmap_pages(m->mmu, buf->pages, buf->nr_pages, attr, &va)
		       : cmasim_mmu_vmap(m->mmu, buf->pfn, buf->nr_pages, attr, &va))
		return -ENOMEM;
	buf->va = va;
	buf->mapping = attr == CMASIM_ATTR_CACHEABLE ? MAP_REMAP : MAP_REMAP_NONCACHED;
	if (attr == CMASIM_ATTR_CACHEABLE)
		return 0;
	/* the linear alias may hold lines already: a mismatched alias from the start */
	for (uint64_t i = 0; i < buf->nr_pages; i += n) {
		uint64_t pfn = buffer_run(buf, i, &n), linear = cmasim_mmu_page_address(m->mmu, pfn);
		uint64_t pa = pfn << m->cfg->page_shift, bytes = n << m->cfg->page_shift;

		if (linear)
			present += cmasim_cache_count_present(m->cache, linear, pa, bytes);
	}
	cmasim_coherence_alias_present(m->coh, present);
	return 0;
}

void cmasim_sim_use_linear(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	buf->va = cmasim_mmu_page_address(cmasim__sim_machine(sim)->mmu, buf->pfn);
	buf->mapping = MAP_LINEAR;
}

void cmasim_sim_unmap(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf)
{
	struct cmasim_mmu_stats st = { 0 };

	if (buf->mapping == MAP_REMAP_NONCACHED)
		machine_uncached_unmap(cmasim__sim_machine(sim), buf);
	if (buf->mapping >= MAP_REMAP) {
		cmasim_mmu_vunmap(cmasim__sim_machine(sim)->mmu, buf->va, &st);
		charge_mmu(sim, &st);
	}
	buf->va = 0;
	buf->mapping = MAP_NONE;
}

int cmasim_sim_linear_attr(struct cmasim_sim *sim, uint64_t pfn, uint64_t nr,
			   enum cmasim_attr attr)
{
	struct cmasim_mmu_stats st = { 0 };
	int ret = cmasim_mmu_linear_set_attr(cmasim__sim_machine(sim)->mmu, pfn, nr, attr, &st);

	charge_mmu(sim, &st);
	return ret;
}

int cmasim_sim_linear_split(struct cmasim_sim *sim, uint64_t pfn, uint64_t nr)
{
	struct cmasim_mmu_stats st = { 0 };
	int ret = cmasim_mmu_linear_split(cmasim__sim_machine(sim)->mmu, pfn, nr, &st);

	charge_mmu(sim, &st);
	return ret;
}

/*
 * __dma_clear_buffer() of the @n frames from @pfn that @buf maps at @va:
 * one run of consecutive frames, cleared @via.
 */
static void zero_run(struct cmasim_sim *sim, uint64_t pfn, uint64_t n, uint64_t va,
		     enum cmasim_zero_via via)
{
	struct machine *m = cmasim__sim_machine(sim);
	uint64_t page = m->cfg->page_size, bytes = n * page;
	uint64_t pa = pfn << m->cfg->page_shift;
	uint64_t linear = cmasim_mmu_page_address(m->mmu, pfn);

	if (via == CMASIM_ZERO_LINEAR && !linear)
		via = CMASIM_ZERO_KMAP;
	switch (via) {
	case CMASIM_ZERO_UNCACHED:
		break;
	case CMASIM_ZERO_LINEAR:
		/*
		 * The memset's lines are all written back by the flush that
		 * follows, so what stays is the flush: no line of the buffer
		 * is left in the cache.
		 */
		charge_lines(sim, cmasim_cache_clean_invalidate(m->cache, linear, pa, bytes));
		break;
	case CMASIM_ZERO_KMAP:
		for (uint64_t i = 0; i < n; i++) {
			struct cmasim_mmu_stats st = { 0 };
			uint64_t kva;

			if (cmasim_mmu_kmap(m->mmu, pfn + i, &kva, &st))
				continue;
			charge_mmu(sim, &st);
			charge_lines(sim, cmasim_cache_clean_invalidate(m->cache, kva, pa + i * page,
									page));
			cmasim_mmu_kunmap(m->mmu, kva);
		}
		break;
	case CMASIM_ZERO_CACHED:
		for (uint64_t off = 0; off < bytes; off += m->cfg->cache.line_size)
			cmasim_cache_access(m->cache, va + off, pa + off, m->cfg->cache.line_size,
					    true);
		break;
	}
}

void cmasim_sim_zero(struct cmasim_sim *sim, struct cmasim_dma_buffer *buf,
		     enum cmasim_zero_via via)
{
	const struct cmasim_config *cfg = cmasim_sim_config(sim);
	uint64_t n;

	cmasim_charge(sim, CMASIM_COST_ZEROING, buf->nr_pages * cfg->costs.page_zero_ns);
	for (uint64_t i = 0; i < buf->nr_pages; i += n) {
		uint64_t pfn = buffer_run(buf, i, &n);

		zero_run(sim, pfn, n, buf->va + (i << cfg->page_shift), via);
	}
}

void cmasim_sim_cache_maint(struct cmasim_sim *sim, const struct cmasim_dma_buffer *buf,
			    enum cmasim_maint op, uint64_t bytes)
{
	struct machine *m = cmasim__sim_machine(sim);
	uint64_t pa = buf->pfn << m->cfg->page_shift;
	uint64_t lines = 0;

	g_return_if_fail(!buf->pages);
	bytes = MIN(bytes, buf->nr_pages << m->cfg->page_shift);
	switch (op) {
	case CMASIM_MAINT_CLEAN:
		lines = cmasim_cache_clean(m->cache, buf->va, pa, bytes);
		break;
	case CMASIM_MAINT_INVALIDATE:
		lines = cmasim_cache_invalidate(m->cache, buf->va, pa, bytes);
		break;
	case CMASIM_MAINT_FLUSH:
		lines = cmasim_cache_clean_invalidate(m->cache, buf->va, pa, bytes);
		break;
	}
	charge_lines(sim, lines);
}

void cmasim_sim_cache_flush_all(struct cmasim_sim *sim)
{
	struct machine *m = cmasim__sim_machine(sim);

	cmasim_cache_flush_all(m->cache);
	cmasim__sim_results(sim)->cache_flush_alls++;
	cmasim_charge(sim, CMASIM_COST_CACHE, m->cfg->costs.cache_flush_all_ns);
	/* what the flush threw away, every other user of the cache reads back */
	cmasim_charge(sim, CMASIM_COST_FLUSH_REFILL, m->cfg->costs.flush_refill_ns);
}
