/* ltm-test-server-private.h: what the parts of LtmTestServer share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ltm-key.h"
#include "ltm-test-server.h"

G_BEGIN_DECLS

/* LINE's limits (line-api.md). */
#define LTM_TEST_MAX_V21_TOKENS 30
#define LTM_TEST_MAX_SHORT_LIVED_TOKENS 30
#define LTM_TEST_STATELESS_LIFETIME 900
#define LTM_TEST_SHORT_LIVED_LIFETIME 2592000
#define LTM_TEST_MAX_JWT_LIFETIME 1800
#define LTM_TEST_MAX_TOKEN_EXP 2592000
#define LTM_TEST_MAX_WEBHOOK_LENGTH 500
#define LTM_TEST_AUDIENCE "https://api.line.me/"
#define LTM_TEST_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
/* Rate limits, per channel and endpoint */
#define LTM_TEST_RATE_WEBHOOK_TEST 60, (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define LTM_TEST_RATE_WEBHOOK_ENDPOINT 1000, (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define LTM_TEST_RATE_SHORT_LIVED 370, G_USEC_PER_SEC
#define LTM_TEST_RATE_OTHER 2000, G_USEC_PER_SEC
/* Expired tokens are kept this long, so that verify can say "expired". */
#define LTM_TEST_EXPIRED_GRACE (24 * 60 * 60)

typedef enum {
  LTM_TEST_TOKEN_V21,
  LTM_TEST_TOKEN_SHORT_LIVED,
  LTM_TEST_TOKEN_STATELESS,
} LtmTestTokenKind;

typedef struct {
  char *access_token;
  char *key_id;                 /* v2.1 only */
  char *channel_id;
  LtmTestTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
} LtmTestToken;

typedef struct {
  char *id;
  char *secret;
  char *webhook_endpoint;       /* NULL until set */
  gboolean webhook_active;
  GPtrArray *tokens;            /* LtmTestToken, oldest first, owned */
  GHashTable *calls;            /* endpoint → GArray of gint64 µs: recent calls, for rate limits */
} LtmTestChannel;

typedef struct {
  char *kid;
  char *channel_id;
  LtmKey *key;
} LtmTestKey;

typedef struct _LtmTestWebhookWorker LtmTestWebhookWorker;

struct _LtmTestServer
{
  GObject parent_instance;

  gboolean https;
  guint certificate_flaws;      /* LTM_TEST_SERVER_EXPIRED_CERTIFICATE | _WRONG_HOST */
  guint requested_port;

  SoupServer *server;
  GTlsCertificate *certificate;
  char *certificate_pem;
  char *base_url;
  guint port;

  guint latency_ms;
  gint64 clock_offset;
  GHashTable *faults;           /* path → LtmTestFault */
  LtmTestFault fault_all;

  GHashTable *channels;         /* id → LtmTestChannel */
  GHashTable *keys;             /* kid → LtmTestKey */
  GHashTable *tokens;           /* access token → LtmTestToken, borrowed from its channel */
  guint8 stateless_secret[32];

  guint request_count;
  guint connection_count;
  char *last_request_id;
  char *last_method;
  char *last_path;
  char *last_content_type;
  char *last_user_agent;
  GBytes *last_body;

  GPtrArray *delays;            /* GSource: answers held back by the latency */
  GPtrArray *stalled;           /* SoupServerMessage: never answered */
  GPtrArray *webhook_calls;     /* LtmTestWebhookCall in flight, borrowed */
  LtmTestWebhookWorker *webhook_worker;
  GTlsDatabase *webhook_database;

  /* /_receiver/sdk and /_receiver/slow: the bot */
  guint bot_count;              /* bodies whose signature verified */
  guint bot_refused;            /* bodies refused for their signature */
  GBytes *bot_body;             /* the last that verified */
  char *bot_signature;
  char *bot_user_agent;
  char *bot_content_type;
  GPtrArray *bot_held;          /* SoupServerMessage: /slow, until released */
};

/* ltm-test-server.c */
gint64          ltm_test_server_now                  (LtmTestServer      *self);
void            ltm_test_server_hold                 (SoupServerMessage  *msg);
void            ltm_test_server_answer_later         (SoupServerMessage  *msg);
void            ltm_test_server_release              (SoupServerMessage  *msg);
void            ltm_test_server_reply_json           (SoupServerMessage  *msg,
                                                      guint               status,
                                                      JsonNode           *node);
void            ltm_test_server_reply_message        (SoupServerMessage  *msg,
                                                      guint               status,
                                                      const char         *message);
void            ltm_test_server_reply_oauth_error    (SoupServerMessage  *msg,
                                                      const char         *error,
                                                      const char         *description);
void            ltm_test_server_reply_empty          (SoupServerMessage  *msg,
                                                      guint               status);
gboolean        ltm_test_server_has_content_type     (SoupServerMessage  *msg,
                                                      const char         *type);
GHashTable     *ltm_test_server_read_form            (SoupServerMessage  *msg);
JsonNode       *ltm_test_server_read_json            (SoupServerMessage  *msg);
char           *ltm_test_server_random_string        (gsize               n_bytes);

/* ltm-test-server-tokens.c: the channel access token API and its state */
LtmTestChannel *ltm_test_server_lookup_channel       (LtmTestServer      *self,
                                                      const char         *channel_id);
void            ltm_test_channel_free                (LtmTestChannel     *channel);
gboolean        ltm_test_server_check_rate           (LtmTestServer      *self,
                                                      SoupServerMessage  *msg,
                                                      LtmTestChannel     *channel,
                                                      guint               limit,
                                                      gint64              window);
void            ltm_test_key_free                    (LtmTestKey         *key);
char           *ltm_test_server_check_public_jwk     (const char         *jwk,
                                                      gsize               len,
                                                      LtmKey            **out_key);
LtmTestToken   *ltm_test_server_issue_v21            (LtmTestServer      *self,
                                                      LtmTestChannel     *channel,
                                                      gint64              lifetime);
guint           ltm_test_server_count_v21            (LtmTestServer      *self,
                                                      LtmTestChannel     *channel);
void            ltm_test_server_revoke               (LtmTestServer      *self,
                                                      LtmTestToken       *token);
LtmTestChannel *ltm_test_server_authenticate         (LtmTestServer      *self,
                                                      const char         *access_token,
                                                      gboolean            allow_v21,
                                                      gboolean            allow_stateless,
                                                      gboolean            allow_short_lived,
                                                      gint64             *out_expires_at,
                                                      gboolean           *out_expired);
void            ltm_test_server_issue_v21_cb         (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_verify_v21_cb        (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_list_kids_cb         (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_revoke_v21_cb        (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_issue_stateless_cb   (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_issue_short_lived_cb (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_verify_short_lived_cb (LtmTestServer     *self,
                                                       SoupServerMessage *msg);
void            ltm_test_server_revoke_short_lived_cb (LtmTestServer     *self,
                                                       SoupServerMessage *msg);

/* ltm-test-server-bot.c: the webhook and bot API, and the webhook receiver */
void            ltm_test_server_get_webhook_cb       (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_set_webhook_cb       (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_test_webhook_cb      (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_bot_info_cb          (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
void            ltm_test_server_receiver_cb          (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
char           *ltm_test_server_bot_user_id          (const char         *channel_id);
char           *ltm_test_server_sign_webhook         (const char         *secret,
                                                      const char         *body,
                                                      gsize               len);

/* ltm-test-server-webhook.c: the webhook test's POST to the bot */
void            ltm_test_server_post_webhook         (LtmTestServer      *self,
                                                      SoupServerMessage  *msg,
                                                      const char         *endpoint,
                                                      GBytes             *body,
                                                      const char         *signature);
void            ltm_test_server_stop_webhooks        (LtmTestServer      *self);

/* ltm-test-server-admin.c: /_admin/, for scripts and benchmarks */
void            ltm_test_server_admin_cb             (LtmTestServer      *self,
                                                      SoupServerMessage  *msg);
gboolean        ltm_test_fault_from_string           (const char         *text,
                                                      LtmTestFault       *out_fault);

/* ltm-test-server-tls.c */
GTlsCertificate *ltm_test_server_create_certificate  (guint               flaws,
                                                      char              **out_pem,
                                                      GError            **error);

G_END_DECLS
