/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core parts of rttools: the host model's caches and PCI details, the proc/interrupts
 * sampler, the per-CPU snapshot and the operator's changes through the tuner's journal, on
 * copies of the fixture hosts (and the live /proc for threads). */
#define _GNU_SOURCE
#include <kvmrt.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmrt-cpu-snapshot.h"
#include "kvmrt-host-change.h"
#include "kvmrt-irq-sampler.h"
#include "kvmrt-journal.h"
#include "kvmrt-proc.h"
#include "kvmrt-test-hosts.h"
#include "kvmrt-tuner.h"
#include "kvmrt-tuner-private.h"

/* A private copy of fixture host @name (links kept), removed by the caller. */
static char *
copy_host (const char *name)
{
  g_autofree char *source = test_host_dir (name);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("rttools-XXXXXX", &error);
  g_autofree char *target = NULL;
  const char *argv[] = { "cp", "-a", source, NULL, NULL };
  int status = 0;

  g_assert_no_error (error);
  target = g_build_filename (dir, "host", NULL);
  argv[3] = target;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_free (dir);
  return g_steal_pointer (&target);
}

static void
remove_copy (const char *dir)
{
  g_autofree char *parent = g_path_get_dirname (dir);
  const char *argv[] = { "rm", "-rf", parent, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
}

/* One copy of the demo host for the tests that change it (copying is slow on a loaded
 * machine); each test leaves what it checks in a state the next ones expect. */
static char *demo_copy;

static KvmrtHost *
load (const char *dir, KvmrtHostLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  KvmrtHost *host = kvmrt_host_load (dir, flags, &error);

  g_assert_no_error (error);
  return host;
}

static void
assert_set (const KvmrtIdSet *set, const char *expected)
{
  g_autofree char *text = kvmrt_id_set_to_string (set);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_caches (void)
{
  static const struct { const char *host; guint n; const char *first; guint64 size; } cases[] = {
    { "m12swa-tf", 4, "0-7,32-39", 32 << 20 },
    /* CPUs 40-41 offline: their stale lists join the cache of their online siblings. */
    { "wrx90e-sage-se", 4, "0-7,32-39", 32 << 20 },
    { "bench-256", 16, "0-7,128-135", 32 << 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = test_host_dir (cases[i].host);
      g_autoptr(KvmrtHost) host = load (dir, KVMRT_HOST_LOAD_CACHES | KVMRT_HOST_LOAD_NO_PCI);
      GPtrArray *caches = kvmrt_host_get_caches (host);
      g_autoptr(KvmrtIdSet) all = kvmrt_id_set_new ();

      g_assert_cmpuint (caches->len, ==, cases[i].n);
      assert_set (((KvmrtHostCache *) caches->pdata[0])->cpus, cases[i].first);
      g_assert_cmpuint (((KvmrtHostCache *) caches->pdata[0])->size, ==, cases[i].size);
      for (guint c = 0; c < caches->len; c++)
        {
          const KvmrtHostCache *cache = caches->pdata[c];

          g_assert_false (kvmrt_id_set_intersects (all, cache->cpus));
          kvmrt_id_set_union (all, cache->cpus);
        }
      g_assert_true (kvmrt_id_set_equal (all, kvmrt_host_get_cpus (host)));
    }
  {
    g_autofree char *dir = test_host_dir ("m12swa-tf");
    g_autoptr(KvmrtHost) host = load (dir, KVMRT_HOST_LOAD_NO_PCI);

    g_assert_cmpuint (kvmrt_host_get_caches (host)->len, ==, 0);
  }
}

static void
test_pci_details (void)
{
  g_autofree char *dir = test_host_dir ("m12swa-tf");
  g_autoptr(KvmrtHost) host = load (dir, KVMRT_HOST_LOAD_PCI_DETAILS);
  const KvmrtPciDevice *pf = kvmrt_host_lookup_pci_device (host, KVMRT_PCI_ADDRESS (0, 0x21, 0, 0));
  const KvmrtPciDevice *vf = kvmrt_host_lookup_pci_device (host,
                                                           KVMRT_PCI_ADDRESS (0, 0x21, 0x10, 2));
  const KvmrtPciDevice *gpu = kvmrt_host_lookup_pci_device (host,
                                                            KVMRT_PCI_ADDRESS (0, 0x22, 0, 0));
  g_autoptr(GArray) vfs = kvmrt_host_get_virtual_functions (host, pf->address);
  const KvmrtNetInterface *net;

  g_assert_cmpint (pf->sriov_total_vfs, ==, 64);
  g_assert_cmpint (pf->sriov_num_vfs, ==, 2);
  g_assert_cmpuint (pf->interfaces->len, ==, 1);
  net = pf->interfaces->pdata[0];
  g_assert_cmpstr (net->name, ==, "enp33s0f0");
  g_assert_cmpstr (net->mac, ==, "ec:e7:a7:07:79:44");
  g_assert_true (vf->is_virtual_function);
  g_assert_cmpuint (vf->physfn, ==, pf->address);
  g_assert_cmpstr (((KvmrtNetInterface *) vf->interfaces->pdata[0])->name, ==, "enp33s0f0v1");
  g_assert_cmpuint (vfs->len, ==, 2);
  g_assert_cmpuint (g_array_index (vfs, KvmrtPciAddress, 0), ==, KVMRT_PCI_ADDRESS (0, 0x21, 0x10, 0));
  g_assert_cmpint (gpu->sriov_total_vfs, ==, -1);
  g_assert_cmpuint (gpu->interfaces->len, ==, 0);
}

/* Replaces the first occurrence of @from in proc/interrupts of @dir with @to, in place (the
 * kernel's file stays the same file). */
static void
edit_interrupts (const char *dir, const char *from, const char *to)
{
  g_autofree char *path = g_build_filename (dir, "proc", "interrupts", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) edited = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  edited = g_string_new (text);
  g_assert_cmpuint (g_string_replace (edited, from, to, 1), ==, 1);
  g_assert_true (g_file_set_contents_full (path, edited->str, edited->len,
                                           G_FILE_SET_CONTENTS_NONE, 0644, &error));
}

/* The line of row @name in proc/interrupts of @dir. */
static char *
row_line (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, "proc", "interrupts", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prefix = g_strconcat (name, ":", NULL);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (g_strchug (g_strdup (*l)), prefix))
      return g_strdup (*l);
  g_assert_not_reached ();
}

/* @line with count column @column set to @value. */
static char *
with_count (const char *line, guint column, guint64 value)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", -1);
  GString *out = g_string_new (NULL);
  guint seen = 0;

  for (char **f = fields; *f != NULL; f++)
    {
      /* The fields after the name that are numbers are the counts. */
      if (f != fields && **f != '\0' && g_ascii_isdigit (**f) && strchr (*f, ':') == NULL
          && seen++ == column)
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
      else
        g_string_append (out, *f);
      if (f[1] != NULL)
        g_string_append_c (out, ' ');
    }
  return g_string_free (out, FALSE);
}

static guint
find_row (KvmrtIrqSampler *sampler, const char *name)
{
  for (guint r = 0; r < kvmrt_irq_sampler_get_n_rows (sampler); r++)
    if (g_str_equal (kvmrt_irq_sampler_get_row (sampler, r)->name, name))
      return r;
  g_assert_not_reached ();
}

static void
test_irq_sampler (void)
{
  g_autofree char *dir = copy_host ("small-nosmt");
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIrqSampler) sampler = kvmrt_irq_sampler_new (dir, &error);
  g_autoptr(KvmrtHost) host = load (dir, KVMRT_HOST_LOAD_NO_PCI);
  g_autofree char *line = row_line (dir, "LOC");
  g_autofree char *plus7 = NULL;
  g_autofree char *plus10 = NULL;
  g_autofree char *added = NULL;
  g_autofree char *reset = NULL;
  guint64 before;
  guint r;

  g_assert_no_error (error);
  /* The same rows as the host model, no deltas yet. */
  g_assert_cmpuint (kvmrt_irq_sampler_get_n_rows (sampler), ==, kvmrt_host_get_irqs (host)->len);
  g_assert_cmpuint (kvmrt_irq_sampler_get_columns (sampler)->len, ==, 4);
  r = find_row (sampler, "LOC");
  before = g_array_index (kvmrt_irq_sampler_get_row (sampler, r)->counts, guint64, 2);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 0);
  g_assert_cmpfloat (kvmrt_irq_sampler_get_interval (sampler), ==, 0.0);

  /* Same rows: the fast path. */
  plus7 = with_count (line, 2, before + 7);
  edit_interrupts (dir, line, plus7);
  g_assert_true (kvmrt_irq_sampler_sample (sampler, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_array_index (kvmrt_irq_sampler_get_row (sampler, r)->counts, guint64, 2),
                    ==, before + 7);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 7);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[1], ==, 0);
  g_assert_cmpfloat (kvmrt_irq_sampler_get_interval (sampler), >, 0.0);
  g_assert_cmpfloat_with_epsilon (kvmrt_irq_sampler_get_rate (sampler, r, 2),
                                  7 / kvmrt_irq_sampler_get_interval (sampler), 1e-6);

  /* A new IRQ before LOC: rows parsed again, LOC's delta found by name. */
  plus10 = with_count (plus7, 2, before + 10);
  added = g_strdup_printf ("999:  1  2  3  4  IR-PCI-MSI-0000:00:1f.6  0-edge  newdev\n%s",
                           plus10);
  edit_interrupts (dir, plus7, added);
  g_assert_true (kvmrt_irq_sampler_sample (sampler, &error));
  g_assert_cmpuint (kvmrt_irq_sampler_get_n_rows (sampler), ==,
                    kvmrt_host_get_irqs (host)->len + 1);
  r = find_row (sampler, "LOC");
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 3);
  r = find_row (sampler, "999");
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[3], ==, 0);
  g_assert_cmpstr (kvmrt_irq_sampler_get_row (sampler, r)->actions, ==, "newdev");

  /* A counter that went down counts from 0. */
  reset = with_count (plus10, 2, 5);
  edit_interrupts (dir, plus10, reset);
  g_assert_true (kvmrt_irq_sampler_sample (sampler, &error));
  r = find_row (sampler, "LOC");
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 5);
  remove_copy (dir);
}

static void
write_interrupts (const char *dir, const char *text)
{
  g_autofree char *path = g_build_filename (dir, "proc", "interrupts", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644,
                                           &error));
}

/* A CPU goes offline between samples: its column leaves, the others' deltas stay matched by
 * CPU number; ERR's single total is matched as such. */
static void
test_irq_sampler_hotplug (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rttools-irq-XXXXXX", &error);
  g_autofree char *proc = g_build_filename (dir, "proc", NULL);
  g_autoptr(KvmrtIrqSampler) sampler = NULL;
  const GArray *columns;
  guint r;

  g_assert_cmpint (g_mkdir (proc, 0755), ==, 0);
  write_interrupts (dir, "           CPU0       CPU1       CPU2       CPU3\n"
                         "  24:        10         20         30         40  IR-PCI-MSIX-0000:01:00.0    0-edge      nvme0q1\n"
                         "LOC:        100        200        300        400   Local timer interrupts\n"
                         "ERR:          5\n");
  sampler = kvmrt_irq_sampler_new (dir, &error);
  g_assert_no_error (error);
  write_interrupts (dir, "           CPU0       CPU1       CPU3\n"
                         "  24:        11         20         44  IR-PCI-MSIX-0000:01:00.0    0-edge      nvme0q1\n"
                         "LOC:        101        203        409   Local timer interrupts\n"
                         "ERR:          6\n");
  g_assert_true (kvmrt_irq_sampler_sample (sampler, &error));
  columns = kvmrt_irq_sampler_get_columns (sampler);
  g_assert_cmpuint (columns->len, ==, 3);
  g_assert_cmpuint (g_array_index (columns, guint, 2), ==, 3);
  r = find_row (sampler, "24");
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[0], ==, 1);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 4);
  g_assert_cmpstr (kvmrt_irq_sampler_get_row (sampler, r)->actions, ==, "nvme0q1");
  r = find_row (sampler, "LOC");
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[1], ==, 3);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[2], ==, 9);
  r = find_row (sampler, "ERR");
  g_assert_cmpuint (kvmrt_irq_sampler_get_row (sampler, r)->counts->len, ==, 1);
  g_assert_cmpuint (kvmrt_irq_sampler_get_deltas (sampler, r)[0], ==, 1);
  remove_copy (proc);
}

/* Puts a tuned real-time VM into the journal of @dir, as the tuner would. */
static void
put_tuned_vm (const char *dir, const char *name, const char *shielded, const char *offline)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (dir, &error);
  KvmrtTunedVm *vm = kvmrt_tuned_vm_new ("3b9d4c61-0000-4000-8000-00000000000a", name);

  g_assert_no_error (error);
  kvmrt_id_set_union (vm->shielded, kvmrt_id_set_parse (shielded, NULL));
  kvmrt_id_set_union (vm->offline, kvmrt_id_set_parse (offline, NULL));
  kvmrt_journal_put_vm (journal, vm);
  kvmrt_journal_set_original (journal, "proc/irq/265/smp_affinity_list", "0-63");
  g_assert_true (kvmrt_journal_save (journal, &error));
}

static void
test_cpu_snapshot (void)
{
  const char *dir = demo_copy;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtCpuSnapshot) snapshot = NULL;
  const KvmrtCpuState *state;

  put_tuned_vm (dir, "rt1", "8-11", "40-43");
  host = load (dir, KVMRT_HOST_LOAD_DEFAULT);
  snapshot = kvmrt_cpu_snapshot_new (host, KVMRT_CPU_SNAPSHOT_DEFAULT, &error);
  g_assert_no_error (error);
  state = kvmrt_cpu_snapshot_get (snapshot, 9);
  g_assert_nonnull (state->owner);
  g_assert_cmpstr (state->owner->name, ==, "rt1");
  g_assert_true (state->shielded);
  state = kvmrt_cpu_snapshot_get (snapshot, 41);
  g_assert_cmpstr (state->owner->name, ==, "rt1");
  g_assert_false (state->shielded);
  state = kvmrt_cpu_snapshot_get (snapshot, 0);
  g_assert_null (state->owner);
  g_assert_true (state->online);
  /* Every IRQ with all CPUs in its affinity is allowed on CPU 0; 265 is the X550 PF's. */
  {
    gboolean found = FALSE;

    for (guint i = 0; i < state->irqs->len; i++)
      found |= g_array_index (state->irqs, int, i) == 265;
    g_assert_true (found);
  }
  g_assert_null (kvmrt_cpu_snapshot_get (snapshot, 64));
}

static void
test_cmdline_lists (void)
{
  g_autoptr(KvmrtIdSet) a = kvmrt_cmdline_cpu_list ("ro isolcpus=domain,managed_irq,2-5,9 quiet",
                                                    "isolcpus");
  g_autoptr(KvmrtIdSet) b = kvmrt_cmdline_cpu_list ("nohz_full=1-3", "nohz_full");
  g_autoptr(KvmrtIdSet) c = kvmrt_cmdline_cpu_list ("ro quiet", "isolcpus");

  assert_set (a, "2-5,9");
  assert_set (b, "1-3");
  g_assert_true (kvmrt_id_set_is_empty (c));
}

static char *
read_file (const char *dir, const char *relative)
{
  g_autofree char *text = kvmrt_sysroot_read (dir, relative, NULL);

  return g_strdup (text != NULL ? g_strstrip (text) : NULL);
}

static void
test_change_irq (void)
{
  const char *dir = demo_copy;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_parse ("0-3", NULL);
  g_autoptr(KvmrtIdSet) rt = kvmrt_id_set_parse ("2,9", NULL);
  g_autofree char *value = NULL;

  put_tuned_vm (dir, "rt1", "8-11", "40-43");
  host = load (dir, KVMRT_HOST_LOAD_DEFAULT);

  /* Not journaled: written, the journal untouched. */
  g_assert_true (kvmrt_host_change_irq_affinity (host, 4, housekeeping, FALSE, &error));
  g_assert_no_error (error);
  value = read_file (dir, "proc/irq/4/smp_affinity_list");
  g_assert_cmpstr (value, ==, "0-3");

  /* A CPU of rt1: refused, naming it, and nothing written. */
  g_assert_false (kvmrt_host_change_irq_affinity (host, 4, rt, FALSE, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "rt1"));
  g_assert_nonnull (strstr (error->message, "CPU 9 "));
  g_clear_error (&error);
  g_free (value);
  value = read_file (dir, "proc/irq/4/smp_affinity_list");
  g_assert_cmpstr (value, ==, "0-3");

  /* Forced, it is done. */
  g_assert_true (kvmrt_host_change_irq_affinity (host, 4, rt, TRUE, &error));
  g_free (value);
  value = read_file (dir, "proc/irq/4/smp_affinity_list");
  g_assert_cmpstr (value, ==, "2,9");

  /* Journaled by the tuner: the operator's value becomes the original. */
  g_assert_true (kvmrt_host_change_irq_affinity (host, 265, housekeeping, FALSE, &error));
  {
    g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (dir, &error);

    g_assert_cmpstr (kvmrt_journal_get_original (journal, "proc/irq/265/smp_affinity_list"), ==,
                     "0-3");
    g_assert_null (kvmrt_journal_get_original (journal, "proc/irq/4/smp_affinity_list"));
  }

  /* The interrupt of a device passed through to a VM may go to that VM's IRQ CPU (as the
   * tuner sends it), no other: 270 is the X550 VF 0000:21:10.0's. */
  {
    g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (dir, &error);
    KvmrtTunedVm *vm = kvmrt_tuned_vm_new ("9d1b0c4e-0000-4000-8000-00000000000b", "rt2");
    KvmrtPciAddress vf = KVMRT_PCI_ADDRESS (0, 0x21, 0x10, 0);
    g_autoptr(KvmrtIdSet) irq_cpu = kvmrt_id_set_parse ("19", NULL);
    g_autoptr(KvmrtIdSet) other = kvmrt_id_set_parse ("18", NULL);

    kvmrt_id_set_add_range (vm->shielded, 16, 19);
    vm->irq_cpu = 19;
    g_array_append_val (vm->pcidevs, vf);
    kvmrt_journal_put_vm (journal, vm);
    g_assert_true (kvmrt_journal_save (journal, &error));
    g_assert_true (kvmrt_host_change_irq_affinity (host, 270, irq_cpu, FALSE, &error));
    g_assert_no_error (error);
    g_assert_false (kvmrt_host_change_irq_affinity (host, 270, other, FALSE, &error));
    g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
    g_clear_error (&error);
    g_assert_false (kvmrt_host_change_irq_affinity (host, 4, irq_cpu, FALSE, &error));
    g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
    g_clear_error (&error);
    kvmrt_journal_remove_vm (journal, vm->uuid);
    g_assert_true (kvmrt_journal_save (journal, &error));
  }

  /* Unknown IRQ, offline or absent CPU. */
  g_assert_false (kvmrt_host_change_irq_affinity (host, 4000, housekeeping, FALSE, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(KvmrtIdSet) absent = kvmrt_id_set_parse ("70", NULL);

    g_assert_false (kvmrt_host_change_irq_affinity (host, 4, absent, FALSE, &error));
    g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_change_cpus (void)
{
  const char *dir = demo_copy;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtIdSet) free_cpus = kvmrt_id_set_parse ("20-21", NULL);
  g_autoptr(KvmrtIdSet) mixed = kvmrt_id_set_parse ("22,10", NULL);
  g_autoptr(KvmrtIdSet) changed = kvmrt_id_set_new ();
  g_autofree char *value = NULL;

  put_tuned_vm (dir, "rt1", "8-11", "40-43");
  host = load (dir, KVMRT_HOST_LOAD_NO_PCI);
  g_assert_true (kvmrt_host_change_cpus_online (host, free_cpus, FALSE, FALSE, changed, &error));
  g_assert_no_error (error);
  assert_set (changed, "20-21");
  value = read_file (dir, "sys/devices/system/cpu/cpu21/online");
  g_assert_cmpstr (value, ==, "0");

  /* One CPU of rt1 among them: nothing at all is changed. */
  kvmrt_id_set_clear (changed);
  g_assert_false (kvmrt_host_change_cpus_online (host, mixed, FALSE, FALSE, changed, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_true (kvmrt_id_set_is_empty (changed));
  g_free (value);
  value = read_file (dir, "sys/devices/system/cpu/cpu22/online");
  g_assert_cmpstr (value, ==, "1");
}

static void
test_change_task (void)
{
  const char *dir = demo_copy;
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) fixture = NULL;
  g_autoptr(KvmrtHost) live = load ("/", KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS);
  g_autoptr(KvmrtIdSet) cpus = kvmrt_id_set_parse ("9", NULL);
  g_autoptr(KvmrtIdSet) first = kvmrt_id_set_new ();
  cpu_set_t set;

  put_tuned_vm (dir, "rt1", "8-11", "40-43");
  fixture = load (dir, KVMRT_HOST_LOAD_NO_PCI);
  /* The fixture's daemon: a CPU of rt1 is refused before anything else. */
  g_assert_false (kvmrt_host_change_task_affinity (fixture, 812, cpus, FALSE, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_false (kvmrt_host_change_task_affinity (fixture, 812, cpus, TRUE, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_INVALID);
  g_clear_error (&error);

  /* This thread, on the live host: to the first CPU it may use. */
  g_assert_cmpint (sched_getaffinity (0, sizeof set, &set), ==, 0);
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET (c, &set))
      {
        kvmrt_id_set_add (first, c);
        break;
      }
  g_assert_true (kvmrt_host_change_task_affinity (live, gettid (), first, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sched_getaffinity (0, sizeof set, &set), ==, 0);
  g_assert_cmpint (CPU_COUNT (&set), ==, 1);
}

/* A thread the tuner moved (journaled with its original affinity) and then moved by the
 * operator keeps the operator's CPUs as its original: the live host's journal, only when the
 * host is not tuned (the journal is empty before and after). */
static void
test_change_journaled_thread (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) live = NULL;
  g_autoptr(KvmrtIdSet) first = kvmrt_id_set_new ();
  g_autoptr(KvmrtIdSet) before = NULL;
  g_autoptr(KvmrtJournal) journal = NULL;
  GPid child = 0;
  const char *argv[] = { "sleep", "60", NULL };
  cpu_set_t set;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to write the live host's tuning journal");
      return;
    }
  journal = kvmrt_journal_load ("/", &error);
  g_assert_no_error (error);
  if (!kvmrt_journal_is_empty (journal))
    {
      g_test_skip ("the live host is tuned: its journal is not touched");
      return;
    }
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                &child, &error));
  g_assert_cmpint (sched_getaffinity (0, sizeof set, &set), ==, 0);
  before = kvmrt_id_set_new ();
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET (c, &set))
      kvmrt_id_set_add (before, c);
  kvmrt_id_set_add (first, kvmrt_id_set_first (before));
  /* As the tuner records a thread it moves. */
  kvmrt_journal_set_thread (journal, child, 1, "sleep", before);
  g_assert_true (kvmrt_journal_save (journal, &error));
  g_clear_pointer (&journal, kvmrt_journal_free);

  live = load ("/", KVMRT_HOST_LOAD_NO_PCI | KVMRT_HOST_LOAD_NO_IRQS);
  g_assert_true (kvmrt_host_change_task_affinity (live, child, first, FALSE, &error));
  g_assert_no_error (error);
  journal = kvmrt_journal_load ("/", &error);
  g_assert_true (kvmrt_id_set_equal (kvmrt_journal_get_thread (journal, child)->cpus, first));
  g_assert_cmpuint (kvmrt_journal_get_thread (journal, child)->start, ==, 1);
  kvmrt_journal_drop_thread (journal, child);
  g_assert_true (kvmrt_journal_save (journal, &error));
  g_assert_true (kvmrt_journal_is_empty (journal));
  kill (child, SIGKILL);
  g_spawn_close_pid (child);
}

/* A change waits while the tuner holds the host (kvmrt-boot, kvmrtd): the two never
 * interleave. */
static void
test_change_waits_for_tuner (void)
{
  const char *dir = demo_copy;
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_build_filename (g_getenv ("KVMRT_CLI_DIR"), "rttools",
                                               "irq-affinity", NULL);
  const char *argv[] = { program, "--sysroot", dir, "8", "0-2", NULL };
  g_autofree char *value = NULL;
  GPid child = 0;
  int lock, status = -1;

  lock = kvmrt_tuner_lock_host (dir, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                NULL, &child, &error));
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_cmpint (waitpid (child, &status, WNOHANG), ==, 0);
  value = read_file (dir, "proc/irq/8/smp_affinity_list");
  g_assert_cmpstr (value, !=, "0-2");
  close (lock);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_free (value);
  value = read_file (dir, "proc/irq/8/smp_affinity_list");
  g_assert_cmpstr (value, ==, "0-2");
}

static gboolean
has_drift (GPtrArray *drift, const char *needle)
{
  for (guint i = 0; i < drift->len; i++)
    if (strstr (drift->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

/* The operator's changes and the tuner agree: a forced change onto a real-time CPU is that
 * VM's drift, which recovery (kvmrtd's restart) corrects; a change the VM does not mind stays
 * through recovery; and when the VM is released each IRQ gets what the operator last asked
 * for, not what it had before the tuning. */
static void
test_change_and_tuner (void)
{
  const char *dir = demo_copy;
  static const char uuid[] = "7d1e3c1f-0a52-4b8a-9e61-0f2d3c4b5a69";
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtHost) host = NULL;
  g_autoptr(KvmrtConfig) config = NULL;
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(KvmrtTuneReport) recovered = kvmrt_tune_report_new ();
  g_autoptr(KvmrtTuneReport) released = kvmrt_tune_report_new ();
  g_autoptr(GPtrArray) drift = NULL;
  g_autoptr(KvmrtIdSet) rt_cpu = kvmrt_id_set_parse ("17", NULL);
  g_autoptr(KvmrtIdSet) housekeeping = kvmrt_id_set_parse ("0-1", NULL);
  g_autofree char *text = g_strdup_printf ("[%s]\nname = drift-rt\nrt = true\n"
                                           "cpuset = 16-19\nnr_vcpus = 2\n", uuid);
  KvmrtPlan *plan;
  char *value;

  g_setenv ("KVMRT_TUNER_BACKEND", "linux", TRUE);
  {
    g_autoptr(KvmrtJournal) journal = kvmrt_journal_load (dir, &error);

    g_assert_no_error (error);
    kvmrt_journal_remove_vm (journal, "3b9d4c61-0000-4000-8000-00000000000a");
    kvmrt_journal_drop_original (journal, "proc/irq/265/smp_affinity_list");
    g_assert_true (kvmrt_journal_save (journal, &error));
  }
  host = load (dir, KVMRT_HOST_LOAD_DEFAULT);
  config = kvmrt_config_load_from_data (text, -1, "drift.cfg", &error);
  g_assert_no_error (error);
  plan = kvmrt_plan_new (config, host);
  g_assert_true (kvmrt_tuner_apply (dir, host, kvmrt_plan_get_vm (plan, 0), 0, report, &error));
  g_assert_no_error (error);
  g_clear_object (&host);
  host = load (dir, KVMRT_HOST_LOAD_DEFAULT);
  g_assert_true (kvmrt_tuner_check (dir, host, kvmrt_plan_get_vm (plan, 0), 0, &drift, &error));
  g_clear_pointer (&drift, g_ptr_array_unref);

  /* 265 onto the VM's CPU 17: refused, then forced, then drift. 266 to CPUs it does not mind. */
  g_assert_false (kvmrt_host_change_irq_affinity (host, 265, rt_cpu, FALSE, &error));
  g_assert_error (error, KVMRT_HOST_CHANGE_ERROR, KVMRT_HOST_CHANGE_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "drift-rt"));
  g_clear_error (&error);
  g_assert_true (kvmrt_host_change_irq_affinity (host, 265, rt_cpu, TRUE, &error));
  g_assert_true (kvmrt_host_change_irq_affinity (host, 266, housekeeping, FALSE, &error));
  g_assert_no_error (error);
  g_clear_object (&host);
  host = load (dir, KVMRT_HOST_LOAD_DEFAULT);
  g_assert_false (kvmrt_tuner_check (dir, host, kvmrt_plan_get_vm (plan, 0), 0, &drift, &error));
  g_assert_true (has_drift (drift, "proc/irq/265/"));
  g_assert_false (has_drift (drift, "proc/irq/266/"));
  g_clear_pointer (&drift, g_ptr_array_unref);

  /* kvmrtd restarts: recovery puts 265 back off CPU 17 and leaves 266 as asked. */
  g_assert_true (kvmrt_tuner_recover (dir, host, recovered, &error));
  value = read_file (dir, "proc/irq/265/smp_affinity_list");
  g_assert_false (strstr (value, "17") != NULL);
  g_free (value);
  value = read_file (dir, "proc/irq/266/smp_affinity_list");
  g_assert_cmpstr (value, ==, "0-1");
  g_free (value);

  /* Released: the operator's last values. */
  g_assert_true (kvmrt_tuner_release (dir, host, uuid, released, &error));
  g_assert_no_error (error);
  value = read_file (dir, "proc/irq/265/smp_affinity_list");
  g_assert_cmpstr (value, ==, "17");
  g_free (value);
  value = read_file (dir, "proc/irq/266/smp_affinity_list");
  g_assert_cmpstr (value, ==, "0-1");
  g_free (value);
  kvmrt_plan_free (plan);
}

static void
test_all_threads (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_all_threads ("/", &error);
  gboolean found = FALSE;

  g_assert_no_error (error);
  for (guint i = 0; i < threads->len; i++)
    {
      const KvmrtThread *t = threads->pdata[i];

      if (t->tid == gettid ())
        {
          found = TRUE;
          g_assert_cmpint (t->pid, ==, getpid ());
          g_assert_nonnull (t->affinity);
        }
    }
  g_assert_true (found);
  {
    static const char line[] = "qemu-system-x86_64\0-name\0guest=rt,,1,debug-threads=on\0-S";
    static const char plain[] = "qemu\0-name\0vm2";
    g_autofree char *a = kvmrt_proc_qemu_name (line, sizeof line);
    g_autofree char *b = kvmrt_proc_qemu_name (plain, sizeof plain);

    g_assert_cmpstr (a, ==, "rt,1");
    g_assert_cmpstr (b, ==, "vm2");
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rttools/caches", test_caches);
  g_test_add_func ("/rttools/pci-details", test_pci_details);
  g_test_add_func ("/rttools/irq-sampler", test_irq_sampler);
  g_test_add_func ("/rttools/irq-sampler-hotplug", test_irq_sampler_hotplug);
  g_test_add_func ("/rttools/cpu-snapshot", test_cpu_snapshot);
  g_test_add_func ("/rttools/cmdline-lists", test_cmdline_lists);
  g_test_add_func ("/rttools/change-irq", test_change_irq);
  g_test_add_func ("/rttools/change-cpus", test_change_cpus);
  g_test_add_func ("/rttools/change-task", test_change_task);
  g_test_add_func ("/rttools/change-waits-for-tuner", test_change_waits_for_tuner);
  g_test_add_func ("/rttools/change-and-tuner", test_change_and_tuner);
  g_test_add_func ("/rttools/change-journaled-thread", test_change_journaled_thread);
  g_test_add_func ("/rttools/all-threads", test_all_threads);
  demo_copy = copy_host ("m12swa-tf");
  status = g_test_run ();
  remove_copy (demo_copy);
  g_free (demo_copy);
  return status;
}
