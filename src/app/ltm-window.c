/* ltm-window.c: the main window: channels on the left, the chosen one's
 * Key, JWT, Tokens and Webhook pages on the right
 *
 * A page is built the first time it is shown (the view stack holds an
 * empty AdwBin for it until then), so the first frame costs one page, not
 * four.  While the store is read the window is empty, and only a store
 * that takes longer than LTM_WINDOW_SPINNER_DELAY_MS to read shows a
 * spinner: the first thing drawn is the list as it is stored, not a
 * placeholder that gives way to it a moment later.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-window.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-add-channel-dialog.h"
#include "ltm-channel-row.h"
#include "ltm-frame-trace.h"
#include "ltm-jwt-page.h"
#include "ltm-lifecycle.h"
#include "ltm-key-page.h"
#include "ltm-list-bin.h"
#include "ltm-page.h"
#include "ltm-tokens-page.h"
#include "ltm-ui.h"
#include "ltm-webhook-page.h"

struct _LtmWindow
{
  AdwApplicationWindow parent_instance;

  GtkStack *main_stack;
  GtkSpinner *loading_spinner;
  AdwStatusPage *failed_page;
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkWidget *content;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  LtmActivity *activity;
  GtkStack *sidebar_stack;
  GtkListBox *channel_list;
  GtkStack *content_stack;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack *view_stack;
  GMenuModel *primary_menu;
  GMenuModel *channel_menu;
  GtkMenuButton *welcome_menu_button;
  GtkMenuButton *sidebar_menu_button;
  GtkMenuButton *channel_menu_button;
  LtmPage *pages[4];                /* as in ltm_window_pages[], built when first shown */

  LtmStore *store;
  GtkFilterListModel *filtered;
  GtkCustomFilter *filter;
  LtmChannel *channel;
  GCancellable *cancellable;
  guint update_rows_source;
  guint spinner_source;
  gboolean loaded;
};

/* The pages, in the view stack's order. */
static const struct {
  const char *name;
  GType (*get_type) (void);
} ltm_window_pages[] = {
  { "key", ltm_key_page_get_type },
  { "jwt", ltm_jwt_page_get_type },
  { "tokens", ltm_tokens_page_get_type },
  { "webhook", ltm_webhook_page_get_type },
};

/* How long the store may take to read before the window says it is loading. */
#define LTM_WINDOW_SPINNER_DELAY_MS 300

G_DEFINE_FINAL_TYPE (LtmWindow, ltm_window, ADW_TYPE_APPLICATION_WINDOW)

static void ltm_window_set_channel (LtmWindow  *self,
                                    LtmChannel *channel);

static void ltm_window_setup (LtmWindow      *self,
                              LtmApplication *app);

LtmWindow *
ltm_window_new (LtmApplication *application)
{
  LtmWindow *self;

  g_return_val_if_fail (LTM_IS_APPLICATION (application), NULL);

  self = g_object_new (LTM_TYPE_WINDOW, "application", application, NULL);
  ltm_window_setup (self, application);

  return self;
}

/**
 * ltm_window_get_channel:
 *
 * Returns: (transfer none) (nullable): the channel shown on the right
 */
LtmChannel *
ltm_window_get_channel (LtmWindow *self)
{
  g_return_val_if_fail (LTM_IS_WINDOW (self), NULL);

  return self->channel;
}

static GtkListBoxRow *
ltm_window_find_row (LtmWindow  *self,
                     LtmChannel *channel)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmChannel) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (item == channel)
        return gtk_list_box_get_row_at_index (self->channel_list, (int) i);
    }

  return NULL;
}

/**
 * ltm_window_show_channel:
 * @channel_id: a stored channel
 *
 * Chooses the channel (clearing a search that hides it).
 *
 * Returns: %FALSE if there is no such channel
 */
gboolean
ltm_window_show_channel (LtmWindow  *self,
                         const char *channel_id)
{
  LtmChannel *channel;

  g_return_val_if_fail (LTM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  channel = ltm_store_find_channel (self->store, channel_id);
  if (channel == NULL)
    return FALSE;

  if (ltm_window_find_row (self, channel) == NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");

  ltm_window_set_channel (self, channel);
  adw_leaflet_set_visible_child (self->leaflet, self->content);

  return TRUE;
}

/**
 * ltm_window_get_page:
 * @page_name: "key", "jwt", "tokens" or "webhook"
 *
 * The page, built now if it has not been shown yet.
 *
 * Returns: (transfer none): the page
 */
LtmPage *
ltm_window_get_page (LtmWindow  *self,
                     const char *page_name)
{
  g_return_val_if_fail (LTM_IS_WINDOW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (ltm_window_pages); i++)
    {
      AdwBin *slot;
      gint64 start;

      if (!g_str_equal (ltm_window_pages[i].name, page_name))
        continue;
      if (self->pages[i] != NULL)
        return self->pages[i];

      start = g_get_monotonic_time ();
      slot = ADW_BIN (adw_view_stack_get_child_by_name (self->view_stack, page_name));
      self->pages[i] = g_object_new (ltm_window_pages[i].get_type (), NULL);
      ltm_page_set_channel (self->pages[i], self->channel);
      adw_bin_set_child (slot, GTK_WIDGET (self->pages[i]));
      /* Read by bench-startup, which prints what each page costs. */
      g_debug ("The %s page was built in %.1f ms", page_name,
               (g_get_monotonic_time () - start) / 1000.0);

      return self->pages[i];
    }

  g_return_val_if_reached (NULL);
}

/* "key", "jwt", "tokens" or "webhook" */
void
ltm_window_show_page (LtmWindow  *self,
                      const char *page_name)
{
  g_return_if_fail (LTM_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, page_name);
}

/* The view switcher, a shortcut or the code chose a page: it is built
 * before it is drawn. */
static void
ltm_window_visible_page_cb (LtmWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  if (name != NULL && self->channel != NULL)
    ltm_window_get_page (self, name);
}

static void
ltm_window_update_title (LtmWindow *self)
{
  const char *name = self->channel != NULL ? ltm_channel_get_name (self->channel) : NULL;

  if (self->channel == NULL)
    {
      adw_view_switcher_title_set_title (self->switcher_title, _("LINE Token Manager"));
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
    }
  else if (name != NULL && name[0] != '\0')
    {
      adw_view_switcher_title_set_title (self->switcher_title, name);
      adw_view_switcher_title_set_subtitle (self->switcher_title,
                                            ltm_channel_get_channel_id (self->channel));
    }
  else
    {
      adw_view_switcher_title_set_title (self->switcher_title,
                                         ltm_channel_get_channel_id (self->channel));
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
    }
}

static void
ltm_window_channel_notify_cb (LtmWindow *self)
{
  ltm_window_update_title (self);
}

static void
ltm_window_set_channel (LtmWindow  *self,
                        LtmChannel *channel)
{
  GtkListBoxRow *row;

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_func (self->channel, ltm_window_channel_notify_cb, self);

  if (g_set_object (&self->channel, channel))
    for (guint i = 0; i < G_N_ELEMENTS (self->pages); i++)
      if (self->pages[i] != NULL)
        ltm_page_set_channel (self->pages[i], channel);

  if (channel != NULL)
    g_signal_connect_swapped (channel, "notify::name",
                              G_CALLBACK (ltm_window_channel_notify_cb), self);

  gtk_stack_set_visible_child_name (self->content_stack, channel != NULL ? "channel" : "none");
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, channel != NULL);
  ltm_window_update_title (self);
  ltm_window_visible_page_cb (self);

  for (guint i = 0; i < 5; i++)
    {
      static const char *actions[] = { "win.remove-channel", "win.open-console",
                                       "win.copy-channel-id", "win.rotate-channel",
                                       "win.rename-channel" };
      gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], channel != NULL);
    }

  row = channel != NULL ? ltm_window_find_row (self, channel) : NULL;
  if (row != gtk_list_box_get_selected_row (self->channel_list))
    {
      if (row != NULL)
        gtk_list_box_select_row (self->channel_list, row);
      else
        gtk_list_box_unselect_all (self->channel_list);
    }
}

static void
ltm_window_update_rows (LtmWindow *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->channel_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (LTM_IS_CHANNEL_ROW (row))
      ltm_channel_row_update (LTM_CHANNEL_ROW (row));
}

static gboolean
ltm_window_update_rows_cb (gpointer user_data)
{
  ltm_window_update_rows (LTM_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

/* A row opens its channel: on a click, on Enter, and when folded it shows
 * the chevron of a row that navigates. */
static GtkWidget *
ltm_window_create_row (gpointer item,
                       gpointer user_data)
{
  LtmWindow *self = user_data;
  GtkWidget *row = ltm_channel_row_new (LTM_CHANNEL (item));

  g_object_bind_property (self->leaflet, "folded", row, "show-chevron", G_BINDING_SYNC_CREATE);

  return row;
}

static void
ltm_window_row_selected_cb (LtmWindow     *self,
                            GtkListBoxRow *row)
{
  /* A row goes away when the store's list changes; the channel stays
   * chosen until it is removed (ltm_window_items_changed_cb). */
  if (row != NULL)
    ltm_window_set_channel (self, ltm_channel_row_get_channel (LTM_CHANNEL_ROW (row)));
}

/* A click or Enter on a row, also on the one already chosen: the list
 * has selected it; a folded window now shows its pages. */
static void
ltm_window_row_activated_cb (LtmWindow     *self,
                             GtkListBoxRow *row)
{
  ltm_window_set_channel (self, ltm_channel_row_get_channel (LTM_CHANNEL_ROW (row)));
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
ltm_window_update_stacks (LtmWindow *self)
{
  GListModel *channels = ltm_store_get_channels (self->store);
  guint n_all = g_list_model_get_n_items (channels);
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  if (!self->loaded)
    return;

  /* Out of "loading" at once: a crossfade would draw the first frame twice
   * more, and the spinner may never have shown. */
  gtk_stack_set_visible_child_full (self->main_stack, n_all == 0 ? "welcome" : "channels",
                                    g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack),
                                               "loading") == 0
                                    ? GTK_STACK_TRANSITION_TYPE_NONE
                                    : gtk_stack_get_transition_type (self->main_stack));
  gtk_stack_set_visible_child_name (self->sidebar_stack, n_shown == 0 ? "no-results" : "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", n_all > 0);
}

/* On the first channel rather than on an empty page, unless the list is
 * all there is room for. */
static void
ltm_window_choose_first (LtmWindow *self)
{
  g_autoptr(LtmChannel) first = NULL;

  if (self->channel != NULL || !self->loaded || adw_leaflet_get_folded (self->leaflet) ||
      g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    return;

  first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);
  ltm_window_set_channel (self, first);
}

static void
ltm_window_items_changed_cb (LtmWindow *self)
{
  if (self->channel != NULL &&
      ltm_store_find_channel (self->store, ltm_channel_get_channel_id (self->channel)) == NULL)
    ltm_window_set_channel (self, NULL);
  else if (self->channel != NULL)
    ltm_window_set_channel (self, self->channel);

  ltm_window_update_stacks (self);
  ltm_window_choose_first (self);
}

static gboolean
ltm_window_filter_func (gpointer item,
                        gpointer user_data)
{
  LtmWindow *self = user_data;
  LtmChannel *channel = item;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *needle = NULL;
  g_autofree char *name = NULL;

  if (text == NULL || text[0] == '\0')
    return TRUE;

  needle = g_utf8_casefold (text, -1);
  if (strstr (ltm_channel_get_channel_id (channel), text) != NULL)
    return TRUE;

  name = g_utf8_casefold (ltm_channel_get_name (channel) != NULL ?
                          ltm_channel_get_name (channel) : "", -1);
  return strstr (name, needle) != NULL;
}

static void
ltm_window_search_changed_cb (LtmWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
ltm_window_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(LtmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      const char *advice = ltm_ui_store_advice (error);
      g_autofree char *text = advice != NULL ? g_strconcat (error->message, " ", advice, NULL)
                                             : g_strdup (error->message);
      g_autofree char *markup = g_markup_escape_text (text, -1);

      adw_status_page_set_description (self->failed_page, markup);
      gtk_stack_set_visible_child_name (self->main_stack, "failed");
    }
  else
    {
      self->loaded = TRUE;
      ltm_window_update_stacks (self);
      ltm_application_remind (LTM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));

      ltm_window_choose_first (self);
    }

  g_clear_handle_id (&self->spinner_source, g_source_remove);
  gtk_spinner_stop (self->loading_spinner);
}

static gboolean
ltm_window_spinner_cb (gpointer user_data)
{
  LtmWindow *self = user_data;

  self->spinner_source = 0;
  gtk_spinner_start (self->loading_spinner);

  return G_SOURCE_REMOVE;
}

static void
ltm_window_load (LtmWindow *self)
{
  self->loaded = FALSE;
  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  if (self->spinner_source == 0)
    self->spinner_source = g_timeout_add (LTM_WINDOW_SPINNER_DELAY_MS, ltm_window_spinner_cb, self);
  ltm_store_load_async (self->store, self->cancellable, ltm_window_loaded_cb,
                        g_object_ref (self));
}

static void
ltm_window_reload_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ltm_window_load (LTM_WINDOW (widget));
}

static void
ltm_window_channel_added_cb (LtmWindow  *self,
                             const char *channel_id)
{
  ltm_window_show_channel (self, channel_id);
  ltm_window_show_page (self, "key");
  ltm_ui_toast (GTK_WIDGET (self), _("Channel added"));
}

static void
ltm_window_add_channel_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);
  LtmAddChannelDialog *dialog = ltm_add_channel_dialog_new (self->store);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "channel-added", G_CALLBACK (ltm_window_channel_added_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ltm_window_search_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
ltm_window_show_page_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ltm_window_show_page (LTM_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
ltm_window_back_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
ltm_window_open_console_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  ltm_ui_open_console (widget);
}

static void
ltm_window_copy_channel_id_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);

  if (self->channel != NULL)
    ltm_ui_copy (widget, ltm_channel_get_channel_id (self->channel), _("Channel ID copied"));
}

/* Rename Channel…: what `ltm channel set --name` does, asked in a dialog. */

static void
ltm_window_rename_changed_cb (GtkEditable      *entry,
                              AdwMessageDialog *dialog)
{
  const char *old_name = g_object_get_data (G_OBJECT (dialog), "ltm-old-name");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "rename",
                                           name[0] != '\0' && g_strcmp0 (name, old_name) != 0);
}

/* The end of a change the window asked the store for: a toast saying
 * @done, or the error for the caller's own words (%NULL when cancelled). */
static GError *
ltm_window_change_finish (LtmWindow    *self,
                          GObject      *source,
                          GAsyncResult *result,
                          const char   *done)
{
  GError *error = NULL;

  if (ltm_store_change_finish (LTM_STORE (source), result, &error))
    ltm_ui_toast (GTK_WIDGET (self), done);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&error);

  return error;
}

static void
ltm_window_removed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LtmWindow) self = user_data;
  g_autoptr(GError) error = ltm_window_change_finish (self, source, result, _("Channel removed"));
  g_autofree char *message = NULL;

  if (error == NULL)
    return;

  /* Translators: %s says why */
  message = g_strdup_printf (_("The channel was not removed: %s"), error->message);
  ltm_ui_toast (GTK_WIDGET (self), message);
}

static void
ltm_window_renamed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LtmWindow) self = user_data;
  g_autoptr(GError) error = ltm_window_change_finish (self, source, result, _("Channel renamed"));
  g_autofree char *message = NULL;

  if (error == NULL)
    return;

  /* Translators: %s says why */
  message = g_strdup_printf (_("The channel was not renamed: %s"), error->message);
  ltm_ui_toast (GTK_WIDGET (self), message);
}

static void
ltm_window_rename_response_cb (AdwMessageDialog *dialog,
                               const char       *response,
                               LtmWindow        *self)
{
  const char *channel_id = g_object_get_data (G_OBJECT (dialog), "ltm-channel-id");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "rename") != 0 || name[0] == '\0')
    return;

  ltm_store_set_name_async (self->store, channel_id, name, self->cancellable,
                            ltm_window_renamed_cb, g_object_ref (self));
}

static void
ltm_window_rename_channel_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);
  const char *name;
  GtkWidget *entry;
  AdwMessageDialog *dialog;

  if (self->channel == NULL)
    return;

  name = ltm_channel_get_name (self->channel);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Rename Channel"),
                                                       NULL));
  /* Translators: %s is the channel ID */
  adw_message_dialog_format_body (dialog, _("The name is only for you; LINE knows channel %s "
                                            "by its ID."),
                                  ltm_channel_get_channel_id (self->channel));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "rename", _("_Rename"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_enabled (dialog, "rename", FALSE);

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), name != NULL ? name : "");
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Channel Name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);

  g_object_set_data_full (G_OBJECT (dialog), "ltm-channel-id",
                          g_strdup (ltm_channel_get_channel_id (self->channel)), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "ltm-old-name", g_strdup (name), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (ltm_window_rename_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (ltm_window_rename_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
ltm_window_remove_response_cb (AdwMessageDialog *dialog,
                               const char       *response,
                               LtmWindow        *self)
{
  const char *channel_id = g_object_get_data (G_OBJECT (dialog), "ltm-channel-id");

  if (g_strcmp0 (response, "remove") != 0)
    return;

  ltm_store_remove_channel_async (self->store, channel_id, self->cancellable,
                                  ltm_window_removed_cb, g_object_ref (self));
}

static void
ltm_window_remove_channel_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);
  g_autofree char *name = NULL;
  AdwMessageDialog *dialog;

  if (self->channel == NULL)
    return;

  name = ltm_channel_dup_display_name (self->channel);

  dialog = ltm_ui_confirm_new (widget, NULL,
                               _("Its key, channel secret and stored tokens are removed from "
                                 "this computer. Tokens already issued stay valid at LINE until "
                                 "they expire: revoke them first if they must stop working."),
                               "remove", _("_Remove"));
  /* Translators: %s is the channel's name */
  adw_message_dialog_format_heading (dialog, _("Remove “%s”?"), name);
  g_object_set_data_full (G_OBJECT (dialog), "ltm-channel-id",
                          g_strdup (ltm_channel_get_channel_id (self->channel)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (ltm_window_remove_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * ltm_window_rotate_channel:
 * @channel_id: a stored channel
 *
 * Shows the channel's Tokens page and rotates its token there.
 */
void
ltm_window_rotate_channel (LtmWindow  *self,
                           const char *channel_id)
{
  g_return_if_fail (LTM_IS_WINDOW (self));

  if (!ltm_window_show_channel (self, channel_id))
    return;

  ltm_window_show_page (self, "tokens");
  gtk_widget_activate_action (GTK_WIDGET (ltm_window_get_page (self, "tokens")), "tokens.rotate",
                              NULL);
}

static void
ltm_window_rotate_channel_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);

  if (self->channel != NULL)
    ltm_window_rotate_channel (self, ltm_channel_get_channel_id (self->channel));
}

static void
ltm_window_rotation_progress (guint    done,
                              guint    total,
                              gpointer user_data)
{
  LtmWindow *self = user_data;
  g_autofree char *text = NULL;

  /* Translators: the first %u counts the channels done, the second all of them */
  text = g_strdup_printf (_("Rotating tokens: %u of %u…"), done, total);
  ltm_activity_update (self->activity, text);
}

static void
ltm_window_rotated_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(LtmWindow) self = user_data;
  g_autoptr(GPtrArray) rotations = NULL;
  g_autoptr(GString) failures = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint failed = 0;

  rotations = ltm_lifecycle_rotate_many_finish (result, &error);
  if (rotations == NULL)
    {
      ltm_activity_fail (self->activity, _("The tokens were not rotated"), error);
      return;
    }

  for (guint i = 0; i < rotations->len; i++)
    {
      LtmRotation *rotation = g_ptr_array_index (rotations, i);
      LtmChannel *channel = ltm_store_find_channel (self->store, rotation->channel_id);
      g_autofree char *name = NULL;

      if (rotation->outcome == LTM_ROTATION_ROTATED)
        continue;

      name = channel != NULL ? ltm_channel_dup_display_name (channel)
                             : g_strdup (rotation->channel_id);
      failed++;
      g_string_append_printf (failures, "%s%s: %s", failures->len > 0 ? "\n" : "",
                              name, rotation->message);
    }

  ltm_application_remind (LTM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
  ltm_window_update_rows (self);

  if (failed == 0)
    {
      g_autofree char *title = NULL;

      ltm_activity_end (self->activity);
      /* Translators: %u is a number of channels */
      title = g_strdup_printf (ngettext ("Rotated %u channel", "Rotated %u channels",
                                         rotations->len), rotations->len);
      ltm_ui_toast (GTK_WIDGET (self), title);
    }
  else
    {
      g_autoptr(GError) report = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                      failures->str);
      g_autofree char *heading = NULL;

      /* Translators: how many channels failed, of how many; the form
       * follows the first number ("1 of 3 channels was…") */
      heading = g_strdup_printf (ngettext ("%u of %u channels was not fully rotated",
                                           "%u of %u channels were not fully rotated",
                                           failed), failed, rotations->len);
      ltm_activity_fail (self->activity, heading, report);
    }
}

static void
ltm_window_rotate_response_cb (AdwMessageDialog *dialog,
                               const char       *response,
                               LtmWindow        *self)
{
  GPtrArray *channel_ids = g_object_get_data (G_OBJECT (dialog), "ltm-channel-ids");
  LtmApplication *app = LTM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;
  GCancellable *cancellable;

  if (g_strcmp0 (response, "rotate") != 0)
    return;

  client = ltm_application_get_client (app, &error);
  if (client == NULL)
    {
      ltm_activity_fail (self->activity, _("The tokens were not rotated"), error);
      return;
    }

  cancellable = ltm_activity_begin (self->activity, _("Rotating tokens…"));
  ltm_lifecycle_rotate_many_async (self->store, client, channel_ids, LTM_LIFECYCLE_DEFAULT_JOBS,
                                   LTM_ROTATE_FLAGS_NONE, -1, ltm_window_rotation_progress, self, cancellable,
                                   ltm_window_rotated_cb, g_object_ref (self));
}

/* win.rotate-expiring: every channel whose token expires within the
 * warning threshold, after asking. */
static void
ltm_window_rotate_expiring_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LtmWindow *self = LTM_WINDOW (widget);
  LtmApplication *app = LTM_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gint64 within = ltm_application_get_warning (app);
  g_autoptr(GPtrArray) channel_ids = NULL;
  AdwMessageDialog *dialog;
  g_autofree char *title = NULL;

  channel_ids = ltm_lifecycle_find_expiring (self->store, g_get_real_time () / G_USEC_PER_SEC,
                                             within);
  if (channel_ids->len == 0)
    {
      int days = (int) (within / (24 * 60 * 60));

      /* Translators: %d is the warning threshold from Preferences, in days */
      title = g_strdup_printf (ngettext ("No token expires within %d day",
                                         "No token expires within %d days", days), days);
      ltm_ui_toast (widget, title);
      return;
    }

  dialog = ltm_ui_confirm_new (widget, NULL,
                               _("Each channel gets a new token, and its old tokens are revoked "
                                 "once the new one is stored. Bots still using an old token stop "
                                 "working until they get the new one."),
                               "rotate", _("_Rotate"));
  /* Translators: %u is a number of channels */
  adw_message_dialog_format_heading (dialog, ngettext ("Rotate the Token of %u Channel?",
                                                       "Rotate the Tokens of %u Channels?",
                                                       channel_ids->len), channel_ids->len);
  g_object_set_data_full (G_OBJECT (dialog), "ltm-channel-ids", g_steal_pointer (&channel_ids),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (ltm_window_rotate_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
ltm_window_close_request (GtkWindow *window)
{
  LtmWindow *self = LTM_WINDOW (window);
  GSettings *settings = ltm_application_get_settings (ltm_application_get_default ());
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (settings);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
  g_settings_apply (settings);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (ltm_window_parent_class)->close_request (window);
}

/* The size, the store and its list: what the window shows of @app. */
static void
ltm_window_setup (LtmWindow      *self,
                  LtmApplication *app)
{
  GSettings *settings = ltm_application_get_settings (app);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->store = g_object_ref (ltm_application_get_store (app));
  self->filter = gtk_custom_filter_new (ltm_window_filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (ltm_store_get_channels (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  gtk_list_box_bind_model (self->channel_list, G_LIST_MODEL (self->filtered),
                           ltm_window_create_row, self, NULL);
  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (ltm_window_items_changed_cb), self, G_CONNECT_SWAPPED);

  /* Time passes, tokens get revoked in place, the warning changes. */
  self->update_rows_source = g_timeout_add_seconds (60, ltm_window_update_rows_cb, self);
  g_signal_connect_object (settings, "changed::expiry-warning-days",
                           G_CALLBACK (ltm_window_update_rows), self, G_CONNECT_SWAPPED);

  ltm_window_set_channel (self, NULL);
  ltm_window_load (self);
}

static void
ltm_window_dispose (GObject *object)
{
  LtmWindow *self = LTM_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->update_rows_source, g_source_remove);
  g_clear_handle_id (&self->spinner_source, g_source_remove);

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_func (self->channel, ltm_window_channel_notify_cb, self);
  g_clear_object (&self->channel);

  if (self->channel_list != NULL)
    gtk_list_box_bind_model (self->channel_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_WINDOW);
  memset (self->pages, 0, sizeof self->pages);

  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ltm_window_parent_class)->dispose (object);
}

static void
ltm_window_class_init (LtmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ltm_window_dispose;
  window_class->close_request = ltm_window_close_request;

  g_type_ensure (LTM_TYPE_ACTIVITY);
  g_type_ensure (LTM_TYPE_LIST_BIN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, content);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, channel_list);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, channel_menu);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, welcome_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, sidebar_menu_button);
  gtk_widget_class_bind_template_child (widget_class, LtmWindow, channel_menu_button);
  gtk_widget_class_bind_template_callback (widget_class, ltm_window_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_window_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_window_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.add-channel", NULL,
                                   ltm_window_add_channel_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, ltm_window_search_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, ltm_window_back_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s",
                                   ltm_window_show_page_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, ltm_window_reload_action);
  gtk_widget_class_install_action (widget_class, "win.remove-channel", NULL,
                                   ltm_window_remove_channel_action);
  gtk_widget_class_install_action (widget_class, "win.rename-channel", NULL,
                                   ltm_window_rename_channel_action);
  gtk_widget_class_install_action (widget_class, "win.open-console", NULL,
                                   ltm_window_open_console_action);
  gtk_widget_class_install_action (widget_class, "win.copy-channel-id", NULL,
                                   ltm_window_copy_channel_id_action);
  gtk_widget_class_install_action (widget_class, "win.rotate-channel", NULL,
                                   ltm_window_rotate_channel_action);
  gtk_widget_class_install_action (widget_class, "win.rotate-expiring", NULL,
                                   ltm_window_rotate_expiring_action);
}

static void
ltm_window_init (LtmWindow *self)
{
  /* Read by bench-startup, which prints where the start-up's time goes. */
  ltm_frame_trace (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));
  ltm_ui_defer_menu (self->welcome_menu_button, self->primary_menu);
  ltm_ui_defer_menu (self->sidebar_menu_button, self->primary_menu);
  ltm_ui_defer_menu (self->channel_menu_button, self->channel_menu);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->sidebar));
  g_signal_connect_object (self->view_stack, "notify::visible-child",
                           G_CALLBACK (ltm_window_visible_page_cb), self, G_CONNECT_SWAPPED);
}
