/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The INI reader follows Python's configparser (RawConfigParser, strict, no interpolation):
 * its rules for comments, continuation lines and delimiters are what operators' files
 * already rely on. */
#include "kvmrt-ini.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#include <string.h>

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* The whitespace an entry's first line starts with. */
static char *
leading_space (const char *raw, gsize length)
{
  gsize n = 0;

  while (n < length && is_space (raw[n]))
    n++;
  return g_strndup (raw, n);
}

/* @value as the file gives it back: the reader strips each line and ends a value at its last
 * non-empty line, so the model keeps the same text the file will hold. */
static char *
normalize_value (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));
  gsize keep = 0;

  for (const char *line = value; ; )
    {
      const char *nl = strchr (line, '\n');
      const char *end = nl != NULL ? nl : line + strlen (line);
      const char *start = line;

      while (start < end && is_space (*start))
        start++;
      while (end > start && is_space (end[-1]))
        end--;
      if (line != value)
        g_string_append_c (out, '\n');
      g_string_append_len (out, start, end - start);
      if (end > start)
        keep = out->len;
      if (nl == NULL)
        break;
      line = nl + 1;
    }
  g_string_truncate (out, keep);
  return g_string_free (out, FALSE);
}

KvmrtIniEntry *
kvmrt_ini_entry_new_key (const char *key, const char *value)
{
  KvmrtIniEntry *entry = g_new0 (KvmrtIniEntry, 1);

  entry->kind = KVMRT_INI_KEY;
  entry->key = g_strdup (key);
  entry->key_lower = g_ascii_strdown (key, -1);
  entry->value = normalize_value (value);
  return entry;
}

static KvmrtIniEntry *
entry_new_line (KvmrtIniKind kind, const char *raw, gsize raw_length, guint line)
{
  KvmrtIniEntry *entry = g_new0 (KvmrtIniEntry, 1);

  entry->kind = kind;
  entry->raw = raw;
  entry->raw_length = raw_length;
  entry->line = line;
  return entry;
}

KvmrtIniEntry *
kvmrt_ini_entry_copy (const KvmrtIniEntry *entry)
{
  KvmrtIniEntry *copy = g_memdup2 (entry, sizeof *entry);

  copy->raw_owned = entry->raw ? g_strndup (entry->raw, entry->raw_length) : NULL;
  copy->raw = copy->raw_owned;
  copy->inline_key = FALSE;
  copy->inline_value = NULL;
  copy->key = g_strdup (entry->key);
  copy->key_lower = g_strdup (entry->key_lower);
  copy->value = g_strdup (entry->value);
  copy->indent = g_strdup (entry->indent);
  return copy;
}

void
kvmrt_ini_entry_free (KvmrtIniEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->raw_owned);
  g_free (entry->indent);
  if (!entry->inline_key)
    {
      g_free (entry->key);
      g_free (entry->key_lower);
    }
  if (entry->value != entry->inline_value)
    g_free (entry->value);
  g_free (entry);
}

void
kvmrt_ini_entry_set_value (KvmrtIniEntry *entry, const char *value)
{
  g_autofree char *normal = normalize_value (value);

  if (g_strcmp0 (entry->value, normal) == 0)
    return;
  if (entry->value != entry->inline_value)
    g_free (entry->value);
  entry->value = g_steal_pointer (&normal);
  if (entry->raw != NULL && entry->indent == NULL)
    entry->indent = leading_space (entry->raw, entry->raw_length);
  entry->raw = NULL;
  g_clear_pointer (&entry->raw_owned, g_free);
}

void
kvmrt_ini_writer_init (KvmrtIniWriter *w, GString *out)
{
  w->out = out;
  w->key_indent = -1;
}

static gsize
leading_length (const char *text, gsize length)
{
  gsize n = 0;

  while (n < length && is_space (text[n]))
    n++;
  return n;
}

/* A key or header line indented deeper than the key before it would read as that key's
 * continuation; edits can bring such lines together (a key added before an indented header,
 * sections reordered), so the writer keeps every such line at most as deep as that key. A file
 * as it was read never needs this, and is written back byte for byte. */
static gsize
allowed_indent (KvmrtIniWriter *w, gsize wanted)
{
  return w->key_indent >= 0 && wanted > (gsize) w->key_indent ? (gsize) w->key_indent : wanted;
}

/* A key line kvmrt writes starts with the indentation the key had, or for a new key the
 * indentation of the key it follows: at column 0 in an indented file, the indented lines after
 * it would read as continuation lines of its value. Continuation lines go one TAB further. */
void
kvmrt_ini_writer_entry (KvmrtIniWriter *w, const KvmrtIniEntry *entry)
{
  GString *out = w->out;
  const char *indent = entry->indent != NULL ? entry->indent : "";
  gsize indent_length;

  if (entry->raw != NULL)
    {
      const char *raw = entry->raw;
      gsize length = entry->raw_length;

      if (entry->kind == KVMRT_INI_KEY)
        {
          gsize lead = leading_length (raw, length);
          gsize keep = allowed_indent (w, lead);

          g_string_append_len (out, raw, keep);
          raw += lead;
          length -= lead;
          w->key_indent = keep;
        }
      g_string_append_len (out, raw, length);
      if (length == 0 || raw[length - 1] != '\n')
        g_string_append_c (out, '\n');
      return;
    }
  g_assert (entry->kind == KVMRT_INI_KEY);
  indent_length = allowed_indent (w, strlen (indent));
  w->key_indent = indent_length;
  g_string_append_len (out, indent, indent_length);
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
            {
              g_string_append_c (out, '\n');
              g_string_append_len (out, indent, indent_length);
              g_string_append_c (out, '\t');
            }
          g_string_append (out, lines[i]);
        }
    }
  g_string_append_c (out, '\n');
}

void
kvmrt_ini_writer_section (KvmrtIniWriter *w, const KvmrtIniSection *section)
{
  if (section->raw != NULL)
    {
      gsize length = strlen (section->raw);
      gsize lead = leading_length (section->raw, length);

      /* Deeper than the key before it: at column 0 instead (a header is never a value). */
      g_string_append (w->out, section->raw + (allowed_indent (w, lead) < lead ? lead : 0));
      if (!g_str_has_suffix (section->raw, "\n"))
        g_string_append_c (w->out, '\n');
    }
  else
    g_string_append_printf (w->out, "[%s]\n", section->name);
  w->key_indent = -1;
  for (guint i = 0; i < section->entries->len; i++)
    kvmrt_ini_writer_entry (w, section->entries->pdata[i]);
}

void
kvmrt_ini_entry_write (const KvmrtIniEntry *entry, GString *out)
{
  KvmrtIniWriter w;

  kvmrt_ini_writer_init (&w, out);
  kvmrt_ini_writer_entry (&w, entry);
}

KvmrtIniSection *
kvmrt_ini_section_new (const char *name)
{
  KvmrtIniSection *section = g_new0 (KvmrtIniSection, 1);

  section->name = g_strdup (name);
  section->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_entry_free);
  return section;
}

KvmrtIniSection *
kvmrt_ini_section_copy (const KvmrtIniSection *section)
{
  KvmrtIniSection *copy = kvmrt_ini_section_new (section->name);

  copy->raw = g_strdup (section->raw);
  copy->text = section->text != NULL ? g_bytes_ref (section->text) : NULL;
  copy->line = section->line;
  g_ptr_array_set_size (copy->entries, 0);
  for (guint i = 0; i < section->entries->len; i++)
    g_ptr_array_add (copy->entries, kvmrt_ini_entry_copy (section->entries->pdata[i]));
  return copy;
}

void
kvmrt_ini_section_free (KvmrtIniSection *section)
{
  if (section == NULL)
    return;
  g_free (section->name);
  g_free (section->raw);
  g_ptr_array_unref (section->entries);
  g_clear_pointer (&section->text, g_bytes_unref);
  g_free (section);
}

void
kvmrt_ini_section_write (const KvmrtIniSection *section, GString *out)
{
  KvmrtIniWriter w;

  kvmrt_ini_writer_init (&w, out);
  kvmrt_ini_writer_section (&w, section);
}

static gboolean
has_upper (const char *text)
{
  for (; *text; text++)
    if (g_ascii_isupper (*text))
      return TRUE;
  return FALSE;
}

KvmrtIniEntry *
kvmrt_ini_section_lookup (const KvmrtIniSection *section, const char *key)
{
  g_autofree char *lower = has_upper (key) ? g_ascii_strdown (key, -1) : NULL;

  if (lower != NULL)
    key = lower;
  for (guint i = 0; i < section->entries->len; i++)
    {
      KvmrtIniEntry *entry = section->entries->pdata[i];

      if (entry->kind == KVMRT_INI_KEY && strcmp (entry->key_lower, key) == 0)
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
  if (entry->indent == NULL)
    {
      const KvmrtIniEntry *before = NULL;

      for (guint i = at; i > 0 && before == NULL; i--)
        if (((KvmrtIniEntry *) section->entries->pdata[i - 1])->kind == KVMRT_INI_KEY)
          before = section->entries->pdata[i - 1];
      if (before != NULL && before->raw != NULL)
        entry->indent = leading_space (before->raw, before->raw_length);
      else if (before != NULL)
        entry->indent = g_strdup (before->indent);
      else if (section->raw != NULL)
        entry->indent = leading_space (section->raw, strlen (section->raw));
    }
  g_ptr_array_insert (section->entries, at, entry);
}

void
kvmrt_ini_document_free (KvmrtIniDocument *doc)
{
  if (doc == NULL)
    return;
  g_ptr_array_unref (doc->preamble);
  g_ptr_array_unref (doc->sections);
  g_clear_pointer (&doc->text, g_bytes_unref);
  g_free (doc);
}

/* ---- parsing ---- */

typedef struct {
  const char       *filename;
  KvmrtIniDocument *doc;
  KvmrtIniSection  *section;    /* current section, NULL before the first */
  KvmrtIniEntry    *key;        /* key entry that continuation lines extend, or NULL */
  GString          *value;      /* the key's value while continuation lines extend it */
  guint             indent;     /* indentation of the last header or key line */
  /* Blank and comment lines not yet known to be in a value: one run of lines, which becomes
   * one entry (a file of blank lines costs one allocation, not one per line). */
  const char       *run_start;  /* NULL when there is none */
  const char       *run_end;
  guint             run_line;
  guint             run_blanks;
  gboolean          run_comment;
  GHashTable       *names;      /* lower-cased section names seen */
} Parser;

static void
add_to_run (Parser *p, const char *text, const char *raw_end, guint line, gboolean comment)
{
  if (p->run_start == NULL)
    {
      p->run_start = text;
      p->run_line = line;
      p->run_blanks = 0;
      p->run_comment = FALSE;
    }
  p->run_end = raw_end;
  if (comment)
    p->run_comment = TRUE;
  else
    p->run_blanks++;
}

static void
flush_pending (Parser *p)
{
  GPtrArray *list = p->section != NULL ? p->section->entries : p->doc->preamble;

  if (p->run_start == NULL)
    return;
  g_ptr_array_add (list, entry_new_line (p->run_comment ? KVMRT_INI_COMMENT : KVMRT_INI_BLANK,
                                         p->run_start, p->run_end - p->run_start,
                                         p->run_line));
  p->run_start = NULL;
}

/* The current key's value is complete: store what continuation lines added. */
static void
end_value (Parser *p)
{
  if (p->value != NULL)
    {
      if (p->key->value != p->key->inline_value)
        g_free (p->key->value);
      p->key->value = g_string_free (g_steal_pointer (&p->value), FALSE);
    }
  p->key = NULL;
}

/* A line's text shown in an error, shortened so a binary file does not flood the terminal. */
static char *
quote_line (const char *text, gsize length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);

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

/* A continuation of p->key: the blank lines before it are empty lines of the value, and every
 * waiting line becomes part of the key's text. The value grows in one buffer, so a long run
 * of continuation lines costs linear time. */
static void
continue_value (Parser *p, const char *line_end, const char *start, gsize length)
{
  if (p->value == NULL)
    p->value = g_string_new (p->key->value);
  if (p->run_start != NULL)
    {
      for (guint i = 0; i < p->run_blanks; i++)
        g_string_append_c (p->value, '\n');
      p->run_start = NULL;
    }
  g_string_append_c (p->value, '\n');
  g_string_append_len (p->value, start, length);

  /* The key's text now runs on to the end of this line: the lines are contiguous. */
  p->key->raw_length = line_end - p->key->raw;
}

static gboolean
parse_section (Parser *p, const char *raw, const char *raw_end, const char *start, gsize length,
               guint line, GError **error)
{
  const char *close = g_strrstr_len (start, length, "]");
  g_autofree char *name = g_strndup (start + 1, close - start - 1);
  g_autofree char *lower = g_ascii_strdown (name, -1);
  KvmrtIniSection *section;

  if (close != start + length - 1)
    {
      g_autofree char *shown = quote_line (start, length);

      return fail (p, line, error, _("text after the section header in %s; a header line is "
                                     "only [NAME]"), shown);
    }
  if (!g_hash_table_add (p->names, g_steal_pointer (&lower)))
    {
      return fail (p, line, error, _("section [%s] appears a second time; each VM may have "
                                     "one section only, so merge the two"), name);
    }
  section = kvmrt_ini_section_new (name);
  section->raw = g_strndup (raw, raw_end - raw);
  section->line = line;
  section->text = g_bytes_ref (p->doc->text);
  g_ptr_array_add (p->doc->sections, section);
  p->section = section;
  return TRUE;
}

static gboolean
parse_key (Parser *p, const char *raw, const char *raw_end, const char *start, gsize length,
           guint line, GError **error)
{
  const char *end = start + length;
  const char *delim = start;
  const char *key_end;
  const char *value;
  KvmrtIniEntry *entry;

  while (delim < end && *delim != '=' && *delim != ':')
    delim++;
  if (delim == end)
    {
      g_autofree char *shown = quote_line (start, length);

      return fail (p, line, error, _("%s has no '=' or ':'; write it as 'key = value'"), shown);
    }
  for (key_end = delim; key_end > start && is_space (key_end[-1]); key_end--)
    ;
  if (key_end == start)
    {
      g_autofree char *shown = quote_line (start, length);

      return fail (p, line, error, _("%s has no key before '%c'; write it as 'key = value'"),
                   shown, *delim);
    }
  for (value = delim + 1; value < end && is_space (*value); value++)
    ;

  {
    gsize key_length = key_end - start;
    gsize value_length = end - value;
    char *strings;

    entry = g_malloc0 (sizeof *entry + 2 * (key_length + 1) + value_length + 1);
    strings = (char *) (entry + 1);
    entry->key = memcpy (strings, start, key_length);
    entry->key_lower = strings + key_length + 1;
    for (gsize i = 0; i < key_length; i++)
      entry->key_lower[i] = g_ascii_tolower (start[i]);
    entry->value = memcpy (strings + 2 * (key_length + 1), value, value_length);
    entry->inline_key = TRUE;
    entry->inline_value = entry->value;
  }
  entry->kind = KVMRT_INI_KEY;
  entry->raw = raw;
  entry->raw_length = raw_end - raw;
  entry->line = line;

  if (kvmrt_ini_section_lookup (p->section, entry->key_lower) != NULL)
    {
      gboolean ok = fail (p, line, error, _("'%s' is set a second time in section [%s]; keep "
                                            "one of the two lines"),
                          entry->key, p->section->name);

      kvmrt_ini_entry_free (entry);
      return ok;
    }
  g_ptr_array_add (p->section->entries, entry);
  p->key = entry;
  return TRUE;
}

/* @text..@text_end is the line without its newline, @raw_end the end of the line with it. */
static gboolean
parse_line (Parser *p, const char *text, const char *text_end, const char *raw_end, guint line,
            GError **error)
{
  const char *start = text;
  const char *end = text_end;
  guint indent;

  while (start < end && is_space (*start))
    start++;
  while (end > start && is_space (end[-1]))
    end--;
  indent = start - text;

  if (start < end && (*start == '#' || *start == ';'))
    {
      /* Comments never end or join a value; they only wait to see where they belong. */
      add_to_run (p, text, raw_end, line, TRUE);
      return TRUE;
    }
  if (start == end)
    {
      add_to_run (p, text, raw_end, line, FALSE);
      return TRUE;
    }

  if (p->key != NULL && indent > p->indent)
    {
      continue_value (p, raw_end, start, end - start);
      return TRUE;
    }

  if (p->key != NULL)
    end_value (p);
  flush_pending (p);
  p->indent = indent;

  if (*start == '[' && end - start > 2 && g_strrstr_len (start, end - start, "]") > start + 1)
    return parse_section (p, text, raw_end, start, end - start, line, error);

  if (p->section == NULL)
    {
      g_autofree char *shown = quote_line (start, end - start);

      return fail (p, line, error, _("%s comes before any section header; every setting "
                                     "belongs in a section such as [VM-UUID]"), shown);
    }
  return parse_key (p, text, raw_end, start, end - start, line, error);
}

KvmrtIniDocument *
kvmrt_ini_parse (const char  *data,
                 gsize        length,
                 const char  *filename,
                 GError     **error)
{
  Parser p = { filename };
  const char *pos;
  const char *end;
  const char *nul;
  gboolean ok = TRUE;

  p.doc = g_new0 (KvmrtIniDocument, 1);
  p.doc->preamble = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_entry_free);
  p.doc->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_ini_section_free);
  /* Entries point into this copy of the text instead of each keeping its own line. */
  p.doc->text = g_bytes_new (data, length);
  data = g_bytes_get_data (p.doc->text, NULL);
  pos = data;
  /* An empty file has no buffer at all: no arithmetic on NULL, no memchr() of it. */
  end = data != NULL ? data + length : NULL;
  p.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (length > 0 && (nul = memchr (data, '\0', length)) != NULL)
    {
      guint nul_line = 1;

      for (const char *c = data; c < nul; c++)
        nul_line += *c == '\n';
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX,
                   _("%s:%u: contains a NUL byte; this is not a text configuration file"),
                   filename, nul_line);
      ok = FALSE;
    }

  for (guint line = 1; ok && pos < end; line++)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *stop = nl != NULL ? nl : end;

      if (!g_utf8_validate_len (pos, stop - pos, NULL))
        {
          g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_SYNTAX,
                       _("%s:%u: the line is not valid UTF-8; save the file as UTF-8"),
                       filename, line);
          ok = FALSE;
          break;
        }
      ok = parse_line (&p, pos, stop, nl != NULL ? nl + 1 : end, line, error);
      pos = stop + 1;
    }

  if (p.key != NULL)
    end_value (&p);
  if (ok)
    flush_pending (&p);
  else
    g_clear_pointer (&p.doc, kvmrt_ini_document_free);

  g_hash_table_unref (p.names);
  return p.doc;
}
