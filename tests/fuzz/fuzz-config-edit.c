/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the INI reader and the edit round trip. Each input is a configuration
 * file; when it parses, a handful of edits chosen from the input's own bytes (values set,
 * keys added and removed, in VM sections and [DEFAULT], a VM added) are made through the
 * public API, and the text kvmrt would write must read back to exactly the keys and values of
 * the edited configuration, each set value being the requested one as the file format keeps
 * it (lines stripped, trailing empty lines dropped). A value with a line that starts with '#'
 * or ';' cannot be kept by the format: saving refuses it (kvmrt_config_save()), so the check
 * then is that the text does not read back the same. Any difference aborts. */
#include <kvmrt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kvmrt-ini.h"
#include "kvmrt-vm-private.h"

static const char *const attr_keys[] = {
  "name", "title", "description", "nr_vcpus", "cpu_topology", "cpuset", "rt", "rt_memory",
  "numatune", "hide_kvm", "autostart", "disabled", "pcidevs", "comments", "owner", "x_fuzz",
};

typedef struct {
  const uint8_t *data;
  size_t         size;
  guint32        state;
} Source;

static guint32
next (Source *s)
{
  /* xorshift: deterministic for an input, so a crash reproduces. */
  s->state ^= s->state << 13;
  s->state ^= s->state >> 17;
  s->state ^= s->state << 5;
  return s->state;
}

/* A value made of the input's bytes, with line breaks and spaces mixed in. */
static char *
make_value (Source *s)
{
  GString *value = g_string_new (NULL);
  guint pieces = next (s) % 4;

  for (guint i = 0; i < pieces; i++)
    {
      size_t length = s->size > 0 ? next (s) % MIN (s->size, 40) : 0;
      size_t at = s->size > length ? next (s) % (s->size - length) : 0;
      static const char *const glue[] = { "", "\n", " ", "\n\n", "  \n", "\t", "\r\n" };

      for (size_t b = 0; b < length; b++)
        g_string_append_c (value, s->data[at + b] != '\0' ? (char) s->data[at + b] : 'x');
      g_string_append (value, glue[next (s) % G_N_ELEMENTS (glue)]);
    }
  {
    char *valid = g_utf8_make_valid (value->str, value->len);

    g_string_free (value, TRUE);
    return valid;
  }
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* What the file can keep of @value: each line stripped, trailing empty lines dropped. Sets
 * *unkeepable when a line after the first starts with a comment character. */
static char *
as_kept (const char *value, gboolean *unkeepable)
{
  g_auto(GStrv) lines = g_strsplit (value, "\n", -1);
  GString *out = g_string_new (NULL);
  gsize keep = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *start = lines[i];
      char *end = start + strlen (start);

      while (start < end && is_space (*start))
        start++;
      while (end > start && is_space (end[-1]))
        end--;
      if (i > 0)
        g_string_append_c (out, '\n');
      g_string_append_len (out, start, end - start);
      if (end > start)
        keep = out->len;
      if (i > 0 && end > start && (*start == '#' || *start == ';'))
        *unkeepable = TRUE;
    }
  g_string_truncate (out, keep);
  return g_string_free (out, FALSE);
}

/* Every key and value of @a, in order, equals @b's. */
static gboolean
same_section (const KvmrtIniSection *a, const KvmrtIniSection *b)
{
  guint i = 0, j = 0;

  for (;;)
    {
      while (i < a->entries->len && ((KvmrtIniEntry *) a->entries->pdata[i])->kind != KVMRT_INI_KEY)
        i++;
      while (j < b->entries->len && ((KvmrtIniEntry *) b->entries->pdata[j])->kind != KVMRT_INI_KEY)
        j++;
      if (i == a->entries->len || j == b->entries->len)
        return i == a->entries->len && j == b->entries->len;
      if (!g_str_equal (((KvmrtIniEntry *) a->entries->pdata[i])->key_lower,
                        ((KvmrtIniEntry *) b->entries->pdata[j])->key_lower)
          || !g_str_equal (((KvmrtIniEntry *) a->entries->pdata[i])->value,
                           ((KvmrtIniEntry *) b->entries->pdata[j])->value))
        return FALSE;
      i++, j++;
    }
}

static const char *
value_of (const KvmrtIniSection *section, const char *key)
{
  const KvmrtIniEntry *entry = kvmrt_ini_section_lookup (section, key);

  return entry != NULL ? entry->value : NULL;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(KvmrtConfig) config = kvmrt_config_load_from_data ((const char *) data, size,
                                                               "fuzz.cfg", NULL);
  g_autoptr(KvmrtConfig) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Source s = { data, size, 2166136261u };
  gboolean unkeepable = FALSE;
  gsize length = 0;
  guint edits;

  if (config == NULL)
    return 0;
  for (size_t i = 0; i < size; i++)
    s.state = (s.state ^ data[i]) * 16777619u;
  if (s.state == 0)
    s.state = 1;
  edits = 1 + next (&s) % 6;
  for (guint e = 0; e < edits; e++)
    {
      guint n = kvmrt_config_get_n_vms (config);
      guint what = next (&s) % 10;
      const char *key = attr_keys[next (&s) % G_N_ELEMENTS (attr_keys)];
      g_autofree char *value = make_value (&s);
      g_autofree char *kept = NULL;

      if (what == 0)
        {
          g_autofree char *uuid = g_strdup_printf ("fuzz-%u", e);
          g_autoptr(KvmrtVm) vm = kvmrt_vm_new (uuid);

          kvmrt_config_add_vm (config, vm, NULL);
          continue;
        }
      if (what <= 2 || n == 0)
        {
          const char *set;

          /* kvmrt refuses section names that differ only in case: next to a VM section
           * named [default] (any case), a new [DEFAULT] cannot be written (saving refuses). */
          for (guint i = 0; i < n; i++)
            if (g_ascii_strcasecmp (kvmrt_vm_get_uuid (kvmrt_config_get_vm (config, i)),
                                    "DEFAULT") == 0)
              unkeepable = TRUE;

          kvmrt_config_set_default_value (config, key, what == 1 ? NULL : value);
          set = kvmrt_config_get_default_value (config, key);
          if (what == 1)
            {
              if (set != NULL)
                abort ();
              continue;
            }
          kept = as_kept (value, &unkeepable);
          if (g_strcmp0 (set, kept) != 0)
            abort ();
          continue;
        }
      {
        KvmrtVm *vm = kvmrt_config_get_vm (config, next (&s) % n);
        const KvmrtIniSection *section = kvmrt_vm_get_section (vm);

        kvmrt_vm_set_extra (vm, key, what == 3 ? NULL : value);
        if (what == 3)
          {
            if (value_of (section, key) != NULL)
              abort ();
            continue;
          }
        kept = as_kept (value, &unkeepable);
        if (g_strcmp0 (value_of (section, key), kept) != 0)
          abort ();
      }
    }

  text = kvmrt_config_to_data (config, &length);
  again = kvmrt_config_load_from_data (text, length, "fuzz.cfg", &error);
  if (g_getenv ("KVMRT_FUZZ_DEBUG") != NULL)
    g_printerr ("---- written:\n%s---- %s\n", text, error != NULL ? error->message : "reads");
  if (again == NULL)
    {
      if (unkeepable)
        return 0;
      abort ();
    }
  {
    gboolean same = kvmrt_config_get_n_vms (again) == kvmrt_config_get_n_vms (config);

    for (guint i = 0; same && i < kvmrt_config_get_n_vms (config); i++)
      same = same_section (kvmrt_vm_get_section (kvmrt_config_get_vm (config, i)),
                           kvmrt_vm_get_section (kvmrt_config_get_vm (again, i)));
    for (guint k = 0; same && k < G_N_ELEMENTS (attr_keys); k++)
      same = g_strcmp0 (kvmrt_config_get_default_value (config, attr_keys[k]),
                        kvmrt_config_get_default_value (again, attr_keys[k])) == 0;
    if (!same && !unkeepable)
      abort ();
  }
  return 0;
}
