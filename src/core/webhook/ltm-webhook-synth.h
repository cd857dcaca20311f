/* ltm-webhook-synth.h: events in LINE's own shapes, made here to try a bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * LtmWebhookSynthType:
 * @LTM_WEBHOOK_SYNTH_MESSAGE: a text message from a user
 * @LTM_WEBHOOK_SYNTH_FOLLOW: a user added the bot as a friend
 * @LTM_WEBHOOK_SYNTH_UNFOLLOW: a user blocked the bot
 * @LTM_WEBHOOK_SYNTH_POSTBACK: a user tapped a postback action
 * @LTM_WEBHOOK_SYNTH_JOIN: the bot joined a group
 * @LTM_WEBHOOK_SYNTH_LEAVE: the bot left a group
 */
typedef enum {
  LTM_WEBHOOK_SYNTH_MESSAGE,
  LTM_WEBHOOK_SYNTH_FOLLOW,
  LTM_WEBHOOK_SYNTH_UNFOLLOW,
  LTM_WEBHOOK_SYNTH_POSTBACK,
  LTM_WEBHOOK_SYNTH_JOIN,
  LTM_WEBHOOK_SYNTH_LEAVE,
} LtmWebhookSynthType;

/* LINE's event ID: a ULID, 26 characters of Crockford base32. */
#define LTM_WEBHOOK_EVENT_ID_LENGTH 26

const char  *ltm_webhook_synth_type_to_string   (LtmWebhookSynthType   type);
gboolean     ltm_webhook_synth_type_from_string (const char           *text,
                                                 LtmWebhookSynthType  *out_type);
char        *ltm_webhook_new_event_id           (gint64                now_ms);
GBytes      *ltm_webhook_synth_body             (LtmWebhookSynthType   type,
                                                 const char           *text,
                                                 const char           *destination,
                                                 gint64                now_ms);
GBytes      *ltm_webhook_redelivery_body        (GBytes               *body,
                                                 int                   index,
                                                 GError              **error);

G_END_DECLS
