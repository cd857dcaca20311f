/* ltm-tokens-page.c: the channel's tokens: issue, copy, verify, revoke
 *
 * The list follows the channel's tokens model, so that what the store and
 * `ltm` change shows at once, newest first.  Every call to LINE or the
 * keyring runs through the page's LtmActivity: it says what runs, Cancel
 * stops it, and a failure stays on the page with LINE's own words.  Once
 * LINE has issued or revoked a token the store is told, whatever the user
 * does meanwhile: the keyring never loses a token LINE counts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-tokens-page.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-jwt.h"
#include "ltm-lifecycle.h"
#include "ltm-token-row.h"
#include "ltm-ui.h"

/* LINE's limit of valid v2.1 tokens per channel. */
#define LTM_TOKENS_PAGE_LINE_LIMIT 30
/* How often statuses and "Expires in …" are brought up to date. */
#define LTM_TOKENS_PAGE_TICK_SECONDS 60

struct _LtmTokensPage
{
  AdwBin parent_instance;

  LtmChannel *channel;
  GtkSortListModel *sorted;     /* the channel's tokens, newest first */
  GPtrArray *watched;           /* the tokens whose changes move the counts */
  GSettings *settings;
  guint tick_source;
  char *rotation_report;        /* what the last rotation of this channel did */
  char *sync_report;            /* what LINE's list said last */

  LtmActivity *activity;
  GtkStack *tokens_stack;
  GtkListBox *token_list;
  AdwActionRow *limit_row;
  AdwActionRow *prerequisite_row;
  GtkAdjustment *lifetime_adjustment;
  AdwActionRow *stateless_row;
  AdwActionRow *short_lived_row;
  AdwActionRow *rotate_row;
  AdwActionRow *sync_row;
  AdwActionRow *env_row;
};

G_DEFINE_FINAL_TYPE (LtmTokensPage, ltm_tokens_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
ltm_tokens_page_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static LtmStore *
ltm_tokens_page_get_store (void)
{
  return ltm_application_get_store (ltm_application_get_default ());
}

static LtmLineClient *
ltm_tokens_page_get_client (GError **error)
{
  return ltm_application_get_client (ltm_application_get_default (), error);
}

static gint64
ltm_tokens_page_get_warning (LtmTokensPage *self)
{
  LtmApplication *app = ltm_application_get_default ();

  return app != NULL ? ltm_application_get_warning (app) : LTM_TOKEN_DEFAULT_WARNING;
}

/* Whether the channel can sign assertions: a stored key and its kid. */
static gboolean
ltm_tokens_page_can_sign (LtmTokensPage *self)
{
  const char *kid;

  if (self->channel == NULL || !ltm_channel_get_has_key (self->channel))
    return FALSE;

  kid = ltm_channel_get_kid (self->channel);
  return kid != NULL && kid[0] != '\0';
}

static void
ltm_tokens_page_update (LtmTokensPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gint64 now = ltm_tokens_page_now ();
  gboolean has_channel = self->channel != NULL;
  gboolean idle = has_channel && !ltm_activity_get_busy (self->activity);
  gboolean can_sign = ltm_tokens_page_can_sign (self);
  gboolean has_key = has_channel && ltm_channel_get_has_key (self->channel);
  gboolean has_secret = has_channel && ltm_channel_get_has_secret (self->channel);
  gboolean has_usable = has_channel && ltm_channel_get_newest_usable (self->channel, now) != NULL;
  guint n_tokens = 0;
  guint n_usable_v21 = 0;

  if (has_channel)
    {
      n_tokens = g_list_model_get_n_items (ltm_channel_get_tokens (self->channel));
      n_usable_v21 = ltm_channel_count_usable_v21 (self->channel, now);
    }

  gtk_stack_set_visible_child_name (self->tokens_stack, n_tokens > 0 ? "list" : "empty");

  /* LINE refuses the 31st; Issue stays enabled, and LINE's refusal shows. */
  gtk_widget_set_visible (GTK_WIDGET (self->limit_row),
                          n_usable_v21 >= LTM_TOKENS_PAGE_LINE_LIMIT);

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

static LtmTokenRow *
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
  GListModel *tokens;

  ltm_tokens_page_unwatch (self);

  if (self->channel == NULL)
    return;

  tokens = ltm_channel_get_tokens (self->channel);
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

static void
ltm_tokens_page_disconnect (LtmTokensPage *self)
{
  ltm_tokens_page_unwatch (self);

  if (self->channel != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->channel, self);
      g_signal_handlers_disconnect_by_data (ltm_channel_get_tokens (self->channel), self);
    }
}

/**
 * ltm_tokens_page_get_channel:
 *
 * Returns: (transfer none) (nullable): the channel shown
 */
LtmChannel *
ltm_tokens_page_get_channel (LtmTokensPage *self)
{
  g_return_val_if_fail (LTM_IS_TOKENS_PAGE (self), NULL);

  return self->channel;
}

void
ltm_tokens_page_set_channel (LtmTokensPage *self,
                             LtmChannel  *channel)
{
  g_return_if_fail (LTM_IS_TOKENS_PAGE (self));
  g_return_if_fail (channel == NULL || LTM_IS_CHANNEL (channel));

  if (self->channel == channel)
    return;

  ltm_tokens_page_disconnect (self);
  g_set_object (&self->channel, channel);
  g_clear_pointer (&self->rotation_report, g_free);
  g_clear_pointer (&self->sync_report, g_free);

  /* What ran was for the channel shown before. */
  ltm_activity_clear (self->activity);

  gtk_sort_list_model_set_model (self->sorted,
                                 channel != NULL ? ltm_channel_get_tokens (channel) : NULL);

  if (channel != NULL)
    {
      g_signal_connect_swapped (channel, "notify::kid",
                                G_CALLBACK (ltm_tokens_page_update), self);
      g_signal_connect_swapped (channel, "notify::has-key",
                                G_CALLBACK (ltm_tokens_page_update), self);
      g_signal_connect_swapped (channel, "notify::has-secret",
                                G_CALLBACK (ltm_tokens_page_update), self);
      g_signal_connect_swapped (ltm_channel_get_tokens (channel), "items-changed",
                                G_CALLBACK (ltm_tokens_page_tokens_changed_cb), self);
      ltm_tokens_page_watch (self);
    }

  ltm_tokens_page_update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

/* One call, from the button to the end: what it needs between steps. */
typedef struct {
  LtmTokensPage *self;
  GCancellable *cancellable;    /* the activity's */
  char *channel_id;
  char *kid;
  char *key_id;
  LtmTokenKind kind;
  gint64 lifetime;
  gint64 issued_at;
  LtmLineToken *token;
  LtmSecret *channel_secret;
  LtmSecret *access_token;
  gboolean keep_secret;
  gboolean with_secret;
} LtmTokensOp;

static void
ltm_tokens_op_free (LtmTokensOp *op)
{
  g_clear_object (&op->self);
  g_clear_object (&op->cancellable);
  g_free (op->channel_id);
  g_free (op->kid);
  g_free (op->key_id);
  ltm_line_token_free (op->token);
  ltm_secret_free (op->channel_secret);
  ltm_secret_free (op->access_token);
  g_free (op);
}

/* Starts a call for the channel shown: the activity says @description
 * and offers Cancel. */
static LtmTokensOp *
ltm_tokens_op_new (LtmTokensPage *self,
                   const char    *description)
{
  LtmTokensOp *op = g_new0 (LtmTokensOp, 1);

  op->self = g_object_ref (self);
  op->cancellable = g_object_ref (ltm_activity_begin (self->activity, description));
  op->channel_id = g_strdup (ltm_channel_get_channel_id (self->channel));

  return op;
}

/* Whether the activity still shows @op: neither cancelled nor replaced by
 * another call, and the channel is the same. */
static gboolean
ltm_tokens_op_is_current (LtmTokensOp *op)
{
  return !g_cancellable_is_cancelled (op->cancellable);
}

/* Each step either hands @op on to the next one's callback, or ends it
 * with one of these two, which free it. */
static void
ltm_tokens_op_fail (LtmTokensOp  *op,
                    const char   *heading,
                    const GError *error)
{
  if (ltm_tokens_op_is_current (op))
    ltm_activity_fail (op->self->activity, heading, error);

  ltm_tokens_op_free (op);
}

/* Done; @toast says what happened, even when the user stopped waiting. */
static void
ltm_tokens_op_end (LtmTokensOp *op,
                   const char  *toast)
{
  if (ltm_tokens_op_is_current (op))
    ltm_activity_end (op->self->activity);

  if (toast != NULL)
    ltm_ui_toast (GTK_WIDGET (op->self), toast);

  ltm_tokens_op_free (op);
}

/* Signs the assertion for @op's channel with the key @result brings:
 * for a token of @token_lifetime seconds. */
static char *
ltm_tokens_op_sign (LtmTokensOp   *op,
                    GAsyncResult  *result,
                    gint64         token_lifetime,
                    GError       **error)
{
  g_autoptr(LtmKey) key = ltm_store_get_key_finish (ltm_tokens_page_get_store (), result, error);

  if (key == NULL)
    return NULL;

  op->issued_at = ltm_tokens_page_now ();

  return ltm_jwt_create_assertion (key, op->kid, op->channel_id, op->issued_at,
                                   LTM_JWT_ASSERTION_LIFETIME, token_lifetime, error);
}

/* Issue Token (v2.1) and Issue Short-Lived Token: issue, then keep */

static void
ltm_tokens_page_stored_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      ltm_tokens_op_fail (op, _("LINE issued the token, but it could not be kept"), error);
      return;
    }

  ltm_tokens_op_end (op, _("Token issued"));
}

static void
ltm_tokens_page_issued_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client = LTM_LINE_CLIENT (source);

  if (op->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    op->token = ltm_line_client_issue_short_lived_token_finish (client, result, &error);
  else
    op->token = ltm_line_client_issue_token_finish (client, result, &error);

  if (op->token == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not issued"), error);
      return;
    }

  /* LINE counts the token from now on: it is kept even if the user
   * cancels or turns to another channel meanwhile. */
  ltm_store_add_token_async (ltm_tokens_page_get_store (), op->channel_id, op->kind, op->token,
                             op->issued_at, NULL, ltm_tokens_page_stored_cb, op);
}

static void
ltm_tokens_page_issue_key_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *jwt = NULL;
  LtmLineClient *client;

  if ((jwt = ltm_tokens_op_sign (op, result, op->lifetime, &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not issued"), error);
      return;
    }

  ltm_line_client_issue_token_async (client, jwt, op->cancellable, ltm_tokens_page_issued_cb, op);
}

static void
ltm_tokens_page_issue_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmTokensOp *op;

  if (!ltm_tokens_page_can_sign (self))
    return;

  op = ltm_tokens_op_new (self, _("Issuing a token…"));
  op->kind = LTM_TOKEN_KIND_V21;
  op->kid = g_strdup (ltm_channel_get_kid (self->channel));
  op->lifetime = (gint64) gtk_adjustment_get_value (self->lifetime_adjustment) * 24 * 60 * 60;

  ltm_store_get_key_async (ltm_tokens_page_get_store (), op->channel_id, op->cancellable,
                           ltm_tokens_page_issue_key_cb, op);
}

static void
ltm_tokens_page_short_lived_secret_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  if ((op->channel_secret = ltm_store_get_secret_finish (LTM_STORE (source), result,
                                                         &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not issued"), error);
      return;
    }

  op->issued_at = ltm_tokens_page_now ();
  ltm_line_client_issue_short_lived_token_async (client, op->channel_id, op->channel_secret,
                                                 op->cancellable, ltm_tokens_page_issued_cb, op);
}

static void
ltm_tokens_page_issue_short_lived_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmTokensOp *op;

  if (self->channel == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Issuing a short-lived token…"));
  op->kind = LTM_TOKEN_KIND_SHORT_LIVED;

  ltm_store_get_secret_async (ltm_tokens_page_get_store (), op->channel_id, NULL, op->cancellable,
                              ltm_tokens_page_short_lived_secret_cb, op);
}

/* Issue Stateless Token: not kept, as `ltm token stateless` does not keep
 * it: it lasts 15 minutes and cannot be revoked.  It goes to the clipboard. */

static void
ltm_tokens_page_stateless_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->token = ltm_line_client_issue_stateless_token_finish (LTM_LINE_CLIENT (source), result,
                                                            &error);
  if (op->token == NULL)
    {
      ltm_tokens_op_fail (op, _("The stateless token was not issued"), error);
      return;
    }

  if (ltm_tokens_op_is_current (op))
    ltm_ui_copy (GTK_WIDGET (op->self), op->token->access_token, _("Stateless token copied"));

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_stateless_key_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *jwt = NULL;
  LtmLineClient *client;

  /* A stateless token lives 15 minutes whatever token_exp says. */
  if ((jwt = ltm_tokens_op_sign (op, result, LTM_JWT_ASSERTION_LIFETIME, &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The stateless token was not issued"), error);
      return;
    }

  ltm_line_client_issue_stateless_token_async (client, jwt, op->channel_id, NULL, op->cancellable,
                                               ltm_tokens_page_stateless_cb, op);
}

static void
ltm_tokens_page_stateless_secret_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  if ((op->channel_secret = ltm_store_get_secret_finish (LTM_STORE (source), result,
                                                         &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The stateless token was not issued"), error);
      return;
    }

  ltm_line_client_issue_stateless_token_async (client, NULL, op->channel_id, op->channel_secret,
                                               op->cancellable, ltm_tokens_page_stateless_cb, op);
}

static void
ltm_tokens_page_issue_stateless_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmTokensOp *op;

  if (self->channel == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Issuing a stateless token…"));
  op->kind = LTM_TOKEN_KIND_STATELESS;

  /* The key when the channel has one and its kid, else the channel secret. */
  if (ltm_tokens_page_can_sign (self))
    {
      op->kid = g_strdup (ltm_channel_get_kid (self->channel));
      ltm_store_get_key_async (ltm_tokens_page_get_store (), op->channel_id, op->cancellable,
                               ltm_tokens_page_stateless_key_cb, op);
    }
  else
    ltm_store_get_secret_async (ltm_tokens_page_get_store (), op->channel_id, NULL,
                                op->cancellable, ltm_tokens_page_stateless_secret_cb, op);
}

/* Copy Token */

static void
ltm_tokens_page_copy_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->access_token = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (op->access_token == NULL)
    {
      ltm_tokens_op_fail (op, _("The token could not be copied"), error);
      return;
    }

  if (ltm_tokens_op_is_current (op))
    ltm_ui_copy (GTK_WIDGET (op->self), op->access_token, _("Token copied"));

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_copy_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmTokensOp *op;

  if (self->channel == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Reading the token from the keyring…"));
  op->key_id = g_variant_dup_string (parameter, NULL);

  ltm_store_get_secret_async (ltm_tokens_page_get_store (), op->channel_id, op->key_id,
                              op->cancellable, ltm_tokens_page_copy_cb, op);
}

/* Verify Token */

static void
ltm_tokens_page_verified_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autofree char *remaining = NULL;
  g_autofree char *text = NULL;
  LtmLineClient *client = LTM_LINE_CLIENT (source);
  LtmTokenRow *row;

  if (op->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    info = ltm_line_client_verify_short_lived_token_finish (client, result, &error);
  else
    info = ltm_line_client_verify_token_finish (client, result, &error);

  if (info == NULL)
    {
      ltm_tokens_op_fail (op, _("LINE did not verify the token"), error);
      return;
    }

  if (g_strcmp0 (info->client_id, op->channel_id) != 0)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("LINE says the token belongs to channel %s, not to this one."),
                   info->client_id);
      ltm_tokens_op_fail (op, _("The token belongs to another channel"), error);
      return;
    }

  if (!ltm_tokens_op_is_current (op))
    {
      ltm_tokens_op_end (op, NULL);
      return;
    }

  remaining = ltm_ui_format_remaining (info->expires_in);
  /* Translators: what LINE said of a token; %s is a span of time, like "5 days" */
  text = g_strdup_printf (_("Valid, expires in %s"), remaining);

  if ((row = ltm_tokens_page_find_row (op->self, op->key_id)) != NULL)
    ltm_token_row_set_verified (row, text);

  ltm_tokens_op_end (op, text);
}

static void
ltm_tokens_page_verify_token_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  if ((op->access_token = ltm_store_get_secret_finish (LTM_STORE (source), result,
                                                       &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not verified"), error);
      return;
    }

  if (op->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    ltm_line_client_verify_short_lived_token_async (client, op->access_token, op->cancellable,
                                                    ltm_tokens_page_verified_cb, op);
  else
    ltm_line_client_verify_token_async (client, op->access_token, op->cancellable,
                                        ltm_tokens_page_verified_cb, op);
}

static void
ltm_tokens_page_verify_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  const char *key_id = g_variant_get_string (parameter, NULL);
  LtmTokensOp *op;
  LtmToken *token;

  if (self->channel == NULL || (token = ltm_channel_find_token (self->channel, key_id)) == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Asking LINE about the token…"));
  op->key_id = g_strdup (key_id);
  op->kind = ltm_token_get_kind (token);

  ltm_store_get_secret_async (ltm_tokens_page_get_store (), op->channel_id, op->key_id,
                              op->cancellable, ltm_tokens_page_verify_token_cb, op);
}

/* Revoke Token: asks first, and for the channel secret when none is
 * stored; then does what `ltm token revoke --key-id` does. */

static void
ltm_tokens_page_secret_kept_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      ltm_tokens_op_fail (op, _("The token was revoked, but the channel secret was not kept"),
                          error);
      return;
    }

  ltm_tokens_op_end (op, _("Token revoked"));
}

static void
ltm_tokens_page_marked_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      ltm_tokens_op_fail (op, _("LINE revoked the token, but it could not be marked revoked"),
                          error);
      return;
    }

  /* LINE just accepted the secret the user typed: worth keeping. */
  if (op->keep_secret)
    {
      ltm_store_set_secret_async (LTM_STORE (source), op->channel_id, op->channel_secret, NULL,
                                  ltm_tokens_page_secret_kept_cb, op);
      return;
    }

  ltm_tokens_op_end (op, _("Token revoked"));
}

static void
ltm_tokens_page_revoked_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client = LTM_LINE_CLIENT (source);
  gboolean revoked;

  if (op->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    revoked = ltm_line_client_revoke_short_lived_token_finish (client, result, &error);
  else
    revoked = ltm_line_client_revoke_token_finish (client, result, &error);

  if (!revoked)
    {
      ltm_tokens_op_fail (op, _("The token was not revoked"), error);
      return;
    }

  /* LINE no longer knows the token: the store says so whatever happens now. */
  ltm_store_set_token_state_async (ltm_tokens_page_get_store (), op->channel_id, op->key_id,
                                   TRUE, FALSE, NULL, ltm_tokens_page_marked_cb, op);
}

static void
ltm_tokens_page_revoke_token_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;

  if ((op->access_token = ltm_store_get_secret_finish (LTM_STORE (source), result,
                                                       &error)) == NULL ||
      (client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not revoked"), error);
      return;
    }

  if (op->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    ltm_line_client_revoke_short_lived_token_async (client, op->access_token, op->cancellable,
                                                    ltm_tokens_page_revoked_cb, op);
  else
    ltm_line_client_revoke_token_async (client, op->channel_id, op->channel_secret,
                                        op->access_token, op->cancellable,
                                        ltm_tokens_page_revoked_cb, op);
}

static void
ltm_tokens_page_revoke_secret_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->channel_secret = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (op->channel_secret == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not revoked"), error);
      return;
    }

  ltm_store_get_secret_async (LTM_STORE (source), op->channel_id, op->key_id, op->cancellable,
                              ltm_tokens_page_revoke_token_cb, op);
}

/* What the question gathers to start the revocation. */
typedef struct {
  LtmTokensPage *self;
  AdwMessageDialog *dialog;     /* unowned: it owns this */
  char *channel_id;
  char *key_id;
  LtmTokenKind kind;
  LtmSecret *secret;            /* the channel secret as typed, when asked for */
  gboolean keep_secret;
} LtmTokensRevoke;

static void
ltm_tokens_revoke_free (gpointer  data,
                        GClosure *closure)
{
  LtmTokensRevoke *revoke = data;

  g_clear_object (&revoke->self);
  g_free (revoke->channel_id);
  g_free (revoke->key_id);
  ltm_secret_free (revoke->secret);
  g_free (revoke);
}

static void
ltm_tokens_page_revoke_response_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    LtmTokensRevoke  *revoke)
{
  LtmTokensPage *self = revoke->self;
  LtmStore *store = ltm_tokens_page_get_store ();
  LtmTokensOp *op;

  /* libadwaita 1.2's AdwPasswordEntryRow follows its text's focus without
   * ever disconnecting: the focus must leave before the dialog goes. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  /* The channel may have gone meanwhile (`ltm channel remove`). */
  if (!g_str_equal (response, "revoke") || self->channel == NULL ||
      !g_str_equal (ltm_channel_get_channel_id (self->channel), revoke->channel_id))
    return;

  op = ltm_tokens_op_new (self, _("Revoking the token…"));
  op->key_id = g_strdup (revoke->key_id);
  op->kind = revoke->kind;
  op->channel_secret = g_steal_pointer (&revoke->secret);
  op->keep_secret = op->channel_secret != NULL && revoke->keep_secret;

  if (op->kind != LTM_TOKEN_KIND_SHORT_LIVED && op->channel_secret == NULL)
    ltm_store_get_secret_async (store, op->channel_id, NULL, op->cancellable,
                                ltm_tokens_page_revoke_secret_cb, op);
  else
    ltm_store_get_secret_async (store, op->channel_id, op->key_id, op->cancellable,
                                ltm_tokens_page_revoke_token_cb, op);
}

static void
ltm_tokens_page_secret_changed_cb (GtkEditable     *row,
                                   LtmTokensRevoke *revoke)
{
  const char *text = gtk_editable_get_text (row);

  ltm_secret_free (revoke->secret);
  revoke->secret = text[0] != '\0' ? g_strdup (text) : NULL;
  adw_message_dialog_set_response_enabled (revoke->dialog, "revoke", revoke->secret != NULL);
}

static void
ltm_tokens_page_keep_changed_cb (GtkSwitch       *keep_switch,
                                 GParamSpec      *pspec,
                                 LtmTokensRevoke *revoke)
{
  revoke->keep_secret = gtk_switch_get_active (keep_switch);
}

/* The channel secret typed into the question, and whether to keep it. */
static GtkWidget *
ltm_tokens_page_secret_form (LtmTokensRevoke *revoke)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *secret_row = adw_password_entry_row_new ();
  GtkWidget *keep_row = adw_action_row_new ();
  GtkWidget *keep_switch = gtk_switch_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (secret_row), _("Channel Secret"));
  g_signal_connect (secret_row, "changed", G_CALLBACK (ltm_tokens_page_secret_changed_cb),
                    revoke);
  gtk_list_box_append (GTK_LIST_BOX (list), secret_row);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (keep_row),
                                 _("Keep the Channel Secret in the Keyring"));
  gtk_widget_set_valign (keep_switch, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (keep_switch), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Keep the Channel Secret in the Keyring"), -1);
  revoke->keep_secret = TRUE;
  gtk_switch_set_active (GTK_SWITCH (keep_switch), revoke->keep_secret);
  g_signal_connect (keep_switch, "notify::active", G_CALLBACK (ltm_tokens_page_keep_changed_cb),
                    revoke);
  adw_action_row_add_suffix (ADW_ACTION_ROW (keep_row), keep_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (keep_row), keep_switch);
  gtk_list_box_append (GTK_LIST_BOX (list), keep_row);

  adw_message_dialog_set_response_enabled (revoke->dialog, "revoke", FALSE);

  return list;
}

static void
ltm_tokens_page_revoke_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  const char *key_id = g_variant_get_string (parameter, NULL);
  g_autofree char *body = NULL;
  LtmTokensRevoke *revoke;
  GtkWidget *dialog;
  GtkRoot *root;
  LtmToken *token;
  gboolean ask_secret;

  if (self->channel == NULL || (token = ltm_channel_find_token (self->channel, key_id)) == NULL)
    return;

  /* v2.1 tokens are revoked with the channel secret; short-lived ones without. */
  ask_secret = ltm_token_get_kind (token) != LTM_TOKEN_KIND_SHORT_LIVED &&
               !ltm_channel_get_has_secret (self->channel);

  if (ask_secret)
    /* Translators: %s is the token's key ID */
    body = g_strdup_printf (_("Bots and services using the token %s stop working at once. This "
                              "cannot be undone.\n\nLINE needs the channel secret to revoke it, "
                              "and none is stored for this channel: copy it from the channel's "
                              "Basic settings in the LINE Developers Console."), key_id);
  else
    /* Translators: %s is the token's key ID */
    body = g_strdup_printf (_("Bots and services using the token %s stop working at once. This "
                              "cannot be undone."), key_id);

  root = gtk_widget_get_root (widget);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Revoke the Token?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  revoke = g_new0 (LtmTokensRevoke, 1);
  revoke->self = g_object_ref (self);
  revoke->dialog = ADW_MESSAGE_DIALOG (dialog);
  revoke->channel_id = g_strdup (ltm_channel_get_channel_id (self->channel));
  revoke->key_id = g_strdup (key_id);
  revoke->kind = ltm_token_get_kind (token);

  if (ask_secret)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog),
                                        ltm_tokens_page_secret_form (revoke));

  g_signal_connect_data (dialog, "response", G_CALLBACK (ltm_tokens_page_revoke_response_cb),
                         revoke, ltm_tokens_revoke_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Rotate Token */

static void
ltm_tokens_page_rotated_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmRotation) rotation = NULL;
  LtmTokensPage *self = op->self;

  rotation = ltm_lifecycle_rotate_finish (result, &error);
  if (rotation == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not rotated"), error);
      return;
    }

  if (!ltm_tokens_op_is_current (op))
    {
      ltm_tokens_op_end (op, NULL);
      return;
    }

  g_free (self->rotation_report);
  self->rotation_report = g_strdup (rotation->message);
  ltm_tokens_page_update (self);

  if (rotation->outcome == LTM_ROTATION_ROTATED)
    {
      ltm_tokens_op_end (op, _("Token rotated"));
      return;
    }

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, rotation->message);
  ltm_tokens_op_fail (op,
                      rotation->outcome == LTM_ROTATION_PARTIAL
                      ? _("A new token is stored, but not every old one was revoked")
                      : _("The token was not rotated"),
                      error);
}

static void
ltm_tokens_page_rotate_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;
  LtmTokensOp *op;

  if (self->channel == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Rotating the token…"));

  if ((client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The token was not rotated"), error);
      return;
    }

  ltm_lifecycle_rotate_async (ltm_tokens_page_get_store (), client, op->channel_id,
                              op->cancellable, ltm_tokens_page_rotated_cb, op);
}

/* Sync with LINE */

static void
ltm_tokens_page_reconciled_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmReconciliation) reconciliation = NULL;
  LtmTokensPage *self = op->self;
  GString *report;

  reconciliation = ltm_lifecycle_reconcile_finish (result, &error);
  if (reconciliation == NULL)
    {
      ltm_tokens_op_fail (op, _("The tokens were not compared with LINE"), error);
      return;
    }

  if (!ltm_tokens_op_is_current (op))
    {
      ltm_tokens_op_end (op, NULL);
      return;
    }

  report = g_string_new (NULL);
  /* Translators: what LINE's list of valid v2.1 tokens said; each %u counts tokens,
   * and the last one is out of LINE's limit of 30 */
  g_string_printf (report, _("Stored and valid at LINE: %u. Gone at LINE, marked revoked: %u. "
                             "Issued elsewhere, not stored: %u. Valid at LINE: %u of 30."),
                   reconciliation->known, reconciliation->gone, reconciliation->elsewhere,
                   reconciliation->line_total);
  if (reconciliation->line_total >= LTM_TOKENS_PAGE_LINE_LIMIT)
    g_string_append_printf (report, " %s",
                            _("The channel is at LINE's limit: revoke a token before issuing "
                              "another."));

  g_free (self->sync_report);
  self->sync_report = g_string_free (report, FALSE);
  ltm_tokens_page_update (self);

  ltm_tokens_op_end (op, _("Synced with LINE"));
}

static void
ltm_tokens_page_sync_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  LtmLineClient *client;
  LtmTokensOp *op;

  if (self->channel == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Asking LINE which tokens are valid…"));

  if ((client = ltm_tokens_page_get_client (&error)) == NULL)
    {
      ltm_tokens_op_fail (op, _("The tokens were not compared with LINE"), error);
      return;
    }

  ltm_lifecycle_reconcile_async (ltm_tokens_page_get_store (), client, op->channel_id,
                                 op->cancellable, ltm_tokens_page_reconciled_cb, op);
}

/* Copy as Environment Variables: what `ltm token env` prints */

/* Ends @op with the lines on the clipboard. */
static void
ltm_tokens_page_env_copy (LtmTokensOp *op)
{
  g_autoptr(LtmSecret) text = NULL;

  if (ltm_tokens_op_is_current (op) && op->channel_secret != NULL)
    {
      text = g_strdup_printf ("CHANNEL_ACCESS_TOKEN=%s\nCHANNEL_SECRET=%s\n",
                              op->access_token, op->channel_secret);
      ltm_ui_copy (GTK_WIDGET (op->self), text, _("Environment variables copied"));
    }
  else if (ltm_tokens_op_is_current (op))
    {
      text = g_strdup_printf ("CHANNEL_ACCESS_TOKEN=%s\n", op->access_token);
      ltm_ui_copy (GTK_WIDGET (op->self), text,
                   _("Token copied; no channel secret is stored for this channel"));
    }

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_env_secret_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->channel_secret = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (op->channel_secret == NULL)
    {
      ltm_tokens_op_fail (op, _("The environment variables were not copied"), error);
      return;
    }

  ltm_tokens_page_env_copy (op);
}

static void
ltm_tokens_page_env_token_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(GError) error = NULL;

  op->access_token = ltm_store_get_secret_finish (LTM_STORE (source), result, &error);
  if (op->access_token == NULL)
    {
      ltm_tokens_op_fail (op, _("The environment variables were not copied"), error);
      return;
    }

  if (op->with_secret)
    {
      ltm_store_get_secret_async (LTM_STORE (source), op->channel_id, NULL, op->cancellable,
                                  ltm_tokens_page_env_secret_cb, op);
      return;
    }

  ltm_tokens_page_env_copy (op);
}

static void
ltm_tokens_page_copy_env_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmTokensOp *op;
  LtmToken *newest;

  if (self->channel == NULL ||
      (newest = ltm_channel_get_newest_usable (self->channel, ltm_tokens_page_now ())) == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Reading the token and the channel secret from the keyring…"));
  op->key_id = g_strdup (ltm_token_get_key_id (newest));
  op->with_secret = ltm_channel_get_has_secret (self->channel);

  ltm_store_get_secret_async (ltm_tokens_page_get_store (), op->channel_id, op->key_id,
                              op->cancellable, ltm_tokens_page_env_token_cb, op);
}

static void
ltm_tokens_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_object (value, self->channel);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_tokens_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      ltm_tokens_page_set_channel (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
    ltm_tokens_page_disconnect (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_TOKENS_PAGE);

  g_clear_object (&self->sorted);
  g_clear_object (&self->channel);
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

  object_class->dispose = ltm_tokens_page_dispose;
  object_class->get_property = ltm_tokens_page_get_property;
  object_class->set_property = ltm_tokens_page_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL, LTM_TYPE_CHANNEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-tokens-page.ui");
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

  gtk_widget_class_install_action (widget_class, "tokens.issue", NULL,
                                   ltm_tokens_page_issue_action);
  gtk_widget_class_install_action (widget_class, "tokens.issue-stateless", NULL,
                                   ltm_tokens_page_issue_stateless_action);
  gtk_widget_class_install_action (widget_class, "tokens.issue-short-lived", NULL,
                                   ltm_tokens_page_issue_short_lived_action);
  gtk_widget_class_install_action (widget_class, "tokens.copy", "s",
                                   ltm_tokens_page_copy_action);
  gtk_widget_class_install_action (widget_class, "tokens.verify", "s",
                                   ltm_tokens_page_verify_action);
  gtk_widget_class_install_action (widget_class, "tokens.revoke", "s",
                                   ltm_tokens_page_revoke_action);
  gtk_widget_class_install_action (widget_class, "tokens.rotate", NULL,
                                   ltm_tokens_page_rotate_action);
  gtk_widget_class_install_action (widget_class, "tokens.sync", NULL,
                                   ltm_tokens_page_sync_action);
  gtk_widget_class_install_action (widget_class, "tokens.copy-env", NULL,
                                   ltm_tokens_page_copy_env_action);
}

static void
ltm_tokens_page_init (LtmTokensPage *self)
{
  LtmApplication *app = ltm_application_get_default ();
  GtkCustomSorter *sorter;

  g_type_ensure (LTM_TYPE_TOKEN_ROW);
  gtk_widget_init_template (GTK_WIDGET (self));

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
