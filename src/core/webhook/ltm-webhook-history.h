/* ltm-webhook-history.h: what the store keeps of a channel's webhook, for
 * the front ends: the recorded events, and the bot's own user ID
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-line-client.h"
#include "ltm-store.h"

G_BEGIN_DECLS

/* What the store keeps of a channel's webhook, read back. */
typedef struct {
  GPtrArray *events;            /* LtmWebhookEvent, newest first */
  char *destination;            /* the bot's user ID, or NULL when unknown */
} LtmWebhookHistory;

void               ltm_webhook_get_bot_info_async  (LtmLineClient        *client,
                                                    LtmStore             *store,
                                                    const char           *channel_id,
                                                    const char           *access_token,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
LtmLineBotInfo    *ltm_webhook_get_bot_info_finish (GAsyncResult         *result,
                                                    GError              **error);

char              *ltm_webhook_dup_destination     (LtmStore             *store,
                                                    const char           *channel_id);

void               ltm_webhook_load_history_async  (LtmStore             *store,
                                                    const char           *channel_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
LtmWebhookHistory *ltm_webhook_load_history_finish (GAsyncResult         *result,
                                                    GError              **error);
void               ltm_webhook_history_free        (LtmWebhookHistory    *history);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmWebhookHistory, ltm_webhook_history_free)

G_END_DECLS
