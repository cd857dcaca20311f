/* ltm-webhook-events-group.c: the Webhook page's Events: listen, and see
 * what LINE sends the bot
 *
 * Listen runs an LtmWebhookReceiver (src/core/webhook/) on 127.0.0.1 with
 * the channel secret from the store, recording the events there and
 * forwarding them to the bot when a URL is given.  With a public URL, the
 * channel's webhook URL at LINE points at the user's tunnel until Stop,
 * which puts the old one back (the store keeps it, so a crash is undone
 * by the next listen or `ltm webhook restore`).  Closing the window while
 * listening asks first.
 *
 * The list shows the newest event first: the channel's recorded events
 * (the store keeps the last LTM_STORE_WEBHOOK_EVENTS_KEPT) from when the
 * page shows the channel, then those that arrive; when the user has
 * scrolled down it, the rows they look at stay where they are as events
 * arrive above.  Resend to Bot posts to the bot in Forward to Bot, signed
 * with the channel secret, listening or not; without a bot URL it says
 * where to give one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-events-group.h"

#include <glib/gi18n.h>

#include "ltm-application.h"
#include "ltm-store-webhook.h"
#include "ltm-ui.h"
#include "ltm-webhook-divert.h"
#include "ltm-webhook-event-row.h"
#include "ltm-webhook-history.h"
#include "ltm-webhook-post.h"
#include "ltm-webhook-receiver.h"
#include "ltm-webhook-synth.h"

struct _LtmWebhookEventsGroup
{
  AdwPreferencesGroup parent_instance;

  LtmChannel *channel;
  char *destination;            /* the bot's user ID, if known */
  LtmWebhookReceiver *receiver;
  LtmSecret *secret;            /* the channel secret, while listening */
  LtmSecret *token;             /* the access token that diverted LINE's URL */
  char *diverted_channel;
  GCancellable *cancellable;
  SoupSession *session;
  GListStore *events;
  double last_upper;

  GtkButton *listen_button;
  AdwEntryRow *port_row;
  AdwEntryRow *forward_row;
  AdwEntryRow *public_row;
  AdwActionRow *status_row;
  GtkScrolledWindow *scroller;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (LtmWebhookEventsGroup, ltm_webhook_events_group, ADW_TYPE_PREFERENCES_GROUP)

static LtmStore *
ltm_webhook_events_group_get_store (void)
{
  return ltm_application_get_store (ltm_application_get_default ());
}

static void
ltm_webhook_events_group_update (LtmWebhookEventsGroup *self)
{
  gboolean listening = self->receiver != NULL;
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_button_set_label (self->listen_button, listening ? _("_Stop") : _("_Listen"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->listen_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  listening ? _("Stop") : _("Listen"), -1);
  if (listening)
    gtk_widget_remove_css_class (GTK_WIDGET (self->listen_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->listen_button), "suggested-action");

  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), !listening);
  gtk_widget_set_sensitive (GTK_WIDGET (self->forward_row), !listening);
  gtk_widget_set_sensitive (GTK_WIDGET (self->public_row), !listening);
  gtk_widget_action_set_enabled (widget, "events.listen", self->channel != NULL);
  gtk_widget_action_set_enabled (widget, "events.send-test", listening);
}

/* The bot to resend to: Forward to Bot, when it is a URL a bot may have. */
static const char *
ltm_webhook_events_group_get_bot_url (LtmWebhookEventsGroup  *self,
                                      GError                **error)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->forward_row));

  if (self->receiver != NULL)
    url = ltm_webhook_receiver_get_forward_to (self->receiver);
  if (url == NULL || url[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("To resend an event, type your bot's URL in “Forward to Bot”"));
      return NULL;
    }

  return ltm_webhook_check_bot_url (url, error) ? url : NULL;
}

/* Each row's Resend to Bot: possible with a bot URL, else says why not. */
static void
ltm_webhook_events_group_update_rows (LtmWebhookEventsGroup *self)
{
  g_autoptr(GError) error = NULL;
  const char *bot = ltm_webhook_events_group_get_bot_url (self, &error);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (LTM_IS_WEBHOOK_EVENT_ROW (row))
        ltm_webhook_event_row_set_resend_refusal (LTM_WEBHOOK_EVENT_ROW (row),
                                                  bot == NULL ? error->message : NULL);
    }
}

static void
ltm_webhook_events_group_say (LtmWebhookEventsGroup *self,
                              const char            *title,
                              const char            *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), subtitle != NULL ? subtitle : "");
}

/* Forward to Bot, checked as it is typed */
static void
ltm_webhook_events_group_forward_changed_cb (LtmWebhookEventsGroup *self)
{
  g_autoptr(GError) error = NULL;
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->forward_row));

  if (url[0] != '\0' && !ltm_webhook_check_bot_url (url, &error))
    ltm_ui_set_row_error (GTK_WIDGET (self->forward_row), NULL, error->message);
  else
    ltm_ui_set_row_error (GTK_WIDGET (self->forward_row), NULL, NULL);

  ltm_webhook_events_group_update_rows (self);
}

/* Events arriving */

static GtkWidget *
ltm_webhook_events_group_create_row (gpointer item,
                                     gpointer user_data)
{
  LtmWebhookEventsGroup *self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *row = ltm_webhook_event_row_new (item);

  if (ltm_webhook_events_group_get_bot_url (self, &error) == NULL)
    ltm_webhook_event_row_set_resend_refusal (LTM_WEBHOOK_EVENT_ROW (row), error->message);

  return row;
}

static void
ltm_webhook_events_group_received_cb (LtmWebhookEventsGroup *self,
                                      LtmWebhookEvent       *event)
{
  guint n;

  g_list_store_insert (self->events, 0, event);

  /* As many as the store keeps */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  if (n > LTM_STORE_WEBHOOK_EVENTS_KEPT)
    g_list_store_splice (self->events, LTM_STORE_WEBHOOK_EVENTS_KEPT,
                         n - LTM_STORE_WEBHOOK_EVENTS_KEPT, NULL, 0);
}

/* The recorded events, below any that arrived meanwhile. */
static void
ltm_webhook_events_group_history_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(LtmWebhookEventsGroup) self = user_data;
  g_autoptr(LtmWebhookHistory) history = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) shown = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GPtrArray) older = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->events));

  history = ltm_webhook_load_history_finish (result, &error);
  if (history == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
        ltm_webhook_events_group_say (self, _("The recorded events could not be read"),
                                      error->message);
      return;
    }

  if (self->destination == NULL)
    self->destination = g_strdup (history->destination);

  /* An event that arrived while the store was read may be in both. */
  g_array_set_size (ids, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmWebhookEvent) event = g_list_model_get_item (G_LIST_MODEL (self->events), i);

      g_array_index (ids, gint64, i) = ltm_webhook_event_get_record_id (event);
      g_hash_table_add (shown, &g_array_index (ids, gint64, i));
    }
  for (guint i = 0; i < history->events->len && n + older->len < LTM_STORE_WEBHOOK_EVENTS_KEPT; i++)
    {
      LtmWebhookEvent *event = g_ptr_array_index (history->events, i);
      gint64 id = ltm_webhook_event_get_record_id (event);

      if (!g_hash_table_contains (shown, &id))
        g_ptr_array_add (older, event);
    }

  g_list_store_splice (self->events, n, 0, older->pdata, older->len);
}

static void
ltm_webhook_events_group_load (LtmWebhookEventsGroup *self)
{
  if (self->channel == NULL)
    return;

  ltm_webhook_load_history_async (ltm_webhook_events_group_get_store (),
                                  ltm_channel_get_channel_id (self->channel), self->cancellable,
                                  ltm_webhook_events_group_history_cb, g_object_ref (self));
}

/* A row added above what the user looks at moves it down by its height:
 * move the view with it, unless the user is at the top, watching new ones. */
static void
ltm_webhook_events_group_upper_cb (LtmWebhookEventsGroup *self,
                                   GtkAdjustment         *adjustment)
{
  double upper = gtk_adjustment_get_upper (adjustment);
  double value = gtk_adjustment_get_value (adjustment);

  if (value > 0 && upper > self->last_upper)
    gtk_adjustment_set_value (adjustment, value + upper - self->last_upper);
  self->last_upper = upper;
}

/* Stopping */

static void
ltm_webhook_events_group_restored_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LtmWebhookEventsGroup) self = user_data;
  g_autoptr(LtmWebhookRestore) restore = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  restore = ltm_webhook_restore_finish (result, &error);
  if (error != NULL)
    message = g_strdup_printf (_("LINE's webhook URL could not be put back: %s"), error->message);
  else if (restore != NULL && restore->endpoint != NULL)
    message = g_strdup_printf (_("LINE's webhook URL is back to %s"), restore->endpoint);
  else if (restore != NULL)
    message = g_strdup_printf (_("LINE had no webhook URL before; it stays %s"), restore->public_url);

  if (message != NULL)
    {
      ltm_webhook_events_group_say (self, _("Not listening"), message);
      ltm_ui_toast (GTK_WIDGET (self), message);
    }
}

static void
ltm_webhook_events_group_stop (LtmWebhookEventsGroup *self)
{
  if (self->receiver == NULL)
    return;

  ltm_webhook_receiver_stop (self->receiver);
  g_clear_object (&self->receiver);
  g_clear_pointer (&self->secret, ltm_secret_free);
  ltm_webhook_events_group_say (self, _("Not listening"), NULL);

  if (self->token != NULL)
    {
      g_autoptr(GError) error = NULL;
      LtmLineClient *client = ltm_application_get_client (ltm_application_get_default (), &error);

      if (client != NULL)
        ltm_webhook_restore_async (client, ltm_webhook_events_group_get_store (),
                                   self->diverted_channel, self->token, NULL,
                                   ltm_webhook_events_group_restored_cb, g_object_ref (self));
      g_clear_pointer (&self->token, ltm_secret_free);
      g_clear_pointer (&self->diverted_channel, g_free);
    }

  ltm_webhook_events_group_update (self);
}

/* Listening */

static void
ltm_webhook_events_group_fail (LtmWebhookEventsGroup *self,
                               const char            *what,
                               const GError          *error)
{
  ltm_webhook_events_group_stop (self);
  ltm_webhook_events_group_say (self, what, error != NULL ? error->message : NULL);
}

static void
ltm_webhook_events_group_diverted_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data)
{
  g_autoptr(LtmWebhookEventsGroup) self = user_data;
  g_autoptr(LtmWebhookRestore) restore = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  restore = ltm_webhook_divert_finish (result, &error);
  if (restore == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_pointer (&self->token, ltm_secret_free);
          ltm_webhook_events_group_fail (self, _("LINE's webhook URL was not changed"), error);
        }
      return;
    }

  url = ltm_webhook_receiver_dup_url (self->receiver);
  title = g_strdup_printf (_("Listening on %s"), url);
  if (restore->endpoint != NULL)
    subtitle = g_strdup_printf (_("LINE sends to %s until you stop, then its webhook URL goes back to "
                                  "%s."), restore->public_url, restore->endpoint);
  else
    subtitle = g_strdup_printf (_("LINE sends to %s. It had no webhook URL before, and LINE cannot "
                                  "unset one: this URL stays after you stop."), restore->public_url);
  ltm_webhook_events_group_say (self, title, subtitle);
}

static void
ltm_webhook_events_group_got_token_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(LtmWebhookEventsGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  self->token = ltm_store_get_token_finish (LTM_STORE (source), result, &error);
  if (self->token == NULL ||
      (client = ltm_application_get_client (ltm_application_get_default (), &error)) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ltm_webhook_events_group_fail (self, _("LINE's webhook URL was not changed"), error);
      return;
    }

  self->diverted_channel = g_strdup (ltm_channel_get_channel_id (self->channel));
  ltm_webhook_divert_async (client, LTM_STORE (source), self->diverted_channel, self->token,
                            gtk_editable_get_text (GTK_EDITABLE (self->public_row)),
                            self->cancellable, ltm_webhook_events_group_diverted_cb,
                            g_object_ref (self));
}

static void
ltm_webhook_events_group_got_secret_cb (GObject      *source,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(LtmWebhookEventsGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *url = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  const char *forward = gtk_editable_get_text (GTK_EDITABLE (self->forward_row));
  const char *public_url = gtk_editable_get_text (GTK_EDITABLE (self->public_row));
  LtmToken *token;

  self->secret = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (self->secret == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ltm_webhook_events_group_fail (self, _("Store the channel secret first"), error);
      return;
    }

  self->receiver = ltm_webhook_receiver_new (ltm_channel_get_channel_id (self->channel),
                                             self->secret);
  address = g_strconcat ("127.0.0.1:", gtk_editable_get_text (GTK_EDITABLE (self->port_row)), NULL);
  ltm_webhook_receiver_set_store (self->receiver, LTM_STORE (source));
  g_signal_connect_object (self->receiver, "event-received",
                           G_CALLBACK (ltm_webhook_events_group_received_cb), self,
                           G_CONNECT_SWAPPED);

  if (!ltm_webhook_receiver_set_forward_to (self->receiver, forward[0] != '\0' ? forward : NULL,
                                            &error) ||
      (public_url[0] != '\0' && !ltm_line_check_webhook_url (public_url, &error)) ||
      !ltm_webhook_receiver_listen (self->receiver, address, &error))
    {
      ltm_webhook_events_group_fail (self, _("Could not listen"), error);
      return;
    }

  url = ltm_webhook_receiver_dup_url (self->receiver);
  title = g_strdup_printf (_("Listening on %s"), url);
  if (forward[0] != '\0')
    /* TRANSLATORS: the bot's URL, then the port listened on */
    subtitle = g_strdup_printf (_("Each event is forwarded to your bot at %s. LINE reaches this "
                                  "computer only through a tunnel to port %u; without one, try "
                                  "the bot with Send Test Event."), forward,
                                ltm_webhook_receiver_get_port (self->receiver));
  else
    subtitle = g_strdup_printf (_("Events are shown and recorded; with no bot URL above, none is "
                                  "forwarded. LINE reaches this computer only through a tunnel to "
                                  "port %u."), ltm_webhook_receiver_get_port (self->receiver));
  ltm_webhook_events_group_say (self, title, subtitle);
  ltm_webhook_events_group_update (self);

  if (public_url[0] == '\0')
    return;

  token = ltm_channel_get_newest_usable (self->channel, g_get_real_time () / G_USEC_PER_SEC);
  if (token == NULL)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("Changing LINE's webhook URL needs a channel access token: issue one "
                             "on the Tokens page."));
      ltm_webhook_events_group_fail (self, _("LINE's webhook URL was not changed"), error);
      return;
    }

  ltm_store_get_token_async (LTM_STORE (source), ltm_channel_get_channel_id (self->channel),
                             ltm_token_get_key_id (token), self->cancellable,
                             ltm_webhook_events_group_got_token_cb, g_object_ref (self));
}

static void
ltm_webhook_events_group_listen_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LtmWebhookEventsGroup *self = LTM_WEBHOOK_EVENTS_GROUP (widget);

  if (self->receiver != NULL || self->secret != NULL)
    {
      ltm_webhook_events_group_stop (self);
      return;
    }

  if (self->channel == NULL)
    return;

  ltm_webhook_events_group_say (self, _("Starting…"), NULL);
  ltm_store_get_secret_async (ltm_webhook_events_group_get_store (),
                              ltm_channel_get_channel_id (self->channel), self->cancellable,
                              ltm_webhook_events_group_got_secret_cb, g_object_ref (self));
}

/* Sending */

/* A body on its way to a bot. */
typedef struct {
  LtmWebhookEventsGroup *self;
  char *url;
  GBytes *body;
  char *what;                   /* for the toast that says how it went */
  gboolean to_bot;              /* to the bot itself, not through the receiver */
} LtmWebhookSend;

static void
ltm_webhook_send_free (LtmWebhookSend *send)
{
  g_object_unref (send->self);
  g_free (send->url);
  g_bytes_unref (send->body);
  g_free (send->what);
  g_free (send);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookSend, ltm_webhook_send_free)

static LtmWebhookSend *
ltm_webhook_send_new (LtmWebhookEventsGroup *self,
                      const char            *url,
                      GBytes                *body,
                      const char            *what)
{
  LtmWebhookSend *send = g_new0 (LtmWebhookSend, 1);

  send->self = g_object_ref (self);
  send->url = g_strdup (url);
  send->body = g_bytes_ref (body);
  send->what = g_strdup (what);

  return send;
}

static void
ltm_webhook_events_group_sent_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LtmWebhookSend) send = user_data;
  g_autoptr(LtmWebhookAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  answer = ltm_webhook_post_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (answer == NULL)
    message = g_strdup_printf (_("%s failed: %s"), send->what, error->message);
  else if (send->to_bot)
    /* TRANSLATORS: what was sent, the bot's HTTP status, and its time */
    message = g_strdup_printf (_("%s: the bot answered %u in %d ms"), send->what,
                               answer->status, (int) (answer->time_us / 1000));

  /* Through the receiver, the event's row says what the bot answered. */
  if (message != NULL)
    ltm_ui_toast (GTK_WIDGET (send->self), message);
}

/* Signs @send's body with @secret and posts it (transfer full). */
static void
ltm_webhook_events_group_post (LtmWebhookSend *send,
                               const char     *secret)
{
  LtmWebhookEventsGroup *self = send->self;
  g_autofree char *signature = ltm_webhook_sign (secret, g_bytes_get_data (send->body, NULL),
                                                 g_bytes_get_size (send->body));

  if (self->session == NULL)
    self->session = ltm_webhook_session_new ();
  ltm_webhook_post_async (self->session, send->url, send->body, NULL, NULL, signature,
                          self->cancellable, ltm_webhook_events_group_sent_cb, send);
}

static void
ltm_webhook_events_group_resend_secret_cb (GObject      *source,
                                           GAsyncResult *result,
                                           gpointer      user_data)
{
  g_autoptr(LtmWebhookSend) send = user_data;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;

  secret = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (secret == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("%s failed: %s"), send->what,
                                                      error->message);

          ltm_ui_toast (GTK_WIDGET (send->self), message);
        }
      return;
    }

  ltm_webhook_events_group_post (g_steal_pointer (&send), secret);
}

/**
 * ltm_webhook_events_group_resend:
 * @self: the group
 * @event: an event in its list
 *
 * Sends @event to the bot in Forward to Bot again, as LINE redelivers
 * it, signed with the channel secret.
 */
void
ltm_webhook_events_group_resend (LtmWebhookEventsGroup *self,
                                 LtmWebhookEvent       *event)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookSend *send;
  const char *bot;

  g_return_if_fail (LTM_IS_WEBHOOK_EVENTS_GROUP (self));

  if (self->channel == NULL)
    return;

  if ((bot = ltm_webhook_events_group_get_bot_url (self, &error)) == NULL ||
      (body = ltm_webhook_redelivery_body (ltm_webhook_event_get_body (event),
                                           ltm_webhook_event_get_index (event), &error)) == NULL)
    {
      ltm_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  send = ltm_webhook_send_new (self, bot, body, _("Resending to the bot"));
  send->to_bot = TRUE;
  if (self->secret != NULL)
    {
      ltm_webhook_events_group_post (send, self->secret);
      return;
    }

  /* Not listening: the secret is read for this one. */
  ltm_store_get_secret_async (ltm_webhook_events_group_get_store (),
                              ltm_channel_get_channel_id (self->channel), self->cancellable,
                              ltm_webhook_events_group_resend_secret_cb, send);
}

static void
ltm_webhook_events_group_send_response_cb (AdwMessageDialog      *dialog,
                                           const char            *response,
                                           LtmWebhookEventsGroup *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "ltm-text");
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;

  if (g_strcmp0 (response, "send") != 0 || self->receiver == NULL)
    return;

  /* To the bot's own user ID, as LINE sends them */
  body = ltm_webhook_synth_body (LTM_WEBHOOK_SYNTH_MESSAGE, gtk_editable_get_text (entry),
                                 self->destination, g_get_real_time () / 1000);

  /* Through this receiver: shown, recorded and forwarded like LINE's own */
  url = ltm_webhook_receiver_dup_url (self->receiver);
  ltm_webhook_events_group_post (ltm_webhook_send_new (self, url, body, _("Sending the test event")),
                                 self->secret);
}

static void
ltm_webhook_events_group_send_test_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter)
{
  LtmWebhookEventsGroup *self = LTM_WEBHOOK_EVENTS_GROUP (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Send Test Event"),
                                                       _("A text message from a test user, signed "
                                                         "with the channel secret as LINE signs it.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "send", _("_Send"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), _("Hello"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Message Text"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_object_set_data (G_OBJECT (dialog), "ltm-text", entry);

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (ltm_webhook_events_group_send_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Closing the window while listening */

static gboolean
ltm_webhook_events_group_close_window_cb (gpointer user_data)
{
  gtk_window_close (user_data);

  return G_SOURCE_REMOVE;
}

static void
ltm_webhook_events_group_close_response_cb (AdwMessageDialog      *dialog,
                                            const char            *response,
                                            LtmWebhookEventsGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (g_strcmp0 (response, "close") != 0)
    return;

  ltm_webhook_events_group_stop (self);

  /* Once the dialog, transient for the window, is gone */
  if (GTK_IS_WINDOW (root))
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, ltm_webhook_events_group_close_window_cb,
                     g_object_ref (root), g_object_unref);
}

static gboolean
ltm_webhook_events_group_close_request_cb (LtmWebhookEventsGroup *self,
                                           GtkWindow             *window)
{
  AdwMessageDialog *dialog;

  if (self->receiver == NULL)
    return FALSE;

  dialog = ltm_ui_confirm_new (GTK_WIDGET (self), _("Stop Listening?"),
                               self->token != NULL
                               ? _("LINE's webhook URL is put back, and events no longer reach this "
                                   "computer.")
                               : _("Events no longer reach this computer."),
                               "close", _("_Stop and Close"));
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (ltm_webhook_events_group_close_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
ltm_webhook_events_group_root (GtkWidget *widget)
{
  GtkRoot *root;

  GTK_WIDGET_CLASS (ltm_webhook_events_group_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    g_signal_connect_object (root, "close-request",
                             G_CALLBACK (ltm_webhook_events_group_close_request_cb), widget,
                             G_CONNECT_SWAPPED);
}

static void
ltm_webhook_events_group_unroot (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (root != NULL)
    g_signal_handlers_disconnect_by_func (root, ltm_webhook_events_group_close_request_cb, widget);

  GTK_WIDGET_CLASS (ltm_webhook_events_group_parent_class)->unroot (widget);
}

/* The object */

/**
 * ltm_webhook_events_group_set_channel:
 * @self: the group
 * @channel: (nullable): the channel shown
 *
 * Another channel stops listening for the one before.
 */
void
ltm_webhook_events_group_set_channel (LtmWebhookEventsGroup *self,
                                      LtmChannel            *channel)
{
  g_return_if_fail (LTM_IS_WEBHOOK_EVENTS_GROUP (self));

  if (self->channel == channel)
    return;

  ltm_webhook_events_group_stop (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_list_store_remove_all (self->events);
  g_clear_pointer (&self->destination, g_free);
  g_set_object (&self->channel, channel);
  ltm_webhook_events_group_update (self);
  ltm_webhook_events_group_load (self);
}

/**
 * ltm_webhook_events_group_set_destination:
 * @self: the group
 * @user_id: the bot's user ID, as bot info gave it
 *
 * The destination of the test events made from now on.
 */
void
ltm_webhook_events_group_set_destination (LtmWebhookEventsGroup *self,
                                          const char            *user_id)
{
  g_return_if_fail (LTM_IS_WEBHOOK_EVENTS_GROUP (self));

  g_free (self->destination);
  self->destination = g_strdup (user_id);
}

gboolean
ltm_webhook_events_group_get_listening (LtmWebhookEventsGroup *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_EVENTS_GROUP (self), FALSE);

  return self->receiver != NULL;
}

static void
ltm_webhook_events_group_dispose (GObject *object)
{
  LtmWebhookEventsGroup *self = LTM_WEBHOOK_EVENTS_GROUP (object);

  /* A restore that cannot finish now stays in the store for the next listen. */
  g_cancellable_cancel (self->cancellable);
  if (self->receiver != NULL)
    ltm_webhook_receiver_stop (self->receiver);
  g_clear_object (&self->receiver);
  g_clear_pointer (&self->secret, ltm_secret_free);
  g_clear_pointer (&self->token, ltm_secret_free);
  g_clear_pointer (&self->diverted_channel, g_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->channel);
  g_clear_pointer (&self->destination, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_WEBHOOK_EVENTS_GROUP);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (ltm_webhook_events_group_parent_class)->dispose (object);
}

static void
ltm_webhook_events_group_class_init (LtmWebhookEventsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_webhook_events_group_dispose;
  widget_class->root = ltm_webhook_events_group_root;
  widget_class->unroot = ltm_webhook_events_group_unroot;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-webhook-events-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, listen_button);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, port_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, forward_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, public_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, scroller);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventsGroup, list);

  gtk_widget_class_install_action (widget_class, "events.listen", NULL,
                                   ltm_webhook_events_group_listen_action);
  gtk_widget_class_install_action (widget_class, "events.send-test", NULL,
                                   ltm_webhook_events_group_send_test_action);
}

static void
ltm_webhook_events_group_init (LtmWebhookEventsGroup *self)
{
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->events = g_list_store_new (LTM_TYPE_WEBHOOK_EVENT);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->events),
                           ltm_webhook_events_group_create_row, self, NULL);

  g_signal_connect_object (self->forward_row, "changed",
                           G_CALLBACK (ltm_webhook_events_group_forward_changed_cb), self,
                           G_CONNECT_SWAPPED);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adjustment, "changed",
                           G_CALLBACK (ltm_webhook_events_group_upper_cb), self,
                           G_CONNECT_SWAPPED);

  ltm_webhook_events_group_update (self);
}
