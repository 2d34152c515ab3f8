/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why requests failed or took long: what blocked each busy range (page
 * owner, pin, the trace allocation holding it), summed over the run for
 * its figures; with a file, one line per device request; with another,
 * the kernel's own messages where it would print them. Private to the
 * engine.
 */
#ifndef CMASIM_REQLOG_H
#define CMASIM_REQLOG_H

#include <stdio.h>

#include "cmasim/config.h"
#include "cmasim/contig.h"
#include "cmasim/metrics.h"
#include "cmasim/policy.h"
#include "cmasim/trace.h"

struct reqlog;

/*
 * A log for a run of @cfg replaying @trace, its results @r: request lines
 * to @requests (NULL: none), as JSON lines if @json else CSV; kernel
 * messages to @kernel_log (NULL: none). @slot_devs (uint8_t by trace
 * slot, 1 + a device index or 0, grown by the engine) says whose driver
 * pinned what a request meets.
 */
struct reqlog *reqlog_new(const struct cmasim_config *cfg, struct cmasim_trace *trace,
			  const struct cmasim_results *r, const GArray *slot_devs, FILE *requests,
			  bool json, FILE *kernel_log);
void reqlog_free(struct reqlog *log);

/* The observer to set on the run's memory. */
const struct cmasim_contig_observer *reqlog_observer(struct reqlog *log);

/* Whether it writes request lines, which name each request. */
bool reqlog_lines(const struct reqlog *log);

/*
 * A request of @device starts being served at @now, asked at @asked_ns,
 * called @name (NULL when no lines are written); before any cost is
 * charged.
 */
void reqlog_begin(struct reqlog *log, uint64_t now, uint64_t asked_ns, unsigned int device,
		  const char *name);
/* It ended with @status and, if served, its buffer @buf, after @latency_ns in all. */
void reqlog_end(struct reqlog *log, const struct cmasim_dma_request *req,
		enum cmasim_dma_status status, const struct cmasim_dma_buffer *buf,
		uint64_t latency_ns);

/* Puts the run's blocking figures into @r and flushes the files; false on a write error. */
bool reqlog_finish(struct reqlog *log, struct cmasim_results *r);

#endif
