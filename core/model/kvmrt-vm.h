/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One VM of the configuration file: a section "[UUID]" and its attributes (chapter 3).
 *
 * The text of each attribute is the source of truth, exactly as the file has it, so a file
 * round-trips and a value that does not parse is kept (the validator reports it as
 * value-invalid). Typed getters return the parsed value, or the attribute's default when it
 * is unset or invalid. Setting a value through a typed setter rewrites its text. */
#pragma once

#include <glib-object.h>

#include "kvmrt-cpu-set.h"
#include "kvmrt-id-set.h"
#include "kvmrt-pci-address.h"
#include "kvmrt-value.h"

G_BEGIN_DECLS

typedef enum {
  KVMRT_VM_ATTR_NAME,
  KVMRT_VM_ATTR_TITLE,
  KVMRT_VM_ATTR_DESCRIPTION,
  KVMRT_VM_ATTR_NR_VCPUS,
  KVMRT_VM_ATTR_CPU_TOPOLOGY,
  KVMRT_VM_ATTR_CPUSET,
  KVMRT_VM_ATTR_RT,
  KVMRT_VM_ATTR_RT_MEMORY,
  KVMRT_VM_ATTR_RT_PRIORITY,
  KVMRT_VM_ATTR_NUMATUNE,
  KVMRT_VM_ATTR_HIDE_KVM,
  KVMRT_VM_ATTR_GUEST_SERVICES,
  KVMRT_VM_ATTR_AUTOSTART,
  KVMRT_VM_ATTR_DISABLED,
  KVMRT_VM_ATTR_PCIDEVS,
  KVMRT_VM_ATTR_COMMENTS,
  KVMRT_VM_N_ATTRS
} KvmrtVmAttr;

/* The key as written in the file ("nr_vcpus"). */
const char *kvmrt_vm_attr_get_key   (KvmrtVmAttr attr);
/* Case-insensitive; FALSE for keys kvmrt does not know (those are kept, not interpreted). */
gboolean    kvmrt_vm_attr_from_key  (const char *key, KvmrtVmAttr *out_attr);
/* The default text written by kvmrt for a new VM ("auto", "false", "1", ""). */
const char *kvmrt_vm_attr_get_default_text (KvmrtVmAttr attr);

#define KVMRT_TYPE_VM (kvmrt_vm_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtVm, kvmrt_vm, KVMRT, VM, GObject)

/* A VM with no attributes set. @uuid is kept lower-case when it is a UUID (kvmrt-uuid.h), else
 * as given (the validator reports it). */
KvmrtVm            *kvmrt_vm_new               (const char *uuid);
/* A deep copy, unknown keys and comments included (for editing without touching the original). */
KvmrtVm            *kvmrt_vm_copy              (KvmrtVm *self);
const char         *kvmrt_vm_get_uuid          (KvmrtVm *self);  /* lower-case */
/* Where the section header stood in the file (1-based), 0 if the VM was not read from a file. */
guint               kvmrt_vm_get_line          (KvmrtVm *self);

/* Text interface. get_text returns NULL when the attribute is not in the section. */
const char         *kvmrt_vm_get_text          (KvmrtVm *self, KvmrtVmAttr attr);
/* Stores @text (NULL removes the attribute, so its default applies) and parses it. The text
 * is stored even when it does not parse; then FALSE is returned with the reason. */
gboolean            kvmrt_vm_set_text          (KvmrtVm     *self,
                                                KvmrtVmAttr  attr,
                                                const char  *text,
                                                GError     **error);
/* Why the attribute's text did not parse, or NULL. */
const GError       *kvmrt_vm_get_value_error   (KvmrtVm *self, KvmrtVmAttr attr);
/* The line (1-based) where the attribute's key stood in the file, or 0. */
guint               kvmrt_vm_get_attr_line     (KvmrtVm *self, KvmrtVmAttr attr);

/* Keys kvmrt does not know, with their text; kept in place on save. */
const char         *kvmrt_vm_get_extra         (KvmrtVm *self, const char *key);
void                kvmrt_vm_set_extra         (KvmrtVm *self, const char *key, const char *text);

/* Typed getters: parsed value, or the default when unset or invalid. */
const char         *kvmrt_vm_get_name          (KvmrtVm *self);  /* NULL if unset or empty */
const char         *kvmrt_vm_get_title         (KvmrtVm *self);  /* never NULL */
const char         *kvmrt_vm_get_description   (KvmrtVm *self);  /* never NULL */
/* How kvmrt names the VM: messages and reports use the label (its name, else its UUID); windows,
 * menus and dialogs use the display title (its title, else its label). Never NULL. */
const char         *kvmrt_vm_get_label         (KvmrtVm *self);
const char         *kvmrt_vm_get_display_title (KvmrtVm *self);
/* "NAME [UUID]", or "(no name) [UUID]": how the CLI's reports head what concerns one VM. Takes
 * the two strings because a diagnostic carries them without its VM. */
char               *kvmrt_vm_format_heading    (const char *name, const char *uuid);
const char         *kvmrt_vm_get_comments      (KvmrtVm *self);  /* never NULL; may have \n */
guint               kvmrt_vm_get_nr_vcpus      (KvmrtVm *self);  /* 0 means auto; default 1 */
KvmrtTopology       kvmrt_vm_get_cpu_topology  (KvmrtVm *self);  /* all 0 means auto */
const KvmrtCpuSet  *kvmrt_vm_get_cpuset        (KvmrtVm *self);  /* never NULL; may be empty */
gboolean            kvmrt_vm_get_rt            (KvmrtVm *self);
KvmrtTristate       kvmrt_vm_get_rt_memory     (KvmrtVm *self);
/* SCHED_FIFO priority of a real-time VM's vCPU threads, 1-99; default 1. */
guint               kvmrt_vm_get_rt_priority   (KvmrtVm *self);
const KvmrtIdSet   *kvmrt_vm_get_numatune      (KvmrtVm *self);  /* NULL means auto */
gboolean            kvmrt_vm_get_hide_kvm      (KvmrtVm *self);
/* The guest gets the Guest Services channel (org.kvmrt.gs.0) and kvmrtd serves it. */
gboolean            kvmrt_vm_get_guest_services (KvmrtVm *self);
gboolean            kvmrt_vm_get_autostart     (KvmrtVm *self);
gboolean            kvmrt_vm_get_disabled      (KvmrtVm *self);
const GArray       *kvmrt_vm_get_pcidevs       (KvmrtVm *self);  /* of KvmrtPciAddress */

/* Typed setters: rewrite the attribute's text in canonical form. */
void kvmrt_vm_set_name         (KvmrtVm *self, const char *name);
void kvmrt_vm_set_title        (KvmrtVm *self, const char *title);
void kvmrt_vm_set_description  (KvmrtVm *self, const char *description);
void kvmrt_vm_set_comments     (KvmrtVm *self, const char *comments);
void kvmrt_vm_set_nr_vcpus     (KvmrtVm *self, guint nr_vcpus);           /* 0: auto */
void kvmrt_vm_set_cpu_topology (KvmrtVm *self, const KvmrtTopology *topology); /* NULL: auto */
void kvmrt_vm_set_cpuset       (KvmrtVm *self, const KvmrtCpuSet *cpuset);
void kvmrt_vm_set_rt           (KvmrtVm *self, gboolean rt);
void kvmrt_vm_set_rt_memory    (KvmrtVm *self, KvmrtTristate rt_memory);
void kvmrt_vm_set_numatune     (KvmrtVm *self, const KvmrtIdSet *nodes);  /* NULL: auto */
void kvmrt_vm_set_hide_kvm     (KvmrtVm *self, gboolean hide_kvm);
void kvmrt_vm_set_guest_services (KvmrtVm *self, gboolean guest_services);
void kvmrt_vm_set_autostart    (KvmrtVm *self, gboolean autostart);
void kvmrt_vm_set_disabled     (KvmrtVm *self, gboolean disabled);
void kvmrt_vm_set_pcidevs      (KvmrtVm *self, const GArray *pcidevs);

/* Signal "changed" (KvmrtVmAttr attr) is emitted after any attribute's text changes;
 * the "name", "title", ... properties are notified too. */

G_END_DECLS
