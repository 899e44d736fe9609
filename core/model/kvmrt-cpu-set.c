/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CPUSET expression: one id set per item kind plus the inversion flag. It stays symbolic
 * ("n1" rather than CPUs 8-15,40-47) so it can be written back as the user wrote it and
 * checked against any host. */
#include "kvmrt-cpu-set.h"

#include <string.h>

#include "kvmrt-error.h"
#include "kvmrt-host.h"
#include "kvmrt-i18n.h"
#include "kvmrt-id-set-private.h"

struct _KvmrtCpuSet
{
  gboolean    inverted;
  KvmrtIdSet *items[KVMRT_N_CPU_ITEM_KINDS];   /* never NULL */
};

G_DEFINE_BOXED_TYPE (KvmrtCpuSet, kvmrt_cpu_set, kvmrt_cpu_set_copy, kvmrt_cpu_set_free)

/* Item prefixes in canonical (to_string) order; the plain CPU kind has none. */
static const char prefixes[KVMRT_N_CPU_ITEM_KINDS] = {
  [KVMRT_CPU_ITEM_CPU] = '\0',
  [KVMRT_CPU_ITEM_NODE] = 'n',
  [KVMRT_CPU_ITEM_CORE] = 'c',
  [KVMRT_CPU_ITEM_DIE] = 'd',
  [KVMRT_CPU_ITEM_PACKAGE] = 'p',
};

static KvmrtCpuSet *
cpu_set_new (void)
{
  KvmrtCpuSet *set = g_new0 (KvmrtCpuSet, 1);

  for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    set->items[k] = kvmrt_id_set_new ();
  return set;
}

void
kvmrt_cpu_set_free (KvmrtCpuSet *set)
{
  if (set == NULL)
    return;
  for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    kvmrt_id_set_free (set->items[k]);
  g_free (set);
}

KvmrtCpuSet *
kvmrt_cpu_set_copy (const KvmrtCpuSet *set)
{
  KvmrtCpuSet *copy;

  g_return_val_if_fail (set != NULL, NULL);

  copy = g_new0 (KvmrtCpuSet, 1);
  copy->inverted = set->inverted;
  for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    copy->items[k] = kvmrt_id_set_copy (set->items[k]);
  return copy;
}

KvmrtCpuSet *
kvmrt_cpu_set_new_from_ids (const KvmrtIdSet *cpus)
{
  KvmrtCpuSet *set;

  g_return_val_if_fail (cpus != NULL, NULL);

  set = cpu_set_new ();
  kvmrt_id_set_union (set->items[KVMRT_CPU_ITEM_CPU], cpus);
  return set;
}

static KvmrtCpuItemKind
kind_of_prefix (char c)
{
  c = g_ascii_tolower (c);
  for (guint k = KVMRT_CPU_ITEM_NODE; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    if (prefixes[k] == c)
      return k;
  return KVMRT_CPU_ITEM_CPU;
}

static gboolean
parse_item (KvmrtCpuSet *set, const char *item, GError **error)
{
  KvmrtCpuItemKind kind = kind_of_prefix (item[0]);
  const char *number = kind == KVMRT_CPU_ITEM_CPU ? item : item + 1;
  guint first = 0, last = 0;

  if (strchr (item, '~') != NULL)
    {
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s': ~ may only start the whole cpuset, where it inverts all of it "
                     "(~n0,3 is every CPU outside NUMA node 0 and CPU 3)"),
                   item);
      return FALSE;
    }

  switch (kvmrt_id_range_parse (number, strlen (number), &first, &last))
    {
    case KVMRT_ID_RANGE_OK:
      kvmrt_id_set_add_range (set->items[kind], first, last);
      return TRUE;
    case KVMRT_ID_RANGE_SYNTAX:
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                   _("'%s' is not a cpuset item; write a CPU (5), a CPU range (4-7), or a NUMA "
                     "node, core, die or package number or range with n, c, d or p in front "
                     "(n1, c2-5)"),
                   item);
      return FALSE;
    case KVMRT_ID_RANGE_TOO_LARGE:
      g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                   _("'%s' is out of range: numbers in a cpuset go from 0 to %u"),
                   item, KVMRT_ID_SET_MAX_ID);
      return FALSE;
    case KVMRT_ID_RANGE_REVERSED:
      {
        char prefix[2] = { prefixes[kind], '\0' };

        g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                     _("'%s' is a reversed range; write the lower number first (%s%u-%u)"),
                     item, prefix, last, first);
        return FALSE;
      }
    default:
      g_assert_not_reached ();
    }
}

KvmrtCpuSet *
kvmrt_cpu_set_parse (const char *text, GError **error)
{
  g_autoptr(KvmrtCpuSet) set = NULL;
  g_auto(GStrv) items = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  set = cpu_set_new ();
  body = g_strstrip (g_strdup (text));
  if (body[0] == '\0')
    return g_steal_pointer (&set);

  if (body[0] == '~')
    {
      set->inverted = TRUE;
      memmove (body, body + 1, strlen (body));
      g_strstrip (body);
      if (body[0] == '\0')
        {
          g_set_error_literal (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                               _("'~' inverts nothing; write what the cpuset leaves out after "
                                 "it, as in ~n0"));
          return NULL;
        }
    }

  items = g_strsplit (body, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] == '\0')
        {
          g_autofree char *whole = g_strstrip (g_strdup (text));

          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("'%s' has an empty item (two commas in a row, or a comma at one end); "
                         "separate items with single commas, as in 0-3,n1"),
                       whole);
          return NULL;
        }
      if (!parse_item (set, items[i], error))
        return NULL;
    }

  return g_steal_pointer (&set);
}

gboolean
kvmrt_cpu_set_is_empty (const KvmrtCpuSet *set)
{
  g_return_val_if_fail (set != NULL, TRUE);

  if (set->inverted)
    return FALSE;
  for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    if (!kvmrt_id_set_is_empty (set->items[k]))
      return FALSE;
  return TRUE;
}

gboolean
kvmrt_cpu_set_is_inverted (const KvmrtCpuSet *set)
{
  g_return_val_if_fail (set != NULL, FALSE);

  return set->inverted;
}

const KvmrtIdSet *
kvmrt_cpu_set_get_items (const KvmrtCpuSet *set, KvmrtCpuItemKind kind)
{
  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (kind < KVMRT_N_CPU_ITEM_KINDS, NULL);

  return set->items[kind];
}

char *
kvmrt_cpu_set_to_string (const KvmrtCpuSet *set)
{
  GString *out;

  g_return_val_if_fail (set != NULL, NULL);

  out = g_string_new (NULL);
  for (guint k = 0; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    {
      char prefix[2] = { prefixes[k], '\0' };

      kvmrt_id_set_append_to (set->items[k], prefix, out);
    }
  if (set->inverted)
    g_string_prepend_c (out, '~');
  return g_string_free (out, FALSE);
}

static const KvmrtHostLevel levels[KVMRT_N_CPU_ITEM_KINDS] = {
  [KVMRT_CPU_ITEM_NODE] = KVMRT_HOST_LEVEL_NODE,
  [KVMRT_CPU_ITEM_CORE] = KVMRT_HOST_LEVEL_CORE,
  [KVMRT_CPU_ITEM_DIE] = KVMRT_HOST_LEVEL_DIE,
  [KVMRT_CPU_ITEM_PACKAGE] = KVMRT_HOST_LEVEL_PACKAGE,
};

/* "CPUs 64-99", "NUMA node 7", ... for the message listing what the host lacks. */
static void
append_missing (GString *out, KvmrtCpuItemKind kind, const KvmrtIdSet *missing)
{
  g_autofree char *ids = kvmrt_id_set_to_string (missing);
  guint n = kvmrt_id_set_count (missing);

  if (out->len > 0)
    g_string_append (out, ", ");
  switch (kind)
    {
    case KVMRT_CPU_ITEM_CPU:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "CPU %s", "CPUs %s", n), ids);
      break;
    case KVMRT_CPU_ITEM_NODE:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "NUMA node %s",
                                                "NUMA nodes %s", n), ids);
      break;
    case KVMRT_CPU_ITEM_CORE:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "core %s", "cores %s", n), ids);
      break;
    case KVMRT_CPU_ITEM_DIE:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "die %s", "dies %s", n), ids);
      break;
    case KVMRT_CPU_ITEM_PACKAGE:
      g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "package %s", "packages %s", n),
                              ids);
      break;
    default:
      g_assert_not_reached ();
    }
}

KvmrtIdSet *
kvmrt_cpu_set_resolve (const KvmrtCpuSet *set, KvmrtHost *host, GError **error)
{
  const KvmrtIdSet *host_cpus;
  g_autoptr(KvmrtIdSet) cpus = NULL;
  g_autoptr(GString) missing_text = g_string_new (NULL);

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (KVMRT_IS_HOST (host), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  host_cpus = kvmrt_host_get_cpus (host);
  cpus = kvmrt_id_set_copy (set->items[KVMRT_CPU_ITEM_CPU]);
  if (!kvmrt_id_set_is_subset (cpus, host_cpus))
    {
      g_autoptr(KvmrtIdSet) missing = kvmrt_id_set_copy (cpus);

      kvmrt_id_set_subtract (missing, host_cpus);
      append_missing (missing_text, KVMRT_CPU_ITEM_CPU, missing);
    }

  for (guint k = KVMRT_CPU_ITEM_NODE; k < KVMRT_N_CPU_ITEM_KINDS; k++)
    {
      const KvmrtIdSet *items = set->items[k];
      g_autoptr(KvmrtIdSet) missing = NULL;

      for (int id = kvmrt_id_set_first (items); id >= 0; id = kvmrt_id_set_next (items, id))
        {
          const KvmrtIdSet *level_cpus = kvmrt_host_get_level_cpus (host, levels[k], id);

          if (level_cpus != NULL)
            kvmrt_id_set_union (cpus, level_cpus);
          else
            {
              if (missing == NULL)
                missing = kvmrt_id_set_new ();
              kvmrt_id_set_add (missing, id);
            }
        }
      if (missing != NULL)
        append_missing (missing_text, k, missing);
    }

  if (missing_text->len > 0)
    {
      g_set_error_literal (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_UNKNOWN_ID,
                           missing_text->str);
      return NULL;
    }

  if (set->inverted)
    {
      KvmrtIdSet *all = kvmrt_id_set_copy (host_cpus);

      kvmrt_id_set_subtract (all, cpus);
      return all;
    }
  return g_steal_pointer (&cpus);
}
