/* ltm-webhook-divert.h: LINE's webhook URL pointed at the developer's own
 * tunnel for a while, and put back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-line-client.h"
#include "ltm-store-webhook.h"

G_BEGIN_DECLS

void               ltm_webhook_divert_async   (LtmLineClient        *client,
                                               LtmStore             *store,
                                               const char           *channel_id,
                                               const char           *access_token,
                                               const char           *public_url,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
LtmWebhookRestore *ltm_webhook_divert_finish  (GAsyncResult         *result,
                                               GError              **error);
void               ltm_webhook_restore_async  (LtmLineClient        *client,
                                               LtmStore             *store,
                                               const char           *channel_id,
                                               const char           *access_token,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
LtmWebhookRestore *ltm_webhook_restore_finish (GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
