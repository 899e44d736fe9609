/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-sync.h"

#include "kvmrt-i18n.h"

void
kvmrt_sync_state_free (KvmrtSyncState *state)
{
  if (state == NULL)
    return;
  g_clear_pointer (&state->changes, g_ptr_array_unref);
  g_free (state);
}

gboolean
kvmrt_sync_state_needs_restart (const KvmrtSyncState *state)
{
  if (!state->running)
    return FALSE;
  for (guint i = 0; i < state->changes->len; i++)
    if (((KvmrtDomainChange *) state->changes->pdata[i])->needs_restart)
      return TRUE;
  return FALSE;
}

/* Long values (descriptions) are cut: the point is which fields differ. */
static void
append_short (GString *text, const char *value)
{
  const guint limit = 40;

  if (g_utf8_strlen (value, -1) <= limit)
    g_string_append (text, value);
  else
    {
      g_string_append_len (text, value, g_utf8_offset_to_pointer (value, limit - 3) - value);
      g_string_append (text, "...");
    }
}

char *
kvmrt_sync_state_describe (const KvmrtSyncState *state, const char *separator)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < state->changes->len; i++)
    {
      const KvmrtDomainChange *c = state->changes->pdata[i];

      if (i > 0)
        g_string_append (text, separator);
      g_string_append_printf (text, "%s: ", kvmrt_domain_field_to_string (c->field));
      append_short (text, c->current);
      g_string_append (text, " -> ");
      append_short (text, c->wanted);
    }
  return g_string_free (text, FALSE);
}

char *
kvmrt_sync_state_word (const KvmrtSyncState *state, const char *label, KvmrtSyncWording wording)
{
  g_autofree char *described = NULL;
  GString *text;

  if (state->changes->len == 0)
    return NULL;
  text = g_string_new (NULL);
  if (wording == KVMRT_SYNC_WORDING_LINES)
    {
      described = kvmrt_sync_state_describe (state, "\n    ");
      g_string_append_printf (text, _("%s: libvirt definition updated:\n    %s"), label,
                              described);
      if (kvmrt_sync_state_needs_restart (state))
        g_string_append_printf (text, _("\n%s: it is running; the new definition takes effect "
                                        "when it is next started"), label);
    }
  else
    {
      described = kvmrt_sync_state_describe (state, "; ");
      g_string_append_printf (text, _("%s: libvirt definition updated (%s)"), label, described);
      if (kvmrt_sync_state_needs_restart (state))
        g_string_append (text, _(" — it takes effect when the VM is next started"));
    }
  return g_string_free (text, FALSE);
}

static KvmrtSyncState *
sync_state_new (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan)
{
  KvmrtSyncState *state = g_new0 (KvmrtSyncState, 1);

  state->vm = plan->vm;
  state->domain = kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (plan->vm));
  state->running = state->domain != NULL && kvmrt_libvirt_is_active (state->domain);
  state->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) kvmrt_domain_change_free);
  return state;
}

static gboolean
require_domain (KvmrtLibvirt *libvirt, const KvmrtSyncState *state, GError **error)
{
  if (state->domain != NULL)
    return TRUE;
  g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_NO_DOMAIN,
               _("%s [%s] is not defined in libvirt at %s: create it there (virt-manager, "
                 "virt-install) or remove it from the configuration"),
               kvmrt_vm_get_name (state->vm) != NULL ? kvmrt_vm_get_name (state->vm)
                                                     : _("(no name)"),
               kvmrt_vm_get_uuid (state->vm), kvmrt_libvirt_get_uri (libvirt));
  return FALSE;
}

/* The domain's definition, read from libvirt once per sync into @current, and the XML the
 * plan wants of it; the changes go into @state. */
static char *
compute_wanted_xml (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, KvmrtSyncState *state,
                    char **current, GError **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  char *wanted;

  if (!require_domain (libvirt, state, error))
    return NULL;
  *current = kvmrt_libvirt_get_xml (state->domain, error);
  if (*current == NULL)
    return NULL;
  wanted = kvmrt_domain_xml_sync (*current, plan, &changes, error);
  if (wanted == NULL)
    return NULL;
  g_ptr_array_extend_and_steal (state->changes, g_steal_pointer (&changes));
  return wanted;
}

/* kvmrt_sync_compare(), with the definition it read in @current for further checks. */
static KvmrtSyncState *
compare (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, char **current, GError **error)
{
  g_autoptr(KvmrtSyncState) state = sync_state_new (libvirt, plan);
  g_autofree char *wanted = compute_wanted_xml (libvirt, plan, state, current, error);

  if (wanted == NULL)
    return NULL;
  return g_steal_pointer (&state);
}

KvmrtSyncState *
kvmrt_sync_compare (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, GError **error)
{
  g_autofree char *current = NULL;

  return compare (libvirt, plan, &current, error);
}

static gboolean
has_field (const KvmrtSyncState *state, KvmrtDomainField field)
{
  for (guint i = 0; i < state->changes->len; i++)
    if (((KvmrtDomainChange *) state->changes->pdata[i])->field == field)
      return TRUE;
  return FALSE;
}

static gboolean
is_pin_field (KvmrtDomainField field)
{
  return field == KVMRT_DOMAIN_FIELD_VCPUPIN || field == KVMRT_DOMAIN_FIELD_EMULATORPIN
         || field == KVMRT_DOMAIN_FIELD_IOTHREADPIN;
}

/* A running domain takes new pins at once (libvirt's live pinning), so an unpinned VM leaves
 * the real-time CPUs without a restart. Where libvirt refuses (a driver without live pinning),
 * the pins wait for the next start like the other changes. */
static void
pin_running (KvmrtSyncState *state, const KvmrtVmPlan *plan)
{
  gboolean pins = FALSE;

  for (guint i = 0; i < state->changes->len; i++)
    pins |= is_pin_field (((KvmrtDomainChange *) state->changes->pdata[i])->field);
  if (!state->running || !pins || !kvmrt_libvirt_pin_live (state->domain, plan, NULL))
    return;
  for (guint i = 0; i < state->changes->len; i++)
    {
      KvmrtDomainChange *c = state->changes->pdata[i];

      if (is_pin_field (c->field))
        c->needs_restart = FALSE;
    }
}

gboolean
kvmrt_sync_to_libvirt (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, KvmrtSyncState **out_state,
                       GError **error)
{
  g_autoptr(KvmrtSyncState) state = sync_state_new (libvirt, plan);
  g_autofree char *current = NULL;
  g_autofree char *wanted = compute_wanted_xml (libvirt, plan, state, &current, error);
  const char *name = kvmrt_vm_get_name (plan->vm);

  if (wanted == NULL)
    return FALSE;

  if (state->changes->len > 0)
    {
      /* libvirt keeps a domain's name apart from its definition: a renamed definition with the
       * same UUID is refused, so rename first (only possible while it is shut off). */
      if (has_field (state, KVMRT_DOMAIN_FIELD_NAME) && name != NULL)
        {
          if (state->running)
            {
              g_set_error (error, KVMRT_LIBVIRT_ERROR, KVMRT_LIBVIRT_ERROR_FAILED,
                           _("%s is running as '%s': libvirt renames only shut-off domains. "
                             "Shut it down and sync again, or put the old name back"),
                           name, gvir_domain_get_name (state->domain));
              return FALSE;
            }
          if (!kvmrt_libvirt_rename (state->domain, name, error))
            return FALSE;
        }
      state->domain = kvmrt_libvirt_define (libvirt, wanted, error);
      if (state->domain == NULL)
        return FALSE;
      pin_running (state, plan);
    }
  if (out_state != NULL)
    *out_state = g_steal_pointer (&state);
  return TRUE;
}

gboolean
kvmrt_sync_from_libvirt (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, guint *changed_attrs,
                         GError **error)
{
  g_autoptr(KvmrtSyncState) state = sync_state_new (libvirt, plan);
  g_autofree char *current = NULL;
  g_autofree char *wanted = compute_wanted_xml (libvirt, plan, state, &current, error);
  guint attrs = 0;

  if (wanted == NULL)
    return FALSE;
  for (guint i = 0; i < state->changes->len; i++)
    {
      const KvmrtDomainChange *c = state->changes->pdata[i];

      /* The metadata block is kvmrt's own bookkeeping, not a setting. */
      if (c->field != KVMRT_DOMAIN_FIELD_METADATA)
        attrs |= 1u << c->attr;
    }
  if (attrs != 0)
    {
      char *before[KVMRT_VM_N_ATTRS];
      guint read = attrs;

      for (guint attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
        before[attr] = g_strdup (kvmrt_vm_get_text (plan->vm, attr));
      /* From the definition the comparison read: libvirt is asked once. */
      if (!kvmrt_domain_xml_read (current, plan->vm, read, error))
        {
          for (guint attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
            g_free (before[attr]);
          return FALSE;
        }
      /* Report what the file will say differently, not every field that was read. */
      attrs = 0;
      for (guint attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
        {
          if (g_strcmp0 (before[attr], kvmrt_vm_get_text (plan->vm, attr)) != 0)
            attrs |= 1u << attr;
          g_free (before[attr]);
        }
    }
  if (changed_attrs != NULL)
    *changed_attrs = attrs;
  return TRUE;
}

/* The out-of-sync or vm-not-in-libvirt finding of @plan's VM, or NULL; @current receives the
 * definition read, for diagnose_rt_guest(). */
static KvmrtDiagnostic *
diagnose_vm (KvmrtLibvirt *libvirt, const KvmrtVmPlan *plan, KvmrtValidateFlags flags,
             char **current)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtSyncState) state = NULL;
  g_autofree char *described = NULL;
  const KvmrtDomainChange *first;

  /* Told by the lookup, not by the comparison's error code. */
  if (kvmrt_libvirt_lookup_uuid (libvirt, kvmrt_vm_get_uuid (plan->vm)) == NULL)
    return kvmrt_diagnostic_new ("vm-not-in-libvirt", plan->vm, NULL,
                                 _("libvirt at %s has no domain with this UUID. Create the VM "
                                   "in libvirt (virt-manager, virt-install) with this UUID, or "
                                   "remove the section from the configuration."),
                                 kvmrt_libvirt_get_uri (libvirt));
  state = compare (libvirt, plan, current, &error);
  if (state == NULL)
    return kvmrt_diagnostic_new ("out-of-sync", plan->vm, NULL,
                                 _("Its libvirt definition could not be compared: %s"),
                                 error->message);
  if (state->changes->len == 0)
    return NULL;
  first = state->changes->pdata[0];
  described = kvmrt_sync_state_describe (state, "; ");
  if (flags & KVMRT_VALIDATE_WINDOW)
    return kvmrt_diagnostic_new ("out-of-sync", plan->vm, kvmrt_vm_attr_get_key (first->attr),
                                 _("libvirt's definition differs from the configuration (%s). "
                                   "Resynchronize Configuration in the main menu (Ctrl+R) "
                                   "writes the configuration into libvirt."),
                                 described);
  return kvmrt_diagnostic_new ("out-of-sync", plan->vm, kvmrt_vm_attr_get_key (first->attr),
                               _("libvirt's definition differs from the configuration (%s). "
                                 "Run kvmrt-sync-config to write the configuration into "
                                 "libvirt, or kvmrt-sync-config -r to keep libvirt's values."),
                               described);
}

/* What a real-time VM's domain (@xml, its definition; NULL when it could not be read) lacks
 * that the sync does not write (huge pages to reserve, emulated devices), appended to
 * @diagnostics. */
static void
diagnose_rt_guest (const char *xml, const KvmrtVmPlan *plan, GPtrArray *diagnostics)
{
  g_autoptr(GPtrArray) advice = NULL;

  if (!plan->rt || xml == NULL)
    return;
  advice = kvmrt_domain_xml_rt_advice (xml, plan);
  g_ptr_array_extend_and_steal (diagnostics, g_steal_pointer (&advice));
}

void
kvmrt_sync_diagnose (KvmrtLibvirt *libvirt, KvmrtPlan *plan, KvmrtValidateFlags flags,
                     GPtrArray *diagnostics)
{
  g_autoptr(GHashTable) per_vm = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) global = g_ptr_array_new ();
  guint n = kvmrt_plan_get_n_vms (plan);

  /* The validator lists findings per VM in config order, then those about the whole file;
   * regroup so each VM's libvirt findings follow its others. */
  for (guint i = 0; i < diagnostics->len; i++)
    {
      KvmrtDiagnostic *d = diagnostics->pdata[i];
      GPtrArray *list;

      if (d->vm_uuid == NULL)
        {
          g_ptr_array_add (global, d);
          continue;
        }
      list = g_hash_table_lookup (per_vm, d->vm_uuid);
      if (list == NULL)
        g_hash_table_insert (per_vm, d->vm_uuid, list = g_ptr_array_new ());
      g_ptr_array_add (list, d);
    }
  g_ptr_array_set_free_func (diagnostics, NULL);
  g_ptr_array_set_size (diagnostics, 0);
  g_ptr_array_set_free_func (diagnostics, (GDestroyNotify) kvmrt_diagnostic_free);

  for (guint i = 0; i < n; i++)
    {
      const KvmrtVmPlan *p = kvmrt_plan_get_vm (plan, i);
      g_autofree char *current = NULL;
      GPtrArray *list;
      KvmrtDiagnostic *d;

      if (!(flags & KVMRT_VALIDATE_ALL) && kvmrt_vm_get_disabled (p->vm))
        continue;
      list = g_hash_table_lookup (per_vm, kvmrt_vm_get_uuid (p->vm));
      for (guint j = 0; list != NULL && j < list->len; j++)
        g_ptr_array_add (diagnostics, list->pdata[j]);
      d = diagnose_vm (libvirt, p, flags, &current);
      if (d != NULL)
        g_ptr_array_add (diagnostics, d);
      diagnose_rt_guest (current, p, diagnostics);
    }
  for (guint j = 0; j < global->len; j++)
    g_ptr_array_add (diagnostics, global->pdata[j]);
}
