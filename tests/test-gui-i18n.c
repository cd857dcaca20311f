/* test-gui-i18n.c: the window speaks the user's language (po/LINGUAS)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ltm-test-gui.h"
#include "ltm-test-util.h"

/* The first start, under LANGUAGE=@data: every string checked is the
 * catalog's, not English. */
static void
test_language_body (LtmWindow     *window,
                    gconstpointer  data)
{
  static const char * const strings[] = { "No Channels Yet", "Make a key", "Issue a token", NULL };

  for (guint i = 0; strings[i] != NULL; i++)
    {
      const char *translated = g_dgettext (GETTEXT_PACKAGE, strings[i]);

      g_test_message ("%s: “%s” → “%s”", (const char *) data, strings[i], translated);
      g_assert_cmpstr (translated, !=, strings[i]);
      g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), translated));
      g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window), strings[i]));
    }

  /* The accessible names too: what a screen reader says. */
  ltm_test_gui_find_labelled (GTK_WIDGET (window), g_dgettext (GETTEXT_PACKAGE, "Add Channel"));
}

static void
test_language (gconstpointer data)
{
  ltm_test_remove_store ();
  g_setenv ("LANGUAGE", data, TRUE);
  /* gettext caches what it found for the old language until the locale is
   * set again. */
  setlocale (LC_ALL, "");

  ltm_test_gui_run (test_language_body, data);

  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("LTM_LOCALEDIR");

  ltm_test_gui_init (&argc, &argv);

  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_data_func ("/gui/i18n/ja", "ja", test_language);
  g_test_add_data_func ("/gui/i18n/zh_TW", "zh_TW", test_language);
  g_test_add_data_func ("/gui/i18n/th", "th", test_language);

  return g_test_run ();
}
