/* ltm-application.c: the application: the store, the LINE client, settings
 *
 * One store and one LINE client (one SoupSession) serve every window.  The
 * store follows its database (and the database's WAL), so that what `ltm`
 * changes shows here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-application.h"

#include <glib/gi18n.h>

#include "ltm-preferences-window.h"
#include "ltm-lifecycle.h"
#include "ltm-reminder.h"
#include "ltm-ui.h"
#include "ltm-window.h"

/* The notification's ID: one at a time, replaced when it changes. */
#define LTM_APPLICATION_EXPIRY_NOTIFICATION "expiring-tokens"

struct _LtmApplication
{
  AdwApplication parent_instance;

  LtmStore *store;
  LtmLineClient *client;
  GSettings *settings;
  GFileMonitor *monitor;
  guint reload_source;
  LtmReminder *reminder;
  guint reminder_source;
};

G_DEFINE_FINAL_TYPE (LtmApplication, ltm_application, ADW_TYPE_APPLICATION)

#define LTM_APPLICATION_RELOAD_DELAY_MS 200

LtmApplication *
ltm_application_new (void)
{
  return g_object_new (LTM_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/ltm/LineTokenManager",
                       NULL);
}

/**
 * ltm_application_get_default:
 *
 * Returns: (transfer none): the running application
 */
LtmApplication *
ltm_application_get_default (void)
{
  return LTM_APPLICATION (g_application_get_default ());
}

/**
 * ltm_application_get_store:
 *
 * Returns: (transfer none): the store every window shows
 */
LtmStore *
ltm_application_get_store (LtmApplication *self)
{
  g_return_val_if_fail (LTM_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * ltm_application_get_client:
 * @error: set when `LTM_API_BASE` names an address the client refuses
 *
 * Made on first use, so that nothing touches the network at start-up.
 *
 * Returns: (transfer none): the LINE client, or %NULL
 */
LtmLineClient *
ltm_application_get_client (LtmApplication  *self,
                            GError         **error)
{
  g_return_val_if_fail (LTM_IS_APPLICATION (self), NULL);

  if (self->client == NULL)
    self->client = ltm_line_client_new (NULL, error);

  return self->client;
}

GSettings *
ltm_application_get_settings (LtmApplication *self)
{
  g_return_val_if_fail (LTM_IS_APPLICATION (self), NULL);

  return self->settings;
}

/* The lifetime of a new v2.1 token, in seconds (Preferences). */
gint64
ltm_application_get_token_lifetime (LtmApplication *self)
{
  g_return_val_if_fail (LTM_IS_APPLICATION (self), 0);

  return (gint64) g_settings_get_uint (self->settings, "token-lifetime-days") * 24 * 60 * 60;
}

/* How long before its expiry a token counts as expiring, in seconds. */
gint64
ltm_application_get_warning (LtmApplication *self)
{
  g_return_val_if_fail (LTM_IS_APPLICATION (self), 0);

  return (gint64) g_settings_get_uint (self->settings, "expiry-warning-days") * 24 * 60 * 60;
}

/**
 * ltm_application_remind:
 *
 * Notifies about tokens newly due for rotation, and withdraws the
 * notification once nothing is due.  Called when the channels have been
 * read and every few hours; from the metadata alone (no network).
 */
void
ltm_application_remind (LtmApplication *self)
{
  g_autoptr(LtmReminderNote) note = NULL;
  gboolean any = FALSE;

  g_return_if_fail (LTM_IS_APPLICATION (self));

  note = ltm_reminder_check (self->reminder, g_get_real_time () / G_USEC_PER_SEC,
                             ltm_application_get_warning (self), &any);
  if (note != NULL)
    {
      g_autoptr(GNotification) notification = ltm_reminder_note_to_notification (note);

      g_application_send_notification (G_APPLICATION (self), LTM_APPLICATION_EXPIRY_NOTIFICATION,
                                       notification);
    }
  else if (!any)
    g_application_withdraw_notification (G_APPLICATION (self),
                                         LTM_APPLICATION_EXPIRY_NOTIFICATION);
}

static void
ltm_application_retired_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LtmRevocation) revocation = NULL;
  g_autoptr(GError) error = NULL;

  revocation = ltm_lifecycle_retire_finish (result, &error);
  if (revocation == NULL)
    g_debug ("Replaced tokens were not revoked: %s", error->message);
  else if (revocation->not_revoked > 0)
    g_debug ("%u replaced tokens of channel %s were not revoked:%s", revocation->not_revoked,
             revocation->channel_id, revocation->problems);
}

/* Every few hours: the tokens whose grace period is over are revoked. */
static void
ltm_application_retire (LtmApplication *self)
{
  GListModel *channels = ltm_store_get_channels (self->store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  LtmLineClient *client = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);
      g_auto(GStrv) due = ltm_lifecycle_find_retired (channel, now);

      if (due[0] == NULL)
        continue;
      if (client == NULL && (client = ltm_application_get_client (self, NULL)) == NULL)
        return;
      ltm_lifecycle_retire_async (self->store, client, ltm_channel_get_channel_id (channel), now,
                                  NULL, ltm_application_retired_cb, NULL);
    }
}

static gboolean
ltm_application_remind_cb (gpointer user_data)
{
  ltm_application_retire (LTM_APPLICATION (user_data));
  ltm_application_remind (LTM_APPLICATION (user_data));

  return G_SOURCE_CONTINUE;
}

static void
ltm_application_reloaded_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A damaged file is the window's to explain; it asks again when shown. */
  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    g_debug ("Could not reload the channels: %s", error->message);
}

static gboolean
ltm_application_reload_cb (gpointer user_data)
{
  LtmApplication *self = user_data;

  self->reload_source = 0;
  ltm_store_refresh_async (self->store, NULL, ltm_application_reloaded_cb, NULL);

  return G_SOURCE_REMOVE;
}

static void
ltm_application_file_changed_cb (GFileMonitor      *monitor,
                                 GFile             *file,
                                 GFile             *other_file,
                                 GFileMonitorEvent  event,
                                 gpointer           user_data)
{
  LtmApplication *self = user_data;
  g_autofree char *name = g_file_get_basename (file);

  /* The database and its WAL; a commit makes a few events at once. */
  if (!g_str_has_prefix (name, "store.sqlite3"))
    return;

  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_source = g_timeout_add (LTM_APPLICATION_RELOAD_DELAY_MS,
                                       ltm_application_reload_cb, self);
}

static void
ltm_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data);

/* A window that asked before quitting was closed: quitting goes on. */
static void
ltm_application_quit_when_closed_cb (LtmApplication *self)
{
  g_action_group_activate_action (G_ACTION_GROUP (self), "quit", NULL);
}

static void
ltm_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  LtmApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  gboolean asking = FALSE;

  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);

  /* Each window is closed as its close button closes it, which cancels
   * what it has running; one that listens for LINE's events asks first,
   * and quitting waits for the answer (Stop and Close closes it). */
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (LTM_IS_WINDOW (l->data))
        gtk_window_close (l->data);
    }
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (!LTM_IS_WINDOW (l->data) || !gtk_widget_get_visible (l->data))
        continue;

      asking = TRUE;
      if (g_object_get_data (l->data, "ltm-quit-when-closed") == NULL)
        {
          g_object_set_data (l->data, "ltm-quit-when-closed", GINT_TO_POINTER (TRUE));
          g_signal_connect_object (l->data, "destroy",
                                   G_CALLBACK (ltm_application_quit_when_closed_cb), self,
                                   G_CONNECT_SWAPPED);
        }
    }
  g_list_free_full (windows, g_object_unref);

  if (asking)
    return;

  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  for (GList *l = windows; l != NULL; l = windows)
    {
      windows = l->next;
      gtk_window_destroy (l->data);
    }

  g_application_quit (G_APPLICATION (self));
}

static void
ltm_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  LtmApplication *self = user_data;
  static const char *developers[] = { "LINE Token Manager contributors", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("LINE Token Manager"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("LINE Token Manager contributors"),
                         "developers", developers,
                         "comments", _("Make the assertion signing key, sign the JWT, and issue, "
                                       "verify, rotate and revoke LINE channel access tokens, "
                                       "with every secret sealed under a key your keyring keeps."),
                         "website", "https://github.com/ltm/LineTokenManager",
                         "issue-url", "https://github.com/ltm/LineTokenManager/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         /* Translators: your name and address, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
ltm_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  LtmApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  LtmPreferencesWindow *preferences = ltm_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), window);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
ltm_application_shortcuts_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  LtmApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

/* app.show-channel('ID'): from a notification, or `gapplication action`. */
static void
ltm_application_show_channel_action (GSimpleAction *action,
                                     GVariant      *parameter,
                                     gpointer       user_data)
{
  LtmApplication *self = user_data;

  g_application_activate (G_APPLICATION (self));
  ltm_window_show_channel (LTM_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self))),
                           g_variant_get_string (parameter, NULL));
}

/* app.rotate-channel('ID'): the notification's button for one channel. */
static void
ltm_application_rotate_channel_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  LtmApplication *self = user_data;
  LtmWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = LTM_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (self)));
  ltm_window_rotate_channel (window, g_variant_get_string (parameter, NULL));
}

/* app.rotate-expiring: the notification's button for several channels. */
static void
ltm_application_rotate_expiring_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  LtmApplication *self = user_data;

  g_application_activate (G_APPLICATION (self));
  gtk_widget_activate_action (GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (self))),
                              "win.rotate-expiring", NULL);
}

static const GActionEntry ltm_application_actions[] = {
  { "quit", ltm_application_quit_action },
  { "about", ltm_application_about_action },
  { "preferences", ltm_application_preferences_action },
  { "shortcuts", ltm_application_shortcuts_action },
  { "show-channel", ltm_application_show_channel_action, "s" },
  { "rotate-channel", ltm_application_rotate_channel_action, "s" },
  { "rotate-expiring", ltm_application_rotate_expiring_action },
};

static void
ltm_application_startup (GApplication *application)
{
  LtmApplication *self = LTM_APPLICATION (application);
  static const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.shortcuts", { "<Control>question", NULL } },
    { "win.add-channel", { "<Control>n", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.show-page::key", { "<Alt>1", NULL } },
    { "win.show-page::jwt", { "<Alt>2", NULL } },
    { "win.show-page::tokens", { "<Alt>3", NULL } },
    { "win.show-page::webhook", { "<Alt>4", NULL } },
  };
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;

  G_APPLICATION_CLASS (ltm_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), ltm_application_actions,
                                   G_N_ELEMENTS (ltm_application_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  self->settings = g_settings_new (APPLICATION_ID);
  self->store = ltm_store_new (NULL);
  self->reminder = ltm_reminder_new (self->store);
  self->reminder_source = g_timeout_add_seconds (LTM_REMINDER_INTERVAL_SECONDS,
                                                 ltm_application_remind_cb, self);

  /* The folder: the WAL comes and goes, and the database may not exist yet. */
  file = g_file_new_for_path (ltm_store_get_path (self->store));
  folder = g_file_get_parent (file);
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect (self->monitor, "changed", G_CALLBACK (ltm_application_file_changed_cb), self);
}

static void
ltm_application_activate (GApplication *application)
{
  LtmApplication *self = LTM_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ltm_window_new (self));

  gtk_window_present (window);
}

static void
ltm_application_shutdown (GApplication *application)
{
  LtmApplication *self = LTM_APPLICATION (application);

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->reminder_source, g_source_remove);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_APPLICATION_CLASS (ltm_application_parent_class)->shutdown (application);
}

static void
ltm_application_dispose (GObject *object)
{
  LtmApplication *self = LTM_APPLICATION (object);

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->reminder_source, g_source_remove);
  g_clear_object (&self->monitor);
  g_clear_object (&self->reminder);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ltm_application_parent_class)->dispose (object);
}

/* --version answers without a window, a display or the store. */
static int
ltm_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("line-token-manager %s\n", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
ltm_application_class_init (LtmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ltm_application_dispose;
  app_class->startup = ltm_application_startup;
  app_class->activate = ltm_application_activate;
  app_class->shutdown = ltm_application_shutdown;
  app_class->handle_local_options = ltm_application_handle_local_options;

  ltm_ui_register_resources ();
}

static void
ltm_application_init (LtmApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self), "version", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_NONE, _("Print the version and exit"), NULL);
}
