/* ltm-webhook-event-row.h: one webhook event in the Events list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-webhook-event.h"

G_BEGIN_DECLS

#define LTM_TYPE_WEBHOOK_EVENT_ROW (ltm_webhook_event_row_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookEventRow, ltm_webhook_event_row, LTM, WEBHOOK_EVENT_ROW, AdwActionRow)

GtkWidget       *ltm_webhook_event_row_new       (LtmWebhookEvent    *event);
LtmWebhookEvent *ltm_webhook_event_row_get_event (LtmWebhookEventRow *self);
void             ltm_webhook_event_row_set_resend_refusal (LtmWebhookEventRow *self,
                                                           const char         *refusal);

G_END_DECLS
