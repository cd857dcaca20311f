/* ltm-webhook-events-group.h: the Webhook page's Events: listen, and see
 * what LINE sends the bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-channel.h"
#include "ltm-webhook-event.h"

G_BEGIN_DECLS

#define LTM_TYPE_WEBHOOK_EVENTS_GROUP (ltm_webhook_events_group_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookEventsGroup, ltm_webhook_events_group, LTM, WEBHOOK_EVENTS_GROUP,
                      AdwPreferencesGroup)

void     ltm_webhook_events_group_set_channel (LtmWebhookEventsGroup *self,
                                               LtmChannel            *channel);
void     ltm_webhook_events_group_set_destination (LtmWebhookEventsGroup *self,
                                                   const char            *user_id);
gboolean ltm_webhook_events_group_get_listening (LtmWebhookEventsGroup *self);
void     ltm_webhook_events_group_resend      (LtmWebhookEventsGroup *self,
                                               LtmWebhookEvent       *event);

G_END_DECLS
