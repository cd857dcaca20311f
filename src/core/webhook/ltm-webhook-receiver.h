/* ltm-webhook-receiver.h: LINE's webhook received on this computer,
 * checked, recorded and forwarded to the bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-store.h"
#include "ltm-webhook-event.h"

G_BEGIN_DECLS

/* The most a webhook body may have: LINE's are a few kilobytes. */
#define LTM_WEBHOOK_MAX_BODY (1024 * 1024)
#define LTM_WEBHOOK_DEFAULT_LISTEN "127.0.0.1:8000"
#define LTM_WEBHOOK_DEFAULT_PORT 8000
#define LTM_WEBHOOK_DEFAULT_PATH "/callback"

#define LTM_TYPE_WEBHOOK_RECEIVER (ltm_webhook_receiver_get_type ())

G_DECLARE_FINAL_TYPE (LtmWebhookReceiver, ltm_webhook_receiver, LTM, WEBHOOK_RECEIVER, GObject)

LtmWebhookReceiver *ltm_webhook_receiver_new              (const char          *channel_id,
                                                           const char          *channel_secret);
const char         *ltm_webhook_receiver_get_channel_id   (LtmWebhookReceiver  *self);
gboolean            ltm_webhook_receiver_set_path         (LtmWebhookReceiver  *self,
                                                           const char          *path,
                                                           GError             **error);
gboolean            ltm_webhook_receiver_set_forward_to   (LtmWebhookReceiver  *self,
                                                           const char          *url,
                                                           GError             **error);
const char         *ltm_webhook_receiver_get_forward_to   (LtmWebhookReceiver  *self);
void                ltm_webhook_receiver_set_store        (LtmWebhookReceiver  *self,
                                                           LtmStore            *store);
void                ltm_webhook_receiver_set_line_timeout (LtmWebhookReceiver  *self,
                                                           guint                milliseconds);
gboolean            ltm_webhook_receiver_listen           (LtmWebhookReceiver  *self,
                                                           const char          *address,
                                                           GError             **error);
char               *ltm_webhook_receiver_dup_url          (LtmWebhookReceiver  *self);
guint               ltm_webhook_receiver_get_port         (LtmWebhookReceiver  *self);
guint               ltm_webhook_receiver_get_n_pending    (LtmWebhookReceiver  *self);
void                ltm_webhook_receiver_stop             (LtmWebhookReceiver  *self);

gboolean            ltm_webhook_parse_listen_address      (const char          *address,
                                                           GSocketAddress     **out_address,
                                                           GError             **error);

G_END_DECLS
