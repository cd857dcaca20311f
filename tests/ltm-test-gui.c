/* ltm-test-gui.c: driving the real window under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-gui.h"

#include "ltm-channel-row.h"
#include "ltm-test-dbus.h"
#include "ltm-test-util.h"
#include "ltm-ui.h"

/* A desktop notification server of the test's own on its private bus:
 * what the app notifies is recorded, and nothing warns for want of one.
 * Inside Flatpak GLib sends notifications to the notification portal
 * instead, so there the test serves that too. */
static GPtrArray *notifications;

static const char ltm_test_gui_portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Notification'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'><arg type='s' direction='in'/></method>"
  "    <property name='version' type='u' access='read'/>"
  "  </interface>"
  "</node>";

static void
ltm_test_gui_notified_cb (const char *summary,
                          const char *body,
                          gpointer    user_data)
{
  g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", summary, body));
}

/* The notification portal's AddNotification: the same record. */
static void
ltm_test_gui_portal_call (GDBusConnection       *connection,
                          const char            *sender,
                          const char            *object_path,
                          const char            *interface_name,
                          const char            *method_name,
                          GVariant              *parameters,
                          GDBusMethodInvocation *invocation,
                          gpointer               user_data)
{
  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) notification = g_variant_get_child_value (parameters, 1);
      const char *title = "";
      const char *body = "";

      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      ltm_test_gui_notified_cb (title, body, NULL);
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
ltm_test_gui_portal_get_property (GDBusConnection  *connection,
                                  const char       *sender,
                                  const char       *object_path,
                                  const char       *interface_name,
                                  const char       *property_name,
                                  GError          **error,
                                  gpointer          user_data)
{
  return g_variant_new_uint32 (1);
}

/* A test's subprocess (g_test_trap_subprocess) finds its parent's
 * servers on the bus, which answer it: only that is no failure. */
static void
ltm_test_gui_assert_served (GError **error)
{
  if (g_error_matches (*error, G_DBUS_ERROR, G_DBUS_ERROR_ADDRESS_IN_USE))
    g_clear_error (error);
  g_assert_no_error (*error);
}

static void
ltm_test_gui_serve_notifications (void)
{
  static const GDBusInterfaceVTable portal_vtable = {
    ltm_test_gui_portal_call, ltm_test_gui_portal_get_property
  };
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  notifications = g_ptr_array_new_with_free_func (g_free);

  /* Only on the private bus tests/test-bus.sh starts. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  ltm_test_dbus_serve_notifications (bus, ltm_test_gui_notified_cb, NULL, &error);
  ltm_test_gui_assert_served (&error);

  /* Where GLib sends them to the portal: inside Flatpak. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      ltm_test_dbus_serve (bus, "org.freedesktop.portal.Desktop",
                           "/org/freedesktop/portal/desktop", ltm_test_gui_portal_xml,
                           &portal_vtable, NULL, &error);
      ltm_test_gui_assert_served (&error);
    }
}

/* "Title\nBody" of every desktop notification the app sent so far. */
GPtrArray *
ltm_test_gui_get_notifications (void)
{
  return notifications;
}

/**
 * ltm_test_gui_init:
 *
 * GTK and libadwaita, the app's resources, a data folder and libsecret's
 * file backend of this process's own (unless GNOME Keyring runs).
 */
void
ltm_test_gui_init (int    *argc,
                   char ***argv)
{
  /* The environment first: GTK starts threads.  The data folder is the
   * one ltm_test_run_ltm() gives `ltm`. */
  ltm_test_use_file_keyring ();
  g_setenv ("LTM_DATA_DIR", ltm_test_get_tmp_dir (), TRUE);

  /* Inside Flatpak the notification portal is served here (below), and
   * GLib would ask it for proxies too, which a sandbox without network
   * cannot have: connections stay direct, to loopback, as no_proxy says. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  ltm_ui_register_resources ();
  ltm_test_gui_serve_notifications ();
}

typedef struct {
  LtmTestGuiFunc func;
  gconstpointer data;
} LtmTestGuiRun;

static gboolean
ltm_test_gui_body_cb (gpointer user_data)
{
  LtmTestGuiRun *run = user_data;
  LtmApplication *app = ltm_application_get_default ();
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkStack *stack;

  g_assert_true (LTM_IS_WINDOW (window));
  stack = GTK_STACK (ltm_test_gui_find_type (GTK_WIDGET (window), GTK_TYPE_STACK));
  ltm_test_gui_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "loading") != 0);

  run->func (LTM_WINDOW (window), run->data);

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);

  return G_SOURCE_REMOVE;
}

static void
ltm_test_gui_activate_cb (GApplication  *app,
                          LtmTestGuiRun *run)
{
  g_idle_add (ltm_test_gui_body_cb, run);
}

/**
 * ltm_test_gui_run:
 * @func: the test's body, called once the window has loaded the channels
 * @data: for @func
 *
 * Runs the application as `line-token-manager` does (g_application_run),
 * with @func in its main loop; app.quit ends it, and the application must
 * then be finalized.
 */
void
ltm_test_gui_run (LtmTestGuiFunc func,
                  gconstpointer  data)
{
  LtmTestGuiRun run = { func, data };
  LtmApplication *app = ltm_application_new ();
  char *argv[] = { (char *) "line-token-manager", NULL };

  /* Several test programs run at once: no single instance. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (app, "activate", G_CALLBACK (ltm_test_gui_activate_cb), &run);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);

  ltm_test_assert_finalize_soon (app);
}

void
ltm_test_gui_iterate (void)
{
  g_main_context_iteration (NULL, FALSE);
  g_usleep (1000);
}

static GtkWidget *
ltm_test_gui_find (GtkWidget *root,
                   gboolean (*match) (GtkWidget *, gconstpointer),
                   gconstpointer data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ltm_test_gui_find (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
ltm_test_gui_match_label (GtkWidget     *widget,
                          gconstpointer  data)
{
  g_autofree char *mismatch = NULL;

  /* What the user can see and use: not the pages and dialogs behind, and
   * not the window or a title label (named after the title). */
  if (!gtk_widget_get_mapped (widget) || GTK_IS_WINDOW (widget) || GTK_IS_LABEL (widget))
    return FALSE;

  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, data);
  return mismatch == NULL;
}

/* The first shown widget under @root named @label, or %NULL. */
GtkWidget *
ltm_test_gui_lookup_labelled (GtkWidget  *root,
                              const char *label)
{
  return ltm_test_gui_find (root, ltm_test_gui_match_label, label);
}

/**
 * ltm_test_gui_find_labelled:
 * @label: the accessible name, exactly
 *
 * Returns: (transfer none): the first shown widget under @root so named;
 *   fails the test when there is none
 */
GtkWidget *
ltm_test_gui_find_labelled (GtkWidget  *root,
                            const char *label)
{
  GtkWidget *widget = ltm_test_gui_lookup_labelled (root, label);

  if (widget == NULL)
    g_error ("No widget named “%s” under %s", label, G_OBJECT_TYPE_NAME (root));

  return widget;
}

static gboolean
ltm_test_gui_match_row (GtkWidget     *widget,
                        gconstpointer  data)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;

  if (LTM_IS_CHANNEL_ROW (widget))
    return g_strcmp0 (ltm_channel_row_get_title (LTM_CHANNEL_ROW (widget)), data) == 0;

  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

/* The row titled @title, or the test fails. */
GtkWidget *
ltm_test_gui_find_row (GtkWidget  *root,
                       const char *title)
{
  GtkWidget *widget = ltm_test_gui_find (root, ltm_test_gui_match_row, title);

  if (widget == NULL)
    g_error ("No row titled “%s” under %s", title, G_OBJECT_TYPE_NAME (root));

  return widget;
}

static gboolean
ltm_test_gui_match_type (GtkWidget     *widget,
                         gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

/* The first widget of @type under @root, or %NULL. */
GtkWidget *
ltm_test_gui_find_type (GtkWidget *root,
                        GType      type)
{
  return ltm_test_gui_find (root, ltm_test_gui_match_type, GSIZE_TO_POINTER (type));
}

/* A shown toplevel of @type (a dialog), or %NULL. */
GtkWindow *
ltm_test_gui_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

/* A toplevel of @type (a dialog) once it is on screen; fails the test
 * when none comes. */
GtkWindow *
ltm_test_gui_wait_for_window (GType type)
{
  GtkWindow *window;

  ltm_test_gui_wait_until ((window = ltm_test_gui_find_window (type)) != NULL &&
                           gtk_widget_get_mapped (GTK_WIDGET (window)));

  return window;
}

/**
 * ltm_test_gui_show_page:
 * @name: the page's name in the window's view stack: "key", "jwt",
 *   "tokens" or "webhook"
 *
 * Shows the page @name once the window has chosen a channel, the way the
 * view switcher does.
 *
 * Returns: (transfer none): the page, on screen
 */
GtkWidget *
ltm_test_gui_show_page (LtmWindow  *window,
                        const char *name)
{
  GtkWidget *stack = ltm_test_gui_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);
  GtkWidget *page;

  g_assert_nonnull (stack);
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", name);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stack)), ==, name);
  page = GTK_WIDGET (ltm_window_get_page (window, name));
  g_assert_nonnull (page);
  ltm_test_gui_wait_until (gtk_widget_get_mapped (page));

  return page;
}

/* What @page is doing, or what went wrong there. */
LtmActivity *
ltm_test_gui_get_activity (GtkWidget *page)
{
  GtkWidget *activity = ltm_test_gui_find_type (page, LTM_TYPE_ACTIVITY);

  g_assert_nonnull (activity);
  return LTM_ACTIVITY (activity);
}

/* Whether the shown control named @label can be used; fails the test
 * when there is none. */
gboolean
ltm_test_gui_is_enabled (GtkWidget  *root,
                         const char *label)
{
  return gtk_widget_is_sensitive (ltm_test_gui_find_labelled (root, label));
}

static gboolean
ltm_test_gui_match_button_label (GtkWidget     *widget,
                                 gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), data) == 0;
}

/* The first shown button under @root whose label (with its mnemonic, as
 * in "_Copy Address") is @label, or %NULL: for buttons libadwaita makes
 * and names after their label, in dialogs and toasts. */
GtkWidget *
ltm_test_gui_find_button (GtkWidget  *root,
                          const char *label)
{
  return ltm_test_gui_find (root, ltm_test_gui_match_button_label, label);
}

/* Presses the button of @response in @dialog, as a user would. */
void
ltm_test_gui_respond (AdwMessageDialog *dialog,
                      const char       *response)
{
  const char *label = adw_message_dialog_get_response_label (dialog, response);
  GtkWidget *button;

  ltm_test_gui_wait_until (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  button = ltm_test_gui_find_button (GTK_WIDGET (dialog), label);
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
}

/* Presses the widget named @label, which must be enabled, once it is
 * shown, as a person waits for a button to appear: a revealer that was
 * hidden maps its child only on its next frame (the Cancel of a call just
 * begun, for one). */
void
ltm_test_gui_click (GtkWidget  *root,
                    const char *label)
{
  GtkWidget *widget;

  ltm_test_gui_wait_until ((widget = ltm_test_gui_lookup_labelled (root, label)) != NULL);
  if (!gtk_widget_is_sensitive (widget))
    g_error ("“%s” is disabled", label);

  g_assert_true (gtk_widget_activate (widget));
}

/**
 * ltm_test_gui_click_row:
 * @row: a shown row of a #GtkListBox
 *
 * A click with the first button in the middle of @row: the press and the
 * release reach the list's own click gesture, so the list selects and
 * activates the row exactly as it does under a pointer.
 */
void
ltm_test_gui_click_row (GtkWidget *row)
{
  GtkWidget *list = gtk_widget_get_parent (row);
  g_autoptr(GListModel) controllers = NULL;
  g_autoptr(GtkGesture) click = NULL;
  graphene_rect_t bounds;
  double x, y;

  g_assert_true (GTK_IS_LIST_BOX_ROW (row) && GTK_IS_LIST_BOX (list));
  ltm_test_gui_wait_until (gtk_widget_get_mapped (row) && gtk_widget_get_height (row) > 0);
  g_assert_true (gtk_widget_compute_bounds (row, list, &bounds));
  x = bounds.origin.x + bounds.size.width / 2;
  y = bounds.origin.y + bounds.size.height / 2;

  controllers = gtk_widget_observe_controllers (list);
  for (guint i = 0; click == NULL && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        click = GTK_GESTURE (g_steal_pointer (&controller));
    }
  g_assert_nonnull (click);

  g_signal_emit_by_name (click, "pressed", 1, x, y);
  g_signal_emit_by_name (click, "released", 1, x, y);
}

/* What Tab (GTK_DIR_TAB_FORWARD) or Shift+Tab does in @window: the
 * window's own move-focus keybinding, from the focus as it is. */
void
ltm_test_gui_move_focus (GtkWidget        *window,
                         GtkDirectionType  direction)
{
  g_assert_true (GTK_IS_WINDOW (window));

  if (!gtk_widget_child_focus (window, direction))
    {
      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      gtk_widget_child_focus (window, direction);
    }
}

/* Types @text into the entry row titled @title. */
void
ltm_test_gui_set_row_text (GtkWidget  *root,
                           const char *title,
                           const char *text)
{
  GtkWidget *row = ltm_test_gui_find_row (root, title);

  g_assert_true (GTK_IS_EDITABLE (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static gboolean
ltm_test_gui_match_text (GtkWidget     *widget,
                         gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

/* A shown label under @root that reads exactly @text, or %NULL. */
GtkWidget *
ltm_test_gui_find_text (GtkWidget  *root,
                        const char *text)
{
  return ltm_test_gui_find (root, ltm_test_gui_match_text, text);
}

static void
ltm_test_gui_clipboard_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

/* What the clipboard holds now, as text. */
char *
ltm_test_gui_read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL,
                                 ltm_test_gui_clipboard_cb, &text);
  ltm_test_gui_wait_until (text != NULL);

  return text;
}

/**
 * ltm_test_gui_add_channel:
 * @server: the test server, which learns the channel and its secret
 * @secret: (nullable): stored (sealed) too, unless %NULL
 *
 * What a user does before the window has anything to show: `ltm channel
 * add --generate-key`, the public key registered at @server (the console),
 * and `ltm channel set --kid` with the kid it answers.
 *
 * Returns: (transfer full): the kid
 */
char *
ltm_test_gui_add_channel (LtmTestServer *server,
                          const char    *channel_id,
                          const char    *name,
                          const char    *secret)
{
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) set = { 0 };
  g_autoptr(LtmStore) store = ltm_store_new (NULL);
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *public_jwk = NULL;
  g_autofree char *input = NULL;
  char *kid;

  ltm_test_server_add_channel (server, channel_id, secret);

  if (secret != NULL)
    {
      const char * const args[] = { "channel", "add", channel_id, "--name", name,
                                    "--generate-key", "--secret-file", "-", NULL };
      input = g_strconcat (secret, "\n", NULL);
      ltm_test_run_ltm (&add, input, NULL, args);
    }
  else
    {
      const char * const args[] = { "channel", "add", channel_id, "--name", name,
                                    "--generate-key", NULL };
      ltm_test_run_ltm (&add, NULL, NULL, args);
    }
  g_assert_cmpint (add.status, ==, 0);

  ltm_store_load (store, &error);
  g_assert_no_error (error);
  key = ltm_store_get_key (store, channel_id, &error);
  g_assert_no_error (error);
  public_jwk = ltm_key_to_public_jwk (key);
  kid = ltm_test_server_register_key (server, channel_id, public_jwk, &error);
  g_assert_no_error (error);

  {
    const char * const args[] = { "channel", "set", channel_id, "--kid", kid, NULL };
    ltm_test_run_ltm (&set, NULL, NULL, args);
  }
  g_assert_cmpint (set.status, ==, 0);

  return kid;
}

/* `ltm token issue` for a stored channel, living @lifetime ("30d", "3d"). */
void
ltm_test_gui_issue_token (LtmTestServer *server,
                          const char    *channel_id,
                          const char    *lifetime)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const env[] = { "LTM_API_BASE", ltm_test_server_get_base_url (server), NULL };
  const char * const args[] = { "token", "issue", "--channel", channel_id,
                                "--token-lifetime", lifetime, NULL };

  ltm_test_run_ltm (&run, NULL, env, args);
  g_assert_cmpint (run.status, ==, 0);
}
