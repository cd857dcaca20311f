/* ltm-activity.c: what a page is doing (with Cancel) or what went wrong
 *
 * Every network or keyring call of a page goes through one of these: while
 * it runs, a spinner says what it does and Cancel stops it; when it fails,
 * the heading and the whole message (LINE's own words and what to do) stay
 * until the user closes them or starts something else.  Disposing the
 * widget (closing the window) cancels what runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-activity.h"

#include <glib/gi18n.h>

#include "ltm-line-error.h"
#include "ltm-ui.h"

struct _LtmActivity
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkBox *box;
  GtkSpinner *spinner;
  GtkImage *icon;
  GtkLabel *heading;
  GtkLabel *message;
  GtkButton *cancel_button;
  GtkButton *retry_button;
  GtkButton *close_button;

  GCancellable *cancellable;
  char *retry_action;           /* what Try Again runs, on this widget */
  GVariant *retry_target;
};

G_DEFINE_FINAL_TYPE (LtmActivity, ltm_activity, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ltm_activity_set_cancellable (LtmActivity  *self,
                              GCancellable *cancellable)
{
  gboolean was_busy = self->cancellable != NULL;

  if (self->cancellable == cancellable)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = cancellable;

  if (was_busy != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/**
 * ltm_activity_set_retry:
 * @action_name: (nullable): the action that runs the call again, as in
 *   "tokens.verify", activated on the activity (so a page's actions apply)
 * @target: (nullable): its parameter
 *
 * Offers Try Again if the call that just began fails for want of an
 * answer (a network failure); ltm_activity_begin() forgets it.  Only for
 * calls that change nothing at LINE, or that the user may safely repeat.
 */
void
ltm_activity_set_retry (LtmActivity *self,
                        const char  *action_name,
                        GVariant    *target)
{
  g_return_if_fail (LTM_IS_ACTIVITY (self));

  g_free (self->retry_action);
  self->retry_action = g_strdup (action_name);
  g_clear_pointer (&self->retry_target, g_variant_unref);
  if (target != NULL)
    self->retry_target = g_variant_ref_sink (target);
}

/**
 * ltm_activity_begin:
 * @description: what is running, as in "Issuing a token…"
 *
 * Returns: (transfer none): the cancellable for the call; Cancel cancels it
 */
GCancellable *
ltm_activity_begin (LtmActivity *self,
                    const char  *description)
{
  g_return_val_if_fail (LTM_IS_ACTIVITY (self), NULL);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  ltm_activity_set_retry (self, NULL, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->box), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->icon), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  gtk_label_set_text (self->heading, description);
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), FALSE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);

  ltm_activity_set_cancellable (self, g_cancellable_new ());

  return self->cancellable;
}

/* Says how far a running call got, as in "Rotating tokens: 3 of 8…". */
void
ltm_activity_update (LtmActivity *self,
                     const char  *description)
{
  g_return_if_fail (LTM_IS_ACTIVITY (self));

  if (self->cancellable != NULL)
    gtk_label_set_text (self->heading, description);
}

/* The call succeeded: nothing more to say here (the page shows the result). */
void
ltm_activity_end (LtmActivity *self)
{
  g_return_if_fail (LTM_IS_ACTIVITY (self));

  gtk_spinner_stop (self->spinner);
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  ltm_activity_set_cancellable (self, NULL);
}

/**
 * ltm_activity_fail:
 * @heading: what did not happen, as in "The token was not issued"
 * @error: why; a cancelled call just ends
 */
void
ltm_activity_fail (LtmActivity  *self,
                   const char   *heading,
                   const GError *error)
{
  gboolean network;

  g_return_if_fail (LTM_IS_ACTIVITY (self));
  g_return_if_fail (error != NULL);

  /* Cancelled: either this call (Cancel, or a channel change: just end)
   * or an older one whose answer comes after a newer call began (leave
   * the newer one alone). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
        ltm_activity_end (self);
      return;
    }

  network = g_error_matches (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NETWORK);

  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->icon), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->box), "error");
  /* No answer is not LINE's verdict ("LINE did not verify the token"):
   * say that LINE was not reached, and offer to try again. */
  gtk_label_set_text (self->heading, network ? _("LINE could not be reached") : heading);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          network && self->retry_action != NULL);
  if (ltm_ui_store_advice (error) != NULL)
    {
      g_autofree char *message = g_strconcat (error->message, " ", ltm_ui_store_advice (error),
                                              NULL);
      gtk_label_set_text (self->message, message);
    }
  else
    gtk_label_set_text (self->message, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->message), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->close_button), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
  ltm_activity_set_cancellable (self, NULL);
}

/* Hides an error (the page changed channel, or the user closed it). */
void
ltm_activity_clear (LtmActivity *self)
{
  g_return_if_fail (LTM_IS_ACTIVITY (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  ltm_activity_end (self);
}

/* A shown failure no longer holds (the kid it was about changed): it goes;
 * what runs goes on. */
void
ltm_activity_dismiss (LtmActivity *self)
{
  g_return_if_fail (LTM_IS_ACTIVITY (self));

  if (self->cancellable == NULL)
    ltm_activity_end (self);
}

gboolean
ltm_activity_get_busy (LtmActivity *self)
{
  g_return_val_if_fail (LTM_IS_ACTIVITY (self), FALSE);

  return self->cancellable != NULL;
}

/* What the shown error says, or %NULL. */
const char *
ltm_activity_get_message (LtmActivity *self)
{
  g_return_val_if_fail (LTM_IS_ACTIVITY (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->revealer) ||
      !gtk_widget_get_visible (GTK_WIDGET (self->message)))
    return NULL;

  return gtk_label_get_text (self->message);
}

static void
ltm_activity_cancel_clicked_cb (LtmActivity *self)
{
  ltm_activity_clear (self);
}

static void
ltm_activity_retry_clicked_cb (LtmActivity *self)
{
  g_autofree char *action = g_steal_pointer (&self->retry_action);
  g_autoptr(GVariant) target = g_steal_pointer (&self->retry_target);

  ltm_activity_end (self);
  if (action != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (self), action, target);
}

static void
ltm_activity_close_clicked_cb (LtmActivity *self)
{
  ltm_activity_clear (self);
}

static void
ltm_activity_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LtmActivity *self = LTM_ACTIVITY (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, ltm_activity_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_activity_dispose (GObject *object)
{
  LtmActivity *self = LTM_ACTIVITY (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_ACTIVITY);
  g_clear_pointer (&self->retry_action, g_free);
  g_clear_pointer (&self->retry_target, g_variant_unref);

  G_OBJECT_CLASS (ltm_activity_parent_class)->dispose (object);
}

static void
ltm_activity_class_init (LtmActivityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_activity_dispose;
  object_class->get_property = ltm_activity_get_property;

  /**
   * LtmActivity:busy:
   *
   * Whether a call runs; pages disable their actions meanwhile.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-activity.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, revealer);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, box);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, spinner);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, icon);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, heading);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, message);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, retry_button);
  gtk_widget_class_bind_template_child (widget_class, LtmActivity, close_button);
  gtk_widget_class_bind_template_callback (widget_class, ltm_activity_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_activity_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_activity_retry_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ltm_activity_init (LtmActivity *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
