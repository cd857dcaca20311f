/* test-gui-i18n.c: the window speaks the user's language (po/LINGUAS)
 *
 * Each language whose catalog the build made (LTM_LOCALEDIR/LANG/LC_MESSAGES)
 * gets the same tests, so a catalog added to po/LINGUAS is tested without
 * a line here: the first start and the four pages in its words, and the
 * Add Channel dialog, in it and in English, showing all of its text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ltm-add-channel-dialog.h"
#include "ltm-test-gui.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"

/* The view stack's pages: their names and their English titles. */
static const struct {
  const char *name;
  const char *title;
} pages[] = {
  { "key", "Key" },
  { "jwt", "JWT" },
  { "tokens", "Tokens" },
  { "webhook", "Webhook" },
};

static void
ltm_test_set_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  /* gettext caches what it found for the old language until the locale is
   * set again. */
  setlocale (LC_ALL, "");
}

/* The first start, under LANGUAGE=@data: every string checked is the
 * catalog's, not English. */
static void
test_first_start_body (LtmWindow     *window,
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
test_first_start (gconstpointer data)
{
  ltm_test_remove_store ();
  ltm_test_set_language (data);
  ltm_test_gui_run (test_first_start_body, data);
  ltm_test_set_language ("en");
}

/* With a channel chosen, the four pages carry the catalog's titles, and
 * the view switcher shows them.  (libadwaita 1.2's switcher buttons have
 * no accessible label of their own to look them up by.) */
static void
test_pages_body (LtmWindow     *window,
                 gconstpointer  data)
{
  GtkWidget *stack = ltm_test_gui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);
  GtkWidget *switcher = ltm_test_gui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_TITLE);

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      const char *title = g_dgettext (GETTEXT_PACKAGE, pages[i].title);
      AdwViewStackPage *page;

      g_test_message ("%s: “%s” → “%s”", (const char *) data, pages[i].title, title);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", pages[i].name);
      page = adw_view_stack_get_page (ADW_VIEW_STACK (stack),
                                      adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)));
      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, pages[i].name);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, title);
      g_assert_nonnull (ltm_test_gui_find_text (switcher, title));
    }
}

static void
test_pages (gconstpointer data)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", CHANNEL, "--name", "Test", NULL };

  ltm_test_remove_store ();
  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);

  ltm_test_set_language (data);
  ltm_test_gui_run (test_pages_body, data);
  ltm_test_set_language ("en");
}

/* The Add Channel dialog opens as tall as its text: nothing to scroll, so
 * no sentence is cut (the last one was, at 480×370, even in English). */
static void
test_add_channel_dialog_body (LtmWindow     *window,
                              gconstpointer  data)
{
  GtkWidget *dialog;
  GtkWidget *scroller;
  GtkAdjustment *adjustment;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-channel", NULL);
  dialog = GTK_WIDGET (ltm_test_gui_wait_for_window (LTM_TYPE_ADD_CHANNEL_DIALOG));
  scroller = ltm_test_gui_find_type (dialog, GTK_TYPE_SCROLLED_WINDOW);
  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  ltm_test_gui_wait_until (gtk_widget_get_mapped (dialog) &&
                           gtk_adjustment_get_page_size (adjustment) > 0);

  g_test_message ("%s: %d×%d, content %.0f high in %.0f", (const char *) data,
                  gtk_widget_get_width (dialog), gtk_widget_get_height (dialog),
                  gtk_adjustment_get_upper (adjustment),
                  gtk_adjustment_get_page_size (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), <=,
                     gtk_adjustment_get_page_size (adjustment));
  /* and it is a dialog, not a window as wide as the screen */
  g_assert_cmpint (gtk_widget_get_width (dialog), <=, 600);

  gtk_window_close (GTK_WINDOW (dialog));
}

static void
test_add_channel_dialog (gconstpointer data)
{
  ltm_test_remove_store ();
  ltm_test_set_language (data);
  ltm_test_gui_run (test_add_channel_dialog_body, data);
  ltm_test_set_language ("en");
}

static int
ltm_test_compare_names (gconstpointer a,
                        gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The languages the build has a catalog for, sorted. */
static GPtrArray *
ltm_test_list_languages (const char *localedir)
{
  g_autoptr(GDir) dir = g_dir_open (localedir, 0, NULL);
  GPtrArray *languages = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *mo = g_strconcat (GETTEXT_PACKAGE, ".mo", NULL);
      g_autofree char *path = g_build_filename (localedir, name, "LC_MESSAGES", mo, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (languages, g_strdup (name));
    }
  g_ptr_array_sort (languages, ltm_test_compare_names);

  return languages;
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("LTM_LOCALEDIR");
  g_autoptr(GPtrArray) languages = NULL;

  ltm_test_gui_init (&argc, &argv);

  g_assert_nonnull (localedir);
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  languages = ltm_test_list_languages (localedir);
  /* ja and zh_TW at least: an empty list would pass without a test. */
  g_assert_cmpuint (languages->len, >=, 2);

  g_test_add_data_func ("/gui/i18n/en/add-channel-dialog", "en", test_add_channel_dialog);
  for (guint i = 0; i < languages->len; i++)
    {
      const char *language = g_ptr_array_index (languages, i);
      g_autofree char *first_start = g_strdup_printf ("/gui/i18n/%s/first-start", language);
      g_autofree char *pages_path = g_strdup_printf ("/gui/i18n/%s/pages", language);
      g_autofree char *dialog = g_strdup_printf ("/gui/i18n/%s/add-channel-dialog", language);

      g_test_add_data_func (first_start, language, test_first_start);
      g_test_add_data_func (pages_path, language, test_pages);
      g_test_add_data_func (dialog, language, test_add_channel_dialog);
    }

  return g_test_run ();
}
