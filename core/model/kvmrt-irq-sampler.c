/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE   /* strchrnul */
#include "kvmrt-irq-sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-error.h"
#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

struct _KvmrtIrqSampler
{
  char      *path;
  int        fd;
  GByteArray *buffer;
  GArray    *columns;      /* guint CPU per column */
  GPtrArray *rows;         /* KvmrtIrq* */
  GArray    *deltas;       /* guint64, n_columns per row (stride) */
  GArray    *scratch;      /* guint64, the counts being parsed, same layout */
  gint64     time;         /* of the latest sample, µs */
  double     interval;
};

void
kvmrt_irq_sampler_free (KvmrtIrqSampler *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->path);
  g_byte_array_unref (self->buffer);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_array_unref (self->deltas);
  g_array_unref (self->scratch);
  g_free (self);
}

/* The whole file from its start into self->buffer (NUL-terminated). */
static gboolean
read_all (KvmrtIrqSampler *self, GError **error)
{
  gsize used = 0;

  if (lseek (self->fd, 0, SEEK_SET) < 0)
    goto failed;
  for (;;)
    {
      ssize_t n;

      if (self->buffer->len - used < 4096)
        g_byte_array_set_size (self->buffer, self->buffer->len * 2);
      n = read (self->fd, self->buffer->data + used, self->buffer->len - used - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto failed;
      if (n == 0)
        break;
      used += n;
    }
  self->buffer->data[used] = '\0';
  return TRUE;

failed:
  g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT, _("Cannot read “%s”: %s"),
               self->path, g_strerror (errno));
  return FALSE;
}

static const char *
line_end (const char *p)
{
  const char *end = strchr (p, '\n');

  return end != NULL ? end : p + strlen (p);
}

static gboolean
same_columns (const GArray *a, const GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint)) == 0;
}

/* The fast path: every row of the text is the row of the same name we have, in order; their
 * counts are parsed into self->scratch. FALSE when the rows differ (nothing changed then). */
static gboolean
parse_counts (KvmrtIrqSampler *self, const char *p)
{
  guint stride = self->columns->len;
  guint row = 0;

  g_array_set_size (self->scratch, (gsize) self->rows->len * stride);
  while (*p != '\0')
    {
      const KvmrtIrq *irq;
      gsize name_length;
      guint64 *counts;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      if (row >= self->rows->len)
        return FALSE;
      irq = self->rows->pdata[row];
      name_length = strlen (irq->name);
      if (strncmp (p, irq->name, name_length) != 0 || p[name_length] != ':')
        return FALSE;
      p += name_length + 1;
      counts = &g_array_index (self->scratch, guint64, (gsize) row * stride);
      for (guint c = 0; c < irq->counts->len; c++)
        {
          guint64 value = 0;

          while (*p == ' ')
            p++;
          if (*p < '0' || *p > '9')
            return FALSE;
          for (; *p >= '0' && *p <= '9'; p++)
            value = value * 10 + (guint64) (*p - '0');
          counts[c] = value;
        }
      row++;
      p = strchrnul (p, '\n');
      if (*p == '\n')
        p++;
    }
  return row == self->rows->len;
}

static void
commit_counts (KvmrtIrqSampler *self)
{
  guint stride = self->columns->len;

  for (guint r = 0; r < self->rows->len; r++)
    {
      const KvmrtIrq *irq = self->rows->pdata[r];
      guint64 *counts = (guint64 *) irq->counts->data;
      const guint64 *now = &g_array_index (self->scratch, guint64, (gsize) r * stride);
      guint64 *deltas = &g_array_index (self->deltas, guint64, (gsize) r * stride);

      for (guint c = 0; c < irq->counts->len; c++)
        {
          deltas[c] = now[c] >= counts[c] ? now[c] - counts[c] : now[c];
          counts[c] = now[c];
        }
    }
}

/* The slow path: rows parsed anew; deltas by name and CPU against @old_rows/@old_columns
 * (NULL at the first sample: all 0). */
static void
parse_all (KvmrtIrqSampler *self, const char *p, GPtrArray *old_rows, GArray *old_columns)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree int *old_column_of = NULL;
  const char *end = line_end (p);
  guint stride;

  self->columns = kvmrt_irq_parse_header (p, end);
  stride = self->columns->len;
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_irq_free);
  old_column_of = g_new (int, MAX (stride, 1));
  for (guint c = 0; c < stride; c++)
    {
      old_column_of[c] = -1;
      for (guint o = 0; old_columns != NULL && o < old_columns->len; o++)
        if (g_array_index (old_columns, guint, o) == g_array_index (self->columns, guint, c))
          old_column_of[c] = o;
    }
  for (guint i = 0; old_rows != NULL && i < old_rows->len; i++)
    g_hash_table_insert (by_name, ((KvmrtIrq *) old_rows->pdata[i])->name, old_rows->pdata[i]);

  for (p = *end != '\0' ? end + 1 : end; *p != '\0'; p = *end != '\0' ? end + 1 : end)
    {
      KvmrtIrq *irq;

      end = line_end (p);
      irq = kvmrt_irq_parse_row (p, end, stride);
      if (irq != NULL)
        g_ptr_array_add (self->rows, irq);
    }

  g_array_set_size (self->deltas, (gsize) self->rows->len * stride);
  memset (self->deltas->data, 0, (gsize) self->deltas->len * sizeof (guint64));
  for (guint r = 0; old_rows != NULL && r < self->rows->len; r++)
    {
      const KvmrtIrq *irq = self->rows->pdata[r];
      const KvmrtIrq *old = g_hash_table_lookup (by_name, irq->name);
      guint64 *deltas = &g_array_index (self->deltas, guint64, (gsize) r * stride);

      for (guint c = 0; old != NULL && c < irq->counts->len; c++)
        {
          guint64 now = g_array_index (irq->counts, guint64, c);
          /* ERR and MIS have one total, matched as such. */
          int o = irq->counts->len == 1 ? 0 : old_column_of[c];

          if (o >= 0 && (guint) o < old->counts->len)
            {
              guint64 before = g_array_index (old->counts, guint64, o);

              deltas[c] = now >= before ? now - before : now;
            }
        }
    }
}

gboolean
kvmrt_irq_sampler_sample (KvmrtIrqSampler *self, GError **error)
{
  const char *text, *end;
  gint64 now;

  if (!read_all (self, error))
    return FALSE;
  now = g_get_monotonic_time ();
  self->interval = self->time != 0 ? (now - self->time) / 1e6 : 0.0;
  self->time = now;
  text = (const char *) self->buffer->data;
  end = line_end (text);

  if (self->rows != NULL)
    {
      g_autoptr(GArray) columns = kvmrt_irq_parse_header (text, end);

      if (same_columns (columns, self->columns)
          && parse_counts (self, *end != '\0' ? end + 1 : end))
        {
          commit_counts (self);
          return TRUE;
        }
    }
  {
    g_autoptr(GPtrArray) old_rows = g_steal_pointer (&self->rows);
    g_autoptr(GArray) old_columns = g_steal_pointer (&self->columns);

    parse_all (self, text, old_rows, old_columns);
  }
  return TRUE;
}

KvmrtIrqSampler *
kvmrt_irq_sampler_new (const char *sysroot, GError **error)
{
  g_autoptr(KvmrtIrqSampler) self = g_new0 (KvmrtIrqSampler, 1);

  self->path = kvmrt_sysroot_path (sysroot, "proc/interrupts");
  self->buffer = g_byte_array_sized_new (65536);
  g_byte_array_set_size (self->buffer, 65536);
  self->deltas = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->scratch = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->fd = open (self->path, O_RDONLY | O_CLOEXEC);
  if (self->fd < 0)
    {
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT,
                   _("Cannot open “%s”: %s"), self->path, g_strerror (errno));
      return NULL;
    }
  if (!kvmrt_irq_sampler_sample (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const GArray *
kvmrt_irq_sampler_get_columns (KvmrtIrqSampler *self)
{
  return self->columns;
}

guint
kvmrt_irq_sampler_get_n_rows (KvmrtIrqSampler *self)
{
  return self->rows->len;
}

const KvmrtIrq *
kvmrt_irq_sampler_get_row (KvmrtIrqSampler *self, guint row)
{
  g_return_val_if_fail (row < self->rows->len, NULL);
  return self->rows->pdata[row];
}

const guint64 *
kvmrt_irq_sampler_get_deltas (KvmrtIrqSampler *self, guint row)
{
  g_return_val_if_fail (row < self->rows->len, NULL);
  return &g_array_index (self->deltas, guint64, (gsize) row * self->columns->len);
}

double
kvmrt_irq_sampler_get_interval (KvmrtIrqSampler *self)
{
  return self->interval;
}

double
kvmrt_irq_sampler_get_rate (KvmrtIrqSampler *self, guint row, guint column)
{
  const KvmrtIrq *irq = kvmrt_irq_sampler_get_row (self, row);

  g_return_val_if_fail (irq != NULL && column < irq->counts->len, 0.0);
  return self->interval > 0 ? kvmrt_irq_sampler_get_deltas (self, row)[column] / self->interval
                            : 0.0;
}
