/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The window's Tools menu: win.show-topology, win.show-cpu-status and win.show-interrupts
 * open (or bring forward) the Host Hardware Topology, Host CPU Status and Host Interrupt
 * Count viewers of that window's host. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* On KvmrtWindow's class: the three actions. */
void kvmrt_tools_class_install_actions (GtkWidgetClass *widget_class);

G_END_DECLS
