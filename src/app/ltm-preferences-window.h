/* ltm-preferences-window.h: token lifetime and expiry reminders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LTM_TYPE_PREFERENCES_WINDOW (ltm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LtmPreferencesWindow, ltm_preferences_window, LTM, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

LtmPreferencesWindow *ltm_preferences_window_new (GSettings *settings);

G_END_DECLS
