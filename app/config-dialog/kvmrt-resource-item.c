/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtResourceItem: one row of the resources list; see kvmrt-resource-item.h. */
#include "kvmrt-resource-item.h"

#include <gio/gio.h>
#include <string.h>

struct _KvmrtResourceItem
{
  GObject             parent_instance;

  KvmrtResourceKind   kind;
  guint               id;
  KvmrtResourceItem  *parent;     /* not referenced */
  GListStore         *children;   /* NULL until a child is appended */

  char               *label;
  char               *details;
  char               *address;
  char               *iommu_group;
  char               *keywords;
  char               *owner;
  GStrv               owner_uuids;
  char               *error_message;
  KvmrtResourceFlags  flags;
  gboolean            endpoint;
  gboolean            visible;
};

enum {
  PROP_0,
  PROP_LABEL,
  PROP_DETAILS,
  PROP_ADDRESS,
  PROP_IOMMU_GROUP,
  PROP_OWNER,
  PROP_ERROR_MESSAGE,
  PROP_HAS_ERROR,
  PROP_CSS_CLASSES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KvmrtResourceItem, kvmrt_resource_item, G_TYPE_OBJECT)

static gboolean
set_string (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

/* The style classes of the row's cells: the tint of real-time rows, gray for the host's. */
static GStrv
dup_css_classes (KvmrtResourceItem *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, "resource-cell");
  if (self->flags & KVMRT_RESOURCE_FLAG_RT)
    g_strv_builder_add (builder, "resource-rt");
  /* Rows with children only show the icon for the errors below them. */
  if ((self->flags & KVMRT_RESOURCE_FLAG_ERROR) && self->children == NULL)
    g_strv_builder_add (builder, "resource-error");
  if (self->flags & (KVMRT_RESOURCE_FLAG_HOST_USED | KVMRT_RESOURCE_FLAG_OFFLINE))
    g_strv_builder_add (builder, "dim-label");
  if (self->kind == KVMRT_RESOURCE_NODE || self->kind == KVMRT_RESOURCE_GROUP)
    g_strv_builder_add (builder, "resource-heading");
  return g_strv_builder_end (builder);
}

static void
kvmrt_resource_item_finalize (GObject *object)
{
  KvmrtResourceItem *self = KVMRT_RESOURCE_ITEM (object);

  g_clear_object (&self->children);
  g_free (self->label);
  g_free (self->details);
  g_free (self->address);
  g_free (self->iommu_group);
  g_free (self->keywords);
  g_free (self->owner);
  g_strfreev (self->owner_uuids);
  g_free (self->error_message);

  G_OBJECT_CLASS (kvmrt_resource_item_parent_class)->finalize (object);
}

static void
kvmrt_resource_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KvmrtResourceItem *self = KVMRT_RESOURCE_ITEM (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_DETAILS:
      g_value_set_string (value, self->details);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_IOMMU_GROUP:
      g_value_set_string (value, self->iommu_group);
      break;
    case PROP_OWNER:
      g_value_set_string (value, self->owner);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_HAS_ERROR:
      g_value_set_boolean (value, (self->flags & KVMRT_RESOURCE_FLAG_ERROR) != 0);
      break;
    case PROP_CSS_CLASSES:
      g_value_take_boxed (value, dup_css_classes (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kvmrt_resource_item_class_init (KvmrtResourceItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kvmrt_resource_item_finalize;
  object_class->get_property = kvmrt_resource_item_get_property;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DETAILS] =
    g_param_spec_string ("details", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_IOMMU_GROUP] =
    g_param_spec_string ("iommu-group", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OWNER] =
    g_param_spec_string ("owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HAS_ERROR] =
    g_param_spec_boolean ("has-error", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CSS_CLASSES] =
    g_param_spec_boxed ("css-classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kvmrt_resource_item_init (KvmrtResourceItem *self)
{
  self->owner = g_strdup ("");
  self->endpoint = TRUE;
  self->visible = TRUE;
}

KvmrtResourceItem *
kvmrt_resource_item_new (KvmrtResourceKind  kind,
                         guint              id,
                         KvmrtResourceItem *parent,
                         const char        *label)
{
  KvmrtResourceItem *self = g_object_new (KVMRT_TYPE_RESOURCE_ITEM, NULL);

  self->kind = kind;
  self->id = id;
  self->parent = parent;
  self->label = g_strdup (label);
  return self;
}

KvmrtResourceKind
kvmrt_resource_item_get_kind (KvmrtResourceItem *self)
{
  return self->kind;
}

guint
kvmrt_resource_item_get_id (KvmrtResourceItem *self)
{
  return self->id;
}

KvmrtResourceItem *
kvmrt_resource_item_get_parent (KvmrtResourceItem *self)
{
  return self->parent;
}

GListStore *
kvmrt_resource_item_get_children (KvmrtResourceItem *self)
{
  return self->children;
}

void
kvmrt_resource_item_append (KvmrtResourceItem *self, KvmrtResourceItem *child)
{
  if (self->children == NULL)
    self->children = g_list_store_new (KVMRT_TYPE_RESOURCE_ITEM);
  g_list_store_append (self->children, child);
}

void
kvmrt_resource_item_clear_children (KvmrtResourceItem *self)
{
  if (self->children == NULL)
    self->children = g_list_store_new (KVMRT_TYPE_RESOURCE_ITEM);
  else
    g_list_store_remove_all (self->children);
}

const char *
kvmrt_resource_item_get_label (KvmrtResourceItem *self)
{
  return self->label;
}

const char *
kvmrt_resource_item_get_details (KvmrtResourceItem *self)
{
  return self->details;
}

void
kvmrt_resource_item_set_details (KvmrtResourceItem *self, const char *details)
{
  if (set_string (&self->details, details))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS]);
}

const char *
kvmrt_resource_item_get_address (KvmrtResourceItem *self)
{
  return self->address;
}

void
kvmrt_resource_item_set_address (KvmrtResourceItem *self, const char *address)
{
  if (set_string (&self->address, address))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

const char *
kvmrt_resource_item_get_iommu_group (KvmrtResourceItem *self)
{
  return self->iommu_group;
}

void
kvmrt_resource_item_set_iommu_group (KvmrtResourceItem *self, const char *group)
{
  if (set_string (&self->iommu_group, group))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IOMMU_GROUP]);
}

void
kvmrt_resource_item_set_keywords (KvmrtResourceItem *self, const char *keywords)
{
  set_string (&self->keywords, keywords);
}

gboolean
kvmrt_resource_item_get_endpoint (KvmrtResourceItem *self)
{
  return self->endpoint;
}

void
kvmrt_resource_item_set_endpoint (KvmrtResourceItem *self, gboolean endpoint)
{
  self->endpoint = !!endpoint;
}

const char *
kvmrt_resource_item_get_owner (KvmrtResourceItem *self)
{
  return self->owner;
}

gboolean
kvmrt_resource_item_is_owned_by (KvmrtResourceItem *self, const char *uuid)
{
  return self->owner_uuids != NULL && g_strv_contains ((const char * const *) self->owner_uuids,
                                                       uuid);
}

KvmrtResourceFlags
kvmrt_resource_item_get_flags (KvmrtResourceItem *self)
{
  return self->flags;
}

const char *
kvmrt_resource_item_get_error_message (KvmrtResourceItem *self)
{
  return self->error_message;
}

void
kvmrt_resource_item_set_marks (KvmrtResourceItem  *self,
                               const char * const *owner_names,
                               const char * const *owner_uuids,
                               KvmrtResourceFlags  flags,
                               const char         *error_message)
{
  g_autofree char *owner = owner_names ? g_strjoinv (", ", (GStrv) owner_names) : g_strdup ("");
  gboolean had_error = (self->flags & KVMRT_RESOURCE_FLAG_ERROR) != 0;
  KvmrtResourceFlags old_flags = self->flags;

  g_object_freeze_notify (G_OBJECT (self));

  if (set_string (&self->owner, owner))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNER]);
  g_strfreev (self->owner_uuids);
  self->owner_uuids = g_strdupv ((GStrv) owner_uuids);

  self->flags = flags;
  if (old_flags != flags)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CSS_CLASSES]);
  if (had_error != ((flags & KVMRT_RESOURCE_FLAG_ERROR) != 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ERROR]);
  if (set_string (&self->error_message, error_message))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);

  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
field_matches (const char *field, const char *needle)
{
  g_autofree char *folded = NULL;

  if (field == NULL || *field == '\0')
    return FALSE;
  folded = g_utf8_casefold (field, -1);
  return strstr (folded, needle) != NULL;
}

gboolean
kvmrt_resource_item_matches (KvmrtResourceItem *self, const char *needle)
{
  return field_matches (self->label, needle)
         || field_matches (self->details, needle)
         || field_matches (self->address, needle)
         || field_matches (self->iommu_group, needle)
         || field_matches (self->owner, needle)
         || field_matches (self->keywords, needle);
}

gboolean
kvmrt_resource_item_get_visible (KvmrtResourceItem *self)
{
  return self->visible;
}

void
kvmrt_resource_item_set_visible (KvmrtResourceItem *self, gboolean visible)
{
  self->visible = !!visible;
}
