/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtResourceItem: one row of the resources list (a NUMA node, core, CPU, PCI device or a
 * group heading), with what the configuration does with it: the VMs that have it, whether a
 * real-time VM has it, whether the host uses it, and the validator's errors about it. The
 * rows live as long as the view; updates change their marks in place and notify. */
#pragma once

#include <gio/gio.h>

#include "kvmrt.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_RESOURCE_NODE,
  KVMRT_RESOURCE_CORE,
  KVMRT_RESOURCE_CPU,
  KVMRT_RESOURCE_DEVICE,
  KVMRT_RESOURCE_GROUP,
} KvmrtResourceKind;

typedef enum {
  KVMRT_RESOURCE_FLAG_NONE      = 0,
  KVMRT_RESOURCE_FLAG_RT        = 1 << 0,  /* a real-time VM has it (or a CPU below it) */
  KVMRT_RESOURCE_FLAG_HOST_USED = 1 << 1,  /* a device bound to a host driver */
  KVMRT_RESOURCE_FLAG_ASSIGNED  = 1 << 2,  /* some VM has it */
  KVMRT_RESOURCE_FLAG_ERROR     = 1 << 3,  /* an error diagnostic concerns it */
  KVMRT_RESOURCE_FLAG_OFFLINE   = 1 << 4,  /* a CPU offline now */
  KVMRT_RESOURCE_FLAG_MISSING   = 1 << 5,  /* a configured device the host lacks */
} KvmrtResourceFlags;

#define KVMRT_TYPE_RESOURCE_ITEM (kvmrt_resource_item_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtResourceItem, kvmrt_resource_item, KVMRT, RESOURCE_ITEM, GObject)

/* @id: the node, core or CPU number, the PCI address of a device, or a caller's number for a
 * group. @parent is not referenced (parents outlive their children). */
KvmrtResourceItem  *kvmrt_resource_item_new          (KvmrtResourceKind  kind,
                                                      guint              id,
                                                      KvmrtResourceItem *parent,
                                                      const char        *label);
KvmrtResourceKind   kvmrt_resource_item_get_kind     (KvmrtResourceItem *self);
guint               kvmrt_resource_item_get_id       (KvmrtResourceItem *self);
KvmrtResourceItem  *kvmrt_resource_item_get_parent   (KvmrtResourceItem *self);
/* GListStore of KvmrtResourceItem, NULL for a row that never has children. */
GListStore         *kvmrt_resource_item_get_children (KvmrtResourceItem *self);
void                kvmrt_resource_item_append       (KvmrtResourceItem *self,
                                                      KvmrtResourceItem *child);
/* Empties the children store, making an empty one if there was none. */
void                kvmrt_resource_item_clear_children (KvmrtResourceItem *self);

const char         *kvmrt_resource_item_get_label    (KvmrtResourceItem *self);
const char         *kvmrt_resource_item_get_details  (KvmrtResourceItem *self);
void                kvmrt_resource_item_set_details  (KvmrtResourceItem *self, const char *details);
const char         *kvmrt_resource_item_get_address  (KvmrtResourceItem *self);
void                kvmrt_resource_item_set_address  (KvmrtResourceItem *self, const char *address);
const char         *kvmrt_resource_item_get_iommu_group (KvmrtResourceItem *self);
void                kvmrt_resource_item_set_iommu_group (KvmrtResourceItem *self,
                                                         const char        *group);
/* Extra words the search matches (vendor name, driver), not shown in a column. */
void                kvmrt_resource_item_set_keywords (KvmrtResourceItem *self, const char *keywords);
/* Devices: whether it is an endpoint (not a bridge, IOMMU or other part of the root complex). */
gboolean            kvmrt_resource_item_get_endpoint (KvmrtResourceItem *self);
void                kvmrt_resource_item_set_endpoint (KvmrtResourceItem *self, gboolean endpoint);

/* Names of the VMs that have it, ", "-separated ("" if none). */
const char         *kvmrt_resource_item_get_owner    (KvmrtResourceItem *self);
/* Whether the VM with @uuid has it (or, for a row with children, something below it). */
gboolean            kvmrt_resource_item_is_owned_by  (KvmrtResourceItem *self, const char *uuid);
KvmrtResourceFlags  kvmrt_resource_item_get_flags    (KvmrtResourceItem *self);
/* The error messages about it, one a line, or NULL. */
const char         *kvmrt_resource_item_get_error_message (KvmrtResourceItem *self);

/* Sets the marks: @owner_names and @owner_uuids (NULL-terminated, may be NULL), @flags and
 * @error_message (may be NULL). Notifies only what changed. */
void                kvmrt_resource_item_set_marks    (KvmrtResourceItem  *self,
                                                      const char * const *owner_names,
                                                      const char * const *owner_uuids,
                                                      KvmrtResourceFlags  flags,
                                                      const char         *error_message);

/* Whether the row matches @needle (casefolded), in any column or keyword. */
gboolean            kvmrt_resource_item_matches      (KvmrtResourceItem *self, const char *needle);

/* The view's filter result, kept on the row. */
gboolean            kvmrt_resource_item_get_visible  (KvmrtResourceItem *self);
void                kvmrt_resource_item_set_visible  (KvmrtResourceItem *self, gboolean visible);

G_END_DECLS
