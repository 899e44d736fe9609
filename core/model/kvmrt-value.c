/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scalar field types of chapter 3 of the manual. */
#include "kvmrt-value.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

/* Numbers above this never make sense for a count and could overflow products. */
#define COUNT_LIMIT 65536

static const struct {
  const char *word;
  gboolean    value;
} bool_words[] = {
  { "true", TRUE }, { "false", FALSE },
  { "on", TRUE }, { "off", FALSE },
  { "yes", TRUE }, { "no", FALSE },
  { "1", TRUE }, { "0", FALSE },
};

static gboolean
lookup_bool (const char *word, gboolean *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (bool_words); i++)
    if (g_ascii_strcasecmp (word, bool_words[i].word) == 0)
      {
        *out = bool_words[i].value;
        return TRUE;
      }
  return FALSE;
}

gboolean
kvmrt_value_parse_bool (const char *text, gboolean *out, GError **error)
{
  g_autofree char *word = NULL;
  gboolean value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  word = g_strstrip (g_strdup (text));
  if (!lookup_bool (word, &value))
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not a yes-or-no value; write true or false (or on/off, "
                     "yes/no, 1/0)"),
                   word);
      return FALSE;
    }
  if (out != NULL)
    *out = value;
  return TRUE;
}

gboolean
kvmrt_value_parse_tristate (const char *text, KvmrtTristate *out, GError **error)
{
  g_autofree char *word = NULL;
  gboolean value;
  KvmrtTristate result;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  word = g_strstrip (g_strdup (text));
  if (g_ascii_strcasecmp (word, "auto") == 0)
    result = KVMRT_TRISTATE_AUTO;
  else if (lookup_bool (word, &value))
    result = value ? KVMRT_TRISTATE_ON : KVMRT_TRISTATE_OFF;
  else
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not true, false or auto; write one of those (or on/off, "
                     "yes/no, 1/0)"),
                   word);
      return FALSE;
    }
  if (out != NULL)
    *out = result;
  return TRUE;
}

/* A decimal integer with an optional minus sign: FALSE for anything else ("1.5", "0x10",
 * "12abc", "+3", ""). Magnitudes beyond G_MAXUINT are clamped just past it. */
static gboolean
scan_integer (const char *word, gint64 *out)
{
  const char *p = word;
  gboolean negative = FALSE;
  gint64 value = 0;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    value = MIN (value * 10 + (*p - '0'), (gint64) G_MAXUINT + 1);
  if (*p != '\0')
    return FALSE;
  *out = negative ? -value : value;
  return TRUE;
}

gboolean
kvmrt_value_parse_int_range (const char *text, guint min, guint max, guint *out, GError **error)
{
  g_autofree char *word = NULL;
  gint64 value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (min <= max, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  word = g_strstrip (g_strdup (text));
  if (!scan_integer (word, &value))
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not a whole number; write a number from %u to %u"), word, min,
                   max);
      return FALSE;
    }
  if (value < min || value > max)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' is out of range; write a number from %u to %u"), word, min, max);
      return FALSE;
    }
  if (out != NULL)
    *out = (guint) value;
  return TRUE;
}

gboolean
kvmrt_value_parse_count_or_auto (const char *text, guint max, guint *out, GError **error)
{
  g_autofree char *word = NULL;
  gint64 value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (max > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  word = g_strstrip (g_strdup (text));
  if (g_ascii_strcasecmp (word, "auto") == 0)
    value = 0;
  else if (!scan_integer (word, &value))
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not a whole number; write a number from 1 to %u, or auto"),
                   word, max);
      return FALSE;
    }
  else if (value < 1 || value > max)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' is out of range; write a number from 1 to %u, or auto"),
                   word, max);
      return FALSE;
    }
  if (out != NULL)
    *out = (guint) value;
  return TRUE;
}

gboolean
kvmrt_value_parse_topology (const char *text, KvmrtTopology *out, GError **error)
{
  static const char *const names[3] = { N_("sockets"), N_("cores"), N_("threads") };
  g_autofree char *whole = NULL;
  g_auto(GStrv) parts = NULL;
  guint values[3];

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  whole = g_strstrip (g_strdup (text));
  if (g_ascii_strcasecmp (whole, "auto") == 0)
    {
      if (out != NULL)
        *out = (KvmrtTopology) { 0, 0, 0 };
      return TRUE;
    }

  parts = g_strsplit (whole, ",", -1);
  if (g_strv_length (parts) != 3)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not a CPU topology; write three numbers sockets,cores,threads "
                     "(as in 1,4,1), or auto"),
                   whole);
      return FALSE;
    }

  for (guint i = 0; i < 3; i++)
    {
      gint64 value;

      g_strstrip (parts[i]);
      if (!scan_integer (parts[i], &value))
        {
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("'%s' in '%s' is not a whole number; write three numbers "
                         "sockets,cores,threads (as in 1,4,1), or auto"),
                       parts[i], whole);
          return FALSE;
        }
      if (value < 1 || value > COUNT_LIMIT)
        {
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                       _("'%s' sets %s to %s; sockets, cores and threads must each be a "
                         "number from 1 to %u"),
                       whole, _(names[i]), parts[i], COUNT_LIMIT);
          return FALSE;
        }
      values[i] = value;
    }

  /* The product is the vCPU count; keep it within what a count may be. */
  if ((guint64) values[0] * values[1] * values[2] > COUNT_LIMIT)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' makes more than %u vCPUs; write a smaller topology, or auto"),
                   whole, COUNT_LIMIT);
      return FALSE;
    }

  if (out != NULL)
    *out = (KvmrtTopology) { values[0], values[1], values[2] };
  return TRUE;
}

const char *
kvmrt_value_format_bool (gboolean value)
{
  return value ? "true" : "false";
}

const char *
kvmrt_value_format_tristate (KvmrtTristate value)
{
  switch (value)
    {
    case KVMRT_TRISTATE_AUTO:
      return "auto";
    case KVMRT_TRISTATE_OFF:
      return "false";
    case KVMRT_TRISTATE_ON:
      return "true";
    default:
      g_return_val_if_reached ("auto");
    }
}

char *
kvmrt_value_format_count_or_auto (guint value)
{
  if (value == 0)
    return g_strdup ("auto");
  return g_strdup_printf ("%u", value);
}

char *
kvmrt_value_format_topology (const KvmrtTopology *topo)
{
  g_return_val_if_fail (topo != NULL, NULL);

  if (topo->sockets == 0 || topo->cores == 0 || topo->threads == 0)
    return g_strdup ("auto");
  return g_strdup_printf ("%u,%u,%u", topo->sockets, topo->cores, topo->threads);
}
