/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "kvmrtd-gs.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kvmrt-domain-xml.h"
#include "kvmrt-gs-frame.h"
#include "kvmrt-gs-host-trace.h"
#include "kvmrt-gs-log.h"
#include "kvmrt-gs-rate.h"
#include "kvmrt-gs-stats.h"
#include "kvmrt-lifecycle.h"
#include "kvmrt-proc.h"
#include "kvmrt-sysroot.h"

/* The most bytes read from one channel per main loop turn. */
#define READ_CHUNK 4096
/* Scopes of xtrace_flush (kvmrt-gs.h). */
enum { SCOPE_CURRENT, SCOPE_VM, SCOPE_ALL };

struct _KvmrtdGs {
  char             *sysroot;
  KvmrtdGsOptions   options;
  GThread          *thread;
  GMainContext     *context;
  GMainLoop        *loop;
  KvmrtGsHostTrace *trace;      /* NULL: no host trace (ping and log_msg still served) */
  KvmrtGsLog       *log;
  GHashTable       *channels;   /* socket path -> Channel */
  gboolean          dirty;      /* counters changed since the file was written */
};

typedef struct {
  KvmrtdGs       *gs;
  KvmrtGsVmStats  stats;        /* uuid, name, socket, connected and the counters */
  int             fd;
  GSource        *watch;        /* readable; NULL while paused or disconnected */
  GSource        *resume;       /* the end of a pause */
  KvmrtGsDecoder  decoder;
  KvmrtGsRate     rate;
} Channel;

typedef struct {
  KvmrtdGs   *gs;
  GPtrArray  *targets;
  KvmrtIdSet *housekeeping;
} Update;

KvmrtdGsTarget *
kvmrtd_gs_target_new (const char *uuid, const char *name, const char *socket)
{
  KvmrtdGsTarget *target = g_new0 (KvmrtdGsTarget, 1);

  target->uuid = g_strdup (uuid);
  target->name = g_strdup (name);
  target->socket = g_strdup (socket);
  return target;
}

void
kvmrtd_gs_target_free (KvmrtdGsTarget *target)
{
  g_free (target->uuid);
  g_free (target->name);
  g_free (target->socket);
  g_free (target);
}

/* ---- answering frames ---- */

static void
reply (Channel *c, const KvmrtGsFrame *request, guint32 status, guint32 value)
{
  guint8 frame[KVMRT_GS_HEADER_SIZE + 8], payload[8];
  gsize size;

  kvmrt_gs_put_u32 (payload, status);
  kvmrt_gs_put_u32 (payload + 4, value);
  size = kvmrt_gs_frame_encode (frame, KVMRT_GS_FRAME_REPLY, request->vcpu, request->seq,
                                payload, sizeof payload);
  /* Never wait for a guest: a reply it does not take in time is dropped (and counted). */
  if (send (c->fd, frame, size, MSG_DONTWAIT | MSG_NOSIGNAL) != (gssize) size)
    c->stats.replies_dropped++;
}

static void
trace_event (Channel *c, const char *line)
{
  g_autoptr(GError) error = NULL;

  if (c->gs->trace == NULL || !kvmrt_gs_host_trace_write (c->gs->trace, line, &error))
    c->stats.trace_failures++;
}

static gboolean
host_traces (Channel *c)
{
  return c->gs->trace != NULL;
}

/* The host CPUs of a flush's scope: the one running the calling vCPU's thread now, the union
 * of the VM's threads' affinities, or NULL for all. */
static KvmrtIdSet *
scope_cpus (Channel *c, guint scope, guint vcpu)
{
  int pid = scope == SCOPE_ALL ? 0 : kvmrt_proc_find_qemu (c->gs->sysroot, c->stats.uuid,
                                                           c->stats.name);
  g_autoptr(GPtrArray) threads = pid > 0 ? kvmrt_proc_list_threads (c->gs->sysroot, pid, NULL)
                                         : NULL;
  KvmrtIdSet *vm = kvmrt_id_set_new ();

  for (guint i = 0; threads != NULL && i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];

      if (scope == SCOPE_CURRENT && t->kind == KVMRT_THREAD_VCPU && t->vcpu == (int) vcpu
          && t->cpu >= 0)
        {
          kvmrt_id_set_clear (vm);
          kvmrt_id_set_add (vm, t->cpu);
          return vm;
        }
      if (t->affinity != NULL)
        kvmrt_id_set_union (vm, t->affinity);
    }
  /* An unknown vCPU or process gives the widest scope that is still right. */
  if (kvmrt_id_set_is_empty (vm))
    {
      kvmrt_id_set_free (vm);
      return NULL;
    }
  return vm;
}

static void
handle_flush (Channel *c, const KvmrtGsFrame *f, const char *vm)
{
  guint scope = f->length == 4 ? kvmrt_gs_get_u32 (f->payload) : G_MAXUINT;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autofree char *cpu_text = NULL, *line = NULL;
  g_autoptr(GError) error = NULL;

  if (scope > SCOPE_ALL)
    {
      c->stats.invalid++;
      reply (c, f, EINVAL, 0);
      return;
    }
  if (!host_traces (c))
    {
      reply (c, f, EOPNOTSUPP, 0);
      return;
    }
  c->stats.flushes++;
  cpus = scope_cpus (c, scope, f->vcpu);
  cpu_text = cpus != NULL ? kvmrt_id_set_to_string (cpus) : g_strdup ("all");
  line = g_strdup_printf ("KVMRT_GS_FLUSH_HOST vm=%s seq=%u vcpu=%u scope=%u cpus=%s method=%s",
                          vm, f->seq, f->vcpu, scope, cpu_text,
                          kvmrt_gs_flush_method_to_string (
                            kvmrt_gs_host_trace_flush_method (c->gs->trace, cpus)));
  trace_event (c, line);
  if (!kvmrt_gs_host_trace_flush (c->gs->trace, cpus, &error))
    {
      g_warning ("%s: xtrace_flush: %s", c->stats.name, error->message);
      reply (c, f, EIO, 0);
      return;
    }
  reply (c, f, 0, 0);
}

static void
handle_frame (Channel *c, const KvmrtGsFrame *f)
{
  g_autofree char *vm = kvmrt_gs_word (c->stats.name);
  g_autofree char *line = NULL, *text = NULL;
  guint32 logged = MIN (f->length, KVMRT_GS_MAX_LOGGED);

  switch (f->type)
    {
    case KVMRT_GS_FRAME_HELLO:
      reply (c, f, 0, KVMRT_GS_CAP_PING | KVMRT_GS_CAP_LOG_MSG
                      | (host_traces (c) ? KVMRT_GS_CAP_FLUSH | KVMRT_GS_CAP_LOG_DATA : 0));
      return;
    case KVMRT_GS_FRAME_PING:
      if (f->length != 8)
        break;
      c->stats.pings++;
      line = g_strdup_printf ("KVMRT_GS_PING_HOST vm=%s seq=%u vcpu=%u cookie=%#" G_GINT64_MODIFIER
                              "x", vm, f->seq, f->vcpu, kvmrt_gs_get_u64 (f->payload));
      trace_event (c, line);
      reply (c, f, 0, 0);
      return;
    case KVMRT_GS_FRAME_LOG_MSG:
      c->stats.log_msgs++;
      /* The message ends at its first NUL, as a C string would. */
      text = kvmrt_gs_escape (f->payload, strnlen ((const char *) f->payload, f->length),
                              KVMRT_GS_MAX_LOGGED);
      line = g_strdup_printf ("KVMRT_GS_LOG_MSG_HOST vm=%s seq=%u vcpu=%u msg=%s", vm, f->seq,
                              f->vcpu, text);
      trace_event (c, line);
      {
        g_autoptr(GError) error = NULL;

        if (!kvmrt_gs_log_send (c->gs->log, c->stats.name, c->stats.uuid, f->vcpu, text,
                                &error))
          c->stats.log_failures++;
      }
      reply (c, f, 0, MIN (strnlen ((const char *) f->payload, f->length), KVMRT_GS_MAX_LOGGED));
      return;
    case KVMRT_GS_FRAME_FLUSH:
      handle_flush (c, f, vm);
      return;
    case KVMRT_GS_FRAME_LOG_DATA:
      if (!host_traces (c))
        {
          reply (c, f, EOPNOTSUPP, 0);
          return;
        }
      c->stats.log_data++;
      text = g_malloc (2 * logged + 1);
      for (guint i = 0; i < logged; i++)
        g_snprintf (text + 2 * i, 3, "%02x", f->payload[i]);
      text[2 * logged] = '\0';
      line = g_strdup_printf ("KVMRT_GS_LOG_DATA_HOST vm=%s seq=%u vcpu=%u size=%u data=%s", vm,
                              f->seq, f->vcpu, logged, text);
      trace_event (c, line);
      reply (c, f, 0, logged);
      return;
    default:
      break;
    }
  c->stats.invalid++;
  if (f->type != KVMRT_GS_FRAME_REPLY)
    reply (c, f, EINVAL, 0);
}

/* ---- channels ---- */

static gboolean on_channel_readable_cb (int fd, GIOCondition condition, gpointer data);

static void
watch (Channel *c)
{
  c->watch = g_unix_fd_source_new (c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (c->watch, (GSourceFunc) (void (*) (void)) on_channel_readable_cb, c,
                         NULL);
  g_source_attach (c->watch, c->gs->context);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
disconnect (Channel *c)
{
  clear_source (&c->watch);
  clear_source (&c->resume);
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
  if (c->stats.connected)
    g_message ("%s: Guest Services channel closed", c->stats.name);
  c->stats.connected = FALSE;
  c->gs->dirty = TRUE;
}

static gboolean
on_resume_cb (gpointer data)
{
  Channel *c = data;

  g_clear_pointer (&c->resume, g_source_unref);
  watch (c);
  return G_SOURCE_REMOVE;
}

/* Reads one chunk, answers the frames in it, and pauses the channel while its bucket is in
 * debt. */
static gboolean
on_channel_readable_cb (int fd, GIOCondition condition, gpointer data)
{
  Channel *c = data;
  guint8 chunk[READ_CHUNK];
  gsize space = kvmrt_gs_decoder_space (&c->decoder);
  gssize n = read (fd, chunk, MIN (space, sizeof chunk));
  KvmrtGsFrame frame;
  guint frames = 0;
  gint64 now, wait;

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_clear_pointer (&c->watch, g_source_unref);
      disconnect (c);
      return G_SOURCE_REMOVE;
    }
  c->stats.bytes_read += n;
  kvmrt_gs_decoder_push (&c->decoder, chunk, n);
  while (kvmrt_gs_decoder_next (&c->decoder, &frame))
    {
      frames++;
      handle_frame (c, &frame);
    }
  c->stats.frames = c->decoder.frames;
  c->stats.malformed = c->decoder.malformed;
  c->stats.garbage_bytes = c->decoder.garbage_bytes;
  c->gs->dirty = TRUE;

  now = g_get_monotonic_time ();
  kvmrt_gs_rate_charge (&c->rate, kvmrt_gs_rate_cost (frames, n), now);
  wait = kvmrt_gs_rate_wait_us (&c->rate, now);
  if (wait == 0)
    return G_SOURCE_CONTINUE;
  c->stats.throttled++;
  g_clear_pointer (&c->watch, g_source_unref);
  c->resume = g_timeout_source_new ((guint) (wait / 1000 + 1));
  g_source_set_callback (c->resume, on_resume_cb, c, NULL);
  g_source_attach (c->resume, c->gs->context);
  return G_SOURCE_REMOVE;
}

static void
try_connect (Channel *c)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (c->fd >= 0 || strlen (c->stats.socket) >= sizeof address.sun_path)
    return;
  strcpy (address.sun_path, c->stats.socket);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return;
  if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
    {
      close (fd);
      return;   /* QEMU not listening yet: the next update tries again */
    }
  c->fd = fd;
  kvmrt_gs_decoder_init (&c->decoder);
  c->stats.connected = TRUE;
  c->gs->dirty = TRUE;
  watch (c);
  g_message ("%s: serving Guest Services on %s", c->stats.name, c->stats.socket);
}

static void
channel_free (Channel *c)
{
  disconnect (c);
  g_free (c->stats.uuid);
  g_free (c->stats.name);
  g_free (c->stats.socket);
  g_free (c);
}

/* ---- the thread ---- */

static void
run_on_cpus (const KvmrtIdSet *cpus)
{
  cpu_set_t set;

  if (cpus == NULL || kvmrt_id_set_is_empty (cpus))
    return;
  CPU_ZERO (&set);
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0 && cpu < CPU_SETSIZE;
       cpu = kvmrt_id_set_next (cpus, cpu))
    CPU_SET (cpu, &set);
  /* 0: this thread only (the daemon's main thread keeps its own affinity). */
  if (sched_setaffinity (0, sizeof set, &set) < 0)
    g_warning ("cannot keep Guest Services on the housekeeping CPUs: %s", g_strerror (errno));
}

static gboolean
apply_update_cb (gpointer data)
{
  Update *u = data;
  KvmrtdGs *gs = u->gs;
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  run_on_cpus (u->housekeeping);
  for (guint i = 0; i < u->targets->len; i++)
    {
      KvmrtdGsTarget *t = u->targets->pdata[i];
      Channel *c = g_hash_table_lookup (gs->channels, t->socket);

      g_hash_table_add (wanted, t->socket);
      if (c == NULL)
        {
          c = g_new0 (Channel, 1);
          c->gs = gs;
          c->fd = -1;
          c->stats.uuid = g_strdup (t->uuid);
          c->stats.socket = g_strdup (t->socket);
          kvmrt_gs_rate_init (&c->rate, gs->options.rate, gs->options.burst,
                              g_get_monotonic_time ());
          g_hash_table_insert (gs->channels, c->stats.socket, c);
          gs->dirty = TRUE;
        }
      g_free (c->stats.name);
      c->stats.name = g_strdup (t->name);
      try_connect (c);
    }
  g_hash_table_iter_init (&iter, gs->channels);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (wanted, key))
      {
        g_hash_table_iter_remove (&iter);
        gs->dirty = TRUE;
      }
  return G_SOURCE_REMOVE;
}

static void
update_free (gpointer data)
{
  Update *u = data;

  g_ptr_array_unref (u->targets);
  g_clear_pointer (&u->housekeeping, kvmrt_id_set_free);
  g_free (u);
}

static KvmrtGsStats *
collect_stats (KvmrtdGs *gs)
{
  KvmrtGsStats *stats = kvmrt_gs_stats_new ();
  GHashTableIter iter;
  gpointer value;

  stats->pid = getpid ();
  if (gs->trace != NULL)
    {
      stats->trace = g_strdup (kvmrt_gs_host_trace_get_path (gs->trace));
      stats->flush = g_strdup (kvmrt_gs_host_trace_has_snapshot (gs->trace) ? "snapshot"
                                                                            : "stop");
    }
  stats->log = g_strdup (gs->log != NULL ? kvmrt_gs_log_describe (gs->log) : NULL);
  g_hash_table_iter_init (&iter, gs->channels);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (stats->vms, kvmrt_gs_vm_stats_copy (&((Channel *) value)->stats));
    }
  return stats;
}

static gboolean
on_stats_tick_cb (gpointer data)
{
  KvmrtdGs *gs = data;
  g_autoptr(KvmrtGsStats) stats = NULL;
  g_autoptr(GError) error = NULL;

  if (!gs->dirty)
    return G_SOURCE_CONTINUE;
  gs->dirty = FALSE;
  stats = collect_stats (gs);
  if (!kvmrt_gs_stats_save (stats, gs->sysroot, &error))
    g_warning ("cannot publish the Guest Services counters: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static void
open_outputs (KvmrtdGs *gs)
{
  g_autofree char *tracefs = gs->options.tracefs != NULL ? g_strdup (gs->options.tracefs)
                             : kvmrt_gs_host_trace_find_tracefs (gs->sysroot);
  g_autoptr(GError) error = NULL;

  if (tracefs == NULL)
    g_warning ("Guest Services: tracefs is not mounted (mount -t tracefs nodev "
               "/sys/kernel/tracing): guests get ping and log_msg, not xtrace_flush or "
               "xtrace_log_data");
  else if ((gs->trace = kvmrt_gs_host_trace_open (tracefs, gs->options.instance, &error)) == NULL)
    g_warning ("Guest Services: %s; guests get ping and log_msg, not xtrace_flush or "
               "xtrace_log_data", error->message);
  else if (!kvmrt_gs_host_trace_has_snapshot (gs->trace))
    g_message ("Guest Services: host events go to %s; this kernel has no snapshot buffer, so "
               "xtrace_flush stops that instance (write 1 to its tracing_on to restart it)",
               kvmrt_gs_host_trace_get_path (gs->trace));
  else
    g_message ("Guest Services: host events go to %s; xtrace_flush takes a snapshot",
               kvmrt_gs_host_trace_get_path (gs->trace));
  g_clear_error (&error);
  if ((gs->log = kvmrt_gs_log_new (gs->sysroot, gs->options.log_target, &error)) == NULL)
    g_warning ("Guest Services: %s; log_msg messages are only traced", error->message);
}

static gpointer
thread_main (gpointer data)
{
  KvmrtdGs *gs = data;
  GSource *tick = g_timeout_source_new_seconds (1);

  g_main_context_push_thread_default (gs->context);
  g_source_set_callback (tick, on_stats_tick_cb, gs, NULL);
  g_source_attach (tick, gs->context);
  g_main_loop_run (gs->loop);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_hash_table_remove_all (gs->channels);
  g_main_context_pop_thread_default (gs->context);
  return NULL;
}

KvmrtdGs *
kvmrtd_gs_start (const char *sysroot, const KvmrtdGsOptions *options)
{
  KvmrtdGs *gs = g_new0 (KvmrtdGs, 1);

  gs->sysroot = g_strdup (sysroot);
  gs->options = *options;
  gs->options.tracefs = g_strdup (options->tracefs);
  gs->options.instance = g_strdup (options->instance);
  gs->options.log_target = g_strdup (options->log_target);
  gs->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) channel_free);
  gs->context = g_main_context_new ();
  gs->loop = g_main_loop_new (gs->context, FALSE);
  open_outputs (gs);
  {
    g_autoptr(GError) error = NULL;

    if (!kvmrt_lifecycle_prepare_gs_dir (sysroot, &error))
      g_warning ("Guest Services: %s", error->message);
  }
  gs->dirty = TRUE;
  gs->thread = g_thread_new ("guest-services", thread_main, gs);
  return gs;
}

void
kvmrtd_gs_follow (KvmrtdGs *gs, KvmrtLibvirt *libvirt, KvmrtPlan *plan, KvmrtHost *host)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrtd_gs_target_free);
  KvmrtIdSet *housekeeping = kvmrt_id_set_copy (kvmrt_host_get_online_cpus (host));

  for (guint i = 0; i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_get_vm (plan, i);
      GVirDomain *domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (p->vm));
      g_autofree char *xml = NULL, *socket = NULL;

      if (p->rt)
        kvmrt_id_set_subtract (housekeeping, p->shielded_cpus);
      if (!kvmrt_vm_get_guest_services (p->vm) || domain == NULL
          || !kvmrt_libvirt_is_active (domain))
        continue;
      xml = kvmrt_libvirt_get_xml (domain, NULL);
      socket = xml != NULL ? kvmrt_domain_xml_gs_socket (xml) : NULL;
      if (socket != NULL)
        g_ptr_array_add (targets, kvmrtd_gs_target_new (kvmrt_vm_get_uuid (p->vm),
                                                        kvmrt_vm_get_label (p->vm), socket));
    }
  kvmrtd_gs_update (gs, targets, housekeeping);
}

void
kvmrtd_gs_update (KvmrtdGs *gs, GPtrArray *targets, KvmrtIdSet *housekeeping)
{
  Update *u = g_new0 (Update, 1);

  u->gs = gs;
  u->targets = targets;
  u->housekeeping = housekeeping;
  g_main_context_invoke_full (gs->context, G_PRIORITY_DEFAULT, apply_update_cb, u, update_free);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
kvmrtd_gs_stop (KvmrtdGs *gs)
{
  g_main_context_invoke (gs->context, quit_cb, gs->loop);
  g_thread_join (gs->thread);
  /* Nothing is served any more: no counters to show. */
  kvmrt_gs_stats_remove (gs->sysroot);
  g_hash_table_unref (gs->channels);
  g_main_loop_unref (gs->loop);
  g_main_context_unref (gs->context);
  kvmrt_gs_host_trace_free (gs->trace);
  kvmrt_gs_log_free (gs->log);
  g_free (gs->options.tracefs);
  g_free (gs->options.instance);
  g_free (gs->options.log_target);
  g_free (gs->sysroot);
  g_free (gs);
}
