/* main.c: `ltm`, the LINE Token Manager command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ltm-cli.h"

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("LTM_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* LTM_LOCALEDIR: the catalogs of an uninstalled build (tests, meson devenv). */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Standard output is for what the command answers (a token, JSON), so
   * that TOKEN=$(ltm token issue …) holds a token even with
   * G_MESSAGES_DEBUG set: every log message goes to standard error. */
  g_log_writer_default_set_use_stderr (TRUE);

  return ltm_cli_main (argc, argv);
}
