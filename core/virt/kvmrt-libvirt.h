/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The connection to libvirt (any URI: qemu:///system, test:///FILE, ...) and the domain
 * operations the tools need, over libvirt-gobject. Every failure is turned into a
 * KVMRT_LIBVIRT_ERROR whose message says what it means and what to do (daemon not running,
 * permission denied, domain busy with another job, a limit the host refused). */
#pragma once

#include <libvirt-gobject/libvirt-gobject.h>

#include "kvmrt-plan.h"

G_BEGIN_DECLS

#define KVMRT_LIBVIRT_ERROR (kvmrt_libvirt_error_quark ())
typedef enum {
  KVMRT_LIBVIRT_ERROR_UNREACHABLE,   /* no daemon answers at the URI, or no such driver */
  KVMRT_LIBVIRT_ERROR_PERMISSION,    /* the daemon refused us: not root, not in 'libvirt' */
  KVMRT_LIBVIRT_ERROR_NO_DOMAIN,     /* no domain of that name or UUID */
  KVMRT_LIBVIRT_ERROR_BUSY,          /* another job holds the domain */
  KVMRT_LIBVIRT_ERROR_REFUSED,       /* the host refused a limit (memlock, SCHED_FIFO, ...) */
  KVMRT_LIBVIRT_ERROR_INVALID,       /* libvirt rejected the domain definition */
  KVMRT_LIBVIRT_ERROR_FAILED,        /* anything else */
  KVMRT_LIBVIRT_ERROR_NOT_RUNNING,   /* the domain is not running (retune refuses it) */
} KvmrtLibvirtError;
GQuark kvmrt_libvirt_error_quark (void);

#define KVMRT_TYPE_LIBVIRT (kvmrt_libvirt_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtLibvirt, kvmrt_libvirt, KVMRT, LIBVIRT, GObject)

/* Opens @uri (read-write) and fetches its domains. */
KvmrtLibvirt   *kvmrt_libvirt_open          (const char *uri, GError **error);
const char     *kvmrt_libvirt_get_uri       (KvmrtLibvirt *self);
GVirConnection *kvmrt_libvirt_get_connection (KvmrtLibvirt *self);

/* Re-reads the connection's domain list (after its "domain-added" or "domain-removed"
 * signals, with libvirt's event loop on GLib's; a define does it too). Safe from any
 * thread: the domains callers borrowed stay valid until kvmrt_libvirt_release_replaced(),
 * which a program calls when no other thread can hold one (the GUI: no operation runs). */
void            kvmrt_libvirt_update_domains (KvmrtLibvirt *self);
void            kvmrt_libvirt_release_replaced (KvmrtLibvirt *self);
/* Every domain, sorted by name. Elements are borrowed GVirDomain*. */
GPtrArray      *kvmrt_libvirt_list_domains  (KvmrtLibvirt *self);
/* By UUID, lower-case as libvirt and kvmrt keep them; NULL if libvirt has none. Borrowed. */
GVirDomain     *kvmrt_libvirt_lookup_uuid   (KvmrtLibvirt *self, const char *uuid);
/* By UUID (any case: it may come from the command line), else by name; NULL with KVMRT_LIBVIRT_ERROR_NO_DOMAIN naming @name_or_uuid. */
GVirDomain     *kvmrt_libvirt_find          (KvmrtLibvirt *self,
                                             const char   *name_or_uuid,
                                             GError      **error);

/* The persistent definition (what the next boot uses), with secure fields. */
char           *kvmrt_libvirt_get_xml       (GVirDomain *domain, GError **error);
/* Defines (or redefines, same UUID) a domain from XML. Returns the domain, borrowed. */
GVirDomain     *kvmrt_libvirt_define        (KvmrtLibvirt *self,
                                             const char   *xml,
                                             GError      **error);
/* Renames a shut-off domain. */
gboolean        kvmrt_libvirt_rename        (GVirDomain *domain, const char *name, GError **error);

GVirDomainState kvmrt_libvirt_get_state     (GVirDomain *domain);
gboolean        kvmrt_libvirt_is_active     (GVirDomain *domain);
/* Moves a running domain's vCPU, emulator and I/O threads to @plan's pins at once (libvirt
 * live pinning); FALSE with @error when libvirt refuses one of them. */
gboolean        kvmrt_libvirt_pin_live      (GVirDomain        *domain,
                                             const KvmrtVmPlan *plan,
                                             GError           **error);
gboolean        kvmrt_libvirt_get_autostart (GVirDomain *domain);
/* "running", "shut off", ... for tables (translated). */
const char     *kvmrt_libvirt_state_to_string (GVirDomainState state);
/* "running", "shutoff", "paused", ... for JSON (stable). */
const char     *kvmrt_libvirt_state_to_json (GVirDomainState state);

gboolean        kvmrt_libvirt_start         (GVirDomain *domain, GError **error);
/* Asks the guest to shut down (ACPI); returns at once. */
gboolean        kvmrt_libvirt_shutdown      (GVirDomain *domain, GError **error);
/* Powers off at once. */
gboolean        kvmrt_libvirt_destroy       (GVirDomain *domain, GError **error);

G_END_DECLS
