/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define KVMRT_TYPE_APPLICATION (kvmrt_application_get_type ())
G_DECLARE_FINAL_TYPE (KvmrtApplication, kvmrt_application, KVMRT, APPLICATION,
                      AdwApplication)

KvmrtApplication *kvmrt_application_new (void);
/* Starts reading the host and connecting to libvirt for the window @argv (NULL-terminated) asks for, on a
 * thread, before the application runs: the launcher calls it while GTK starts up. The first
 * application's handle_local_options takes it; it is dropped if that command line turns out
 * to want another host, URI or file. */
void              kvmrt_application_prefetch_early (char **argv);
/* The GSettings of the app, or NULL when its schema is not installed (run from a build tree
 * without GSETTINGS_SCHEMA_DIR): window state is then not remembered. */
GSettings        *kvmrt_application_get_settings (KvmrtApplication *self);

/* kvmrt-application-actions.c: about, help, quit and the keyboard shortcuts. */
void              kvmrt_application_install_actions (KvmrtApplication *self);
/* Opens the guide at @page ("troubleshooting"; NULL: its first page) and @section (may be
 * NULL) in the help viewer; without one, its HTML copy in the web browser; without that, a
 * toast in @window says where the guide is. */
void              kvmrt_application_show_help (GtkWindow  *window,
                                               const char *page,
                                               const char *section);

G_END_DECLS
