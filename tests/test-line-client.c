/* test-line-client.c: every LINE endpoint through the C API, against the
 * project's strict test server on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ltm-jwt.h"
#include "ltm-json.h"
#include "ltm-line-client.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "0123456789abcdef0123456789abcdef"

typedef struct {
  LtmTestServer *server;
  LtmLineClient *client;
  LtmKey *key;
  char *kid;
  GAsyncResult *result;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *public_jwk = NULL;

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);

  fixture->key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  public_jwk = ltm_key_to_public_jwk (fixture->key);
  fixture->kid = ltm_test_server_register_key (fixture->server, CHANNEL, public_jwk, &error);
  g_assert_no_error (error);

  fixture->client = ltm_line_client_new (ltm_test_server_get_base_url (fixture->server), &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  g_assert_finalize_object (fixture->client);
  g_clear_object (&fixture->key);
  g_free (fixture->kid);
  g_assert_finalize_object (fixture->server);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_assert_null (fixture->result);
  fixture->result = g_object_ref (result);
}

/* Waits for the call started with result_cb, and hands its result over. */
static GAsyncResult *
wait_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return fixture->result;
}

static GAsyncResult *
next_result (Fixture *fixture)
{
  while (fixture->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return fixture->result;
}

static void
forget_result (Fixture *fixture)
{
  g_clear_object (&fixture->result);
}

static char *
make_jwt (Fixture *fixture,
          gint64   now,
          gint64   token_lifetime)
{
  g_autoptr(GError) error = NULL;
  char *jwt = ltm_jwt_create_assertion (fixture->key, fixture->kid, CHANNEL, now,
                                        LTM_JWT_ASSERTION_LIFETIME, token_lifetime, &error);

  g_assert_no_error (error);

  return jwt;
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static LtmLineToken *
issue (Fixture *fixture,
       gint64   token_lifetime,
       GError **error)
{
  g_autofree char *jwt = make_jwt (fixture, now (), token_lifetime);
  LtmLineToken *token;

  ltm_line_client_issue_token_async (fixture->client, jwt, NULL, result_cb, fixture);
  token = ltm_line_client_issue_token_finish (fixture->client, next_result (fixture), error);
  forget_result (fixture);

  return token;
}

static void
assert_line_error (const GError *error,
                   int           code,
                   guint         status,
                   const char   *line_message)
{
  g_assert_error (error, LTM_LINE_ERROR, code);
  g_test_message ("error: %s", error->message);
  g_assert_cmpuint (ltm_line_error_get_status (error), ==, status);
  if (status != 0)
    {
      /* X-Line-Request-Id, kept for support and shown to the user */
      g_assert_nonnull (ltm_line_error_get_request_id (error));
      g_assert_nonnull (strstr (error->message, ltm_line_error_get_request_id (error)));
    }
  if (line_message != NULL)
    {
      g_assert_cmpstr (ltm_line_error_get_line_message (error), ==, line_message);
      g_assert_nonnull (strstr (error->message, line_message));
    }
}

static void
test_client_issue (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  token = issue (fixture, 7 * 86400, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token->access_token), >, 100);
  g_assert_cmpint (token->expires_in, ==, 7 * 86400);
  g_assert_cmpstr (token->token_type, ==, "Bearer");
  g_assert_nonnull (token->key_id);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  /* The bytes on the wire */
  g_assert_cmpstr (ltm_test_server_get_last_method (fixture->server), ==, "POST");
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/oauth2/v2.1/token");
  g_assert_cmpstr (ltm_test_server_get_last_content_type (fixture->server), ==,
                   "application/x-www-form-urlencoded");
  g_assert_cmpstr (ltm_test_server_get_last_user_agent (fixture->server), ==,
                   "line-token-manager/" PACKAGE_VERSION);
  body = ltm_test_server_get_last_body (fixture->server);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (text, "grant_type=client_credentials"));
  g_assert_nonnull (strstr (text, "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
                                  "client-assertion-type%3Ajwt-bearer"));
  g_assert_nonnull (strstr (text, "client_assertion=ey"));
}

static void
test_client_verify_kids_revoke (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 86400, &error);
  g_autoptr(LtmLineToken) other = issue (fixture, 86400, &error);
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autoptr(LtmLineTokenInfo) gone = NULL;
  g_auto(GStrv) kids = NULL;
  g_auto(GStrv) kids_after = NULL;
  g_autofree char *jwt = make_jwt (fixture, now (), 60);

  g_assert_no_error (error);

  ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->client_id, ==, CHANNEL);
  g_assert_cmpint (info->expires_in, >, 86000);
  g_assert_cmpint (info->expires_in, <=, 86400);
  g_assert_cmpstr (ltm_test_server_get_last_method (fixture->server), ==, "GET");

  ltm_line_client_get_key_ids_async (fixture->client, jwt, NULL, result_cb, fixture);
  kids = ltm_line_client_get_key_ids_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (kids), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) kids, token->key_id));
  g_assert_true (g_strv_contains ((const char * const *) kids, other->key_id));

  /* A wrong secret is refused with LINE's words */
  ltm_line_client_revoke_token_async (fixture->client, CHANNEL, "wrong", token->access_token,
                                      NULL, result_cb, fixture);
  g_assert_false (ltm_line_client_revoke_token_finish (fixture->client, wait_result (fixture), &error));
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400, "invalid client_secret");
  g_assert_cmpstr (ltm_line_error_get_line_error (error), ==, "invalid_client");
  g_assert_nonnull (strstr (error->message, "channel secret"));
  g_clear_error (&error);

  ltm_line_client_revoke_token_async (fixture->client, CHANNEL, SECRET, token->access_token,
                                      NULL, result_cb, fixture);
  g_assert_true (ltm_line_client_revoke_token_finish (fixture->client, wait_result (fixture), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  ltm_line_client_get_key_ids_async (fixture->client, jwt, NULL, result_cb, fixture);
  kids_after = ltm_line_client_get_key_ids_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (kids_after, ((const char * const []) { other->key_id, NULL }));

  /* A revoked token no longer verifies */
  ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  gone = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (gone);
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400, NULL);
}

static void
test_client_wrong_kid (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;
  g_autofree char *jwt = NULL;

  jwt = ltm_jwt_create_assertion (fixture->key, "00000000-0000-0000-0000-000000000000", CHANNEL,
                                  now (), 600, 600, &error);
  ltm_line_client_issue_token_async (fixture->client, jwt, NULL, result_cb, fixture);
  token = ltm_line_client_issue_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (token);
  assert_line_error (error, LTM_LINE_ERROR_NOT_FOUND, 404,
                     "Cannot find channel key that satisfies the conditions");
  /* and what to do about it */
  g_assert_nonnull (strstr (error->message, "LINE Developers Console"));
}

static void
test_client_expired_jwt (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;
  g_autofree char *jwt = NULL;

  /* Made an hour ago, valid for 15 minutes. */
  jwt = make_jwt (fixture, now () - 3600, 600);
  ltm_line_client_issue_token_async (fixture->client, jwt, NULL, result_cb, fixture);
  token = ltm_line_client_issue_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (token);
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400, "Invalid exp");
  g_assert_nonnull (strstr (error->message, "clock"));
}

static void
test_client_token_limit (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) refused = NULL;

  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);

      g_assert_no_error (error);
      g_assert_nonnull (token);
    }

  refused = issue (fixture, 3600, &error);
  g_assert_null (refused);
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400,
                     "The maximum number of access tokens has already been issued");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 30);
}

static void
test_client_expired_token (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 60, &error);
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autoptr(LtmLineBotInfo) bot = NULL;

  g_assert_no_error (error);
  ltm_test_server_set_clock_offset (fixture->server, 120);

  ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (info);
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400, "The access token expired");
  g_clear_error (&error);

  /* and the Messaging API refuses it with 401 */
  ltm_line_client_get_bot_info_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  bot = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (bot);
  assert_line_error (error, LTM_LINE_ERROR_UNAUTHORIZED, 401, NULL);
}

static void
test_client_stateless_and_short_lived (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) by_jwt = NULL;
  g_autoptr(LtmLineToken) by_secret = NULL;
  g_autoptr(LtmLineToken) short_lived = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autoptr(LtmLineTokenInfo) revoked = NULL;
  g_autoptr(LtmLineToken) refused = NULL;
  g_autofree char *jwt = make_jwt (fixture, now (), 900);

  ltm_line_client_issue_stateless_token_async (fixture->client, jwt, NULL, NULL, NULL,
                                               result_cb, fixture);
  by_jwt = ltm_line_client_issue_stateless_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_jwt->expires_in, ==, 900);
  g_assert_null (by_jwt->key_id);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/oauth2/v3/token");

  ltm_line_client_issue_stateless_token_async (fixture->client, NULL, CHANNEL, SECRET, NULL,
                                               result_cb, fixture);
  by_secret = ltm_line_client_issue_stateless_token_finish (fixture->client, wait_result (fixture),
                                                            &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_secret->expires_in, ==, 900);

  ltm_line_client_issue_stateless_token_async (fixture->client, NULL, CHANNEL, "wrong", NULL,
                                               result_cb, fixture);
  refused = ltm_line_client_issue_stateless_token_finish (fixture->client, wait_result (fixture),
                                                          &error);
  g_assert_null (refused);
  assert_line_error (error, LTM_LINE_ERROR_REFUSED, 400, "invalid client_secret");
  g_clear_error (&error);

  ltm_line_client_issue_short_lived_token_async (fixture->client, CHANNEL, SECRET, NULL,
                                                 result_cb, fixture);
  short_lived = ltm_line_client_issue_short_lived_token_finish (fixture->client,
                                                                wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpint (short_lived->expires_in, ==, 2592000);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/accessToken");

  ltm_line_client_verify_short_lived_token_async (fixture->client, short_lived->access_token, NULL,
                                                  result_cb, fixture);
  info = ltm_line_client_verify_short_lived_token_finish (fixture->client, wait_result (fixture),
                                                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->client_id, ==, CHANNEL);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/verify");

  ltm_line_client_revoke_short_lived_token_async (fixture->client, short_lived->access_token, NULL,
                                                  result_cb, fixture);
  g_assert_true (ltm_line_client_revoke_short_lived_token_finish (fixture->client,
                                                                  wait_result (fixture), &error));
  g_assert_no_error (error);

  ltm_line_client_verify_short_lived_token_async (fixture->client, short_lived->access_token, NULL,
                                                  result_cb, fixture);
  revoked = ltm_line_client_verify_short_lived_token_finish (fixture->client, wait_result (fixture),
                                                             &error);
  g_assert_null (revoked);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_REFUSED);
}

static GTlsDatabase *
database_for (LtmTestServer *server)
{
  g_autofree char *pem = ltm_test_server_get_certificate_pem (server);

  return ltm_test_tls_database_new (pem);
}

static void
test_client_webhook (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);
  g_autoptr(LtmTestServer) receiver = NULL;
  g_autoptr(GTlsDatabase) receiver_ca = NULL;
  g_autoptr(LtmLineWebhook) none = NULL;
  g_autoptr(LtmLineWebhook) webhook = NULL;
  g_autoptr(LtmLineWebhookTest) ok = NULL;
  g_autoptr(LtmLineWebhookTest) unreachable = NULL;
  g_autoptr(LtmLineWebhookTest) failing = NULL;
  g_autofree char *ok_url = NULL;
  g_autofree char *failing_url = NULL;
  g_autofree char *long_url = NULL;
  guint requests;

  g_assert_no_error (error);

  /* A bot that answers over HTTPS, which the test server trusts. */
  receiver = ltm_test_server_new (LTM_TEST_SERVER_HTTPS, &error);
  g_assert_no_error (error);
  /* The bot checks x-line-signature with the channel secret. */
  ltm_test_server_add_channel (receiver, CHANNEL, SECRET);
  receiver_ca = database_for (receiver);
  ltm_test_server_set_webhook_tls_database (fixture->server, receiver_ca);
  ok_url = g_strdup_printf ("%s/_receiver/ok", ltm_test_server_get_base_url (receiver));
  failing_url = g_strdup_printf ("%s/_receiver/status/500", ltm_test_server_get_base_url (receiver));

  ltm_line_client_get_webhook_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  none = ltm_line_client_get_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (none);
  assert_line_error (error, LTM_LINE_ERROR_NOT_FOUND, 404, "Webhook endpoint not found");
  g_clear_error (&error);

  /* What LINE would refuse is refused without a request. */
  requests = ltm_test_server_get_request_count (fixture->server);
  long_url = g_strdup_printf ("https://example.com/%0490d", 0);
  ltm_line_client_set_webhook_async (fixture->client, token->access_token, "http://example.com/hook",
                                     NULL, result_cb, fixture);
  g_assert_false (ltm_line_client_set_webhook_finish (fixture->client, wait_result (fixture), &error));
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "https://"));
  g_clear_error (&error);
  ltm_line_client_set_webhook_async (fixture->client, token->access_token, long_url,
                                     NULL, result_cb, fixture);
  g_assert_false (ltm_line_client_set_webhook_finish (fixture->client, wait_result (fixture), &error));
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "500 characters"));
  g_clear_error (&error);
  for (guint i = 0; i < 3; i++)
    {
      static const char * const spaced[] = {
        "https://bot.example.com/my hook", "https://bot.example.com/hook\n",
        "https://bot.example.com/\033[2Jhook",
      };

      ltm_line_client_set_webhook_async (fixture->client, token->access_token, spaced[i],
                                         NULL, result_cb, fixture);
      g_assert_false (ltm_line_client_set_webhook_finish (fixture->client, wait_result (fixture),
                                                          &error));
      g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "cannot contain spaces, line breaks or control "
                                                "characters"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests);

  ltm_line_client_set_webhook_async (fixture->client, token->access_token, ok_url,
                                     NULL, result_cb, fixture);
  g_assert_true (ltm_line_client_set_webhook_finish (fixture->client, wait_result (fixture), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_test_server_get_last_method (fixture->server), ==, "PUT");
  g_assert_cmpstr (ltm_test_server_get_last_content_type (fixture->server), ==, "application/json");

  ltm_line_client_get_webhook_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  webhook = ltm_line_client_get_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (webhook->endpoint, ==, ok_url);

  ltm_line_client_test_webhook_async (fixture->client, token->access_token, NULL,
                                      NULL, result_cb, fixture);
  ok = ltm_line_client_test_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_true (ok->success);
  g_assert_cmpstr (ok->reason, ==, "OK");
  g_assert_cmpint (ok->status_code, ==, 200);

  ltm_line_client_test_webhook_async (fixture->client, token->access_token, "https://127.0.0.1:9/hook",
                                      NULL, result_cb, fixture);
  unreachable = ltm_line_client_test_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_false (unreachable->success);
  g_assert_cmpstr (unreachable->reason, ==, "COULD_NOT_CONNECT");
  g_assert_nonnull (strstr (ltm_line_webhook_test_explain (unreachable), "could not connect"));

  ltm_line_client_test_webhook_async (fixture->client, token->access_token, failing_url,
                                      NULL, result_cb, fixture);
  failing = ltm_line_client_test_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_false (failing->success);
  g_assert_cmpstr (failing->reason, ==, "ERROR_STATUS_CODE");
  g_assert_cmpint (failing->status_code, ==, 500);
}

static void
test_client_bot_info (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);
  g_autoptr(LtmLineBotInfo) info = NULL;
  g_autoptr(LtmLineBotInfo) refused = NULL;

  g_assert_no_error (error);

  ltm_line_client_get_bot_info_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (info->user_id, "U"));
  g_assert_true (g_str_has_prefix (info->basic_id, "@"));
  g_assert_nonnull (strstr (info->display_name, CHANNEL));
  g_assert_cmpstr (info->chat_mode, ==, "bot");

  ltm_line_client_get_bot_info_async (fixture->client, "not-a-token", NULL, result_cb, fixture);
  refused = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (refused);
  assert_line_error (error, LTM_LINE_ERROR_UNAUTHORIZED, 401, NULL);
  g_assert_nonnull (strstr (error->message, "access token"));
}

typedef struct {
  LtmTestFault fault;
  int code;
  const char *message_part;
} FaultCase;

static void
test_client_faults (Fixture       *fixture,
                    gconstpointer  data)
{
  static const FaultCase cases[] = {
    { LTM_TEST_FAULT_STATUS_500, LTM_LINE_ERROR_SERVER, "server error" },
    { LTM_TEST_FAULT_STATUS_429, LTM_LINE_ERROR_RATE_LIMITED, "The API rate limit has been exceeded" },
    /* and when to try again, from Retry-After */
    { LTM_TEST_FAULT_STATUS_429, LTM_LINE_ERROR_RATE_LIMITED, "wait 1 seconds" },
    /* a proxy's 502 page: a server error, said to be a web page */
    { LTM_TEST_FAULT_HTML, LTM_LINE_ERROR_SERVER, "web page" },
    { LTM_TEST_FAULT_EMPTY, LTM_LINE_ERROR_UNEXPECTED, "empty" },
    { LTM_TEST_FAULT_TRUNCATED_JSON, LTM_LINE_ERROR_UNEXPECTED, "not valid JSON" },
    { LTM_TEST_FAULT_RESET, LTM_LINE_ERROR_NETWORK, "Could not reach 127.0.0.1" },
    { LTM_TEST_FAULT_HUGE, LTM_LINE_ERROR_UNEXPECTED, "larger than 1 MiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtmLineToken) token = NULL;
      guint requests = ltm_test_server_get_request_count (fixture->server);

      g_test_message ("fault %d", cases[i].fault);
      ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", cases[i].fault);
      token = issue (fixture, 3600, &error);
      g_assert_null (token);
      g_assert_error (error, LTM_LINE_ERROR, cases[i].code);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));

      /* Issuing creates something: never sent twice on its own. */
      g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests + 1);
    }

  /* Without the fault, the same client works again. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LtmLineToken) token = NULL;

    ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_NONE);
    token = issue (fixture, 3600, &error);
    g_assert_no_error (error);
  }
}

static void
test_client_get_retried_once (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);
  g_autoptr(LtmLineBotInfo) info = NULL;
  guint requests;

  g_assert_no_error (error);
  ltm_test_server_set_fault (fixture->server, "/v2/bot/info", LTM_TEST_FAULT_RESET);
  requests = ltm_test_server_get_request_count (fixture->server);

  ltm_line_client_get_bot_info_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (info);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NETWORK);
  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests + 2);
}

/* A resend carries the whole body: a revoke (POST, form) and the webhook
 * (PUT, JSON) whose connection is reset, on a connection libsoup reuses
 * (it resends by itself) and on a fresh one (the client's own retry). */
static void
test_client_resend_has_body (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);
  g_autoptr(LtmLineToken) other = issue (fixture, 3600, &error);
  g_autoptr(LtmLineToken) webhook_token = NULL;
  g_autoptr(LtmLineWebhook) webhook = NULL;
  /* only stored: nobody calls it */
  const char *url = "https://bot.example/hook";
  guint requests;

  g_assert_no_error (error);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);

  for (guint fresh = 0; fresh < 2; fresh++)
    {
      LtmLineToken *revoked = fresh ? other : token;
      g_autoptr(LtmLineClient) client = NULL;

      client = ltm_line_client_new (ltm_test_server_get_base_url (fixture->server), &error);
      g_assert_no_error (error);

      if (!fresh)
        {
          g_autoptr(LtmLineTokenInfo) info = NULL;

          /* a kept-alive connection for the revoke to be reset on */
          ltm_line_client_verify_token_async (client, revoked->access_token, NULL,
                                              result_cb, fixture);
          info = ltm_line_client_verify_token_finish (client, wait_result (fixture), &error);
          g_assert_no_error (error);
        }

      ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/revoke", LTM_TEST_FAULT_RESET_ONCE);
      requests = ltm_test_server_get_request_count (fixture->server);
      ltm_line_client_revoke_token_async (client, CHANNEL, SECRET, revoked->access_token,
                                          NULL, result_cb, fixture);
      g_assert_true (ltm_line_client_revoke_token_finish (client, wait_result (fixture), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests + 2);
      g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1 - fresh);

      g_clear_object (&fixture->result);
      g_assert_finalize_object (g_steal_pointer (&client));
    }

  webhook_token = issue (fixture, 3600, &error);
  g_assert_no_error (error);
  ltm_test_server_set_fault (fixture->server, "/v2/bot/channel/webhook/endpoint",
                             LTM_TEST_FAULT_RESET_ONCE);
  ltm_line_client_set_webhook_async (fixture->client, webhook_token->access_token, url,
                                     NULL, result_cb, fixture);
  ltm_line_client_set_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);

  ltm_line_client_get_webhook_async (fixture->client, webhook_token->access_token, NULL,
                                     result_cb, fixture);
  webhook = ltm_line_client_get_webhook_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (webhook->endpoint, ==, url);
}

/* LINE never redirects: a 3xx is an error naming where it pointed (not
 * the query, which held the token), and nothing goes there. */
static void
test_client_no_redirect (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);
  g_autoptr(LtmLineTokenInfo) info = NULL;
  guint requests;

  g_assert_no_error (error);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/verify", LTM_TEST_FAULT_REDIRECT);
  requests = ltm_test_server_get_request_count (fixture->server);

  ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (info);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_UNEXPECTED);
  g_assert_cmpuint (ltm_line_error_get_status (error), ==, 302);
  g_test_message ("→ %s", error->message);
  g_assert_nonnull (strstr (error->message, "redirect (HTTP 302) to http://127.0.0.1:1/oauth2/v2.1/verify;"));
  g_assert_null (strstr (error->message, token->access_token));
  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests + 1);
}

/* A token or a secret of the wrong shape is refused before any request;
 * an answer with one is not LINE's. */
static void
test_client_shapes (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const tokens[] = {
    "two\nlines", "{\"kty\":\"RSA\",\"d\":\"private\"}", "", "tab\there",
  };
  guint requests = ltm_test_server_get_request_count (fixture->server);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(LtmLineBotInfo) info = NULL;

      ltm_line_client_get_bot_info_async (fixture->client, tokens[i], NULL, result_cb, fixture);
      info = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
      g_assert_null (info);
      g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  ltm_line_client_revoke_token_async (fixture->client, CHANNEL,
                                      "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "token",
                                      NULL, result_cb, fixture);
  g_assert_false (ltm_line_client_revoke_token_finish (fixture->client, wait_result (fixture), &error));
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "key file"));
  g_assert_nonnull (strstr (error->message, "not a channel secret"));
  g_clear_error (&error);

  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests);

  {
    static const char * const answers[] = {
      "{\"access_token\":\"ok\",\"expires_in\":1,\"token_type\":\"Bearer\",\"key_id\":\"\\u001b[2J\"}",
      "{\"access_token\":\"a b\",\"expires_in\":1,\"token_type\":\"Bearer\",\"key_id\":\"abc\"}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
      {
        g_autoptr(JsonNode) node = ltm_json_parse (answers[i], -1, &error);
        g_autoptr(LtmLineToken) token = NULL;

        g_assert_no_error (error);
        token = ltm_line_token_new_from_json (json_node_get_object (node), TRUE, &error);
        g_assert_null (token);
        g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_UNEXPECTED);
        g_clear_error (&error);
      }
  }
}

static void
test_client_timeout (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;

  /* The server never answers: without the timeout, the test never ends. */
  ltm_line_client_set_timeout (fixture->client, 1);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STALL);
  token = issue (fixture, 3600, &error);
  g_assert_null (token);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "did not answer within 1 seconds"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_client_cancel (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;
  g_autofree char *jwt = make_jwt (fixture, now (), 60);

  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STALL);
  g_timeout_add (100, cancel_cb, cancellable);
  ltm_line_client_issue_token_async (fixture->client, jwt, cancellable, result_cb, fixture);
  token = ltm_line_client_issue_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_null (token);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_client_one_connection (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = issue (fixture, 3600, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(LtmLineTokenInfo) info = NULL;
      g_autoptr(LtmLineBotInfo) bot = NULL;

      ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
      info = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
      g_assert_no_error (error);
      ltm_line_client_get_bot_info_async (fixture->client, token->access_token, NULL, result_cb, fixture);
      bot = ltm_line_client_get_bot_info_finish (fixture->client, wait_result (fixture), &error);
      g_assert_no_error (error);
    }

  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), >=, 11);
  g_assert_cmpuint (ltm_test_server_get_connection_count (fixture->server), ==, 1);
}

static void
test_client_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmTestServer) server = ltm_test_server_new (LTM_TEST_SERVER_HTTPS, &error);
  g_autoptr(LtmLineClient) client = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GAsyncResult) untrusted = NULL;
  g_autoptr(GAsyncResult) trusted = NULL;
  g_autoptr(LtmLineTokenInfo) refused = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ltm_test_server_get_base_url (server), "https://"));
  client = ltm_line_client_new (ltm_test_server_get_base_url (server), &error);
  g_assert_no_error (error);

  /* Its own certificate authority is not trusted: refused. */
  ltm_line_client_verify_token_async (client, "x", NULL, ltm_async_result_cb, &untrusted);
  refused = ltm_line_client_verify_token_finish (client, ltm_async_wait (&untrusted), &error);
  g_assert_null (refused);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "not signed by an authority this computer trusts"));
  g_clear_error (&error);

  /* Handed that authority through the API, it talks (and LINE says no). */
  database = database_for (server);
  ltm_line_client_set_tls_database (client, database);
  ltm_line_client_verify_token_async (client, "x", NULL, ltm_async_result_cb, &trusted);
  info = ltm_line_client_verify_token_finish (client, ltm_async_wait (&trusted), &error);
  g_assert_null (info);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_REFUSED);
  g_assert_cmpuint (ltm_test_server_get_request_count (server), ==, 1);
}

static void
test_client_tls_refused (void)
{
  static const struct { LtmTestServerFlags flaw; const char *message_part; } cases[] = {
    { LTM_TEST_SERVER_EXPIRED_CERTIFICATE, "certificate has expired" },
    { LTM_TEST_SERVER_WRONG_HOST, "certificate is for another host name" },
  };

  /* Even with its authority trusted: expired, or for another host. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtmTestServer) server = ltm_test_server_new (cases[i].flaw, &error);
      g_autoptr(LtmLineClient) client = NULL;
      g_autoptr(GTlsDatabase) database = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(LtmLineTokenInfo) info = NULL;

      g_assert_no_error (error);
      client = ltm_line_client_new (ltm_test_server_get_base_url (server), &error);
      database = database_for (server);
      ltm_line_client_set_tls_database (client, database);

      ltm_line_client_verify_token_async (client, "x", NULL, ltm_async_result_cb, &result);
      info = ltm_line_client_verify_token_finish (client, ltm_async_wait (&result), &error);
      g_assert_null (info);
      g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NETWORK);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "secure connection"));
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
      g_assert_cmpuint (ltm_test_server_get_request_count (server), ==, 0);
    }
}

static void
test_client_base_url (void)
{
  static const struct { const char *url; gboolean ok; } cases[] = {
    { "https://api.line.me", TRUE },
    { "https://api.line.me/", TRUE },
    { "https://proxy.example.com/line", TRUE },
    { "http://127.0.0.1:8080", TRUE },
    { "http://127.1.2.3", TRUE },
    { "http://localhost:3000", TRUE },
    { "http://[::1]:8080", TRUE },
    { "http://api.line.me", FALSE },
    { "http://192.168.1.10:8080", FALSE },
    { "http://10.0.0.1", FALSE },
    { "ftp://api.line.me", FALSE },
    { "api.line.me", FALSE },
    { "https://", FALSE },
    { "https://user:pw@api.line.me", FALSE },
    { "https://api.line.me/?x=1", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtmLineClient) client = ltm_line_client_new (cases[i].url, &error);

      g_test_message ("%s", cases[i].url);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_false (g_str_has_suffix (ltm_line_client_get_base_url (client), "/"));
        }
      else
        {
          g_assert_null (client);
          g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_INVALID_BASE);
        }
    }

  /* LTM_API_BASE, when no URL is given; the default without it */
  {
    g_autoptr(LtmLineClient) from_env = NULL;
    g_autoptr(LtmLineClient) by_default = NULL;

    g_setenv ("LTM_API_BASE", "http://127.0.0.1:1234/", TRUE);
    from_env = ltm_line_client_new (NULL, NULL);
    g_assert_cmpstr (ltm_line_client_get_base_url (from_env), ==, "http://127.0.0.1:1234");
    g_unsetenv ("LTM_API_BASE");
    by_default = ltm_line_client_new (NULL, NULL);
    g_assert_cmpstr (ltm_line_client_get_base_url (by_default), ==, "https://api.line.me");
  }
}

/* Every log message of the process, to look for secrets in. */
static GString *log_text;

static GLogWriterOutput
collect_log_cb (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  for (gsize i = 0; log_text != NULL && i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      g_string_append_printf (log_text, "%s\n", (const char *) fields[i].value);

  /* Debug output would go to stdout, into the TAP stream: keep it here. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_client_no_secrets_in_debug (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;

  log_text = g_string_new (NULL);
  g_log_set_debug_enabled (TRUE);

  token = issue (fixture, 3600, &error);
  g_assert_no_error (error);
  ltm_line_client_verify_token_async (fixture->client, token->access_token, NULL, result_cb, fixture);
  info = ltm_line_client_verify_token_finish (fixture->client, wait_result (fixture), &error);
  g_assert_no_error (error);
  ltm_line_client_revoke_token_async (fixture->client, CHANNEL, SECRET, token->access_token,
                                      NULL, result_cb, fixture);
  g_assert_true (ltm_line_client_revoke_token_finish (fixture->client, wait_result (fixture), &error));

  g_log_set_debug_enabled (FALSE);

  g_test_message ("debug output:\n%s", log_text->str);
  g_assert_nonnull (strstr (log_text->str, "/oauth2/v2.1/verify"));
  g_assert_null (strstr (log_text->str, token->access_token));
  g_assert_null (strstr (log_text->str, SECRET));
  g_assert_null (strstr (log_text->str, "eyJ"));     /* no JWT */

  g_string_free (log_text, TRUE);
  log_text = NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (collect_log_cb, NULL, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/line-client/issue", test_client_issue);
  ADD ("/line-client/verify-kids-revoke", test_client_verify_kids_revoke);
  ADD ("/line-client/wrong-kid", test_client_wrong_kid);
  ADD ("/line-client/expired-jwt", test_client_expired_jwt);
  ADD ("/line-client/token-limit", test_client_token_limit);
  ADD ("/line-client/expired-token", test_client_expired_token);
  ADD ("/line-client/stateless-and-short-lived", test_client_stateless_and_short_lived);
  ADD ("/line-client/webhook", test_client_webhook);
  ADD ("/line-client/bot-info", test_client_bot_info);
  ADD ("/line-client/faults", test_client_faults);
  ADD ("/line-client/get-retried-once", test_client_get_retried_once);
  ADD ("/line-client/resend-has-body", test_client_resend_has_body);
  ADD ("/line-client/no-redirect", test_client_no_redirect);
  ADD ("/line-client/shapes", test_client_shapes);
  ADD ("/line-client/timeout", test_client_timeout);
  ADD ("/line-client/cancel", test_client_cancel);
  ADD ("/line-client/one-connection", test_client_one_connection);
  ADD ("/line-client/no-secrets-in-debug", test_client_no_secrets_in_debug);
  g_test_add_func ("/line-client/tls", test_client_tls);
  g_test_add_func ("/line-client/tls-refused", test_client_tls_refused);
  g_test_add_func ("/line-client/base-url", test_client_base_url);

#undef ADD

  return g_test_run ();
}
