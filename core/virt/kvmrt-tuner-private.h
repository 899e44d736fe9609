/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the tuner: the host state the tuned VMs want (kvmrt-tune-state.c) and the writes that
 * reach it (kvmrt-tuner.c). */
#pragma once

#include "kvmrt-journal.h"
#include "kvmrt-tuner.h"

G_BEGIN_DECLS

/* RedHawk's view of the shield (the CPUs from which processes are kept away). */
#define KVMRT_REDHAWK_SHIELD_FILE "proc/shield/procs"

typedef enum {
  KVMRT_TUNE_BACKEND_LINUX,    /* sysfs, /proc and cgroups */
  KVMRT_TUNE_BACKEND_REDHAWK,  /* shield(1), cpu(1), run(1) */
} KvmrtTuneBackend;

/* RedHawk when the sysroot has its shield interface and shield(1) is on PATH; Linux
 * otherwise. $KVMRT_TUNER_BACKEND=linux|redhawk overrides. */
KvmrtTuneBackend kvmrt_tune_backend_choose (const char *sysroot);
const char      *kvmrt_tune_backend_name   (KvmrtTuneBackend backend);
/* A host value as the tuner compares it (RedHawk's shield mask as a CPU list). */
char            *kvmrt_tune_backend_read   (KvmrtTuneBackend  backend,
                                            const char       *sysroot,
                                            const char       *path);
/* Sets a host value: 0, or an errno with, for commands, their message in @detail. */
int              kvmrt_tune_backend_write  (KvmrtTuneBackend  backend,
                                            const char       *sysroot,
                                            const char       *path,
                                            const char       *value,
                                            char            **detail);
int              kvmrt_tune_backend_set_fifo (KvmrtTuneBackend backend, int tid, int priority,
                                              char **detail);

/* Takes the tuner's exclusive lock on the host (one tuner, or operator change, at a time):
 * the descriptor to close() to release it, or -1 after setting @error. */
int              kvmrt_tuner_lock_host (const char *sysroot, GError **error);

/* Kernel files of the shield beyond cgroups and IRQs (sysroot-relative). */
#define KVMRT_IRQ_DEFAULT_AFFINITY    "proc/irq/default_smp_affinity"
#define KVMRT_WORKQUEUE_CPUMASK       "sys/devices/virtual/workqueue/cpumask"
#define KVMRT_WRITEBACK_CPUMASK       "sys/devices/virtual/workqueue/writeback/cpumask"
#define KVMRT_SYSCTL_RT_RUNTIME       "proc/sys/kernel/sched_rt_runtime_us"
#define KVMRT_SYSCTL_TIMER_MIGRATION  "proc/sys/kernel/timer_migration"
#define KVMRT_SYSCTL_STAT_INTERVAL    "proc/sys/vm/stat_interval"
#define KVMRT_SYSCTL_NMI_WATCHDOG     "proc/sys/kernel/nmi_watchdog"
#define KVMRT_SYSCTL_WATCHDOG_CPUMASK "proc/sys/kernel/watchdog_cpumask"

/* Apply in this order, restore in the reverse one: CPUs come back online before IRQs may be
 * sent to them again, and go offline after the IRQs have left. */
typedef enum {
  KVMRT_TUNE_PHASE_CGROUP,
  KVMRT_TUNE_PHASE_IRQ,
  KVMRT_TUNE_PHASE_CPU,
} KvmrtTunePhase;

/* What a setting is about, for the window's sentence when it drifted. */
typedef enum {
  KVMRT_TUNE_SUBJECT_OTHER,    /* told by what */
  KVMRT_TUNE_SUBJECT_CPU,      /* a sibling CPU to keep offline; id is the CPU */
  KVMRT_TUNE_SUBJECT_CGROUP,   /* a cgroup's CPUs; name is the cgroup */
  KVMRT_TUNE_SUBJECT_IRQ,      /* an IRQ's CPUs; id is the IRQ */
} KvmrtTuneSubject;

typedef struct {
  char             *path;    /* sysroot-relative */
  char             *value;   /* what to write, without newline */
  KvmrtTunePhase    phase;
  char             *what;    /* for reports: "CPU 48 offline" */
  KvmrtTuneSubject  subject;
  int               id;      /* the CPU or IRQ number, or -1 */
  char             *name;    /* the cgroup, or NULL */
  char             *owner;   /* the UUID of the VM that needs it, NULL when shared by all */
} KvmrtTuneSetting;

void            kvmrt_tune_setting_free (KvmrtTuneSetting *setting);
/* For g_ptr_array_sort() of names (char*): their order in reports, case ignored. */
int             kvmrt_tune_compare_names (gconstpointer a, gconstpointer b);
KvmrtTunePhase  kvmrt_tune_phase_of     (const char *path);
/* The settings every VM of @journal needs together, in phase order. Files are read live (or
 * their journaled originals) to derive the new values from. */
GPtrArray      *kvmrt_tune_state_wanted (KvmrtJournal     *journal,
                                         KvmrtHost        *host,
                                         KvmrtTuneBackend  backend);
/* Adds a setting (takes the strings); returns it, to say what it is about. */
KvmrtTuneSetting *kvmrt_tune_state_want (GPtrArray  *settings,
                                         char       *path,
                                         char       *value,
                                         char       *what);
/* The value a file's new value is derived from: its journaled original, else what it holds. */
char           *kvmrt_tune_state_base_value (KvmrtJournal *journal, const char *path);
/* The machine cgroups of QEMUs that are not tuned real-time VMs (kvmrt-tune-isolation.c). */
void            kvmrt_tune_state_want_other_vms (GPtrArray        *settings,
                                                 KvmrtJournal     *journal,
                                                 const KvmrtIdSet *rt,
                                                 const KvmrtIdSet *housekeeping);
/* Workqueue masks and sysctls (kvmrt-tune-isolation.c). */
void            kvmrt_tune_state_want_kernel    (GPtrArray        *settings,
                                                 KvmrtJournal     *journal,
                                                 const KvmrtIdSet *housekeeping);
/* For the crash-recovery test: counts one host change (kvmrt-tuner.c). */
void            kvmrt_tune_count_write  (void);
/* The real-time CPUs and the housekeeping CPUs of the journal's VMs on @host. */
void            kvmrt_tune_state_cpus   (KvmrtJournal *journal,
                                         KvmrtHost    *host,
                                         KvmrtIdSet   *rt,
                                         KvmrtIdSet   *housekeeping);
/* Kernel threads (kvmrt-tune-threads.c): only where the PIDs are real and no RedHawk shield
 * moves them. */
gboolean        kvmrt_tune_threads_applicable (const char *sysroot, KvmrtTuneBackend backend);
gboolean        kvmrt_tune_threads_confine (KvmrtJournal     *journal,
                                            const KvmrtIdSet *rt,
                                            const KvmrtIdSet *housekeeping,
                                            KvmrtTuneReport  *report,
                                            GError          **error);
gboolean        kvmrt_tune_threads_restore (KvmrtJournal    *journal,
                                            KvmrtTuneReport *report,
                                            GError         **error);
/* Drift: movable kernel threads, and threads of QEMUs other than the journal's VMs, that
 * may run on a real-time CPU. */
void            kvmrt_tune_threads_check   (const char       *sysroot,
                                            KvmrtJournal     *journal,
                                            const KvmrtIdSet *rt,
                                            GPtrArray        *drift);
/* The journal entry for a plan: shielded and offline CPUs, IRQ CPU, devices. */
KvmrtTunedVm   *kvmrt_tune_state_vm_from_plan (const KvmrtVmPlan *plan);

G_END_DECLS
