/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-json-writer.h"

/* Whether the next value follows a member name (and so needs no separator of its own). */
#define AFTER_MEMBER G_MAXUINT

void
kvmrt_json_writer_init (KvmrtJsonWriter *w, GString *out)
{
  w->out = out;
  w->counts = g_array_new (FALSE, FALSE, sizeof (guint));
}

void
kvmrt_json_writer_clear (KvmrtJsonWriter *w)
{
  g_clear_pointer (&w->counts, g_array_unref);
}

static void
newline (KvmrtJsonWriter *w)
{
  g_string_append_c (w->out, '\n');
  for (guint i = 0; i < w->counts->len; i++)
    g_string_append (w->out, "  ");
}

/* Separator and indentation before a value or member name. */
static void
before_item (KvmrtJsonWriter *w)
{
  guint *count;

  if (w->counts->len == 0)
    return;
  count = &g_array_index (w->counts, guint, w->counts->len - 1);
  if (*count == AFTER_MEMBER)
    {
      *count = 1;
      return;
    }
  if (*count > 0)
    g_string_append_c (w->out, ',');
  (*count)++;
  newline (w);
}

static void
begin (KvmrtJsonWriter *w, char open)
{
  guint zero = 0;

  before_item (w);
  g_string_append_c (w->out, open);
  g_array_append_val (w->counts, zero);
}

static void
end (KvmrtJsonWriter *w, char close)
{
  guint count = g_array_index (w->counts, guint, w->counts->len - 1);

  g_array_set_size (w->counts, w->counts->len - 1);
  if (count > 0)
    newline (w);
  g_string_append_c (w->out, close);
  if (w->counts->len == 0)
    g_string_append_c (w->out, '\n');
}

void
kvmrt_json_writer_begin_object (KvmrtJsonWriter *w)
{
  begin (w, '{');
}

void
kvmrt_json_writer_end_object (KvmrtJsonWriter *w)
{
  end (w, '}');
}

void
kvmrt_json_writer_begin_array (KvmrtJsonWriter *w)
{
  begin (w, '[');
}

void
kvmrt_json_writer_end_array (KvmrtJsonWriter *w)
{
  end (w, ']');
}

static void
append_escaped (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      unsigned char c = *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

void
kvmrt_json_writer_member (KvmrtJsonWriter *w, const char *name)
{
  before_item (w);
  append_escaped (w->out, name);
  g_string_append (w->out, ": ");
  g_array_index (w->counts, guint, w->counts->len - 1) = AFTER_MEMBER;
}

void
kvmrt_json_writer_string (KvmrtJsonWriter *w, const char *value)
{
  before_item (w);
  if (value == NULL)
    g_string_append (w->out, "null");
  else
    append_escaped (w->out, value);
}

void
kvmrt_json_writer_int (KvmrtJsonWriter *w, gint64 value)
{
  before_item (w);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
}

void
kvmrt_json_writer_bool (KvmrtJsonWriter *w, gboolean value)
{
  before_item (w);
  g_string_append (w->out, value ? "true" : "false");
}

void
kvmrt_json_writer_null (KvmrtJsonWriter *w)
{
  before_item (w);
  g_string_append (w->out, "null");
}

void
kvmrt_json_writer_id_set (KvmrtJsonWriter *w, const KvmrtIdSet *set)
{
  before_item (w);
  if (set == NULL)
    {
      g_string_append (w->out, "null");
      return;
    }
  g_string_append_c (w->out, '[');
  for (int id = kvmrt_id_set_first (set); id >= 0; id = kvmrt_id_set_next (set, id))
    g_string_append_printf (w->out, id == kvmrt_id_set_first (set) ? "%d" : ", %d", id);
  g_string_append_c (w->out, ']');
}

void
kvmrt_json_writer_member_string (KvmrtJsonWriter *w, const char *name, const char *value)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_string (w, value);
}

void
kvmrt_json_writer_member_int (KvmrtJsonWriter *w, const char *name, gint64 value)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_int (w, value);
}

void
kvmrt_json_writer_member_bool (KvmrtJsonWriter *w, const char *name, gboolean value)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_bool (w, value);
}

void
kvmrt_json_writer_member_int_or_null (KvmrtJsonWriter *w, const char *name, gint64 value)
{
  kvmrt_json_writer_member (w, name);
  if (value >= 0)
    kvmrt_json_writer_int (w, value);
  else
    kvmrt_json_writer_null (w);
}

void
kvmrt_json_writer_member_id_set (KvmrtJsonWriter *w, const char *name, const KvmrtIdSet *set)
{
  kvmrt_json_writer_member (w, name);
  kvmrt_json_writer_id_set (w, set);
}
