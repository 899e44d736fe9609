/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-json-writer.h"
#include "kvmrt-sysroot.h"

KvmrtTunedVm *
kvmrt_tuned_vm_new (const char *uuid, const char *name)
{
  KvmrtTunedVm *vm = g_new0 (KvmrtTunedVm, 1);

  vm->uuid = g_strdup (uuid);
  vm->name = g_strdup (name);
  vm->shielded = kvmrt_id_set_new ();
  vm->offline = kvmrt_id_set_new ();
  vm->irq_cpu = -1;
  vm->pcidevs = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  return vm;
}

void
kvmrt_tuned_vm_free (KvmrtTunedVm *vm)
{
  if (vm == NULL)
    return;
  g_free (vm->uuid);
  g_free (vm->name);
  kvmrt_id_set_free (vm->shielded);
  kvmrt_id_set_free (vm->offline);
  g_array_unref (vm->pcidevs);
  g_free (vm);
}

static void
original_free (KvmrtOriginal *original)
{
  g_free (original->path);
  g_free (original->value);
  g_free (original);
}

static void
thread_original_free (KvmrtThreadOriginal *thread)
{
  g_free (thread->comm);
  kvmrt_id_set_free (thread->cpus);
  g_free (thread);
}

static KvmrtJournal *
journal_new (const char *sysroot)
{
  KvmrtJournal *journal = g_new0 (KvmrtJournal, 1);

  journal->sysroot = g_strdup (sysroot);
  journal->vms = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_tuned_vm_free);
  journal->originals = g_ptr_array_new_with_free_func ((GDestroyNotify) original_free);
  journal->threads = g_ptr_array_new_with_free_func ((GDestroyNotify) thread_original_free);
  return journal;
}

void
kvmrt_journal_free (KvmrtJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->sysroot);
  g_ptr_array_unref (journal->vms);
  g_ptr_array_unref (journal->originals);
  g_ptr_array_unref (journal->threads);
  g_free (journal);
}

gboolean
kvmrt_journal_is_empty (KvmrtJournal *journal)
{
  return journal->vms->len == 0 && journal->originals->len == 0 && journal->threads->len == 0;
}

static KvmrtIdSet *
read_id_set (JsonObject *object, const char *member)
{
  JsonArray *array = json_object_has_member (object, member)
                     ? json_object_get_array_member (object, member) : NULL;
  KvmrtIdSet *set = kvmrt_id_set_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    kvmrt_id_set_add (set, (guint) json_array_get_int_element (array, i));
  return set;
}

static KvmrtTunedVm *
read_vm (JsonObject *object)
{
  KvmrtTunedVm *vm = kvmrt_tuned_vm_new (json_object_get_string_member (object, "uuid"),
                                         json_object_get_string_member_with_default (object,
                                                                                     "name",
                                                                                     NULL));
  JsonArray *devs = json_object_has_member (object, "pcidevs")
                    ? json_object_get_array_member (object, "pcidevs") : NULL;

  kvmrt_id_set_free (vm->shielded);
  kvmrt_id_set_free (vm->offline);
  vm->shielded = read_id_set (object, "shielded");
  vm->offline = read_id_set (object, "offline");
  vm->irq_cpu = (int) json_object_get_int_member_with_default (object, "irq_cpu", -1);
  vm->fifo = json_object_get_boolean_member_with_default (object, "fifo", FALSE);
  for (guint i = 0; devs != NULL && i < json_array_get_length (devs); i++)
    {
      KvmrtPciAddress address;

      if (kvmrt_pci_address_parse (json_array_get_string_element (devs, i), &address, NULL))
        g_array_append_val (vm->pcidevs, address);
    }
  return vm;
}

KvmrtJournal *
kvmrt_journal_load (const char *sysroot, GError **error)
{
  g_autoptr(KvmrtJournal) journal = journal_new (sysroot);
  g_autofree char *path = kvmrt_sysroot_path (sysroot, KVMRT_JOURNAL_PATH);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *vms, *originals, *threads;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&journal);
  if (!json_parser_load_from_file (parser, path, &local_error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the tuning journal %s cannot be read (%s): the host may still carry "
                     "changes kvmrt made; check it, then remove the file"),
                   path, local_error != NULL ? local_error->message : _("not an object"));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  vms = json_object_has_member (root, "vms") ? json_object_get_array_member (root, "vms")
                                             : NULL;
  originals = json_object_has_member (root, "originals")
              ? json_object_get_array_member (root, "originals") : NULL;
  for (guint i = 0; vms != NULL && i < json_array_get_length (vms); i++)
    {
      JsonObject *vm = json_array_get_object_element (vms, i);

      if (vm != NULL && json_object_has_member (vm, "uuid"))
        g_ptr_array_add (journal->vms, read_vm (vm));
    }
  for (guint i = 0; originals != NULL && i < json_array_get_length (originals); i++)
    {
      JsonObject *o = json_array_get_object_element (originals, i);

      if (o == NULL || !json_object_has_member (o, "path") || !json_object_has_member (o, "value"))
        continue;
      kvmrt_journal_set_original (journal, json_object_get_string_member (o, "path"),
                                  json_object_get_string_member (o, "value"));
    }
  threads = json_object_has_member (root, "threads")
            ? json_object_get_array_member (root, "threads") : NULL;
  for (guint i = 0; threads != NULL && i < json_array_get_length (threads); i++)
    {
      JsonObject *t = json_array_get_object_element (threads, i);
      g_autoptr(KvmrtIdSet) cpus = NULL;

      if (t == NULL || !json_object_has_member (t, "pid") || !json_object_has_member (t, "cpus"))
        continue;
      cpus = read_id_set (t, "cpus");
      kvmrt_journal_set_thread (journal, (int) json_object_get_int_member (t, "pid"),
                                (guint64) json_object_get_int_member_with_default (t, "start", 0),
                                json_object_get_string_member_with_default (t, "comm", NULL),
                                cpus);
    }
  return g_steal_pointer (&journal);
}

static char *
to_json (KvmrtJournal *journal)
{
  g_autoptr(GString) text = g_string_new (NULL);
  KvmrtJsonWriter w;

  kvmrt_json_writer_init (&w, text);
  kvmrt_json_writer_begin_object (&w);
  kvmrt_json_writer_member_int (&w, "version", 1);
  kvmrt_json_writer_member (&w, "vms");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < journal->vms->len; i++)
    {
      const KvmrtTunedVm *vm = journal->vms->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "uuid", vm->uuid);
      kvmrt_json_writer_member_string (&w, "name", vm->name);
      kvmrt_json_writer_member_id_set (&w, "shielded", vm->shielded);
      kvmrt_json_writer_member_id_set (&w, "offline", vm->offline);
      kvmrt_json_writer_member_int (&w, "irq_cpu", vm->irq_cpu);
      kvmrt_json_writer_member_bool (&w, "fifo", vm->fifo);
      kvmrt_json_writer_member (&w, "pcidevs");
      kvmrt_json_writer_begin_array (&w);
      for (guint d = 0; d < vm->pcidevs->len; d++)
        {
          g_autofree char *address =
            kvmrt_pci_address_to_string (g_array_index (vm->pcidevs, KvmrtPciAddress, d));

          kvmrt_json_writer_string (&w, address);
        }
      kvmrt_json_writer_end_array (&w);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member (&w, "originals");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < journal->originals->len; i++)
    {
      const KvmrtOriginal *o = journal->originals->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_string (&w, "path", o->path);
      kvmrt_json_writer_member_string (&w, "value", o->value);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_member (&w, "threads");
  kvmrt_json_writer_begin_array (&w);
  for (guint i = 0; i < journal->threads->len; i++)
    {
      const KvmrtThreadOriginal *t = journal->threads->pdata[i];

      kvmrt_json_writer_begin_object (&w);
      kvmrt_json_writer_member_int (&w, "pid", t->pid);
      kvmrt_json_writer_member_int (&w, "start", (gint64) t->start);
      kvmrt_json_writer_member_string (&w, "comm", t->comm);
      kvmrt_json_writer_member_id_set (&w, "cpus", t->cpus);
      kvmrt_json_writer_end_object (&w);
    }
  kvmrt_json_writer_end_array (&w);
  kvmrt_json_writer_end_object (&w);
  kvmrt_json_writer_clear (&w);
  g_string_append_c (text, '\n');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Removes run/kvmrt and run when they are empty (on a fixture tree they were ours). */
static void
remove_empty_dirs (const char *sysroot)
{
  g_autofree char *kvmrt_dir = kvmrt_sysroot_path (sysroot, "run/kvmrt");
  g_autofree char *run_dir = kvmrt_sysroot_path (sysroot, "run");

  if (g_rmdir (kvmrt_dir) == 0 && !kvmrt_sysroot_is_live (sysroot))
    g_rmdir (run_dir);
}

gboolean
kvmrt_journal_save (KvmrtJournal *journal, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (journal->sysroot, KVMRT_JOURNAL_PATH);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *temp = g_strconcat (path, ".new", NULL);
  g_autofree char *text = NULL;
  int fd;

  if (kvmrt_journal_is_empty (journal))
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("cannot remove the tuning journal %s: %s"), path, g_strerror (errno));
          return FALSE;
        }
      remove_empty_dirs (journal->sysroot);
      return TRUE;
    }
  text = to_json (journal);
  if (g_mkdir_with_parents (dir, 0755) != 0
      || (fd = g_open (temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("cannot write the tuning journal in %s: %s; nothing was changed"), dir,
                   g_strerror (errno));
      return FALSE;
    }
  /* The journal must be on disk before the change it records is made. */
  if (write (fd, text, strlen (text)) != (gssize) strlen (text) || fsync (fd) != 0
      || close (fd) != 0 || g_rename (temp, path) != 0)
    {
      int saved = errno;

      g_unlink (temp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot write the tuning journal %s: %s; nothing was changed"), path,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

KvmrtTunedVm *
kvmrt_journal_lookup_vm (KvmrtJournal *journal, const char *uuid)
{
  for (guint i = 0; i < journal->vms->len; i++)
    if (g_ascii_strcasecmp (((KvmrtTunedVm *) journal->vms->pdata[i])->uuid, uuid) == 0)
      return journal->vms->pdata[i];
  return NULL;
}

void
kvmrt_journal_put_vm (KvmrtJournal *journal, KvmrtTunedVm *vm)
{
  kvmrt_journal_remove_vm (journal, vm->uuid);
  g_ptr_array_add (journal->vms, vm);
}

gboolean
kvmrt_journal_remove_vm (KvmrtJournal *journal, const char *uuid)
{
  KvmrtTunedVm *vm = kvmrt_journal_lookup_vm (journal, uuid);

  return vm != NULL && g_ptr_array_remove (journal->vms, vm);
}

static KvmrtOriginal *
find_original (KvmrtJournal *journal, const char *path)
{
  for (guint i = 0; i < journal->originals->len; i++)
    if (g_str_equal (((KvmrtOriginal *) journal->originals->pdata[i])->path, path))
      return journal->originals->pdata[i];
  return NULL;
}

const char *
kvmrt_journal_get_original (KvmrtJournal *journal, const char *path)
{
  KvmrtOriginal *original = find_original (journal, path);

  return original != NULL ? original->value : NULL;
}

void
kvmrt_journal_set_original (KvmrtJournal *journal, const char *path, const char *value)
{
  KvmrtOriginal *original;

  if (find_original (journal, path) != NULL)
    return;   /* the first value seen is the original */
  original = g_new0 (KvmrtOriginal, 1);
  original->path = g_strdup (path);
  original->value = g_strdup (value);
  g_ptr_array_add (journal->originals, original);
}

void
kvmrt_journal_drop_original (KvmrtJournal *journal, const char *path)
{
  KvmrtOriginal *original = find_original (journal, path);

  if (original != NULL)
    g_ptr_array_remove (journal->originals, original);
}

const KvmrtThreadOriginal *
kvmrt_journal_get_thread (KvmrtJournal *journal, int pid)
{
  for (guint i = 0; i < journal->threads->len; i++)
    if (((KvmrtThreadOriginal *) journal->threads->pdata[i])->pid == pid)
      return journal->threads->pdata[i];
  return NULL;
}

void
kvmrt_journal_set_thread (KvmrtJournal *journal, int pid, guint64 start, const char *comm,
                          const KvmrtIdSet *cpus)
{
  KvmrtThreadOriginal *thread;

  if (kvmrt_journal_get_thread (journal, pid) != NULL)
    return;   /* the first affinity seen is the original */
  thread = g_new0 (KvmrtThreadOriginal, 1);
  thread->pid = pid;
  thread->start = start;
  thread->comm = g_strdup (comm);
  thread->cpus = kvmrt_id_set_copy (cpus);
  g_ptr_array_add (journal->threads, thread);
}

void
kvmrt_journal_drop_thread (KvmrtJournal *journal, int pid)
{
  const KvmrtThreadOriginal *thread = kvmrt_journal_get_thread (journal, pid);

  if (thread != NULL)
    g_ptr_array_remove (journal->threads, (gpointer) thread);
}
