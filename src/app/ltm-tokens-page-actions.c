/* ltm-tokens-page-actions.c: what the Tokens page's buttons do
 *
 * Each action is one LtmTokensOp: it begins on the page's activity, runs
 * one workflow of core (ltm-lifecycle.h, the same `ltm token` runs), and
 * ends or fails there.  Once LINE has issued or revoked a token the
 * workflow tells the store, whatever the user does meanwhile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-tokens-page-private.h"

#include <glib/gi18n.h>

#include "ltm-lifecycle.h"
#include "ltm-ui.h"

/* Issue Token (v2.1), Issue Short-Lived Token, Issue Stateless Token: the
 * workflows `ltm token issue`, `short-lived` and `stateless` run.  The
 * stateless token is not kept (it lasts 15 minutes and cannot be
 * revoked): it goes to the clipboard. */

static void
ltm_tokens_page_issued_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(LtmIssuance) issuance = NULL;
  g_autoptr(GError) error = NULL;

  issuance = ltm_lifecycle_issue_finish (result, &error);
  if (issuance == NULL)
    {
      ltm_tokens_op_fail (op, op->failure, error);
      return;
    }

  if (issuance->store_error != NULL)
    {
      ltm_tokens_op_fail (op, _("LINE issued the token, but it could not be kept"),
                          issuance->store_error);
      return;
    }

  if (issuance->kind != LTM_TOKEN_KIND_STATELESS)
    {
      ltm_tokens_op_end (op, _("Token issued"));
      return;
    }

  if (ltm_tokens_op_is_current (op))
    ltm_ui_copy (GTK_WIDGET (op->self), issuance->token->access_token,
                 _("Stateless token copied"));

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_issue_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmLineClient *client;
  LtmTokensOp *op;
  gint64 lifetime;

  if (!ltm_tokens_page_can_sign (self))
    return;

  op = ltm_tokens_op_new (self, _("Issuing a token…"), _("The token was not issued"));
  if (op == NULL || (client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  lifetime = (gint64) gtk_adjustment_get_value (self->lifetime_adjustment) * 24 * 60 * 60;
  ltm_lifecycle_issue_async (ltm_tokens_page_get_store (), client, op->channel_id, NULL, NULL,
                             lifetime, LTM_ISSUE_FLAGS_NONE, op->cancellable,
                             ltm_tokens_page_issued_cb, op);
}

static void
ltm_tokens_page_issue_short_lived_action (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  LtmLineClient *client;
  LtmTokensOp *op;

  op = ltm_tokens_op_new (LTM_TOKENS_PAGE (widget), _("Issuing a short-lived token…"),
                          _("The token was not issued"));
  if (op == NULL || (client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  ltm_lifecycle_issue_short_lived_async (ltm_tokens_page_get_store (), client, op->channel_id,
                                         NULL, LTM_ISSUE_FLAGS_NONE, op->cancellable,
                                         ltm_tokens_page_issued_cb, op);
}

static void
ltm_tokens_page_issue_stateless_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LtmLineClient *client;
  LtmTokensOp *op;

  op = ltm_tokens_op_new (LTM_TOKENS_PAGE (widget), _("Issuing a stateless token…"),
                          _("The stateless token was not issued"));
  if (op == NULL || (client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  /* The stored key when the channel has one and its kid, else the
   * channel secret. */
  ltm_lifecycle_issue_stateless_async (ltm_tokens_page_get_store (), client, op->channel_id,
                                       NULL, NULL, NULL, op->cancellable,
                                       ltm_tokens_page_issued_cb, op);
}

/* Copy Token */

static void
ltm_tokens_page_copy_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;

  if ((token = ltm_store_get_token_finish (LTM_STORE (source), result, &error)) == NULL)
    {
      ltm_tokens_op_fail (op, op->failure, error);
      return;
    }

  if (ltm_tokens_op_is_current (op))
    ltm_ui_copy (GTK_WIDGET (op->self), token, _("Token copied"));

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_copy_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  LtmTokensOp *op;

  op = ltm_tokens_op_new (LTM_TOKENS_PAGE (widget), _("Opening the stored token…"),
                          _("The token could not be copied"));
  if (op == NULL)
    return;

  op->key_id = g_variant_dup_string (parameter, NULL);

  ltm_store_get_token_async (ltm_tokens_page_get_store (), op->channel_id, op->key_id,
                             op->cancellable, ltm_tokens_page_copy_cb, op);
}

/* Verify Token: what `ltm token verify --channel ID --key-id KEYID` does */

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
  LtmTokenRow *row;

  info = ltm_lifecycle_verify_finish (result, &error);
  if (info == NULL)
    {
      ltm_tokens_op_fail (op, _("LINE did not verify the token"), error);
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
ltm_tokens_page_verify_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  const char *key_id = g_variant_get_string (parameter, NULL);
  LtmLineClient *client;
  LtmTokensOp *op;

  if (channel == NULL || ltm_channel_find_token (channel, key_id) == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Asking LINE about the token…"),
                          _("The token was not verified"));
  ltm_activity_set_retry (self->activity, action_name, parameter);
  if ((client = ltm_tokens_op_get_client (op)) == NULL)
    return;
  op->key_id = g_strdup (key_id);

  ltm_lifecycle_verify_async (ltm_tokens_page_get_store (), client, op->channel_id, op->key_id,
                              op->cancellable, ltm_tokens_page_verified_cb, op);
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

/* The revoke workflow of core, as `ltm token revoke --key-id` and
 * rotations use it (a short-lived token: LINE's v2 endpoint, no secret). */
static void
ltm_tokens_page_revoked_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(LtmRevocation) revocation = NULL;
  g_autoptr(GError) error = NULL;

  revocation = ltm_lifecycle_revoke_finish (result, &error);
  if (revocation == NULL || revocation->error != NULL)
    {
      ltm_tokens_op_fail (op, op->failure, revocation != NULL ? revocation->error : error);
      return;
    }

  if (revocation->mark_error != NULL)
    {
      ltm_tokens_op_fail (op, _("LINE revoked the token, but it could not be marked revoked"),
                          revocation->mark_error);
      return;
    }

  /* LINE just accepted the secret the user typed: worth keeping. */
  if (op->keep_secret)
    {
      ltm_store_set_secret_async (ltm_tokens_page_get_store (), op->channel_id,
                                  op->channel_secret, NULL, ltm_tokens_page_secret_kept_cb, op);
      return;
    }

  ltm_tokens_op_end (op, _("Token revoked"));
}

/* What the question gathers to start the revocation. */
typedef struct {
  LtmTokensPage *self;
  AdwMessageDialog *dialog;     /* unowned: it owns this */
  char *channel_id;
  char *key_id;
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
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  const char *key_ids[2] = { NULL, NULL };
  LtmLineClient *client;
  LtmTokensOp *op;

  /* libadwaita 1.2's AdwPasswordEntryRow follows its text's focus without
   * ever disconnecting: the focus must leave before the dialog goes. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  /* The channel may have gone meanwhile (`ltm channel remove`). */
  if (!g_str_equal (response, "revoke") || channel == NULL ||
      !g_str_equal (ltm_channel_get_channel_id (channel), revoke->channel_id))
    return;

  op = ltm_tokens_op_new (self, _("Revoking the token…"), _("The token was not revoked"));
  op->key_id = g_strdup (revoke->key_id);
  op->channel_secret = g_steal_pointer (&revoke->secret);
  op->keep_secret = op->channel_secret != NULL && revoke->keep_secret;

  if ((client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  /* The typed channel secret, or the stored one. */
  key_ids[0] = op->key_id;
  ltm_lifecycle_revoke_async (ltm_tokens_page_get_store (), client, op->channel_id, key_ids,
                              op->channel_secret, op->cancellable,
                              ltm_tokens_page_revoked_cb, op);
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
                                 _("Keep the Channel Secret"));
  gtk_widget_set_valign (keep_switch, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (keep_switch), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Keep the Channel Secret"), -1);
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
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  const char *key_id = g_variant_get_string (parameter, NULL);
  g_autofree char *body = NULL;
  LtmTokensRevoke *revoke;
  GtkWidget *dialog;
  LtmToken *token;
  gboolean ask_secret;

  if (channel == NULL || (token = ltm_channel_find_token (channel, key_id)) == NULL)
    return;

  /* v2.1 tokens are revoked with the channel secret; short-lived ones without. */
  ask_secret = ltm_token_get_kind (token) != LTM_TOKEN_KIND_SHORT_LIVED &&
               !ltm_channel_get_has_secret (channel);

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

  dialog = GTK_WIDGET (ltm_ui_confirm_new (widget, _("Revoke the Token?"), body,
                                           "revoke", _("_Revoke")));

  revoke = g_new0 (LtmTokensRevoke, 1);
  revoke->self = g_object_ref (self);
  revoke->dialog = ADW_MESSAGE_DIALOG (dialog);
  revoke->channel_id = g_strdup (ltm_channel_get_channel_id (channel));
  revoke->key_id = g_strdup (key_id);

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
      ltm_tokens_op_fail (op, op->failure, error);
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
                      : rotation->outcome == LTM_ROTATION_DEPLOY_FAILED
                      ? _("A new token is stored, but delivering it failed; the old tokens stay "
                          "valid")
                      : op->failure,
                      error);
}

static void
ltm_tokens_page_rotate_response_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    LtmTokensPage    *self)
{
  GtkSwitch *revoke_switch = g_object_get_data (G_OBJECT (dialog), "revoke-switch");
  const char *channel_id = g_object_get_data (G_OBJECT (dialog), "ltm-channel-id");
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  LtmRotateFlags flags = LTM_ROTATE_FLAGS_NONE;
  LtmLineClient *client;
  LtmTokensOp *op;

  /* The page may have moved on to another channel meanwhile. */
  if (g_strcmp0 (response, "rotate") != 0 || channel == NULL ||
      g_strcmp0 (ltm_channel_get_channel_id (channel), channel_id) != 0)
    return;

  if (gtk_switch_get_active (revoke_switch))
    flags |= LTM_ROTATE_REVOKE_OLD;

  op = ltm_tokens_op_new (self, _("Rotating the token…"), _("The token was not rotated"));
  if (op == NULL || (client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  /* The policy is core's, the same for Rotate All and `ltm token rotate`. */
  ltm_lifecycle_rotate_async (ltm_tokens_page_get_store (), client, op->channel_id, flags, -1,
                              op->cancellable, ltm_tokens_page_rotated_cb, op);
}

/* Asks first: where the new token goes, and whether the old ones go now. */
static void
ltm_tokens_page_rotate_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  AdwMessageDialog *dialog;
  GtkWidget *group;
  GtkWidget *row;
  GtkWidget *revoke_switch;
  gboolean has_target;

  if (channel == NULL)
    return;

  has_target = ltm_channel_has_deploy_target (channel);
  dialog = ltm_ui_confirm_new (widget, _("Rotate the Token?"),
                               has_target
                               ? _("A new token is issued, stored and delivered to the deploy "
                                   "targets. The old tokens are revoked once every target took "
                                   "it, after the grace period.")
                               : _("A new token is issued and stored. This channel has no "
                                   "deploy target, so nothing shows that the bot has the new "
                                   "token: the old tokens stay valid until they expire."),
                               "rotate", _("_Rotate"));
  adw_message_dialog_set_response_appearance (dialog, "rotate", ADW_RESPONSE_SUGGESTED);

  revoke_switch = gtk_switch_new ();
  gtk_widget_set_valign (revoke_switch, GTK_ALIGN_CENTER);
  /* Off unless asked: with no target a running bot would be cut off. */
  gtk_switch_set_active (GTK_SWITCH (revoke_switch), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (revoke_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Revoke the old tokens now"), -1);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Revoke the old tokens now"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               has_target
                               ? _("Without waiting for the grace period")
                               : _("A bot still using one stops working"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), revoke_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), revoke_switch);
  group = adw_preferences_group_new ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_message_dialog_set_extra_child (dialog, group);
  g_object_set_data (G_OBJECT (dialog), "revoke-switch", revoke_switch);
  g_object_set_data_full (G_OBJECT (dialog), "ltm-channel-id",
                          g_strdup (ltm_channel_get_channel_id (channel)), g_free);

  g_signal_connect_object (dialog, "response", G_CALLBACK (ltm_tokens_page_rotate_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
      ltm_tokens_op_fail (op, op->failure, error);
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
  if (reconciliation->line_total >= LTM_LINE_MAX_V21_TOKENS)
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
  LtmLineClient *client;
  LtmTokensOp *op;

  op = ltm_tokens_op_new (LTM_TOKENS_PAGE (widget), _("Asking LINE which tokens are valid…"),
                          _("The tokens were not compared with LINE"));
  if (op == NULL)
    return;

  ltm_activity_set_retry (op->self->activity, action_name, NULL);
  if ((client = ltm_tokens_op_get_client (op)) == NULL)
    return;

  ltm_lifecycle_reconcile_async (ltm_tokens_page_get_store (), client, op->channel_id,
                                 op->cancellable, ltm_tokens_page_reconciled_cb, op);
}

/* Copy as Environment Variables: what `ltm token env` prints */

static void
ltm_tokens_page_env_read_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  LtmTokensOp *op = user_data;
  g_autoptr(LtmBotEnv) env = NULL;
  g_autoptr(LtmSecret) text = NULL;
  g_autoptr(GError) error = NULL;

  if ((env = ltm_lifecycle_read_env_finish (result, &error)) == NULL)
    {
      ltm_tokens_op_fail (op, op->failure, error);
      return;
    }

  if (ltm_tokens_op_is_current (op))
    {
      text = ltm_lifecycle_format_env (env->access_token, env->channel_secret);
      ltm_ui_copy (GTK_WIDGET (op->self), text,
                   env->channel_secret != NULL
                   ? _("Environment variables copied")
                   : _("Token copied; no channel secret is stored for this channel"));
    }

  ltm_tokens_op_end (op, NULL);
}

static void
ltm_tokens_page_copy_env_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LtmTokensPage *self = LTM_TOKENS_PAGE (widget);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  LtmTokensOp *op;

  if (channel == NULL || ltm_channel_get_newest_usable (channel, ltm_tokens_page_now ()) == NULL)
    return;

  op = ltm_tokens_op_new (self, _("Opening the stored token and channel secret…"),
                          _("The environment variables were not copied"));

  ltm_lifecycle_read_env_async (ltm_tokens_page_get_store (), op->channel_id, op->cancellable,
                                ltm_tokens_page_env_read_cb, op);
}

void
ltm_tokens_page_install_actions (GtkWidgetClass *widget_class)
{
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
