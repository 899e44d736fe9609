/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtResourcesView: the host's resources as a tree; see kvmrt-resources-view.h.
 *
 * The rows (KvmrtResourceItem) are made once from the host and live as long as the view.
 * kvmrt_resources_view_update() only changes their marks, so the GtkTreeListModel keeps
 * its expanded rows and the GtkMultiSelection its selection. Every level of the tree is a
 * GtkFilterListModel over the same GtkCustomFilter, which reads the visibility computed for
 * each row from the search text, the View toggles and the VM filter. */
#include "kvmrt-resources-view.h"

#include <glib/gi18n.h>

#include "kvmrt-resource-item.h"

struct _KvmrtResourcesView
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkMenuButton      *view_button;
  GtkColumnView      *column_view;
  GtkColumnViewColumn *details_column;

  /* Owned */
  KvmrtHost          *host;
  KvmrtConfig        *config;          /* the working copy last shown, may be NULL */
  GSimpleActionGroup *actions;
  GtkWidget          *context_menu;    /* GtkPopoverMenu, a child of the view */
  GListStore         *roots;
  GtkCustomFilter    *filter;
  GtkTreeListModel   *tree;
  GtkMultiSelection  *selection;
  GPtrArray          *items;           /* every KvmrtResourceItem but the missing devices */
  GPtrArray          *cpu_items;       /* KvmrtResourceItem* (borrowed) by CPU, or NULL */
  GHashTable         *device_items;    /* KvmrtPciAddress -> KvmrtResourceItem (borrowed) */
  KvmrtResourceItem  *missing_group;   /* configured devices the host lacks */
  char               *filter_vm_uuid;
  char               *search;          /* casefolded, NULL when empty */
  gboolean            show_cpus;
  gboolean            show_devices;
  gboolean            show_bridges;
};

enum {
  PROP_0,
  PROP_HOST,
  N_PROPS
};

enum {
  ASSIGN_DEVICES,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KvmrtResourcesView, kvmrt_resources_view, GTK_TYPE_WIDGET)

/* What one update gives one row before it is set on it. The sets make adding once cheap: a
 * CPU of a 1,024-VM configuration can have hundreds of owners, and a node row gathers the
 * errors of every CPU below it. */
typedef struct {
  GPtrArray          *names;      /* char*, owned */
  GPtrArray          *uuids;      /* char*, owned */
  GPtrArray          *errors;     /* char*, owned */
  GHashTable         *uuid_set;   /* the strings of @uuids */
  GHashTable         *error_set;  /* the strings of @errors */
  KvmrtResourceFlags  flags;
} Marks;

static void
marks_free (Marks *marks)
{
  g_hash_table_unref (marks->uuid_set);
  g_hash_table_unref (marks->error_set);
  g_ptr_array_unref (marks->names);
  g_ptr_array_unref (marks->uuids);
  g_ptr_array_unref (marks->errors);
  g_free (marks);
}

static Marks *
marks_get (GHashTable *table, KvmrtResourceItem *item)
{
  Marks *marks = g_hash_table_lookup (table, item);

  if (marks == NULL)
    {
      marks = g_new0 (Marks, 1);
      marks->names = g_ptr_array_new_null_terminated (2, g_free, TRUE);
      marks->uuids = g_ptr_array_new_null_terminated (2, g_free, TRUE);
      marks->errors = g_ptr_array_new_null_terminated (0, g_free, TRUE);
      marks->uuid_set = g_hash_table_new (g_str_hash, g_str_equal);
      marks->error_set = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (table, item, marks);
    }
  return marks;
}

/* The VM @uuid, shown as @name, has the row's resource (once however often it is added). */
static void
marks_add_owner_named (Marks *marks, const char *uuid, const char *name)
{
  char *copy;

  if (g_hash_table_contains (marks->uuid_set, uuid))
    return;
  copy = g_strdup (uuid);
  g_ptr_array_add (marks->uuids, copy);
  g_ptr_array_add (marks->names, g_strdup (name));
  g_hash_table_add (marks->uuid_set, copy);
  marks->flags |= KVMRT_RESOURCE_FLAG_ASSIGNED;
}

static void
marks_add_owner (Marks *marks, KvmrtVm *vm)
{
  marks_add_owner_named (marks, kvmrt_vm_get_uuid (vm), kvmrt_vm_get_label (vm));
}

static void
marks_add_error (Marks *marks, const char *message)
{
  char *copy;

  marks->flags |= KVMRT_RESOURCE_FLAG_ERROR;
  if (g_hash_table_contains (marks->error_set, message))
    return;
  copy = g_strdup (message);
  g_ptr_array_add (marks->errors, copy);
  g_hash_table_add (marks->error_set, copy);
}

/* Not a device a VM could use: bridges and the parts of the root complex (its IOMMU). */
static gboolean
pci_device_is_endpoint (const KvmrtPciDevice *device)
{
  return !kvmrt_pci_device_is_infrastructure (device);
}

static KvmrtResourceItem *
add_item (KvmrtResourcesView *self,
          KvmrtResourceKind   kind,
          guint               id,
          KvmrtResourceItem  *parent,
          const char         *label)
{
  KvmrtResourceItem *item = kvmrt_resource_item_new (kind, id, parent, label);

  if (parent != NULL)
    kvmrt_resource_item_append (parent, item);
  else
    g_list_store_append (self->roots, item);
  g_ptr_array_add (self->items, item);
  return item;
}

static KvmrtResourceItem *
add_device_item (KvmrtResourcesView   *self,
                 KvmrtResourceItem    *group,
                 const KvmrtPciDevice *device)
{
  char address[KVMRT_PCI_ADDRESS_STRLEN];
  g_autofree char *details = NULL;
  g_autofree char *keywords = NULL;
  g_autofree char *iommu_group = NULL;
  KvmrtResourceItem *item;

  item = add_item (self, KVMRT_RESOURCE_DEVICE, device->address, group, device->device_name);
  {
    GString *text = g_string_new (NULL);

    g_string_printf (text, "%s · %s", device->class_name,
                     device->driver ? device->driver : _("no driver"));
    /* What the host runs on it: the reason it cannot be passed through. */
    if (device->host_needs_detail != NULL)
      g_string_append_printf (text, _(" · the host runs %s on it"), device->host_needs_detail);
    details = g_string_free (text, FALSE);
  }
  kvmrt_resource_item_set_details (item, details);
  kvmrt_resource_item_set_address (item, kvmrt_pci_address_format (device->address, address));
  if (device->iommu_group >= 0)
    iommu_group = g_strdup_printf ("%d", device->iommu_group);
  kvmrt_resource_item_set_iommu_group (item, iommu_group);
  keywords = g_strdup_printf ("%s %04x:%04x", device->vendor_name,
                              device->vendor_id, device->device_id);
  kvmrt_resource_item_set_keywords (item, keywords);
  kvmrt_resource_item_set_endpoint (item, pci_device_is_endpoint (device));
  g_hash_table_insert (self->device_items, GUINT_TO_POINTER (device->address), item);
  return item;
}

/* The rows, once: nodes with their cores and CPUs, then a heading for the node's devices. */
static void
build_items (KvmrtResourcesView *self)
{
  const KvmrtIdSet *nodes = kvmrt_host_get_ids (self->host, KVMRT_HOST_LEVEL_NODE);
  const KvmrtIdSet *cores = kvmrt_host_get_ids (self->host, KVMRT_HOST_LEVEL_CORE);
  const KvmrtIdSet *cpus = kvmrt_host_get_cpus (self->host);
  GPtrArray *devices = kvmrt_host_get_pci_devices (self->host);
  g_autoptr(GHashTable) node_items = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) device_groups = g_hash_table_new (NULL, NULL);
  KvmrtResourceItem *other_group = NULL;

  g_ptr_array_set_size (self->cpu_items, kvmrt_host_get_n_cpus (self->host));

  for (int node = kvmrt_id_set_first (nodes); node >= 0; node = kvmrt_id_set_next (nodes, node))
    {
      const KvmrtIdSet *node_cpus = kvmrt_host_get_level_cpus (self->host,
                                                               KVMRT_HOST_LEVEL_NODE, node);
      g_autofree char *label = g_strdup_printf (_("NUMA Node %d"), node);
      g_autofree char *memory = NULL;
      g_autofree char *details = NULL;
      g_autoptr(KvmrtIdSet) node_cores = kvmrt_id_set_new ();
      guint64 bytes = kvmrt_host_get_node_memory (self->host, node);
      KvmrtResourceItem *item;

      for (int cpu = kvmrt_id_set_first (node_cpus); cpu >= 0;
           cpu = kvmrt_id_set_next (node_cpus, cpu))
        {
          int core = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_CORE, cpu);

          if (core >= 0)
            kvmrt_id_set_add (node_cores, core);
        }

      item = add_item (self, KVMRT_RESOURCE_NODE, node, NULL, label);
      if (bytes > 0)
        {
          memory = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
          /* Translators: "8 cores, 16 CPUs, 31.2 GiB" */
          details = g_strdup_printf (_("%u cores, %u CPUs, %s"), kvmrt_id_set_count (node_cores),
                                     kvmrt_id_set_count (node_cpus), memory);
        }
      else
        details = g_strdup_printf (_("%u cores, %u CPUs"), kvmrt_id_set_count (node_cores),
                                   kvmrt_id_set_count (node_cpus));
      kvmrt_resource_item_set_details (item, details);
      g_hash_table_insert (node_items, GINT_TO_POINTER (node), item);
    }

  for (int core = kvmrt_id_set_first (cores); core >= 0; core = kvmrt_id_set_next (cores, core))
    {
      const KvmrtIdSet *core_cpus = kvmrt_host_get_level_cpus (self->host,
                                                               KVMRT_HOST_LEVEL_CORE, core);
      g_autofree char *label = g_strdup_printf (_("Core %d"), core);
      g_autofree char *list = NULL;
      g_autofree char *details = NULL;
      KvmrtResourceItem *parent;
      KvmrtResourceItem *item;
      int node;

      if (core_cpus == NULL || kvmrt_id_set_is_empty (core_cpus))
        continue;
      node = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_NODE,
                                       kvmrt_id_set_first (core_cpus));
      parent = g_hash_table_lookup (node_items, GINT_TO_POINTER (node));
      item = add_item (self, KVMRT_RESOURCE_CORE, core, parent, label);
      list = kvmrt_id_set_to_string (core_cpus);
      details = g_strdup_printf (_("CPUs %s"), list);
      kvmrt_resource_item_set_details (item, details);

      for (int cpu = kvmrt_id_set_first (core_cpus); cpu >= 0;
           cpu = kvmrt_id_set_next (core_cpus, cpu))
        {
          g_autofree char *cpu_label = g_strdup_printf (_("CPU %d"), cpu);

          g_ptr_array_index (self->cpu_items, cpu) =
            add_item (self, KVMRT_RESOURCE_CPU, cpu, item, cpu_label);
        }
    }

  /* Offline CPUs whose core the kernel no longer shows sit right below their node. */
  for (int cpu = kvmrt_id_set_first (cpus); cpu >= 0; cpu = kvmrt_id_set_next (cpus, cpu))
    {
      g_autofree char *label = NULL;
      KvmrtResourceItem *parent;
      int node;

      if (g_ptr_array_index (self->cpu_items, cpu) != NULL)
        continue;
      node = kvmrt_host_get_cpu_level (self->host, KVMRT_HOST_LEVEL_NODE, cpu);
      parent = g_hash_table_lookup (node_items, GINT_TO_POINTER (node));
      label = g_strdup_printf (_("CPU %d"), cpu);
      g_ptr_array_index (self->cpu_items, cpu) =
        add_item (self, KVMRT_RESOURCE_CPU, cpu, parent, label);
    }

  for (guint i = 0; i < devices->len; i++)
    {
      const KvmrtPciDevice *device = g_ptr_array_index (devices, i);
      KvmrtResourceItem *node_item = g_hash_table_lookup (node_items,
                                                          GINT_TO_POINTER (device->numa_node));
      KvmrtResourceItem *group;

      if (node_item != NULL)
        {
          group = g_hash_table_lookup (device_groups, node_item);
          if (group == NULL)
            {
              group = add_item (self, KVMRT_RESOURCE_GROUP, device->numa_node, node_item,
                                _("PCI Devices"));
              g_hash_table_insert (device_groups, node_item, group);
            }
        }
      else
        {
          if (other_group == NULL)
            other_group = add_item (self, KVMRT_RESOURCE_GROUP, G_MAXUINT, NULL,
                                    _("PCI Devices of No NUMA Node"));
          group = other_group;
        }
      add_device_item (self, group, device);
    }

  self->missing_group = kvmrt_resource_item_new (KVMRT_RESOURCE_GROUP, G_MAXUINT - 1, NULL,
                                                 _("Devices Missing from This Host"));
  kvmrt_resource_item_clear_children (self->missing_group);
}

/* Visibility ------------------------------------------------------------------------------ */

static gboolean
compute_visible (KvmrtResourcesView *self,
                 KvmrtResourceItem  *item,
                 gboolean            ancestor_matched)
{
  KvmrtResourceKind kind = kvmrt_resource_item_get_kind (item);
  GListStore *children = kvmrt_resource_item_get_children (item);
  gboolean self_matched = self->search == NULL || kvmrt_resource_item_matches (item, self->search);
  gboolean kind_shown = TRUE;
  gboolean any_child = FALSE;
  gboolean visible;

  switch (kind)
    {
    case KVMRT_RESOURCE_CORE:
    case KVMRT_RESOURCE_CPU:
      kind_shown = self->show_cpus;
      break;
    case KVMRT_RESOURCE_DEVICE:
      kind_shown = self->show_devices
                   && (self->show_bridges || kvmrt_resource_item_get_endpoint (item));
      break;
    case KVMRT_RESOURCE_GROUP:
      kind_shown = self->show_devices;
      break;
    case KVMRT_RESOURCE_NODE:
    default:
      break;
    }

  if (children != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (children));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(KvmrtResourceItem) child = g_list_model_get_item (G_LIST_MODEL (children), i);

          if (compute_visible (self, child,
                               ancestor_matched || (self->search != NULL && self_matched)))
            any_child = TRUE;
        }
    }

  if (!kind_shown)
    visible = FALSE;
  else if (kind == KVMRT_RESOURCE_CPU || kind == KVMRT_RESOURCE_DEVICE)
    visible = (self->filter_vm_uuid == NULL
               || kvmrt_resource_item_is_owned_by (item, self->filter_vm_uuid))
              && (self_matched || ancestor_matched);
  else if (kind == KVMRT_RESOURCE_GROUP)
    visible = any_child;
  else
    visible = any_child
              || (self->filter_vm_uuid == NULL && (self_matched || ancestor_matched));

  kvmrt_resource_item_set_visible (item, visible);
  return visible;
}

static void
refilter (KvmrtResourcesView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->roots));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KvmrtResourceItem) item = g_list_model_get_item (G_LIST_MODEL (self->roots), i);

      compute_visible (self, item, FALSE);
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  return kvmrt_resource_item_get_visible (KVMRT_RESOURCE_ITEM (item));
}

static GListModel *
create_children_cb (gpointer item, gpointer user_data)
{
  KvmrtResourcesView *self = user_data;
  GListStore *children = kvmrt_resource_item_get_children (KVMRT_RESOURCE_ITEM (item));

  if (children == NULL)
    return NULL;
  return G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (children)),
                                                  g_object_ref (GTK_FILTER (self->filter))));
}

/* Expands every row (@kinds: bit per KvmrtResourceKind, or 0 for all kinds). */
static void
expand_rows (KvmrtResourcesView *self, guint kinds)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tree)); i++)
    {
      g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_row (self->tree, i);
      KvmrtResourceItem *item = gtk_tree_list_row_get_item (row);

      if (kinds == 0 || (kinds & (1u << kvmrt_resource_item_get_kind (item))))
        gtk_tree_list_row_set_expanded (row, TRUE);
      g_object_unref (item);
    }
}

/* Marks ----------------------------------------------------------------------------------- */

/* The row of a CPU the plan names, or NULL when the host has no such CPU. */
static KvmrtResourceItem *
cpu_item (KvmrtResourcesView *self, int cpu)
{
  return cpu >= 0 && (guint) cpu < self->cpu_items->len
           ? g_ptr_array_index (self->cpu_items, cpu) : NULL;
}

static KvmrtResourceItem *
lookup_device_item (KvmrtResourcesView *self, GHashTable *missing, KvmrtPciAddress address)
{
  KvmrtResourceItem *item = g_hash_table_lookup (self->device_items, GUINT_TO_POINTER (address));

  return item ? item : g_hash_table_lookup (missing, GUINT_TO_POINTER (address));
}

/* The row of a NUMA node, or NULL when the host has no such node. */
static KvmrtResourceItem *
node_item (KvmrtResourcesView *self, int node)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      KvmrtResourceItem *item = self->items->pdata[i];

      if (kvmrt_resource_item_get_kind (item) == KVMRT_RESOURCE_NODE
          && kvmrt_resource_item_get_id (item) == (guint) node)
        return item;
    }
  return NULL;
}

static void
mark_item (GHashTable *marks, KvmrtResourceItem *item, const char *message)
{
  if (item != NULL)
    marks_add_error (marks_get (marks, item), message);
}

/* An error about a VM marks what the finding's subject names: its CPUs, nodes and devices
 * (the rule that raised it chose them; the view knows no codes). */
static void
mark_diagnostic (KvmrtResourcesView    *self,
                 GHashTable            *marks,
                 GHashTable            *missing,
                 const KvmrtDiagnostic *diagnostic)
{
  const KvmrtIdSet *cpus = diagnostic->cpus;
  const KvmrtIdSet *nodes = diagnostic->nodes;

  if (diagnostic->severity != KVMRT_SEVERITY_ERROR || diagnostic->vm_uuid == NULL
      || kvmrt_config_lookup_uuid (self->config, diagnostic->vm_uuid) == NULL)
    return;
  for (int cpu = cpus ? kvmrt_id_set_first (cpus) : -1; cpu >= 0;
       cpu = kvmrt_id_set_next (cpus, cpu))
    mark_item (marks, cpu_item (self, cpu), diagnostic->message);
  for (int node = nodes ? kvmrt_id_set_first (nodes) : -1; node >= 0;
       node = kvmrt_id_set_next (nodes, node))
    mark_item (marks, node_item (self, node), diagnostic->message);
  for (guint i = 0; diagnostic->devices != NULL && i < diagnostic->devices->len; i++)
    mark_item (marks, lookup_device_item (self, missing,
                                          g_array_index (diagnostic->devices,
                                                         KvmrtPciAddress, i)),
               diagnostic->message);
}

/* What a CPU does for the real-time VM that has it. */
static const char *
cpu_role (const KvmrtVmPlan *vm_plan, guint cpu)
{
  if (!vm_plan->rt)
    return _("Shared with the host");
  if ((int) cpu == vm_plan->irq_cpu)
    return _("Shielded, takes the VM’s device interrupts");
  if (kvmrt_id_set_contains (vm_plan->shielded_cpus, cpu))
    return _("Shielded for the real-time VM");
  if (kvmrt_id_set_contains (vm_plan->offline_cpus, cpu))
    return _("Taken offline while the VM runs");
  return NULL;
}

/* Sets @item's marks from @table and those of its children (post-order), and returns them;
 * rows with children take over the owners and the real-time mark of their CPUs, and the
 * errors of everything below. */
static Marks *
apply_marks (KvmrtResourcesView *self, GHashTable *table, KvmrtResourceItem *item)
{
  GListStore *children = kvmrt_resource_item_get_children (item);
  KvmrtResourceKind kind = kvmrt_resource_item_get_kind (item);
  Marks *m = marks_get (table, item);
  g_autofree char *errors = NULL;

  if (children != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (children));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(KvmrtResourceItem) child = g_list_model_get_item (G_LIST_MODEL (children), i);
          KvmrtResourceKind child_kind = kvmrt_resource_item_get_kind (child);
          Marks *cm = apply_marks (self, table, child);

          for (guint j = 0; j < cm->errors->len; j++)
            marks_add_error (m, g_ptr_array_index (cm->errors, j));
          if (kind == KVMRT_RESOURCE_GROUP
              || (child_kind != KVMRT_RESOURCE_CPU && child_kind != KVMRT_RESOURCE_CORE))
            continue;
          for (guint j = 0; j < cm->uuids->len; j++)
            marks_add_owner_named (m, g_ptr_array_index (cm->uuids, j),
                                   g_ptr_array_index (cm->names, j));
          m->flags |= cm->flags & KVMRT_RESOURCE_FLAG_RT;
        }
    }

  if (m->errors->len > 0)
    errors = g_strjoinv ("\n", (GStrv) m->errors->pdata);
  kvmrt_resource_item_set_marks (item,
                                 (const char * const *) m->names->pdata,
                                 (const char * const *) m->uuids->pdata,
                                 m->flags, errors);
  return m;
}

/* Signals and actions --------------------------------------------------------------------- */

typedef struct {
  KvmrtResourcesView *self;
  KvmrtVm            *vm;        /* NULL: the host */
  GArray             *selected;  /* KvmrtPciAddress */
  GArray             *all;       /* the selected ones and the rest of their groups */
} AssignRequest;

static void
assign_request_free (gpointer data, GClosure *closure)
{
  AssignRequest *request = data;

  g_object_unref (request->self);
  g_clear_object (&request->vm);
  g_array_unref (request->selected);
  g_array_unref (request->all);
  g_free (request);
}

static void
emit_assign (KvmrtResourcesView *self, KvmrtVm *vm, GArray *addresses)
{
  g_signal_emit (self, signals[ASSIGN_DEVICES], 0, vm, addresses);
}

/* The device rows of the selection, in address order. */
static GArray *
get_selected_addresses (KvmrtResourcesView *self)
{
  g_autoptr(GtkBitset) bits = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *addresses = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_iter_init_first (&iter, bits, &position))
    do
      {
        g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                               position);
        g_autoptr(KvmrtResourceItem) item = row ? gtk_tree_list_row_get_item (row) : NULL;
        KvmrtPciAddress address;

        if (item == NULL || kvmrt_resource_item_get_kind (item) != KVMRT_RESOURCE_DEVICE)
          continue;
        address = kvmrt_resource_item_get_id (item);
        if (!kvmrt_pci_set_contains (addresses, address))
          g_array_append_val (addresses, address);
      }
    while (gtk_bitset_iter_next (&iter, &position));

  return addresses;
}

static gboolean
device_has_owner (KvmrtResourcesView *self, KvmrtPciAddress address)
{
  KvmrtResourceItem *item = g_hash_table_lookup (self->device_items, GUINT_TO_POINTER (address));

  return item != NULL && (kvmrt_resource_item_get_flags (item) & KVMRT_RESOURCE_FLAG_ASSIGNED);
}

/* Endpoints of the IOMMU groups of @selected that are not selected and would stay behind:
 * not yet with @vm, or (giving back to the host) still with some VM. */
static GArray *
find_group_rest (KvmrtResourcesView *self, KvmrtVm *vm, GArray *selected)
{
  GArray *rest = g_array_new (FALSE, FALSE, sizeof (KvmrtPciAddress));
  const GArray *pcidevs = vm ? kvmrt_vm_get_pcidevs (vm) : NULL;

  for (guint i = 0; i < selected->len; i++)
    {
      const KvmrtPciDevice *device =
        kvmrt_host_lookup_pci_device (self->host, g_array_index (selected, KvmrtPciAddress, i));
      const GArray *group;

      if (device == NULL || device->iommu_group < 0)
        continue;
      group = kvmrt_host_get_iommu_group (self->host, device->iommu_group);
      for (guint j = 0; group != NULL && j < group->len; j++)
        {
          KvmrtPciAddress member = g_array_index (group, KvmrtPciAddress, j);
          const KvmrtPciDevice *member_device = kvmrt_host_lookup_pci_device (self->host, member);

          if (kvmrt_pci_set_contains (selected, member) || kvmrt_pci_set_contains (rest, member))
            continue;
          if (member_device == NULL || !pci_device_is_endpoint (member_device))
            continue;
          if (vm != NULL ? kvmrt_pci_set_contains (pcidevs, member)
                         : !device_has_owner (self, member))
            continue;
          g_array_append_val (rest, member);
        }
    }
  return rest;
}

static void
on_group_dialog_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             gpointer          user_data)
{
  AssignRequest *request = user_data;

  if (g_str_equal (response, "all"))
    emit_assign (request->self, request->vm, request->all);
  else if (g_str_equal (response, "only"))
    emit_assign (request->self, request->vm, request->selected);
}

static void
ask_about_group (KvmrtResourcesView *self, KvmrtVm *vm, GArray *selected, GArray *rest)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *body = NULL;
  AssignRequest *request;
  GtkWidget *dialog;

  for (guint i = 0; i < rest->len; i++)
    {
      KvmrtPciAddress address = g_array_index (rest, KvmrtPciAddress, i);
      const KvmrtPciDevice *device = kvmrt_host_lookup_pci_device (self->host, address);
      char text[KVMRT_PCI_ADDRESS_STRLEN];

      if (list->len > 0)
        g_string_append (list, rest->len > 2 ? ", " : _(" and "));
      /* Translators: a PCI device: "0000:22:00.1 (Audio device: GA106 High Definition …)" */
      g_string_append_printf (list, _("%s (%s: %s)"), kvmrt_pci_address_format (address, text),
                              device->class_name, device->device_name);
    }

  if (vm != NULL)
    body = g_strdup_printf (ngettext ("Also assign %s to “%s”? It is in the same IOMMU group "
                                      "as the selected devices, and a VM can only use a "
                                      "group whose devices are all its own.",
                                      "Also assign %s to “%s”? They are in the same IOMMU "
                                      "group as the selected devices, and a VM can only use "
                                      "a group whose devices are all its own.",
                                      rest->len),
                            list->str, kvmrt_vm_get_display_title (vm));
  else
    body = g_strdup_printf (ngettext ("Also give %s back to the host? It is in the same IOMMU "
                                      "group as the selected devices; a group left split "
                                      "between a VM and the host cannot be passed through.",
                                      "Also give %s back to the host? They are in the same "
                                      "IOMMU group as the selected devices; a group left "
                                      "split between a VM and the host cannot be passed "
                                      "through.",
                                      rest->len),
                            list->str);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Assign the Whole IOMMU Group?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "only", _("_Only Selected"),
                                    "all", vm ? _("_Assign All") : _("_Give Back All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "all",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "all");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);

  request = g_new0 (AssignRequest, 1);
  request->self = g_object_ref (self);
  request->vm = vm ? g_object_ref (vm) : NULL;
  request->selected = g_array_ref (selected);
  request->all = g_array_copy (selected);
  g_array_append_vals (request->all, rest->data, rest->len);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_group_dialog_response_cb),
                         request, assign_request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
assign_to_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KvmrtResourcesView *self = user_data;
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(GArray) selected = get_selected_addresses (self);
  g_autoptr(GArray) rest = NULL;
  KvmrtVm *vm = NULL;

  if (selected->len == 0)
    return;
  if (*uuid != '\0')
    {
      vm = self->config ? kvmrt_config_lookup_uuid (self->config, uuid) : NULL;
      if (vm == NULL)
        return;
    }

  rest = find_group_rest (self, vm, selected);
  if (rest->len == 0)
    emit_assign (self, vm, selected);
  else
    ask_about_group (self, vm, selected, rest);
}

/* The row under a widget of the column view: its Resource cell holds the row's expander. */
static GtkTreeListRow *
find_row_of_widget (GtkWidget *widget)
{
  GtkWidget *row_widget = NULL;

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    {
      GtkWidget *parent = gtk_widget_get_parent (w);

      if (GTK_IS_TREE_EXPANDER (w))
        return gtk_tree_expander_get_list_row (GTK_TREE_EXPANDER (w));
      if (parent != NULL && GTK_IS_LIST_VIEW (parent))
        {
          row_widget = w;
          break;
        }
    }
  if (row_widget == NULL)
    return NULL;

  /* Depth-first below the row. */
  for (GtkWidget *w = gtk_widget_get_first_child (row_widget); w != NULL; )
    {
      GtkWidget *next;

      if (GTK_IS_TREE_EXPANDER (w))
        return gtk_tree_expander_get_list_row (GTK_TREE_EXPANDER (w));
      next = gtk_widget_get_first_child (w);
      while (next == NULL && w != row_widget)
        {
          next = gtk_widget_get_next_sibling (w);
          if (next == NULL)
            {
              w = gtk_widget_get_parent (w);
              if (w == row_widget)
                break;
            }
        }
      w = next;
    }
  return NULL;
}

static void
popup_context_menu (KvmrtResourcesView *self, const graphene_rect_t *at)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) vms = g_menu_new ();
  g_autoptr(GMenu) host = g_menu_new ();
  g_autoptr(GArray) selected = get_selected_addresses (self);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->actions), "assign-to");
  GdkRectangle rect = {
    (int) at->origin.x, (int) at->origin.y, MAX (1, (int) at->size.width),
    MAX (1, (int) at->size.height)
  };
  guint n_vms = self->config ? kvmrt_config_get_n_vms (self->config) : 0;

  for (guint i = 0; i < n_vms; i++)
    {
      KvmrtVm *vm = kvmrt_config_get_vm (self->config, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (kvmrt_vm_get_display_title (vm), NULL);

      g_menu_item_set_action_and_target_value (item, "resources.assign-to",
                                               g_variant_new_string (kvmrt_vm_get_uuid (vm)));
      g_menu_append_item (vms, item);
    }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (_("The Host (Unassign)"), NULL);

    g_menu_item_set_action_and_target_value (item, "resources.assign-to",
                                             g_variant_new_string (""));
    g_menu_append_item (host, item);
  }
  g_menu_append_section (menu, selected->len > 0 ? _("Assign PCI Devices To")
                                                 : _("Select PCI Devices to Assign Them"),
                         G_MENU_MODEL (vms));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (host));

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), selected->len > 0);
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->context_menu), G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
context_menu_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  KvmrtResourcesView *self = user_data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  graphene_rect_t bounds;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view))
      && gtk_widget_compute_bounds (focus, GTK_WIDGET (self), &bounds))
    {
      bounds.origin.x += MIN (bounds.size.width, 48);
      bounds.origin.y += bounds.size.height;
      bounds.size.width = bounds.size.height = 1;
    }
  else if (gtk_widget_compute_bounds (GTK_WIDGET (self->column_view), GTK_WIDGET (self),
                                      &bounds))
    {
      bounds.origin.x += bounds.size.width / 2;
      bounds.origin.y += bounds.size.height / 2;
      bounds.size.width = bounds.size.height = 1;
    }
  else
    graphene_rect_init (&bounds, 0, 0, 1, 1);

  popup_context_menu (self, &bounds);
}

static void
expand_all_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  KvmrtResourcesView *self = user_data;

  g_clear_pointer (&self->filter_vm_uuid, g_free);
  refilter (self);
  expand_rows (self, 0);
}

static void
show_change_state (GSimpleAction *action,
                   GVariant      *value,
                   gpointer       user_data)
{
  KvmrtResourcesView *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  gboolean shown = g_variant_get_boolean (value);

  if (g_str_equal (name, "show-cpus"))
    self->show_cpus = shown;
  else if (g_str_equal (name, "show-devices"))
    self->show_devices = shown;
  else if (g_str_equal (name, "show-bridges"))
    self->show_bridges = shown;
  else if (g_str_equal (name, "show-details"))
    {
      /* A column, not rows: the list stays as it is. */
      gtk_column_view_column_set_visible (self->details_column, shown);
      g_simple_action_set_state (action, value);
      return;
    }
  g_simple_action_set_state (action, value);
  refilter (self);
}

static const GActionEntry action_entries[] = {
  { "expand-all", expand_all_action },
  { "show-cpus", NULL, NULL, "true", show_change_state },
  { "show-devices", NULL, NULL, "true", show_change_state },
  { "show-bridges", NULL, NULL, "false", show_change_state },
  { "show-details", NULL, NULL, "false", show_change_state },
  { "assign-to", assign_to_action, "s" },
  { "context-menu", context_menu_action },
};

/* Callbacks ------------------------------------------------------------------------------- */

static void
on_search_entry_search_changed_cb (GtkSearchEntry     *entry,
                                   KvmrtResourcesView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search, g_free);
  if (*stripped != '\0')
    self->search = g_utf8_casefold (stripped, -1);
  refilter (self);
  /* Matches show wherever they are; without a search the rows come back as they start. */
  if (self->search != NULL)
    expand_rows (self, 0);
  else
    expand_rows (self, (1u << KVMRT_RESOURCE_NODE) | (1u << KVMRT_RESOURCE_GROUP));
}

static void
on_search_entry_stop_search_cb (GtkSearchEntry     *entry,
                                KvmrtResourcesView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_context_click_pressed_cb (GtkGestureClick    *gesture,
                             int                 n_press,
                             double              x,
                             double              y,
                             KvmrtResourcesView *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->column_view), x, y, GTK_PICK_DEFAULT);
  GtkTreeListRow *row = picked ? find_row_of_widget (picked) : NULL;
  double vx, vy;

  if (row != NULL)
    {
      guint position = gtk_tree_list_row_get_position (row);

      if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
    }
  if (!gtk_widget_translate_coordinates (GTK_WIDGET (self->column_view), GTK_WIDGET (self),
                                         x, y, &vx, &vy))
    vx = x, vy = y;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_context_menu (self, &GRAPHENE_RECT_INIT ((float) vx, (float) vy, 1, 1));
}

/* GObject / GtkWidget --------------------------------------------------------------------- */

static void
kvmrt_resources_view_constructed (GObject *object)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (object);

  G_OBJECT_CLASS (kvmrt_resources_view_parent_class)->constructed (object);

  g_return_if_fail (KVMRT_IS_HOST (self->host));
  build_items (self);
  refilter (self);
  expand_rows (self, (1u << KVMRT_RESOURCE_NODE) | (1u << KVMRT_RESOURCE_GROUP));
}

static void
kvmrt_resources_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (widget);

  GTK_WIDGET_CLASS (kvmrt_resources_view_parent_class)->size_allocate (widget, width, height,
                                                                       baseline);
  if (self->context_menu != NULL && gtk_widget_get_visible (self->context_menu))
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
kvmrt_resources_view_dispose (GObject *object)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (object);
  GtkWidget *child;

  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), KVMRT_TYPE_RESOURCES_VIEW);
  /* GTK 4.8 unparents only the template children bound by id. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);

  G_OBJECT_CLASS (kvmrt_resources_view_parent_class)->dispose (object);
}

static void
kvmrt_resources_view_finalize (GObject *object)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (object);

  g_clear_object (&self->host);
  g_clear_object (&self->config);
  g_clear_object (&self->actions);
  g_clear_object (&self->roots);
  g_clear_object (&self->filter);
  g_clear_object (&self->missing_group);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->cpu_items, g_ptr_array_unref);
  g_clear_pointer (&self->device_items, g_hash_table_unref);
  g_free (self->filter_vm_uuid);
  g_free (self->search);

  G_OBJECT_CLASS (kvmrt_resources_view_parent_class)->finalize (object);
}

static void
kvmrt_resources_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_resources_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  KvmrtResourcesView *self = KVMRT_RESOURCES_VIEW (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_resources_view_class_init (KvmrtResourcesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GdkDisplay *display = gdk_display_get_default ();

  object_class->constructed = kvmrt_resources_view_constructed;
  object_class->dispose = kvmrt_resources_view_dispose;
  object_class->finalize = kvmrt_resources_view_finalize;
  object_class->get_property = kvmrt_resources_view_get_property;
  object_class->set_property = kvmrt_resources_view_set_property;
  widget_class->size_allocate = kvmrt_resources_view_size_allocate;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, KVMRT_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ASSIGN_DEVICES] =
    g_signal_new ("assign-devices", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, KVMRT_TYPE_VM, G_TYPE_ARRAY);

  g_type_ensure (KVMRT_TYPE_RESOURCE_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/kvmrt/Kvmrt/kvmrt-resources-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KvmrtResourcesView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, KvmrtResourcesView, view_button);
  gtk_widget_class_bind_template_child (widget_class, KvmrtResourcesView, column_view);
  gtk_widget_class_bind_template_child (widget_class, KvmrtResourcesView, details_column);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_context_click_pressed_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "kvmrtresourcesview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  if (display != NULL)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider,
                                           "/org/kvmrt/Kvmrt/kvmrt-resources-view.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
}

static void
kvmrt_resources_view_init (KvmrtResourcesView *self)
{
  GtkLayoutManager *layout;

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);

  self->show_cpus = TRUE;
  self->show_devices = TRUE;
  self->show_bridges = FALSE;
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->cpu_items = g_ptr_array_new ();
  self->device_items = g_hash_table_new (NULL, NULL);
  self->roots = g_list_store_new (KVMRT_TYPE_RESOURCE_ITEM);

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), action_entries,
                                   G_N_ELEMENTS (action_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "resources", G_ACTION_GROUP (self->actions));

  self->filter = gtk_custom_filter_new (filter_func, NULL, NULL);
  self->tree = gtk_tree_list_model_new (
    G_LIST_MODEL (gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->roots)),
                                             g_object_ref (GTK_FILTER (self->filter)))),
    FALSE, FALSE, create_children_cb, self, NULL);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  self->context_menu = gtk_popover_menu_new_from_model (NULL);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
}

/* Public API ------------------------------------------------------------------------------ */

KvmrtResourcesView *
kvmrt_resources_view_new (KvmrtHost *host)
{
  g_return_val_if_fail (KVMRT_IS_HOST (host), NULL);

  return g_object_new (KVMRT_TYPE_RESOURCES_VIEW, "host", host, NULL);
}

void
kvmrt_resources_view_update (KvmrtResourcesView *self,
                             KvmrtConfig        *config,
                             KvmrtPlan          *plan,
                             GPtrArray          *diagnostics)
{
  g_autoptr(GHashTable) marks = NULL;
  g_autoptr(GHashTable) missing = NULL;
  const KvmrtIdSet *online;
  guint n_vms;
  gboolean show_missing = FALSE;
  guint n_roots;
  guint position;

  g_return_if_fail (KVMRT_IS_RESOURCES_VIEW (self));
  g_return_if_fail (config == NULL || KVMRT_IS_CONFIG (config));

  g_set_object (&self->config, config);
  marks = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) marks_free);
  missing = g_hash_table_new (NULL, NULL);
  online = kvmrt_host_get_online_cpus (self->host);

  /* The devices the configuration names that the host lacks get rows of their own. */
  kvmrt_resource_item_clear_children (self->missing_group);
  n_vms = config ? kvmrt_config_get_n_vms (config) : 0;
  for (guint i = 0; i < n_vms; i++)
    {
      const GArray *pcidevs = kvmrt_vm_get_pcidevs (kvmrt_config_get_vm (config, i));

      for (guint j = 0; j < pcidevs->len; j++)
        {
          KvmrtPciAddress address = g_array_index (pcidevs, KvmrtPciAddress, j);
          char text[KVMRT_PCI_ADDRESS_STRLEN];
          g_autoptr(KvmrtResourceItem) item = NULL;

          if (lookup_device_item (self, missing, address) != NULL)
            continue;
          item = kvmrt_resource_item_new (KVMRT_RESOURCE_DEVICE, address, self->missing_group,
                                          _("Unknown device"));
          kvmrt_resource_item_set_details (item, _("Not on this host"));
          kvmrt_resource_item_set_address (item, kvmrt_pci_address_format (address, text));
          kvmrt_resource_item_append (self->missing_group, item);
          g_hash_table_insert (missing, GUINT_TO_POINTER (address), item);
          marks_get (marks, item)->flags |= KVMRT_RESOURCE_FLAG_MISSING;
        }
    }
  n_roots = g_list_model_get_n_items (G_LIST_MODEL (self->roots));
  if (g_list_store_find (self->roots, self->missing_group, &position))
    {
      if (g_hash_table_size (missing) == 0)
        g_list_store_remove (self->roots, position);
    }
  else if (g_hash_table_size (missing) > 0)
    {
      g_list_store_insert (self->roots, n_roots, self->missing_group);
      show_missing = TRUE;
    }

  /* Who has what. */
  for (guint i = 0; plan != NULL && i < kvmrt_plan_get_n_vms (plan); i++)
    {
      const KvmrtVmPlan *vm_plan = kvmrt_plan_get_vm (plan, i);
      const GArray *pcidevs = kvmrt_vm_get_pcidevs (vm_plan->vm);

      for (int cpu = kvmrt_id_set_first (vm_plan->owned_cpus); cpu >= 0;
           cpu = kvmrt_id_set_next (vm_plan->owned_cpus, cpu))
        {
          KvmrtResourceItem *item = cpu_item (self, cpu);
          Marks *m;

          if (item == NULL)
            continue;
          m = marks_get (marks, item);
          marks_add_owner (m, vm_plan->vm);
          if (vm_plan->rt)
            m->flags |= KVMRT_RESOURCE_FLAG_RT;
        }
      for (guint j = 0; j < pcidevs->len; j++)
        {
          KvmrtResourceItem *item =
            lookup_device_item (self, missing, g_array_index (pcidevs, KvmrtPciAddress, j));

          if (item != NULL)
            marks_add_owner (marks_get (marks, item), vm_plan->vm);
        }
    }

  /* What each CPU does, and the devices the host keeps using. */
  for (guint cpu = 0; cpu < self->cpu_items->len; cpu++)
    {
      KvmrtResourceItem *item = g_ptr_array_index (self->cpu_items, cpu);
      const char *details = NULL;

      if (item == NULL)
        continue;
      if (!kvmrt_id_set_contains (online, cpu))
        {
          marks_get (marks, item)->flags |= KVMRT_RESOURCE_FLAG_OFFLINE;
          details = _("Offline");
        }
      for (guint i = 0; plan != NULL && details == NULL && i < kvmrt_plan_get_n_vms (plan); i++)
        {
          const KvmrtVmPlan *vm_plan = kvmrt_plan_get_vm (plan, i);

          if (kvmrt_id_set_contains (vm_plan->owned_cpus, cpu))
            details = cpu_role (vm_plan, cpu);
        }
      kvmrt_resource_item_set_details (item, details);
    }
  {
    GPtrArray *devices = kvmrt_host_get_pci_devices (self->host);

    for (guint i = 0; i < devices->len; i++)
      {
        const KvmrtPciDevice *device = g_ptr_array_index (devices, i);
        KvmrtResourceItem *item = g_hash_table_lookup (self->device_items,
                                                       GUINT_TO_POINTER (device->address));

        if (item != NULL && kvmrt_pci_device_is_host_used (device))
          marks_get (marks, item)->flags |= KVMRT_RESOURCE_FLAG_HOST_USED;
      }
  }

  /* The validator's errors, on the rows of the VM each one is about. */
  for (guint i = 0; config != NULL && diagnostics != NULL && i < diagnostics->len; i++)
    mark_diagnostic (self, marks, missing, g_ptr_array_index (diagnostics, i));

  n_roots = g_list_model_get_n_items (G_LIST_MODEL (self->roots));
  for (guint i = 0; i < n_roots; i++)
    {
      g_autoptr(KvmrtResourceItem) item = g_list_model_get_item (G_LIST_MODEL (self->roots), i);

      apply_marks (self, marks, item);
    }

  refilter (self);

  /* A new heading of missing devices opens, so that its errors show. */
  for (guint i = 0; show_missing && i < g_list_model_get_n_items (G_LIST_MODEL (self->tree)); i++)
    {
      g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_child_row (self->tree, i);
      g_autoptr(KvmrtResourceItem) item = row ? gtk_tree_list_row_get_item (row) : NULL;

      if (item == self->missing_group)
        {
          gtk_tree_list_row_set_expanded (row, TRUE);
          break;
        }
    }
}

void
kvmrt_resources_view_set_filter_vm (KvmrtResourcesView *self, KvmrtVm *vm)
{
  g_return_if_fail (KVMRT_IS_RESOURCES_VIEW (self));

  g_clear_pointer (&self->filter_vm_uuid, g_free);
  if (vm != NULL)
    self->filter_vm_uuid = g_strdup (kvmrt_vm_get_uuid (vm));
  refilter (self);
  expand_rows (self, 0);
}
