/* SPDX-License-Identifier: GPL-2.0-or-later */
/* KvmrtWindow: the dashboard of one host. The welcome page while no configuration is loaded;
 * then a card per enabled VM in configuration order, following libvirt live, with Boot All
 * and Shut Down All, and the menus of the whole application. */
#pragma once

#include <adwaita.h>

#include "kvmrt-application.h"
#include "kvmrt-manager.h"

G_BEGIN_DECLS

#define KVMRT_TYPE_WINDOW (kvmrt_window_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtWindow, kvmrt_window, KVMRT, WINDOW, AdwApplicationWindow)

/* A window on @manager's host and libvirt. @config is the file asked for (NULL, or a file that
 * does not exist yet: the welcome page offers to create it); it is opened unless @manager
 * has a configuration loaded already. */
KvmrtWindow  *kvmrt_window_new         (KvmrtApplication *app,
                                        KvmrtManager     *manager,
                                        const char       *config);
gboolean      kvmrt_window_matches     (KvmrtWindow *self,
                                        const char  *sysroot,
                                        const char  *uri,
                                        const char  *config);
KvmrtManager *kvmrt_window_get_manager (KvmrtWindow *self);
/* The hand-off from VM builders: imports the libvirt VMs named into the configuration (a
 * new one at the default path when none is loaded) and opens the editor on them. */
void          kvmrt_window_import      (KvmrtWindow *self, const char * const *names);
void          kvmrt_window_show_toast  (KvmrtWindow *self, const char *text);

/* What a VM's card asks its window for (the card's actions). An operation shows a spinner
 * on the card and its result under the description (a failure in a toast too); Shut Down,
 * Force Off and Retune say so in a toast instead when the VM does not run. */
void          kvmrt_window_boot_vm      (KvmrtWindow *self, KvmrtVm *vm);
void          kvmrt_window_shut_down_vm (KvmrtWindow *self, KvmrtVm *vm);
void          kvmrt_window_force_off_vm (KvmrtWindow *self, KvmrtVm *vm);
void          kvmrt_window_retune_vm    (KvmrtWindow *self, KvmrtVm *vm);
void          kvmrt_window_open_console (KvmrtWindow *self, KvmrtVm *vm);
void          kvmrt_window_open_graphical_console (KvmrtWindow *self, KvmrtVm *vm);
/* Opens (or presents) the VM's runtime details window. */
void          kvmrt_window_show_details (KvmrtWindow *self, KvmrtVm *vm);
/* Opens (or presents) the configuration dialog; on @uuid's page when not NULL. A locked
 * configuration asks for its password first. */
void          kvmrt_window_edit_config  (KvmrtWindow *self, const char *uuid);

G_END_DECLS
