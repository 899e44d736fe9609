/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-gs-stats.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "kvmrt-i18n.h"
#include "kvmrt-json-writer.h"
#include "kvmrt-uuid.h"
#include "kvmrt-sysroot.h"

#define STATS_FILE "run/kvmrt/guest-services.json"

const char *const kvmrt_gs_counter_names[] = {
#define KVMRT_GS_COUNTER_NAME(name) #name,
  KVMRT_GS_COUNTERS (KVMRT_GS_COUNTER_NAME)
#undef KVMRT_GS_COUNTER_NAME
};

guint
kvmrt_gs_counter_count (void)
{
  return G_N_ELEMENTS (kvmrt_gs_counter_names);
}

guint64
kvmrt_gs_vm_stats_counter (const KvmrtGsVmStats *vm, guint index)
{
  const guint64 values[] = {
#define KVMRT_GS_COUNTER_VALUE(name) vm->name,
    KVMRT_GS_COUNTERS (KVMRT_GS_COUNTER_VALUE)
#undef KVMRT_GS_COUNTER_VALUE
  };

  return index < G_N_ELEMENTS (values) ? values[index] : 0;
}

static guint64 *
counter_slot (KvmrtGsVmStats *vm, const char *name)
{
#define KVMRT_GS_COUNTER_SLOT(field) if (g_str_equal (name, #field)) return &vm->field;
  KVMRT_GS_COUNTERS (KVMRT_GS_COUNTER_SLOT)
#undef KVMRT_GS_COUNTER_SLOT
  return NULL;
}

KvmrtGsStats *
kvmrt_gs_stats_new (void)
{
  KvmrtGsStats *stats = g_new0 (KvmrtGsStats, 1);

  stats->vms = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_gs_vm_stats_free);
  return stats;
}

void
kvmrt_gs_vm_stats_free (KvmrtGsVmStats *vm)
{
  if (vm == NULL)
    return;
  g_free (vm->uuid);
  g_free (vm->name);
  g_free (vm->socket);
  g_free (vm);
}

KvmrtGsVmStats *
kvmrt_gs_vm_stats_copy (const KvmrtGsVmStats *vm)
{
  KvmrtGsVmStats *copy = g_memdup2 (vm, sizeof *vm);

  copy->uuid = g_strdup (vm->uuid);
  copy->name = g_strdup (vm->name);
  copy->socket = g_strdup (vm->socket);
  return copy;
}

void
kvmrt_gs_stats_free (KvmrtGsStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->trace);
  g_free (stats->flush);
  g_free (stats->log);
  g_ptr_array_unref (stats->vms);
  g_free (stats);
}

const KvmrtGsVmStats *
kvmrt_gs_stats_lookup (const KvmrtGsStats *stats, const char *uuid)
{
  char buffer[KVMRT_UUID_STRLEN];

  uuid = kvmrt_uuid_canonical (uuid, buffer);
  for (guint i = 0; stats != NULL && i < stats->vms->len; i++)
    {
      const KvmrtGsVmStats *vm = stats->vms->pdata[i];

      if (g_strcmp0 (vm->uuid, uuid) == 0)
        return vm;
    }
  return NULL;
}

static void
write_counters (KvmrtJsonWriter *w, const KvmrtGsVmStats *vm)
{
  for (guint i = 0; i < kvmrt_gs_counter_count (); i++)
    kvmrt_json_writer_member_int (w, kvmrt_gs_counter_names[i],
                                  (gint64) kvmrt_gs_vm_stats_counter (vm, i));
}

void
kvmrt_gs_vm_stats_write_json (const KvmrtGsVmStats *vm, gpointer json_writer)
{
  KvmrtJsonWriter *w = json_writer;

  if (vm == NULL)
    {
      kvmrt_json_writer_null (w);
      return;
    }
  kvmrt_json_writer_begin_object (w);
  kvmrt_json_writer_member_bool (w, "connected", vm->connected);
  write_counters (w, vm);
  kvmrt_json_writer_end_object (w);
}

char *
kvmrt_gs_stats_to_json (const KvmrtGsStats *stats)
{
  GString *out = g_string_new (NULL);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, out);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_int (&w, "pid", stats->pid);
  kvmrt_json_writer_member_string (&w, "trace", stats->trace);
  kvmrt_json_writer_member_string (&w, "flush", stats->flush);
  kvmrt_json_writer_member_string (&w, "log", stats->log);
  kvmrt_json_writer_member (&w, "vms");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < stats->vms->len; i++)
    {
      const KvmrtGsVmStats *vm = stats->vms->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "uuid", vm->uuid);
      kvmrt_json_writer_member_string (&w, "name", vm->name);
      kvmrt_json_writer_member_string (&w, "socket", vm->socket);
      kvmrt_json_writer_member_bool (&w, "connected", vm->connected);
      write_counters (&w, vm);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_end_object (&w);
  kvmrt_json_writer_clear (&w);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

gboolean
kvmrt_gs_stats_save (const KvmrtGsStats *stats, const char *sysroot, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (sysroot, STATS_FILE);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *json = kvmrt_gs_stats_to_json (stats);

  if (g_mkdir_with_parents (dir, 0755) < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   _("cannot create %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }
  return g_file_set_contents_full (path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

void
kvmrt_gs_stats_remove (const char *sysroot)
{
  g_autofree char *path = kvmrt_sysroot_path (sysroot, STATS_FILE);

  g_unlink (path);
}

static char *
dup_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING
         ? g_strdup (json_node_get_string (node)) : NULL;
}

KvmrtGsStats *
kvmrt_gs_stats_parse (const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KvmrtGsStats) stats = kvmrt_gs_stats_new ();
  JsonObject *root;
  JsonArray *vms;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || (root = json_node_get_object (json_parser_get_root (parser))) == NULL
      || !json_object_has_member (root, "vms")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "vms")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the Guest Services counters have no \"vms\" list"));
      return NULL;
    }
  stats->pid = (int) json_object_get_int_member_with_default (root, "pid", 0);
  stats->trace = dup_member (root, "trace");
  stats->flush = dup_member (root, "flush");
  stats->log = dup_member (root, "log");
  vms = json_object_get_array_member (root, "vms");
  for (guint i = 0; i < json_array_get_length (vms); i++)
    {
      JsonNode *node = json_array_get_element (vms, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      KvmrtGsVmStats *vm;

      if (object == NULL || !json_object_has_member (object, "uuid"))
        continue;
      vm = g_new0 (KvmrtGsVmStats, 1);
      vm->uuid = kvmrt_uuid_canonicalize (dup_member (object, "uuid"));
      vm->name = dup_member (object, "name");
      vm->socket = dup_member (object, "socket");
      vm->connected = json_object_get_boolean_member_with_default (object, "connected", FALSE);
      for (guint c = 0; c < kvmrt_gs_counter_count (); c++)
        *counter_slot (vm, kvmrt_gs_counter_names[c]) =
          (guint64) json_object_get_int_member_with_default (object, kvmrt_gs_counter_names[c],
                                                             0);
      if (vm->uuid == NULL)
        kvmrt_gs_vm_stats_free (vm);
      else
        g_ptr_array_add (stats->vms, vm);
    }
  return g_steal_pointer (&stats);
}

KvmrtGsStats *
kvmrt_gs_stats_load (const char *sysroot, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (sysroot, STATS_FILE);
  g_autofree char *json = NULL;
  g_autoptr(GError) parse_error = NULL;
  KvmrtGsStats *stats;

  if (!g_file_get_contents (path, &json, NULL, error))
    return NULL;
  stats = kvmrt_gs_stats_parse (json, &parse_error);
  if (stats == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s cannot be read: %s"),
                   path, parse_error->message);
      return NULL;
    }
  if (stats->pid > 0)
    {
      g_autofree char *relative = g_strdup_printf ("proc/%d", stats->pid);
      g_autofree char *proc = kvmrt_sysroot_path (sysroot, relative);

      if (!g_file_test (proc, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("%s was left by kvmrtd process %d, which no longer runs"), path,
                       stats->pid);
          kvmrt_gs_stats_free (stats);
          return NULL;
        }
    }
  return stats;
}
