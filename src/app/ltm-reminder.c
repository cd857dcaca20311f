/* ltm-reminder.c: which channels to remind about, and the notification
 *
 * A channel is due when its newest usable v2.1 token expires within the
 * warning threshold, or none is usable any more (ltm_lifecycle_channel_is_due).
 * Each due token is announced once per run of the app: looking again every
 * few hours only speaks up for what is newly due, so the reminder is not a
 * nag.  The time is a parameter, so the tests drive it with a fake clock.
 *
 * A channel whose last delivery failed is announced too ("deploy failed"):
 * its bot may still hold a token that is about to go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-reminder.h"

#include <glib/gi18n.h>

#include "ltm-lifecycle.h"

struct _LtmReminder
{
  GObject parent_instance;

  LtmStore *store;
  GHashTable *announced;        /* "channel-id expires_at" */
};

G_DEFINE_FINAL_TYPE (LtmReminder, ltm_reminder, G_TYPE_OBJECT)

LtmReminder *
ltm_reminder_new (LtmStore *store)
{
  LtmReminder *self;

  g_return_val_if_fail (LTM_IS_STORE (store), NULL);

  self = g_object_new (LTM_TYPE_REMINDER, NULL);
  self->store = g_object_ref (store);

  return self;
}

/* @expires_at: when its newest usable v2.1 token expires; 0 if none is usable */
static char *
ltm_reminder_describe (LtmChannel *channel,
                       gint64      expires_at,
                       gint64      now)
{
  g_autofree char *name = ltm_channel_dup_display_name (channel);
  gint64 days;

  if (ltm_channel_get_delivery (channel) == LTM_DELIVERY_FAILED)
    /* Translators: %s is a channel's name */
    return g_strdup_printf (_("Deploy failed for “%s”"), name);

  if (expires_at <= now)
    /* Translators: %s is a channel's name */
    return g_strdup_printf (_("The token of “%s” has expired"), name);

  days = (expires_at - now + 24 * 60 * 60 - 1) / (24 * 60 * 60);
  /* Translators: %s is a channel's name, %d a number of days */
  return g_strdup_printf (ngettext ("The token of “%s” expires within %d day",
                                    "The token of “%s” expires within %d days", (int) days),
                          name, (int) days);
}

/**
 * ltm_reminder_check:
 * @now: the current time, Unix seconds
 * @within: the warning threshold, seconds
 * @out_any: (out) (optional): whether any channel is due, announced or not
 *
 * Returns: (transfer full) (nullable): what to say about the channels
 *   newly due, or %NULL when there is nothing new to say
 */
LtmReminderNote *
ltm_reminder_check (LtmReminder *self,
                    gint64       now,
                    gint64       within,
                    gboolean    *out_any)
{
  GListModel *channels = ltm_store_get_channels (self->store);
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  LtmReminderNote *note;
  char *title = NULL;
  char *body = NULL;
  gint64 first_expiry = 0;
  gboolean any = FALSE;

  g_return_val_if_fail (LTM_IS_REMINDER (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);
      gint64 expiry = 0;
      char *stamp;

      gboolean failed = ltm_channel_get_delivery (channel) == LTM_DELIVERY_FAILED;

      if (!ltm_lifecycle_channel_is_due (channel, now, within, &expiry) && !failed)
        continue;

      any = TRUE;
      /* A failed delivery is said once, and again when another fails. */
      if (failed)
        stamp = g_strdup_printf ("%s failed %" G_GINT64_FORMAT,
                                 ltm_channel_get_channel_id (channel),
                                 ltm_channel_get_delivered_at (channel));
      else
        stamp = g_strdup_printf ("%s %" G_GINT64_FORMAT, ltm_channel_get_channel_id (channel),
                                 expiry);
      if (!g_hash_table_add (self->announced, stamp))
        continue;

      if (fresh->len == 0)
        first_expiry = expiry;
      g_ptr_array_add (fresh, g_steal_pointer (&channel));
    }

  if (out_any != NULL)
    *out_any = any;

  if (fresh->len == 0)
    return NULL;

  if (fresh->len == 1)
    {
      LtmChannel *channel = g_ptr_array_index (fresh, 0);

      title = ltm_reminder_describe (channel, first_expiry, now);
      if (ltm_channel_get_delivery (channel) == LTM_DELIVERY_FAILED)
        /* Translators: %s is why the delivery failed, in words */
        body = g_strdup_printf (_("The new token is stored, but delivering it failed: %s "
                                  "The old tokens stay valid. Fix the deploy target, then "
                                  "choose Deploy Now."),
                                ltm_channel_get_delivery_message (channel) != NULL
                                ? ltm_channel_get_delivery_message (channel) : "");
      else
        body = g_strdup (_("Rotate it before your bot stops working: LINE Token Manager issues "
                           "a new token and delivers it to your bot."));
    }
  else
    {
      g_autoptr(GString) names = g_string_new (NULL);

      /* Translators: %d is a number of channels, always more than one */
      title = g_strdup_printf (ngettext ("Tokens of %d channel expire soon",
                                         "Tokens of %d channels expire soon", fresh->len),
                               fresh->len);
      for (guint i = 0; i < fresh->len && i < 3; i++)
        {
          LtmChannel *channel = g_ptr_array_index (fresh, i);
          g_autofree char *name = ltm_channel_dup_display_name (channel);

          if (i > 0)
            g_string_append (names, _(", "));
          g_string_append (names, name);
          if (ltm_channel_get_delivery (channel) == LTM_DELIVERY_FAILED)
            g_string_append (names, _(" (deploy failed)"));
        }
      if (fresh->len > 3)
        g_string_append (names, _(", …"));
      /* Translators: %s is a list of channel names */
      body = g_strdup_printf (_("%s. Rotate them before your bots stop working."), names->str);
    }

  for (guint i = 0; i < fresh->len; i++)
    g_strv_builder_add (ids, ltm_channel_get_channel_id (g_ptr_array_index (fresh, i)));

  note = g_new0 (LtmReminderNote, 1);
  note->title = title;
  note->body = body;
  note->channel_ids = g_strv_builder_end (ids);

  return note;
}

/**
 * ltm_reminder_note_to_notification:
 *
 * Clicking it shows the first channel; its button rotates that channel,
 * or all the expiring ones when there are several.
 *
 * Returns: (transfer full): the desktop notification for @note
 */
GNotification *
ltm_reminder_note_to_notification (LtmReminderNote *note)
{
  GNotification *notification;

  g_return_val_if_fail (note != NULL && note->channel_ids[0] != NULL, NULL);

  notification = g_notification_new (note->title);
  g_notification_set_body (notification, note->body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-channel", "s",
                                                note->channel_ids[0]);
  if (note->channel_ids[1] == NULL)
    g_notification_add_button_with_target (notification, _("Rotate Token"), "app.rotate-channel",
                                           "s", note->channel_ids[0]);
  else
    g_notification_add_button (notification, _("Rotate All"), "app.rotate-expiring");

  return notification;
}

void
ltm_reminder_note_free (LtmReminderNote *note)
{
  if (note == NULL)
    return;

  g_free (note->title);
  g_free (note->body);
  g_strfreev (note->channel_ids);
  g_free (note);
}

static void
ltm_reminder_finalize (GObject *object)
{
  LtmReminder *self = LTM_REMINDER (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->announced, g_hash_table_unref);

  G_OBJECT_CLASS (ltm_reminder_parent_class)->finalize (object);
}

static void
ltm_reminder_class_init (LtmReminderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ltm_reminder_finalize;
}

static void
ltm_reminder_init (LtmReminder *self)
{
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
