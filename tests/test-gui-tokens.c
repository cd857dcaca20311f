/* test-gui-tokens.c: the Tokens page, driven in the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-gui.h"
#include "ltm-test-util.h"

/* The page is there, under its name, for a channel. */
static void
test_shown_body (LtmWindow     *window,
                 gconstpointer  data)
{
  GtkWidget *stack = ltm_test_gui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);
  AdwViewStackPage *page;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "tokens");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "tokens");
  page = adw_view_stack_get_page (ADW_VIEW_STACK (stack),
                                  adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack)));
  g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, "Tokens");
}

static void
test_shown (void)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", "1234567890", "--name", "Test", NULL };

  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);

  ltm_test_gui_run (test_shown_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/tokens/shown", test_shown);

  return g_test_run ();
}
