/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the rttools commands (hwtopo, pci, cpus, irqs, tasks, irq-affinity, task-affinity,
 * cpustat, cpi) share on top of the kvmrt tools' common options (kvmrt-cli.h): output in one
 * write, sizes and CPU lists as they print them, and the refresh loop of cpustat and cpi. */
#pragma once

#include "kvmrt-cli.h"

G_BEGIN_DECLS

/* Parses the options every rttools command takes (--sysroot, --json, --help, --version) plus
 * @extra. */
void      rttools_parse        (KvmrtCli           *cli,
                                int                *argc,
                                char             ***argv,
                                const GOptionEntry *extra,
                                const char         *parameter,
                                const char         *summary);
/* Writes @out on standard output in one write. */
void      rttools_print        (GString *out);
/* "31GiB", "32MiB", "512KiB": whole units, rounded. */
char     *rttools_format_size  (guint64 bytes);
/* A CPU list, or @empty for an empty or missing one. */
char     *rttools_set_text     (const KvmrtIdSet *set, const char *empty);
/* Parses a CPU list argument; prints the error and returns NULL when it is not one. */
KvmrtIdSet *rttools_parse_cpus (const char *text);
/* "Ethernet" for "Ethernet controller": a PCI class name without its last word when that is
 * "controller". */
char     *rttools_short_class  (const char *class_name);

/* Ends the document's outer object and the writer, and the line. */
void      rttools_json_finish  (KvmrtJsonWriter *w, GString *out);

/* Draws one frame into @out (text, or one JSON document); FALSE stops with exit 1. */
typedef gboolean (*RttoolsDrawFunc) (GString *out, gpointer data);

/* Shows @draw's frames: one when @seconds is 0; else every @seconds, @count times (0: until
 * interrupted). On a terminal (and not @json) each frame replaces the previous one; otherwise
 * frames follow each other, text ones separated by a blank line and JSON ones one document
 * per line. Returns the exit code. */
int       rttools_refresh      (double          seconds,
                                int             count,
                                gboolean        json,
                                RttoolsDrawFunc draw,
                                gpointer        data);

G_END_DECLS
