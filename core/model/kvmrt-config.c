/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-config.h"

#include "kvmrt-config-file.h"
#include "kvmrt-error.h"
#include "kvmrt-i18n.h"
#include "kvmrt-ini.h"
#include "kvmrt-uuid.h"
#include "kvmrt-vm-private.h"

#include <sys/file.h>
#include <unistd.h>

struct _KvmrtConfig {
  GObject          parent_instance;

  char            *path;
  GPtrArray       *preamble;       /* KvmrtIniEntry*: lines before the first section */
  GBytes          *text;           /* the file's text the preamble points into */
  GPtrArray       *vms;            /* KvmrtVm*, file order */
  KvmrtIniSection *defaults;       /* [DEFAULT], or NULL */
  guint            defaults_at;    /* [DEFAULT] is written before vms[defaults_at] */
  int              held_fd;        /* kvmrt_config_hold(), or -1 */
  gboolean         held_for_update; /* held_fd holds LOCK_EX (kvmrt_config_load_for_update) */
  /* What the file held when this configuration was read or last saved: a save to that file
   * is refused when another program changed it meanwhile. */
  gboolean         on_disk_known;
  GBytes          *on_disk;        /* NULL with on_disk_known: there was no file */
};

G_DEFINE_FINAL_TYPE (KvmrtConfig, kvmrt_config, G_TYPE_OBJECT)

enum {
  VM_ADDED,
  VM_REMOVED,
  REORDERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

KvmrtConfig *
kvmrt_config_new (void)
{
  return g_object_new (KVMRT_TYPE_CONFIG, NULL);
}

KvmrtConfig *
kvmrt_config_copy (KvmrtConfig *self)
{
  KvmrtConfig *copy;

  g_return_val_if_fail (KVMRT_IS_CONFIG (self), NULL);

  copy = kvmrt_config_new ();
  copy->text = self->text != NULL ? g_bytes_ref (self->text) : NULL;
  for (guint i = 0; i < self->preamble->len; i++)
    g_ptr_array_add (copy->preamble, kvmrt_ini_entry_copy (self->preamble->pdata[i]));
  copy->defaults = self->defaults != NULL ? kvmrt_ini_section_copy (self->defaults) : NULL;
  copy->defaults_at = self->defaults_at;
  g_ptr_array_set_size (copy->vms, 0);
  for (guint i = 0; i < self->vms->len; i++)
    g_ptr_array_add (copy->vms, kvmrt_vm_copy_with_defaults (self->vms->pdata[i],
                                                             copy->defaults));
  return copy;
}

KvmrtConfig *
kvmrt_config_load_from_data (const char  *data,
                             gssize       length,
                             const char  *display_name,
                             GError     **error)
{
  g_autoptr(KvmrtIniDocument) doc = NULL;
  g_autoptr(KvmrtConfig) self = NULL;

  if (length < 0)
    length = strlen (data);
  doc = kvmrt_ini_parse (data, length, display_name, error);
  if (doc == NULL)
    return NULL;

  self = kvmrt_config_new ();
  self->text = g_bytes_ref (doc->text);
  g_ptr_array_extend_and_steal (self->preamble, g_steal_pointer (&doc->preamble));
  doc->preamble = g_ptr_array_new ();

  /* Take the sections out of the document: they become the VMs' own. */
  g_ptr_array_set_free_func (doc->sections, NULL);
  for (guint i = 0; i < doc->sections->len; i++)
    {
      KvmrtIniSection *section = doc->sections->pdata[i];

      if (g_str_equal (section->name, "DEFAULT"))
        {
          self->defaults = section;
          self->defaults_at = self->vms->len;
          continue;
        }
      g_ptr_array_add (self->vms, kvmrt_vm_new_from_section (section, NULL));
    }
  if (self->defaults != NULL)
    for (guint i = 0; i < self->vms->len; i++)
      kvmrt_vm_set_defaults (self->vms->pdata[i], self->defaults);

  return g_steal_pointer (&self);
}

static KvmrtConfig *
load_read_text (const char *path, char *data, gsize length, GError **error)
{
  KvmrtConfig *self = kvmrt_config_load_from_data (data, length, path, error);

  if (self == NULL)
    {
      g_free (data);
      return NULL;
    }
  self->path = g_strdup (path);
  self->on_disk_known = TRUE;
  self->on_disk = g_bytes_new_take (data, length);
  return self;
}

GBytes *
kvmrt_config_read_file (const char *path, GError **error)
{
  char *data = NULL;
  gsize length;

  if (!kvmrt_config_file_read (path, &data, &length, error))
    return NULL;
  return g_bytes_new_take (data, length);
}

KvmrtConfig *
kvmrt_config_load (const char *path, GError **error)
{
  char *data = NULL;
  gsize length;

  if (!kvmrt_config_file_read (path, &data, &length, error))
    return NULL;
  return load_read_text (path, data, length, error);
}

KvmrtConfig *
kvmrt_config_load_for_update (const char *path, GError **error)
{
  char *data = NULL;
  gsize length;
  int fd = -1;
  KvmrtConfig *self;

  if (!kvmrt_config_file_read_for_update (path, &data, &length, &fd, error))
    return NULL;
  self = load_read_text (path, data, length, error);
  if (self == NULL)
    {
      close (fd);
      return NULL;
    }
  self->held_fd = fd;
  self->held_for_update = TRUE;
  return self;
}

void
kvmrt_config_expect_on_disk (KvmrtConfig *self, GBytes *content)
{
  g_return_if_fail (KVMRT_IS_CONFIG (self));

  g_clear_pointer (&self->on_disk, g_bytes_unref);
  self->on_disk_known = TRUE;
  self->on_disk = content != NULL ? g_bytes_ref (content) : NULL;
}

const char *
kvmrt_config_get_path (KvmrtConfig *self)
{
  g_return_val_if_fail (KVMRT_IS_CONFIG (self), NULL);
  return self->path;
}

guint
kvmrt_config_get_n_vms (KvmrtConfig *self)
{
  return self->vms->len;
}

KvmrtVm *
kvmrt_config_get_vm (KvmrtConfig *self, guint index)
{
  g_return_val_if_fail (index < self->vms->len, NULL);
  return self->vms->pdata[index];
}

int
kvmrt_config_index_of (KvmrtConfig *self, KvmrtVm *vm)
{
  guint index;

  return g_ptr_array_find (self->vms, vm, &index) ? (int) index : -1;
}

KvmrtVm *
kvmrt_config_lookup_uuid (KvmrtConfig *self, const char *uuid)
{
  char buffer[KVMRT_UUID_STRLEN];

  /* @uuid may come from the command line, in any case. */
  uuid = kvmrt_uuid_canonical (uuid, buffer);
  for (guint i = 0; i < self->vms->len; i++)
    if (g_str_equal (kvmrt_vm_get_uuid (self->vms->pdata[i]), uuid))
      return self->vms->pdata[i];
  return NULL;
}

KvmrtVm *
kvmrt_config_lookup (KvmrtConfig *self, const char *name_or_uuid)
{
  KvmrtVm *vm = kvmrt_config_lookup_uuid (self, name_or_uuid);

  for (guint i = 0; vm == NULL && i < self->vms->len; i++)
    if (g_strcmp0 (kvmrt_vm_get_name (self->vms->pdata[i]), name_or_uuid) == 0)
      vm = self->vms->pdata[i];
  return vm;
}

gboolean
kvmrt_config_add_vm (KvmrtConfig *self, KvmrtVm *vm, GError **error)
{
  if (kvmrt_config_lookup_uuid (self, kvmrt_vm_get_uuid (vm)) != NULL)
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_INVALID,
                   _("VM %s is already in the configuration"), kvmrt_vm_get_uuid (vm));
      return FALSE;
    }
  kvmrt_vm_set_defaults (vm, self->defaults);
  g_ptr_array_add (self->vms, g_object_ref (vm));
  g_signal_emit (self, signals[VM_ADDED], 0, vm);
  return TRUE;
}

void
kvmrt_config_remove_vm (KvmrtConfig *self, KvmrtVm *vm)
{
  int index = kvmrt_config_index_of (self, vm);

  if (index < 0)
    return;
  g_object_ref (vm);
  g_ptr_array_remove_index (self->vms, index);
  if (self->defaults_at > (guint) index)
    self->defaults_at--;
  g_signal_emit (self, signals[VM_REMOVED], 0, vm);
  g_object_unref (vm);
}

void
kvmrt_config_move_vm (KvmrtConfig *self, KvmrtVm *vm, guint new_index)
{
  int index = kvmrt_config_index_of (self, vm);

  if (index < 0 || (guint) index == new_index)
    return;
  new_index = MIN (new_index, self->vms->len - 1);
  g_ptr_array_steal_index (self->vms, index);
  g_ptr_array_insert (self->vms, new_index, vm);
  g_signal_emit (self, signals[REORDERED], 0);
}

const char *
kvmrt_config_get_default_value (KvmrtConfig *self, const char *key)
{
  const KvmrtIniEntry *entry;

  g_return_val_if_fail (KVMRT_IS_CONFIG (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->defaults == NULL)
    return NULL;
  entry = kvmrt_ini_section_lookup (self->defaults, key);
  return entry != NULL ? entry->value : NULL;
}

/* The VMs read inherited values through a borrowed pointer: tell them when it changes. */
static void
update_vm_defaults (KvmrtConfig *self)
{
  for (guint i = 0; i < self->vms->len; i++)
    kvmrt_vm_set_defaults (self->vms->pdata[i], self->defaults);
}

void
kvmrt_config_set_default_value (KvmrtConfig *self, const char *key, const char *value)
{
  KvmrtIniEntry *entry;

  g_return_if_fail (KVMRT_IS_CONFIG (self));
  g_return_if_fail (key != NULL);

  entry = self->defaults != NULL ? kvmrt_ini_section_lookup (self->defaults, key) : NULL;
  if (value == NULL)
    {
      gboolean empty = TRUE;

      if (entry == NULL)
        return;
      g_ptr_array_remove (self->defaults->entries, entry);
      for (guint i = 0; i < self->defaults->entries->len; i++)
        if (((KvmrtIniEntry *) self->defaults->entries->pdata[i])->kind != KVMRT_INI_BLANK)
          empty = FALSE;
      /* A section left with nothing but blank lines says nothing: it goes, blank lines and
       * all, so that setting a key and removing it again gives back the file as it was. */
      if (empty)
        {
          g_clear_pointer (&self->defaults, kvmrt_ini_section_free);
          self->defaults_at = 0;
        }
    }
  else if (entry != NULL)
    kvmrt_ini_entry_set_value (entry, value);
  else
    {
      if (self->defaults == NULL)
        {
          self->defaults = kvmrt_ini_section_new ("DEFAULT");
          self->defaults_at = 0;
        }
      kvmrt_ini_section_append (self->defaults, kvmrt_ini_entry_new_key (key, value));
    }
  update_vm_defaults (self);
}

/* Where a section kvmrt added meets another, keep them a blank line apart; sections read from
 * the file keep their own spacing. */
static void
write_section (KvmrtIniWriter *w, const KvmrtIniSection *section, gboolean *previous_new)
{
  if ((section->raw == NULL || *previous_new) && w->out->len > 0
      && !g_str_has_suffix (w->out->str, "\n\n"))
    g_string_append_c (w->out, '\n');
  kvmrt_ini_writer_section (w, section);
  *previous_new = section->raw == NULL;
}

char *
kvmrt_config_to_data (KvmrtConfig *self, gsize *length)
{
  GString *out = g_string_new (NULL);
  gboolean previous_new = FALSE;
  KvmrtIniWriter w;

  kvmrt_ini_writer_init (&w, out);
  for (guint i = 0; i < self->preamble->len; i++)
    kvmrt_ini_writer_entry (&w, self->preamble->pdata[i]);
  for (guint i = 0; i <= self->vms->len; i++)
    {
      if (self->defaults != NULL && self->defaults_at == i)
        write_section (&w, self->defaults, &previous_new);
      if (i == self->vms->len)
        break;
      write_section (&w, kvmrt_vm_get_section (self->vms->pdata[i]), &previous_new);
    }
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

/* The first key whose value differs between two sections (in order), or NULL when they agree
 * on every key and value. */
static const char *
first_difference (const KvmrtIniSection *a, const KvmrtIniSection *b)
{
  guint i = 0, j = 0;

  for (;;)
    {
      const KvmrtIniEntry *x = NULL, *y = NULL;

      while (i < a->entries->len
             && (x = a->entries->pdata[i])->kind != KVMRT_INI_KEY)
        x = NULL, i++;
      while (j < b->entries->len
             && (y = b->entries->pdata[j])->kind != KVMRT_INI_KEY)
        y = NULL, j++;
      if (x == NULL && y == NULL)
        return NULL;
      if (x == NULL || y == NULL)
        return x != NULL ? x->key : y->key;
      if (!g_str_equal (x->key_lower, y->key_lower) || !g_str_equal (x->value, y->value))
        return x->key;
      i++, j++;
    }
}

/* Whether @data, read back, is this configuration: same sections, keys and values. It is
 * checked on the very text that is written, so no edit (whatever its indentation or values)
 * can save something that reads differently. */
static gboolean
reads_back (KvmrtConfig *self, const char *data, gsize length, const char *path,
            GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(KvmrtConfig) copy = kvmrt_config_load_from_data (data, length, path, &parse_error);
  const char *section = NULL;
  const char *key = NULL;

  if (copy == NULL)
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_INVALID,
                   _("the text kvmrt would write to %s does not read back (%s); nothing was "
                     "written"), path, parse_error->message);
      return FALSE;
    }
  if ((self->defaults == NULL) != (copy->defaults == NULL))
    section = "DEFAULT";
  else if (self->defaults != NULL && (key = first_difference (self->defaults,
                                                              copy->defaults)) != NULL)
    section = "DEFAULT";
  else if (self->vms->len != copy->vms->len)
    section = _("(the list of VMs)");
  for (guint i = 0; section == NULL && i < self->vms->len; i++)
    {
      const KvmrtIniSection *a = kvmrt_vm_get_section (self->vms->pdata[i]);
      const KvmrtIniSection *b = kvmrt_vm_get_section (copy->vms->pdata[i]);

      if (!g_str_equal (a->name, b->name) || (key = first_difference (a, b)) != NULL)
        section = a->name;
    }
  if (section == NULL)
    return TRUE;
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_INVALID,
               _("the text kvmrt would write to %s reads back differently in [%s]%s%s, so "
                 "nothing was written; a value line that starts with '#' or ';' cannot be "
                 "kept in this file format"),
               path, section, key != NULL ? _(", key ") : "", key != NULL ? key : "");
  return FALSE;
}

gboolean
kvmrt_config_save (KvmrtConfig *self, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length;
  gboolean held;
  KvmrtConfigFileExpect expect = { FALSE, NULL };

  if (path == NULL)
    path = self->path;
  if (path == NULL)
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_IO,
                   _("the configuration has no file yet; choose where to save it"));
      return FALSE;
    }

  data = kvmrt_config_to_data (self, &length);
  if (!reads_back (self, data, length, path, error))
    return FALSE;
  held = self->held_fd >= 0 && g_strcmp0 (path, self->path) == 0;
  /* Saving where it was read (or a copy with no file of its own, the GUI's Apply): only over
   * what was read. Saving as another file replaces that file. */
  if (self->on_disk_known && (self->path == NULL || g_strcmp0 (path, self->path) == 0))
    {
      expect.check = TRUE;
      expect.content = self->on_disk;
    }
  if (!kvmrt_config_file_write (path, data, length, held ? self->held_fd : -1, &expect, error))
    return FALSE;

  if (g_strcmp0 (path, self->path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
    }
  g_clear_pointer (&self->on_disk, g_bytes_unref);
  self->on_disk_known = TRUE;
  self->on_disk = g_bytes_new_take (g_steal_pointer (&data), length);
  /* The held lock was on the file just replaced: hold the new one instead. */
  if (self->held_fd >= 0)
    {
      gboolean for_update = self->held_for_update;

      kvmrt_config_release (self);
      kvmrt_config_hold (self, NULL);
      if (for_update && self->held_fd >= 0 && flock (self->held_fd, LOCK_EX | LOCK_NB) == 0)
        self->held_for_update = TRUE;
    }
  return TRUE;
}

gboolean
kvmrt_config_hold (KvmrtConfig *self, GError **error)
{
  if (self->held_fd >= 0)
    return TRUE;
  if (self->path == NULL)
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_IO,
                   _("the configuration has no file to hold"));
      return FALSE;
    }
  self->held_fd = kvmrt_config_file_hold (self->path, error);
  return self->held_fd >= 0;
}

void
kvmrt_config_release (KvmrtConfig *self)
{
  if (self->held_fd >= 0)
    close (self->held_fd);
  self->held_fd = -1;
  self->held_for_update = FALSE;
}

static void
kvmrt_config_finalize (GObject *object)
{
  KvmrtConfig *self = KVMRT_CONFIG (object);

  kvmrt_config_release (self);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->preamble, g_ptr_array_unref);
  g_clear_pointer (&self->text, g_bytes_unref);
  g_clear_pointer (&self->on_disk, g_bytes_unref);
  g_clear_pointer (&self->vms, g_ptr_array_unref);
  g_clear_pointer (&self->defaults, kvmrt_ini_section_free);

  G_OBJECT_CLASS (kvmrt_config_parent_class)->finalize (object);
}

static void
kvmrt_config_class_init (KvmrtConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kvmrt_config_finalize;

  signals[VM_ADDED] = g_signal_new ("vm-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, KVMRT_TYPE_VM);
  signals[VM_REMOVED] = g_signal_new ("vm-removed", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                      KVMRT_TYPE_VM);
  signals[REORDERED] = g_signal_new ("reordered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kvmrt_config_init (KvmrtConfig *self)
{
  self->preamble = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_entry_free);
  self->vms = g_ptr_array_new_with_free_func (g_object_unref);
  self->held_fd = -1;
}
