/* ltm-webhook-event.h: one event LINE sent to the bot, and what became of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ltm-webhook-signature.h"

G_BEGIN_DECLS

/**
 * LtmWebhookBotState:
 * @LTM_WEBHOOK_BOT_NONE: not forwarded to a bot
 * @LTM_WEBHOOK_BOT_WAITING: forwarded; the bot has not answered yet
 * @LTM_WEBHOOK_BOT_ANSWERED: the bot answered, with any status
 * @LTM_WEBHOOK_BOT_FAILED: the bot could not be reached, or broke off
 * @LTM_WEBHOOK_BOT_REFUSED: not forwarded: the signature did not verify
 */
typedef enum {
  LTM_WEBHOOK_BOT_NONE,
  LTM_WEBHOOK_BOT_WAITING,
  LTM_WEBHOOK_BOT_ANSWERED,
  LTM_WEBHOOK_BOT_FAILED,
  LTM_WEBHOOK_BOT_REFUSED,
} LtmWebhookBotState;

/* What LINE waits for a bot's answer (today's documentation; older
 * versions said 1 second): a slower bot counts as request_timeout. */
#define LTM_WEBHOOK_LINE_TIMEOUT_MS 2000

#define LTM_TYPE_WEBHOOK_EVENT (ltm_webhook_event_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookEvent, ltm_webhook_event, LTM, WEBHOOK_EVENT, GObject)

GPtrArray           *ltm_webhook_event_parse              (GBytes              *body,
                                                           gint64               received_at,
                                                           LtmWebhookSignature  signature,
                                                           GError             **error);
LtmWebhookEvent     *ltm_webhook_event_new_from_body      (GBytes              *body,
                                                           int                  index,
                                                           gint64               received_at,
                                                           LtmWebhookSignature  signature,
                                                           GError             **error);

GBytes              *ltm_webhook_event_get_body           (LtmWebhookEvent     *self);
int                  ltm_webhook_event_get_index          (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_destination    (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_event_type     (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_mode           (LtmWebhookEvent     *self);
gint64               ltm_webhook_event_get_timestamp      (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_source_type    (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_user_id        (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_group_id       (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_room_id        (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_chat_id        (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_webhook_event_id (LtmWebhookEvent   *self);
gboolean             ltm_webhook_event_get_is_redelivery  (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_reply_token    (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_message_type   (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_message_id     (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_text           (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_postback_data  (LtmWebhookEvent     *self);
char                *ltm_webhook_event_dup_summary        (LtmWebhookEvent     *self);
gint64               ltm_webhook_event_get_received_at    (LtmWebhookEvent     *self);
LtmWebhookSignature  ltm_webhook_event_get_signature      (LtmWebhookEvent     *self);

gint64               ltm_webhook_event_get_record_id      (LtmWebhookEvent     *self);
void                 ltm_webhook_event_set_record_id      (LtmWebhookEvent     *self,
                                                           gint64               record_id);
LtmWebhookBotState   ltm_webhook_event_get_bot_state      (LtmWebhookEvent     *self);
guint                ltm_webhook_event_get_bot_status     (LtmWebhookEvent     *self);
gint64               ltm_webhook_event_get_bot_time       (LtmWebhookEvent     *self);
gboolean             ltm_webhook_event_get_bot_late       (LtmWebhookEvent     *self);
const char          *ltm_webhook_event_get_bot_message    (LtmWebhookEvent     *self);
void                 ltm_webhook_event_set_bot_answer     (LtmWebhookEvent     *self,
                                                           LtmWebhookBotState   state,
                                                           guint                status,
                                                           gint64               time_us,
                                                           gboolean             late,
                                                           const char          *message);

G_END_DECLS
