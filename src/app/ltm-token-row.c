/* ltm-token-row.c: one stored token in the Tokens page's list
 *
 * Shows what the metadata says of a token (its kind, key ID, when it was
 * issued, when it expires and its status) and offers Copy, Verify and
 * Revoke.  The row only decides whether those make sense for its token;
 * the Tokens page does them (tokens.copy, tokens.verify and tokens.revoke,
 * with the key ID).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-token-row.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ltm-ui.h"

struct _LtmTokenRow
{
  GtkListBoxRow parent_instance;

  LtmToken *token;
  gint64 warning;
  gboolean busy;
  gboolean refreshing;

  GtkImage *status_icon;
  GtkLabel *kind_label;
  GtkLabel *status_label;
  GtkLabel *key_id_label;
  GtkLabel *dates_label;
  GtkLabel *verified_label;
  GtkButton *copy_button;
  GtkButton *verify_button;
  GtkButton *revoke_button;
};

G_DEFINE_FINAL_TYPE (LtmTokenRow, ltm_token_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_TOKEN,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The style classes a status may give; one at a time. */
static const char * const ltm_token_row_styles[] = { "success", "warning", "error", "dim-label" };

/**
 * ltm_token_row_new:
 * @token: the token shown
 * @warning: how close to its expiry a token counts as expiring, in seconds
 */
LtmTokenRow *
ltm_token_row_new (LtmToken *token,
                   gint64    warning)
{
  LtmTokenRow *self;

  g_return_val_if_fail (LTM_IS_TOKEN (token), NULL);

  self = g_object_new (LTM_TYPE_TOKEN_ROW, "token", token, NULL);
  ltm_token_row_refresh (self, warning);

  return self;
}

/**
 * ltm_token_row_get_token:
 *
 * Returns: (transfer none): the token shown
 */
LtmToken *
ltm_token_row_get_token (LtmTokenRow *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN_ROW (self), NULL);

  return self->token;
}

static const char *
ltm_token_row_kind_name (LtmTokenKind kind)
{
  switch (kind)
    {
    case LTM_TOKEN_KIND_STATELESS:
      return _("Stateless");
    case LTM_TOKEN_KIND_SHORT_LIVED:
      return _("Short-lived");
    case LTM_TOKEN_KIND_V21:
    default:
      return _("v2.1");
    }
}

static void
ltm_token_row_set_style (GtkWidget  *widget,
                         const char *style)
{
  for (guint i = 0; i < G_N_ELEMENTS (ltm_token_row_styles); i++)
    gtk_widget_remove_css_class (widget, ltm_token_row_styles[i]);

  gtk_widget_add_css_class (widget, style);
}

static void
ltm_token_row_update_actions (LtmTokenRow *self)
{
  gboolean revoked = ltm_token_get_revoked (self->token);
  gboolean stateless = ltm_token_get_kind (self->token) == LTM_TOKEN_KIND_STATELESS;

  /* A revoked token's secret is gone from the keyring; a stateless one
   * cannot be revoked at all. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "token.copy", !self->busy && !revoked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "token.verify", !self->busy && !revoked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "token.revoke",
                                 !self->busy && !revoked && !stateless);
}

/* Shows the token as it is now. */
static void
ltm_token_row_update (LtmTokenRow *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *kind = ltm_token_row_kind_name (ltm_token_get_kind (self->token));
  const char *key_id = ltm_token_get_key_id (self->token);
  g_autofree char *issued = ltm_ui_format_date (ltm_token_get_issued_at (self->token));
  g_autofree char *expiry = ltm_ui_format_expiry (ltm_token_get_expires_at (self->token), now);
  g_autofree char *dates = NULL;
  g_autofree char *description = NULL;
  g_autofree char *tooltip = NULL;
  const char *status;
  const char *icon;
  const char *style;

  switch (ltm_token_get_status (self->token))
    {
    case LTM_TOKEN_STATUS_EXPIRING:
      status = _("Expiring soon");
      icon = "dialog-warning-symbolic";
      style = "warning";
      break;

    case LTM_TOKEN_STATUS_EXPIRED:
      status = _("Expired");
      icon = "alarm-symbolic";
      style = "error";
      break;

    case LTM_TOKEN_STATUS_REVOKED:
      status = _("Revoked");
      icon = "action-unavailable-symbolic";
      style = "dim-label";
      break;

    case LTM_TOKEN_STATUS_UNKNOWN:
      status = _("Unknown to LINE");
      icon = "dialog-question-symbolic";
      style = "warning";
      break;

    case LTM_TOKEN_STATUS_VALID:
    default:
      status = _("Valid");
      icon = "emblem-ok-symbolic";
      style = "success";
      break;
    }

  gtk_label_set_text (self->kind_label, kind);
  gtk_label_set_text (self->status_label, status);
  ltm_token_row_set_style (GTK_WIDGET (self->status_label), style);
  gtk_image_set_from_icon_name (self->status_icon, icon);
  ltm_token_row_set_style (GTK_WIDGET (self->status_icon), style);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, status, -1);

  gtk_label_set_text (self->key_id_label, key_id);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->key_id_label), key_id);

  /* A revoked token's expiry no longer means anything. */
  if (ltm_token_get_revoked (self->token))
    /* Translators: %s is a date */
    dates = g_strdup_printf (_("Issued %s"), issued);
  else
    /* Translators: the first %s is a date, the second "Expires in 5 days" or "Expired 2 hours ago" */
    dates = g_strdup_printf (_("Issued %s · %s"), issued, expiry);
  gtk_label_set_text (self->dates_label, dates);

  /* Translators: a list row as a screen reader says it: the kind of token
   * ("v2.1"), its key ID and its status ("Valid") */
  description = g_strdup_printf (_("%s token %s, %s"), kind, key_id, status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, dates,
                                  -1);

  /* Translators: a button's tooltip; %s is the token's key ID */
  tooltip = g_strdup_printf (_("Copy the access token whose key ID is %s"), key_id);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button), tooltip);
  g_free (tooltip);
  /* Translators: a button's tooltip; %s is the token's key ID */
  tooltip = g_strdup_printf (_("Ask LINE whether the token %s is valid"), key_id);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->verify_button), tooltip);
  g_free (tooltip);
  /* Translators: a button's tooltip; %s is the token's key ID */
  tooltip = g_strdup_printf (_("Revoke the token %s"), key_id);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->revoke_button), tooltip);

  /* What LINE said last is stale once the token changed here. */
  if (ltm_token_get_revoked (self->token))
    gtk_widget_set_visible (GTK_WIDGET (self->verified_label), FALSE);

  ltm_token_row_update_actions (self);
}

/**
 * ltm_token_row_refresh:
 * @warning: how close to its expiry a token counts as expiring, in seconds
 *
 * Recomputes the token's status for the current time and shows it.
 */
void
ltm_token_row_refresh (LtmTokenRow *self,
                       gint64       warning)
{
  g_return_if_fail (LTM_IS_TOKEN_ROW (self));

  self->warning = warning;

  /* Updating the status notifies, which brings us back here. */
  self->refreshing = TRUE;
  ltm_token_update_status (self->token, g_get_real_time () / G_USEC_PER_SEC, warning);
  self->refreshing = FALSE;

  ltm_token_row_update (self);
}

/**
 * ltm_token_row_set_verified:
 * @text: (nullable): what LINE said of the token, as in "Valid, expires in 5 days"
 */
void
ltm_token_row_set_verified (LtmTokenRow *self,
                            const char  *text)
{
  g_return_if_fail (LTM_IS_TOKEN_ROW (self));

  gtk_label_set_text (self->verified_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->verified_label), text != NULL);
}

gboolean
ltm_token_row_get_busy (LtmTokenRow *self)
{
  g_return_val_if_fail (LTM_IS_TOKEN_ROW (self), FALSE);

  return self->busy;
}

/* While the page runs a call, the row's actions wait. */
void
ltm_token_row_set_busy (LtmTokenRow *self,
                        gboolean     busy)
{
  g_return_if_fail (LTM_IS_TOKEN_ROW (self));

  busy = !!busy;
  if (self->busy == busy)
    return;

  self->busy = busy;
  ltm_token_row_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
ltm_token_row_token_notify_cb (LtmTokenRow *self)
{
  if (self->refreshing)
    return;

  ltm_token_row_refresh (self, self->warning);
}

/* token.copy, token.verify, token.revoke: the page's, for this token */
static void
ltm_token_row_forward_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmTokenRow *self = LTM_TOKEN_ROW (widget);
  g_autofree char *page_action = g_strconcat ("tokens.", action_name + strlen ("token."), NULL);

  gtk_widget_activate_action (widget, page_action, "s", ltm_token_get_key_id (self->token));
}

static void
ltm_token_row_set_token (LtmTokenRow *self,
                         LtmToken    *token)
{
  g_assert (self->token == NULL);

  self->token = g_object_ref (token);
  g_signal_connect_swapped (token, "notify", G_CALLBACK (ltm_token_row_token_notify_cb), self);
}

static void
ltm_token_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LtmTokenRow *self = LTM_TOKEN_ROW (object);

  switch (prop_id)
    {
    case PROP_TOKEN:
      g_value_set_object (value, self->token);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_token_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LtmTokenRow *self = LTM_TOKEN_ROW (object);

  switch (prop_id)
    {
    case PROP_TOKEN:
      ltm_token_row_set_token (self, g_value_get_object (value));
      break;

    case PROP_BUSY:
      ltm_token_row_set_busy (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_token_row_dispose (GObject *object)
{
  LtmTokenRow *self = LTM_TOKEN_ROW (object);

  if (self->token != NULL)
    g_signal_handlers_disconnect_by_data (self->token, self);
  g_clear_object (&self->token);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_TOKEN_ROW);

  G_OBJECT_CLASS (ltm_token_row_parent_class)->dispose (object);
}

static void
ltm_token_row_class_init (LtmTokenRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_token_row_dispose;
  object_class->get_property = ltm_token_row_get_property;
  object_class->set_property = ltm_token_row_set_property;

  properties[PROP_TOKEN] =
    g_param_spec_object ("token", NULL, NULL, LTM_TYPE_TOKEN,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * LtmTokenRow:busy:
   *
   * Whether the page runs a call: Copy, Verify and Revoke wait.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-token-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, kind_label);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, key_id_label);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, dates_label);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, verified_label);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, verify_button);
  gtk_widget_class_bind_template_child (widget_class, LtmTokenRow, revoke_button);

  gtk_widget_class_install_action (widget_class, "token.copy", NULL,
                                   ltm_token_row_forward_action);
  gtk_widget_class_install_action (widget_class, "token.verify", NULL,
                                   ltm_token_row_forward_action);
  gtk_widget_class_install_action (widget_class, "token.revoke", NULL,
                                   ltm_token_row_forward_action);
}

static void
ltm_token_row_init (LtmTokenRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
