/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "kvmrt-a11y.h"

#include <adwaita.h>

char *
kvmrt_a11y_strip_mnemonic (const char *label)
{
  GString *text = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      /* "__" is a literal underscore; a single one marks the mnemonic. */
      if (*p == '_' && p[1] == '_')
        g_string_append_c (text, *++p);
      else if (*p != '_')
        g_string_append_c (text, *p);
    }
  return g_string_free (text, FALSE);
}

/* A button or check button whose label has a mnemonic. */
static void
name_button (GtkWidget *button, const char *label, gboolean use_underline)
{
  g_autofree char *name = NULL;

  if (label == NULL || !use_underline)
    return;
  name = kvmrt_a11y_strip_mnemonic (label);
  /* The name is the label property alone: without the relation to the shown label, GTK no
   * longer adds that label's text to it. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

/* An entry row is named by the label its .ui gives it ("CPU topology"), once: GTK 4.8 added
 * the title label's text, which the row is labelled by, after it. Every entry row of kvmrt has
 * such a label. */
static void
name_entry_row (AdwEntryRow *row)
{
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

void
kvmrt_a11y_name_buttons (GtkWidget *root)
{
  if (GTK_IS_BUTTON (root))
    name_button (root, gtk_button_get_label (GTK_BUTTON (root)),
                 gtk_button_get_use_underline (GTK_BUTTON (root)));
  else if (GTK_IS_CHECK_BUTTON (root))
    name_button (root, gtk_check_button_get_label (GTK_CHECK_BUTTON (root)),
                 gtk_check_button_get_use_underline (GTK_CHECK_BUTTON (root)));
  else if (ADW_IS_ENTRY_ROW (root))
    name_entry_row (ADW_ENTRY_ROW (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    kvmrt_a11y_name_buttons (child);
}
