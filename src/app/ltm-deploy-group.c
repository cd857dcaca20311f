/* ltm-deploy-group.c: where a channel's new tokens are delivered, and how
 * the last delivery went
 *
 * The targets are the channel's (LtmChannel's env-file, env-name,
 * deploy-command and grace, kept in the store); each change is one store
 * change, and the rows follow the model.  Deploy Now delivers the newest
 * token with ltm_deploy_async(), the workflow `ltm token deploy` uses.
 * Inside Flatpak the group says that the command runs on the host and
 * which permission that needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-deploy-group.h"

#include <glib/gi18n.h>

#include "ltm-application.h"
#include "ltm-deploy.h"
#include "ltm-duration.h"
#include "ltm-ui.h"

struct _LtmDeployGroup
{
  AdwPreferencesGroup parent_instance;

  LtmChannel *channel;
  GSignalGroup *channel_signals;
  GCancellable *cancellable;
  GtkFileChooserNative *chooser;

  AdwActionRow *env_file_row;
  GtkButton *choose_button;
  GtkButton *clear_env_button;
  AdwEntryRow *env_name_row;
  AdwEntryRow *command_row;
  AdwEntryRow *grace_row;
  AdwActionRow *delivery_row;
  GtkButton *deploy_button;
};

G_DEFINE_FINAL_TYPE (LtmDeployGroup, ltm_deploy_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static LtmStore *
ltm_deploy_group_get_store (void)
{
  return ltm_application_get_store (ltm_application_get_default ());
}

/* The rows, from the model */

static void
ltm_deploy_group_show_delivery (LtmDeployGroup *self)
{
  g_autofree char *when = NULL;
  g_autofree char *subtitle = NULL;
  const char *message;

  switch (ltm_channel_get_delivery (self->channel))
    {
    case LTM_DELIVERY_DELIVERED:
    case LTM_DELIVERY_FAILED:
      when = ltm_ui_format_date (ltm_channel_get_delivered_at (self->channel));
      message = ltm_channel_get_delivery_message (self->channel);
      /* Translators: the first %s is a date, the second what happened */
      subtitle = g_strdup_printf (ltm_channel_get_delivery (self->channel) == LTM_DELIVERY_DELIVERED
                                  ? _("Delivered, %s. %s") : _("Failed, %s: %s"),
                                  when, message != NULL ? message : "");
      break;

    case LTM_DELIVERY_NONE:
    default:
      subtitle = g_strdup (_("Nothing delivered yet"));
      break;
    }

  adw_action_row_set_subtitle (self->delivery_row, subtitle);
}

static void
ltm_deploy_group_show (LtmDeployGroup *self)
{
  g_autofree char *grace = NULL;
  const char *env_file;

  if (self->channel == NULL)
    return;

  env_file = ltm_channel_get_env_file (self->channel);
  adw_action_row_set_subtitle (self->env_file_row,
                               env_file != NULL ? env_file : _("None: choose a file the bot reads"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_env_button), env_file != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->env_name_row),
                         ltm_channel_get_env_name (self->channel) != NULL
                         ? ltm_channel_get_env_name (self->channel) : LTM_DEPLOY_DEFAULT_ENV_NAME);
  gtk_editable_set_text (GTK_EDITABLE (self->command_row),
                         ltm_channel_get_deploy_command (self->channel) != NULL
                         ? ltm_channel_get_deploy_command (self->channel) : "");
  grace = ltm_channel_get_grace (self->channel) > 0
          ? ltm_duration_format (ltm_channel_get_grace (self->channel)) : g_strdup ("0");
  gtk_editable_set_text (GTK_EDITABLE (self->grace_row), grace);

  gtk_widget_set_sensitive (GTK_WIDGET (self->deploy_button),
                            ltm_channel_has_deploy_target (self->channel));
  ltm_deploy_group_show_delivery (self);
}

static void
ltm_deploy_group_channel_notify_cb (LtmDeployGroup *self,
                                    GParamSpec     *pspec,
                                    LtmChannel     *channel)
{
  if (g_str_equal (pspec->name, "delivery") || g_str_equal (pspec->name, "delivered-at") ||
      g_str_equal (pspec->name, "delivery-message"))
    ltm_deploy_group_show_delivery (self);
  else if (g_str_equal (pspec->name, "env-file") || g_str_equal (pspec->name, "env-name") ||
           g_str_equal (pspec->name, "deploy-command") || g_str_equal (pspec->name, "grace"))
    ltm_deploy_group_show (self);
}

/* Changing the targets */

static void
ltm_deploy_group_saved_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LtmDeployGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (LTM_STORE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ltm_ui_toast (GTK_WIDGET (self), error->message);
      /* What the store keeps, not what was typed. */
      ltm_deploy_group_show (self);
      return;
    }

  ltm_ui_toast (GTK_WIDGET (self), _("Deploy targets saved"));
}

static void
ltm_deploy_group_save (LtmDeployGroup   *self,
                       LtmDeployTargets *targets)
{
  ltm_store_set_deploy_targets_async (ltm_deploy_group_get_store (),
                                      ltm_channel_get_channel_id (self->channel), targets,
                                      self->cancellable, ltm_deploy_group_saved_cb,
                                      g_object_ref (self));
}

static void
ltm_deploy_group_apply_cb (LtmDeployGroup *self,
                           AdwEntryRow    *row)
{
  g_auto(LtmDeployTargets) targets = { 0 };
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (self->channel == NULL)
    return;

  ltm_channel_get_deploy_targets (self->channel, &targets);

  if (row == self->env_name_row)
    {
      g_free (targets.env_name);
      targets.env_name = text[0] != '\0' && g_strcmp0 (text, LTM_DEPLOY_DEFAULT_ENV_NAME) != 0
                         ? g_strdup (text) : NULL;
    }
  else if (row == self->command_row)
    {
      g_free (targets.command);
      targets.command = text[0] != '\0' ? g_strdup (text) : NULL;
    }
  else if (row == self->grace_row)
    {
      gint64 grace = 0;

      if (text[0] != '\0' && !ltm_duration_parse (text, &grace, &error))
        {
          ltm_ui_toast (GTK_WIDGET (self), error->message);
          return;
        }
      targets.grace = grace;
    }

  ltm_deploy_group_save (self, &targets);
}

static void
ltm_deploy_group_chosen_cb (LtmDeployGroup       *self,
                            int                   response,
                            GtkFileChooserNative *chooser)
{
  g_auto(LtmDeployTargets) targets = { 0 };
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->channel != NULL &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL &&
      g_file_peek_path (file) != NULL)
    {
      ltm_channel_get_deploy_targets (self->channel, &targets);
      g_free (targets.env_file);
      targets.env_file = g_file_get_path (file);
      ltm_deploy_group_save (self, &targets);
    }

  g_clear_object (&self->chooser);
}

static void
ltm_deploy_group_choose_cb (LtmDeployGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->channel == NULL || self->chooser != NULL)
    return;

  /* Save: the file may not exist yet (it is then made 0600); the portal
   * inside Flatpak. */
  self->chooser = gtk_file_chooser_native_new (_("Env File the Bot Reads"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Use"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), ".env");
  if (ltm_channel_get_env_file (self->channel) != NULL)
    {
      g_autoptr(GFile) current = g_file_new_for_path (ltm_channel_get_env_file (self->channel));
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), current, NULL);
    }
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (ltm_deploy_group_chosen_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
ltm_deploy_group_clear_env_cb (LtmDeployGroup *self)
{
  g_auto(LtmDeployTargets) targets = { 0 };

  if (self->channel == NULL)
    return;

  ltm_channel_get_deploy_targets (self->channel, &targets);
  g_clear_pointer (&targets.env_file, g_free);
  ltm_deploy_group_save (self, &targets);
}

/* Deploy Now */

static void
ltm_deploy_group_deployed_cb (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(LtmDeployGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->deploy_button),
                            self->channel != NULL && ltm_channel_has_deploy_target (self->channel));

  if (!ltm_deploy_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ltm_ui_toast (GTK_WIDGET (self), error->message);
      return;
    }

  ltm_ui_toast (GTK_WIDGET (self), _("Token delivered"));
}

static void
ltm_deploy_group_deploy_cb (LtmDeployGroup *self)
{
  if (self->channel == NULL)
    return;

  gtk_widget_set_sensitive (GTK_WIDGET (self->deploy_button), FALSE);
  ltm_deploy_async (ltm_deploy_group_get_store (), ltm_channel_get_channel_id (self->channel),
                    NULL, self->cancellable, ltm_deploy_group_deployed_cb, g_object_ref (self));
}

/* The object */

LtmChannel *
ltm_deploy_group_get_channel (LtmDeployGroup *self)
{
  g_return_val_if_fail (LTM_IS_DEPLOY_GROUP (self), NULL);

  return self->channel;
}

void
ltm_deploy_group_set_channel (LtmDeployGroup *self,
                              LtmChannel     *channel)
{
  g_return_if_fail (LTM_IS_DEPLOY_GROUP (self));
  g_return_if_fail (channel == NULL || LTM_IS_CHANNEL (channel));

  if (!g_set_object (&self->channel, channel))
    return;

  /* What ran for the channel before stays its own. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  g_signal_group_set_target (self->channel_signals, channel);
  gtk_widget_set_visible (GTK_WIDGET (self), channel != NULL);
  ltm_deploy_group_show (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

static void
ltm_deploy_group_dispose (GObject *object)
{
  LtmDeployGroup *self = (LtmDeployGroup *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->channel_signals);
  g_clear_object (&self->channel);

  G_OBJECT_CLASS (ltm_deploy_group_parent_class)->dispose (object);
}

static void
ltm_deploy_group_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LtmDeployGroup *self = LTM_DEPLOY_GROUP (object);

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
ltm_deploy_group_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LtmDeployGroup *self = LTM_DEPLOY_GROUP (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      ltm_deploy_group_set_channel (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_deploy_group_class_init (LtmDeployGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ltm_deploy_group_dispose;
  object_class->get_property = ltm_deploy_group_get_property;
  object_class->set_property = ltm_deploy_group_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL,
                         LTM_TYPE_CHANNEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-deploy-group.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, env_file_row);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, choose_button);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, clear_env_button);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, env_name_row);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, command_row);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, grace_row);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, delivery_row);
  gtk_widget_class_bind_template_child (widget_class, LtmDeployGroup, deploy_button);
  gtk_widget_class_bind_template_callback (widget_class, ltm_deploy_group_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_deploy_group_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_deploy_group_clear_env_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_deploy_group_deploy_cb);
}

/* Inside Flatpak the command runs on the host, and only with a permission
 * the app does not ask for: said under the group, and on the row. */
static void
ltm_deploy_group_show_host (LtmDeployGroup *self)
{
  g_autofree char *note = NULL;
  g_autofree char *description = NULL;

  if (!ltm_deploy_runs_on_host ())
    return;

  /* Translators: %s is the app's ID; keep the command as it is */
  note = g_strdup_printf (_("Inside Flatpak the deploy command runs on the host, which needs "
                            "this permission: flatpak override --user "
                            "--talk-name=org.freedesktop.Flatpak %s"), APPLICATION_ID);
  description = g_strconcat (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (self)),
                             "\n", note, NULL);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), description);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->command_row), note);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->command_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, note, -1);
}

static void
ltm_deploy_group_init (LtmDeployGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_deploy_group_show_host (self);

  self->cancellable = g_cancellable_new ();
  self->channel_signals = g_signal_group_new (LTM_TYPE_CHANNEL);
  g_signal_group_connect_object (self->channel_signals, "notify",
                                 G_CALLBACK (ltm_deploy_group_channel_notify_cb), self,
                                 G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
