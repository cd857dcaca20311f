/* ltm-channel-row.h: one channel in the window's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-channel.h"

G_BEGIN_DECLS

#define LTM_TYPE_CHANNEL_ROW (ltm_channel_row_get_type ())

G_DECLARE_FINAL_TYPE (LtmChannelRow, ltm_channel_row, LTM, CHANNEL_ROW, GtkListBoxRow)

GtkWidget  *ltm_channel_row_new         (LtmChannel    *channel);
LtmChannel *ltm_channel_row_get_channel (LtmChannelRow *self);
const char *ltm_channel_row_get_title   (LtmChannelRow *self);
void        ltm_channel_row_update      (LtmChannelRow *self);

G_END_DECLS
