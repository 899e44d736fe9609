/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Huge pages reserved on each NUMA node: sys/devices/system/node/nodeN/hugepages/
 * hugepages-SIZEkB/{nr,free}_hugepages. A real-time VM's memory is backed by them when its
 * nodes have enough (kvmrt-domain-xml-rt.c). */
#include <string.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

static guint64
read_count (const char *sysroot, const char *relative)
{
  g_autofree char *text = kvmrt_sysroot_read_optional (sysroot, relative);
  guint64 value = 0;

  if (text != NULL)
    g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT64, &value, NULL);
  return value;
}

void
kvmrt_host_load_hugepages (KvmrtHost *self)
{
  const KvmrtIdSet *nodes = self->level_ids[KVMRT_HOST_LEVEL_NODE];

  for (int n = kvmrt_id_set_first (nodes); n >= 0; n = kvmrt_id_set_next (nodes, n))
    {
      g_autofree char *relative = g_strdup_printf ("sys/devices/system/node/node%d/hugepages", n);
      g_autofree char *path = kvmrt_sysroot_path (self->sysroot, relative);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *entry;

      while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
        {
          KvmrtHugePages pages = { n, 0, 0, 0 };
          g_autofree char *nr = NULL, *free_file = NULL;
          char *end = NULL;

          /* "hugepages-2048kB" */
          if (!g_str_has_prefix (entry, "hugepages-"))
            continue;
          pages.page_kib = g_ascii_strtoull (entry + strlen ("hugepages-"), &end, 10);
          if (pages.page_kib == 0 || g_strcmp0 (end, "kB") != 0)
            continue;
          nr = g_strdup_printf ("%s/%s/nr_hugepages", relative, entry);
          free_file = g_strdup_printf ("%s/%s/free_hugepages", relative, entry);
          pages.total = read_count (self->sysroot, nr);
          pages.free = read_count (self->sysroot, free_file);
          g_array_append_val (self->hugepages, pages);
        }
    }
}
