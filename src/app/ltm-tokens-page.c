/* ltm-tokens-page.c: the channel's tokens: issue, copy, verify, revoke
 *
 * The list follows the channel's tokens model, so that what the store and
 * `ltm` change shows at once, newest first.  Every call to LINE or the
 * keyring runs through the page's LtmActivity: it says what runs, Cancel
 * stops it, and a failure stays on the page with LINE's own words.  The
 * calls themselves, what each button does, are in ltm-tokens-page-actions.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-tokens-page.h"

#include <glib/gi18n.h>

#include "ltm-tokens-page-private.h"
#include "ltm-ui.h"

/* How often statuses and "Expires in …" are brought up to date. */
#define LTM_TOKENS_PAGE_TICK_SECONDS 60

G_DEFINE_FINAL_TYPE (LtmTokensPage, ltm_tokens_page, LTM_TYPE_PAGE)

gint64
ltm_tokens_page_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

LtmStore *
ltm_tokens_page_get_store (void)
{
  return ltm_application_get_store (ltm_application_get_default ());
}

static gint64
ltm_tokens_page_get_warning (LtmTokensPage *self)
{
  LtmApplication *app = ltm_application_get_default ();

  return app != NULL ? ltm_application_get_warning (app) : LTM_TOKEN_DEFAULT_WARNING;
}

/* Whether the channel can sign assertions: a stored key and its kid. */
gboolean
ltm_tokens_page_can_sign (LtmTokensPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  const char *kid;

  if (channel == NULL || !ltm_channel_get_has_key (channel))
    return FALSE;

  kid = ltm_channel_get_kid (channel);
  return kid != NULL && kid[0] != '\0';
}

/* What the page says and allows, from the channel and the activity. */
void
ltm_tokens_page_update (LtmTokensPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  GtkWidget *widget = GTK_WIDGET (self);
  gint64 now = ltm_tokens_page_now ();
  gboolean has_channel = channel != NULL;
  gboolean idle = has_channel && !ltm_activity_get_busy (self->activity);
  gboolean can_sign = ltm_tokens_page_can_sign (self);
  gboolean has_key = has_channel && ltm_channel_get_has_key (channel);
  gboolean has_secret = has_channel && ltm_channel_get_has_secret (channel);
  gboolean has_usable = has_channel && ltm_channel_get_newest_usable (channel, now) != NULL;
  guint n_tokens = 0;
  guint n_usable_v21 = 0;

  if (has_channel)
    {
      n_tokens = g_list_model_get_n_items (ltm_channel_get_tokens (channel));
      n_usable_v21 = ltm_channel_count_usable_v21 (channel, now);
    }

  gtk_stack_set_visible_child_name (self->tokens_stack, n_tokens > 0 ? "list" : "empty");

  /* LINE refuses the 31st; Issue stays enabled, and LINE's refusal shows. */
  gtk_widget_set_visible (GTK_WIDGET (self->limit_row),
                          n_usable_v21 >= LTM_LINE_MAX_V21_TOKENS);

  gtk_widget_set_visible (GTK_WIDGET (self->prerequisite_row), has_channel && !can_sign);
  adw_action_row_set_subtitle (self->prerequisite_row,
                               !has_key
                               ? _("Make or import the channel's assertion signing key on the Key "
                                   "page, register its public key in the LINE Developers Console, "
                                   "and save the kid the console shows.")
                               : _("Register the public key in the LINE Developers Console, then "
                                   "save the kid the console shows on the Key page."));

  if (can_sign)
    adw_action_row_set_subtitle (self->stateless_row,
                                 _("Lasts 15 minutes and cannot be revoked. Signed with the "
                                   "channel's key, copied to the clipboard and not kept."));
  else if (has_secret)
    adw_action_row_set_subtitle (self->stateless_row,
                                 _("Lasts 15 minutes and cannot be revoked. Issued with the "
                                   "channel secret, copied to the clipboard and not kept."));
  else
    adw_action_row_set_subtitle (self->stateless_row,
                                 _("Lasts 15 minutes and cannot be revoked. Needs the channel's "
                                   "key and kid, or its channel secret."));

  adw_action_row_set_subtitle (self->short_lived_row,
                               has_secret
                               ? _("Lasts 30 days; issued with the channel secret. LINE keeps 30: "
                                   "the 31st revokes the oldest.")
                               : _("Lasts 30 days. Needs the channel secret, which is not stored "
                                   "for this channel."));

  if (self->rotation_report != NULL)
    adw_action_row_set_subtitle (self->rotate_row, self->rotation_report);
  else if (!can_sign)
    adw_action_row_set_subtitle (self->rotate_row,
                                 _("Issues a new v2.1 token, then revokes the ones it replaces. "
                                   "Needs the channel's key and kid."));
  else if (!has_secret)
    adw_action_row_set_subtitle (self->rotate_row,
                                 _("Issues a new v2.1 token, then revokes the ones it replaces. "
                                   "Needs the channel secret to revoke them."));
  else
    adw_action_row_set_subtitle (self->rotate_row,
                                 _("Issues a new v2.1 token, then revokes the ones it replaces."));

  adw_action_row_set_subtitle (self->sync_row,
                               self->sync_report != NULL
                               ? self->sync_report
                               : _("Asks LINE which v2.1 tokens are valid: stored ones it no "
                                   "longer lists are marked revoked, and tokens issued elsewhere "
                                   "are counted."));

  if (!has_usable)
    adw_action_row_set_subtitle (self->env_row,
                                 _("No usable token is stored yet: issue one first."));
  else if (has_secret)
    adw_action_row_set_subtitle (self->env_row,
                                 _("Copies CHANNEL_ACCESS_TOKEN and CHANNEL_SECRET lines, with the "
                                   "newest token, for a bot's .env file."));
  else
    adw_action_row_set_subtitle (self->env_row,
                                 _("Copies a CHANNEL_ACCESS_TOKEN line with the newest token, for "
                                   "a bot's .env file; no channel secret is stored to add."));

  gtk_widget_action_set_enabled (widget, "tokens.issue", idle && can_sign);
  gtk_widget_action_set_enabled (widget, "tokens.issue-stateless",
                                 idle && (can_sign || has_secret));
  gtk_widget_action_set_enabled (widget, "tokens.issue-short-lived", idle && has_secret);
  gtk_widget_action_set_enabled (widget, "tokens.rotate", idle && can_sign);
  gtk_widget_action_set_enabled (widget, "tokens.sync", idle && can_sign);
  gtk_widget_action_set_enabled (widget, "tokens.copy-env", idle && has_usable);
  gtk_widget_action_set_enabled (widget, "tokens.copy", idle);
  gtk_widget_action_set_enabled (widget, "tokens.verify", idle);
  gtk_widget_action_set_enabled (widget, "tokens.revoke", idle);
}

/* The rows, and through them the counts, for the time now. */
static void
ltm_tokens_page_refresh (LtmTokensPage *self)
{
  gint64 warning = ltm_tokens_page_get_warning (self);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->token_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (LTM_IS_TOKEN_ROW (child))
      ltm_token_row_refresh (LTM_TOKEN_ROW (child), warning);

  ltm_tokens_page_update (self);
}

static gboolean
ltm_tokens_page_tick_cb (gpointer user_data)
{
  ltm_tokens_page_refresh (LTM_TOKENS_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

/* The row of the token @key_id, or %NULL. */
LtmTokenRow *
ltm_tokens_page_find_row (LtmTokensPage *self,
                          const char    *key_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->token_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (LTM_IS_TOKEN_ROW (child) &&
          g_strcmp0 (ltm_token_get_key_id (ltm_token_row_get_token (LTM_TOKEN_ROW (child))),
                     key_id) == 0)
        return LTM_TOKEN_ROW (child);
    }

  return NULL;
}

static GtkWidget *
ltm_tokens_page_create_row (gpointer item,
                            gpointer user_data)
{
  LtmTokensPage *self = user_data;
  LtmTokenRow *row = ltm_token_row_new (LTM_TOKEN (item), ltm_tokens_page_get_warning (self));

  g_object_bind_property (self->activity, "busy", row, "busy", G_BINDING_SYNC_CREATE);

  return GTK_WIDGET (row);
}

static int
ltm_tokens_page_compare_newest_first (gconstpointer a,
                                      gconstpointer b,
                                      gpointer      user_data)
{
  gint64 issued_a = ltm_token_get_issued_at ((LtmToken *) a);
  gint64 issued_b = ltm_token_get_issued_at ((LtmToken *) b);

  if (issued_a == issued_b)
    return 0;

  return issued_a < issued_b ? 1 : -1;
}

/* A token revoked, expired or reported gone changes what counts against
 * LINE's limit and which one is newest. */
static void
ltm_tokens_page_unwatch (LtmTokensPage *self)
{
  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i),
                                          ltm_tokens_page_update, self);

  g_ptr_array_set_size (self->watched, 0);
}

static void
ltm_tokens_page_watch (LtmTokensPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  GListModel *tokens;

  ltm_tokens_page_unwatch (self);

  if (channel == NULL)
    return;

  tokens = ltm_channel_get_tokens (channel);
  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      LtmToken *token = g_list_model_get_item (tokens, i);

      g_signal_connect_swapped (token, "notify::status", G_CALLBACK (ltm_tokens_page_update), self);
      g_ptr_array_add (self->watched, token);
    }
}

static void
ltm_tokens_page_tokens_changed_cb (LtmTokensPage *self)
{
  ltm_tokens_page_watch (self);
  ltm_tokens_page_update (self);
}

/* Lets go of @channel and its tokens. */
static void
ltm_tokens_page_disconnect (LtmTokensPage *self,
                            LtmChannel    *channel)
{
  ltm_tokens_page_unwatch (self);

  if (channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (channel, self);
      g_signal_handlers_disconnect_by_data (ltm_channel_get_tokens (channel), self);
    }
}

/* LINE refused the old kid, perhaps: that no longer holds. */
static void
ltm_tokens_page_kid_notify_cb (LtmTokensPage *self)
{
  ltm_activity_dismiss (self->activity);
  ltm_tokens_page_update (self);
}

static void
ltm_tokens_page_channel_changed (LtmPage    *page,
                                 LtmChannel *old_channel)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (page);
  LtmChannel *channel = ltm_page_get_channel (page);

  ltm_tokens_page_disconnect (self, old_channel);
  g_clear_pointer (&self->rotation_report, g_free);
  g_clear_pointer (&self->sync_report, g_free);

  /* What ran was for the channel shown before. */
  ltm_activity_clear (self->activity);

  gtk_sort_list_model_set_model (self->sorted,
                                 channel != NULL ? ltm_channel_get_tokens (channel) : NULL);

  if (channel != NULL)
    {
      g_signal_connect_swapped (channel, "notify::kid",
                                G_CALLBACK (ltm_tokens_page_kid_notify_cb), self);
      g_signal_connect_swapped (channel, "notify::has-key",
                                G_CALLBACK (ltm_tokens_page_update), self);
      g_signal_connect_swapped (channel, "notify::has-secret",
                                G_CALLBACK (ltm_tokens_page_update), self);
      g_signal_connect_swapped (ltm_channel_get_tokens (channel), "items-changed",
                                G_CALLBACK (ltm_tokens_page_tokens_changed_cb), self);
      ltm_tokens_page_watch (self);
    }

  ltm_tokens_page_update (self);
}

static void
ltm_tokens_op_free (LtmTokensOp *op)
{
  g_clear_object (&op->self);
  g_clear_object (&op->cancellable);
  g_free (op->channel_id);
  g_free (op->key_id);
  ltm_secret_free (op->channel_secret);
  g_free (op);
}

/* Starts a call for the channel shown: the activity says @description
 * and offers Cancel.  @failure is the heading when a step on the way
 * fails (a translated string that stays).  %NULL: no channel is shown. */
LtmTokensOp *
ltm_tokens_op_new (LtmTokensPage *self,
                   const char    *description,
                   const char    *failure)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  LtmTokensOp *op;

  if (channel == NULL)
    return NULL;

  op = g_new0 (LtmTokensOp, 1);
  op->self = g_object_ref (self);
  op->cancellable = g_object_ref (ltm_activity_begin (self->activity, description));
  op->failure = failure;
  op->channel_id = g_strdup (ltm_channel_get_channel_id (channel));

  return op;
}

/* Whether the activity still shows @op: neither cancelled nor replaced by
 * another call, and the channel is the same. */
gboolean
ltm_tokens_op_is_current (LtmTokensOp *op)
{
  return !g_cancellable_is_cancelled (op->cancellable);
}

/* Each step either hands @op on to the next one's callback, or ends it
 * with one of these two, which free it. */
void
ltm_tokens_op_fail (LtmTokensOp  *op,
                    const char   *heading,
                    const GError *error)
{
  if (ltm_tokens_op_is_current (op))
    ltm_activity_fail (op->self->activity, heading, error);

  ltm_tokens_op_free (op);
}

/* Done; @toast says what happened, even when the user stopped waiting. */
void
ltm_tokens_op_end (LtmTokensOp *op,
                   const char  *toast)
{
  if (ltm_tokens_op_is_current (op))
    ltm_activity_end (op->self->activity);

  if (toast != NULL)
    ltm_ui_toast (GTK_WIDGET (op->self), toast);

  ltm_tokens_op_free (op);
}

/* The LINE client for @op's next step; without one, @op fails and is
 * freed, and this returns %NULL. */
LtmLineClient *
ltm_tokens_op_get_client (LtmTokensOp *op)
{
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  client = ltm_application_get_client (ltm_application_get_default (), &error);
  if (client == NULL)
    ltm_tokens_op_fail (op, op->failure, error);

  return client;
}

static void
ltm_tokens_page_dispose (GObject *object)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->activity != NULL)
    g_signal_handlers_disconnect_by_data (self->activity, self);
  if (self->watched != NULL)
    ltm_tokens_page_disconnect (self, ltm_page_get_channel (LTM_PAGE (self)));

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_TOKENS_PAGE);

  g_clear_object (&self->sorted);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_pointer (&self->rotation_report, g_free);
  g_clear_pointer (&self->sync_report, g_free);

  G_OBJECT_CLASS (ltm_tokens_page_parent_class)->dispose (object);
}

static void
ltm_tokens_page_class_init (LtmTokensPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LtmPageClass *page_class = LTM_PAGE_CLASS (klass);

  object_class->dispose = ltm_tokens_page_dispose;

  page_class->channel_changed = ltm_tokens_page_channel_changed;

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-tokens-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, tokens_stack);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, token_list);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, limit_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, prerequisite_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, lifetime_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, stateless_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, short_lived_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, rotate_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, sync_row);
  gtk_widget_class_bind_template_child (widget_class, LtmTokensPage, env_row);

  ltm_tokens_page_install_actions (widget_class);
}

static void
ltm_tokens_page_init (LtmTokensPage *self)
{
  LtmApplication *app = ltm_application_get_default ();
  GtkCustomSorter *sorter;

  g_type_ensure (LTM_TYPE_TOKEN_ROW);
  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));

  self->watched = g_ptr_array_new_with_free_func (g_object_unref);

  sorter = gtk_custom_sorter_new (ltm_tokens_page_compare_newest_first, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (NULL, GTK_SORTER (sorter));
  gtk_list_box_bind_model (self->token_list, G_LIST_MODEL (self->sorted),
                           ltm_tokens_page_create_row, self, NULL);

  g_signal_connect_swapped (self->activity, "notify::busy",
                            G_CALLBACK (ltm_tokens_page_update), self);

  if (app != NULL)
    {
      /* The page's choice starts from, and follows, the Preferences'. */
      self->settings = g_object_ref (ltm_application_get_settings (app));
      g_settings_bind (self->settings, "token-lifetime-days", self->lifetime_adjustment, "value",
                       G_SETTINGS_BIND_GET);
      g_signal_connect_swapped (self->settings, "changed::expiry-warning-days",
                                G_CALLBACK (ltm_tokens_page_refresh), self);
    }

  self->tick_source = g_timeout_add_seconds (LTM_TOKENS_PAGE_TICK_SECONDS,
                                             ltm_tokens_page_tick_cb, self);

  ltm_tokens_page_update (self);
}
