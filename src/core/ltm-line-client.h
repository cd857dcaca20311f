/* ltm-line-client.h: every LINE endpoint this project uses, on libsoup 3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-line-error.h"
#include "ltm-line-results.h"

G_BEGIN_DECLS

#define LTM_LINE_DEFAULT_BASE_URL "https://api.line.me"
/* The most a webhook URL may have, in characters. */
#define LTM_LINE_WEBHOOK_MAX_LENGTH 500
/* LINE's limit of valid channel access tokens v2.1 per channel: it refuses the next. */
#define LTM_LINE_MAX_V21_TOKENS 30

#define LTM_TYPE_LINE_CLIENT (ltm_line_client_get_type ())

G_DECLARE_FINAL_TYPE (LtmLineClient, ltm_line_client, LTM, LINE_CLIENT, GObject)

LtmLineClient      *ltm_line_client_new                          (const char          *base_url,
                                                                  GError             **error);
const char         *ltm_line_client_get_base_url                 (LtmLineClient       *self);
void                ltm_line_client_set_tls_database             (LtmLineClient       *self,
                                                                  GTlsDatabase        *database);
void                ltm_line_client_set_timeout                  (LtmLineClient       *self,
                                                                  guint                seconds);

gboolean            ltm_line_host_is_loopback                    (const char          *host);
GUri               *ltm_line_parse_secure_url                    (const char          *url,
                                                                  const char          *example,
                                                                  GQuark               domain,
                                                                  int                  code,
                                                                  GError             **error);
gboolean            ltm_line_check_base_url                      (const char          *base_url,
                                                                  GError             **error);
gboolean            ltm_line_check_webhook_url                   (const char          *url,
                                                                  GError             **error);

/* v2.1 */
void                ltm_line_client_issue_token_async            (LtmLineClient       *self,
                                                                  const char          *jwt,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineToken       *ltm_line_client_issue_token_finish           (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_verify_token_async           (LtmLineClient       *self,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineTokenInfo   *ltm_line_client_verify_token_finish          (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_get_key_ids_async            (LtmLineClient       *self,
                                                                  const char          *jwt,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
GStrv               ltm_line_client_get_key_ids_finish           (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_revoke_token_async           (LtmLineClient       *self,
                                                                  const char          *channel_id,
                                                                  const char          *channel_secret,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
gboolean            ltm_line_client_revoke_token_finish          (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

/* stateless: by a JWT, or by the channel ID and secret (jwt NULL) */
void                ltm_line_client_issue_stateless_token_async  (LtmLineClient       *self,
                                                                  const char          *jwt,
                                                                  const char          *channel_id,
                                                                  const char          *channel_secret,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineToken       *ltm_line_client_issue_stateless_token_finish (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

/* short-lived */
void                ltm_line_client_issue_short_lived_token_async (LtmLineClient      *self,
                                                                  const char          *channel_id,
                                                                  const char          *channel_secret,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineToken       *ltm_line_client_issue_short_lived_token_finish (LtmLineClient     *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_verify_short_lived_token_async (LtmLineClient     *self,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineTokenInfo   *ltm_line_client_verify_short_lived_token_finish (LtmLineClient    *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_revoke_short_lived_token_async (LtmLineClient     *self,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
gboolean            ltm_line_client_revoke_short_lived_token_finish (LtmLineClient    *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

/* webhook and bot: each with a channel access token */
void                ltm_line_client_get_webhook_async            (LtmLineClient       *self,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineWebhook     *ltm_line_client_get_webhook_finish           (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_set_webhook_async            (LtmLineClient       *self,
                                                                  const char          *access_token,
                                                                  const char          *endpoint,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
gboolean            ltm_line_client_set_webhook_finish           (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_test_webhook_async           (LtmLineClient       *self,
                                                                  const char          *access_token,
                                                                  const char          *endpoint,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineWebhookTest *ltm_line_client_test_webhook_finish          (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);
void                ltm_line_client_get_bot_info_async           (LtmLineClient       *self,
                                                                  const char          *access_token,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
LtmLineBotInfo     *ltm_line_client_get_bot_info_finish          (LtmLineClient       *self,
                                                                  GAsyncResult        *result,
                                                                  GError             **error);

G_END_DECLS
