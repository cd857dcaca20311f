/* ltm-store-webhook.h: recorded webhook events and the webhook URL to put
 * back, and the bot's own user ID, in the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-store.h"
#include "ltm-webhook-event.h"

G_BEGIN_DECLS

/* How many events the store keeps per channel: the newest. */
#define LTM_STORE_WEBHOOK_EVENTS_KEPT 500

/* One recorded event: plain data, for any thread. */
typedef struct {
  gint64 id;                    /* its row; 0 until recorded */
  gint64 received_at;           /* microseconds since the epoch */
  int index;                    /* in the body's "events"; -1: the body had none */
  char *event_id;               /* webhookEventId */
  char *event_type;
  LtmWebhookSignature signature;
  LtmWebhookBotState bot_state;
  guint bot_status;
  gint64 bot_time;              /* microseconds; -1: no answer */
  gboolean bot_late;
  char *bot_message;
  GBytes *body;                 /* the whole body, as received */
} LtmWebhookRecord;

/* A webhook URL to put back: LINE's before a public URL replaced it. */
typedef struct {
  char *endpoint;               /* NULL: LINE had none */
  char *public_url;
  gint64 since;                 /* seconds since the epoch */
} LtmWebhookRestore;

LtmWebhookRecord  *ltm_webhook_record_new_for_event     (LtmWebhookEvent    *event);
LtmWebhookEvent   *ltm_webhook_record_to_event          (LtmWebhookRecord   *record,
                                                         GError            **error);
void               ltm_webhook_record_free              (LtmWebhookRecord   *record);
void               ltm_webhook_restore_free             (LtmWebhookRestore  *restore);

gboolean           ltm_store_add_webhook_records        (LtmStore           *self,
                                                         const char         *channel_id,
                                                         GPtrArray          *records,
                                                         GError            **error);
GPtrArray         *ltm_store_list_webhook_records       (LtmStore           *self,
                                                         const char         *channel_id,
                                                         GError            **error);
LtmWebhookRecord  *ltm_store_find_webhook_record        (LtmStore           *self,
                                                         const char         *channel_id,
                                                         const char         *event_id,
                                                         GError            **error);
gboolean           ltm_store_clear_webhook_records      (LtmStore           *self,
                                                         const char         *channel_id,
                                                         guint              *out_cleared,
                                                         GError            **error);

gboolean           ltm_store_set_webhook_restore        (LtmStore           *self,
                                                         const char         *channel_id,
                                                         const char         *endpoint,
                                                         const char         *public_url,
                                                         GError            **error);
LtmWebhookRestore *ltm_store_get_webhook_restore        (LtmStore           *self,
                                                         const char         *channel_id,
                                                         GError            **error);
gboolean           ltm_store_clear_webhook_restore      (LtmStore           *self,
                                                         const char         *channel_id,
                                                         GError            **error);

gboolean           ltm_store_set_webhook_bot_user_id    (LtmStore           *self,
                                                         const char         *channel_id,
                                                         const char         *user_id,
                                                         GError            **error);
char              *ltm_store_dup_webhook_bot_user_id    (LtmStore           *self,
                                                         const char         *channel_id,
                                                         GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookRecord, ltm_webhook_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookRestore, ltm_webhook_restore_free)

G_END_DECLS
