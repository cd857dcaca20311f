/* test-gui-window.c: the window itself: the empty state, adding a
 * channel, search, removing one, and what `ltm` changes showing up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "ltm-add-channel-dialog.h"
#include "ltm-page.h"
#include "ltm-test-gui.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "0123456789abcdef0123456789abcdef"
#define COPIED "Copied: paste it in the console, then save the kid it shows below."
#define NOT_AN_ID "“12ab” is not a channel ID; a channel ID is a number, like 1234567890."

static const char *
ltm_test_visible_child (LtmWindow  *window,
                        const char *stack_name)
{
  GtkWidget *stack = ltm_test_gui_find_type (GTK_WIDGET (window), GTK_TYPE_STACK);

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

/* First launch: the four steps and Add Channel, nothing else. */
static void
test_empty_state_body (LtmWindow     *window,
                       gconstpointer  data)
{
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "LINE Token Manager");
  g_assert_cmpstr (ltm_test_visible_child (window, "main"), ==, "welcome");
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), "No Channels Yet"));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), "Make a key"));
  ltm_test_gui_find_labelled (GTK_WIDGET (window), "Add Channel");
  g_assert_null (ltm_window_get_channel (window));
}

static void
test_empty_state (void)
{
  ltm_test_remove_store ();
  ltm_test_gui_run (test_empty_state_body, NULL);
}

/* Each page is there, under its name, for the channel chosen. */
static void
test_pages_body (LtmWindow     *window,
                 gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *title;
  } pages[] = {
    { "key", "Key" },
    { "jwt", "JWT" },
    { "tokens", "Tokens" },
    { "webhook", "Webhook" },
  };
  GtkWidget *stack = ltm_test_gui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);

  /* Only the page shown is built: the others are empty until first shown. */
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, "key");
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *slot = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), pages[i].name);

      g_assert_true ((adw_bin_get_child (ADW_BIN (slot)) != NULL) == (i == 0));
    }

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      GtkWidget *child;
      AdwViewStackPage *page;
      GtkWidget *content;

      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", pages[i].name);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==,
                       pages[i].name);
      child = adw_view_stack_get_visible_child (ADW_VIEW_STACK (stack));
      page = adw_view_stack_get_page (ADW_VIEW_STACK (stack), child);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, pages[i].title);
      content = adw_bin_get_child (ADW_BIN (child));
      g_assert_true (LTM_IS_PAGE (content));
      g_assert_true (content == GTK_WIDGET (ltm_window_get_page (window, pages[i].name)));
      g_assert_true (ltm_page_get_channel (LTM_PAGE (content)) == ltm_window_get_channel (window));
    }
}

static void
test_pages (void)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", CHANNEL, "--name", "Test", NULL };

  ltm_test_remove_store ();
  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);

  ltm_test_gui_run (test_pages_body, NULL);
}

/* Add Channel: a wrong ID is refused as it is typed, a good one is
 * stored with its secret (sealed) and chosen. */
static void
test_add_channel_body (LtmWindow     *window,
                       gconstpointer  data)
{
  LtmAddChannelDialog *dialog;
  LtmChannel *channel;
  GtkWidget *id_row;
  const char *files[] = { "store.sqlite3", "store.sqlite3-wal" };
  GtkWidget *focus;

  ltm_test_gui_click (GTK_WIDGET (window), "Add Channel");
  dialog = LTM_ADD_CHANNEL_DIALOG (ltm_test_gui_wait_for_window (LTM_TYPE_ADD_CHANNEL_DIALOG));
  id_row = ltm_test_gui_find_row (GTK_WIDGET (dialog), "Channel ID");

  /* Typing goes to the ID at once. */
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, id_row));

  /* Letters in the ID: marked, said under the row, and Add stays disabled. */
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel ID", "12ab");
  g_assert_true (gtk_widget_has_css_class (id_row, "error"));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (dialog), NOT_AN_ID) != NULL);
  g_assert_false (gtk_widget_is_sensitive (ltm_test_gui_find_labelled (GTK_WIDGET (dialog),
                                                                       "Add Channel")));

  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel ID", CHANNEL);
  g_assert_false (gtk_widget_has_css_class (id_row, "error"));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (dialog), NOT_AN_ID) == NULL);
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Name", "Test Bot");
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel Secret (optional)", SECRET);
  ltm_test_gui_click (GTK_WIDGET (dialog), "Add Channel");

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  ltm_test_gui_wait_for_toast (window, "Channel added");
  channel = ltm_window_get_channel (window);
  g_assert_cmpstr (ltm_channel_get_channel_id (channel), ==, CHANNEL);
  g_assert_cmpstr (ltm_channel_get_name (channel), ==, "Test Bot");
  g_assert_true (ltm_channel_get_has_secret (channel));
  g_assert_cmpstr (ltm_test_visible_child (window, "main"), ==, "channels");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (LTM_TYPE_ADD_CHANNEL_DIALOG) == NULL);

  /* The secret is sealed in the database, never plain there or in its WAL. */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("LTM_DATA_DIR"), files[i], NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (memmem (contents, len, SECRET, strlen (SECRET)));
    }

  /* The same ID again is refused before anything is stored. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.add-channel", NULL);
  dialog = LTM_ADD_CHANNEL_DIALOG (ltm_test_gui_wait_for_window (LTM_TYPE_ADD_CHANNEL_DIALOG));
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel ID", CHANNEL);
  g_assert_true (gtk_widget_has_css_class (ltm_test_gui_find_row (GTK_WIDGET (dialog),
                                                                  "Channel ID"), "error"));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (dialog),
                                                   "Channel " CHANNEL " is already in the list.")
                           != NULL);
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
test_add_channel (void)
{
  ltm_test_remove_store ();
  ltm_test_gui_run (test_add_channel_body, NULL);
}

/* A channel `ltm` adds shows up; the search finds it by name or ID. */
static void
test_follows_ltm_and_search_body (LtmWindow     *window,
                                  gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", "2000000001", "--name", "Shop",
                               NULL };
  GtkWidget *search;
  GtkWidget *list;
  g_assert_cmpstr (ltm_test_visible_child (window, "main"), ==, "welcome");

  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);

  ltm_test_gui_wait_until (g_strcmp0 (ltm_test_visible_child (window, "main"), "channels") == 0);
  list = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");
  g_assert_nonnull (ltm_test_gui_find_text (list, "Shop"));
  /* The only channel is chosen. */
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  ltm_test_gui_wait_until ((search = ltm_test_gui_lookup_labelled (GTK_WIDGET (window),
                                     "Search channels by name or channel ID")) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (search), "nothing");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window),
                                                   "No Matching Channels") != NULL);
  gtk_editable_set_text (GTK_EDITABLE (search), "SHO");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (list, "Shop") != NULL);
  gtk_editable_set_text (GTK_EDITABLE (search), "20000");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (list, "Shop") != NULL);
}

static void
test_follows_ltm_and_search (void)
{
  ltm_test_remove_store ();
  ltm_test_gui_run (test_follows_ltm_and_search_body, NULL);
}

/* A channel whose delivery failed is marked in the list, with why. */
static void
test_deploy_failed_mark_body (LtmWindow     *window,
                              gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", "2000000002", "--name", "Bot", NULL };
  LtmStore *store = ltm_application_get_store (ltm_application_get_default ());
  g_autoptr(GError) error = NULL;
  GtkWidget *list;

  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  list = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");
  g_assert_null (ltm_test_gui_lookup_labelled (list, "Deploy failed: exit status 3"));

  g_assert_true (ltm_store_set_delivery (store, "2000000002", LTM_DELIVERY_FAILED,
                                         g_get_real_time () / G_USEC_PER_SEC, "exit status 3",
                                         &error));
  g_assert_no_error (error);
  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (list, "Deploy failed: exit status 3")
                           != NULL);
}

static void
test_deploy_failed_mark (void)
{
  ltm_test_remove_store ();
  ltm_test_gui_run (test_deploy_failed_mark_body, NULL);
}

/* Remove Channel asks first; Cancel keeps it, Remove removes it. */
static void
test_remove_channel_body (LtmWindow     *window,
                          gconstpointer  data)
{
  AdwMessageDialog *dialog;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-channel", NULL);
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove “Café”?");
  ltm_test_gui_respond (dialog, "cancel");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_nonnull (ltm_window_get_channel (window));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-channel", NULL);
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_respond (dialog, "remove");
  ltm_test_gui_wait_for_toast (window, "Channel removed");
  g_assert_null (ltm_window_get_channel (window));
  g_assert_cmpstr (ltm_test_visible_child (window, "main"), ==, "welcome");
}

static void
test_remove_channel (void)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const add[] = { "channel", "add", "2000000002", "--name", "Café", NULL };

  ltm_test_remove_store ();
  ltm_test_run_ltm (&run, NULL, NULL, add);
  g_assert_cmpint (run.status, ==, 0);

  ltm_test_gui_run (test_remove_channel_body, NULL);
}

/* A damaged store is explained, and left as it is rather than lost. */
static void
test_damaged_store_body (LtmWindow     *window,
                         gconstpointer  data)
{
  g_assert_cmpstr (ltm_test_visible_child (window, "main"), ==, "failed");
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), "Could Not Open the Channels"));
  ltm_test_gui_find_labelled (GTK_WIDGET (window), "Try Again");
}

static void
test_damaged_store (void)
{
  static const char damaged[] = "{\"version\": 1, \"channels\": [";
  g_autofree char *path = g_build_filename (g_getenv ("LTM_DATA_DIR"), "store.sqlite3", NULL);
  g_autofree char *kept = NULL;

  g_mkdir_with_parents (g_getenv ("LTM_DATA_DIR"), 0700);
  g_assert_true (g_file_set_contents (path, damaged, -1, NULL));

  ltm_test_gui_run (test_damaged_store_body, NULL);

  /* Left as it was, byte for byte. */
  g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, damaged);
  ltm_test_remove_store ();
}

/* Rotate All Expiring Tokens: asks first, then rotates exactly the
 * channels due, and says so. */
static const char *
ltm_test_newest_key_id (LtmStore   *store,
                        const char *channel_id)
{
  LtmChannel *channel = ltm_store_find_channel (store, channel_id);
  LtmToken *newest = ltm_channel_get_newest_usable (channel, g_get_real_time () / G_USEC_PER_SEC);

  g_assert_nonnull (newest);
  return ltm_token_get_key_id (newest);
}

static guint requests_before_start;

static void
test_rotate_expiring_body (LtmWindow     *window,
                           gconstpointer  data)
{
  LtmTestServer *server = (LtmTestServer *) data;
  LtmStore *store = ltm_application_get_store (ltm_application_get_default ());
  const char *ids[] = { "3000000001", "3000000002", "3000000003" };
  GPtrArray *notifications = ltm_test_gui_get_notifications ();
  char *before[G_N_ELEMENTS (ids)];
  AdwMessageDialog *dialog;
  GtkWidget *list;

  /* At start-up, the reminder: both due channels, by name. */
  ltm_test_gui_wait_until (notifications->len > 0);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (notifications, 0),
                                   "Tokens of 2 channels expire soon\nOne, Two."));

  /* The list marks the two due, and says when their tokens expire. */
  list = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");
  ltm_test_gui_find_labelled (ltm_test_gui_find_row (list, "One"), "Expires in 3 days");
  ltm_test_gui_find_labelled (ltm_test_gui_find_row (list, "Two"), "Expires in 4 days");
  g_assert_null (ltm_test_gui_lookup_labelled (ltm_test_gui_find_row (list, "Three"),
                                               "Expires in 20 days"));

  /* Reading the channels and reminding touched no network. */
  g_assert_cmpuint (ltm_test_server_get_request_count (server), ==, requests_before_start);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    before[i] = g_strdup (ltm_test_newest_key_id (store, ids[i]));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.rotate-expiring", NULL);
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "Rotate the Tokens of 2 Channels?");
  ltm_test_gui_respond (dialog, "rotate");

  ltm_test_gui_wait_for_toast (window, "Rotated 2 channels");

  /* The two due have a new token each; with no deploy target the old one
   * stays valid at LINE; the one not due is untouched. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const char *now = ltm_test_newest_key_id (store, ids[i]);

      if (i < 2)
        g_assert_cmpstr (now, !=, before[i]);
      else
        g_assert_cmpstr (now, ==, before[i]);
      g_assert_cmpuint (ltm_test_server_count_valid_tokens (server, ids[i]), ==, i < 2 ? 2 : 1);
      g_free (before[i]);
    }
}

static void
test_rotate_expiring (void)
{
  g_autoptr(LtmTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kid1 = NULL;
  g_autofree char *kid2 = NULL;
  g_autofree char *kid3 = NULL;

  ltm_test_remove_store ();
  server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);

  kid1 = ltm_test_gui_add_channel (server, "3000000001", "One", SECRET);
  kid2 = ltm_test_gui_add_channel (server, "3000000002", "Two", SECRET);
  kid3 = ltm_test_gui_add_channel (server, "3000000003", "Three", SECRET);
  ltm_test_gui_issue_token (server, "3000000001", "3d");
  ltm_test_gui_issue_token (server, "3000000002", "4d");
  ltm_test_gui_issue_token (server, "3000000003", "20d");

  g_setenv ("LTM_API_BASE", ltm_test_server_get_base_url (server), TRUE);
  requests_before_start = ltm_test_server_get_request_count (server);
  ltm_test_gui_run (test_rotate_expiring_body, server);
  g_unsetenv ("LTM_API_BASE");
}

/* The window's size is kept for the next start. */
static void
test_size_kept_body (LtmWindow     *window,
                     gconstpointer  data)
{
  GSettings *settings = ltm_application_get_settings (ltm_application_get_default ());

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 960);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 540);
  gtk_window_close (GTK_WINDOW (window));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 720);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 540);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static void
test_size_kept (void)
{
  ltm_test_gui_run (test_size_kept_body, NULL);
}

/* libadwaita's and GTK's own controls, named by them. */
static gboolean
ltm_test_is_internal (GtkWidget *widget)
{
  static const char * const owners[] = {
    "GtkWindowControls", "AdwViewSwitcher", "AdwViewSwitcherBar", "AdwEntryRow",
    "AdwPasswordEntryRow", "AdwToastWidget", "GtkPopover", "GtkSearchBar", "GtkSpinButton",
    NULL
  };

  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (g_strv_contains (owners, G_OBJECT_TYPE_NAME (w)) ||
        (GTK_IS_MENU_BUTTON (w) && gtk_widget_get_parent (widget) == w))
      return TRUE;

  return FALSE;
}

static void
ltm_test_collect_unnamed (GtkWidget *widget,
                          GPtrArray *unnamed)
{
  gboolean control = GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) ||
                     GTK_IS_SPIN_BUTTON (widget) || GTK_IS_SWITCH (widget) ||
                     GTK_IS_CHECK_BUTTON (widget);
  /* libadwaita 1.2 leaves this one of its own unnamed: the app names it. */
  gboolean password_toggle = GTK_IS_TOGGLE_BUTTON (widget) &&
                             gtk_widget_get_ancestor (widget, ADW_TYPE_PASSWORD_ENTRY_ROW) != NULL;

  if (!gtk_widget_get_mapped (widget))
    return;

  /* A row is said by its name. */
  if (g_str_equal (G_OBJECT_TYPE_NAME (widget), "LtmTokenRow") &&
      !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    g_ptr_array_add (unnamed, g_strdup ("a token row"));

  /* A Tab stop that does nothing doubles the presses. */
  if (ADW_IS_ACTION_ROW (widget) && gtk_widget_get_focusable (widget) &&
      !gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)))
    g_ptr_array_add (unnamed, g_strdup_printf ("the inert row “%s” is a Tab stop",
                                               adw_preferences_row_get_title (
                                                 ADW_PREFERENCES_ROW (widget))));

  if (control && (password_toggle || !ltm_test_is_internal (widget)) &&
      !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) &&
      !(GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL))
    g_ptr_array_add (unnamed,
                     g_strdup_printf ("%s in %s (tooltip “%s”)", G_OBJECT_TYPE_NAME (widget),
                                      G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)),
                                      gtk_widget_get_tooltip_text (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ltm_test_collect_unnamed (child, unnamed);
}

/* The window's menus are built when first opened: open those shown. */
static void
open_menus (GtkWidget *root)
{
  if (GTK_IS_MENU_BUTTON (root) && gtk_widget_get_mapped (root))
    {
      gtk_menu_button_popup (GTK_MENU_BUTTON (root));
      g_assert_nonnull (gtk_menu_button_get_popover (GTK_MENU_BUTTON (root)));
      gtk_menu_button_popdown (GTK_MENU_BUTTON (root));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    open_menus (child);
}

/* Every control a user can reach has a name a screen reader can say, on
 * every page and in every menu, with a channel that has a key, a kid and
 * a token. */
static void
test_accessible_names_body (LtmWindow     *window,
                            gconstpointer  data)
{
  static const char * const pages[] = { "key", "jwt", "tokens", "webhook", NULL };
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  GtkWindow *shortcuts;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  for (guint i = 0; pages[i] != NULL; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", pages[i]);
      /* The Webhook page asks LINE when opened; let it answer. */
      for (guint j = 0; j < 200; j++)
        ltm_test_gui_iterate ();
      open_menus (GTK_WIDGET (window));
      ltm_test_collect_unnamed (GTK_WIDGET (window), unnamed);
    }

  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("without an accessible name: %s", (char *) g_ptr_array_index (unnamed, i));
  g_assert_cmpuint (unnamed->len, ==, 0);

  /* The shortcuts window is titled as such, not after the program. */
  gtk_widget_activate_action (GTK_WIDGET (window), "app.shortcuts", NULL);
  shortcuts = ltm_test_gui_wait_for_window (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_cmpstr (gtk_window_get_title (shortcuts), ==, "Keyboard Shortcuts");
  gtk_window_close (shortcuts);
}

static void
test_accessible_names (void)
{
  g_autoptr(LtmTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kid = NULL;

  ltm_test_remove_store ();
  server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  kid = ltm_test_gui_add_channel (server, "4000000001", "Named", SECRET);
  ltm_test_gui_issue_token (server, "4000000001", "30d");

  g_setenv ("LTM_API_BASE", ltm_test_server_get_base_url (server), TRUE);
  ltm_test_gui_run (test_accessible_names_body, NULL);
  g_unsetenv ("LTM_API_BASE");
}

/* The issue's whole flow, as a new user goes through it with nothing but
 * the window: an empty store → Add Channel → Generate Key → Copy Public
 * Key (pasted into "the console", the test server, which answers the kid)
 * → the kid saved → Issue Token → in the list and in `ltm token list` →
 * Copy Token → Revoke Token after confirming. */
static void
test_seed_flow_body (LtmWindow     *window,
                     gconstpointer  data)
{
  LtmTestServer *server = (LtmTestServer *) data;
  const char * const list[] = { "--json", "token", "list", "--channel", "5000000001", NULL };
  g_auto(LtmTestRun) listed = { 0 };
  g_autofree char *public_jwk = NULL;
  g_autofree char *token = NULL;
  g_autofree char *kid = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog;
  LtmChannel *channel;
  g_autoptr(LtmToken) issued = NULL;
  GtkWidget *page;

  /* 1. The channel. */
  ltm_test_gui_click (GTK_WIDGET (window), "Add Channel");
  dialog = ltm_test_gui_wait_for_window (LTM_TYPE_ADD_CHANNEL_DIALOG);
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel ID", "5000000001");
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Name", "First Bot");
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel Secret (optional)", SECRET);
  ltm_test_gui_click (GTK_WIDGET (dialog), "Add Channel");
  ltm_test_gui_wait_until ((channel = ltm_window_get_channel (window)) != NULL);

  /* 2. The key, and its public half for the console. */
  page = ltm_test_gui_show_page (window, "key");
  ltm_test_gui_click (page, "Generate Key");
  ltm_test_gui_wait_until (ltm_channel_get_has_key (channel) &&
                           ltm_test_gui_is_enabled (page, "Copy Public Key"));
  ltm_test_gui_click (page, "Copy Public Key");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (page, COPIED) != NULL);
  public_jwk = ltm_test_gui_read_clipboard (page);
  kid = ltm_test_server_register_key (server, "5000000001", public_jwk, &error);
  g_assert_no_error (error);

  /* 3. The kid the console answered. */
  ltm_test_gui_set_row_text (page, "kid", kid);
  gtk_widget_activate_action (page, "key.save-kid", NULL);
  ltm_test_gui_wait_until (g_strcmp0 (ltm_channel_get_kid (channel), kid) == 0);

  /* 4. A token: in the list, and in `ltm token list`. */
  page = ltm_test_gui_show_page (window, "tokens");
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (page, "Issue Token"));
  ltm_test_gui_click (page, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  g_assert_cmpuint (g_list_model_get_n_items (ltm_channel_get_tokens (channel)), ==, 1);
  issued = g_list_model_get_item (ltm_channel_get_tokens (channel), 0);
  ltm_test_run_ltm (&listed, NULL, NULL, list);
  g_assert_cmpint (listed.status, ==, 0);
  g_assert_nonnull (strstr (listed.out, ltm_token_get_key_id (issued)));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (server, "5000000001"), ==, 1);

  /* 5. Copied: a token, not a key ID. */
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (page, "Copy Token"));
  ltm_test_gui_click (page, "Copy Token");
  ltm_test_gui_wait_for_toast (window, "Token copied");
  token = ltm_test_gui_read_clipboard (page);
  g_assert_cmpuint (strlen (token), >, 20);
  g_assert_cmpstr (token, !=, ltm_token_get_key_id (issued));

  /* 6. Revoked, after saying so. */
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (page, "Revoke Token"));
  ltm_test_gui_click (page, "Revoke Token");
  ltm_test_gui_respond (ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG)),
                        "revoke");
  ltm_test_gui_wait_until (ltm_token_get_revoked (issued));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (server, "5000000001"), ==, 0);
}

static void
test_seed_flow (void)
{
  g_autoptr(LtmTestServer) server = NULL;
  g_autoptr(GError) error = NULL;

  ltm_test_remove_store ();
  server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (server, "5000000001", SECRET);

  g_setenv ("LTM_API_BASE", ltm_test_server_get_base_url (server), TRUE);
  ltm_test_gui_run (test_seed_flow_body, server);
  g_unsetenv ("LTM_API_BASE");
}

static GtkWidget *
ltm_test_channel_row (LtmWindow  *window,
                      const char *name)
{
  GtkWidget *list = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");

  return ltm_test_gui_find_row (list, name);
}

static gboolean
ltm_test_shows_channel (LtmWindow  *window,
                        const char *channel_id)
{
  GtkWidget *list = ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Channels");
  LtmChannel *channel = ltm_window_get_channel (window);

  return list == NULL && channel != NULL &&
         g_strcmp0 (ltm_channel_get_channel_id (channel), channel_id) == 0 &&
         ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Back to the channels") != NULL;
}

/* Too narrow for both sides: the list alone, and a click, Enter or a
 * click on the channel already chosen opens it; Back returns. */
static void
test_narrow_body (LtmWindow     *window,
                  gconstpointer  data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (ltm_test_gui_find_type (GTK_WIDGET (window),
                                                             ADW_TYPE_LEAFLET));
  GtkWidget *row;

  ltm_test_gui_wait_until (gtk_widget_get_mapped (GTK_WIDGET (leaflet)) &&
                           adw_leaflet_get_folded (leaflet));
  ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");

  ltm_test_gui_click_row (ltm_test_channel_row (window, "Alpha"));
  ltm_test_gui_wait_until (ltm_test_shows_channel (window, "6000000001"));

  ltm_test_gui_click (GTK_WIDGET (window), "Back to the channels");
  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (GTK_WIDGET (window),
                                                         "Back to the channels") == NULL);
  ltm_test_gui_click_row (ltm_test_channel_row (window, "Beta"));
  ltm_test_gui_wait_until (ltm_test_shows_channel (window, "6000000002"));

  /* The chosen one again. */
  ltm_test_gui_click (GTK_WIDGET (window), "Back to the channels");
  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (GTK_WIDGET (window),
                                                         "Back to the channels") == NULL);
  ltm_test_gui_click_row (ltm_test_channel_row (window, "Beta"));
  ltm_test_gui_wait_until (ltm_test_shows_channel (window, "6000000002"));

  /* Enter on a row. */
  ltm_test_gui_click (GTK_WIDGET (window), "Back to the channels");
  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (GTK_WIDGET (window),
                                                         "Back to the channels") == NULL);
  row = ltm_test_channel_row (window, "Alpha");
  gtk_widget_grab_focus (row);
  g_signal_emit_by_name (gtk_widget_get_parent (row), "activate-cursor-row");
  ltm_test_gui_wait_until (ltm_test_shows_channel (window, "6000000001"));
}

static void
ltm_test_add_two_channels (void)
{
  g_auto(LtmTestRun) first = { 0 };
  g_auto(LtmTestRun) second = { 0 };
  const char * const add_first[] = { "channel", "add", "6000000001", "--name", "Alpha", NULL };
  const char * const add_second[] = { "channel", "add", "6000000002", "--name", "Beta", NULL };

  ltm_test_remove_store ();
  ltm_test_run_ltm (&first, NULL, NULL, add_first);
  g_assert_cmpint (first.status, ==, 0);
  ltm_test_run_ltm (&second, NULL, NULL, add_second);
  g_assert_cmpint (second.status, ==, 0);
}

static void
test_narrow (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.ltm.LineTokenManager");

  ltm_test_add_two_channels ();
  g_settings_set_int (settings, "window-width", 400);
  g_settings_set_int (settings, "window-height", 700);
  ltm_test_gui_run (test_narrow_body, NULL);
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* Whether the focus is under @widget. */
static gboolean
ltm_test_focus_in (LtmWindow *window,
                   GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* Tab leaves the list at once, on the way to the chosen channel's page,
 * and chooses no other channel; Shift+Tab comes back to the chosen row. */
static void
test_tab_from_list_body (LtmWindow     *window,
                         gconstpointer  data)
{
  GtkWidget *list;
  GtkWidget *page;
  guint presses;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  g_assert_cmpstr (ltm_channel_get_channel_id (ltm_window_get_channel (window)), ==,
                   "6000000001");
  page = ltm_test_gui_show_page (window, "key");
  list = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channels");
  gtk_widget_grab_focus (ltm_test_channel_row (window, "Alpha"));

  ltm_test_gui_move_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
  g_assert_false (ltm_test_focus_in (window, list));
  g_assert_cmpstr (ltm_channel_get_channel_id (ltm_window_get_channel (window)), ==,
                   "6000000001");

  /* Past the header bar's few controls, into the page. */
  for (presses = 1; presses < 10 && !ltm_test_focus_in (window, page); presses++)
    ltm_test_gui_move_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
  g_assert_true (ltm_test_focus_in (window, page));
  g_assert_cmpstr (ltm_channel_get_channel_id (ltm_window_get_channel (window)), ==,
                   "6000000001");

  /* Back the same way, to the chosen row and not the last one. */
  while (presses-- > 0)
    ltm_test_gui_move_focus (GTK_WIDGET (window), GTK_DIR_TAB_BACKWARD);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == ltm_test_channel_row (window, "Alpha"));
  g_assert_cmpstr (ltm_channel_get_channel_id (ltm_window_get_channel (window)), ==,
                   "6000000001");
}

static void
test_tab_from_list (void)
{
  ltm_test_add_two_channels ();
  ltm_test_gui_run (test_tab_from_list_body, NULL);
}

/* Another channel's Key page starts at its top, with Generate Key in
 * view, not where the previous channel's was scrolled to. */
static void
test_new_channel_at_top_body (LtmWindow     *window,
                              gconstpointer  data)
{
  GtkWidget *page;
  GtkAdjustment *adjustment;

  gtk_window_set_default_size (GTK_WINDOW (window), 960, 360);
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  page = ltm_test_gui_show_page (window, "key");
  adjustment = gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (ltm_test_gui_find_type (page, GTK_TYPE_SCROLLED_WINDOW)));
  ltm_test_gui_wait_until (gtk_adjustment_get_upper (adjustment) >
                           gtk_adjustment_get_page_size (adjustment) + 100);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);

  ltm_test_gui_click_row (ltm_test_channel_row (window, "Beta"));
  ltm_test_gui_wait_until (g_strcmp0 (ltm_channel_get_channel_id (ltm_window_get_channel (window)),
                                      "6000000002") == 0);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==,
                     gtk_adjustment_get_lower (adjustment));
}

static void
test_new_channel_at_top (void)
{
  ltm_test_add_two_channels ();
  ltm_test_gui_run (test_new_channel_at_top_body, NULL);
}

/* Rename Channel…: the list, the title and `ltm` have the new name. */
static void
test_rename_body (LtmWindow     *window,
                  gconstpointer  data)
{
  g_auto(LtmTestRun) show = { 0 };
  const char * const show_args[] = { "--json", "channel", "show", "6000000001", NULL };
  g_autoptr(JsonObject) shown = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  g_assert_cmpstr (ltm_channel_get_channel_id (ltm_window_get_channel (window)), ==,
                   "6000000001");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.rename-channel", NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Rename Channel");
  entry = ltm_test_gui_find_labelled (GTK_WIDGET (dialog), "Channel Name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "Alpha");
  /* Nothing to rename yet. */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "rename"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "Gamma Bot");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  ltm_test_gui_respond (dialog, "rename");
  ltm_test_gui_wait_for_toast (window, "Channel renamed");

  g_assert_cmpstr (ltm_channel_get_name (ltm_window_get_channel (window)), ==, "Gamma Bot");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window), "Gamma Bot") != NULL);
  ltm_test_channel_row (window, "Gamma Bot");

  ltm_test_run_ltm (&show, NULL, NULL, show_args);
  g_assert_cmpint (show.status, ==, 0);
  shown = ltm_test_parse_object (show.out);
  g_assert_cmpstr (json_object_get_string_member (shown, "name"), ==, "Gamma Bot");
}

static void
test_rename (void)
{
  ltm_test_add_two_channels ();
  ltm_test_gui_run (test_rename_body, NULL);
}

/* No browser to open the console in: said so, with its address to copy
 * (rather than GIO's "Operation not supported" and nothing to do). */
static void
test_console_no_browser_body (LtmWindow     *window,
                              gconstpointer  data)
{
  g_autofree char *copied = NULL;
  GtkWidget *button = NULL;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.open-console", NULL);
  ltm_test_gui_wait_for_toast (window, "No browser could open the LINE Developers Console");
  ltm_test_gui_wait_until ((button = ltm_test_gui_find_button (GTK_WIDGET (window),
                                                               "_Copy Address")) != NULL);
  g_assert_true (gtk_widget_activate (button));
  ltm_test_gui_wait_for_toast (window, "Address copied");
  copied = ltm_test_gui_read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, "https://developers.line.biz/console/");
}

static void
test_console_no_browser (void)
{
  static const char * const variables[] = { "XDG_DATA_DIRS", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                                            "XDG_CONFIG_DIRS", NULL };
  static const char * const kept[] = { "icons", "mime" };
  g_autofree char *root = NULL;
  g_autoptr(GStrvBuilder) saved = g_strv_builder_new ();
  g_auto(GStrv) values = NULL;

  /* In a process of its own that knows no application at all, so that no
   * machine's browser can open. */
  if (g_test_subprocess ())
    {
      ltm_test_add_two_channels ();
      ltm_test_gui_run (test_console_no_browser_body, NULL);
      return;
    }

  /* The icons and the MIME types to load them by still, or GTK warns. */
  root = g_build_filename (ltm_test_get_tmp_dir (), "no-apps", NULL);
  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *target = g_build_filename ("/usr/share", kept[i], NULL);
      g_autofree char *link = g_build_filename (root, kept[i], NULL);

      g_assert_cmpint (symlink (target, link), ==, 0);
    }

  for (guint i = 0; variables[i] != NULL; i++)
    {
      const char *value = g_getenv (variables[i]);

      g_strv_builder_add (saved, value != NULL ? value : "");
      g_setenv (variables[i], root, TRUE);
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);

  values = g_strv_builder_end (saved);
  for (guint i = 0; variables[i] != NULL; i++)
    {
      if (values[i][0] != '\0')
        g_setenv (variables[i], values[i], TRUE);
      else
        g_unsetenv (variables[i]);
    }

  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/window/empty", test_empty_state);
  g_test_add_func ("/gui/window/seed-flow", test_seed_flow);
  g_test_add_func ("/gui/window/pages", test_pages);
  g_test_add_func ("/gui/window/add-channel", test_add_channel);
  g_test_add_func ("/gui/window/follows-ltm-and-search", test_follows_ltm_and_search);
  g_test_add_func ("/gui/window/remove-channel", test_remove_channel);
  g_test_add_func ("/gui/window/damaged-store", test_damaged_store);
  g_test_add_func ("/gui/window/rotate-expiring", test_rotate_expiring);
  g_test_add_func ("/gui/window/deploy-failed-mark", test_deploy_failed_mark);
  g_test_add_func ("/gui/window/size-kept", test_size_kept);
  g_test_add_func ("/gui/window/accessible-names", test_accessible_names);
  g_test_add_func ("/gui/window/narrow", test_narrow);
  g_test_add_func ("/gui/window/tab-from-list", test_tab_from_list);
  g_test_add_func ("/gui/window/new-channel-at-top", test_new_channel_at_top);
  g_test_add_func ("/gui/window/rename", test_rename);
  g_test_add_func ("/gui/window/console-no-browser", test_console_no_browser);

  return g_test_run ();
}
