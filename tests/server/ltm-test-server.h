/* ltm-test-server.h: a strict LINE-API-compatible HTTP server for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  LTM_TEST_SERVER_PLAIN = 0,
  LTM_TEST_SERVER_HTTPS = 1 << 0,
  /* HTTPS with a certificate a client must refuse: */
  LTM_TEST_SERVER_EXPIRED_CERTIFICATE = 1 << 1,   /* expired yesterday */
  LTM_TEST_SERVER_WRONG_HOST = 1 << 2,            /* for wrong.example, not 127.0.0.1 */
} LtmTestServerFlags;

typedef enum {
  LTM_TEST_FAULT_NONE,
  LTM_TEST_FAULT_STATUS_500,
  LTM_TEST_FAULT_STATUS_429,
  LTM_TEST_FAULT_HTML,
  LTM_TEST_FAULT_EMPTY,
  LTM_TEST_FAULT_TRUNCATED_JSON,
  LTM_TEST_FAULT_STALL,
  LTM_TEST_FAULT_RESET,
  LTM_TEST_FAULT_HUGE,
  /* The first request on the path: its connection reset before any answer;
   * then the path answers as usual again. */
  LTM_TEST_FAULT_RESET_ONCE,
  /* A 302 to another origin (127.0.0.1, port 1), the query kept. */
  LTM_TEST_FAULT_REDIRECT,
  /* A 400 whose message holds terminal escapes: a title, a clear screen,
   * a bell, an 8-bit CSI, a line break. */
  LTM_TEST_FAULT_HOSTILE_TEXT,
} LtmTestFault;

/* The size of the body LTM_TEST_FAULT_HUGE streams. */
#define LTM_TEST_SERVER_HUGE_SIZE (64 * 1024 * 1024)

#define LTM_TYPE_TEST_SERVER (ltm_test_server_get_type ())

G_DECLARE_FINAL_TYPE (LtmTestServer, ltm_test_server, LTM, TEST_SERVER, GObject)

LtmTestServer   *ltm_test_server_new                    (LtmTestServerFlags  flags,
                                                         GError            **error);
LtmTestServer   *ltm_test_server_new_for_port           (LtmTestServerFlags  flags,
                                                         guint               port,
                                                         GError            **error);

const char      *ltm_test_server_get_base_url           (LtmTestServer      *self);
guint            ltm_test_server_get_port               (LtmTestServer      *self);
GTlsCertificate *ltm_test_server_get_certificate        (LtmTestServer      *self);
char            *ltm_test_server_get_certificate_pem    (LtmTestServer      *self);

void             ltm_test_server_set_latency            (LtmTestServer      *self,
                                                         guint               milliseconds);
void             ltm_test_server_set_fault              (LtmTestServer      *self,
                                                         const char         *path,
                                                         LtmTestFault        fault);
void             ltm_test_server_set_clock_offset       (LtmTestServer      *self,
                                                         gint64              seconds);

void             ltm_test_server_add_channel            (LtmTestServer      *self,
                                                         const char         *channel_id,
                                                         const char         *channel_secret);
char            *ltm_test_server_register_key           (LtmTestServer      *self,
                                                         const char         *channel_id,
                                                         const char         *public_jwk,
                                                         GError            **error);
char            *ltm_test_server_issue_token_elsewhere  (LtmTestServer      *self,
                                                         const char         *channel_id,
                                                         gint64              lifetime,
                                                         char              **out_key_id);
gboolean         ltm_test_server_revoke_key_id          (LtmTestServer      *self,
                                                         const char         *channel_id,
                                                         const char         *key_id);
guint            ltm_test_server_count_valid_tokens     (LtmTestServer      *self,
                                                         const char         *channel_id);

guint            ltm_test_server_get_request_count      (LtmTestServer      *self);
guint            ltm_test_server_get_connection_count   (LtmTestServer      *self);
const char      *ltm_test_server_get_last_request_id    (LtmTestServer      *self);
const char      *ltm_test_server_get_last_method        (LtmTestServer      *self);
const char      *ltm_test_server_get_last_path          (LtmTestServer      *self);
const char      *ltm_test_server_get_last_content_type  (LtmTestServer      *self);
const char      *ltm_test_server_get_last_user_agent    (LtmTestServer      *self);
/* transfer full: unref the answer */
GBytes          *ltm_test_server_get_last_body          (LtmTestServer      *self);

/* transfer none; NULL when none is set */
const char      *ltm_test_server_get_webhook_endpoint   (LtmTestServer      *self,
                                                         const char         *channel_id);

/* The bot at /_receiver/sdk and /_receiver/slow */
guint            ltm_test_server_get_bot_count          (LtmTestServer      *self);
guint            ltm_test_server_get_bot_refused        (LtmTestServer      *self);
guint            ltm_test_server_get_bot_held           (LtmTestServer      *self);
/* transfer full: unref the answer */
GBytes          *ltm_test_server_get_bot_body           (LtmTestServer      *self);
const char      *ltm_test_server_get_bot_header         (LtmTestServer      *self,
                                                         const char         *name);
void             ltm_test_server_release_bot            (LtmTestServer      *self);

void             ltm_test_server_set_webhook_tls_database (LtmTestServer    *self,
                                                           GTlsDatabase     *database);

G_END_DECLS
