/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-vm-private.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"
#include "kvmrt-uuid.h"

/* The most vCPUs a VM may have: KVM's own limit on current kernels. */
#define MAX_VCPUS 4096

struct _KvmrtVm {
  GObject                 parent_instance;

  KvmrtIniSection        *section;    /* owned: the VM's lines, the truth */
  const KvmrtIniSection  *defaults;   /* borrowed: [DEFAULT], or NULL */

  /* Parsed values, refreshed whenever a text changes. */
  GError        *errors[KVMRT_VM_N_ATTRS];
  char          *name;
  guint          nr_vcpus;
  KvmrtTopology  topology;
  KvmrtCpuSet   *cpuset;
  gboolean       rt;
  KvmrtTristate  rt_memory;
  guint          rt_priority;
  KvmrtIdSet    *numatune;
  gboolean       hide_kvm;
  gboolean       guest_services;
  gboolean       autostart;
  gboolean       disabled;
  GArray        *pcidevs;
};

G_DEFINE_FINAL_TYPE (KvmrtVm, kvmrt_vm, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_UUID,
  PROP_NAME,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_COMMENTS,
  PROP_RT,
  PROP_HIDE_KVM,
  PROP_GUEST_SERVICES,
  PROP_AUTOSTART,
  PROP_DISABLED,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const struct {
  const char *key;
  const char *default_text;
  int         prop;
} attributes[KVMRT_VM_N_ATTRS] = {
  [KVMRT_VM_ATTR_NAME] = { "name", "", PROP_NAME },
  [KVMRT_VM_ATTR_TITLE] = { "title", "", PROP_TITLE },
  [KVMRT_VM_ATTR_DESCRIPTION] = { "description", "", PROP_DESCRIPTION },
  [KVMRT_VM_ATTR_NR_VCPUS] = { "nr_vcpus", "1", 0 },
  [KVMRT_VM_ATTR_CPU_TOPOLOGY] = { "cpu_topology", "auto", 0 },
  [KVMRT_VM_ATTR_CPUSET] = { "cpuset", "", 0 },
  [KVMRT_VM_ATTR_RT] = { "rt", "false", PROP_RT },
  [KVMRT_VM_ATTR_RT_MEMORY] = { "rt_memory", "auto", 0 },
  [KVMRT_VM_ATTR_RT_PRIORITY] = { "rt_priority", "1", 0 },
  [KVMRT_VM_ATTR_NUMATUNE] = { "numatune", "auto", 0 },
  [KVMRT_VM_ATTR_HIDE_KVM] = { "hide_kvm", "false", PROP_HIDE_KVM },
  [KVMRT_VM_ATTR_GUEST_SERVICES] = { "guest_services", "false", PROP_GUEST_SERVICES },
  [KVMRT_VM_ATTR_AUTOSTART] = { "autostart", "false", PROP_AUTOSTART },
  [KVMRT_VM_ATTR_DISABLED] = { "disabled", "false", PROP_DISABLED },
  [KVMRT_VM_ATTR_PCIDEVS] = { "pcidevs", "", 0 },
  [KVMRT_VM_ATTR_COMMENTS] = { "comments", "", PROP_COMMENTS },
};

const char *
kvmrt_vm_attr_get_key (KvmrtVmAttr attr)
{
  g_return_val_if_fail (attr < KVMRT_VM_N_ATTRS, NULL);
  return attributes[attr].key;
}

gboolean
kvmrt_vm_attr_from_key (const char *key, KvmrtVmAttr *out_attr)
{
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    if (g_ascii_strcasecmp (attributes[attr].key, key) == 0)
      {
        if (out_attr != NULL)
          *out_attr = attr;
        return TRUE;
      }
  return FALSE;
}

const char *
kvmrt_vm_attr_get_default_text (KvmrtVmAttr attr)
{
  g_return_val_if_fail (attr < KVMRT_VM_N_ATTRS, NULL);
  return attributes[attr].default_text;
}

static const KvmrtIniEntry *
find_entry (KvmrtVm *self, const char *key)
{
  const KvmrtIniEntry *entry = kvmrt_ini_section_lookup (self->section, key);

  if (entry == NULL && self->defaults != NULL)
    entry = kvmrt_ini_section_lookup (self->defaults, key);
  return entry;
}

/* Parses one attribute's text into the cache; a missing or bad text leaves the default. */
static void
parse_attr (KvmrtVm *self, KvmrtVmAttr attr)
{
  const KvmrtIniEntry *entry = find_entry (self, attributes[attr].key);
  const char *text = entry != NULL ? entry->value : attributes[attr].default_text;
  GError **error = &self->errors[attr];

  g_clear_error (error);
  switch (attr)
    {
    case KVMRT_VM_ATTR_NAME:
      g_clear_pointer (&self->name, g_free);
      if (entry != NULL && entry->value[0] != '\0')
        self->name = g_strdup (entry->value);
      break;
    case KVMRT_VM_ATTR_NR_VCPUS:
      if (!kvmrt_value_parse_count_or_auto (text, MAX_VCPUS, &self->nr_vcpus, error))
        self->nr_vcpus = 1;
      break;
    case KVMRT_VM_ATTR_CPU_TOPOLOGY:
      if (!kvmrt_value_parse_topology (text, &self->topology, error))
        self->topology = (KvmrtTopology) { 0, 0, 0 };
      break;
    case KVMRT_VM_ATTR_CPUSET:
      g_clear_pointer (&self->cpuset, kvmrt_cpu_set_free);
      self->cpuset = kvmrt_cpu_set_parse (text, error);
      if (self->cpuset == NULL)
        self->cpuset = kvmrt_cpu_set_parse ("", NULL);
      break;
    case KVMRT_VM_ATTR_RT:
      if (!kvmrt_value_parse_bool (text, &self->rt, error))
        self->rt = FALSE;
      break;
    case KVMRT_VM_ATTR_RT_MEMORY:
      if (!kvmrt_value_parse_tristate (text, &self->rt_memory, error))
        self->rt_memory = KVMRT_TRISTATE_AUTO;
      break;
    case KVMRT_VM_ATTR_RT_PRIORITY:
      if (!kvmrt_value_parse_int_range (text, 1, 99, &self->rt_priority, error))
        self->rt_priority = 1;
      break;
    case KVMRT_VM_ATTR_NUMATUNE:
      {
        g_autofree char *trimmed = g_strstrip (g_strdup (text));

        g_clear_pointer (&self->numatune, kvmrt_id_set_free);
        if (g_ascii_strcasecmp (trimmed, "auto") != 0)
          self->numatune = kvmrt_id_set_parse (trimmed, error);
      }
      break;
    case KVMRT_VM_ATTR_HIDE_KVM:
      if (!kvmrt_value_parse_bool (text, &self->hide_kvm, error))
        self->hide_kvm = FALSE;
      break;
    case KVMRT_VM_ATTR_GUEST_SERVICES:
      if (!kvmrt_value_parse_bool (text, &self->guest_services, error))
        self->guest_services = FALSE;
      break;
    case KVMRT_VM_ATTR_AUTOSTART:
      if (!kvmrt_value_parse_bool (text, &self->autostart, error))
        self->autostart = FALSE;
      break;
    case KVMRT_VM_ATTR_DISABLED:
      if (!kvmrt_value_parse_bool (text, &self->disabled, error))
        self->disabled = FALSE;
      break;
    case KVMRT_VM_ATTR_PCIDEVS:
      g_clear_pointer (&self->pcidevs, g_array_unref);
      self->pcidevs = kvmrt_pci_set_parse (text, error);
      if (self->pcidevs == NULL)
        self->pcidevs = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
      break;
    case KVMRT_VM_ATTR_TITLE:
    case KVMRT_VM_ATTR_DESCRIPTION:
    case KVMRT_VM_ATTR_COMMENTS:
    case KVMRT_VM_N_ATTRS:
    default:
      break;
    }
}

static void
parse_all (KvmrtVm *self)
{
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    parse_attr (self, attr);
}

KvmrtVm *
kvmrt_vm_new_from_section (KvmrtIniSection *section, const KvmrtIniSection *defaults)
{
  KvmrtVm *self = g_object_new (KVMRT_TYPE_VM, NULL);

  kvmrt_ini_section_free (self->section);
  /* The one place a VM's UUID enters: from here on it is lower-case. The header line keeps
   * the file's own text, so saving does not rewrite it just for its case. */
  kvmrt_uuid_canonicalize (section->name);
  self->section = section;
  self->defaults = defaults;
  parse_all (self);
  return self;
}

KvmrtVm *
kvmrt_vm_new (const char *uuid)
{
  return kvmrt_vm_new_from_section (kvmrt_ini_section_new (uuid), NULL);
}

KvmrtVm *
kvmrt_vm_copy (KvmrtVm *self)
{
  return kvmrt_vm_copy_with_defaults (self, self->defaults);
}

KvmrtVm *
kvmrt_vm_copy_with_defaults (KvmrtVm *self, const KvmrtIniSection *defaults)
{
  return kvmrt_vm_new_from_section (kvmrt_ini_section_copy (self->section), defaults);
}

const KvmrtIniSection *
kvmrt_vm_get_section (KvmrtVm *self)
{
  return self->section;
}

void
kvmrt_vm_set_defaults (KvmrtVm *self, const KvmrtIniSection *defaults)
{
  self->defaults = defaults;
  parse_all (self);
}

const char *
kvmrt_vm_get_uuid (KvmrtVm *self)
{
  g_return_val_if_fail (KVMRT_IS_VM (self), NULL);
  return self->section->name;
}

guint
kvmrt_vm_get_line (KvmrtVm *self)
{
  return self->section->line;
}

const char *
kvmrt_vm_get_text (KvmrtVm *self, KvmrtVmAttr attr)
{
  const KvmrtIniEntry *entry;

  g_return_val_if_fail (attr < KVMRT_VM_N_ATTRS, NULL);
  entry = find_entry (self, attributes[attr].key);
  return entry != NULL ? entry->value : NULL;
}

guint
kvmrt_vm_get_attr_line (KvmrtVm *self, KvmrtVmAttr attr)
{
  const KvmrtIniEntry *entry = kvmrt_ini_section_lookup (self->section, attributes[attr].key);

  return entry != NULL ? entry->line : 0;
}

const GError *
kvmrt_vm_get_value_error (KvmrtVm *self, KvmrtVmAttr attr)
{
  g_return_val_if_fail (attr < KVMRT_VM_N_ATTRS, NULL);
  return self->errors[attr];
}

/* Stores @text under @key in the VM's own section (NULL removes it). TRUE if it changed. */
static gboolean
store_text (KvmrtVm *self, const char *key, const char *text)
{
  KvmrtIniEntry *entry = kvmrt_ini_section_lookup (self->section, key);

  if (text == NULL)
    {
      if (entry == NULL)
        return FALSE;
      g_ptr_array_remove (self->section->entries, entry);
      return TRUE;
    }
  if (entry == NULL)
    {
      kvmrt_ini_section_append (self->section, kvmrt_ini_entry_new_key (key, text));
      return TRUE;
    }
  if (g_strcmp0 (entry->value, text) == 0)
    return FALSE;
  kvmrt_ini_entry_set_value (entry, text);
  return TRUE;
}

gboolean
kvmrt_vm_set_text (KvmrtVm     *self,
                   KvmrtVmAttr  attr,
                   const char  *text,
                   GError     **error)
{
  g_autofree char *clean = NULL;

  g_return_val_if_fail (KVMRT_IS_VM (self), FALSE);
  g_return_val_if_fail (attr < KVMRT_VM_N_ATTRS, FALSE);

  /* Values are stored as configparser reads them back: lines stripped. */
  if (text != NULL)
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_strstrip (lines[i]);
      clean = g_strjoinv ("\n", lines);
      g_strchomp (clean);
    }

  if (store_text (self, attributes[attr].key, clean))
    {
      parse_attr (self, attr);
      if (attributes[attr].prop != 0)
        g_object_notify_by_pspec (G_OBJECT (self), properties[attributes[attr].prop]);
      g_signal_emit (self, signals[CHANGED], 0, attr);
    }
  if (self->errors[attr] != NULL)
    {
      g_propagate_error (error, g_error_copy (self->errors[attr]));
      return FALSE;
    }
  return TRUE;
}

const char *
kvmrt_vm_get_extra (KvmrtVm *self, const char *key)
{
  const KvmrtIniEntry *entry = find_entry (self, key);

  return entry != NULL ? entry->value : NULL;
}

void
kvmrt_vm_set_extra (KvmrtVm *self, const char *key, const char *text)
{
  KvmrtVmAttr attr;

  if (kvmrt_vm_attr_from_key (key, &attr))
    {
      kvmrt_vm_set_text (self, attr, text, NULL);
      return;
    }
  store_text (self, key, text);
}

/* ---- typed getters ---- */

const char *
kvmrt_vm_get_name (KvmrtVm *self)
{
  return self->name;
}

static const char *
text_or_empty (KvmrtVm *self, KvmrtVmAttr attr)
{
  const char *text = kvmrt_vm_get_text (self, attr);

  return text != NULL ? text : "";
}

const char *
kvmrt_vm_get_title (KvmrtVm *self)
{
  return text_or_empty (self, KVMRT_VM_ATTR_TITLE);
}

const char *
kvmrt_vm_get_label (KvmrtVm *self)
{
  return self->name != NULL ? self->name : kvmrt_vm_get_uuid (self);
}

const char *
kvmrt_vm_get_display_title (KvmrtVm *self)
{
  const char *title = kvmrt_vm_get_title (self);

  return *title != '\0' ? title : kvmrt_vm_get_label (self);
}

char *
kvmrt_vm_format_heading (const char *name, const char *uuid)
{
  return g_strdup_printf ("%s [%s]", name != NULL ? name : _("(no name)"), uuid);
}

const char *
kvmrt_vm_get_description (KvmrtVm *self)
{
  return text_or_empty (self, KVMRT_VM_ATTR_DESCRIPTION);
}

const char *
kvmrt_vm_get_comments (KvmrtVm *self)
{
  return text_or_empty (self, KVMRT_VM_ATTR_COMMENTS);
}

guint
kvmrt_vm_get_nr_vcpus (KvmrtVm *self)
{
  return self->nr_vcpus;
}

KvmrtTopology
kvmrt_vm_get_cpu_topology (KvmrtVm *self)
{
  return self->topology;
}

const KvmrtCpuSet *
kvmrt_vm_get_cpuset (KvmrtVm *self)
{
  return self->cpuset;
}

gboolean
kvmrt_vm_get_rt (KvmrtVm *self)
{
  return self->rt;
}

KvmrtTristate
kvmrt_vm_get_rt_memory (KvmrtVm *self)
{
  return self->rt_memory;
}

guint
kvmrt_vm_get_rt_priority (KvmrtVm *self)
{
  return self->rt_priority;
}

const KvmrtIdSet *
kvmrt_vm_get_numatune (KvmrtVm *self)
{
  return self->numatune;
}

gboolean
kvmrt_vm_get_hide_kvm (KvmrtVm *self)
{
  return self->hide_kvm;
}

gboolean
kvmrt_vm_get_guest_services (KvmrtVm *self)
{
  return self->guest_services;
}

gboolean
kvmrt_vm_get_autostart (KvmrtVm *self)
{
  return self->autostart;
}

gboolean
kvmrt_vm_get_disabled (KvmrtVm *self)
{
  return self->disabled;
}

const GArray *
kvmrt_vm_get_pcidevs (KvmrtVm *self)
{
  return self->pcidevs;
}

/* ---- typed setters ---- */

static void
set_string (KvmrtVm *self, KvmrtVmAttr attr, const char *text)
{
  kvmrt_vm_set_text (self, attr, text != NULL ? text : "", NULL);
}

void
kvmrt_vm_set_name (KvmrtVm *self, const char *name)
{
  set_string (self, KVMRT_VM_ATTR_NAME, name);
}

void
kvmrt_vm_set_title (KvmrtVm *self, const char *title)
{
  set_string (self, KVMRT_VM_ATTR_TITLE, title);
}

void
kvmrt_vm_set_description (KvmrtVm *self, const char *description)
{
  set_string (self, KVMRT_VM_ATTR_DESCRIPTION, description);
}

void
kvmrt_vm_set_comments (KvmrtVm *self, const char *comments)
{
  set_string (self, KVMRT_VM_ATTR_COMMENTS, comments);
}

void
kvmrt_vm_set_nr_vcpus (KvmrtVm *self, guint nr_vcpus)
{
  g_autofree char *text = kvmrt_value_format_count_or_auto (nr_vcpus);

  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_NR_VCPUS, text, NULL);
}

void
kvmrt_vm_set_cpu_topology (KvmrtVm *self, const KvmrtTopology *topology)
{
  KvmrtTopology automatic = { 0, 0, 0 };
  g_autofree char *text = kvmrt_value_format_topology (topology ? topology : &automatic);

  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_CPU_TOPOLOGY, text, NULL);
}

void
kvmrt_vm_set_cpuset (KvmrtVm *self, const KvmrtCpuSet *cpuset)
{
  g_autofree char *text = cpuset ? kvmrt_cpu_set_to_string (cpuset) : g_strdup ("");

  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_CPUSET, text, NULL);
}

static void
set_bool (KvmrtVm *self, KvmrtVmAttr attr, gboolean value)
{
  kvmrt_vm_set_text (self, attr, kvmrt_value_format_bool (value), NULL);
}

void
kvmrt_vm_set_rt (KvmrtVm *self, gboolean rt)
{
  set_bool (self, KVMRT_VM_ATTR_RT, rt);
}

void
kvmrt_vm_set_rt_memory (KvmrtVm *self, KvmrtTristate rt_memory)
{
  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_RT_MEMORY, kvmrt_value_format_tristate (rt_memory), NULL);
}

void
kvmrt_vm_set_numatune (KvmrtVm *self, const KvmrtIdSet *nodes)
{
  g_autofree char *text = nodes ? kvmrt_id_set_to_string (nodes) : g_strdup ("auto");

  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_NUMATUNE, text, NULL);
}

void
kvmrt_vm_set_hide_kvm (KvmrtVm *self, gboolean hide_kvm)
{
  set_bool (self, KVMRT_VM_ATTR_HIDE_KVM, hide_kvm);
}

void
kvmrt_vm_set_guest_services (KvmrtVm *self, gboolean guest_services)
{
  set_bool (self, KVMRT_VM_ATTR_GUEST_SERVICES, guest_services);
}

void
kvmrt_vm_set_autostart (KvmrtVm *self, gboolean autostart)
{
  set_bool (self, KVMRT_VM_ATTR_AUTOSTART, autostart);
}

void
kvmrt_vm_set_disabled (KvmrtVm *self, gboolean disabled)
{
  set_bool (self, KVMRT_VM_ATTR_DISABLED, disabled);
}

void
kvmrt_vm_set_pcidevs (KvmrtVm *self, const GArray *pcidevs)
{
  g_autofree char *text = pcidevs ? kvmrt_pci_set_to_string (pcidevs) : g_strdup ("");

  kvmrt_vm_set_text (self, KVMRT_VM_ATTR_PCIDEVS, text, NULL);
}

/* ---- GObject ---- */

static KvmrtVmAttr
attr_of_prop (guint prop_id)
{
  for (KvmrtVmAttr attr = 0; attr < KVMRT_VM_N_ATTRS; attr++)
    if (attributes[attr].prop == (int) prop_id)
      return attr;
  return KVMRT_VM_N_ATTRS;
}

static void
kvmrt_vm_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  KvmrtVm *self = KVMRT_VM (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, kvmrt_vm_get_uuid (self));
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TITLE:
    case PROP_DESCRIPTION:
    case PROP_COMMENTS:
      g_value_set_string (value, text_or_empty (self, attr_of_prop (prop_id)));
      break;
    case PROP_RT:
      g_value_set_boolean (value, self->rt);
      break;
    case PROP_HIDE_KVM:
      g_value_set_boolean (value, self->hide_kvm);
      break;
    case PROP_GUEST_SERVICES:
      g_value_set_boolean (value, self->guest_services);
      break;
    case PROP_AUTOSTART:
      g_value_set_boolean (value, self->autostart);
      break;
    case PROP_DISABLED:
      g_value_set_boolean (value, self->disabled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_vm_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  KvmrtVm *self = KVMRT_VM (object);

  switch (prop_id)
    {
    case PROP_UUID:
      if (g_value_get_string (value) != NULL)
        {
          g_free (self->section->name);
          self->section->name = kvmrt_uuid_dup (g_value_get_string (value));
        }
      break;
    case PROP_NAME:
    case PROP_TITLE:
    case PROP_DESCRIPTION:
    case PROP_COMMENTS:
      set_string (self, attr_of_prop (prop_id), g_value_get_string (value));
      break;
    case PROP_RT:
    case PROP_HIDE_KVM:
    case PROP_GUEST_SERVICES:
    case PROP_AUTOSTART:
    case PROP_DISABLED:
      set_bool (self, attr_of_prop (prop_id), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_vm_finalize (GObject *object)
{
  KvmrtVm *self = KVMRT_VM (object);

  for (guint i = 0; i < KVMRT_VM_N_ATTRS; i++)
    g_clear_error (&self->errors[i]);
  g_clear_pointer (&self->section, kvmrt_ini_section_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->cpuset, kvmrt_cpu_set_free);
  g_clear_pointer (&self->numatune, kvmrt_id_set_free);
  g_clear_pointer (&self->pcidevs, g_array_unref);

  G_OBJECT_CLASS (kvmrt_vm_parent_class)->finalize (object);
}

static void
kvmrt_vm_class_init (KvmrtVmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = kvmrt_vm_get_property;
  object_class->set_property = kvmrt_vm_set_property;
  object_class->finalize = kvmrt_vm_finalize;

  properties[PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, "", rw);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, "", rw);
  properties[PROP_COMMENTS] = g_param_spec_string ("comments", NULL, NULL, "", rw);
  properties[PROP_RT] = g_param_spec_boolean ("rt", NULL, NULL, FALSE, rw);
  properties[PROP_HIDE_KVM] = g_param_spec_boolean ("hide-kvm", NULL, NULL, FALSE, rw);
  properties[PROP_GUEST_SERVICES] = g_param_spec_boolean ("guest-services", NULL, NULL, FALSE,
                                                        rw);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, rw);
  properties[PROP_DISABLED] = g_param_spec_boolean ("disabled", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KvmrtVm::changed:
   * @attr: the KvmrtVmAttr whose text changed
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
kvmrt_vm_init (KvmrtVm *self)
{
  self->section = kvmrt_ini_section_new ("");
}
