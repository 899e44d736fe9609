/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager's operations, run in worker threads: the same core calls the CLI tools make,
 * or, when the desktop user may not change the host, those tools run through pkexec. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kvmrt-lifecycle.h"
#include "kvmrt-manager-private.h"
#include "kvmrt-sync.h"

/* How often a VM that was asked to shut down is looked at. */
#define SHUTDOWN_POLL_US (100 * 1000)

void
kvmrt_operation_free (KvmrtOperation *op)
{
  g_free (op->sysroot);
  g_free (op->uri);
  g_free (op->config_path);
  g_clear_object (&op->host);
  g_clear_object (&op->libvirt);
  g_clear_object (&op->config);
  g_clear_pointer (&op->plan, kvmrt_plan_free);
  g_free (op->uuid);
  g_clear_pointer (&op->on_disk, g_bytes_unref);
  g_clear_object (&op->new_host);
  g_clear_pointer (&op->problems, g_ptr_array_unref);
  g_free (op);
}

char *
kvmrt_find_cli_tool (const char *name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe != NULL ? g_path_get_dirname (exe) : NULL;
  g_autofree char *beside = NULL;

  /* Run from a build tree: app/kvmrt and cli/kvmrt-boot are siblings. Without the "..":
   * pkexec's dialog shows this path. */
  if (dir != NULL)
    {
      g_autofree char *cli_dir = g_build_filename (dir, "..", "cli", NULL);

      beside = g_canonicalize_filename (name, cli_dir);
    }
  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  return g_build_filename (KVMRT_BINDIR, name, NULL);
}

static const char *
vm_label (KvmrtVm *vm)
{
  return kvmrt_vm_get_label (vm);
}

static const KvmrtVmPlan *
find_plan (KvmrtOperation *op, GError **error)
{
  if (op->plan == NULL)
    op->plan = kvmrt_plan_new (op->config, op->host);
  for (guint i = 0; i < kvmrt_plan_get_n_vms (op->plan); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (op->plan, i);

      if (g_ascii_strcasecmp (kvmrt_vm_get_uuid (plan->vm), op->uuid) == 0)
        return plan;
    }
  g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
               _("The VM %s is no longer in the configuration"), op->uuid);
  return NULL;
}

/* Errors stop a job, as in the CLI; warnings do not. Plans @op's configuration once: the
 * job goes on with the plan it judged. */
static gboolean
check_valid (KvmrtOperation *op, GError **error)
{
  g_autoptr(GPtrArray) diagnostics = NULL;
  guint errors;
  const KvmrtDiagnostic *first = NULL;

  if (op->plan == NULL)
    op->plan = kvmrt_plan_new (op->config, op->host);
  diagnostics = kvmrt_validate (op->plan, KVMRT_VALIDATE_DEFAULT);
  errors = kvmrt_diagnostics_count (diagnostics, KVMRT_SEVERITY_ERROR);

  for (guint i = 0; first == NULL && i < diagnostics->len; i++)
    if (((KvmrtDiagnostic *) diagnostics->pdata[i])->severity == KVMRT_SEVERITY_ERROR)
      first = diagnostics->pdata[i];
  if (errors == 0)
    return TRUE;
  if (errors == 1)
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID,
                 _("The configuration has an error: %s Fix it in Edit Configuration first."),
                 first->message);
  else
    g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_INVALID,
                 _("The configuration has %u errors, the first: %s Fix them in Edit "
                   "Configuration first."), errors, first->message);
  return FALSE;
}

/* Runs a CLI tool through pkexec; its output becomes the message. */
static char *
run_privileged (KvmrtOperation *op, const char *tool, GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("pkexec"));
  g_ptr_array_add (argv, kvmrt_find_cli_tool (tool));
  g_ptr_array_add (argv, g_strdup ("-f"));
  g_ptr_array_add (argv, g_strdup (op->config_path));
  g_ptr_array_add (argv, g_strdup ("-c"));
  g_ptr_array_add (argv, g_strdup (op->uri));
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE
                               | (op->input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0),
                               error);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, op->input, NULL, &out, NULL, error))
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

static void
append_problems (GString *message, KvmrtTuneReport *report)
{
  for (guint i = 0; i < report->problems->len; i++)
    g_string_append_printf (message, "\n%s", (char *) report->problems->pdata[i]);
}

/* Writes one VM into libvirt; a line for the message when something changed. */
static gboolean
sync_vm (KvmrtOperation *op, const KvmrtVmPlan *plan, GString *message, GError **error)
{
  g_autoptr(KvmrtSyncState) state = NULL;
  g_autofree char *described = NULL;

  if (!kvmrt_sync_to_libvirt (op->libvirt, plan, &state, error))
    return FALSE;
  if (state->changes->len == 0)
    return TRUE;
  described = kvmrt_sync_state_describe (state, "; ");
  if (message->len > 0)
    g_string_append_c (message, '\n');
  g_string_append_printf (message, _("%s: libvirt definition updated (%s)"),
                          vm_label (plan->vm), described);
  if (kvmrt_sync_state_needs_restart (state))
    g_string_append_printf (message, _(" — it takes effect when the VM is next started"));
  return TRUE;
}

static char *
do_boot (KvmrtOperation *op, GError **error)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) released = NULL;
  g_autoptr(GString) sync_notes = g_string_new (NULL);
  GString *message;
  KvmrtBootOutcome outcome = KVMRT_BOOT_STARTED;
  const KvmrtVmPlan *plan;
  const char *what;

  if ((plan = find_plan (op, error)) == NULL)
    return NULL;
  if (op->privileged)
    return run_privileged (op, "kvmrt-boot", error, op->uuid, NULL);
  if (!check_valid (op, error) || !sync_vm (op, plan, sync_notes, error))
    return NULL;
  released = kvmrt_lifecycle_release_stale (op->sysroot, op->host, op->libvirt, problems);
  if (!kvmrt_lifecycle_boot (op->sysroot, op->host, op->libvirt, plan, &outcome, report,
                             error))
    return NULL;

  what = outcome == KVMRT_BOOT_STARTED ? _("Started") : _("Already running");
  message = g_string_new (NULL);
  if (!plan->rt)
    g_string_append (message, what);
  else if (report->changes->len == 0)
    g_string_append_printf (message, _("%s; real-time tuning already in place"), what);
  else
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE, "%s; tuned for real time (%u change)",
                                         "%s; tuned for real time (%u changes)",
                                         report->changes->len),
                            what, report->changes->len);
  append_problems (message, report);
  return g_string_free (message, FALSE);
}

static char *
do_retune (KvmrtOperation *op, GError **error)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  const KvmrtVmPlan *plan;
  GString *message;

  if ((plan = find_plan (op, error)) == NULL)
    return NULL;
  /* --retune: kvmrt-boot without it would boot a VM that stopped in the meantime. */
  if (op->privileged)
    return run_privileged (op, "kvmrt-boot", error, "--retune", op->uuid, NULL);
  if (!kvmrt_lifecycle_tune (op->sysroot, op->host, op->libvirt, plan, report, error))
    return NULL;
  message = g_string_new (NULL);
  if (report->changes->len == 0)
    g_string_append (message, _("Real-time tuning was already in place"));
  else
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE, "Retuned for real time (%u change)",
                                         "Retuned for real time (%u changes)",
                                         report->changes->len),
                            report->changes->len);
  append_problems (message, report);
  return g_string_free (message, FALSE);
}

/* Waits until the domain is off or the deadline (monotonic µs) passes. */
static gboolean
wait_until_off (GVirDomain *domain, gint64 deadline)
{
  while (kvmrt_libvirt_is_active (domain))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (SHUTDOWN_POLL_US);
    }
  return TRUE;
}

static char *
do_shutdown (KvmrtOperation *op, GError **error)
{
  g_autoptr(KvmrtTuneReport) report = kvmrt_tune_report_new ();
  g_autofree char *timeout = g_strdup_printf ("%u", op->timeout_s);
  gint64 started = g_get_monotonic_time ();
  GVirDomain *domain;
  GString *message;
  gboolean powered_off = FALSE;

  if (op->privileged)
    return run_privileged (op, "kvmrt-shutdown", error, "--timeout", timeout,
                           op->force ? "--force" : op->uuid, op->force ? op->uuid : NULL,
                           NULL);
  domain = kvmrt_libvirt_lookup_uuid (op->libvirt, op->uuid);
  if (domain == NULL)
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("libvirt has no domain with UUID %s"), op->uuid);
      return NULL;
    }
  if (!kvmrt_libvirt_is_active (domain))
    return g_strdup (_("Not running"));

  /* Force Off (no grace period) skips the request to the guest. */
  if (op->timeout_s > 0 || !op->force)
    {
      if (!kvmrt_libvirt_shutdown (domain, error))
        {
          if (kvmrt_libvirt_is_active (domain))
            return NULL;
          g_clear_error (error);
        }
      if (!wait_until_off (domain, started + (gint64) op->timeout_s * G_USEC_PER_SEC)
          && !op->force)
        {
          g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                       _("Still running after %u s: the guest may ignore ACPI shutdown "
                         "requests. Use Force Off to power it off."), op->timeout_s);
          return NULL;
        }
    }
  if (kvmrt_libvirt_is_active (domain))
    {
      if (!kvmrt_libvirt_destroy (domain, error))
        return NULL;
      powered_off = TRUE;
    }

  message = g_string_new (powered_off ? _("Powered off") : _("Shut off"));
  if (!kvmrt_tuner_release (op->sysroot, op->host, op->uuid, report, error))
    {
      g_string_free (message, TRUE);
      return NULL;
    }
  if (report->changes->len > 0)
    g_string_append_printf (message,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "; real-time tuning released (%u host setting "
                                         "changed back)",
                                         "; real-time tuning released (%u host settings "
                                         "changed back)", report->changes->len),
                            report->changes->len);
  append_problems (message, report);
  return g_string_free (message, FALSE);
}

static char *
do_release (KvmrtOperation *op, GError **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) released = NULL;
  g_autoptr(GString) message = g_string_new (NULL);

  if (op->privileged)
    return run_privileged (op, "kvmrt-shutdown", error, "--release-held", NULL);
  released = kvmrt_lifecycle_release_stale (op->sysroot, op->host, op->libvirt, problems);
  for (guint i = 0; i < released->len; i++)
    g_string_append_printf (message, "%s%s", i > 0 ? ", " : "", (char *) released->pdata[i]);
  if (problems->len > 0)
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_FAILED,
                   _("The host settings could not all be given back: %s"),
                   (char *) problems->pdata[0]);
      return NULL;
    }
  if (released->len == 0)
    return g_strdup (_("No tuning was held for a VM that is not running"));
  return g_strdup_printf (_("Real-time tuning released for %s"), message->str);
}

static char *
do_resync (KvmrtOperation *op, GError **error)
{
  g_autoptr(GString) message = g_string_new (NULL);

  if (!check_valid (op, error))
    return NULL;
  for (guint i = 0; i < kvmrt_plan_get_n_vms (op->plan); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (op->plan, i);

      if (!kvmrt_vm_get_disabled (plan->vm) && !sync_vm (op, plan, message, error))
        return NULL;
    }
  if (message->len == 0)
    g_string_append (message, _("libvirt was already in step with the configuration"));
  return g_string_free (g_steal_pointer (&message), FALSE);
}

/* Writes @op->config over the file as a user without rights to it: kvmrt-edit-config
 * --replace checks it again as root, writes it atomically and syncs. Through pkexec it takes
 * the text on standard input only (a file name would let the caller make root read any
 * file). */
static char *
apply_privileged (KvmrtOperation *op, GError **error)
{
  g_autofree char *data = kvmrt_config_to_data (op->config, NULL);
  /* Only over the file this copy was made from: the tool checks under the file's lock. */
  g_autofree char *sum = op->on_disk != NULL
                         ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, op->on_disk)
                         : g_strdup ("none");
  char *out;

  op->input = data;
  out = run_privileged (op, "kvmrt-edit-config", error, "--replace", "-", "--if-unchanged",
                        sum, NULL);
  op->input = NULL;
  return out;
}

/* An atomic save writes a new file beside the old one and renames it over. */
static gboolean
may_replace (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  return g_access (dir, W_OK) == 0 && (g_access (path, W_OK) == 0 || errno == ENOENT);
}

static char *
do_apply (KvmrtOperation *op, GError **error)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autoptr(GError) save_error = NULL;
  g_autofree char *now = NULL;
  gsize now_length = 0;

  if (!check_valid (op, error))
    return NULL;

  /* Someone else (the CLI, an editor) may have changed the file since we loaded it. */
  if (g_file_get_contents (op->config_path, &now, &now_length, NULL)
      && (op->on_disk == NULL
          || now_length != g_bytes_get_size (op->on_disk)
          || memcmp (now, g_bytes_get_data (op->on_disk, NULL), now_length) != 0))
    {
      g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_CHANGED,
                   _("%s changed on disk since it was opened. Close and open it again to "
                     "see those changes (yours would overwrite them)."), op->config_path);
      return NULL;
    }

  if (op->privileged && !may_replace (op->config_path))
    return apply_privileged (op, error);
  /* The check above is a courtesy; the save repeats it under the file's lock. */
  kvmrt_config_expect_on_disk (op->config, op->on_disk);
  if (!kvmrt_config_save (op->config, op->config_path, &save_error))
    {
      if (g_error_matches (save_error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED))
        g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_HELD, "%s",
                     save_error->message);
      else if (g_error_matches (save_error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_CHANGED))
        g_set_error (error, KVMRT_MANAGER_ERROR, KVMRT_MANAGER_ERROR_CHANGED, "%s",
                     save_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&save_error));
      return NULL;
    }
  g_string_append_printf (message, _("Saved %s"), op->config_path);

  for (guint i = 0; i < kvmrt_plan_get_n_vms (op->plan); i++)
    {
      const KvmrtVmPlan *plan = kvmrt_plan_get_vm (op->plan, i);
      g_autoptr(GError) sync_error = NULL;

      /* The file is written: a VM libvirt refuses is reported, the others still synced. */
      if (!kvmrt_vm_get_disabled (plan->vm) && !sync_vm (op, plan, message, &sync_error))
        g_ptr_array_add (op->problems, g_strdup_printf ("%s: %s", vm_label (plan->vm),
                                                        sync_error->message));
    }
  return g_string_free (g_steal_pointer (&message), FALSE);
}

void
kvmrt_operation_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  KvmrtOperation *op = task_data;
  GError *error = NULL;
  char *message = NULL;

  switch (op->kind)
    {
    case KVMRT_OPERATION_BOOT:
      message = do_boot (op, &error);
      break;
    case KVMRT_OPERATION_SHUTDOWN:
      message = do_shutdown (op, &error);
      break;
    case KVMRT_OPERATION_RETUNE:
      message = do_retune (op, &error);
      break;
    case KVMRT_OPERATION_RESYNC:
      message = do_resync (op, &error);
      break;
    case KVMRT_OPERATION_APPLY:
      message = do_apply (op, &error);
      break;
    case KVMRT_OPERATION_RELEASE:
      message = do_release (op, &error);
      break;
    }

  /* Tuning takes CPUs offline and brings them back: the GUI shows the host as it is. */
  if (op->kind == KVMRT_OPERATION_BOOT || op->kind == KVMRT_OPERATION_SHUTDOWN
      || op->kind == KVMRT_OPERATION_RETUNE || op->kind == KVMRT_OPERATION_RELEASE)
    op->new_host = kvmrt_host_load (op->sysroot, KVMRT_HOST_LOAD_DEFAULT, NULL);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, message, g_free);
}
