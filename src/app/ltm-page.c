/* ltm-page.c: what the window's four pages share: the channel they show
 *
 * The Key, JWT, Tokens and Webhook pages each show one channel, the one
 * chosen in the window's list.  LtmPage holds it and its property; each
 * page says in channel_changed what a change of channel means to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-page.h"

typedef struct {
  LtmChannel *channel;
} LtmPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LtmPage, ltm_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * ltm_page_get_channel:
 *
 * Returns: (transfer none) (nullable): the channel shown
 */
LtmChannel *
ltm_page_get_channel (LtmPage *self)
{
  LtmPagePrivate *priv;

  g_return_val_if_fail (LTM_IS_PAGE (self), NULL);

  priv = ltm_page_get_instance_private (self);

  return priv->channel;
}

/* The page's scrolled content, found by type: each page's template
 * puts one inside (under the overlay of its activity). */
static GtkScrolledWindow *
ltm_page_find_scroller (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    return GTK_SCROLLED_WINDOW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = ltm_page_find_scroller (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/**
 * ltm_page_set_channel:
 * @channel: (nullable): the channel to show
 *
 * What the page showed, typed or ran belongs to the channel shown before:
 * each page lets go of it in its channel_changed.
 */
void
ltm_page_set_channel (LtmPage    *self,
                      LtmChannel *channel)
{
  LtmPagePrivate *priv;
  g_autoptr(LtmChannel) old_channel = NULL;
  GtkScrolledWindow *scroller;

  g_return_if_fail (LTM_IS_PAGE (self));
  g_return_if_fail (channel == NULL || LTM_IS_CHANNEL (channel));

  priv = ltm_page_get_instance_private (self);

  if (priv->channel == channel)
    return;

  /* Kept until the page has disconnected from it. */
  old_channel = g_steal_pointer (&priv->channel);
  priv->channel = channel != NULL ? g_object_ref (channel) : NULL;

  if (LTM_PAGE_GET_CLASS (self)->channel_changed != NULL)
    LTM_PAGE_GET_CLASS (self)->channel_changed (self, old_channel);

  /* Another channel starts at the top, where its first step is, not where
   * the previous one was scrolled to. */
  scroller = ltm_page_find_scroller (GTK_WIDGET (self));
  if (scroller != NULL)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scroller);

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

static void
ltm_page_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  LtmPage *self = LTM_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_object (value, ltm_page_get_channel (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_page_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  LtmPage *self = LTM_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      ltm_page_set_channel (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The pages disconnect from the channel in their own dispose, before this. */
static void
ltm_page_dispose (GObject *object)
{
  LtmPage *self = LTM_PAGE (object);
  LtmPagePrivate *priv = ltm_page_get_instance_private (self);

  g_clear_object (&priv->channel);

  G_OBJECT_CLASS (ltm_page_parent_class)->dispose (object);
}

static void
ltm_page_class_init (LtmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ltm_page_dispose;
  object_class->get_property = ltm_page_get_property;
  object_class->set_property = ltm_page_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL, LTM_TYPE_CHANNEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ltm_page_init (LtmPage *self)
{
}
