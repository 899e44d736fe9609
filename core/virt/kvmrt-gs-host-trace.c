/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-gs-host-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

struct _KvmrtGsHostTrace {
  char     *path;      /* tracefs/instances/NAME */
  int       marker;    /* its trace_marker, open for writing */
  gboolean  snapshot;  /* the kernel has a snapshot buffer */
};

char *
kvmrt_gs_host_trace_find_tracefs (const char *sysroot)
{
  static const char *const candidates[] = { "sys/kernel/tracing", "sys/kernel/debug/tracing" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *dir = kvmrt_sysroot_path (sysroot, candidates[i]);
      g_autofree char *marker = g_build_filename (dir, "trace_marker", NULL);

      if (g_file_test (marker, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&dir);
    }
  return NULL;
}

KvmrtGsHostTrace *
kvmrt_gs_host_trace_open (const char *tracefs, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (tracefs, "instances", name, NULL);
  g_autofree char *marker = g_build_filename (path, "trace_marker", NULL);
  g_autofree char *snapshot = g_build_filename (path, "snapshot", NULL);
  KvmrtGsHostTrace *trace;
  int fd;

  /* tracefs makes a new instance's files itself on mkdir. */
  if (g_mkdir (path, 0750) < 0 && errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot create the trace instance %s: %s (is tracefs mounted, and are "
                     "you root?)"), path, g_strerror (saved));
      return NULL;
    }
  fd = g_open (marker, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot open %s for writing: %s"), marker, g_strerror (saved));
      return NULL;
    }
  trace = g_new0 (KvmrtGsHostTrace, 1);
  trace->path = g_steal_pointer (&path);
  trace->marker = fd;
  trace->snapshot = g_file_test (snapshot, G_FILE_TEST_EXISTS);
  return trace;
}

void
kvmrt_gs_host_trace_free (KvmrtGsHostTrace *trace)
{
  if (trace == NULL)
    return;
  close (trace->marker);
  g_free (trace->path);
  g_free (trace);
}

const char *
kvmrt_gs_host_trace_get_path (KvmrtGsHostTrace *trace)
{
  return trace->path;
}

gboolean
kvmrt_gs_host_trace_has_snapshot (KvmrtGsHostTrace *trace)
{
  return trace->snapshot;
}

gboolean
kvmrt_gs_host_trace_write (KvmrtGsHostTrace *trace, const char *line, GError **error)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  gsize length = strlen (text);
  gssize n = write (trace->marker, text, length);

  if (n == (gssize) length)
    return TRUE;
  /* A stopped instance refuses markers (EBADF): that is what a flush without snapshots
   * leaves behind. */
  g_set_error (error, G_IO_ERROR, n < 0 ? g_io_error_from_errno (errno) : G_IO_ERROR_FAILED,
               _("cannot write to the trace instance %s: %s"), trace->path,
               n < 0 ? g_strerror (errno) : _("short write"));
  return FALSE;
}

const char *
kvmrt_gs_flush_method_to_string (KvmrtGsFlushMethod method)
{
  switch (method)
    {
    case KVMRT_GS_FLUSH_SNAPSHOT: return "snapshot";
    case KVMRT_GS_FLUSH_SNAPSHOT_PER_CPU: return "snapshot-per-cpu";
    case KVMRT_GS_FLUSH_STOP: return "stop";
    default: return "?";
    }
}

static char *
per_cpu_snapshot (KvmrtGsHostTrace *trace, int cpu)
{
  g_autofree char *dir = g_strdup_printf ("cpu%d", cpu);

  return g_build_filename (trace->path, "per_cpu", dir, "snapshot", NULL);
}

KvmrtGsFlushMethod
kvmrt_gs_host_trace_flush_method (KvmrtGsHostTrace *trace, const KvmrtIdSet *cpus)
{
  if (!trace->snapshot)
    return KVMRT_GS_FLUSH_STOP;
  if (cpus == NULL || kvmrt_id_set_is_empty (cpus))
    return KVMRT_GS_FLUSH_SNAPSHOT;
  /* Per-CPU snapshots need a kernel that can swap one CPU's buffer. */
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      g_autofree char *path = per_cpu_snapshot (trace, cpu);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return KVMRT_GS_FLUSH_SNAPSHOT;
    }
  return KVMRT_GS_FLUSH_SNAPSHOT_PER_CPU;
}

static gboolean
write_value (const char *path, const char *value, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  gboolean ok = fd >= 0 && write (fd, value, 1) == 1;
  int saved = errno;

  if (fd >= 0)
    close (fd);
  if (!ok)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("cannot write to %s: %s"), path, g_strerror (saved));
  return ok;
}

gboolean
kvmrt_gs_host_trace_flush (KvmrtGsHostTrace *trace, const KvmrtIdSet *cpus, GError **error)
{
  switch (kvmrt_gs_host_trace_flush_method (trace, cpus))
    {
    case KVMRT_GS_FLUSH_SNAPSHOT_PER_CPU:
      for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
        {
          g_autofree char *path = per_cpu_snapshot (trace, cpu);

          if (!write_value (path, "1", error))
            return FALSE;
        }
      return TRUE;
    case KVMRT_GS_FLUSH_SNAPSHOT:
      {
        g_autofree char *path = g_build_filename (trace->path, "snapshot", NULL);

        return write_value (path, "1", error);
      }
    case KVMRT_GS_FLUSH_STOP:
    default:
      {
        g_autofree char *path = g_build_filename (trace->path, "tracing_on", NULL);

        return write_value (path, "0", error);
      }
    }
}
