/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON documents of the CLI's --json output (shapes in DESIGN.md "Common CLI contract"). */
#pragma once

#include <json-glib/json-glib.h>

#include "kvmrt-plan.h"
#include "kvmrt-validator.h"

G_BEGIN_DECLS

/* [0, 2, 4] */
JsonNode *kvmrt_json_id_set       (const KvmrtIdSet *set);
/* {"errors": N, "warnings": N, "diagnostics": [...]} */
JsonNode *kvmrt_json_diagnostics  (GPtrArray *diagnostics);
/* One VM of kvmrt-show-config --json, autos resolved, with its "plan". */
JsonNode *kvmrt_json_vm_plan      (const KvmrtVmPlan *plan);
/* Serialises with a trailing newline; pretty-printed with 2-space indentation. */
char     *kvmrt_json_to_string    (JsonNode *node);

G_END_DECLS
