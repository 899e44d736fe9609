/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by kvmrt-window.c (the dashboard) and kvmrt-window-actions.c (its actions). */
#pragma once

#include "kvmrt-window.h"
#include "kvmrt-vm-card.h"

G_BEGIN_DECLS

struct _KvmrtWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  GtkBox               *content_box;
  AdwHeaderBar         *header_bar;
  AdwWindowTitle       *window_title;
  GtkButton            *edit_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkMenuButton        *primary_menu_button;
  GMenuModel           *primary_menu;
  GtkListView          *vm_list;
  GtkButton            *boot_all_button;
  GtkButton            *shutdown_all_button;

  /* Made on first use, else NULL */
  GtkInfoBar           *libvirt_bar;        /* libvirt cannot be reached */
  GtkLabel             *libvirt_label;
  GtkInfoBar           *held_bar;           /* tuning held for VMs that no longer run */
  GtkLabel             *held_label;

  /* Owned */
  KvmrtManager         *manager;
  char                 *requested_config;   /* as given on the command line */
  GListStore           *vms;                /* KvmrtVm*: the enabled ones, the cards' rows */
  GPtrArray            *pending_vms;        /* all of them, while the rest wait to be added */
  guint                 add_cards_id;
  GHashTable           *cards;              /* UUID (lower case) -> KvmrtVmCard shown, borrowed */
  GHashTable           *busy;               /* UUID (lower case) -> operations in flight */
  GCancellable         *cancellable;        /* cancelled with the window: its operations
                                             * stop at their next step */
  GtkWindow            *config_dialog;      /* weak */
  char                 *unlocked_path;      /* the locked file whose password was given */
  gboolean              drawn;              /* the first frame is drawn: cards show details */
};

/* The enabled VM with @uuid (any case) of the loaded configuration, or NULL. */
KvmrtVm     *kvmrt_window_lookup_vm   (KvmrtWindow *self, const char *uuid);
KvmrtVmCard *kvmrt_window_lookup_card (KvmrtWindow *self, const char *uuid);
void         kvmrt_window_update_actions (KvmrtWindow *self);

/* kvmrt-window-actions.c */
void         kvmrt_window_class_install_actions (GtkWidgetClass *widget_class);
/* Releases the tuning held for VMs that no longer run (the held-tuning bar's button). */
void         kvmrt_window_release_held (KvmrtWindow *self);

G_END_DECLS
