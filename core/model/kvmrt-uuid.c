/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-uuid.h"

#include <string.h>

gboolean
kvmrt_uuid_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != KVMRT_UUID_STRLEN - 1)
    return FALSE;
  for (int i = 0; i < KVMRT_UUID_STRLEN - 1; i++)
    {
      gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_upper (const char *text)
{
  for (; *text != '\0'; text++)
    if (g_ascii_isupper (*text))
      return TRUE;
  return FALSE;
}

char *
kvmrt_uuid_canonicalize (char *text)
{
  if (text != NULL && has_upper (text) && kvmrt_uuid_is_valid (text))
    for (char *c = text; *c != '\0'; c++)
      *c = g_ascii_tolower (*c);
  return text;
}

char *
kvmrt_uuid_dup (const char *text)
{
  return kvmrt_uuid_canonicalize (g_strdup (text));
}

const char *
kvmrt_uuid_canonical (const char *text, char buffer[KVMRT_UUID_STRLEN])
{
  if (text == NULL || !has_upper (text) || !kvmrt_uuid_is_valid (text))
    return text;
  memcpy (buffer, text, KVMRT_UUID_STRLEN);
  return kvmrt_uuid_canonicalize (buffer);
}
