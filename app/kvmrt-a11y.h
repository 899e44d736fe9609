/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Accessible names of buttons with a mnemonic. GTK 4.8 names such a button by its label
 * property, mnemonic underscore included, and again by the label it shows ("_Boot All… Boot
 * All…"): a screen reader read both. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The label's text without its mnemonic marks ("_Boot All…" → "Boot All…", "a__b" → "a_b"). */
char *kvmrt_a11y_strip_mnemonic  (const char *label);
/* Names every button and check button below @root (itself included) that has a mnemonic by its label once,
 * without the underscore; and every entry row by its accessible label alone. */
void  kvmrt_a11y_name_buttons    (GtkWidget *root);

G_END_DECLS
