/* ltm-add-channel-dialog.c: a channel's ID, name and (optionally) secret
 *
 * The ID is checked as it is typed; the secret goes straight to the
 * keyring and the entry is emptied once it is stored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-add-channel-dialog.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-jwt.h"
#include "ltm-ui.h"

struct _LtmAddChannelDialog
{
  AdwWindow parent_instance;

  LtmActivity *activity;
  AdwEntryRow *channel_id_row;
  GtkLabel *channel_id_error_label;
  AdwEntryRow *name_row;
  AdwPasswordEntryRow *secret_row;
  GtkLabel *hint_label;

  LtmStore *store;
  char *channel_id;
};

G_DEFINE_FINAL_TYPE (LtmAddChannelDialog, ltm_add_channel_dialog, ADW_TYPE_WINDOW)

enum {
  CHANNEL_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

LtmAddChannelDialog *
ltm_add_channel_dialog_new (LtmStore *store)
{
  LtmAddChannelDialog *self;

  g_return_val_if_fail (LTM_IS_STORE (store), NULL);

  self = g_object_new (LTM_TYPE_ADD_CHANNEL_DIALOG, NULL);
  self->store = g_object_ref (store);

  return self;
}

/* Returns the row at fault in @out_row, or %NULL for none. */
static gboolean
ltm_add_channel_dialog_check (LtmAddChannelDialog  *self,
                              GtkWidget           **out_row,
                              GError              **error)
{
  const char *channel_id = gtk_editable_get_text (GTK_EDITABLE (self->channel_id_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));

  *out_row = GTK_WIDGET (self->channel_id_row);

  if (!ltm_jwt_check_channel_id (channel_id, error))
    return FALSE;

  if (self->store != NULL && ltm_store_find_channel (self->store, channel_id) != NULL)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("Channel %s is already in the list."), channel_id);
      return FALSE;
    }

  /* Both are optional: left empty, the channel has none. */
  *out_row = GTK_WIDGET (self->name_row);
  if (name[0] != '\0' && !ltm_channel_check_name (name, error))
    return FALSE;

  *out_row = GTK_WIDGET (self->secret_row);
  if (secret[0] != '\0' && !ltm_jwt_check_channel_secret (secret, error))
    return FALSE;

  *out_row = NULL;

  return TRUE;
}

static void
ltm_add_channel_dialog_changed_cb (LtmAddChannelDialog *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->channel_id_row), GTK_WIDGET (self->name_row), GTK_WIDGET (self->secret_row),
  };
  const char *channel_id = gtk_editable_get_text (GTK_EDITABLE (self->channel_id_row));
  g_autoptr(GError) error = NULL;
  GtkWidget *wrong_row = NULL;
  gboolean valid = ltm_add_channel_dialog_check (self, &wrong_row, &error);

  /* Only a started ID is marked wrong, not an empty one. */
  if (wrong_row == GTK_WIDGET (self->channel_id_row) && channel_id[0] == '\0')
    wrong_row = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    ltm_ui_set_row_error (rows[i],
                          rows[i] == GTK_WIDGET (self->channel_id_row)
                            ? self->channel_id_error_label : NULL,
                          rows[i] == wrong_row ? error->message : NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add",
                                 valid && !ltm_activity_get_busy (self->activity));
}

static void
ltm_add_channel_dialog_added_cb (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(LtmAddChannelDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      ltm_activity_fail (self->activity, _("The channel was not added"), error);
      ltm_add_channel_dialog_changed_cb (self);
      return;
    }

  ltm_activity_end (self->activity);
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
  g_signal_emit (self, signals[CHANNEL_ADDED], 0, self->channel_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
ltm_add_channel_dialog_add_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  LtmAddChannelDialog *self = LTM_ADD_CHANNEL_DIALOG (widget);
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GtkWidget *wrong_row;

  if (!ltm_add_channel_dialog_check (self, &wrong_row, &error))
    {
      ltm_activity_fail (self->activity, _("The channel was not added"), error);
      return;
    }

  g_free (self->channel_id);
  self->channel_id = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->channel_id_row)));

  cancellable = ltm_activity_begin (self->activity, _("Adding the channel…"));
  gtk_widget_action_set_enabled (widget, "dialog.add", FALSE);
  ltm_store_add_channel_async (self->store, self->channel_id,
                               name[0] != '\0' ? name : NULL, NULL, NULL,
                               secret[0] != '\0' ? secret : NULL,
                               cancellable, ltm_add_channel_dialog_added_cb,
                               g_object_ref (self));
}

static void
ltm_add_channel_dialog_dispose (GObject *object)
{
  LtmAddChannelDialog *self = LTM_ADD_CHANNEL_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_ADD_CHANNEL_DIALOG);
  g_clear_object (&self->store);
  g_clear_pointer (&self->channel_id, g_free);

  G_OBJECT_CLASS (ltm_add_channel_dialog_parent_class)->dispose (object);
}

static void
ltm_add_channel_dialog_class_init (LtmAddChannelDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_add_channel_dialog_dispose;

  /**
   * LtmAddChannelDialog::channel-added:
   * @channel_id: the new channel
   *
   * The channel is stored; the dialog closes.
   */
  signals[CHANNEL_ADDED] =
    g_signal_new ("channel-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-add-channel-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog, channel_id_row);
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog,
                                        channel_id_error_label);
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, LtmAddChannelDialog, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, ltm_add_channel_dialog_changed_cb);

  gtk_widget_class_install_action (widget_class, "dialog.add", NULL,
                                   ltm_add_channel_dialog_add_action);
}

static void
ltm_add_channel_dialog_init (LtmAddChannelDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.add", FALSE);

  /* What the user types first goes to the ID, not to Cancel. */
  gtk_widget_grab_focus (GTK_WIDGET (self->channel_id_row));
}
