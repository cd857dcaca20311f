/* ltm-webhook-page.h: bot info, the webhook URL, and its test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-channel.h"

G_BEGIN_DECLS

#define LTM_TYPE_WEBHOOK_PAGE (ltm_webhook_page_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookPage, ltm_webhook_page, LTM, WEBHOOK_PAGE, AdwBin)

LtmChannel *ltm_webhook_page_get_channel (LtmWebhookPage *self);
void        ltm_webhook_page_set_channel (LtmWebhookPage *self,
                                          LtmChannel     *channel);

G_END_DECLS
