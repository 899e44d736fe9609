/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Level-3 caches of the host, from sys/devices/system/cpu/cpuN/cache/indexM/{level,size,
 * shared_cpu_list}, as hwloc reads them. Only the CPUs no cache found so far covers are read,
 * so a host reads one cache directory per L3 (plus offline CPUs, whose lists the kernel no
 * longer updates) instead of hwloc's every cache of every CPU. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvmrt-host-private.h"
#include "kvmrt-sysroot.h"

/* More cache indexes than any CPU has. */
#define MAX_CACHE_INDEX 10

void
kvmrt_host_cache_free (KvmrtHostCache *cache)
{
  kvmrt_id_set_free (cache->cpus);
  g_free (cache);
}

/* "32768K" (the kernel's form), also "32M", in bytes; 0 if unreadable. */
static guint64
parse_size (const char *text)
{
  char *end;
  guint64 value = g_ascii_strtoull (text, &end, 10);

  switch (*end)
    {
    case 'K': return value << 10;
    case 'M': return value << 20;
    case 'G': return value << 30;
    default:  return value;
    }
}

/* The cpuN/cache/indexM of CPU @cpu's level-3 cache, or -1. index3 is the usual one. */
static int
find_l3_index (int cpu_fd, int cpu)
{
  for (int i = 3, tried = 0; tried < MAX_CACHE_INDEX; tried++, i = tried == 1 ? 0 : i + 1)
    {
      char path[64];
      g_autofree char *level = NULL;

      if (tried > 0 && i == 3)
        continue;
      g_snprintf (path, sizeof path, "cpu%d/cache/index%d/level", cpu, i);
      level = kvmrt_sysroot_read_at (cpu_fd, path);
      if (level == NULL && i > 3)
        return -1;
      if (level != NULL && atoi (level) == 3)
        return i;
    }
  return -1;
}

static KvmrtHostCache *
read_l3 (KvmrtHost *self, int cpu_fd, int cpu)
{
  int index = find_l3_index (cpu_fd, cpu);
  char path[64];
  g_autofree char *size = NULL;
  g_autofree char *shared = NULL;
  KvmrtHostCache *cache;

  if (index < 0)
    return NULL;
  g_snprintf (path, sizeof path, "cpu%d/cache/index%d/size", cpu, index);
  size = kvmrt_sysroot_read_at (cpu_fd, path);
  g_snprintf (path, sizeof path, "cpu%d/cache/index%d/shared_cpu_list", cpu, index);
  shared = kvmrt_sysroot_read_at (cpu_fd, path);
  cache = g_new0 (KvmrtHostCache, 1);
  cache->size = size != NULL ? parse_size (size) : 0;
  cache->cpus = shared != NULL ? kvmrt_id_set_parse (g_strstrip (shared), NULL) : NULL;
  if (cache->cpus == NULL)
    cache->cpus = kvmrt_id_set_new ();
  kvmrt_id_set_intersect (cache->cpus, self->cpus);
  kvmrt_id_set_add (cache->cpus, cpu);
  return cache;
}

static int
compare_caches (gconstpointer a, gconstpointer b)
{
  const KvmrtHostCache *x = *(KvmrtHostCache **) a, *y = *(KvmrtHostCache **) b;

  return kvmrt_id_set_first (x->cpus) - kvmrt_id_set_first (y->cpus);
}

void
kvmrt_host_load_caches (KvmrtHost *self)
{
  g_autoptr(KvmrtIdSet) covered = kvmrt_id_set_new ();
  int cpu_fd = kvmrt_sysroot_open_dir (self->sysroot, "sys/devices/system/cpu");

  if (cpu_fd < 0)
    return;
  /* Online CPUs first: their lists are current. */
  for (guint pass = 0; pass < 2; pass++)
    {
      const KvmrtIdSet *cpus = pass == 0 ? self->online_cpus : self->cpus;

      for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
        {
          KvmrtHostCache *cache;
          gboolean merged = FALSE;

          if (kvmrt_id_set_contains (covered, cpu))
            continue;
          cache = read_l3 (self, cpu_fd, cpu);
          if (cache == NULL)
            {
              kvmrt_id_set_add (covered, cpu);
              continue;
            }
          kvmrt_id_set_union (covered, cache->cpus);
          /* An offline CPU's stale list overlaps the cache its online siblings found. */
          for (guint i = 0; i < self->caches->len && !merged; i++)
            {
              KvmrtHostCache *known = self->caches->pdata[i];

              if (kvmrt_id_set_intersects (known->cpus, cache->cpus))
                {
                  kvmrt_id_set_union (known->cpus, cache->cpus);
                  merged = TRUE;
                }
            }
          if (merged)
            kvmrt_host_cache_free (cache);
          else
            g_ptr_array_add (self->caches, cache);
        }
    }
  close (cpu_fd);
  g_ptr_array_sort (self->caches, compare_caches);
}
