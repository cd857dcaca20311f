/* main.c: `line-token-manager`, the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ltm-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LtmApplication) app = NULL;
  const char *localedir = g_getenv ("LTM_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* LTM_LOCALEDIR: the catalogs of an uninstalled build (tests, meson devenv). */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ltm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
