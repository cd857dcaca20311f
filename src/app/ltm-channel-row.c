/* ltm-channel-row.c: one channel in the window's list
 *
 * The channel's name (or its ID) and its ID, each on one line, a warning
 * mark when its token expires within the Preferences' warning, none is
 * usable any more or its last delivery failed, and, when the window is
 * too narrow for both sides, the chevron of a row that navigates.  The
 * labels never wrap: a list of hundreds of channels is measured once, not
 * once per width the list is tried at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-channel-row.h"

#include <glib/gi18n.h>

#include "ltm-application.h"
#include "ltm-lifecycle.h"
#include "ltm-ui.h"

struct _LtmChannelRow
{
  GtkListBoxRow parent_instance;

  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkImage *mark;
  GtkImage *chevron;

  LtmChannel *channel;
};

G_DEFINE_FINAL_TYPE (LtmChannelRow, ltm_channel_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_CHANNEL,
  PROP_SHOW_CHEVRON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
ltm_channel_row_new (LtmChannel *channel)
{
  g_return_val_if_fail (LTM_IS_CHANNEL (channel), NULL);

  return g_object_new (LTM_TYPE_CHANNEL_ROW, "channel", channel, NULL);
}

/**
 * ltm_channel_row_get_channel:
 *
 * Returns: (transfer none): the channel the row shows
 */
LtmChannel *
ltm_channel_row_get_channel (LtmChannelRow *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL_ROW (self), NULL);

  return self->channel;
}

/* The name shown, or the ID of a channel without one. */
const char *
ltm_channel_row_get_title (LtmChannelRow *self)
{
  g_return_val_if_fail (LTM_IS_CHANNEL_ROW (self), NULL);

  return gtk_label_get_text (self->title_label);
}

static void
ltm_channel_row_update_title (LtmChannelRow *self)
{
  g_autofree char *title = ltm_channel_dup_display_name (self->channel);

  gtk_label_set_text (self->title_label, title);
}

/**
 * ltm_channel_row_update:
 *
 * The warning mark, for the channel as it is and the time it is now.
 */
void
ltm_channel_row_update (LtmChannelRow *self)
{
  LtmApplication *app = ltm_application_get_default ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = NULL;
  gint64 expiry = 0;
  gboolean failed;
  gboolean due;

  g_return_if_fail (LTM_IS_CHANNEL_ROW (self));

  due = ltm_lifecycle_channel_is_due (self->channel, now, ltm_application_get_warning (app),
                                      &expiry);
  failed = ltm_channel_get_delivery (self->channel) == LTM_DELIVERY_FAILED;
  gtk_widget_set_visible (GTK_WIDGET (self->mark), due || failed);
  if (!due && !failed)
    return;

  if (failed)
    /* Translators: %s is why delivering the new token failed */
    text = g_strdup_printf (_("Deploy failed: %s"),
                            ltm_channel_get_delivery_message (self->channel) != NULL
                            ? ltm_channel_get_delivery_message (self->channel) : "");
  else if (expiry == 0)
    text = g_strdup (_("No valid token: rotate or issue one"));
  else
    text = ltm_ui_format_expiry (expiry, now);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mark), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mark),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
ltm_channel_row_set_channel (LtmChannelRow *self,
                             LtmChannel    *channel)
{
  g_assert (self->channel == NULL);

  self->channel = g_object_ref (channel);
  gtk_label_set_text (self->subtitle_label, ltm_channel_get_channel_id (channel));
  ltm_channel_row_update_title (self);
  ltm_channel_row_update (self);

  g_signal_connect_object (channel, "notify::name",
                           G_CALLBACK (ltm_channel_row_update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ltm_channel_get_tokens (channel), "items-changed",
                           G_CALLBACK (ltm_channel_row_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (channel, "notify::delivery",
                           G_CALLBACK (ltm_channel_row_update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (channel, "notify::delivery-message",
                           G_CALLBACK (ltm_channel_row_update), self, G_CONNECT_SWAPPED);
}

static void
ltm_channel_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LtmChannelRow *self = LTM_CHANNEL_ROW (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_object (value, self->channel);
      break;
    case PROP_SHOW_CHEVRON:
      g_value_set_boolean (value, gtk_widget_get_visible (GTK_WIDGET (self->chevron)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_channel_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LtmChannelRow *self = LTM_CHANNEL_ROW (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      ltm_channel_row_set_channel (self, g_value_get_object (value));
      break;
    case PROP_SHOW_CHEVRON:
      if (gtk_widget_get_visible (GTK_WIDGET (self->chevron)) != g_value_get_boolean (value))
        {
          gtk_widget_set_visible (GTK_WIDGET (self->chevron), g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_channel_row_dispose (GObject *object)
{
  LtmChannelRow *self = LTM_CHANNEL_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_CHANNEL_ROW);
  g_clear_object (&self->channel);

  G_OBJECT_CLASS (ltm_channel_row_parent_class)->dispose (object);
}

static void
ltm_channel_row_class_init (LtmChannelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ltm_channel_row_get_property;
  object_class->set_property = ltm_channel_row_set_property;
  object_class->dispose = ltm_channel_row_dispose;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL,
                         LTM_TYPE_CHANNEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_CHEVRON] =
    g_param_spec_boolean ("show-chevron", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-channel-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmChannelRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, LtmChannelRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, LtmChannelRow, mark);
  gtk_widget_class_bind_template_child (widget_class, LtmChannelRow, chevron);
}

static void
ltm_channel_row_init (LtmChannelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Said as its name, then its ID, as AdwActionRow says its title and
   * subtitle. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->subtitle_label, NULL,
                                  -1);
}
