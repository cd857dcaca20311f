/* ltm-window.h: the main window: channels on the left, the chosen one's
 * Key, JWT, Tokens and Webhook pages on the right
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-application.h"
#include "ltm-page.h"

G_BEGIN_DECLS

#define LTM_TYPE_WINDOW (ltm_window_get_type ())

G_DECLARE_FINAL_TYPE (LtmWindow, ltm_window, LTM, WINDOW, AdwApplicationWindow)

LtmWindow  *ltm_window_new            (LtmApplication *application);
LtmChannel *ltm_window_get_channel    (LtmWindow      *self);
gboolean    ltm_window_show_channel   (LtmWindow      *self,
                                       const char     *channel_id);
LtmPage    *ltm_window_get_page       (LtmWindow      *self,
                                       const char     *page_name);
void        ltm_window_show_page      (LtmWindow      *self,
                                       const char     *page_name);
void        ltm_window_rotate_channel (LtmWindow      *self,
                                       const char     *channel_id);

G_END_DECLS
