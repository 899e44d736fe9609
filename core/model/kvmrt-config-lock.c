/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-config-lock.h"

#include "kvmrt-i18n.h"

#include <crypt.h>
#include <errno.h>
#include <string.h>

G_DEFINE_QUARK (kvmrt-config-lock-error-quark, kvmrt_config_lock_error)

/* yescrypt, libxcrypt's default and the one Debian uses for /etc/shadow. */
#define HASH_PREFIX "$y$"

static const char *
stored_hash (KvmrtConfig *config)
{
  const char *value = kvmrt_config_get_default_value (config, KVMRT_CONFIG_LOCK_KEY);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

gboolean
kvmrt_config_lock_is_set (KvmrtConfig *config)
{
  g_return_val_if_fail (KVMRT_IS_CONFIG (config), FALSE);
  return stored_hash (config) != NULL;
}

/* crypt_ra() keeps its work area (with the password's derived state) in @data: wipe it. */
static void
free_crypt_data (void *data, int size)
{
  if (data == NULL)
    return;
  explicit_bzero (data, size);
  free (data);
}

gboolean
kvmrt_config_lock_set (KvmrtConfig  *config,
                       const char   *password,
                       GError      **error)
{
  char *setting;
  char *hash;
  void *data = NULL;
  int size = 0;
  int saved_errno;

  g_return_val_if_fail (KVMRT_IS_CONFIG (config), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (password == NULL || password[0] == '\0')
    {
      kvmrt_config_set_default_value (config, KVMRT_CONFIG_LOCK_KEY, NULL);
      return TRUE;
    }

  /* count 0: the library's default cost; NULL rbytes: salt from the kernel's random source. */
  setting = crypt_gensalt_ra (HASH_PREFIX, 0, NULL, 0);
  if (setting == NULL)
    {
      saved_errno = errno;
      g_set_error (error, KVMRT_CONFIG_LOCK_ERROR, KVMRT_CONFIG_LOCK_ERROR_HASH,
                   _("Could not make a salt for the password hash: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }
  hash = crypt_ra (password, setting, &data, &size);
  saved_errno = errno;
  free (setting);
  if (hash == NULL || !g_str_has_prefix (hash, HASH_PREFIX))
    {
      free_crypt_data (data, size);
      g_set_error (error, KVMRT_CONFIG_LOCK_ERROR, KVMRT_CONFIG_LOCK_ERROR_HASH,
                   _("Could not hash the password with yescrypt: %s"),
                   g_strerror (hash == NULL ? saved_errno : EINVAL));
      return FALSE;
    }
  kvmrt_config_set_default_value (config, KVMRT_CONFIG_LOCK_KEY, hash);
  free_crypt_data (data, size);
  return TRUE;
}

/* Compares every byte of the longer string, so the time says nothing about where they differ. */
static gboolean
equal_constant_time (const char *a, const char *b)
{
  gsize a_length = strlen (a);
  gsize b_length = strlen (b);
  gsize length = MAX (a_length, b_length);
  unsigned char diff = a_length != b_length;

  for (gsize i = 0; i < length; i++)
    {
      unsigned char ca = i < a_length ? (unsigned char) a[i] : 0;
      unsigned char cb = i < b_length ? (unsigned char) b[i] : 0;

      diff |= ca ^ cb;
    }
  return diff == 0;
}

gboolean
kvmrt_config_lock_check (KvmrtConfig *config,
                         const char  *password)
{
  const char *stored;
  const char *hash;
  void *data = NULL;
  int size = 0;
  gboolean ok;

  g_return_val_if_fail (KVMRT_IS_CONFIG (config), FALSE);

  stored = stored_hash (config);
  if (stored == NULL)
    return TRUE;
  if (password == NULL)
    password = "";
  /* A stored value crypt() cannot read (edited by hand, another method's "*" failure token)
   * opens for no password. */
  hash = crypt_ra (password, stored, &data, &size);
  ok = hash != NULL && hash[0] != '*' && equal_constant_time (hash, stored);
  free_crypt_data (data, size);
  return ok;
}
