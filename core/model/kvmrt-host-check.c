/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-host-check.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-proc.h"
#include "kvmrt-sysroot.h"

/* CAP_SYS_RESOURCE: what lets libvirt raise QEMU's memlock limit. */
#define CAP_SYS_RESOURCE_BIT 24

typedef struct {
  const char *sysroot;
  KvmrtHost  *host;
  KvmrtPlan  *plan;
  KvmrtIdSet *rt_cpus;     /* the CPUs real-time vCPUs will run on; empty without a plan */
  GPtrArray  *checks;
} Checking;

void
kvmrt_host_check_free (KvmrtHostCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->message);
  g_free (check->fix);
  g_free (check);
}

const char *
kvmrt_check_status_to_string (KvmrtCheckStatus status)
{
  switch (status)
    {
    case KVMRT_CHECK_PASS:    return "pass";
    case KVMRT_CHECK_WARNING: return "warning";
    case KVMRT_CHECK_FAILURE:
    default:                  return "failure";
    }
}

KvmrtHostCheck *
kvmrt_host_check_new (const char *id, KvmrtCheckStatus status, const char *message,
                      const char *fix)
{
  KvmrtHostCheck *check = g_new0 (KvmrtHostCheck, 1);

  check->id = id;
  check->status = status;
  check->message = g_strdup (message);
  check->fix = g_strdup (fix);
  return check;
}

/* Adds a result; takes @message and @fix (either may be NULL). */
static void
add (Checking *c, const char *id, KvmrtCheckStatus status, char *message, char *fix)
{
  KvmrtHostCheck *check = kvmrt_host_check_new (id, status, message, fix);

  g_free (message);
  g_free (fix);
  g_ptr_array_add (c->checks, check);
}

static gboolean
exists (Checking *c, const char *relative)
{
  g_autofree char *path = kvmrt_sysroot_path (c->sysroot, relative);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static char *
read_optional (Checking *c, const char *relative)
{
  return kvmrt_sysroot_read_optional (c->sysroot, relative);
}

/* "0-3,8" or, without real-time CPUs, "" */
static char *
rt_cpu_list (Checking *c)
{
  return kvmrt_id_set_to_string (c->rt_cpus);
}

static void
check_virtualization (Checking *c)
{
  g_autofree char *cpuinfo = read_optional (c, "proc/cpuinfo");
  const char *flags = cpuinfo != NULL ? strstr (cpuinfo, "\nflags") : NULL;
  g_autofree char *line = NULL;

  if (flags != NULL)
    {
      const char *end = strchr (flags + 1, '\n');
      g_autofree char *text = g_strndup (flags, end != NULL ? (gsize) (end - flags)
                                                            : strlen (flags));

      /* A trailing blank, so that " vmx " also finds the last flag. */
      line = g_strconcat (text, " ", NULL);
    }
  if (line != NULL && (strstr (line, " vmx ") != NULL || strstr (line, " svm ") != NULL))
    add (c, "virtualization", KVMRT_CHECK_PASS,
         g_strdup_printf (_("The CPU has hardware virtualization (%s)."),
                          strstr (line, " vmx ") != NULL ? "VT-x" : "AMD-V"), NULL);
  else
    add (c, "virtualization", KVMRT_CHECK_FAILURE,
         g_strdup (_("The CPU reports neither VT-x (vmx) nor AMD-V (svm): it lacks them, the "
                     "firmware turned them off, or this host is itself a VM without nested "
                     "virtualization.")),
         g_strdup (_("Enable Intel VT-x or AMD SVM in the firmware setup (or nested "
                     "virtualization on the outer hypervisor).")));
}

static void
check_kvm_device (Checking *c)
{
  if (exists (c, "dev/kvm"))
    add (c, "kvm-device", KVMRT_CHECK_PASS, g_strdup (_("/dev/kvm is there.")), NULL);
  else
    add (c, "kvm-device", KVMRT_CHECK_FAILURE,
         g_strdup (_("/dev/kvm is missing: QEMU would emulate the CPU (TCG), which is far too "
                     "slow and irregular for real-time guests.")),
         g_strdup (_("Load the KVM module for your CPU (modprobe kvm_intel or kvm_amd) after "
                     "enabling virtualization in the firmware.")));
}

static gboolean
any_pci_devices_configured (Checking *c)
{
  for (guint i = 0; c->plan != NULL && i < kvmrt_plan_get_n_vms (c->plan); i++)
    {
      KvmrtVm *vm = kvmrt_plan_get_vm (c->plan, i)->vm;

      if (!kvmrt_vm_get_disabled (vm) && kvmrt_vm_get_pcidevs (vm)->len > 0)
        return TRUE;
    }
  return FALSE;
}

/* Parameters the kernel accepts: Intel's IOMMU needs intel_iommu=on; AMD's is on by default
 * (amd_iommu= takes no "on"). iommu=pt keeps the host's own devices off the IOMMU's
 * translation on both. */
static char *
iommu_fix (gboolean amd)
{
  if (amd)
    return g_strdup (_("Enable the IOMMU (AMD-Vi, often just \"IOMMU\" in the setup screens) in "
                       "the firmware: Linux uses it by itself on AMD. Add \"iommu=pt\" to the "
                       "kernel command line so the host's own devices skip its translation."));
  return g_strdup (_("Enable VT-d in the firmware and add \"intel_iommu=on iommu=pt\" to the "
                     "kernel command line."));
}

static void
check_iommu (Checking *c)
{
  g_autofree char *path = kvmrt_sysroot_path (c->sysroot, "sys/kernel/iommu_groups");
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint groups = 0;
  g_autofree char *cpuinfo = read_optional (c, "proc/cpuinfo");
  gboolean amd = cpuinfo != NULL && strstr (cpuinfo, "AuthenticAMD") != NULL;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    groups++;
  if (groups > 0)
    {
      add (c, "iommu", KVMRT_CHECK_PASS,
           g_strdup_printf (_("The IOMMU is on (%u groups): PCI devices can be passed to VMs."),
                            groups), NULL);
      return;
    }
  add (c, "iommu", any_pci_devices_configured (c) ? KVMRT_CHECK_FAILURE : KVMRT_CHECK_WARNING,
       g_strdup (_("No IOMMU groups: the IOMMU is off, so no PCI device can be passed to a "
                   "VM.")),
       iommu_fix (amd));
}

static void
check_vfio (Checking *c)
{
  if (exists (c, "sys/bus/pci/drivers/vfio-pci") || exists (c, "sys/module/vfio_pci"))
    add (c, "vfio-pci", KVMRT_CHECK_PASS, g_strdup (_("The vfio-pci driver is loaded.")), NULL);
  else
    add (c, "vfio-pci", KVMRT_CHECK_WARNING,
         g_strdup (_("The vfio-pci driver is not loaded. libvirt loads it when a VM with host "
                     "devices starts, if the module is installed.")),
         g_strdup (_("Check with 'modprobe vfio-pci'; add it to /etc/modules to load it at "
                     "boot.")));
}

/* The CPUs a kernel parameter ("nohz_full=8-15") names, or NULL when it is absent. isolcpus
 * may start with flags ("managed_irq,domain,8-15"). */
static KvmrtIdSet *
cmdline_cpus (const char *cmdline, const char *key)
{
  g_auto(GStrv) words = g_strsplit (cmdline, " ", -1);
  g_autofree char *prefix = g_strconcat (key, "=", NULL);

  for (char **w = words; *w != NULL; w++)
    {
      const char *value;

      if (!g_str_has_prefix (*w, prefix))
        continue;
      value = *w + strlen (prefix);
      while (g_ascii_isalpha (*value))
        {
          const char *comma = strchr (value, ',');

          if (comma == NULL)
            return kvmrt_id_set_new ();
          value = comma + 1;
        }
      return kvmrt_id_set_parse (value, NULL);
    }
  return NULL;
}

static void
check_kernel (Checking *c)
{
  static const char *const params[] = { "isolcpus", "nohz_full", "rcu_nocbs" };
  g_autofree char *version = read_optional (c, "proc/version");
  const char *cmdline = kvmrt_host_get_cmdline (c->host);
  g_autofree char *cpus = rt_cpu_list (c);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) fix = g_string_new (NULL);

  if (version != NULL && strstr (version, "RedHawk") != NULL)
    {
      if (strstr (cmdline, "idle.shielded=poll") != NULL)
        add (c, "kernel", KVMRT_CHECK_PASS,
             g_strdup (_("RedHawk kernel with idle.shielded=poll.")), NULL);
      else
        add (c, "kernel", KVMRT_CHECK_WARNING,
             g_strdup (_("RedHawk kernel without idle.shielded=poll: shielded CPUs enter deep "
                         "idle states and wake up late.")),
             g_strdup (_("Add idle.shielded=poll to the kernel command line.")));
      return;
    }
  if (*cpus == '\0')
    {
      add (c, "kernel", KVMRT_CHECK_PASS,
           g_strdup (_("The configuration plans no real-time CPUs on this host, so none need "
                       "isolating (name a configuration with -f to judge its CPUs).")), NULL);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    {
      g_autoptr(KvmrtIdSet) set = cmdline_cpus (cmdline, params[i]);

      if (set == NULL || !kvmrt_id_set_is_subset (c->rt_cpus, set))
        {
          g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", params[i]);
          g_string_append_printf (fix, "%s%s=%s%s", fix->len > 0 ? " " : "", params[i],
                                  g_str_equal (params[i], "isolcpus") ? "managed_irq,domain,"
                                                                      : "",
                                  cpus);
        }
    }
  if (missing->len == 0)
    add (c, "kernel", KVMRT_CHECK_PASS,
         g_strdup_printf (_("The kernel command line isolates the real-time CPUs %s."), cpus),
         NULL);
  else
    add (c, "kernel", KVMRT_CHECK_WARNING,
         g_strdup_printf (_("The kernel command line does not cover the real-time CPUs %s with "
                            "%s: the kernel keeps scheduling timers, RCU callbacks and "
                            "unbound work there."), cpus, missing->str),
         g_strdup_printf (_("Add \"%s\" to the kernel command line and reboot."), fix->str));
}

/* PIDs of the processes whose comm is one of @names. */
static GArray *
find_processes (Checking *c, const char *const *names)
{
  g_autofree char *proc = kvmrt_sysroot_path (c->sysroot, "proc");
  g_autoptr(GDir) dir = g_dir_open (proc, 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *relative = NULL;
      g_autofree char *comm = NULL;
      char *end = NULL;
      int pid = (int) strtol (entry, &end, 10);

      if (*end != '\0' || pid <= 0)
        continue;
      relative = g_strdup_printf ("proc/%d/comm", pid);
      comm = read_optional (c, relative);
      if (comm != NULL && g_strv_contains (names, comm))
        g_array_append_val (pids, pid);
    }
  return pids;
}

static void
check_irqbalance (Checking *c)
{
  static const char *const names[] = { "irqbalance", NULL };
  g_autoptr(GArray) pids = find_processes (c, names);
  g_autofree char *defaults = read_optional (c, "etc/default/irqbalance");
  g_autofree char *cpus = rt_cpu_list (c);
  const char *banned = defaults != NULL ? strstr (defaults, "IRQBALANCE_BANNED_CPULIST=") : NULL;
  g_autoptr(KvmrtIdSet) banned_cpus = NULL;

  if (pids->len == 0)
    {
      add (c, "irqbalance", KVMRT_CHECK_PASS, g_strdup (_("irqbalance is not running.")),
           NULL);
      return;
    }
  /* It only gets in the way of CPUs kvmrt keeps free of interrupts. */
  if (*cpus == '\0')
    {
      add (c, "irqbalance", KVMRT_CHECK_PASS,
           g_strdup (_("irqbalance runs; the configuration plans no real-time CPUs for it to "
                       "disturb.")), NULL);
      return;
    }
  if (banned != NULL)
    {
      g_autofree char *value = g_strndup (banned + strlen ("IRQBALANCE_BANNED_CPULIST="),
                                          strcspn (banned + strlen ("IRQBALANCE_BANNED_"
                                                                    "CPULIST="), "\n"));

      g_strdelimit (value, "\"'", ' ');
      banned_cpus = kvmrt_id_set_parse (g_strstrip (value), NULL);
    }
  if (banned_cpus != NULL && kvmrt_id_set_is_subset (c->rt_cpus, banned_cpus))
    add (c, "irqbalance", KVMRT_CHECK_PASS,
         g_strdup_printf (_("irqbalance runs but leaves the real-time CPUs %s alone."), cpus),
         NULL);
  else
    add (c, "irqbalance", KVMRT_CHECK_WARNING,
         g_strdup (_("irqbalance is running: it moves interrupts back onto the CPUs kvmrt "
                     "keeps free of them.")),
         g_strdup_printf (_("Stop it (systemctl disable --now irqbalance), or set "
                            "IRQBALANCE_BANNED_CPULIST=%s in /etc/default/irqbalance."), cpus));
}

/* With CONFIG_RT_GROUP_SCHED (cgroup v1 "cpu" with cpu.rt_runtime_us), a cgroup without a
 * real-time budget refuses SCHED_FIFO; libvirt's VM groups start with none. */
static void
check_rt_budget (Checking *c)
{
  static const char *const roots[] = { "sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct" };
  static const char *const groups[] = { "machine.slice", "machine" };
  g_autofree char *global = read_optional (c, "proc/sys/kernel/sched_rt_runtime_us");

  if (global != NULL && g_str_equal (global, "0"))
    {
      add (c, "rt-budget", KVMRT_CHECK_FAILURE,
           g_strdup (_("kernel.sched_rt_runtime_us is 0: no task may use SCHED_FIFO.")),
           g_strdup (_("Set kernel.sched_rt_runtime_us to 950000 (or -1) with sysctl.")));
      return;
    }
  for (guint r = 0; r < G_N_ELEMENTS (roots); r++)
    {
      g_autofree char *root_file = g_strconcat (roots[r], "/cpu.rt_runtime_us", NULL);
      g_autofree char *budget = NULL;
      const char *group = NULL;

      if (!exists (c, root_file))
        continue;
      for (guint g = 0; g < G_N_ELEMENTS (groups) && budget == NULL; g++)
        {
          g_autofree char *file = g_strconcat (roots[r], "/", groups[g], "/cpu.rt_runtime_us",
                                               NULL);

          budget = read_optional (c, file);
          group = groups[g];
        }
      if (budget != NULL && atol (budget) > 0)
        add (c, "rt-budget", KVMRT_CHECK_PASS,
             g_strdup_printf (_("libvirt's cgroup %s has a real-time budget of %s µs per "
                                "period."), group, budget), NULL);
      else
        add (c, "rt-budget", KVMRT_CHECK_FAILURE,
             g_strdup (_("The kernel has real-time group scheduling and libvirt's VM cgroups "
                         "have no real-time budget: SCHED_FIFO for vCPU threads will be "
                         "refused.")),
             g_strdup_printf (_("Give the cgroups a budget (echo 950000 > /%s/%s/"
                                "cpu.rt_runtime_us, and the same for each VM's group below it), "
                                "or boot a kernel built without CONFIG_RT_GROUP_SCHED."),
                              roots[r], budget != NULL ? group : "machine.slice"));
      return;
    }
  add (c, "rt-budget", KVMRT_CHECK_PASS,
       g_strdup (_("No real-time group scheduling limits: SCHED_FIFO is allowed in libvirt's "
                   "cgroups.")), NULL);
}

/* "Max locked memory  65536  65536  bytes": the hard limit, G_MAXUINT64 for unlimited. */
static guint64
hard_memlock (const char *limits)
{
  const char *line = limits != NULL ? strstr (limits, "Max locked memory") : NULL;
  g_auto(GStrv) fields = NULL;
  g_autofree char *text = NULL;

  if (line == NULL)
    return 0;
  text = g_strndup (line + strlen ("Max locked memory"), strcspn (line, "\n")
                                                         - strlen ("Max locked memory"));
  fields = g_strsplit_set (g_strstrip (text), " ", -1);
  for (guint i = 0, n = 0; fields[i] != NULL; i++)
    if (*fields[i] != '\0' && ++n == 2)
      return g_str_equal (fields[i], "unlimited") ? G_MAXUINT64
                                                 : g_ascii_strtoull (fields[i], NULL, 10);
  return 0;
}

static gboolean
has_capability (const char *status, guint bit)
{
  const char *line = status != NULL ? strstr (status, "CapEff:") : NULL;

  return line != NULL
         && (g_ascii_strtoull (line + strlen ("CapEff:"), NULL, 16) >> bit) & 1;
}

static void
check_memlock (Checking *c)
{
  static const char *const names[] = { "libvirtd", "virtqemud", NULL };
  g_autoptr(GArray) pids = find_processes (c, names);
  g_autofree char *limits_path = NULL, *status_path = NULL;
  g_autofree char *limits = NULL, *status = NULL;
  int pid;

  if (pids->len == 0)
    {
      add (c, "memlock", KVMRT_CHECK_WARNING,
           g_strdup (_("No libvirt daemon (libvirtd or virtqemud) is running, so its right to "
                       "lock QEMU's memory could not be checked.")),
           g_strdup (_("Start libvirt and run this check again.")));
      return;
    }
  pid = g_array_index (pids, int, 0);
  limits_path = g_strdup_printf ("proc/%d/limits", pid);
  status_path = g_strdup_printf ("proc/%d/status", pid);
  limits = read_optional (c, limits_path);
  status = read_optional (c, status_path);
  if (has_capability (status, CAP_SYS_RESOURCE_BIT) || hard_memlock (limits) == G_MAXUINT64)
    add (c, "memlock", KVMRT_CHECK_PASS,
         g_strdup_printf (_("The libvirt daemon (PID %d) may lift QEMU's memory-lock limit, so "
                            "real-time VMs' memory can be locked."), pid), NULL);
  else
    add (c, "memlock", KVMRT_CHECK_FAILURE,
         g_strdup_printf (_("The libvirt daemon (PID %d) has neither CAP_SYS_RESOURCE nor an "
                            "unlimited memory-lock limit: VMs with locked memory (every "
                            "real-time VM) will fail to start."), pid),
         g_strdup (_("Run libvirt with LimitMEMLOCK=infinity in its systemd unit and with "
                     "CAP_SYS_RESOURCE (not possible in most containers).")));
}

static void
check_smt (Checking *c)
{
  g_autofree char *control = read_optional (c, "sys/devices/system/cpu/smt/control");

  if (control == NULL || g_str_equal (control, "notsupported"))
    add (c, "smt", KVMRT_CHECK_PASS, g_strdup (_("The CPU has no SMT (hyperthreads).")), NULL);
  else if (g_str_equal (control, "on"))
    add (c, "smt", KVMRT_CHECK_PASS,
         g_strdup (_("SMT is on: while a real-time VM runs, kvmrt takes the sibling threads of "
                     "its cores offline.")), NULL);
  else
    add (c, "smt", KVMRT_CHECK_PASS,
         g_strdup_printf (_("SMT is %s: every core runs one thread."), control), NULL);
}

static void
check_governor (Checking *c)
{
  const KvmrtIdSet *cpus = kvmrt_id_set_is_empty (c->rt_cpus)
                           ? kvmrt_host_get_online_cpus (c->host) : c->rt_cpus;
  g_autoptr(KvmrtIdSet) slow = kvmrt_id_set_new ();
  g_autofree char *slow_list = NULL, *governors = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint scaled = 0;

  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      g_autofree char *relative = g_strdup_printf ("sys/devices/system/cpu/cpu%d/cpufreq/"
                                                   "scaling_governor", cpu);
      g_autofree char *governor = read_optional (c, relative);

      if (governor == NULL)
        continue;
      scaled++;
      if (!g_str_equal (governor, "performance"))
        {
          kvmrt_id_set_add (slow, cpu);
          g_hash_table_add (seen, g_steal_pointer (&governor));
        }
    }
  if (scaled == 0)
    {
      add (c, "cpufreq", KVMRT_CHECK_PASS,
           g_strdup (_("The CPUs expose no frequency scaling to Linux.")), NULL);
      return;
    }
  if (kvmrt_id_set_is_empty (slow))
    {
      add (c, "cpufreq", KVMRT_CHECK_PASS,
           g_strdup (_("The CPUs run the performance governor.")), NULL);
      return;
    }
  slow_list = kvmrt_id_set_to_string (slow);
  {
    g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (seen, NULL);

    governors = g_strjoinv (", ", (char **) names);
  }
  add (c, "cpufreq", KVMRT_CHECK_WARNING,
       g_strdup_printf (_("CPUs %s use the %s governor: clock changes add latency."), slow_list,
                        governors),
       g_strdup (_("Use the performance governor (cpupower frequency-set -g performance).")));
}

static void
check_numa_balancing (Checking *c)
{
  g_autofree char *value = read_optional (c, "proc/sys/kernel/numa_balancing");

  if (value != NULL && !g_str_equal (value, "0"))
    add (c, "numa-balancing", KVMRT_CHECK_WARNING,
         g_strdup (_("Automatic NUMA balancing is on: the kernel unmaps and migrates guest "
                     "memory behind the VM's back, which causes latency spikes.")),
         g_strdup (_("Turn it off: sysctl kernel.numa_balancing=0 (numa_balancing=disable on "
                     "the kernel command line).")));
  else
    add (c, "numa-balancing", KVMRT_CHECK_PASS,
         g_strdup (_("Automatic NUMA balancing is off.")), NULL);
}

/* ---- What kvmrt-boot's shield will change at run time, and what the host will refuse ---- */

/* Whether a tunable the tuner writes is there and writable (a read-only /proc/sys, as in
 * containers, refuses even root: access() says EROFS). */
typedef enum { TUNABLE_OK, TUNABLE_MISSING, TUNABLE_READ_ONLY } Tunable;

static Tunable
tunable (Checking *c, const char *relative)
{
  g_autofree char *path = kvmrt_sysroot_path (c->sysroot, relative);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TUNABLE_MISSING;
  return g_access (path, W_OK) == 0 ? TUNABLE_OK : TUNABLE_READ_ONLY;
}

static gboolean
rt_planned (Checking *c)
{
  return !kvmrt_id_set_is_empty (c->rt_cpus);
}

/* The tuner lifts throttling (-1) while real-time VMs run: a SCHED_FIFO vCPU that never
 * sleeps would otherwise be stopped for the rest of every period. */
static void
check_rt_throttling (Checking *c)
{
  const char *file = "proc/sys/kernel/sched_rt_runtime_us";
  g_autofree char *now = read_optional (c, file);

  switch (tunable (c, file))
    {
    case TUNABLE_MISSING:
      add (c, "rt-throttling", KVMRT_CHECK_WARNING,
           g_strdup (_("The kernel has no /proc/sys/kernel/sched_rt_runtime_us: real-time "
                       "throttling cannot be lifted, and a busy SCHED_FIFO vCPU may be stopped "
                       "for part of every second.")),
           g_strdup (_("Use a kernel with the standard scheduler sysctls (any distribution "
                       "kernel has them).")));
      return;
    case TUNABLE_READ_ONLY:
      add (c, "rt-throttling", rt_planned (c) ? KVMRT_CHECK_FAILURE : KVMRT_CHECK_WARNING,
           g_strdup (_("/proc/sys/kernel/sched_rt_runtime_us is read-only here: the host will "
                       "refuse to lift real-time throttling.")),
           g_strdup (_("Run kvmrt where /proc/sys is writable (not in an unprivileged "
                       "container).")));
      return;
    case TUNABLE_OK:
    default:
      add (c, "rt-throttling", KVMRT_CHECK_PASS,
           g_strdup_printf (_("Real-time throttling is %s µs per second now; while a real-time "
                              "VM runs kvmrt sets it to -1 (off)."), now), NULL);
    }
}

/* Unbound workqueues: the kernel refuses (EINVAL) a mask with no online CPU left. */
static void
check_workqueues (Checking *c)
{
  static const char *const files[] = { "sys/devices/virtual/workqueue/cpumask",
                                       "sys/devices/virtual/workqueue/writeback/cpumask" };
  g_autoptr(KvmrtIdSet) left = kvmrt_id_set_copy (kvmrt_host_get_online_cpus (c->host));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (tunable (c, files[i]) != TUNABLE_OK)
      {
        add (c, "workqueues", KVMRT_CHECK_WARNING,
             g_strdup_printf (_("/%s is missing or read-only: unbound kernel work may still run "
                                "on the real-time CPUs."), files[i]),
             g_strdup (_("Use a kernel with the workqueue sysfs interface (Linux 4.2 or later) "
                         "and a writable /sys.")));
        return;
      }
  kvmrt_id_set_subtract (left, c->rt_cpus);
  if (rt_planned (c) && kvmrt_id_set_is_empty (left))
    add (c, "workqueues", KVMRT_CHECK_FAILURE,
         g_strdup (_("The real-time VMs take every online CPU: the kernel will refuse a "
                     "workqueue mask without one.")),
         g_strdup (_("Leave at least one online CPU to the host.")));
  else
    add (c, "workqueues", KVMRT_CHECK_PASS,
         g_strdup (_("Unbound and writeback work queues can be kept to the housekeeping "
                     "CPUs.")), NULL);
}

static void
check_timer_migration (Checking *c)
{
  switch (tunable (c, "proc/sys/kernel/timer_migration"))
    {
    case TUNABLE_MISSING:
      add (c, "timer-migration", KVMRT_CHECK_WARNING,
           g_strdup (_("The kernel has no kernel.timer_migration (built without NO_HZ): "
                       "timers may still be queued on the real-time CPUs.")),
           g_strdup (_("Use a kernel built with CONFIG_NO_HZ_COMMON (distribution kernels "
                       "are).")));
      return;
    case TUNABLE_READ_ONLY:
      add (c, "timer-migration", KVMRT_CHECK_WARNING,
           g_strdup (_("kernel.timer_migration is read-only here: the host will refuse to turn "
                       "timer migration off.")),
           g_strdup (_("Run kvmrt where /proc/sys is writable.")));
      return;
    case TUNABLE_OK:
    default:
      add (c, "timer-migration", KVMRT_CHECK_PASS,
           g_strdup (_("Timer migration can be turned off while real-time VMs run.")), NULL);
    }
}

/* The lockup detector's NMIs land on every CPU it watches. */
static void
check_nmi_watchdog (Checking *c)
{
  if (tunable (c, "proc/sys/kernel/watchdog_cpumask") == TUNABLE_OK)
    add (c, "nmi-watchdog", KVMRT_CHECK_PASS,
         g_strdup (_("The lockup watchdogs can be kept off the real-time CPUs "
                     "(kernel.watchdog_cpumask).")), NULL);
  else if (tunable (c, "proc/sys/kernel/nmi_watchdog") == TUNABLE_OK)
    add (c, "nmi-watchdog", KVMRT_CHECK_WARNING,
         g_strdup (_("The kernel has no kernel.watchdog_cpumask: kvmrt turns the NMI watchdog "
                     "off on every CPU while real-time VMs run.")),
         g_strdup (_("Boot with nmi_watchdog=0, or use a kernel with watchdog_cpumask "
                     "(Linux 4.5 or later), to keep it on the other CPUs.")));
  else if (exists (c, "proc/sys/kernel/nmi_watchdog"))
    add (c, "nmi-watchdog", KVMRT_CHECK_WARNING,
         g_strdup (_("kernel.nmi_watchdog is read-only here: the NMI watchdog stays on the "
                     "real-time CPUs.")),
         g_strdup (_("Boot with nmi_watchdog=0.")));
  else
    add (c, "nmi-watchdog", KVMRT_CHECK_PASS,
         g_strdup (_("The kernel has no NMI watchdog.")), NULL);
}

/* Movable kernel threads on the real-time CPUs now (kvmrt-boot moves them; per-CPU threads
 * stay, bound by the kernel). */
static void
check_kernel_threads (Checking *c)
{
  g_autoptr(GPtrArray) threads = kvmrt_proc_list_movable_kthreads (c->sysroot);
  guint n = 0;

  for (guint i = 0; rt_planned (c) && i < threads->len; i++)
    n += kvmrt_id_set_intersects (((KvmrtKernelThread *) threads->pdata[i])->affinity,
                                  c->rt_cpus);
  if (!rt_planned (c))
    add (c, "kernel-threads", KVMRT_CHECK_PASS,
         g_strdup_printf (_("Kernel threads that may move: %u; no real-time CPUs are planned."),
                          threads->len), NULL);
  else if (kvmrt_sysroot_is_live (c->sysroot))
    add (c, "kernel-threads", KVMRT_CHECK_PASS,
         g_strdup_printf (_("Kernel threads that may move and can run on the real-time CPUs "
                            "now: %u; kvmrt-boot keeps them off. Per-CPU kernel threads stay."),
                          n),
         NULL);
  else
    add (c, "kernel-threads", KVMRT_CHECK_PASS,
         g_strdup_printf (_("Kernel threads that may move and can run on the real-time CPUs: "
                            "%u; kvmrt moves threads on the live host only."), n), NULL);
}

/* Other VMs are confined through the scope libvirt gives each QEMU below machine.slice (or
 * machine); a QEMU in no scope (the root cgroup, or straight in the machine group) cannot be
 * confined that way. */
static void
check_other_vms (Checking *c)
{
  g_autoptr(GPtrArray) qemus = kvmrt_proc_list_qemus (c->sysroot);
  g_autoptr(GString) loose = g_string_new (NULL);
  guint n_loose = 0;

  for (guint i = 0; i < qemus->len; i++)
    {
      const KvmrtQemuProcess *q = qemus->pdata[i];
      g_autofree char *cgroup = kvmrt_proc_get_cgroup (c->sysroot, q->pid, NULL);

      if (cgroup != NULL && (!g_str_has_prefix (cgroup, "machine") || strchr (cgroup, '/')))
        continue;
      g_string_append_printf (loose, "%s%d", n_loose++ > 0 ? ", " : "", q->pid);
    }
  if (n_loose > 0)
    add (c, "other-vms", KVMRT_CHECK_WARNING,
         g_strdup_printf (_("QEMU processes %s are in no cgroup kvmrt can confine: they may run "
                            "on the real-time CPUs."), loose->str),
         g_strdup (_("Start VMs through libvirt (each gets its own machine.slice scope).")));
  else
    add (c, "other-vms", KVMRT_CHECK_PASS,
         g_strdup_printf (_("Running QEMU processes: %u; each can be kept off the real-time "
                            "CPUs through its cgroup."), qemus->len), NULL);
}

gboolean
kvmrt_host_check_libvirt_fifo (const char *sysroot)
{
  Checking c = { sysroot, NULL, NULL, NULL, NULL };
  gboolean allowed;

  c.checks = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_host_check_free);
  check_rt_budget (&c);
  allowed = ((KvmrtHostCheck *) c.checks->pdata[0])->status == KVMRT_CHECK_PASS;
  g_ptr_array_unref (c.checks);
  return allowed;
}

GPtrArray *
kvmrt_host_check_run (const char *sysroot, KvmrtHost *host, KvmrtPlan *plan)
{
  g_autoptr(KvmrtIdSet) rt_cpus = kvmrt_id_set_new ();
  Checking c = { sysroot, host, plan, rt_cpus, NULL };

  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_get_vm (plan, i);

      if (p->rt && !kvmrt_vm_get_disabled (p->vm))
        kvmrt_id_set_union (rt_cpus, p->shielded_cpus);
    }
  c.checks = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_host_check_free);
  check_virtualization (&c);
  check_kvm_device (&c);
  check_iommu (&c);
  check_vfio (&c);
  check_kernel (&c);
  check_irqbalance (&c);
  check_rt_budget (&c);
  check_memlock (&c);
  check_smt (&c);
  check_governor (&c);
  check_numa_balancing (&c);
  check_rt_throttling (&c);
  check_workqueues (&c);
  check_timer_migration (&c);
  check_nmi_watchdog (&c);
  check_kernel_threads (&c);
  check_other_vms (&c);
  return c.checks;
}
