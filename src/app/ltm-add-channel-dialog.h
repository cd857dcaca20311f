/* ltm-add-channel-dialog.h: a channel's ID, name and (optionally) secret
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-store.h"

G_BEGIN_DECLS

#define LTM_TYPE_ADD_CHANNEL_DIALOG (ltm_add_channel_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LtmAddChannelDialog, ltm_add_channel_dialog, LTM, ADD_CHANNEL_DIALOG, AdwWindow)

LtmAddChannelDialog *ltm_add_channel_dialog_new (LtmStore *store);

G_END_DECLS
