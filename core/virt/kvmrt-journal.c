/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-json.h"
#include "kvmrt-sysroot.h"
#include "kvmrt-tune-paths.h"
#include "kvmrt-uuid.h"

KvmrtTunedVm *
kvmrt_tuned_vm_new (const char *uuid, const char *name)
{
  KvmrtTunedVm *vm = g_new0 (KvmrtTunedVm, 1);

  vm->uuid = kvmrt_uuid_dup (uuid);   /* journals written before UUIDs were kept lower-case */
  vm->name = g_strdup (name);
  vm->shielded = kvmrt_id_set_new ();
  vm->offline = kvmrt_id_set_new ();
  vm->irq_cpu = -1;
  vm->pcidevs = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  return vm;
}

const char *
kvmrt_tuned_vm_get_label (const KvmrtTunedVm *vm)
{
  return vm->name != NULL ? vm->name : vm->uuid;
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

/* A journal member of the wrong type is a tampered or damaged file, never a crash. */
static gboolean
bad (GError **error, const char *path, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _("the tuning journal %s is damaged (%s); kvmrt does not act on it. The host "
                 "may still carry changes kvmrt made: check them, then remove the file"),
               path, what);
  return FALSE;
}

static gboolean
is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
read_id_set (JsonObject *object, const char *name, KvmrtIdSet *set)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gint64 id;

      if (!is_int (element) || (id = json_node_get_int (element)) < 0 || id > 65535)
        return FALSE;
      kvmrt_id_set_add (set, (guint) id);
    }
  return TRUE;
}

static gboolean
read_vm (JsonNode *node, KvmrtJournal *journal, const char *path, GError **error)
{
  g_autoptr(KvmrtTunedVm) vm = NULL;
  JsonObject *object;
  JsonNode *uuid, *name, *irq_cpu, *fifo, *devs;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, path, _("a VM is not an object"));
  object = json_node_get_object (node);
  uuid = json_object_get_member (object, "uuid");
  name = json_object_get_member (object, "name");
  if (!is_string (uuid) || (name != NULL && !JSON_NODE_HOLDS_NULL (name) && !is_string (name)))
    return bad (error, path, _("a VM has no UUID string, or a name that is not a string"));
  vm = kvmrt_tuned_vm_new (json_node_get_string (uuid),
                           is_string (name) ? json_node_get_string (name) : NULL);
  if (!read_id_set (object, "shielded", vm->shielded)
      || !read_id_set (object, "offline", vm->offline))
    return bad (error, path, _("a CPU list is not a list of CPU numbers"));
  irq_cpu = json_object_get_member (object, "irq_cpu");
  if (irq_cpu != NULL && (!is_int (irq_cpu) || json_node_get_int (irq_cpu) < -1
                          || json_node_get_int (irq_cpu) > 65535))
    return bad (error, path, _("irq_cpu is not a CPU number"));
  vm->irq_cpu = irq_cpu != NULL ? (int) json_node_get_int (irq_cpu) : -1;
  fifo = json_object_get_member (object, "fifo");
  if (fifo != NULL && !(JSON_NODE_HOLDS_VALUE (fifo)
                        && json_node_get_value_type (fifo) == G_TYPE_BOOLEAN))
    return bad (error, path, _("fifo is not true or false"));
  vm->fifo = fifo != NULL && json_node_get_boolean (fifo);
  devs = json_object_get_member (object, "pcidevs");
  if (devs != NULL && !JSON_NODE_HOLDS_ARRAY (devs))
    return bad (error, path, _("pcidevs is not a list"));
  for (guint i = 0; devs != NULL && i < json_array_get_length (json_node_get_array (devs)); i++)
    {
      JsonNode *dev = json_array_get_element (json_node_get_array (devs), i);
      KvmrtPciAddress address;

      if (!is_string (dev) || !kvmrt_pci_address_parse (json_node_get_string (dev), &address,
                                                        NULL))
        return bad (error, path, _("a PCI device is not a PCI address"));
      g_array_append_val (vm->pcidevs, address);
    }
  g_ptr_array_add (journal->vms, g_steal_pointer (&vm));
  return TRUE;
}

static gboolean
read_original (JsonNode *node, KvmrtJournal *journal, const char *path, GError **error)
{
  JsonObject *object;
  JsonNode *file, *value;
  const char *name;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, path, _("an original value is not an object"));
  object = json_node_get_object (node);
  file = json_object_get_member (object, "path");
  value = json_object_get_member (object, "value");
  if (!is_string (file) || !is_string (value))
    return bad (error, path, _("an original value has no path or value string"));
  name = json_node_get_string (file);
  if (!kvmrt_tune_path_allowed (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the tuning journal %s names \"%s\", which is not a file kvmrt tunes; "
                     "it was changed by someone else and kvmrt does not act on it. Check the "
                     "host, then remove the file"), path, name);
      return FALSE;
    }
  if (strchr (json_node_get_string (value), '\n') != NULL)
    return bad (error, path, _("an original value spans lines"));
  kvmrt_journal_set_original (journal, name, json_node_get_string (value));
  return TRUE;
}

/* A thread the tuner moved: its PID, start time, name and former affinity. */
static gboolean
read_thread (JsonNode *node, KvmrtJournal *journal, const char *path, GError **error)
{
  g_autoptr(KvmrtIdSet) cpus = kvmrt_id_set_new ();
  JsonObject *object;
  JsonNode *pid, *start, *comm;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, path, _("a thread is not an object"));
  object = json_node_get_object (node);
  pid = json_object_get_member (object, "pid");
  start = json_object_get_member (object, "start");
  comm = json_object_get_member (object, "comm");
  if (!is_int (pid) || json_node_get_int (pid) <= 0 || json_node_get_int (pid) > G_MAXINT
      || (start != NULL && (!is_int (start) || json_node_get_int (start) < 0))
      || (comm != NULL && !JSON_NODE_HOLDS_NULL (comm) && !is_string (comm))
      || json_object_get_member (object, "cpus") == NULL
      || !read_id_set (object, "cpus", cpus))
    return bad (error, path, _("a thread has no PID, or a start, name or CPU list of the "
                               "wrong type"));
  kvmrt_journal_set_thread (journal, (int) json_node_get_int (pid),
                            start != NULL ? (guint64) json_node_get_int (start) : 0,
                            is_string (comm) ? json_node_get_string (comm) : NULL, cpus);
  return TRUE;
}

/* A file root acts on must be root's alone: owned by root (or, for a user's own fixture tree,
 * by the user running kvmrt) and not writable by group or others, in a directory of the same
 * kind. A desktop user reading root's journal (the window, kvmrt-stat) trusts root's file. */
static gboolean
check_owner (const char *path, const struct stat *st, GError **error)
{
  g_autofree char *quoted = g_shell_quote (path);

  if ((st->st_uid == 0 || st->st_uid == geteuid ())
      && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               _("the tuning journal's %s %s is %s, so kvmrt does not trust it; if its "
                 "content is kvmrt's, fix it with: chown %u %s && chmod go-w %s (otherwise "
                 "check the host and remove it)"),
               S_ISDIR (st->st_mode) ? _("directory") : _("file"), path,
               st->st_uid != geteuid () ? _("owned by another user")
                                        : _("writable by others"),
               (unsigned) geteuid (), quoted, quoted);
  return FALSE;
}

/* Opens the journal's directory and the journal without following symbolic links: -1 and no
 * error when there is none, -1 with @error when it may not be trusted. */
static int
open_journal (const char *dir, const char *path, GError **error)
{
  struct stat st;
  int fd;

  if (lstat (dir, &st) != 0)
    return -1;
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not a directory (a symbolic link?), so kvmrt does not trust the "
                     "tuning journal in it; check the host, then remove it"), dir);
      return -1;
    }
  if (!check_owner (dir, &st, error))
    return -1;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return -1;
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      int saved = fd < 0 ? errno : EINVAL;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the tuning journal %s cannot be opened as a regular file (%s); kvmrt "
                     "does not follow links there. Check the host, then remove it"),
                   path, saved == ELOOP ? _("it is a symbolic link") : g_strerror (saved));
      return -1;
    }
  if (!check_owner (path, &st, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

KvmrtJournal *
kvmrt_journal_load (const char *sysroot, GError **error)
{
  g_autoptr(KvmrtJournal) journal = journal_new (sysroot);
  g_autofree char *dir = kvmrt_sysroot_path (sysroot, "run/kvmrt");
  g_autofree char *path = kvmrt_sysroot_path (sysroot, KVMRT_JOURNAL_PATH);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  JsonObject *root;
  JsonNode *vms, *originals, *threads;
  int fd;

  fd = open_journal (dir, path, &local_error);
  if (fd < 0 && local_error == NULL)
    {
      /* The name before 0.2, read once: the next save writes the new name. */
      g_free (path);
      path = kvmrt_sysroot_path (sysroot, KVMRT_JOURNAL_OLD_PATH);
      fd = open_journal (dir, path, &local_error);
      journal->old_name = fd >= 0;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (fd < 0)
    return g_steal_pointer (&journal);
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL
      || !json_parser_load_from_data (parser, g_mapped_file_get_contents (mapped) != NULL
                                              ? g_mapped_file_get_contents (mapped) : "",
                                      g_mapped_file_get_length (mapped), &local_error)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("the tuning journal %s cannot be read (%s): the host may still carry "
                     "changes kvmrt made; check it, then remove the file"),
                   path, local_error != NULL ? local_error->message : _("not an object"));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  vms = json_object_get_member (root, "vms");
  originals = json_object_get_member (root, "originals");
  threads = json_object_get_member (root, "threads");
  if ((vms != NULL && !JSON_NODE_HOLDS_ARRAY (vms))
      || (originals != NULL && !JSON_NODE_HOLDS_ARRAY (originals))
      || (threads != NULL && !JSON_NODE_HOLDS_ARRAY (threads)))
    {
      bad (error, path, _("vms, originals or threads is not a list"));
      return NULL;
    }
  for (guint i = 0; vms != NULL && i < json_array_get_length (json_node_get_array (vms)); i++)
    if (!read_vm (json_array_get_element (json_node_get_array (vms), i), journal, path, error))
      return NULL;
  for (guint i = 0;
       originals != NULL && i < json_array_get_length (json_node_get_array (originals)); i++)
    if (!read_original (json_array_get_element (json_node_get_array (originals), i), journal,
                        path, error))
      return NULL;
  for (guint i = 0;
       threads != NULL && i < json_array_get_length (json_node_get_array (threads)); i++)
    if (!read_thread (json_array_get_element (json_node_get_array (threads), i), journal, path,
                      error))
      return NULL;
  return g_steal_pointer (&journal);
}

void
kvmrt_journal_remove_leftovers (const char *sysroot)
{
  g_autofree char *path = kvmrt_sysroot_path (sysroot, KVMRT_JOURNAL_PATH ".new");
  g_autofree char *old = kvmrt_sysroot_path (sysroot, KVMRT_JOURNAL_OLD_PATH ".new");

  g_unlink (path);
  g_unlink (old);
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
      kvmrt_json_write_pci_addresses (&w, "pcidevs", vm->pcidevs);
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

static gboolean
remove_file (const char *path, GError **error)
{
  if (g_unlink (path) == 0 || errno == ENOENT)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("cannot remove the tuning journal %s: %s"), path, g_strerror (errno));
  return FALSE;
}

/* Writes the journal atomically: PATH.new (never through a link), fsync, rename. */
static gboolean
write_journal (KvmrtJournal *journal, const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *temp = g_strconcat (path, ".new", NULL);
  g_autofree char *text = to_json (journal);
  g_autoptr(GError) owner_error = NULL;
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (dir, 0755) != 0
      || (lstat (dir, &st) == 0 && !check_owner (dir, &st, &owner_error))
      || (fd = g_open (temp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("cannot write the tuning journal in %s: %s; nothing was changed"), dir,
                   owner_error != NULL ? owner_error->message : g_strerror (saved));
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

gboolean
kvmrt_journal_save (KvmrtJournal *journal, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (journal->sysroot, KVMRT_JOURNAL_PATH);
  g_autofree char *old = kvmrt_sysroot_path (journal->sysroot, KVMRT_JOURNAL_OLD_PATH);

  if (kvmrt_journal_is_empty (journal))
    {
      if (!remove_file (path, error) || !remove_file (old, error))
        return FALSE;
      journal->old_name = FALSE;
      remove_empty_dirs (journal->sysroot);
      return TRUE;
    }
  if (!write_journal (journal, path, error))
    return FALSE;
  /* Read under its old name: that file goes once the new one is written. */
  if (journal->old_name)
    {
      if (!remove_file (old, error))
        return FALSE;
      journal->old_name = FALSE;
    }
  return TRUE;
}

KvmrtTunedVm *
kvmrt_journal_lookup_vm (KvmrtJournal *journal, const char *uuid)
{
  for (guint i = 0; i < journal->vms->len; i++)
    if (g_str_equal (((KvmrtTunedVm *) journal->vms->pdata[i])->uuid, uuid))
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
