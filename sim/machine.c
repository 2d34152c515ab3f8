// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU side of a running machine: see machine.h. CPU accesses go
 * through the MMU (a TLB lookup for each page an access run enters) and,
 * where the mapping is cacheable, the data cache, one access per cache
 * line; the coherence model hears every line that comes and goes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmasim/error.h"
#include "cmasim/policy.h"
#include "cmasim/units.h"
#include "machine.h"
#include "random.h"

uint64_t cmasim_machine_host_bytes(const struct cmasim_config *cfg)
{
	return cmasim_mem_host_bytes(cfg) + cmasim_mmu_host_bytes(cfg) +
	       cmasim_cache_host_bytes(&cfg->cache);
}

uint64_t cmasim_host_available_bytes(void)
{
	g_autofree char *meminfo = NULL;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	unsigned long long kib;
	const char *line;

	/* MemAvailable counts the page cache the host would drop; all of RAM otherwise */
	if (g_file_get_contents("/proc/meminfo", &meminfo, NULL, NULL) &&
	    (line = strstr(meminfo, "MemAvailable:")) &&
	    sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
		return (uint64_t)kib << 10;
	return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : UINT64_MAX;
}

bool cmasim_machine_check_host(const struct cmasim_config *cfg, uint64_t limit, GError **error)
{
	uint64_t need = cmasim_machine_host_bytes(cfg);
	char size[32], need_text[32], limit_text[32];

	if (!limit)
		limit = cmasim_host_available_bytes();
	if (need <= limit)
		return true;
	/* the need in whole MiB, rounded up: an estimate, not a count */
	g_set_error(error, CMASIM_ERROR, CMASIM_ERROR_LAYOUT,
		    "%s: machine \"%s\" of %s needs about %s of host memory to boot, more than "
		    "the %s it may take (expected a smaller machine, or --host-memory to allow more)",
		    cfg->source ? cfg->source : "", cfg->name ? cfg->name : "",
		    cmasim_format_size(cfg->mem_size, size),
		    cmasim_format_size(((need >> 20) + 1) << 20, need_text),
		    cmasim_format_size(limit, limit_text));
	return false;
}

/*
 * cmasim_noncacheable_fn: does a live mapping hold @pfn uncached or
 * write-combined? Asked at every fill, so mostly for the same frame as
 * the last time; the answer holds until the mappings change.
 */
static bool frame_noncacheable(void *ctx, uint64_t pfn)
{
	struct machine *m = ctx;
	uint64_t generation = cmasim_mmu_generation(m->mmu);

	if (pfn != m->nc_memo.pfn || generation != m->nc_memo.generation) {
		m->nc_memo.pfn = pfn;
		m->nc_memo.generation = generation;
		m->nc_memo.noncacheable = cmasim_mmu_frame_noncacheable(m->mmu, pfn);
	}
	return m->nc_memo.noncacheable;
}

/* cmasim_translate_fn: speculation fills only through cacheable mappings. */
static bool translate_cacheable(void *ctx, uint64_t va, uint64_t *pa)
{
	struct machine *m = ctx;
	enum cmasim_attr attr;

	return !cmasim_mmu_probe(m->mmu, va, pa, &attr) && attr == CMASIM_ATTR_CACHEABLE;
}

/* Whether frame @pfn has a cacheable linear-map entry while another mapping holds it uncached. */
static bool aliased(struct machine *m, uint64_t pfn)
{
	uint64_t linear = cmasim_mmu_page_address(m->mmu, pfn);

	return linear && translate_cacheable(m, linear, &(uint64_t){ 0 }) &&
	       cmasim_mmu_frame_noncacheable(m->mmu, pfn);
}

/* Keeps the first few corruptions of each kind, @kind at the line of @pa, with the time and mappings. */
static void log_event(struct machine *m, unsigned int kind, uint64_t pa)
{
	if (m->nr_logged[kind] >= MACHINE_LOG_EACH)
		return;
	m->nr_logged[kind]++;
	m->log[m->nr_log++] = (struct machine_event){
		.time_ns = m->q ? cmasim_eventq_now(m->q) : 0,
		.pa = pa & ~(uint64_t)(m->cfg->cache.line_size - 1),
		.va = kind == CMASIM_COH_STALE_CPU_READ ? m->access_va : 0,
		.kind = (uint8_t)kind,
		.alias = aliased(m, pa >> m->cfg->page_shift),
	};
}

/* cmasim_coherence_event_fn */
static void heard(void *ctx, enum cmasim_coherence_event kind, uint64_t pa)
{
	log_event(ctx, kind, pa);
}

bool machine_init(struct machine *m, struct cmasim_mem *mem, uint64_t seed, GError **error)
{
	const struct cmasim_config *cfg = cmasim_mem_config(mem);
	struct cmasim_cache_hooks hooks;

	*m = (struct machine){ .cfg = cfg, .mem = mem, .rng = seed ^ UINT64_C(0x6a09e667f3bcc909),
			       .nc_memo.pfn = UINT64_MAX };
	m->mmu = cmasim_mmu_new(mem, error);
	if (!m->mmu)
		return false;
	m->cache = cmasim_cache_new(&cfg->cache, cfg->page_shift, seed, error);
	if (!m->cache) {
		cmasim_mmu_free(m->mmu);
		return false;
	}
	m->coh = cmasim_coherence_new(cfg->page_shift, cfg->cache.line_size, frame_noncacheable, m);
	cmasim_coherence_hooks(m->coh, translate_cacheable, m, &hooks);
	cmasim_coherence_on_event(m->coh, heard, m);
	cmasim_cache_set_hooks(m->cache, &hooks);
	cmasim_mmu_layout(m->mmu, &m->layout);
	return true;
}

void machine_destroy(struct machine *m)
{
	cmasim_coherence_free(m->coh);
	cmasim_cache_free(m->cache);
	cmasim_mmu_free(m->mmu);
	*m = (struct machine){ 0 };
}

/* A run of accesses, and the page it is in, translated once per page entered. */
struct walker {
	struct machine *m;
	enum cmasim_cpu_target target;
	uint64_t page_va;	/* UINT64_MAX: none yet */
	uint64_t page_pa;
	uint64_t alias_va;	/* the page's linear-map address, 0 if none: where a stray copy sits */
	enum cmasim_attr attr;
	int ret;		/* of the translation: 0, CMASIM_MMU_TLB_MISS or -EFAULT */
	bool skip;		/* a page a region walk passes over: see walk_skips() */
	uint64_t misses;
};

/*
 * A region walk stands for the kernel (or user space) working on its own
 * memory: it passes over the pages of DMA buffers, which only the driver
 * touches, through the buffer's own mapping, and pages that are not mapped
 * (a carve-out, a hole, pages user space does not own). Only speculation
 * reaches a buffer through the linear map: that is the alias the policies
 * differ on. Decided before translating, so that the TLB is not touched.
 */
static bool walk_skips(const struct walker *w, uint64_t page_va)
{
	struct machine *m = w->m;
	uint64_t pfn = cmasim_mmu_linear_pfn(m->mmu, page_va);

	if (w->target == CMASIM_CPU_CMA &&
	    cmasim_get_pageblock_migratetype(m->mem, pfn) != CMASIM_MT_CMA)
		return true;
	return w->target != CMASIM_CPU_USER && w->target != CMASIM_CPU_BUFFER &&
	       cmasim_coherence_tracked(m->coh, pfn);
}

/*
 * The lowmem pfns from the first CMA pageblock to past the last, found
 * once: the policy's boot placed its areas before any CPU access, and they
 * stay. First == end when lowmem has none.
 */
static void find_cma(struct machine *m)
{
	uint64_t pb = UINT64_C(1) << m->cfg->pageblock_order;
	uint64_t start = m->cfg->mem_base >> m->cfg->page_shift;
	uint64_t end = cmasim_config_lowmem_end(m->cfg) >> m->cfg->page_shift;

	m->cma_known = true;
	m->cma_first = m->cma_end = start;
	for (uint64_t pfn = start & ~(pb - 1); pfn < end; pfn += pb) {
		uint64_t at = MAX(pfn, start);

		if (cmasim_mmu_page_address(m->mmu, at) &&
		    cmasim_get_pageblock_migratetype(m->mem, at) == CMASIM_MT_CMA) {
			m->cma_first = m->cma_end == start ? at : m->cma_first;
			m->cma_end = MIN(pfn + pb, end);
		}
	}
}

/*
 * @n CPU accesses of consecutive lines from @va, all in one page: one
 * translation, then the cache line by line, or memory around it at once.
 */
static void access_lines(struct walker *w, uint64_t va, uint64_t n, bool write)
{
	struct machine *m = w->m;
	uint64_t page_mask = ((uint64_t)m->cfg->page_size - 1);
	unsigned int line = m->cfg->cache.line_size;

	if ((va & ~page_mask) != w->page_va) {
		uint64_t pa = 0;

		w->page_va = va & ~page_mask;
		w->skip = walk_skips(w, w->page_va);
		if (w->skip)
			return;
		w->ret = cmasim_mmu_translate(m->mmu, w->page_va, &pa, &w->attr);
		w->page_pa = pa & ~page_mask;
		w->alias_va = cmasim_mmu_page_address(m->mmu, pa >> m->cfg->page_shift);
		w->misses += w->ret == CMASIM_MMU_TLB_MISS;
		w->skip = w->ret < 0 && w->target != CMASIM_CPU_BUFFER;
	}
	if (w->skip)
		return;
	if (w->ret < 0) {
		m->faults += n;
		return;
	}
	uint64_t pa = w->page_pa | (va & page_mask);

	if (w->attr == CMASIM_ATTR_CACHEABLE) {
		cmasim_cache_access_lines(m->cache, va, pa, n, write, &m->access_va);
		m->access_va = 0;
		return;
	}
	/* uncached and write-combined accesses go to memory around the cache */
	m->uncached_accesses += n;
	if (!m->cfg->cache.uncached_hits || !w->alias_va ||
	    !cmasim_cache_may_hold_page(m->cache, w->alias_va + (pa & page_mask), pa)) {
		if (write)
			cmasim_coherence_memory_write(m->coh, pa, n * line, false);
		return;
	}
	/*
	 * or look first for a copy the linear alias left, where that alias
	 * would have put it; the lines written that hit none go to memory
	 * together, up to the next hit, so that a whole page is one write
	 */
	uint64_t run = 0;

	for (uint64_t i = 0, off = pa & page_mask; i < n; i++, off += line) {
		bool hit;

		m->access_va = va + i * line;
		hit = cmasim_cache_uncached_access(m->cache, w->alias_va + off, pa + i * line, write);
		m->uncached_hits += hit;
		if (write && hit && run < i)
			cmasim_coherence_memory_write(m->coh, pa + run * line, (i - run) * line, false);
		run = hit ? i + 1 : run;
	}
	if (write && run < n)
		cmasim_coherence_memory_write(m->coh, pa + run * line, (n - run) * line, false);
	m->access_va = 0;
}

/*
 * Charges what @rec's CPU accesses did to memory, from the cache's counts
 * @before and after them: a line fill for each demand miss that
 * allocated, a write-back for each dirty line evicted and each write
 * that missed around the cache, and the uncached accesses, @uncached.
 * Prefetch fills run beside the core and cost it nothing.
 */
static void charge_memory(struct cmasim_sim *sim, struct machine *m,
			  const struct cmasim_cache_stats *before, uint64_t uncached)
{
	const struct cmasim_cache_stats after = cmasim_cache_stats(m->cache);
	const struct cmasim_costs *c = &m->cfg->costs;
	uint64_t writes = after.write.misses - before->write.misses;
	uint64_t fills = after.read.misses - before->read.misses;
	uint64_t writebacks = after.read.writebacks + after.write.writebacks +
			      after.prefetch_writebacks - before->read.writebacks -
			      before->write.writebacks - before->prefetch_writebacks;

	if (m->cfg->cache.write_allocate)
		fills += writes;
	else
		writebacks += writes;
	cmasim_charge_n(sim, CMASIM_COST_CPU_MEMORY, fills, c->line_fill_ns);
	cmasim_charge_n(sim, CMASIM_COST_CPU_MEMORY, writebacks, c->line_writeback_ns);
	cmasim_charge_n(sim, CMASIM_COST_CPU_MEMORY, uncached, c->uncached_access_ns);
}

void machine_cpu(struct cmasim_sim *sim, const struct cmasim_record *rec, uint64_t va,
		 uint64_t len)
{
	struct machine *m = cmasim__sim_machine(sim);
	const struct cmasim_cache_stats before = cmasim_cache_stats(m->cache);
	uint64_t uncached = m->uncached_accesses;
	unsigned int line = m->cfg->cache.line_size;
	uint64_t page = m->cfg->page_size;
	enum cmasim_cpu_target target = rec->a;
	struct walker w = { .m = m, .target = target, .page_va = UINT64_MAX };
	uint64_t *cursor = &m->cursor[target];
	uint64_t base = va, pos = 0;

	if (target == CMASIM_CPU_LOWMEM) {
		base = m->layout.page_offset;
		len = m->layout.linear_end - m->layout.page_offset;
		pos = *cursor;
	} else if (target == CMASIM_CPU_CMA) {
		if (!m->cma_known)
			find_cma(m);
		base = cmasim_mmu_page_address(m->mmu, m->cma_first);
		len = (m->cma_end - m->cma_first) << m->cfg->page_shift;
		pos = *cursor;
	} else if (target == CMASIM_CPU_USER) {
		base = cmasim_mmu_user_va(m->mmu, m->cfg->mem_base >> m->cfg->page_shift);
		len = m->cfg->mem_size;
		pos = *cursor;
	}
	len &= ~(uint64_t)(line - 1);
	if (!len)
		return;
	uint64_t n = rec->x / line + !!(rec->x % line);
	uint64_t step = rec->c == CMASIM_PATTERN_STRIDE ? MAX(rec->y, line) : line;

	for (uint64_t i = 0; i < n;) {
		uint64_t k = 1;

		if (rec->c == CMASIM_PATTERN_RANDOM) {
			access_lines(&w, base + cmasim_splitmix64(&m->rng) % (len / line) * line, 1, rec->b);
			i++;
			continue;
		}
		/* a sequential run stays in its page and its region */
		if (step == line)
			k = MIN(MIN(n - i, (page - ((base + pos) & (page - 1))) / line),
				(len - pos) / line);
		access_lines(&w, base + pos, k, rec->b);
		i += k;
		pos += k * step;
		if (pos >= len)
			pos %= len;
	}
	/* a region is walked on from where the last walk stopped */
	if (target != CMASIM_CPU_BUFFER)
		*cursor = pos & ~(uint64_t)(line - 1);
	cmasim_charge_n(sim, CMASIM_COST_TLB_MISS, w.misses, m->cfg->costs.tlb_miss_ns);
	charge_memory(sim, m, &before, m->uncached_accesses - uncached);
}

void machine_uncached_unmap(struct machine *m, const struct cmasim_dma_buffer *buf)
{
	uint64_t n;

	for (uint64_t i = 0; i < buf->nr_pages; i += n) {
		uint64_t pfn = buffer_run(buf, i, &n), linear = cmasim_mmu_page_address(m->mmu, pfn);
		uint64_t pa = pfn << m->cfg->page_shift, found;

		if (!linear)
			continue;
		found = cmasim_cache_count_present(m->cache, linear, pa, n << m->cfg->page_shift);
		m->stray_freed += found;
		/* the log names the run's first line left behind, looked for only while it logs */
		for (uint64_t off = 0; found && off < n << m->cfg->page_shift &&
				       m->nr_logged[MACHINE_STRAY_FREED] < MACHINE_LOG_EACH;
		     off += m->cfg->cache.line_size) {
			if (cmasim_cache_probe(m->cache, linear + off, pa + off, NULL)) {
				log_event(m, MACHINE_STRAY_FREED, pa + off);
				found = 0;
			}
		}
	}
}

void machine_dma(struct machine *m, uint64_t va, uint64_t pfn, uint64_t bytes, bool to_device,
		 bool coherent)
{
	uint64_t pa = pfn << m->cfg->page_shift;

	/* a snooping device gets dirty lines from the cache, and its writes replace copies */
	if (to_device && coherent)
		cmasim_cache_clean(m->cache, va, pa, bytes);
	else if (to_device)
		cmasim_coherence_device_read(m->coh, pa, bytes);
	else
		cmasim_coherence_memory_write(m->coh, pa, bytes, true);
	if (!to_device && coherent)
		cmasim_cache_invalidate(m->cache, va, pa, bytes);
}

/* One corruption @e for people: when, where, what, and which mapping and policy step let it. */
static void describe(const struct machine *m, const struct machine_event *e, const char *policy,
		     GString *out)
{
	static const char *const what[] = {
		[CMASIM_COH_STALE_CPU_READ] = "stale CPU read",
		[CMASIM_COH_STALE_DEVICE_READ] = "stale device read",
		[CMASIM_COH_CLOBBER] = "device data clobbered by a write-back",
		[MACHINE_STRAY_FREED] = "line left cached at dma_free for the frames' next owner",
	};
	uint64_t pfn = e->pa >> m->cfg->page_shift;
	char t[32];

	g_string_append_printf(out, "%s%s pfn %#" PRIx64 " line %" PRIu64 ": %s",
			       out->len ? "; " : "", cmasim_format_time(e->time_ns, t), pfn,
			       (e->pa & (m->cfg->page_size - 1)) / m->cfg->cache.line_size,
			       what[e->kind]);
	if (e->va)
		g_string_append_printf(out, " at %#" PRIx64, e->va);
	if (e->alias)
		g_string_append_printf(out, ", a copy from the linear map (%#" PRIx64 ") that %s's "
				       "dma_alloc left cacheable beside its uncached mapping",
				       cmasim_mmu_page_address(m->mmu, pfn) +
				       (e->pa & (m->cfg->page_size - 1)), policy);
	else
		g_string_append_printf(out, ", under %s, with no mismatched mappings of the frame "
				       "now", policy);
}

/* The first corruptions described, or "" when there was none. */
static char *log_text(const struct machine *m, const char *policy)
{
	GString *out = g_string_new(NULL);

	for (unsigned int i = 0; i < m->nr_log; i++)
		describe(m, &m->log[i], policy, out);
	return g_string_free(out, FALSE);
}

void machine_collect(const struct machine *m, struct cmasim_results *r)
{
	const struct cmasim_cache_stats stats = cmasim_cache_stats(m->cache), *cs = &stats;
	const struct cmasim_coherence_counts *cc = cmasim_coherence_counts(m->coh);
	struct cmasim_mmu_counters mc;

	cmasim_mmu_counters(m->mmu, &mc);
	r->cpu_faults = m->faults;
	r->cpu_uncached_accesses = m->uncached_accesses;
	r->cpu_accesses = cs->read.accesses + cs->write.accesses + m->uncached_accesses;
	r->cache_read_misses = cs->read.misses;
	r->cache_write_misses = cs->write.misses;
	r->cache_writebacks = cs->read.writebacks + cs->write.writebacks + cs->prefetch_writebacks;
	r->cache_speculative_fills = cs->speculative_fills;
	r->cache_aliases = cs->aliases;
	r->tlb_hits = mc.tlb_page_hits + mc.tlb_section_hits;
	r->tlb_misses = mc.tlb_page_misses + mc.tlb_section_misses;
	r->sections_split = mc.sections_split_total;
	r->pagetable_pages_peak = mc.pt_pages_peak;
	r->tlb_shootdowns = mc.shootdowns;
	r->alias_demand = cc->alias_demand;
	r->alias_speculative = cc->alias_speculative;
	r->alias_present = cc->alias_present;
	r->stale_cpu_reads = cc->stale_cpu_reads;
	r->stale_device_reads = cc->stale_device_reads;
	r->clobbered_lines = cc->clobbers;
	r->uncached_hits = m->uncached_hits;
	r->stray_freed_lines = m->stray_freed;
	r->corruption_first = log_text(m, r->policy);
}
