/* ltm-webhook-page.h: bot info, the webhook URL, and its test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-page.h"

G_BEGIN_DECLS

#define LTM_TYPE_WEBHOOK_PAGE (ltm_webhook_page_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookPage, ltm_webhook_page, LTM, WEBHOOK_PAGE, LtmPage)

G_END_DECLS
