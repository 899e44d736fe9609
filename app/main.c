/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "kvmrt-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(KvmrtApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, KVMRT_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = kvmrt_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
