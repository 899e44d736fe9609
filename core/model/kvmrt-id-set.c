/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bitmap of 64-bit words. Sets of up to 256 ids (every host we know) live in the struct
 * itself, so copying one is a single allocation: the validator copies and combines thousands
 * of them per run. */
#include "kvmrt-id-set.h"
#include "kvmrt-id-set-private.h"

#include <string.h>

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#define N_INLINE_WORDS 4
#define WORD_OF(id)    ((id) >> 6)
#define BIT_OF(id)     (G_GUINT64_CONSTANT (1) << ((id) & 63))

struct _KvmrtIdSet
{
  guint64 *words;     /* inline_words until the set outgrows them */
  guint    n_words;   /* words allocated; all of them are meaningful (zero past the last id) */
  guint64  inline_words[N_INLINE_WORDS];
};

G_DEFINE_BOXED_TYPE (KvmrtIdSet, kvmrt_id_set, kvmrt_id_set_copy, kvmrt_id_set_free)

static inline guint
popcount64 (guint64 w)
{
  return __builtin_popcountll (w);
}

static inline guint
lowest_bit (guint64 w)
{
  return __builtin_ctzll (w);
}

static inline guint
highest_bit (guint64 w)
{
  return 63 - __builtin_clzll (w);
}

/* Grows the bitmap to at least @n_words, zero-filled. */
static void
ensure_words (KvmrtIdSet *set, guint n_words)
{
  guint new_n;

  if (n_words <= set->n_words)
    return;

  new_n = MAX (set->n_words * 2, n_words);
  if (set->words == set->inline_words)
    {
      set->words = g_new0 (guint64, new_n);
      memcpy (set->words, set->inline_words, set->n_words * sizeof (guint64));
    }
  else
    {
      set->words = g_renew (guint64, set->words, new_n);
      memset (set->words + set->n_words, 0, (new_n - set->n_words) * sizeof (guint64));
    }
  set->n_words = new_n;
}

/* Number of words up to the last non-zero one. */
static guint
used_words (const KvmrtIdSet *set)
{
  guint n = set->n_words;

  while (n > 0 && set->words[n - 1] == 0)
    n--;
  return n;
}

/* The first id >= @from whose bit is @value; for a clear bit that may be past the bitmap. */
static guint
find_bit (const KvmrtIdSet *set, guint from, gboolean value)
{
  guint i = WORD_OF (from);
  guint64 w;

  if (i >= set->n_words)
    return value ? G_MAXUINT : from;

  w = value ? set->words[i] : ~set->words[i];
  w &= ~G_GUINT64_CONSTANT (0) << (from & 63);
  for (;;)
    {
      if (w != 0)
        return i * 64 + lowest_bit (w);
      if (++i >= set->n_words)
        return value ? G_MAXUINT : i * 64;
      w = value ? set->words[i] : ~set->words[i];
    }
}

KvmrtIdSet *
kvmrt_id_set_new (void)
{
  KvmrtIdSet *set = g_new0 (KvmrtIdSet, 1);

  set->words = set->inline_words;
  set->n_words = N_INLINE_WORDS;
  return set;
}

KvmrtIdSet *
kvmrt_id_set_new_range (guint first, guint last)
{
  KvmrtIdSet *set = kvmrt_id_set_new ();

  kvmrt_id_set_add_range (set, first, last);
  return set;
}

KvmrtIdSet *
kvmrt_id_set_copy (const KvmrtIdSet *set)
{
  KvmrtIdSet *copy;
  guint n;

  g_return_val_if_fail (set != NULL, NULL);

  copy = kvmrt_id_set_new ();
  n = used_words (set);
  ensure_words (copy, n);
  memcpy (copy->words, set->words, n * sizeof (guint64));
  return copy;
}

void
kvmrt_id_set_free (KvmrtIdSet *set)
{
  if (set == NULL)
    return;
  if (set->words != set->inline_words)
    g_free (set->words);
  g_free (set);
}

void
kvmrt_id_set_add (KvmrtIdSet *set, guint id)
{
  g_return_if_fail (set != NULL);
  g_return_if_fail (id <= G_MAXINT);

  ensure_words (set, WORD_OF (id) + 1);
  set->words[WORD_OF (id)] |= BIT_OF (id);
}

/* An empty range (first > last) adds nothing: callers compute ranges that may be empty. */
void
kvmrt_id_set_add_range (KvmrtIdSet *set, guint first, guint last)
{
  guint fw, lw;
  guint64 first_mask, last_mask;

  g_return_if_fail (set != NULL);
  g_return_if_fail (last <= G_MAXINT || first > last);

  if (first > last)
    return;

  fw = WORD_OF (first);
  lw = WORD_OF (last);
  ensure_words (set, lw + 1);
  first_mask = ~G_GUINT64_CONSTANT (0) << (first & 63);
  last_mask = ~G_GUINT64_CONSTANT (0) >> (63 - (last & 63));
  if (fw == lw)
    {
      set->words[fw] |= first_mask & last_mask;
      return;
    }
  set->words[fw] |= first_mask;
  for (guint i = fw + 1; i < lw; i++)
    set->words[i] = ~G_GUINT64_CONSTANT (0);
  set->words[lw] |= last_mask;
}

void
kvmrt_id_set_remove (KvmrtIdSet *set, guint id)
{
  g_return_if_fail (set != NULL);

  if (WORD_OF (id) < set->n_words)
    set->words[WORD_OF (id)] &= ~BIT_OF (id);
}

void
kvmrt_id_set_clear (KvmrtIdSet *set)
{
  g_return_if_fail (set != NULL);

  memset (set->words, 0, set->n_words * sizeof (guint64));
}

gboolean
kvmrt_id_set_contains (const KvmrtIdSet *set, guint id)
{
  g_return_val_if_fail (set != NULL, FALSE);

  return WORD_OF (id) < set->n_words && (set->words[WORD_OF (id)] & BIT_OF (id)) != 0;
}

guint
kvmrt_id_set_count (const KvmrtIdSet *set)
{
  guint n = 0;

  g_return_val_if_fail (set != NULL, 0);

  for (guint i = 0; i < set->n_words; i++)
    n += popcount64 (set->words[i]);
  return n;
}

gboolean
kvmrt_id_set_is_empty (const KvmrtIdSet *set)
{
  g_return_val_if_fail (set != NULL, TRUE);

  return used_words (set) == 0;
}

gboolean
kvmrt_id_set_equal (const KvmrtIdSet *a, const KvmrtIdSet *b)
{
  guint n;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  n = used_words (a);
  return n == used_words (b) && memcmp (a->words, b->words, n * sizeof (guint64)) == 0;
}

gboolean
kvmrt_id_set_intersects (const KvmrtIdSet *a, const KvmrtIdSet *b)
{
  guint n;

  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  n = MIN (a->n_words, b->n_words);
  for (guint i = 0; i < n; i++)
    if ((a->words[i] & b->words[i]) != 0)
      return TRUE;
  return FALSE;
}

gboolean
kvmrt_id_set_is_subset (const KvmrtIdSet *sub, const KvmrtIdSet *super)
{
  g_return_val_if_fail (sub != NULL && super != NULL, FALSE);

  for (guint i = 0; i < sub->n_words; i++)
    {
      guint64 s = i < super->n_words ? super->words[i] : 0;

      if ((sub->words[i] & ~s) != 0)
        return FALSE;
    }
  return TRUE;
}

void
kvmrt_id_set_union (KvmrtIdSet *set, const KvmrtIdSet *other)
{
  guint n;

  g_return_if_fail (set != NULL && other != NULL);

  n = used_words (other);
  ensure_words (set, n);
  for (guint i = 0; i < n; i++)
    set->words[i] |= other->words[i];
}

void
kvmrt_id_set_intersect (KvmrtIdSet *set, const KvmrtIdSet *other)
{
  g_return_if_fail (set != NULL && other != NULL);

  for (guint i = 0; i < set->n_words; i++)
    set->words[i] &= i < other->n_words ? other->words[i] : 0;
}

void
kvmrt_id_set_subtract (KvmrtIdSet *set, const KvmrtIdSet *other)
{
  guint n;

  g_return_if_fail (set != NULL && other != NULL);

  n = MIN (set->n_words, other->n_words);
  for (guint i = 0; i < n; i++)
    set->words[i] &= ~other->words[i];
}

int
kvmrt_id_set_first (const KvmrtIdSet *set)
{
  return kvmrt_id_set_next (set, -1);
}

int
kvmrt_id_set_last (const KvmrtIdSet *set)
{
  guint n;

  g_return_val_if_fail (set != NULL, -1);

  n = used_words (set);
  if (n == 0)
    return -1;
  return (n - 1) * 64 + highest_bit (set->words[n - 1]);
}

int
kvmrt_id_set_next (const KvmrtIdSet *set, int after)
{
  guint id;

  g_return_val_if_fail (set != NULL, -1);

  if (after >= G_MAXINT)
    return -1;
  id = find_bit (set, after < 0 ? 0 : (guint) after + 1, TRUE);
  return id == G_MAXUINT ? -1 : (int) id;
}

int
kvmrt_id_set_nth (const KvmrtIdSet *set, guint n)
{
  g_return_val_if_fail (set != NULL, -1);

  for (guint i = 0; i < set->n_words; i++)
    {
      guint64 w = set->words[i];
      guint c = popcount64 (w);

      if (n >= c)
        {
          n -= c;
          continue;
        }
      /* Drop the n lowest set bits; the lowest one left is the answer. */
      while (n-- > 0)
        w &= w - 1;
      return i * 64 + lowest_bit (w);
    }
  return -1;
}

GArray *
kvmrt_id_set_to_array (const KvmrtIdSet *set)
{
  GArray *array;

  g_return_val_if_fail (set != NULL, NULL);

  array = g_array_sized_new (FALSE, FALSE, sizeof (gint), kvmrt_id_set_count (set));
  for (int id = kvmrt_id_set_first (set); id >= 0; id = kvmrt_id_set_next (set, id))
    g_array_append_val (array, id);
  return array;
}

/* Without printf: the validator and the sync write a set for each vCPU of each VM on every
 * edit, and formatting through printf was most of their time. */
static void
append_decimal (GString *out, guint value)
{
  char digits[16];
  guint n = 0;

  do
    digits[n++] = (char) ('0' + value % 10);
  while ((value /= 10) != 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

void
kvmrt_id_set_append_to (const KvmrtIdSet *set, const char *prefix, GString *out)
{
  guint start = find_bit (set, 0, TRUE);

  while (start != G_MAXUINT)
    {
      guint end = find_bit (set, start, FALSE) - 1;

      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, prefix);
      append_decimal (out, start);
      if (start != end)
        {
          g_string_append_c (out, '-');
          append_decimal (out, end);
        }
      start = find_bit (set, end + 1, TRUE);
    }
}

char *
kvmrt_id_set_to_string (const KvmrtIdSet *set)
{
  GString *out;

  g_return_val_if_fail (set != NULL, NULL);

  out = g_string_new (NULL);
  kvmrt_id_set_append_to (set, "", out);
  return g_string_free (out, FALSE);
}

/* A decimal number of at most KVMRT_ID_SET_MAX_ID; *too_large is set (and parsing goes on,
 * so that syntax errors still win) when it is larger. */
static const char *
parse_number (const char *p, const char *end, guint *out, gboolean *too_large)
{
  guint value = 0;

  if (p == end || !g_ascii_isdigit (*p))
    return NULL;
  for (; p < end && g_ascii_isdigit (*p); p++)
    {
      value = value * 10 + (*p - '0');
      if (value > KVMRT_ID_SET_MAX_ID)
        {
          *too_large = TRUE;
          value = KVMRT_ID_SET_MAX_ID + 1;
        }
    }
  *out = value;
  return p;
}

KvmrtIdRangeStatus
kvmrt_id_range_parse (const char *text, gsize len, guint *out_first, guint *out_last)
{
  const char *end = text + len;
  const char *p;
  gboolean too_large = FALSE;
  guint first, last;

  p = parse_number (text, end, &first, &too_large);
  if (p == NULL)
    return KVMRT_ID_RANGE_SYNTAX;
  last = first;

  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p < end)
    {
      if (*p != '-')
        return KVMRT_ID_RANGE_SYNTAX;
      p++;
      while (p < end && g_ascii_isspace (*p))
        p++;
      p = parse_number (p, end, &last, &too_large);
      if (p == NULL || p != end)
        return KVMRT_ID_RANGE_SYNTAX;
    }

  if (too_large)
    return KVMRT_ID_RANGE_TOO_LARGE;
  /* Set even when reversed, so the message can show the range the right way round. */
  *out_first = first;
  *out_last = last;
  return first > last ? KVMRT_ID_RANGE_REVERSED : KVMRT_ID_RANGE_OK;
}

static void
strip_span (const char **start, const char **end)
{
  while (*start < *end && g_ascii_isspace (**start))
    (*start)++;
  while (*end > *start && g_ascii_isspace ((*end)[-1]))
    (*end)--;
}

KvmrtIdSet *
kvmrt_id_set_parse (const char *text, GError **error)
{
  g_autoptr(KvmrtIdSet) set = NULL;
  const char *p, *text_end;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  set = kvmrt_id_set_new ();
  p = text;
  text_end = text + strlen (text);
  strip_span (&p, &text_end);
  if (p == text_end)
    return g_steal_pointer (&set);

  for (;;)
    {
      const char *comma = memchr (p, ',', text_end - p);
      const char *item = p;
      const char *item_end = comma != NULL ? comma : text_end;
      g_autofree char *item_text = NULL;
      guint first = 0, last = 0;

      strip_span (&item, &item_end);
      item_text = g_strndup (item, item_end - item);
      if (item == item_end)
        {
          g_autofree char *whole = g_strstrip (g_strdup (text));

          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("'%s' has an empty item (two commas in a row, or a comma at one end); "
                         "separate numbers and ranges with single commas, as in 0,2,4-7"),
                       whole);
          return NULL;
        }

      switch (kvmrt_id_range_parse (item, item_end - item, &first, &last))
        {
        case KVMRT_ID_RANGE_OK:
          kvmrt_id_set_add_range (set, first, last);
          break;
        case KVMRT_ID_RANGE_SYNTAX:
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("'%s' is not a number or a range of numbers; write IDs as in 0,2,4-7"),
                       item_text);
          return NULL;
        case KVMRT_ID_RANGE_TOO_LARGE:
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_OUT_OF_RANGE,
                       _("'%s' is out of range: IDs go from 0 to %u"),
                       item_text, KVMRT_ID_SET_MAX_ID);
          return NULL;
        case KVMRT_ID_RANGE_REVERSED:
          g_set_error (error, KVMRT_VALUE_ERROR, KVMRT_VALUE_ERROR_INVALID,
                       _("'%s' is a reversed range; write the lower number first (%u-%u)"),
                       item_text, last, first);
          return NULL;
        default:
          g_assert_not_reached ();
        }

      if (comma == NULL)
        break;
      p = comma + 1;
    }

  return g_steal_pointer (&set);
}

KvmrtIdSet *
kvmrt_id_set_parse_mask (const char *mask)
{
  g_autoptr(KvmrtIdSet) set = kvmrt_id_set_new ();
  guint bit = 0;

  for (const char *p = mask + strlen (mask); p > mask; p--)
    {
      int digit = g_ascii_xdigit_value (p[-1]);

      if (p[-1] == ',')
        continue;
      if (digit < 0)
        return NULL;
      for (guint b = 0; b < 4; b++, bit++)
        if (digit & (1 << b))
          kvmrt_id_set_add (set, bit);
    }
  return g_steal_pointer (&set);
}

char *
kvmrt_id_set_to_mask (const KvmrtIdSet *set, const char *layout)
{
  g_autofree char *text = g_strdup (layout);
  guint bit = 0;

  /* Fill the layout's digits from the lowest (rightmost) up. */
  for (char *p = text + strlen (text); p > text; p--)
    {
      int digit = 0;

      if (p[-1] == ',')
        continue;
      for (guint b = 0; b < 4; b++, bit++)
        if (kvmrt_id_set_contains (set, bit))
          digit |= 1 << b;
      p[-1] = "0123456789abcdef"[digit];
    }
  return g_steal_pointer (&text);
}
