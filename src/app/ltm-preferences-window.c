/* ltm-preferences-window.c: token lifetime and expiry reminders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-preferences-window.h"

struct _LtmPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GtkSpinButton *lifetime_spin;
  GtkSpinButton *warning_spin;
};

G_DEFINE_FINAL_TYPE (LtmPreferencesWindow, ltm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

LtmPreferencesWindow *
ltm_preferences_window_new (GSettings *settings)
{
  LtmPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (LTM_TYPE_PREFERENCES_WINDOW, NULL);
  g_settings_bind (settings, "token-lifetime-days", self->lifetime_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "expiry-warning-days", self->warning_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  return self;
}

static void
ltm_preferences_window_class_init (LtmPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/"
                                               "ltm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmPreferencesWindow, lifetime_spin);
  gtk_widget_class_bind_template_child (widget_class, LtmPreferencesWindow, warning_spin);
}

static void
ltm_preferences_window_init (LtmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
