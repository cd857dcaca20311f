/* ltm-webhook-page.c: bot info, the webhook URL, and its test
 *
 * Every call uses the channel's newest usable access token, read from the
 * keyring when it is needed.  The bot is checked once by itself when the
 * user opens the page for a channel (never at start-up: the page is not
 * shown then), and again whenever the user asks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-page.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-deploy-group.h"
#include "ltm-webhook-events-group.h"
#include "ltm-application.h"
#include "ltm-ui.h"
#include "ltm-webhook-history.h"

struct _LtmWebhookPage
{
  LtmPage parent_instance;

  GPtrArray *watched_tokens;    /* the channel's tokens, for their notify signals */
  char *saved_endpoint;         /* what LINE has, once read or saved */
  gboolean checked;             /* the bot was checked for this channel */
  gboolean url_valid;
  char *refused_key_id;         /* the token LINE last refused (HTTP 401) */

  LtmActivity *activity;
  AdwActionRow *token_row;
  GtkImage *token_icon;
  GtkButton *token_fix_button;
  AdwActionRow *no_token_row;
  AdwActionRow *bot_placeholder_row;
  AdwActionRow *display_name_row;
  GtkLabel *display_name_label;
  AdwActionRow *basic_id_row;
  GtkLabel *basic_id_label;
  AdwActionRow *chat_mode_row;
  GtkLabel *chat_mode_label;
  AdwActionRow *mark_as_read_row;
  GtkLabel *mark_as_read_label;
  AdwEntryRow *url_row;
  AdwActionRow *status_row;
  GtkLabel *status_label;
  GtkLabel *url_error_label;
  AdwPreferencesGroup *test_group;
  GtkImage *result_icon;
  GtkLabel *result_label;
  AdwActionRow *tested_url_row;
  GtkLabel *reason_label;
  GtkLabel *status_code_label;
  AdwActionRow *detail_row;
  AdwActionRow *explanation_row;
  LtmWebhookEventsGroup *events_group;
};

G_DEFINE_FINAL_TYPE (LtmWebhookPage, ltm_webhook_page, LTM_TYPE_PAGE)

typedef enum {
  LTM_WEBHOOK_CALL_CHECK,
  LTM_WEBHOOK_CALL_SAVE,
  LTM_WEBHOOK_CALL_TEST,
} LtmWebhookCallKind;

/* One run of an action: the token lookup, then one or two LINE calls. */
typedef struct {
  LtmWebhookPage *self;
  GCancellable *cancellable;
  LtmWebhookCallKind kind;
  char *endpoint;               /* to save or test; NULL: test the saved one */
  char *channel_id;
  char *key_id;                 /* the token's */
  LtmSecret *token;
  gboolean announce;            /* asked again by the user: say when done */
} LtmWebhookCall;

static void
ltm_webhook_call_free (LtmWebhookCall *call)
{
  g_object_unref (call->self);
  g_object_unref (call->cancellable);
  g_free (call->endpoint);
  g_free (call->channel_id);
  g_free (call->key_id);
  ltm_secret_free (call->token);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookCall, ltm_webhook_call_free)

static gint64
ltm_webhook_page_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static LtmToken *
ltm_webhook_page_get_token (LtmWebhookPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));

  if (channel == NULL)
    return NULL;

  return ltm_channel_get_newest_usable (channel, ltm_webhook_page_now ());
}

static void
ltm_webhook_page_update_actions (LtmWebhookPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  gboolean ready = ltm_webhook_page_get_token (self) != NULL &&
                   !ltm_activity_get_busy (self->activity);

  gtk_widget_action_set_enabled (widget, "webhook.check-bot", ready);
  /* Nothing to save when LINE has this very URL already. */
  gtk_widget_action_set_enabled (widget, "webhook.save", ready && url[0] != '\0' &&
                                 self->url_valid &&
                                 g_strcmp0 (url, self->saved_endpoint) != 0);
  /* An empty URL tests the one saved at LINE, if there is one. */
  gtk_widget_action_set_enabled (widget, "webhook.test", ready && self->url_valid &&
                                 (url[0] != '\0' || self->saved_endpoint != NULL));
  gtk_widget_action_set_enabled (widget, "webhook.copy-url",
                                 ltm_page_get_channel (LTM_PAGE (self)) != NULL && url[0] != '\0');
}

/* Which token the calls use, or that there is none. */
static void
ltm_webhook_page_update_token (LtmWebhookPage *self)
{
  gint64 now = ltm_webhook_page_now ();
  LtmToken *token = ltm_webhook_page_get_token (self);

  gtk_widget_set_visible (GTK_WIDGET (self->token_row), token != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->no_token_row),
                          ltm_page_get_channel (LTM_PAGE (self)) != NULL && token == NULL);

  if (token != NULL)
    {
      g_autofree char *expiry = ltm_ui_format_expiry (ltm_token_get_expires_at (token), now);
      g_autofree char *subtitle = NULL;
      const char *key_id = ltm_token_get_key_id (token);
      gboolean refused = g_strcmp0 (key_id, self->refused_key_id) == 0;

      /* Usable as far as this computer knows, but LINE said no: not a ✓. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->token_row),
                                     refused ? _("LINE refused this token")
                                             : _("Newest usable token"));
      gtk_image_set_from_icon_name (self->token_icon, refused ? "dialog-warning-symbolic"
                                                              : "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->token_icon), refused ? "success" : "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->token_icon), refused ? "warning" : "success");
      gtk_widget_set_visible (GTK_WIDGET (self->token_fix_button), refused);

      if (refused)
        /* Translators: %s is a token's key ID */
        subtitle = g_strdup_printf (_("Key ID %s · It may have been revoked elsewhere: Sync with "
                                      "LINE on the Tokens page to see which tokens still work, "
                                      "or rotate the token."), key_id);
      else
        /* Translators: the first %s is a token's key ID, the second says when
         * it expires, as in "Expires in 5 days" */
        subtitle = g_strdup_printf (_("Key ID %s · %s"), key_id, expiry);
      adw_action_row_set_subtitle (self->token_row, subtitle);
    }

  ltm_webhook_page_update_actions (self);
}

static void
ltm_webhook_page_token_notify_cb (LtmWebhookPage *self)
{
  ltm_webhook_page_update_token (self);
}

static void
ltm_webhook_page_unwatch_tokens (LtmWebhookPage *self)
{
  for (guint i = 0; i < self->watched_tokens->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched_tokens, i),
                                          ltm_webhook_page_token_notify_cb, self);
  g_ptr_array_set_size (self->watched_tokens, 0);
}

/* Follows each token's state: a revoked token is no longer usable. */
static void
ltm_webhook_page_watch_tokens (LtmWebhookPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  GListModel *tokens;
  guint n;

  ltm_webhook_page_unwatch_tokens (self);
  if (channel == NULL)
    return;

  tokens = ltm_channel_get_tokens (channel);
  n = g_list_model_get_n_items (tokens);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);

      g_signal_connect_swapped (token, "notify", G_CALLBACK (ltm_webhook_page_token_notify_cb),
                                self);
      g_ptr_array_add (self->watched_tokens, g_steal_pointer (&token));
    }
}

static void
ltm_webhook_page_tokens_changed_cb (LtmWebhookPage *self)
{
  ltm_webhook_page_watch_tokens (self);
  ltm_webhook_page_update_token (self);
}

static void
ltm_webhook_page_set_value (AdwActionRow *row,
                            GtkLabel     *label,
                            const char   *value)
{
  gtk_label_set_text (label, value);
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL);
}

/* No bot shown: @title and @subtitle say why. */
static void
ltm_webhook_page_clear_bot (LtmWebhookPage *self,
                            const char     *title,
                            const char     *subtitle)
{
  ltm_webhook_page_set_value (self->display_name_row, self->display_name_label, NULL);
  ltm_webhook_page_set_value (self->basic_id_row, self->basic_id_label, NULL);
  ltm_webhook_page_set_value (self->chat_mode_row, self->chat_mode_label, NULL);
  ltm_webhook_page_set_value (self->mark_as_read_row, self->mark_as_read_label, NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->bot_placeholder_row), title);
  adw_action_row_set_subtitle (self->bot_placeholder_row, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->bot_placeholder_row), TRUE);
}

/* What the last check, save and test showed: gone with the channel. */
static void
ltm_webhook_page_clear_results (LtmWebhookPage *self)
{
  ltm_webhook_page_clear_bot (self, _("Not checked yet"),
                              _("Check Bot shows the bot's name and basic ID, and whether the "
                                "token works."));
  ltm_webhook_page_set_value (self->status_row, self->status_label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->test_group), FALSE);
  g_clear_pointer (&self->saved_endpoint, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), "");
}

static const char *
ltm_webhook_page_describe_chat_mode (const char *mode)
{
  if (g_strcmp0 (mode, "bot") == 0)
    return _("Bot");
  if (g_strcmp0 (mode, "chat") == 0)
    return _("Chat");

  return mode;
}

static const char *
ltm_webhook_page_describe_mark_as_read (const char *mode)
{
  if (g_strcmp0 (mode, "auto") == 0)
    return _("Automatic");
  if (g_strcmp0 (mode, "manual") == 0)
    return _("Manual, through the API");

  return mode;
}

static void
ltm_webhook_page_show_bot_info (LtmWebhookPage *self,
                                LtmLineBotInfo *info)
{
  ltm_webhook_page_set_value (self->display_name_row, self->display_name_label,
                              info->display_name);
  ltm_webhook_page_set_value (self->basic_id_row, self->basic_id_label, info->basic_id);
  ltm_webhook_page_set_value (self->chat_mode_row, self->chat_mode_label,
                              ltm_webhook_page_describe_chat_mode (info->chat_mode));
  ltm_webhook_page_set_value (self->mark_as_read_row, self->mark_as_read_label,
                              ltm_webhook_page_describe_mark_as_read (info->mark_as_read_mode));
  gtk_widget_set_visible (GTK_WIDGET (self->bot_placeholder_row), FALSE);
}

/* What LINE has: @webhook, or %NULL when no URL is set. */
static void
ltm_webhook_page_show_webhook (LtmWebhookPage *self,
                               LtmLineWebhook *webhook)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  /* The row shows what LINE has, unless the user typed something else. */
  if (url[0] == '\0' || g_strcmp0 (url, self->saved_endpoint) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row),
                           webhook != NULL ? webhook->endpoint : "");

  g_free (self->saved_endpoint);
  self->saved_endpoint = webhook != NULL ? g_strdup (webhook->endpoint) : NULL;

  if (webhook == NULL)
    {
      ltm_webhook_page_set_value (self->status_row, self->status_label, _("Not set"));
      adw_action_row_set_subtitle (self->status_row,
                                   _("LINE has no webhook URL for this bot: enter one above "
                                     "and save it."));
    }
  else if (webhook->active)
    {
      ltm_webhook_page_set_value (self->status_row, self->status_label, _("In use"));
      adw_action_row_set_subtitle (self->status_row, NULL);
    }
  else
    {
      ltm_webhook_page_set_value (self->status_row, self->status_label, _("Not in use"));
      adw_action_row_set_subtitle (self->status_row,
                                   _("LINE sends no events until “Use webhook” is turned on in "
                                     "the channel's Messaging API settings in the LINE "
                                     "Developers Console."));
    }

  ltm_webhook_page_update_actions (self);
}

static void
ltm_webhook_page_show_test (LtmWebhookPage     *self,
                            const char         *endpoint,
                            LtmLineWebhookTest *test)
{
  GtkWidget *result_label = GTK_WIDGET (self->result_label);
  GtkWidget *result_icon = GTK_WIDGET (self->result_icon);
  g_autofree char *status_code = NULL;

  gtk_label_set_text (self->result_label, test->success ? _("Success") : _("Failed"));
  gtk_image_set_from_icon_name (self->result_icon,
                                test->success ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *widget = i == 0 ? result_label : result_icon;

      gtk_widget_remove_css_class (widget, test->success ? "error" : "success");
      gtk_widget_add_css_class (widget, test->success ? "success" : "error");
    }

  if (endpoint != NULL)
    adw_action_row_set_subtitle (self->tested_url_row, endpoint);
  else if (self->saved_endpoint != NULL)
    adw_action_row_set_subtitle (self->tested_url_row, self->saved_endpoint);
  else
    adw_action_row_set_subtitle (self->tested_url_row, _("The URL saved at LINE"));

  gtk_label_set_text (self->reason_label, test->reason);
  if (test->status_code != 0)
    status_code = g_strdup_printf ("%d", test->status_code);
  gtk_label_set_text (self->status_code_label,
                      status_code != NULL ? status_code : _("None: there was no answer"));
  adw_action_row_set_subtitle (self->detail_row,
                               test->detail != NULL && test->detail[0] != '\0' ?
                               test->detail : _("None"));
  adw_action_row_set_subtitle (self->explanation_row, ltm_line_webhook_test_explain (test));

  gtk_widget_set_visible (GTK_WIDGET (self->test_group), TRUE);
}

static const char *
ltm_webhook_call_failure (LtmWebhookCall *call)
{
  switch (call->kind)
    {
    case LTM_WEBHOOK_CALL_CHECK:
      return _("The bot could not be checked");
    case LTM_WEBHOOK_CALL_SAVE:
      return _("The webhook URL was not saved");
    case LTM_WEBHOOK_CALL_TEST:
    default:
      return _("The webhook was not tested");
    }
}

/* Whether the call still matters: not cancelled by the user, by a change
 * of channel, by a newer call or by the window closing. */
static gboolean
ltm_webhook_call_is_current (LtmWebhookCall *call)
{
  return !g_cancellable_is_cancelled (call->cancellable) && call->self->activity != NULL;
}

/* Fails @call; a 401 is LINE refusing the token itself, which the token
 * row then says, until a call with it succeeds. */
static void
ltm_webhook_call_fail (LtmWebhookCall *call,
                       const char     *heading,
                       const GError   *error)
{
  LtmWebhookPage *self = call->self;

  if (g_error_matches (error, LTM_LINE_ERROR, LTM_LINE_ERROR_UNAUTHORIZED) &&
      call->key_id != NULL)
    {
      g_free (self->refused_key_id);
      self->refused_key_id = g_strdup (call->key_id);
      ltm_webhook_page_update_token (self);
    }

  ltm_activity_fail (self->activity, heading, error);
}

/* LINE took @call's token. */
static void
ltm_webhook_call_accepted (LtmWebhookCall *call)
{
  LtmWebhookPage *self = call->self;

  if (g_strcmp0 (self->refused_key_id, call->key_id) == 0)
    {
      g_clear_pointer (&self->refused_key_id, g_free);
      ltm_webhook_page_update_token (self);
    }
}

static void
ltm_webhook_page_got_webhook_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LtmWebhookCall) call = user_data;
  g_autoptr(LtmLineWebhook) webhook = NULL;
  g_autoptr(GError) error = NULL;

  webhook = ltm_line_client_get_webhook_finish (LTM_LINE_CLIENT (source), result, &error);
  if (!ltm_webhook_call_is_current (call))
    return;

  if (webhook == NULL && !g_error_matches (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NOT_FOUND))
    {
      ltm_webhook_call_fail (call, _("The webhook URL could not be read"), error);
      return;
    }

  /* 404: no URL is set. */
  ltm_webhook_page_show_webhook (call->self, webhook);
  ltm_activity_end (call->self->activity);

  /* The rows may not change at all: say that the check happened. */
  if (call->kind == LTM_WEBHOOK_CALL_CHECK && call->announce)
    ltm_ui_toast (GTK_WIDGET (call->self), _("Bot checked: LINE accepts the token"));
}

static void
ltm_webhook_page_got_bot_info_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(LtmWebhookCall) call = user_data;
  g_autoptr(LtmLineBotInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  info = ltm_webhook_get_bot_info_finish (result, &error);
  if (!ltm_webhook_call_is_current (call))
    return;

  if (info == NULL)
    {
      /* What an earlier check showed no longer holds. */
      ltm_webhook_page_clear_bot (call->self, _("The check failed"),
                                  _("LINE's answer is shown at the top of the page."));
      ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }

  ltm_webhook_call_accepted (call);
  ltm_webhook_page_show_bot_info (call->self, info);
  /* The test events made from now on go to this bot, as LINE's do. */
  ltm_webhook_events_group_set_destination (call->self->events_group, info->user_id);
  client = ltm_application_get_client (ltm_application_get_default (), &error);
  if (client == NULL)
    {
      ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }
  ltm_line_client_get_webhook_async (client, call->token, call->cancellable,
                                     ltm_webhook_page_got_webhook_cb, call);
  g_steal_pointer (&call);
}

static void
ltm_webhook_page_saved_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LtmWebhookCall) call = user_data;
  g_autoptr(GError) error = NULL;
  LtmWebhookPage *self = call->self;

  if (!ltm_line_client_set_webhook_finish (LTM_LINE_CLIENT (source), result, &error))
    {
      if (ltm_webhook_call_is_current (call))
        ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }

  if (!ltm_webhook_call_is_current (call))
    return;

  ltm_webhook_call_accepted (call);
  g_free (self->saved_endpoint);
  self->saved_endpoint = g_strdup (call->endpoint);
  ltm_ui_toast (GTK_WIDGET (self), _("Webhook URL saved"));

  /* Whether LINE uses it is its own setting: read it back. */
  ltm_line_client_get_webhook_async (LTM_LINE_CLIENT (source), call->token, call->cancellable,
                                     ltm_webhook_page_got_webhook_cb, call);
  g_steal_pointer (&call);
}

static void
ltm_webhook_page_tested_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(LtmWebhookCall) call = user_data;
  g_autoptr(LtmLineWebhookTest) test = NULL;
  g_autoptr(GError) error = NULL;

  test = ltm_line_client_test_webhook_finish (LTM_LINE_CLIENT (source), result, &error);
  if (!ltm_webhook_call_is_current (call))
    return;

  if (test == NULL)
    {
      ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }

  ltm_webhook_call_accepted (call);
  ltm_webhook_page_show_test (call->self, call->endpoint, test);
  ltm_activity_end (call->self->activity);
}

static void
ltm_webhook_page_got_token_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(LtmWebhookCall) call = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  call->token = ltm_store_get_token_finish (LTM_STORE (source), result, &error);
  if (!ltm_webhook_call_is_current (call))
    return;

  if (call->token == NULL)
    {
      ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }

  client = ltm_application_get_client (ltm_application_get_default (), &error);
  if (client == NULL)
    {
      ltm_webhook_call_fail (call, ltm_webhook_call_failure (call), error);
      return;
    }

  switch (call->kind)
    {
    case LTM_WEBHOOK_CALL_CHECK:
      ltm_webhook_get_bot_info_async (client, LTM_STORE (source), call->channel_id, call->token,
                                      call->cancellable, ltm_webhook_page_got_bot_info_cb, call);
      break;

    case LTM_WEBHOOK_CALL_SAVE:
      ltm_line_client_set_webhook_async (client, call->token, call->endpoint, call->cancellable,
                                         ltm_webhook_page_saved_cb, call);
      break;

    case LTM_WEBHOOK_CALL_TEST:
    default:
      ltm_line_client_test_webhook_async (client, call->token, call->endpoint, call->cancellable,
                                          ltm_webhook_page_tested_cb, call);
      break;
    }

  g_steal_pointer (&call);
}

/* Reads the newest usable token from the keyring, then makes the call. */
static void
ltm_webhook_page_start (LtmWebhookPage     *self,
                        LtmWebhookCallKind  kind,
                        const char         *endpoint,
                        gboolean            announce)
{
  LtmStore *store = ltm_application_get_store (ltm_application_get_default ());
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  LtmToken *token = ltm_webhook_page_get_token (self);
  LtmWebhookCall *call;
  const char *description;

  if (token == NULL)
    return;

  switch (kind)
    {
    case LTM_WEBHOOK_CALL_CHECK:
      description = _("Checking the bot…");
      break;
    case LTM_WEBHOOK_CALL_SAVE:
      description = _("Saving the webhook URL…");
      break;
    case LTM_WEBHOOK_CALL_TEST:
    default:
      description = _("Testing the webhook…");
      break;
    }

  call = g_new0 (LtmWebhookCall, 1);
  call->self = g_object_ref (self);
  call->kind = kind;
  call->endpoint = g_strdup (endpoint);
  call->channel_id = g_strdup (ltm_channel_get_channel_id (channel));
  call->key_id = g_strdup (ltm_token_get_key_id (token));
  call->announce = announce;
  call->cancellable = g_object_ref (ltm_activity_begin (self->activity, description));

  ltm_store_get_token_async (store, ltm_channel_get_channel_id (channel),
                             ltm_token_get_key_id (token), call->cancellable,
                             ltm_webhook_page_got_token_cb, call);
}

static void
ltm_webhook_page_check_bot_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (widget);

  /* The first check is the page's own, when it opens; a later one the
   * user's, who wants to hear back. */
  gboolean announce = self->checked;

  self->checked = TRUE;
  ltm_webhook_page_start (self, LTM_WEBHOOK_CALL_CHECK, NULL, announce);
}

static void
ltm_webhook_page_save_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (widget);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  if (url[0] == '\0' || !ltm_line_check_webhook_url (url, NULL))
    return;

  ltm_webhook_page_start (self, LTM_WEBHOOK_CALL_SAVE, url, FALSE);
}

static void
ltm_webhook_page_test_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (widget);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  if (url[0] != '\0' && !ltm_line_check_webhook_url (url, NULL))
    return;

  ltm_webhook_page_start (self, LTM_WEBHOOK_CALL_TEST, url[0] != '\0' ? url : NULL, FALSE);
}

static void
ltm_webhook_page_copy_url_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (widget);
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

  if (url[0] != '\0')
    ltm_ui_copy (widget, url, _("Webhook URL copied"));
}

/* Checked as it is typed: what LINE would refuse is never sent. */
static void
ltm_webhook_page_url_changed_cb (LtmWebhookPage *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  g_autoptr(GError) error = NULL;

  self->url_valid = url[0] == '\0' || ltm_line_check_webhook_url (url, &error);

  ltm_ui_set_row_error (GTK_WIDGET (self->url_row), self->url_error_label,
                        self->url_valid ? NULL : error->message);

  ltm_webhook_page_update_actions (self);
}

static void
ltm_webhook_page_busy_cb (LtmWebhookPage *self)
{
  ltm_webhook_page_update_actions (self);
}

/* Enter in the URL saves it, when it can be saved. */
static void
ltm_webhook_page_url_activated_cb (LtmWebhookPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "webhook.save", NULL);
}

/* Opening the page for a channel is the user asking to see its bot. */
static void
ltm_webhook_page_check_once (LtmWebhookPage *self)
{
  if (self->checked || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      ltm_webhook_page_get_token (self) == NULL || ltm_activity_get_busy (self->activity))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "webhook.check-bot", NULL);
}

/* Lets go of @channel's tokens. */
static void
ltm_webhook_page_disconnect (LtmWebhookPage *self,
                             LtmChannel     *channel)
{
  ltm_webhook_page_unwatch_tokens (self);
  if (channel != NULL)
    g_signal_handlers_disconnect_by_func (ltm_channel_get_tokens (channel),
                                          ltm_webhook_page_tokens_changed_cb, self);
}

static void
ltm_webhook_page_channel_changed (LtmPage    *page,
                                  LtmChannel *old_channel)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (page);
  LtmChannel *channel = ltm_page_get_channel (page);

  ltm_webhook_page_disconnect (self, old_channel);

  ltm_activity_clear (self->activity);
  ltm_webhook_page_clear_results (self);
  ltm_webhook_events_group_set_channel (self->events_group, channel);
  self->checked = FALSE;
  g_clear_pointer (&self->refused_key_id, g_free);

  if (channel != NULL)
    g_signal_connect_swapped (ltm_channel_get_tokens (channel), "items-changed",
                              G_CALLBACK (ltm_webhook_page_tokens_changed_cb), self);
  ltm_webhook_page_tokens_changed_cb (self);

  /* Another channel chosen while the page is open. */
  ltm_webhook_page_check_once (self);
}

static void
ltm_webhook_page_map (GtkWidget *widget)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (widget);

  GTK_WIDGET_CLASS (ltm_webhook_page_parent_class)->map (widget);

  /* A token may have been issued, or expired, while the page was away. */
  ltm_webhook_page_update_token (self);
  ltm_webhook_page_check_once (self);
}

static void
ltm_webhook_page_dispose (GObject *object)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (object);

  ltm_webhook_page_disconnect (self, ltm_page_get_channel (LTM_PAGE (self)));

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_WEBHOOK_PAGE);
  g_clear_pointer (&self->saved_endpoint, g_free);
  g_clear_pointer (&self->refused_key_id, g_free);

  G_OBJECT_CLASS (ltm_webhook_page_parent_class)->dispose (object);
}

static void
ltm_webhook_page_finalize (GObject *object)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (object);

  g_ptr_array_unref (self->watched_tokens);

  G_OBJECT_CLASS (ltm_webhook_page_parent_class)->finalize (object);
}

static void
ltm_webhook_page_class_init (LtmWebhookPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LtmPageClass *page_class = LTM_PAGE_CLASS (klass);

  object_class->dispose = ltm_webhook_page_dispose;
  object_class->finalize = ltm_webhook_page_finalize;
  widget_class->map = ltm_webhook_page_map;
  page_class->channel_changed = ltm_webhook_page_channel_changed;

  g_type_ensure (LTM_TYPE_ACTIVITY);
  g_type_ensure (LTM_TYPE_DEPLOY_GROUP);
  g_type_ensure (LTM_TYPE_WEBHOOK_EVENTS_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-webhook-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, token_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, token_fix_button);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, no_token_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, bot_placeholder_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, display_name_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, basic_id_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, basic_id_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, chat_mode_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, chat_mode_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, mark_as_read_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, mark_as_read_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, url_error_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, test_group);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, result_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, result_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, tested_url_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, status_code_label);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, detail_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, explanation_row);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, events_group);
  gtk_widget_class_bind_template_callback (widget_class, ltm_webhook_page_url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_webhook_page_url_activated_cb);

  gtk_widget_class_install_action (widget_class, "webhook.check-bot", NULL,
                                   ltm_webhook_page_check_bot_action);
  gtk_widget_class_install_action (widget_class, "webhook.save", NULL,
                                   ltm_webhook_page_save_action);
  gtk_widget_class_install_action (widget_class, "webhook.test", NULL,
                                   ltm_webhook_page_test_action);
  gtk_widget_class_install_action (widget_class, "webhook.copy-url", NULL,
                                   ltm_webhook_page_copy_url_action);
}

static void
ltm_webhook_page_init (LtmWebhookPage *self)
{
  self->watched_tokens = g_ptr_array_new_with_free_func (g_object_unref);
  self->url_valid = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));
  ltm_webhook_page_clear_results (self);

  g_signal_connect_object (self->activity, "notify::busy",
                           G_CALLBACK (ltm_webhook_page_busy_cb), self, G_CONNECT_SWAPPED);
  ltm_webhook_page_update_token (self);
}
