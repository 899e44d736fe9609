/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The INI reader follows Python's configparser (RawConfigParser, strict, no interpolation):
 * its rules for comments, continuation lines and delimiters are what operators' files
 * already rely on. */
#include "kvmrt-ini.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#include <string.h>

KvmrtIniEntry *
kvmrt_ini_entry_new_key (const char *key, const char *value)
{
  KvmrtIniEntry *entry = g_new0 (KvmrtIniEntry, 1);

  entry->kind = KVMRT_INI_KEY;
  entry->key = g_strdup (key);
  entry->key_lower = g_ascii_strdown (key, -1);
  entry->value = g_strdup (value);
  return entry;
}

static KvmrtIniEntry *
entry_new_line (KvmrtIniKind kind, const char *raw, guint line)
{
  KvmrtIniEntry *entry = g_new0 (KvmrtIniEntry, 1);

  entry->kind = kind;
  entry->raw = g_strdup (raw);
  entry->line = line;
  return entry;
}

KvmrtIniEntry *
kvmrt_ini_entry_copy (const KvmrtIniEntry *entry)
{
  KvmrtIniEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->raw = g_strdup (entry->raw);
  copy->key = g_strdup (entry->key);
  copy->key_lower = g_strdup (entry->key_lower);
  copy->value = g_strdup (entry->value);
  return copy;
}

void
kvmrt_ini_entry_free (KvmrtIniEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->raw);
  g_free (entry->key);
  g_free (entry->key_lower);
  g_free (entry->value);
  g_free (entry);
}

void
kvmrt_ini_entry_set_value (KvmrtIniEntry *entry, const char *value)
{
  if (g_strcmp0 (entry->value, value) == 0)
    return;
  g_free (entry->value);
  entry->value = g_strdup (value);
  g_clear_pointer (&entry->raw, g_free);
}

void
kvmrt_ini_entry_write (const KvmrtIniEntry *entry, GString *out)
{
  if (entry->raw != NULL)
    {
      g_string_append (out, entry->raw);
      return;
    }
  g_assert (entry->kind == KVMRT_INI_KEY);
  g_string_append (out, entry->key);
  g_string_append (out, " =");
  if (entry->value[0] != '\0')
    {
      /* Continuation lines are indented with a TAB, as configparser writes them. */
      g_auto(GStrv) lines = g_strsplit (entry->value, "\n", -1);

      g_string_append_c (out, ' ');
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (out, "\n\t");
          g_string_append (out, lines[i]);
        }
    }
  g_string_append_c (out, '\n');
}

KvmrtIniSection *
kvmrt_ini_section_new (const char *name)
{
  KvmrtIniSection *section = g_new0 (KvmrtIniSection, 1);

  section->name = g_strdup (name);
  section->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_entry_free);
  return section;
}

void
kvmrt_ini_section_free (KvmrtIniSection *section)
{
  if (section == NULL)
    return;
  g_free (section->name);
  g_free (section->raw);
  g_ptr_array_unref (section->entries);
  g_free (section);
}

void
kvmrt_ini_section_write (const KvmrtIniSection *section, GString *out)
{
  if (section->raw != NULL)
    g_string_append (out, section->raw);
  else
    g_string_append_printf (out, "[%s]\n", section->name);
  for (guint i = 0; i < section->entries->len; i++)
    kvmrt_ini_entry_write (section->entries->pdata[i], out);
}

KvmrtIniEntry *
kvmrt_ini_section_lookup (const KvmrtIniSection *section, const char *key)
{
  for (guint i = 0; i < section->entries->len; i++)
    {
      KvmrtIniEntry *entry = section->entries->pdata[i];

      if (entry->kind == KVMRT_INI_KEY && g_ascii_strcasecmp (entry->key_lower, key) == 0)
        return entry;
    }
  return NULL;
}

void
kvmrt_ini_section_append (KvmrtIniSection *section, KvmrtIniEntry *entry)
{
  guint at = section->entries->len;

  while (at > 0 && ((KvmrtIniEntry *) section->entries->pdata[at - 1])->kind != KVMRT_INI_KEY)
    at--;
  /* A section with no keys yet: keep its leading comments above the new key. */
  if (at == 0)
    at = section->entries->len;
  g_ptr_array_insert (section->entries, at, entry);
}

void
kvmrt_ini_document_free (KvmrtIniDocument *doc)
{
  if (doc == NULL)
    return;
  g_ptr_array_unref (doc->preamble);
  g_ptr_array_unref (doc->sections);
  g_free (doc);
}

/* ---- parsing ---- */

typedef struct {
  const char       *filename;
  KvmrtIniDocument *doc;
  KvmrtIniSection  *section;    /* current section, NULL before the first */
  KvmrtIniEntry    *key;        /* key entry that continuation lines extend, or NULL */
  GPtrArray        *value;      /* parts of that key's value (char*) */
  guint             indent;     /* indentation of the last header or key line */
  GPtrArray        *pending;    /* blank/comment entries not yet known to be in a value */
  GHashTable       *names;      /* lower-cased section names seen */
  GHashTable       *keys;       /* lower-cased keys of the current section */
} Parser;

static GPtrArray *
current_list (Parser *p)
{
  return p->section != NULL ? p->section->entries : p->doc->preamble;
}

static void
finish_value (Parser *p)
{
  if (p->key != NULL)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (p->value, NULL);
      joined = g_strjoinv ("\n", (char **) p->value->pdata);
      g_free (p->key->value);
      p->key->value = g_strdup (g_strchomp (joined));
      g_ptr_array_set_size (p->value, 0);
    }
  p->key = NULL;
}

static void
flush_pending (Parser *p)
{
  GPtrArray *list = current_list (p);

  for (guint i = 0; i < p->pending->len; i++)
    g_ptr_array_add (list, p->pending->pdata[i]);
  g_ptr_array_set_size (p->pending, 0);
}

/* A line's text shown in an error, shortened so a binary file does not flood the terminal. */
static char *
quote_line (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  if (g_utf8_strlen (valid, -1) > 60)
    {
      char *end = g_utf8_offset_to_pointer (valid, 57);

      return g_strdup_printf ("'%.*s...'", (int) (end - valid), valid);
    }
  return g_strdup_printf ("'%s'", valid);
}

static gboolean
fail (Parser *p, guint line, GError **error, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (Parser *p, guint line, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX, "%s:%u: %s",
               p->filename, line, message);
  return FALSE;
}

static gboolean
parse_line (Parser *p, const char *raw, const char *text, guint line, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  guint indent = 0;
  const char *delim;

  while (text[indent] == ' ' || text[indent] == '\t' || text[indent] == '\f'
         || text[indent] == '\v' || text[indent] == '\r')
    indent++;

  if (stripped[0] == '#' || stripped[0] == ';')
    {
      /* Comments never end or join a value; they only wait to see where they belong. */
      g_ptr_array_add (p->pending, entry_new_line (KVMRT_INI_COMMENT, raw, line));
      return TRUE;
    }
  if (stripped[0] == '\0')
    {
      g_ptr_array_add (p->pending, entry_new_line (KVMRT_INI_BLANK, raw, line));
      return TRUE;
    }

  if (p->key != NULL && indent > p->indent)
    {
      /* A continuation: the blank lines before it are empty lines of the value, and every
       * waiting line becomes part of the key's text. */
      GString *joined = g_string_new (p->key->raw);

      for (guint i = 0; i < p->pending->len; i++)
        {
          KvmrtIniEntry *waiting = p->pending->pdata[i];

          if (waiting->kind == KVMRT_INI_BLANK)
            g_ptr_array_add (p->value, g_strdup (""));
          g_string_append (joined, waiting->raw);
        }
      g_ptr_array_set_size (p->pending, 0);
      g_string_append (joined, raw);
      g_free (p->key->raw);
      p->key->raw = g_string_free (joined, FALSE);
      g_ptr_array_add (p->value, g_strdup (stripped));
      return TRUE;
    }

  finish_value (p);
  flush_pending (p);
  p->indent = indent;

  if (stripped[0] == '[' && strrchr (stripped, ']') > stripped + 1)
    {
      const char *close = strrchr (stripped, ']');
      g_autofree char *name = g_strndup (stripped + 1, close - stripped - 1);
      g_autofree char *lower = g_ascii_strdown (name, -1);
      KvmrtIniSection *section;

      if (close[1] != '\0')
        return fail (p, line, error, _("text after the section header %s; a header line is "
                                       "only [NAME]"), stripped);
      if (!g_hash_table_add (p->names, g_steal_pointer (&lower)))
        return fail (p, line, error, _("section [%s] appears a second time; each VM may have "
                                       "one section only, so merge the two"), name);
      section = kvmrt_ini_section_new (name);
      section->raw = g_strdup (raw);
      section->line = line;
      g_ptr_array_add (p->doc->sections, section);
      p->section = section;
      g_hash_table_remove_all (p->keys);
      return TRUE;
    }

  if (p->section == NULL)
    {
      g_autofree char *shown = quote_line (stripped);

      return fail (p, line, error, _("%s comes before any section header; every setting "
                                     "belongs in a section such as [VM-UUID]"), shown);
    }

  delim = strpbrk (stripped, "=:");
  if (delim == NULL)
    {
      g_autofree char *shown = quote_line (stripped);

      return fail (p, line, error, _("%s has no '=' or ':'; write it as 'key = value'"), shown);
    }
  {
    g_autofree char *key = g_strstrip (g_strndup (stripped, delim - stripped));
    g_autofree char *key_lower = g_ascii_strdown (key, -1);
    g_autofree char *value = g_strstrip (g_strdup (delim + 1));
    KvmrtIniEntry *entry;

    if (key[0] == '\0')
      {
        g_autofree char *shown = quote_line (stripped);

        return fail (p, line, error, _("%s has no key before '%c'; write it as 'key = value'"),
                     shown, *delim);
      }
    if (!g_hash_table_add (p->keys, g_strdup (key_lower)))
      return fail (p, line, error, _("'%s' is set a second time in section [%s]; keep one of "
                                     "the two lines"), key, p->section->name);

    entry = kvmrt_ini_entry_new_key (key, NULL);
    entry->raw = g_strdup (raw);
    entry->line = line;
    g_ptr_array_add (p->section->entries, entry);
    p->key = entry;
    g_ptr_array_add (p->value, g_steal_pointer (&value));
  }
  return TRUE;
}

KvmrtIniDocument *
kvmrt_ini_parse (const char  *data,
                 gsize        length,
                 const char  *filename,
                 GError     **error)
{
  Parser p = { filename };
  const char *pos = data;
  const char *end = data + length;
  gboolean ok = TRUE;

  p.doc = g_new0 (KvmrtIniDocument, 1);
  p.doc->preamble = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_entry_free);
  p.doc->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_section_free);
  p.value = g_ptr_array_new_with_free_func (g_free);
  p.pending = g_ptr_array_new ();
  p.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX,
                   _("%s: contains NUL bytes; this is not a text configuration file"), filename);
      ok = FALSE;
    }

  for (guint line = 1; ok && pos < end; line++)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *stop = nl != NULL ? nl : end;
      g_autofree char *text = g_strndup (pos, stop - pos);
      /* Each raw line ends in "\n", even the last line of a file that lacks one. */
      g_autofree char *raw = g_strconcat (text, "\n", NULL);

      if (!g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX,
                       _("%s:%u: the line is not valid UTF-8; save the file as UTF-8"),
                       filename, line);
          ok = FALSE;
          break;
        }
      ok = parse_line (&p, raw, text, line, error);
      pos = stop + 1;
    }

  if (ok)
    {
      finish_value (&p);
      flush_pending (&p);
    }
  else
    {
      g_ptr_array_set_free_func (p.pending, (GDestroyNotify) kvmrt_ini_entry_free);
      g_clear_pointer (&p.doc, kvmrt_ini_document_free);
    }

  g_ptr_array_unref (p.value);
  g_ptr_array_unref (p.pending);
  g_hash_table_unref (p.names);
  g_hash_table_unref (p.keys);
  return p.doc;
}
