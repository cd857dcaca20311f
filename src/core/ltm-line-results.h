/* ltm-line-results.h: what LINE's endpoints answer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* An issued token: v2.1 (with key_id), stateless or short-lived. */
typedef struct {
  char *access_token;           /* a secret: wiped when freed */
  gint64 expires_in;
  char *token_type;
  char *key_id;                 /* v2.1 only */
} LtmLineToken;

/* What verify says of a token. */
typedef struct {
  char *client_id;
  gint64 expires_in;
  char *scope;                  /* may be NULL */
} LtmLineTokenInfo;

typedef struct {
  char *endpoint;
  gboolean active;
} LtmLineWebhook;

typedef struct {
  gboolean success;
  char *timestamp;
  int status_code;
  char *reason;                 /* OK, COULD_NOT_CONNECT, REQUEST_TIMEOUT, ERROR_STATUS_CODE, UNCLASSIFIED */
  char *detail;
} LtmLineWebhookTest;

typedef struct {
  char *user_id;
  char *basic_id;
  char *display_name;
  char *chat_mode;
  char *mark_as_read_mode;
  char *premium_id;             /* may be NULL */
  char *picture_url;            /* may be NULL */
} LtmLineBotInfo;

LtmLineToken       *ltm_line_token_new_from_json        (JsonObject          *object,
                                                         gboolean             needs_key_id,
                                                         GError             **error);
void                ltm_line_token_free                 (LtmLineToken        *token);

LtmLineTokenInfo   *ltm_line_token_info_new_from_json   (JsonObject          *object,
                                                         GError             **error);
void                ltm_line_token_info_free            (LtmLineTokenInfo    *info);

GStrv               ltm_line_key_ids_new_from_json      (JsonObject          *object,
                                                         GError             **error);

LtmLineWebhook     *ltm_line_webhook_new_from_json      (JsonObject          *object,
                                                         GError             **error);
void                ltm_line_webhook_free               (LtmLineWebhook      *webhook);

LtmLineWebhookTest *ltm_line_webhook_test_new_from_json (JsonObject          *object,
                                                         GError             **error);
void                ltm_line_webhook_test_free          (LtmLineWebhookTest  *test);
const char         *ltm_line_webhook_test_explain       (LtmLineWebhookTest  *test);

LtmLineBotInfo     *ltm_line_bot_info_new_from_json     (JsonObject          *object,
                                                         GError             **error);
void                ltm_line_bot_info_free              (LtmLineBotInfo      *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmLineToken, ltm_line_token_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmLineTokenInfo, ltm_line_token_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmLineWebhook, ltm_line_webhook_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmLineWebhookTest, ltm_line_webhook_test_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmLineBotInfo, ltm_line_bot_info_free)

G_END_DECLS
