/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager's operations, run in worker threads: the same core calls the CLI tools make,
 * or, when the desktop user may not change the host, those tools run through pkexec. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-boot-set.h"
#include "kvmrt-lifecycle.h"
#include "kvmrt-manager-private.h"
#include "kvmrt-program.h"
#include "kvmrt-shutdown-set.h"
#include "kvmrt-sync.h"

/* Stops before a step when the operation was cancelled; @what says what is left as it is. */
static gboolean
stop_if_cancelled (GCancellable *cancellable, const char *what, GError **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", what);
  return TRUE;
}

void
kvmrt_operation_clear (KvmrtOperation *op)
{
  g_free (op->sysroot);
  g_free (op->uri);
  g_free (op->config_path);
  g_clear_object (&op->host);
  g_clear_object (&op->libvirt);
  g_clear_object (&op->config);
  g_clear_object (&op->new_host);
}

void
kvmrt_operation_free (KvmrtOperation *op)
{
  kvmrt_operation_clear (op);
  g_free (op);
}

void
kvmrt_vm_operation_free (KvmrtVmOperation *data)
{
  kvmrt_operation_clear (&data->op);
  g_free (data->uuid);
  g_free (data);
}

void
kvmrt_boot_set_operation_free (KvmrtBootSetOperation *data)
{
  kvmrt_operation_clear (&data->op);
  g_clear_pointer (&data->uuids, g_ptr_array_unref);
  g_clear_pointer (&data->reports, g_ptr_array_unref);
  g_free (data);
}

void
kvmrt_vm_report_free (KvmrtVmReport *report)
{
  g_free (report->uuid);
  g_free (report->message);
  g_free (report);
}

void
kvmrt_shutdown_operation_free (KvmrtShutdownOperation *data)
{
  kvmrt_operation_clear (&data->op);
  g_clear_pointer (&data->uuids, g_ptr_array_unref);
  g_clear_pointer (&data->reports, g_ptr_array_unref);
  g_free (data);
}

void
kvmrt_apply_operation_free (KvmrtApplyOperation *data)
{
  kvmrt_operation_clear (&data->op);
  g_clear_pointer (&data->on_disk, g_bytes_unref);
  g_clear_pointer (&data->problems, g_ptr_array_unref);
  g_free (data);
}

/* Hands the worker's outcome to the task, with the host as tuning left it. */
static void
return_message (GTask *task, KvmrtOperation *op, char *message, GError *error)
{
  /* Tuning takes CPUs offline and brings them back: the GUI shows the host as it is. */
  if (op->host_changes)
    op->new_host = kvmrt_host_load (op->sysroot, KVMRT_HOST_LOAD_DEFAULT, NULL);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, g_free);
}

/* The plan of the VM @uuid in @plans (made from the operation's configuration). */
static const KvmrtVmPlan *
find_plan (KvmrtPlan *plans, const char *uuid, GError **error)
{
  for (guint i = 0; i < kvmrt_plan_get_n_vms (plans); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (plans, i);

      if (g_ascii_strcasecmp (kvmrt_vm_get_uuid (plan->vm), uuid) == 0)
        return plan;
    }
  g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
               _("The VM %s is no longer in the configuration"), uuid);
  return NULL;
}

/* The error that refuses a job whose configuration has errors (@diagnostics has some). */
static void
set_invalid_error (GPtrArray *diagnostics, GError **error)
{
  guint errors = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR);
  const KvmrtDiagnostic *first = NULL;

  for (guint i = 0; first == NULL && i < diagnostics->len; i++)
    if (((KvmrtDiagnostic *) diagnostics->pdata[i])->severity == KVMRT_SEVERITY_ERROR)
      first = diagnostics->pdata[i];
  g_return_if_fail (first != NULL);
  if (errors == 1)
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID,
                 _("The configuration has an error: %s Fix it in Edit Configuration first."),
                 first->message);
  else
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID,
                 _("The configuration has %u errors, the first: %s Fix them in Edit "
                   "Configuration first."), errors, first->message);
}

/* Errors stop a job, as in the CLI; warnings do not. The job goes on with the plan it
 * judged. */
static gboolean
check_valid (KvmrtPlan *plan, GError **error)
{
  g_autoptr(GPtrArray) diagnostics = kvmrt_validate (plan, KVMRT_VALIDATE_DEFAULT);

  if (kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR) == 0)
    return TRUE;
  set_invalid_error (diagnostics, error);
  return FALSE;
}

/* Runs a CLI tool through pkexec with @args after its -f and -c; its output becomes the
 * message. @input (or NULL) is its standard input. Once started as root it runs to its end:
 * cancelling could leave the host half-tuned, and this user may not signal it anyway. */
static char *
run_privileged_argv (KvmrtOperation     *op,
                     const char         *input,
                     const char         *tool,
                     const char * const *args,
                     GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  g_ptr_array_add (argv, g_strdup ("pkexec"));
  /* Run from a build tree: app/kvmrt and cli/kvmrt-boot are siblings. */
  g_ptr_array_add (argv, kvmrt_program_find (tool, "../cli", KVMRT_BINDIR));
  g_ptr_array_add (argv, g_strdup ("-f"));
  g_ptr_array_add (argv, g_strdup (op->config_path));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (op->uri));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE
                               | (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0),
                               error);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, input, NULL, &out, NULL, error))
    return NULL;
  g_strchomp (out);
  /* pkexec: 126 when the user dismissed the authentication, 127 when it was refused. */
  if (g_subprocess_get_if_exited (process)
      && (g_subprocess_get_exit_status (process) == 126
          || g_subprocess_get_exit_status (process) == 127))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("%s needs administrator rights, which were not given (%s)"), tool, out);
      return NULL;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED, "%s", out);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* The same with the arguments listed, NULL-terminated. */
static char *
run_privileged (KvmrtOperation *op, const char *input, const char *tool, GError **error, ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list list;

  va_start (list, error);
  while ((arg = va_arg (list, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (list);
  g_ptr_array_add (args, NULL);
  return run_privileged_argv (op, input, tool, (const char * const *) args->pdata, error);
}

/* Writes one VM into libvirt; a line for the message when something changed. */
static gboolean
sync_vm (KvmrtOperation *op, const KvmrtVmPlan *plan, GString *message, GError **error)
{
  g_autoptr(KvmrtSyncState) state = NULL;
  g_autofree char *line = NULL;

  if (!kvmrt_sync_to_libvirt (op->libvirt, plan, &state, error))
    return FALSE;
  line = kvmrt_sync_state_word (state, kvmrt_vm_get_label (plan->vm), KVMRT_SYNC_WORDING_INLINE);
  if (line != NULL)
    g_string_append_printf (message, "%s%s", message->len > 0 ? "\n" : "", line);
  return TRUE;
}

/* The session core's whole-VM operations take, from the operation and its own plan. */
static KvmrtSession
make_session (KvmrtOperation *op, KvmrtPlan *plan)
{
  KvmrtSession session = { op->sysroot, op->host, op->libvirt, op->config, plan };

  return session;
}

/* @uuid's VM in @plan's configuration, in a set of its own (borrowed). */
static GPtrArray *
one_vm (KvmrtPlan *plan, const char *uuid, GError **error)
{
  const KvmrtVmPlan *vm_plan = find_plan (plan, uuid, error);
  GPtrArray *vms;

  if (vm_plan == NULL)
    return NULL;
  vms = g_ptr_array_new ();
  g_ptr_array_add (vms, vm_plan->vm);
  return vms;
}

/* A VM's result that did not go as asked, as an error; FALSE when it went as asked. */
static gboolean
set_result_error (const KvmrtVmResult *result, GError **error)
{
  if (result->error == NULL)
    return FALSE;
  g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED, "%s",
               result->error->message);
  return TRUE;
}

/* Lines that go under a message: the host's refusals while tuning. */
static void
append_problems (GString *message, KvmrtTuneReport *report)
{
  for (guint i = 0; i < report->problems->len; i++)
    g_string_append_printf (message, "\n%s", (char *) report->problems->pdata[i]);
}

/* "Started; tuned for real time (12 changes)". */
static char *
word_boot (const KvmrtVmResult *result)
{
  const char *what = result->outcome == KVMRT_VM_STARTED ? _("Started") : _("Already running");
  guint changes = result->report->changes->len;
  GString *message = g_string_new (NULL);

  if (result->tuning != KVMRT_VM_TUNING_APPLIED)
    g_string_append (message, what);
  else if (changes == 0)
    g_string_append_printf (message, _("%s; real-time tuning already in place"), what);
  else
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE, "%s; tuned for real time (%u change)",
                                         "%s; tuned for real time (%u changes)", changes),
                            what, changes);
  append_problems (message, result->report);
  return g_string_free (message, FALSE);
}

/* Boot's progress: a VM that libvirt would not take is said under the message (the boot
 * goes on with the definition libvirt has, as kvmrt-boot does). */
static void
on_boot_synced (KvmrtVm *vm, const KvmrtSyncState *state, const GError *error, gpointer data)
{
  if (error != NULL)
    g_ptr_array_add (data, g_strdup_printf ("%s: %s", kvmrt_vm_get_label (vm), error->message));
}

/* The labels of the configured VMs that run, "A, B". */
static char *
running_labels (GPtrArray *running)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < running->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", kvmrt_vm_get_label (running->pdata[i]));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The core's boot set on @vms; NULL with @error when it refused the set as a whole. The VMs
 * libvirt would not take are added to @refused ("NAME: why"). */
static KvmrtBootSetReport *
run_boot_set (KvmrtOperation *op,
              KvmrtPlan      *plan,
              GPtrArray      *vms,
              gboolean        clean,
              GPtrArray      *refused,
              GError        **error)
{
  static const KvmrtBootSetProgress progress = { .synced = on_boot_synced };
  KvmrtSession session = make_session (op, plan);
  g_autoptr(KvmrtBootSetReport) report = NULL;
  g_autofree char *running = NULL;

  report = kvmrt_boot_set_run (&session, vms, clean ? KVMRT_BOOT_SET_CLEAN
                                                    : KVMRT_BOOT_SET_DEFAULT,
                               &progress, refused);
  switch (report->status)
    {
    case KVMRT_BOOT_SET_BOOTED:
      return g_steal_pointer (&report);
    case KVMRT_BOOT_SET_INVALID:
      set_invalid_error (report->diagnostics, error);
      break;
    case KVMRT_BOOT_SET_BUSY:
      running = running_labels (report->running);
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("A clean boot needs every VM shut off, but these are running: %s"),
                   running);
      break;
    case KVMRT_BOOT_SET_SYNC_FAILED:
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("The clean boot stopped before any VM started: libvirt would not take "
                     "%s"), refused->len > 0 ? (char *) refused->pdata[0] : "");
      break;
    case KVMRT_BOOT_SET_EMPTY:
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("No VM to boot"));
      break;
    }
  return NULL;
}

/* A VM's boot result as the line a user reads; *@ok says whether it ended as asked. */
static char *
word_boot_result (const KvmrtVmResult *result, gboolean *ok)
{
  *ok = result->error == NULL && result->outcome != KVMRT_VM_NOT_STARTED;
  if (result->outcome == KVMRT_VM_NOT_STARTED)
    return g_strdup_printf (_("Not started: %s failed first, and a clean boot stops there"),
                            result->blocked_by);
  if (result->error != NULL)
    return g_strdup (result->error->message);
  return word_boot (result);
}

/* @message with each of @lines under it. */
static char *
append_lines (char *message, GPtrArray *lines)
{
  GString *text = g_string_new (message);

  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "", (char *) lines->pdata[i]);
  g_free (message);
  return g_string_free (text, text->len == 0);
}

static char *
boot (KvmrtVmOperation *data, GCancellable *cancellable, GError **error)
{
  KvmrtOperation *op = &data->op;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(KvmrtBootSetReport) report = NULL;
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;
  gboolean ok;

  if (stop_if_cancelled (cancellable, _("Boot cancelled before it began: nothing was changed"),
                         error))
    return NULL;
  plan = kvmrt_plan_new (op->config, op->host);
  if ((vms = one_vm (plan, data->uuid, error)) == NULL)
    return NULL;
  if (op->privileged)
    return run_privileged (op, NULL, "kvmrt-boot", error, data->uuid, NULL);
  if (kvmrt_vm_get_disabled (vms->pdata[0]))
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("%s is disabled in the configuration"), kvmrt_vm_get_label (vms->pdata[0]));
      return NULL;
    }
  /* From here the core's boot set runs to its end. */
  if (stop_if_cancelled (cancellable, _("Boot cancelled: nothing was changed"), error)
      || (report = run_boot_set (op, plan, vms, FALSE, refused, error)) == NULL)
    return NULL;
  message = word_boot_result (report->results->pdata[0], &ok);
  if (!ok)
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED, "%s", message);
      return NULL;
    }
  return append_lines (g_steal_pointer (&message), refused);
}

void
kvmrt_boot_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  KvmrtVmOperation *data = task_data;
  GError *error = NULL;
  char *message = boot (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}

static char *
boot_set (KvmrtBootSetOperation *data, GCancellable *cancellable, GError **error)
{
  KvmrtOperation *op = &data->op;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) vms = g_ptr_array_new ();
  g_autoptr(KvmrtBootSetReport) report = NULL;
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  if (stop_if_cancelled (cancellable, _("Boot All cancelled: nothing was changed"), error))
    return NULL;
  plan = kvmrt_plan_new (op->config, op->host);
  for (guint i = 0; i < data->uuids->len; i++)
    {
      const KvmrtVmPlan *vm_plan = find_plan (plan, data->uuids->pdata[i], error);

      if (vm_plan == NULL)
        return NULL;
      g_ptr_array_add (vms, vm_plan->vm);
    }
  if (op->privileged)
    {
      if (data->clean)
        g_ptr_array_add (args, "--clean");
      g_ptr_array_extend (args, data->uuids, NULL, NULL);
      g_ptr_array_add (args, NULL);
      return run_privileged_argv (op, NULL, "kvmrt-boot", (const char * const *) args->pdata,
                                  error);
    }
  if (stop_if_cancelled (cancellable, _("Boot All cancelled: nothing was changed"), error)
      || (report = run_boot_set (op, plan, vms, data->clean, refused, error)) == NULL)
    return NULL;
  for (guint i = 0; i < report->results->len; i++)
    {
      const KvmrtVmResult *result = report->results->pdata[i];
      KvmrtVmReport *vm_report = g_new0 (KvmrtVmReport, 1);

      vm_report->uuid = g_strdup (result->uuid);
      vm_report->message = word_boot_result (result, &vm_report->ok);
      g_ptr_array_add (data->reports, vm_report);
    }
  return append_lines (NULL, refused);
}

void
kvmrt_boot_set_thread (GTask *task, gpointer source, gpointer task_data,
                       GCancellable *cancellable)
{
  KvmrtBootSetOperation *data = task_data;
  GError *error = NULL;
  char *message = boot_set (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}


static char *
retune (KvmrtVmOperation *data, GCancellable *cancellable, GError **error)
{
  KvmrtOperation *op = &data->op;
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) results = NULL;
  KvmrtSession session;
  const KvmrtVmResult *result;
  GString *message;
  guint changes;

  if (stop_if_cancelled (cancellable, _("Retune cancelled: nothing was changed"), error))
    return NULL;
  plan = kvmrt_plan_new (op->config, op->host);
  if ((vms = one_vm (plan, data->uuid, error)) == NULL)
    return NULL;
  /* --retune: kvmrt-boot without it would boot a VM that stopped in the meantime. */
  if (op->privileged)
    return run_privileged (op, NULL, "kvmrt-boot", error, "--retune", data->uuid, NULL);
  session = make_session (op, plan);
  results = kvmrt_boot_set_retune (&session, vms, NULL, NULL);
  result = results->pdata[0];
  if (set_result_error (result, error))
    return NULL;
  changes = result->report->changes->len;
  message = g_string_new (NULL);
  if (changes == 0)
    g_string_append (message, _("Real-time tuning was already in place"));
  else
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE, "Retuned for real time (%u change)",
                                         "Retuned for real time (%u changes)", changes),
                            changes);
  append_problems (message, result->report);
  return g_string_free (message, FALSE);
}

void
kvmrt_retune_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  KvmrtVmOperation *data = task_data;
  GError *error = NULL;
  char *message = retune (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}

/* "Powered off; real-time tuning released (12 host settings changed back)". */
static char *
word_shutdown (const KvmrtVmResult *result)
{
  GString *message = g_string_new (result->outcome == KVMRT_VM_POWERED_OFF ? _("Powered off")
                                                                            : _("Shut off"));
  guint changes = result->report->changes->len;

  if (changes > 0)
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "; real-time tuning released (%u host setting "
                                         "changed back)",
                                         "; real-time tuning released (%u host settings "
                                         "changed back)", changes),
                            changes);
  append_problems (message, result->report);
  return g_string_free (message, FALSE);
}

/* A VM's shutdown result as the line a user reads; *@ok says whether it ended as asked. */
static char *
word_shutdown_result (const KvmrtVmResult *result,
                      guint                timeout_s,
                      GCancellable        *cancellable,
                      gboolean            *ok)
{
  *ok = FALSE;
  if (result->outcome == KVMRT_VM_STILL_RUNNING && g_cancellable_is_cancelled (cancellable))
    return g_strdup (_("Shut Down cancelled while waiting for the guest: it was asked to shut "
                       "down and may still do so. Host settings held for it stay until "
                       "Release Tuning gives them back."));
  if (result->outcome == KVMRT_VM_STILL_RUNNING)
    return g_strdup_printf (_("Still running after %u s: the guest may ignore ACPI shutdown "
                              "requests. Use Force Off to power it off."), timeout_s);
  /* Off but its tuning not given back; libvirt refused; no domain. */
  if (result->error != NULL)
    return g_strdup (result->error->message);
  *ok = TRUE;
  if (result->outcome == KVMRT_VM_NOT_RUNNING)
    return g_strdup (_("Not running"));
  return word_shutdown (result);
}

/* Fills @data->reports, or says why nothing was done; the message is the pkexec'd tool's. */
static char *
shutdown_set (KvmrtShutdownOperation *data, GCancellable *cancellable, GError **error)
{
  KvmrtOperation *op = &data->op;
  KvmrtShutdownProgress progress = { .cancellable = cancellable };
  g_autofree char *timeout = g_strdup_printf ("%u", data->timeout_s);
  g_autoptr(KvmrtPlan) plan = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  KvmrtSession session;

  if (stop_if_cancelled (cancellable, _("Shut Down cancelled: nothing was shut down"), error))
    return NULL;
  if (op->privileged)
    {
      g_ptr_array_add (args, "--timeout");
      g_ptr_array_add (args, timeout);
      if (data->force)
        g_ptr_array_add (args, "--force");
      if (data->uuids != NULL)
        g_ptr_array_extend (args, data->uuids, NULL, NULL);
      g_ptr_array_add (args, NULL);
      return run_privileged_argv (op, NULL, "kvmrt-shutdown", (const char * const *) args->pdata,
                                  error);
    }
  plan = kvmrt_plan_new (op->config, op->host);
  if (data->uuids != NULL)
    {
      vms = g_ptr_array_new ();
      for (guint i = 0; i < data->uuids->len; i++)
        {
          const KvmrtVmPlan *vm_plan = find_plan (plan, data->uuids->pdata[i], error);

          if (vm_plan == NULL)
            return NULL;
          g_ptr_array_add (vms, vm_plan->vm);
        }
    }
  session = make_session (op, plan);
  results = kvmrt_shutdown_set_run (&session, vms, data->timeout_s,
                                    data->force ? KVMRT_SHUTDOWN_FORCE : KVMRT_SHUTDOWN_DEFAULT,
                                    &progress, NULL);
  for (guint i = 0; i < results->len; i++)
    {
      const KvmrtVmResult *result = results->pdata[i];
      KvmrtVmReport *report = g_new0 (KvmrtVmReport, 1);

      report->uuid = g_strdup (result->uuid);
      report->message = word_shutdown_result (result, data->timeout_s, cancellable, &report->ok);
      g_ptr_array_add (data->reports, report);
    }
  return NULL;
}

void
kvmrt_shutdown_set_thread (GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable)
{
  KvmrtShutdownOperation *data = task_data;
  GError *error = NULL;
  char *message = shutdown_set (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}

/* One VM: its report is the operation's message, or its error (G_IO_ERROR_CANCELLED when a
 * cancel ended the wait). */
static char *
shutdown (KvmrtShutdownOperation *data, GCancellable *cancellable, GError **error)
{
  g_autofree char *said = shutdown_set (data, cancellable, error);
  const KvmrtVmReport *report;

  /* The pkexec'd tool's words, or why nothing was done. */
  if (data->op.privileged || data->reports->len == 0)
    return g_steal_pointer (&said);
  report = data->reports->pdata[0];
  if (report->ok)
    return g_strdup (report->message);
  if (g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, report->message);
  else
    g_set_error_literal (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                         report->message);
  return NULL;
}

void
kvmrt_shutdown_thread (GTask *task, gpointer source, gpointer task_data,
                       GCancellable *cancellable)
{
  KvmrtShutdownOperation *data = task_data;
  GError *error = NULL;
  char *message = shutdown (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}

static char *
release_held (KvmrtOperation *op, GCancellable *cancellable, GError **error)
{
  g_autoptr(KvmrtReleaseHeld) held = NULL;
  g_autoptr(GString) released = g_string_new (NULL);

  if (stop_if_cancelled (cancellable, _("Release Tuning cancelled: nothing was changed"),
                         error))
    return NULL;
  if (op->privileged)
    return run_privileged (op, NULL, "kvmrt-shutdown", error, "--release-held", NULL);
  /* Only the VMs that no longer run, as the bar names them, and what is held for no VM. */
  if ((held = kvmrt_lifecycle_release_held (op->sysroot, op->host, op->libvirt, NULL,
                                            error)) == NULL)
    return NULL;
  if (held->leftovers == KVMRT_VM_TUNING_FAILED)
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("The host settings could not all be given back: %s"),
                   held->leftovers_error->message);
      return NULL;
    }
  for (guint i = 0; i < held->results->len; i++)
    {
      const KvmrtVmResult *result = held->results->pdata[i];

      if (result->tuning == KVMRT_VM_TUNING_FAILED)
        {
          g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                       _("The host settings could not all be given back: %s"),
                       result->error->message);
          return NULL;
        }
      g_string_append_printf (released, "%s%s", released->len > 0 ? ", " : "", result->label);
    }
  if (held->results->len == 0 && held->leftovers == KVMRT_VM_TUNING_NONE)
    return g_strdup (_("No tuning was held for a VM that is not running"));
  if (held->results->len == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u host setting left from an earlier release was "
                                         "given back",
                                         "%u host settings left from an earlier release were "
                                         "given back",
                                         held->leftovers_report->changes->len),
                            held->leftovers_report->changes->len);
  return g_strdup_printf (_("Real-time tuning released for %s"), released->str);
}

void
kvmrt_release_held_thread (GTask *task, gpointer source, gpointer task_data,
                           GCancellable *cancellable)
{
  KvmrtOperation *op = task_data;
  GError *error = NULL;
  char *message = release_held (op, cancellable, &error);

  return_message (task, op, message, error);
}

static char *
resync (KvmrtOperation *op, GCancellable *cancellable, GError **error)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(KvmrtPlan) plans = NULL;

  plans = kvmrt_plan_new (op->config, op->host);
  if (!check_valid (plans, error))
    return NULL;
  for (guint i = 0; i < kvmrt_plan_get_n_vms (plans); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (plans, i);
      g_autofree char *what = NULL;

      if (g_cancellable_is_cancelled (cancellable))
        {
          what = g_strdup_printf (_("Resynchronize cancelled after %u of %u VMs"), i,
                                  kvmrt_plan_get_n_vms (plans));
          stop_if_cancelled (cancellable, what, error);
          return NULL;
        }
      if (!kvmrt_vm_get_disabled (plan->vm) && !sync_vm (op, plan, message, error))
        return NULL;
    }
  if (message->len == 0)
    g_string_append (message, _("libvirt was already in step with the configuration"));
  return g_string_free (g_steal_pointer (&message), FALSE);
}

void
kvmrt_resync_thread (GTask *task, gpointer source, gpointer task_data,
                     GCancellable *cancellable)
{
  KvmrtOperation *op = task_data;
  GError *error = NULL;
  char *message = resync (op, cancellable, &error);

  return_message (task, op, message, error);
}

/* Writes @data's configuration over the file as a user without rights to it:
 * kvmrt-edit-config --replace checks it again as root, writes it atomically and syncs.
 * Through pkexec it takes the text on standard input only (a file name would let the caller
 * make root read any file). */
static char *
apply_privileged (KvmrtApplyOperation *data, GError **error)
{
  g_autofree char *text = kvmrt_config_to_data (data->op.config, NULL);
  /* Only over the file this copy was made from: the tool checks under the file's lock. */
  g_autofree char *sum = data->on_disk != NULL
                         ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data->on_disk)
                         : g_strdup ("none");

  return run_privileged (&data->op, text, "kvmrt-edit-config", error, "--replace", "-",
                         "--if-unchanged", sum, NULL);
}

/* An atomic save writes a new file beside the old one and renames it over. */
static gboolean
may_replace (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  return g_access (dir, W_OK) == 0 && (g_access (path, W_OK) == 0 || errno == ENOENT);
}

/* Whether the file is still as it was loaded: someone else (the CLI, an editor) may have
 * changed it since. */
static gboolean
check_unchanged (KvmrtApplyOperation *data, GError **error)
{
  g_autofree char *now = NULL;
  gsize now_length = 0;

  if (!g_file_get_contents (data->op.config_path, &now, &now_length, NULL)
      || (data->on_disk != NULL && now_length == g_bytes_get_size (data->on_disk)
          && memcmp (now, g_bytes_get_data (data->on_disk, NULL), now_length) == 0))
    return TRUE;
  g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_CHANGED,
               _("%s changed on disk since it was opened. Close and open it again to see "
                 "those changes (yours would overwrite them)."), data->op.config_path);
  return FALSE;
}

static gboolean
save (KvmrtApplyOperation *data, GError **error)
{
  KvmrtOperation *op = &data->op;
  g_autoptr(GError) save_error = NULL;

  /* check_unchanged() is a courtesy; the save repeats it under the file's lock. */
  kvmrt_config_expect_on_disk (op->config, data->on_disk);
  if (kvmrt_config_save (op->config, op->config_path, &save_error))
    return TRUE;
  if (g_error_matches (save_error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED))
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD, "%s",
                 save_error->message);
  else if (g_error_matches (save_error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_CHANGED))
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_CHANGED, "%s",
                 save_error->message);
  else
    g_propagate_error (error, g_steal_pointer (&save_error));
  return FALSE;
}

/* Apply may be cancelled until the file is written; then its VMs are synced (a file and a
 * libvirt half apart would be worse). */
static char *
apply (KvmrtApplyOperation *data, GCancellable *cancellable, GError **error)
{
  KvmrtOperation *op = &data->op;
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(KvmrtPlan) plans = NULL;

  plans = kvmrt_plan_new (op->config, op->host);
  if (!check_valid (plans, error) || !check_unchanged (data, error)
      || stop_if_cancelled (cancellable, _("Apply cancelled: the file was not written"), error))
    return NULL;
  if (op->privileged && !may_replace (op->config_path))
    return apply_privileged (data, error);
  if (!save (data, error))
    return NULL;
  g_string_append_printf (message, _("Saved %s"), op->config_path);

  for (guint i = 0; i < kvmrt_plan_get_n_vms (plans); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (plans, i);
      g_autoptr(GError) sync_error = NULL;

      /* The file is written: a VM libvirt refuses is reported, the others still synced. */
      if (!kvmrt_vm_get_disabled (plan->vm) && !sync_vm (op, plan, message, &sync_error))
        g_ptr_array_add (data->problems,
                         g_strdup_printf ("%s: %s", kvmrt_vm_get_label (plan->vm),
                                          sync_error->message));
    }
  return g_string_free (g_steal_pointer (&message), FALSE);
}

void
kvmrt_apply_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  KvmrtApplyOperation *data = task_data;
  GError *error = NULL;
  char *message = apply (data, cancellable, &error);

  return_message (task, &data->op, message, error);
}
