/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IRQs of the host: the rows of proc/interrupts and the affinity of each numbered IRQ from
 * proc/irq/N/. The kernel prints (kernel/irq/proc.c) a header of "CPUn" columns, one per
 * online CPU, then for each IRQ "N:", one count per column, the chip, the hardware IRQ with
 * its trigger ("0-edge"), and the action names separated by ", ". Architecture rows ("NMI:",
 * "LOC:") have counts and a description; "ERR:" and "MIS:" have a single total. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-error.h"
#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

void
kvmrt_irq_free (KvmrtIrq *irq)
{
  if (irq == NULL)
    return;
  g_free (irq->name);
  g_clear_pointer (&irq->counts, g_array_unref);
  g_free (irq->chip);
  g_free (irq->hwirq);
  g_free (irq->actions);
  g_free (irq->description);
  g_clear_pointer (&irq->affinity, kvmrt_id_set_free);
  g_clear_pointer (&irq->effective_affinity, kvmrt_id_set_free);
  g_free (irq);
}

static const char *
skip_blanks (const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

static const char *
token_end (const char *p, const char *end)
{
  while (p < end && *p != ' ' && *p != '\t')
    p++;
  return p;
}

/* The rest of the line without surrounding blanks, or NULL if nothing is left. */
static char *
rest_of_line (const char *p, const char *end)
{
  p = skip_blanks (p, end);
  while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
    end--;
  return end > p ? g_strndup (p, end - p) : NULL;
}

/* "0-edge", "524288-edge", "-edge", or a bare hardware IRQ number. */
static gboolean
is_hwirq_token (const char *p, const char *end)
{
  const char *q = p;

  while (q < end && g_ascii_isdigit (*q))
    q++;
  if (q == end)
    return q > p;
  return *q == '-' && q + 1 < end;
}

GArray *
kvmrt_irq_parse_header (const char *p, const char *end)
{
  GArray *columns = g_array_new (FALSE, FALSE, sizeof (guint));

  for (p = skip_blanks (p, end); p < end; p = skip_blanks (token_end (p, end), end))
    {
      guint64 cpu;
      g_autofree char *token = g_strndup (p, token_end (p, end) - p);

      if (g_str_has_prefix (token, "CPU")
          && g_ascii_string_to_unsigned (token + 3, 10, 0, G_MAXUINT, &cpu, NULL))
        {
          guint value = cpu;

          g_array_append_val (columns, value);
        }
    }
  return columns;
}

KvmrtIrq *
kvmrt_irq_parse_row (const char *p, const char *end, guint n_columns)
{
  const char *colon;
  KvmrtIrq *irq;
  guint64 number;

  p = skip_blanks (p, end);
  colon = memchr (p, ':', end - p);
  if (colon == NULL || colon == p)
    return NULL;

  irq = g_new0 (KvmrtIrq, 1);
  irq->name = g_strndup (p, colon - p);
  irq->number = g_ascii_string_to_unsigned (irq->name, 10, 0, G_MAXINT, &number, NULL)
                ? (int) number : -1;
  irq->counts = g_array_sized_new (FALSE, FALSE, sizeof (guint64), n_columns);

  p = colon + 1;
  for (guint i = 0; i < n_columns; i++)
    {
      const char *start = skip_blanks (p, end);
      const char *stop = token_end (start, end);
      guint64 count = 0;

      if (start == stop || !g_ascii_isdigit (*start))
        break;
      for (const char *d = start; d < stop && g_ascii_isdigit (*d); d++)
        count = count * 10 + (*d - '0');
      g_array_append_val (irq->counts, count);
      p = stop;
    }

  if (irq->number < 0)
    {
      irq->description = rest_of_line (p, end);
      return irq;
    }

  p = skip_blanks (p, end);
  if (p < end)
    {
      const char *stop = token_end (p, end);

      irq->chip = g_strndup (p, stop - p);
      p = skip_blanks (stop, end);
      stop = token_end (p, end);
      if (p < end && is_hwirq_token (p, stop))
        {
          irq->hwirq = g_strndup (p, stop - p);
          p = stop;
        }
      irq->actions = rest_of_line (p, end);
    }
  return irq;
}

static KvmrtIdSet *
read_affinity (int irq_fd, int number, const char *file)
{
  char path[64];
  g_autofree char *text = NULL;

  if (irq_fd < 0)
    return NULL;
  g_snprintf (path, sizeof path, "%d/%s", number, file);
  text = kvmrt_sysroot_read_at (irq_fd, path);
  if (text == NULL)
    return NULL;
  return kvmrt_id_set_parse (g_strstrip (text), NULL);
}

gboolean
kvmrt_host_load_irqs (KvmrtHost *self, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (self->sysroot, "proc/interrupts");
  g_autofree char *text = NULL;
  gsize length = 0;
  int error_number = 0;
  const char *p, *stop;
  int irq_fd;

  text = kvmrt_sysroot_read_fd_at (AT_FDCWD, path, &length, &error_number);
  if (text == NULL)
    {
      /* A tree without proc/ (topology only) has no IRQs to show. */
      if (error_number == ENOENT && !kvmrt_sysroot_is_live (self->sysroot))
        return TRUE;
      g_set_error (error, KVMRT_HOST_ERROR, KVMRT_HOST_ERROR_SYSROOT,
                   _("Cannot read “%s”: %s"), path, g_strerror (error_number));
      return FALSE;
    }

  p = text;
  stop = text + length;
  {
    const char *end = memchr (p, '\n', stop - p);

    if (end == NULL)
      end = stop;
    self->irq_columns = kvmrt_irq_parse_header (p, end);
    p = end < stop ? end + 1 : stop;
  }

  irq_fd = kvmrt_sysroot_open_dir (self->sysroot, "proc/irq");
  while (p < stop)
    {
      const char *end = memchr (p, '\n', stop - p);
      KvmrtIrq *irq;

      if (end == NULL)
        end = stop;
      irq = kvmrt_irq_parse_row (p, end, self->irq_columns->len);
      if (irq != NULL)
        {
          if (irq->number >= 0)
            {
              irq->affinity = read_affinity (irq_fd, irq->number, "smp_affinity_list");
              irq->effective_affinity = read_affinity (irq_fd, irq->number,
                                                       "effective_affinity_list");
            }
          g_ptr_array_add (self->irqs, irq);
        }
      p = end + 1;
    }
  if (irq_fd >= 0)
    close (irq_fd);
  return TRUE;
}
