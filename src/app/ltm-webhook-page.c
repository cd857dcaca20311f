/* ltm-webhook-page.c: bot info, the webhook URL, and its test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-page.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-ui.h"

struct _LtmWebhookPage
{
  AdwBin parent_instance;

  LtmChannel *channel;

  LtmActivity *activity;
};

G_DEFINE_FINAL_TYPE (LtmWebhookPage, ltm_webhook_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * ltm_webhook_page_get_channel:
 *
 * Returns: (transfer none) (nullable): the channel shown
 */
LtmChannel *
ltm_webhook_page_get_channel (LtmWebhookPage *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_PAGE (self), NULL);

  return self->channel;
}

void
ltm_webhook_page_set_channel (LtmWebhookPage *self,
                             LtmChannel  *channel)
{
  g_return_if_fail (LTM_IS_WEBHOOK_PAGE (self));
  g_return_if_fail (channel == NULL || LTM_IS_CHANNEL (channel));

  if (!g_set_object (&self->channel, channel))
    return;

  ltm_activity_clear (self->activity);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

static void
ltm_webhook_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (object);

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
ltm_webhook_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      ltm_webhook_page_set_channel (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_webhook_page_dispose (GObject *object)
{
  LtmWebhookPage *self = LTM_WEBHOOK_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_WEBHOOK_PAGE);
  g_clear_object (&self->channel);

  G_OBJECT_CLASS (ltm_webhook_page_parent_class)->dispose (object);
}

static void
ltm_webhook_page_class_init (LtmWebhookPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_webhook_page_dispose;
  object_class->get_property = ltm_webhook_page_get_property;
  object_class->set_property = ltm_webhook_page_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL, LTM_TYPE_CHANNEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-webhook-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmWebhookPage, activity);
}

static void
ltm_webhook_page_init (LtmWebhookPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
