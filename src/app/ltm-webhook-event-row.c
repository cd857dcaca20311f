/* ltm-webhook-event-row.c: one webhook event in the Events list
 *
 * Title: the type and what it says; subtitle, on one line (and whole in
 * its tooltip): whether the signature verified, what the bot answered
 * (kept up to date as the bot answers), when, and from where.  One line
 * each, so that every row has the height the list was measured with.  Copy Body copies the body as LINE sent it; Resend to
 * Bot is the Events group's (ltm-webhook-events-group.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-event-row.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ltm-ui.h"
#include "ltm-webhook-events-group.h"

struct _LtmWebhookEventRow
{
  AdwActionRow parent_instance;

  LtmWebhookEvent *event;
  GtkImage *signature_icon;
  GtkWidget *resend_button;
};

G_DEFINE_FINAL_TYPE (LtmWebhookEventRow, ltm_webhook_event_row, ADW_TYPE_ACTION_ROW)

static char *
ltm_webhook_event_row_describe_bot (LtmWebhookEvent *event)
{
  gint64 ms = ltm_webhook_event_get_bot_time (event) / 1000;

  switch (ltm_webhook_event_get_bot_state (event))
    {
    case LTM_WEBHOOK_BOT_ANSWERED:
      if (ltm_webhook_event_get_bot_late (event))
        /* TRANSLATORS: the bot's HTTP status and its time; LINE gave up waiting */
        return g_strdup_printf (_("bot answered %u after %d ms: too late for LINE"),
                                ltm_webhook_event_get_bot_status (event), (int) ms);
      /* TRANSLATORS: the bot's HTTP status and its time */
      return g_strdup_printf (_("bot answered %u in %d ms"),
                              ltm_webhook_event_get_bot_status (event), (int) ms);
    case LTM_WEBHOOK_BOT_FAILED:
      return g_strdup_printf (_("bot failed: %s"), ltm_webhook_event_get_bot_message (event));
    case LTM_WEBHOOK_BOT_REFUSED:
      return g_strdup (_("not forwarded: answered LINE with 401"));
    case LTM_WEBHOOK_BOT_WAITING:
      return g_strdup (_("waiting for the bot…"));
    case LTM_WEBHOOK_BOT_NONE:
    default:
      return g_strdup (_("no bot to forward to"));
    }
}

/* The bot failed, answered other than 2xx, or too late for LINE. */
static gboolean
ltm_webhook_event_row_bot_failed (LtmWebhookEvent *event)
{
  switch (ltm_webhook_event_get_bot_state (event))
    {
    case LTM_WEBHOOK_BOT_FAILED:
      return TRUE;
    case LTM_WEBHOOK_BOT_ANSWERED:
      return ltm_webhook_event_get_bot_late (event) ||
             !SOUP_STATUS_IS_SUCCESSFUL (ltm_webhook_event_get_bot_status (event));
    case LTM_WEBHOOK_BOT_NONE:
    case LTM_WEBHOOK_BOT_WAITING:
    case LTM_WEBHOOK_BOT_REFUSED:
    default:
      return FALSE;
    }
}

static void
ltm_webhook_event_row_update (LtmWebhookEventRow *self)
{
  LtmWebhookEvent *event = self->event;
  g_autofree char *summary = ltm_webhook_event_dup_summary (event);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *bot = ltm_webhook_event_row_describe_bot (event);
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (ltm_webhook_event_get_received_at (event) / G_USEC_PER_SEC);
  g_autofree char *clock = time != NULL ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("");
  const char *type = ltm_webhook_event_get_event_type (event);
  const char *chat = ltm_webhook_event_get_chat_id (event);
  const char *signature;
  const char *icon;
  const char *style;

  switch (ltm_webhook_event_get_signature (event))
    {
    case LTM_WEBHOOK_SIGNATURE_VALID:
      signature = _("signature verified");
      icon = "emblem-ok-symbolic";
      break;
    case LTM_WEBHOOK_SIGNATURE_MISSING:
      signature = _("no signature: not from LINE");
      icon = "dialog-warning-symbolic";
      break;
    case LTM_WEBHOOK_SIGNATURE_INVALID:
    default:
      signature = _("signature does not match the channel secret");
      icon = "dialog-warning-symbolic";
      break;
    }

  if (type == NULL)
    title = g_strdup (_("Verify (no events)"));
  else if (summary[0] != '\0')
    title = g_strdup_printf ("%s: %s", type, summary);
  else
    title = g_strdup (type);

  /* What went wrong first: one line, the whole of it in the tooltip.
   * TRANSLATORS: signature · bot · time · source */
  subtitle = g_strdup_printf ("%s · %s · %s · %s", signature, bot, clock,
                              chat != NULL ? chat : _("no source"));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  tooltip = g_strconcat (title, "\n", subtitle, NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
  /* Red for a signature that fails, yellow for a bot that did not answer
   * LINE in time with 2xx, green when all went as LINE wants. */
  if (ltm_webhook_event_get_signature (event) != LTM_WEBHOOK_SIGNATURE_VALID)
    style = "error";
  else if (ltm_webhook_event_row_bot_failed (event))
    {
      style = "warning";
      icon = "dialog-warning-symbolic";
    }
  else
    style = "success";

  gtk_image_set_from_icon_name (self->signature_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->signature_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->signature_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->signature_icon), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->signature_icon), style);
}

static void
ltm_webhook_event_row_copy_body_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  LtmWebhookEventRow *self = LTM_WEBHOOK_EVENT_ROW (widget);
  GBytes *body = ltm_webhook_event_get_body (self->event);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  ltm_ui_copy (widget, text, _("Body copied to clipboard"));
}

static void
ltm_webhook_event_row_resend_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LtmWebhookEventRow *self = LTM_WEBHOOK_EVENT_ROW (widget);
  GtkWidget *group = gtk_widget_get_ancestor (widget, LTM_TYPE_WEBHOOK_EVENTS_GROUP);

  if (group != NULL)
    ltm_webhook_events_group_resend (LTM_WEBHOOK_EVENTS_GROUP (group), self->event);
}

static void
ltm_webhook_event_row_dispose (GObject *object)
{
  LtmWebhookEventRow *self = LTM_WEBHOOK_EVENT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_WEBHOOK_EVENT_ROW);
  g_clear_object (&self->event);

  G_OBJECT_CLASS (ltm_webhook_event_row_parent_class)->dispose (object);
}

static void
ltm_webhook_event_row_class_init (LtmWebhookEventRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_webhook_event_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-webhook-event-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventRow, signature_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookEventRow, resend_button);

  gtk_widget_class_install_action (widget_class, "event.copy-body", NULL,
                                   ltm_webhook_event_row_copy_body_action);
  gtk_widget_class_install_action (widget_class, "event.resend", NULL,
                                   ltm_webhook_event_row_resend_action);
}

static void
ltm_webhook_event_row_init (LtmWebhookEventRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ltm_webhook_event_row_new (LtmWebhookEvent *event)
{
  LtmWebhookEventRow *self = g_object_new (LTM_TYPE_WEBHOOK_EVENT_ROW, NULL);

  self->event = g_object_ref (event);
  g_signal_connect_object (event, "notify::bot-state",
                           G_CALLBACK (ltm_webhook_event_row_update), self, G_CONNECT_SWAPPED);
  ltm_webhook_event_row_update (self);

  return GTK_WIDGET (self);
}

/**
 * ltm_webhook_event_row_set_resend_refusal:
 * @self: a row
 * @refusal: (nullable): why the event cannot be resent now; %NULL when it can
 *
 * Resend to Bot is disabled while there is no bot to resend to, and its
 * tooltip says what to do.
 */
void
ltm_webhook_event_row_set_resend_refusal (LtmWebhookEventRow *self,
                                          const char         *refusal)
{
  g_return_if_fail (LTM_IS_WEBHOOK_EVENT_ROW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "event.resend", refusal == NULL);
  gtk_widget_set_tooltip_text (self->resend_button, refusal != NULL ? refusal : _("Resend to Bot"));
}

LtmWebhookEvent *
ltm_webhook_event_row_get_event (LtmWebhookEventRow *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_EVENT_ROW (self), NULL);

  return self->event;
}
