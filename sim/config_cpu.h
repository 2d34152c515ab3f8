/* SPDX-License-Identifier: GPL-2.0-only */
/* The cache: and mmu: sections of a machine config (config_cpu.c). Private to sim/. */
#ifndef CMASIM_CONFIG_CPU_H
#define CMASIM_CONFIG_CPU_H

#include "cmasim/config.h"
#include "confyaml.h"

/* Reads cache: into @cfg over its defaults; false with an error. */
bool conf_load_cache(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg);
/* Reads mmu: into @cfg over its defaults, after memory:; false with an error. */
bool conf_load_mmu(struct conf_loader *ld, const yaml_node_t *node, struct cmasim_config *cfg);

#endif
