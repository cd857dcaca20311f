/* test-server.c: the test server is as strict as LINE
 *
 * Drives LtmTestServer with a plain SoupSession and hand-made requests:
 * each rule of line-api.md must be enforced, with LINE's error bodies,
 * since client tests only mean something if this server refuses what LINE
 * refuses.  Nothing here talks to anything but 127.0.0.1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-key.h"
#include "ltm-test-server.h"

#define CHANNEL "1234567890"
#define SECRET "0123456789abcdef0123456789abcdef"
#define OTHER_CHANNEL "2000000001"
#define OTHER_SECRET "fedcba9876543210fedcba9876543210"
#define ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define FORM "application/x-www-form-urlencoded"
#define AUTH_FAILED "Authentication failed. Confirm that the access token in the " \
                    "authorization header is valid."

static LtmKey *key_a;           /* registered in every fixture */
static LtmKey *key_b;           /* never registered */

typedef struct {
  LtmTestServer *server;
  SoupSession *session;
  char *kid;
  char *tmpdir;
  char *ca_file;
} Fixture;

typedef struct {
  GError *error;
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_error (&reply->error);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("LTM_TEST_DATA");

  g_assert_nonnull (dir);

  return g_build_filename (dir, name, NULL);
}

static LtmKey *
load_key (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  LtmKey *key;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  key = ltm_key_new_from_data (contents, len, LTM_KEY_IMPORT_PRIVATE, &error);
  g_assert_no_error (error);

  return key;
}

static void
iterate_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Requests */

typedef struct {
  GBytes *bytes;
  GError *error;
  gboolean done;
} Wait;

static void
send_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *wait = user_data;

  wait->bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

static Reply *
send_full (SoupSession *session,
           const char  *method,
           const char  *url,
           const char  *content_type,
           const char  *body,
           const char  *authorization)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Reply *reply = g_new0 (Reply, 1);
  Wait wait = { NULL, NULL, FALSE };

  g_assert_nonnull (msg);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", authorization);

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, send_done_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  reply->error = wait.error;
  reply->body = wait.bytes;
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  if (reply->error == NULL)
    {
      const char *request_id = soup_message_headers_get_one (reply->headers, "X-Line-Request-Id");
      g_autoptr(JsonParser) parser = json_parser_new ();
      gsize len;
      const char *data = g_bytes_get_data (reply->body, &len);

      /* Every answer, errors included, carries one. */
      g_assert_nonnull (request_id);
      g_assert_true (g_uuid_string_is_valid (request_id));

      if (len > 0 && json_parser_load_from_data (parser, data, len, NULL))
        reply->json = json_node_copy (json_parser_get_root (parser));
    }

  return reply;
}

static Reply *
send_to (Fixture    *f,
         const char *method,
         const char *path,
         const char *content_type,
         const char *body,
         const char *bearer)
{
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server), path, NULL);
  g_autofree char *authorization = bearer != NULL ? g_strconcat ("Bearer ", bearer, NULL) : NULL;

  return send_full (f->session, method, url, content_type, body, authorization);
}

static JsonObject *
reply_object (Reply *reply)
{
  g_assert_no_error (reply->error);
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));

  return json_node_get_object (reply->json);
}

static const char *
reply_string (Reply      *reply,
              const char *name)
{
  return ltm_json_object_get_string (reply_object (reply), name);
}

static gint64
reply_int (Reply      *reply,
           const char *name)
{
  gint64 value = G_MININT64;

  g_assert_true (ltm_json_object_get_int (reply_object (reply), name, &value));

  return value;
}

static void
assert_message (Reply      *reply,
                guint       status,
                const char *message)
{
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpstr (reply_string (reply, "message"), ==, message);
}

static void
assert_oauth (Reply      *reply,
              const char *error,
              const char *description)
{
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 400);
  g_assert_cmpstr (reply_string (reply, "error"), ==, error);
  if (description != NULL)
    g_assert_cmpstr (reply_string (reply, "error_description"), ==, description);
}

static void
assert_empty_ok (Reply *reply)
{
  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (reply->body), ==, 0);
}

/* JWTs and tokens */

static char *
make_assertion (const char *kid,
                const char *channel,
                gint64      token_exp)
{
  g_autoptr(GError) error = NULL;
  char *jwt = ltm_jwt_create_assertion (key_a, kid, channel, now (), 600, token_exp, &error);

  g_assert_no_error (error);

  return jwt;
}

static char *
make_jwt (LtmKey     *key,
          const char *header,
          const char *payload)
{
  g_autoptr(GError) error = NULL;
  char *jwt = ltm_jwt_sign_compact (key, header, -1, payload, -1, &error);

  g_assert_no_error (error);

  return jwt;
}

static char *
header_for (const char *kid)
{
  return g_strdup_printf ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
}

static Reply *
issue_with (Fixture    *f,
            const char *assertion)
{
  g_autofree char *body = soup_form_encode ("grant_type", "client_credentials",
                                            "client_assertion_type", ASSERTION_TYPE,
                                            "client_assertion", assertion,
                                            NULL);

  return send_to (f, "POST", "/oauth2/v2.1/token", FORM, body, NULL);
}

static Reply *
issue (Fixture *f,
       gint64   token_exp)
{
  g_autofree char *assertion = make_assertion (f->kid, CHANNEL, token_exp);

  return issue_with (f, assertion);
}

static char *
issue_token (Fixture  *f,
             gint64    token_exp,
             char    **out_key_id)
{
  g_autoptr(Reply) reply = issue (f, token_exp);

  g_assert_cmpuint (reply->status, ==, 200);
  if (out_key_id != NULL)
    *out_key_id = g_strdup (reply_string (reply, "key_id"));

  return g_strdup (reply_string (reply, "access_token"));
}

static Reply *
verify_v21 (Fixture    *f,
            const char *access_token)
{
  g_autofree char *query = soup_form_encode ("access_token", access_token, NULL);
  g_autofree char *path = g_strconcat ("/oauth2/v2.1/verify?", query, NULL);

  return send_to (f, "GET", path, NULL, NULL, NULL);
}

static Reply *
list_kids (Fixture *f)
{
  g_autofree char *assertion = make_assertion (f->kid, CHANNEL, 60);
  g_autofree char *query = soup_form_encode ("client_assertion_type", ASSERTION_TYPE,
                                             "client_assertion", assertion, NULL);
  g_autofree char *path = g_strconcat ("/oauth2/v2.1/tokens/kid?", query, NULL);

  return send_to (f, "GET", path, NULL, NULL, NULL);
}

static char *
public_jwk (LtmKey *key)
{
  return ltm_key_to_public_jwk (key);
}

/* A public JWK changed by @edit. */
static char *
edit_jwk (const char *jwk,
          void      (*edit) (JsonObject *object))
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, jwk, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  edit (json_node_get_object (root));

  return json_to_string (root, FALSE);
}

/* Fixtures */

static void
fixture_set_up_flags (Fixture            *f,
                      LtmTestServerFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *jwk = public_jwk (key_a);

  f->server = ltm_test_server_new (flags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);

  f->session = soup_session_new_with_options ("timeout", 30,
                                              "proxy-resolver", NULL,
                                              "user-agent", "test-server/1",
                                              NULL);

  if (flags & LTM_TEST_SERVER_HTTPS)
    {
      g_autofree char *pem = ltm_test_server_get_certificate_pem (f->server);
      g_autoptr(GTlsDatabase) database = NULL;

      f->tmpdir = g_dir_make_tmp ("test-server-XXXXXX", &error);
      g_assert_no_error (error);
      f->ca_file = g_build_filename (f->tmpdir, "ca.pem", NULL);
      g_file_set_contents (f->ca_file, pem, -1, &error);
      g_assert_no_error (error);
      database = g_tls_file_database_new (f->ca_file, &error);
      g_assert_no_error (error);
      soup_session_set_tls_database (f->session, database);
    }

  ltm_test_server_add_channel (f->server, CHANNEL, SECRET);
  ltm_test_server_add_channel (f->server, OTHER_CHANNEL, OTHER_SECRET);
  f->kid = ltm_test_server_register_key (f->server, CHANNEL, jwk, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (f->kid));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_flags (f, LTM_TEST_SERVER_PLAIN);
}

static void
fixture_set_up_https (Fixture       *f,
                      gconstpointer  data)
{
  fixture_set_up_flags (f, LTM_TEST_SERVER_HTTPS);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_session_abort (f->session);
  iterate_pending ();
  g_assert_finalize_object (f->session);
  iterate_pending ();
  g_assert_finalize_object (f->server);
  iterate_pending ();

  if (f->ca_file != NULL)
    g_unlink (f->ca_file);
  if (f->tmpdir != NULL)
    g_rmdir (f->tmpdir);
  g_free (f->ca_file);
  g_free (f->tmpdir);
  g_free (f->kid);
}

/* Tests: the basics */

static void
test_routes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Reply) missing = NULL;
  g_autoptr(Reply) wrong_method = NULL;
  g_autoptr(GBytes) body = NULL;

  g_assert_true (g_str_has_prefix (ltm_test_server_get_base_url (f->server), "http://127.0.0.1:"));
  g_assert_cmpuint (ltm_test_server_get_port (f->server), >, 0);
  g_assert_null (ltm_test_server_get_certificate (f->server));
  g_assert_null (ltm_test_server_get_certificate_pem (f->server));

  missing = send_to (f, "GET", "/v2/bot/nothing", NULL, NULL, NULL);
  assert_message (missing, 404, "Not found");
  g_assert_cmpstr (soup_message_headers_get_one (missing->headers, "X-Line-Request-Id"), ==,
                   ltm_test_server_get_last_request_id (f->server));

  wrong_method = send_to (f, "PUT", "/oauth2/v2.1/token", "text/plain", "hello", NULL);
  assert_message (wrong_method, 405, "Method not allowed");
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method->headers, "Allow"), ==, "POST");

  /* What the client put on the wire */
  g_assert_cmpstr (ltm_test_server_get_last_method (f->server), ==, "PUT");
  g_assert_cmpstr (ltm_test_server_get_last_path (f->server), ==, "/oauth2/v2.1/token");
  g_assert_cmpstr (ltm_test_server_get_last_content_type (f->server), ==, "text/plain");
  g_assert_cmpstr (ltm_test_server_get_last_user_agent (f->server), ==, "test-server/1");
  body = ltm_test_server_get_last_body (f->server);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "hello", 5);
  g_assert_cmpstr (soup_message_headers_get_one (wrong_method->headers, "X-Line-Request-Id"), ==,
                   ltm_test_server_get_last_request_id (f->server));

  g_assert_cmpuint (ltm_test_server_get_request_count (f->server), ==, 2);
  /* One session, one kept-alive connection */
  g_assert_cmpuint (ltm_test_server_get_connection_count (f->server), ==, 1);
}

static void
test_connections (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SoupSession) other = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server), "/v2/bot/info",
                                      NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Reply) reply = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);

      g_assert_cmpuint (reply->status, ==, 401);
    }
  g_assert_cmpuint (ltm_test_server_get_connection_count (f->server), ==, 1);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(Reply) reply = send_full (other, "GET", url, NULL, NULL, NULL);

      g_assert_cmpuint (reply->status, ==, 401);
    }
  g_assert_cmpuint (ltm_test_server_get_connection_count (f->server), ==, 2);
  g_assert_cmpuint (ltm_test_server_get_request_count (f->server), ==, 5);

  soup_session_abort (other);
}

/* Tests: key registration, the console's rules */

static void
add_kid (JsonObject *o)
{
  json_object_set_string_member (o, "kid", "my-own-kid");
}

static void
add_d (JsonObject *o)
{
  json_object_set_string_member (o, "d", "AQAB");
}

static void
add_qi (JsonObject *o)
{
  json_object_set_string_member (o, "qi", "AQAB");
}

static void
use_key_ops (JsonObject *o)
{
  JsonArray *ops = json_array_new ();

  json_array_add_string_element (ops, "verify");
  json_object_remove_member (o, "use");
  json_object_set_array_member (o, "key_ops", ops);
  json_object_set_boolean_member (o, "ext", TRUE);
}

static void
use_key_ops_sign (JsonObject *o)
{
  JsonArray *ops = json_array_new ();

  json_array_add_string_element (ops, "sign");
  json_object_remove_member (o, "use");
  json_object_set_array_member (o, "key_ops", ops);
}

static void
drop_use (JsonObject *o)
{
  json_object_remove_member (o, "use");
}

static void
drop_d (JsonObject *o)
{
  json_object_remove_member (o, "d");
}

static void
drop_alg (JsonObject *o)
{
  json_object_remove_member (o, "alg");
}

static void
use_enc (JsonObject *o)
{
  json_object_set_string_member (o, "use", "enc");
}

static void
pad_n (JsonObject *o)
{
  g_autofree char *padded = g_strconcat (json_object_get_string_member (o, "n"), "==", NULL);

  json_object_set_string_member (o, "n", padded);
}

static void
make_public_1024 (JsonObject *o)
{
  const char * const drop[] = { "d", "p", "q", "dp", "dq", "qi", "kid" };

  for (guint i = 0; i < G_N_ELEMENTS (drop); i++)
    if (json_object_has_member (o, drop[i]))
      json_object_remove_member (o, drop[i]);
  json_object_set_string_member (o, "alg", "RS256");
  json_object_set_string_member (o, "use", "sig");
}

static Reply *
register_key (Fixture    *f,
              const char *channel,
              const char *jwk)
{
  g_autofree char *path = g_strdup_printf ("/_admin/channels/%s/keys", channel);

  return send_to (f, "POST", path, "application/json", jwk, NULL);
}

static void
assert_key_refused (Fixture    *f,
                    const char *jwk,
                    const char *message)
{
  g_autoptr(Reply) reply = register_key (f, CHANNEL, jwk);
  g_autoptr(GError) error = NULL;
  g_autofree char *kid = NULL;

  assert_message (reply, 400, message);

  kid = ltm_test_server_register_key (f->server, CHANNEL, jwk, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (kid);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_register_key (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *jwk = public_jwk (key_b);
  g_autofree char *with_kid = edit_jwk (jwk, add_kid);
  g_autofree char *with_d = edit_jwk (jwk, add_d);
  g_autofree char *with_qi = edit_jwk (jwk, add_qi);
  g_autofree char *with_key_ops = edit_jwk (jwk, use_key_ops);
  g_autofree char *with_sign_ops = edit_jwk (jwk, use_key_ops_sign);
  g_autofree char *without_use = edit_jwk (jwk, drop_use);
  g_autofree char *without_alg = edit_jwk (jwk, drop_alg);
  g_autofree char *with_enc = edit_jwk (jwk, use_enc);
  g_autofree char *padded = edit_jwk (jwk, pad_n);
  g_autofree char *path_1024 = data_path ("rsa1024.jwk");
  g_autofree char *path_ec = data_path ("ec.jwk");
  g_autofree char *path_pem = data_path ("public.pem");
  g_autofree char *private_1024 = NULL;
  g_autofree char *public_1024 = NULL;
  g_autofree char *private_ec = NULL;
  g_autofree char *ec = NULL;
  g_autofree char *pem = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) accepted = NULL;
  g_autoptr(Reply) accepted_ops = NULL;
  g_autoptr(Reply) unknown_channel = NULL;
  g_autofree char *kid = NULL;

  g_file_get_contents (path_1024, &private_1024, NULL, &error);
  g_assert_no_error (error);
  public_1024 = edit_jwk (private_1024, make_public_1024);
  g_file_get_contents (path_ec, &private_ec, NULL, &error);
  g_assert_no_error (error);
  ec = edit_jwk (private_ec, drop_d);
  g_file_get_contents (path_pem, &pem, NULL, &error);
  g_assert_no_error (error);

  /* The JWK `ltm key public` makes: kty, alg, use, e, n */
  accepted = register_key (f, CHANNEL, jwk);
  g_assert_cmpuint (accepted->status, ==, 200);
  g_assert_true (g_uuid_string_is_valid (reply_string (accepted, "kid")));
  g_assert_cmpstr (reply_string (accepted, "kid"), !=, f->kid);

  /* WebCrypto's: key_ops ["verify"], ext, no use */
  accepted_ops = register_key (f, OTHER_CHANNEL, with_key_ops);
  g_assert_cmpuint (accepted_ops->status, ==, 200);
  g_assert_true (g_uuid_string_is_valid (reply_string (accepted_ops, "kid")));

  assert_key_refused (f, with_kid,
                      "The JWK must not contain \"kid\": remove the kid member and register "
                      "the public key again; the console assigns the kid.");
  assert_key_refused (f, with_d,
                      "The JWK contains the private member \"d\": register the public key "
                      "only, never the private key.");
  assert_key_refused (f, with_qi,
                      "The JWK contains the private member \"qi\": register the public key "
                      "only, never the private key.");
  assert_key_refused (f, public_1024, "The RSA key must be 2048 bits long.");
  assert_key_refused (f, with_sign_ops,
                      "The JWK must have \"use\": \"sig\" or \"key_ops\": [\"verify\"].");
  assert_key_refused (f, without_use,
                      "The JWK must have \"use\": \"sig\" or \"key_ops\": [\"verify\"].");
  assert_key_refused (f, with_enc,
                      "The JWK must have \"use\": \"sig\" or \"key_ops\": [\"verify\"].");
  assert_key_refused (f, without_alg, "The algorithm (\"alg\") must be \"RS256\".");
  assert_key_refused (f, padded, "\"n\" must be base64url without padding.");
  assert_key_refused (f, ec, "The key type (\"kty\") must be \"RSA\".");
  assert_key_refused (f, pem, "The public key must be a JWK: a JSON object.");
  assert_key_refused (f, "", "The public key must be a JWK: a JSON object.");

  unknown_channel = register_key (f, "999", jwk);
  assert_message (unknown_channel, 404, "There is no such channel.");

  kid = ltm_test_server_register_key (f->server, "999", jwk, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (kid);
}

/* Tests: issuing v2.1 tokens */

static void
test_issue (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Reply) reply = issue (f, 86400);
  g_autoptr(Reply) verified = NULL;
  g_autoptr(Reply) kids = NULL;
  g_autoptr(GBytes) sent = NULL;
  const char *access_token;
  const char *key_id;
  JsonArray *array;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (reply->headers, NULL), ==,
                   "application/json");
  access_token = reply_string (reply, "access_token");
  key_id = reply_string (reply, "key_id");
  g_assert_nonnull (access_token);
  g_assert_cmpuint (strlen (access_token), >=, 170);
  g_assert_nonnull (key_id);
  g_assert_cmpuint (strlen (key_id), ==, 22);
  g_assert_cmpint (reply_int (reply, "expires_in"), ==, 86400);
  g_assert_cmpstr (reply_string (reply, "token_type"), ==, "Bearer");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 1);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, OTHER_CHANNEL), ==, 0);

  g_assert_cmpstr (ltm_test_server_get_last_method (f->server), ==, "POST");
  g_assert_cmpstr (ltm_test_server_get_last_content_type (f->server), ==, FORM);
  sent = ltm_test_server_get_last_body (f->server);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (sent, NULL), "grant_type=client_credentials&"));

  verified = verify_v21 (f, access_token);
  g_assert_cmpuint (verified->status, ==, 200);
  g_assert_cmpstr (reply_string (verified, "client_id"), ==, CHANNEL);
  g_assert_cmpint (reply_int (verified, "expires_in"), >, 86400 - 5);
  g_assert_cmpint (reply_int (verified, "expires_in"), <=, 86400);
  g_assert_cmpstr (reply_string (verified, "scope"), ==, "");

  kids = list_kids (f);
  g_assert_cmpuint (kids->status, ==, 200);
  array = json_object_get_array_member (reply_object (kids), "kids");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, key_id);
}

static void
test_issue_refusals (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *header = header_for (f->kid);
  g_autofree char *unknown_kid = g_uuid_string_random ();
  gint64 t = now ();

  /* The kid is not registered: 404, Messaging style */
  {
    g_autofree char *jwt = make_assertion (unknown_kid, CHANNEL, 60);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    assert_message (reply, 404, "Cannot find channel key that satisfies the conditions");
  }

  /* Signed with another key */
  {
    g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\","
                                                "\"aud\":\"https://api.line.me/\",\"exp\":%"
                                                G_GINT64_FORMAT ",\"token_exp\":60}", t + 600);
    g_autofree char *jwt = make_jwt (key_b, header, payload);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    assert_oauth (reply, "invalid_client", "Invalid signature");
  }

  /* A signature changed after signing */
  {
    g_autofree char *jwt = make_assertion (f->kid, CHANNEL, 60);
    g_autoptr(Reply) reply = NULL;
    char *last = jwt + strlen (jwt) - 2;

    *last = *last == 'A' ? 'B' : 'A';
    reply = issue_with (f, jwt);
    assert_oauth (reply, "invalid_client", "Invalid signature");
  }

  /* iss is another channel than the key's */
  {
    g_autofree char *jwt = make_assertion (f->kid, OTHER_CHANNEL, 60);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    assert_oauth (reply, "invalid_client", "iss and clientId of key do not match");
  }

  /* sub differs from iss */
  {
    g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" OTHER_CHANNEL
                                                "\",\"aud\":\"https://api.line.me/\",\"exp\":%"
                                                G_GINT64_FORMAT ",\"token_exp\":60}", t + 600);
    g_autofree char *jwt = make_jwt (key_a, header, payload);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    assert_oauth (reply, "invalid_client", "sub and clientId of key do not match");
  }

  /* aud without the trailing slash */
  {
    g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\","
                                                "\"aud\":\"https://api.line.me\",\"exp\":%"
                                                G_GINT64_FORMAT ",\"token_exp\":60}", t + 600);
    g_autofree char *jwt = make_jwt (key_a, header, payload);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    assert_oauth (reply, "invalid_client", "Invalid aud");
  }

  /* exp 31 minutes ahead, in the past, and a JSON string */
  {
    const char *exps[3];
    g_autofree char *ahead = g_strdup_printf ("%" G_GINT64_FORMAT, t + 31 * 60);
    g_autofree char *past = g_strdup_printf ("%" G_GINT64_FORMAT, t - 10);
    g_autofree char *string = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", t + 600);

    exps[0] = ahead;
    exps[1] = past;
    exps[2] = string;

    for (guint i = 0; i < G_N_ELEMENTS (exps); i++)
      {
        g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL
                                                    "\",\"aud\":\"https://api.line.me/\","
                                                    "\"exp\":%s,\"token_exp\":60}", exps[i]);
        g_autofree char *jwt = make_jwt (key_a, header, payload);
        g_autoptr(Reply) reply = issue_with (f, jwt);

        assert_oauth (reply, "invalid_client", "Invalid exp");
      }
  }

  /* 29 minutes ahead is fine */
  {
    g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\","
                                                "\"aud\":\"https://api.line.me/\",\"exp\":%"
                                                G_GINT64_FORMAT ",\"token_exp\":60}", t + 29 * 60);
    g_autofree char *jwt = make_jwt (key_a, header, payload);
    g_autoptr(Reply) reply = issue_with (f, jwt);

    g_assert_cmpuint (reply->status, ==, 200);
  }

  /* token_exp 0, 2592001, and a string */
  {
    const char * const token_exps[] = { "0", "2592001", "\"60\"" };

    for (guint i = 0; i < G_N_ELEMENTS (token_exps); i++)
      {
        g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL
                                                    "\",\"aud\":\"https://api.line.me/\","
                                                    "\"exp\":%" G_GINT64_FORMAT
                                                    ",\"token_exp\":%s}", t + 600, token_exps[i]);
        g_autofree char *jwt = make_jwt (key_a, header, payload);
        g_autoptr(Reply) reply = issue_with (f, jwt);

        assert_oauth (reply, "invalid_request",
                      "Invalid token_exp: it must be a number of seconds from 1 to 2592000");
      }
  }

  /* The header: alg, typ, kid */
  {
    g_autofree char *rs512 = g_strdup_printf ("{\"alg\":\"RS512\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
                                              f->kid);
    g_autofree char *no_typ = g_strdup_printf ("{\"alg\":\"RS256\",\"kid\":\"%s\"}", f->kid);
    const char *headers[] = { rs512, no_typ, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}" };
    const char *descriptions[] = { "Invalid alg", "Invalid typ", "kid is required in the header" };
    const char *errors[] = { "invalid_client", "invalid_client", "invalid_request" };

    for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
      {
        const char *bad_header = headers[i];
        g_autofree char *payload = g_strdup_printf ("{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL
                                                    "\",\"aud\":\"https://api.line.me/\","
                                                    "\"exp\":%" G_GINT64_FORMAT
                                                    ",\"token_exp\":60}", t + 600);
        g_autofree char *jwt = make_jwt (key_a, bad_header, payload);
        g_autoptr(Reply) reply = issue_with (f, jwt);

        assert_oauth (reply, errors[i], descriptions[i]);
      }
  }

  /* Not a JWT, or one with a newline at its end */
  {
    g_autofree char *jwt = make_assertion (f->kid, CHANNEL, 60);
    g_autofree char *with_newline = g_strconcat (jwt, "\n", NULL);
    g_autoptr(Reply) garbage = issue_with (f, "not.a.jwt");
    g_autoptr(Reply) newline = issue_with (f, with_newline);

    assert_oauth (garbage, "invalid_request", "client_assertion is not a valid JWT");
    assert_oauth (newline, "invalid_request", "client_assertion is not a valid JWT");
  }

  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 1);
}

static void
test_issue_form (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *jwt = make_assertion (f->kid, CHANNEL, 60);
  g_autofree char *good = soup_form_encode ("grant_type", "client_credentials",
                                            "client_assertion_type", ASSERTION_TYPE,
                                            "client_assertion", jwt, NULL);
  g_autofree char *camel = soup_form_encode ("grantType", "client_credentials",
                                             "clientAssertionType", ASSERTION_TYPE,
                                             "clientAssertion", jwt, NULL);
  g_autofree char *camel_assertion = soup_form_encode ("grant_type", "client_credentials",
                                                       "client_assertion_type", ASSERTION_TYPE,
                                                       "clientAssertion", jwt, NULL);
  g_autofree char *wrong_grant = soup_form_encode ("grant_type", "authorization_code",
                                                   "client_assertion_type", ASSERTION_TYPE,
                                                   "client_assertion", jwt, NULL);
  g_autofree char *wrong_type = soup_form_encode ("grant_type", "client_credentials",
                                                  "client_assertion_type", "jwt-bearer",
                                                  "client_assertion", jwt, NULL);
  g_autofree char *json = g_strdup_printf ("{\"grant_type\":\"client_credentials\","
                                           "\"client_assertion_type\":\"" ASSERTION_TYPE "\","
                                           "\"client_assertion\":\"%s\"}", jwt);
  g_autoptr(Reply) as_json = NULL;
  g_autoptr(Reply) form_as_json = NULL;
  g_autoptr(Reply) no_type = NULL;
  g_autoptr(Reply) camel_reply = NULL;
  g_autoptr(Reply) camel_assertion_reply = NULL;
  g_autoptr(Reply) wrong_grant_reply = NULL;
  g_autoptr(Reply) wrong_type_reply = NULL;
  g_autoptr(Reply) with_charset = NULL;

  as_json = send_to (f, "POST", "/oauth2/v2.1/token", "application/json", json, NULL);
  assert_oauth (as_json, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
  form_as_json = send_to (f, "POST", "/oauth2/v2.1/token", "application/json", good, NULL);
  assert_oauth (form_as_json, "invalid_request",
                "Content-Type must be application/x-www-form-urlencoded");
  no_type = send_to (f, "POST", "/oauth2/v2.1/token", NULL, good, NULL);
  assert_oauth (no_type, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");

  camel_reply = send_to (f, "POST", "/oauth2/v2.1/token", FORM, camel, NULL);
  assert_oauth (camel_reply, "invalid_request", "grant_type is required");
  camel_assertion_reply = send_to (f, "POST", "/oauth2/v2.1/token", FORM, camel_assertion, NULL);
  assert_oauth (camel_assertion_reply, "invalid_request", "client_assertion is required");
  wrong_grant_reply = send_to (f, "POST", "/oauth2/v2.1/token", FORM, wrong_grant, NULL);
  assert_oauth (wrong_grant_reply, "unsupported_grant_type", NULL);
  wrong_type_reply = send_to (f, "POST", "/oauth2/v2.1/token", FORM, wrong_type, NULL);
  assert_oauth (wrong_type_reply, "invalid_request",
                "client_assertion_type must be " ASSERTION_TYPE);

  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 0);

  with_charset = send_to (f, "POST", "/oauth2/v2.1/token", FORM "; charset=UTF-8", good, NULL);
  g_assert_cmpuint (with_charset->status, ==, 200);
}

static void
test_token_limit (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *short_key_id = NULL;
  g_autofree char *first_key_id = NULL;
  g_autofree char *first = issue_token (f, 100, &short_key_id);
  g_autofree char *elsewhere = NULL;

  g_assert_nonnull (first);
  g_free (issue_token (f, 86400, &first_key_id));
  for (guint i = 2; i < 30; i++)
    g_free (issue_token (f, 86400, NULL));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 30);

  {
    g_autoptr(Reply) refused = issue (f, 86400);

    assert_message (refused, 400, "The maximum number of access tokens has already been issued");
    g_assert_null (ltm_test_server_issue_token_elsewhere (f->server, CHANNEL, 60, NULL));
  }

  /* Expired tokens do not count */
  ltm_test_server_set_clock_offset (f->server, 101);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 29);
  g_free (issue_token (f, 86400, NULL));

  {
    g_autoptr(Reply) refused = issue (f, 86400);

    assert_message (refused, 400, "The maximum number of access tokens has already been issued");
  }

  /* Nor revoked ones */
  g_assert_true (ltm_test_server_revoke_key_id (f->server, CHANNEL, first_key_id));
  g_assert_false (ltm_test_server_revoke_key_id (f->server, CHANNEL, first_key_id));
  g_assert_false (ltm_test_server_revoke_key_id (f->server, OTHER_CHANNEL, "nothing"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 29);
  elsewhere = ltm_test_server_issue_token_elsewhere (f->server, CHANNEL, 60, NULL);
  g_assert_nonnull (elsewhere);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 30);
}

static Reply *
revoke_v21 (Fixture    *f,
            const char *secret,
            const char *access_token)
{
  g_autofree char *body = soup_form_encode ("client_id", CHANNEL, "client_secret", secret,
                                            "access_token", access_token, NULL);

  return send_to (f, "POST", "/oauth2/v2.1/revoke", FORM, body, NULL);
}

static void
test_verify_revoke_expire (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  g_autofree char *short_token = issue_token (f, 60, NULL);

  {
    g_autoptr(Reply) wrong_secret = revoke_v21 (f, OTHER_SECRET, token);
    g_autoptr(Reply) still_valid = verify_v21 (f, token);

    assert_oauth (wrong_secret, "invalid_client", "invalid client_secret");
    g_assert_cmpuint (still_valid->status, ==, 200);
  }

  {
    g_autoptr(Reply) revoked = revoke_v21 (f, SECRET, token);
    g_autoptr(Reply) again = revoke_v21 (f, SECRET, token);
    g_autoptr(Reply) unknown = revoke_v21 (f, SECRET, "never-issued");
    g_autoptr(Reply) verified = verify_v21 (f, token);
    g_autoptr(Reply) missing = send_to (f, "GET", "/oauth2/v2.1/verify", NULL, NULL, NULL);

    assert_empty_ok (revoked);
    assert_empty_ok (again);
    assert_empty_ok (unknown);
    assert_oauth (verified, "invalid_request", "invalid token");
    assert_oauth (missing, "invalid_request", "access_token is required");
  }

  /* Expiry, by the server's clock */
  ltm_test_server_set_clock_offset (f->server, 61);
  {
    g_autoptr(Reply) expired = verify_v21 (f, short_token);
    g_autoptr(Reply) kids = list_kids (f);
    g_autoptr(Reply) bot = send_to (f, "GET", "/v2/bot/info", NULL, NULL, short_token);

    assert_oauth (expired, "invalid_request", "The access token expired");
    g_assert_cmpuint (kids->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_object (kids),
                                                                          "kids")), ==, 0);
    assert_message (bot, 401, AUTH_FAILED);
  }
  ltm_test_server_set_clock_offset (f->server, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 1);
}

static void
test_kids (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *key_id_1 = NULL;
  g_autofree char *key_id_2 = NULL;
  g_autofree char *key_id_3 = NULL;
  g_autofree char *token_1 = issue_token (f, 3600, &key_id_1);
  g_autofree char *token_2 = issue_token (f, 3600, &key_id_2);
  g_autofree char *token_3 = ltm_test_server_issue_token_elsewhere (f->server, CHANNEL, 3600,
                                                                    &key_id_3);
  g_autoptr(Reply) kids = NULL;
  JsonArray *array;

  g_assert_nonnull (token_1);
  g_assert_nonnull (token_2);
  g_assert_nonnull (token_3);
  g_assert_true (ltm_test_server_revoke_key_id (f->server, CHANNEL, key_id_1));

  kids = list_kids (f);
  g_assert_cmpuint (kids->status, ==, 200);
  array = json_object_get_array_member (reply_object (kids), "kids");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, key_id_2);
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, key_id_3);

  {
    g_autofree char *jwt = make_assertion (f->kid, OTHER_CHANNEL, 60);
    g_autofree char *query = soup_form_encode ("client_assertion_type", ASSERTION_TYPE,
                                               "client_assertion", jwt, NULL);
    g_autofree char *path = g_strconcat ("/oauth2/v2.1/tokens/kid?", query, NULL);
    g_autoptr(Reply) refused = send_to (f, "GET", path, NULL, NULL, NULL);
    g_autoptr(Reply) post = send_to (f, "POST", "/oauth2/v2.1/tokens/kid", FORM, query, NULL);

    assert_oauth (refused, "invalid_client", "iss and clientId of key do not match");
    g_assert_cmpuint (post->status, ==, 405);
  }
}

/* Tests: stateless and short-lived tokens */

static void
test_stateless (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *jwt = make_assertion (f->kid, CHANNEL, 60);
  g_autofree char *by_jwt = soup_form_encode ("grant_type", "client_credentials",
                                              "client_assertion_type", ASSERTION_TYPE,
                                              "client_assertion", jwt, NULL);
  g_autofree char *by_secret = soup_form_encode ("grant_type", "client_credentials",
                                                 "client_id", CHANNEL,
                                                 "client_secret", SECRET, NULL);
  g_autofree char *wrong_secret = soup_form_encode ("grant_type", "client_credentials",
                                                    "client_id", CHANNEL,
                                                    "client_secret", OTHER_SECRET, NULL);
  g_autoptr(Reply) first = send_to (f, "POST", "/oauth2/v3/token", FORM, by_jwt, NULL);
  g_autoptr(Reply) second = send_to (f, "POST", "/oauth2/v3/token", FORM, by_secret, NULL);
  g_autoptr(Reply) refused = send_to (f, "POST", "/oauth2/v3/token", FORM, wrong_secret, NULL);
  g_autoptr(Reply) nothing = send_to (f, "POST", "/oauth2/v3/token", FORM,
                                      "grant_type=client_credentials", NULL);
  const char *token;

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpstr (reply_string (first, "token_type"), ==, "Bearer");
  g_assert_cmpint (reply_int (first, "expires_in"), ==, 900);
  g_assert_cmpuint (second->status, ==, 200);
  g_assert_cmpstr (reply_string (first, "access_token"), !=, reply_string (second, "access_token"));
  assert_oauth (refused, "invalid_client", "invalid client_secret");
  assert_oauth (nothing, "invalid_request", NULL);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 0);

  token = reply_string (second, "access_token");
  {
    g_autoptr(Reply) verified = verify_v21 (f, token);
    g_autoptr(Reply) revoked = revoke_v21 (f, SECRET, token);
    g_autoptr(Reply) still = verify_v21 (f, token);
    g_autoptr(Reply) bot = send_to (f, "GET", "/v2/bot/info", NULL, NULL, token);

    g_assert_cmpuint (verified->status, ==, 200);
    g_assert_cmpstr (reply_string (verified, "client_id"), ==, CHANNEL);
    g_assert_cmpint (reply_int (verified, "expires_in"), <=, 900);
    assert_empty_ok (revoked);
    g_assert_cmpuint (still->status, ==, 200);   /* cannot be revoked */
    g_assert_cmpuint (bot->status, ==, 200);
  }

  /* A forged one: the payload changed */
  {
    g_auto(GStrv) parts = g_strsplit (token, ".", 3);
    g_autofree char *forged = NULL;
    g_autoptr(Reply) verified = NULL;

    parts[1][3] = parts[1][3] == 'A' ? 'B' : 'A';
    forged = g_strjoinv (".", parts);
    verified = verify_v21 (f, forged);
    assert_oauth (verified, "invalid_request", "invalid token");
  }

  ltm_test_server_set_clock_offset (f->server, 901);
  {
    g_autoptr(Reply) expired = verify_v21 (f, token);

    assert_oauth (expired, "invalid_request", "The access token expired");
  }
}

static Reply *
issue_short_lived (Fixture    *f,
                   const char *secret)
{
  g_autofree char *body = soup_form_encode ("grant_type", "client_credentials",
                                            "client_id", CHANNEL,
                                            "client_secret", secret, NULL);

  return send_to (f, "POST", "/v2/oauth/accessToken", FORM, body, NULL);
}

static Reply *
verify_short_lived (Fixture    *f,
                    const char *token)
{
  g_autofree char *body = soup_form_encode ("access_token", token, NULL);

  return send_to (f, "POST", "/v2/oauth/verify", FORM, body, NULL);
}

static void
test_short_lived (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *v21 = issue_token (f, 3600, NULL);

  for (guint i = 0; i < 31; i++)
    {
      g_autoptr(Reply) reply = issue_short_lived (f, SECRET);

      g_assert_cmpuint (reply->status, ==, 200);
      g_assert_cmpint (reply_int (reply, "expires_in"), ==, 2592000);
      g_assert_cmpstr (reply_string (reply, "token_type"), ==, "Bearer");
      g_ptr_array_add (tokens, g_strdup (reply_string (reply, "access_token")));
    }

  /* The 31st silently revoked the oldest */
  {
    g_autoptr(Reply) oldest = verify_short_lived (f, g_ptr_array_index (tokens, 0));
    g_autoptr(Reply) second = verify_short_lived (f, g_ptr_array_index (tokens, 1));
    g_autoptr(Reply) newest = verify_short_lived (f, g_ptr_array_index (tokens, 30));
    g_autoptr(Reply) wrong_kind = verify_short_lived (f, v21);
    g_autoptr(Reply) on_v21_endpoint = verify_v21 (f, g_ptr_array_index (tokens, 30));

    assert_oauth (oldest, "invalid_request", "invalid token");
    g_assert_cmpuint (second->status, ==, 200);
    g_assert_cmpuint (newest->status, ==, 200);
    g_assert_cmpstr (reply_string (newest, "client_id"), ==, CHANNEL);
    g_assert_cmpint (reply_int (newest, "expires_in"), >, 2592000 - 5);
    assert_oauth (wrong_kind, "invalid_request", "invalid token");
    assert_oauth (on_v21_endpoint, "invalid_request", "invalid token");
  }

  {
    g_autofree char *body = soup_form_encode ("access_token", g_ptr_array_index (tokens, 30), NULL);
    g_autoptr(Reply) revoked = send_to (f, "POST", "/v2/oauth/revoke", FORM, body, NULL);
    g_autoptr(Reply) verified = verify_short_lived (f, g_ptr_array_index (tokens, 30));
    g_autoptr(Reply) bot = send_to (f, "GET", "/v2/bot/info", NULL, NULL,
                                    g_ptr_array_index (tokens, 29));
    g_autoptr(Reply) wrong_secret = issue_short_lived (f, OTHER_SECRET);
    g_autoptr(Reply) json_verify = send_to (f, "POST", "/v2/oauth/verify", "application/json",
                                            "{}", NULL);

    assert_empty_ok (revoked);
    assert_oauth (verified, "invalid_request", "invalid token");
    g_assert_cmpuint (bot->status, ==, 200);
    assert_oauth (wrong_secret, "invalid_client", "invalid client_secret");
    assert_oauth (json_verify, "invalid_request",
                  "Content-Type must be application/x-www-form-urlencoded");
  }

  /* A v2.1 token is not revoked by the short-lived endpoint */
  {
    g_autofree char *body = soup_form_encode ("access_token", v21, NULL);
    g_autoptr(Reply) revoked = send_to (f, "POST", "/v2/oauth/revoke", FORM, body, NULL);
    g_autoptr(Reply) verified = verify_v21 (f, v21);

    assert_empty_ok (revoked);
    g_assert_cmpuint (verified->status, ==, 200);
  }
}

/* Tests: the bot API */

static void
test_bearer (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  g_autofree char *revoked = issue_token (f, 3600, NULL);
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server), "/v2/bot/info",
                                      NULL);

  {
    g_autoptr(Reply) revoke = revoke_v21 (f, SECRET, revoked);

    assert_empty_ok (revoke);
  }

  {
    g_autoptr(Reply) none = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);
    g_autoptr(Reply) unknown = send_to (f, "GET", "/v2/bot/info", NULL, NULL, "abc");
    g_autoptr(Reply) after_revoke = send_to (f, "GET", "/v2/bot/info", NULL, NULL, revoked);
    g_autoptr(Reply) webhook = send_to (f, "GET", "/v2/bot/channel/webhook/endpoint",
                                        NULL, NULL, NULL);

    assert_message (none, 401, AUTH_FAILED);
    assert_message (unknown, 401, AUTH_FAILED);
    assert_message (after_revoke, 401, AUTH_FAILED);
    assert_message (webhook, 401, AUTH_FAILED);
  }

  /* Another scheme, or no space */
  {
    g_autofree char *basic = g_strconcat ("Basic ", token, NULL);
    g_autofree char *glued = g_strconcat ("Bearer", token, NULL);
    g_autofree char *lower = g_strconcat ("bearer ", token, NULL);
    g_autoptr(Reply) basic_reply = send_full (f->session, "GET", url, NULL, NULL, basic);
    g_autoptr(Reply) glued_reply = send_full (f->session, "GET", url, NULL, NULL, glued);
    g_autoptr(Reply) lower_reply = send_full (f->session, "GET", url, NULL, NULL, lower);

    assert_message (basic_reply, 401, AUTH_FAILED);
    assert_message (glued_reply, 401, AUTH_FAILED);
    /* The scheme is case-insensitive (RFC 9110) */
    g_assert_cmpuint (lower_reply->status, ==, 200);
  }

  {
    g_autoptr(Reply) info = send_to (f, "GET", "/v2/bot/info", NULL, NULL, token);
    g_autoptr(Reply) again = send_to (f, "GET", "/v2/bot/info", NULL, NULL, token);
    const char *user_id;
    const char *basic_id;

    g_assert_cmpuint (info->status, ==, 200);
    user_id = reply_string (info, "userId");
    basic_id = reply_string (info, "basicId");
    g_assert_cmpuint (strlen (user_id), ==, 33);
    g_assert_true (user_id[0] == 'U');
    for (guint i = 1; i < 33; i++)
      g_assert_true (g_ascii_isxdigit (user_id[i]) && !g_ascii_isupper (user_id[i]));
    g_assert_cmpuint (strlen (basic_id), ==, 9);
    g_assert_true (basic_id[0] == '@');
    g_assert_cmpstr (reply_string (info, "displayName"), ==, "Test Bot " CHANNEL);
    g_assert_cmpstr (reply_string (info, "chatMode"), ==, "bot");
    g_assert_cmpstr (reply_string (info, "markAsReadMode"), ==, "auto");
    g_assert_cmpstr (reply_string (again, "userId"), ==, user_id);
    g_assert_cmpstr (reply_string (again, "basicId"), ==, basic_id);
  }
}

static Reply *
put_webhook (Fixture    *f,
             const char *token,
             const char *endpoint)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "endpoint");
  json_builder_add_string_value (builder, endpoint);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);

  return send_to (f, "PUT", "/v2/bot/channel/webhook/endpoint", "application/json", body, token);
}

static void
test_webhook_endpoint (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  g_autoptr(GString) long_url = g_string_new ("https://bot.example.com/");

  {
    g_autoptr(Reply) none = send_to (f, "GET", "/v2/bot/channel/webhook/endpoint", NULL, NULL,
                                     token);

    assert_message (none, 404, "Webhook endpoint not found");
  }

  {
    g_autoptr(Reply) http = put_webhook (f, token, "http://bot.example.com/callback");
    g_autoptr(Reply) relative = put_webhook (f, token, "/callback");
    g_autoptr(Reply) spaces = put_webhook (f, token, "https://bot example.com/");
    g_autoptr(Reply) wrong_type = send_to (f, "PUT", "/v2/bot/channel/webhook/endpoint",
                                           FORM, "endpoint=https%3A%2F%2Fbot.example.com%2F",
                                           token);
    g_autoptr(Reply) not_json = send_to (f, "PUT", "/v2/bot/channel/webhook/endpoint",
                                         "application/json", "{\"endpoint\":", token);

    assert_message (http, 400, "Invalid webhook endpoint URL");
    assert_message (relative, 400, "Invalid webhook endpoint URL");
    assert_message (spaces, 400, "Invalid webhook endpoint URL");
    assert_message (wrong_type, 400,
                    "The request body must be JSON (Content-Type: application/json)");
    assert_message (not_json, 400, "The request body is not a valid JSON object");
  }

  while (long_url->len < 500)
    g_string_append_c (long_url, 'a');

  {
    g_autoptr(Reply) exactly_500 = put_webhook (f, token, long_url->str);

    g_assert_cmpuint (exactly_500->status, ==, 200);
  }

  g_string_append_c (long_url, 'a');
  {
    g_autoptr(Reply) too_long = put_webhook (f, token, long_url->str);

    assert_message (too_long, 400, "Invalid webhook endpoint URL");
  }

  {
    g_autoptr(Reply) set = put_webhook (f, token, "https://bot.example.com/callback");
    g_autoptr(Reply) got = send_to (f, "GET", "/v2/bot/channel/webhook/endpoint", NULL, NULL,
                                    token);

    g_assert_cmpuint (set->status, ==, 200);
    g_assert_cmpuint (json_object_get_size (reply_object (set)), ==, 0);
    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpstr (reply_string (got, "endpoint"), ==, "https://bot.example.com/callback");
    g_assert_true (json_object_get_boolean_member (reply_object (got), "active"));
  }
}

static Reply *
test_webhook_at (Fixture    *f,
                 const char *token,
                 const char *endpoint)
{
  g_autofree char *body = NULL;

  if (endpoint != NULL)
    {
      g_autofree char *quoted = ltm_json_quote (endpoint);

      body = g_strdup_printf ("{\"endpoint\":%s}", quoted);
    }
  else
    body = g_strdup ("{}");

  return send_to (f, "POST", "/v2/bot/channel/webhook/test", "application/json", body, token);
}

static guint
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint port;

  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return port;
}

static void
assert_webhook_result (Reply      *reply,
                       gboolean    success,
                       gint64      status,
                       const char *reason)
{
  JsonObject *object = reply_object (reply);
  const char *timestamp = ltm_json_object_get_string (object, "timestamp");
  g_autoptr(GDateTime) parsed = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (object, "success") == success);
  g_assert_cmpint (reply_int (reply, "statusCode"), ==, status);
  g_assert_cmpstr (reply_string (reply, "reason"), ==, reason);
  g_assert_nonnull (reply_string (reply, "detail"));
  g_assert_nonnull (timestamp);
  parsed = g_date_time_new_from_iso8601 (timestamp, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpint (ABS (g_date_time_to_unix (parsed) - now ()), <, 60);
}

static void
test_webhook_test (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  const char *base = ltm_test_server_get_base_url (f->server);
  g_autofree char *ok = g_strconcat (base, "/_receiver/ok", NULL);
  g_autofree char *status_500 = g_strconcat (base, "/_receiver/status/500", NULL);
  g_autofree char *closed = g_strdup_printf ("https://127.0.0.1:%u/", closed_port ());
  guint requests;

  g_assert_true (g_str_has_prefix (base, "https://127.0.0.1:"));
  g_assert_nonnull (ltm_test_server_get_certificate (f->server));

  {
    g_autoptr(Reply) none = test_webhook_at (f, token, NULL);

    assert_message (none, 404, "Webhook endpoint not found");
  }

  {
    g_autoptr(Reply) set = put_webhook (f, token, ok);
    g_autoptr(Reply) reply = NULL;
    g_autoptr(GBytes) body = NULL;

    g_assert_cmpuint (set->status, ==, 200);
    requests = ltm_test_server_get_request_count (f->server);
    reply = test_webhook_at (f, token, NULL);
    assert_webhook_result (reply, TRUE, 200, "OK");
    g_assert_cmpstr (reply_string (reply, "detail"), ==, "200");

    /* The receiver's request is not what the client sent */
    g_assert_cmpuint (ltm_test_server_get_request_count (f->server), ==, requests + 1);
    g_assert_cmpstr (ltm_test_server_get_last_path (f->server), ==,
                     "/v2/bot/channel/webhook/test");
    body = ltm_test_server_get_last_body (f->server);
    g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "{}", 2);
  }

  {
    g_autoptr(Reply) reply = test_webhook_at (f, token, status_500);

    assert_webhook_result (reply, FALSE, 500, "ERROR_STATUS_CODE");
    g_assert_cmpstr (reply_string (reply, "detail"), ==, "500 Internal Server Error");
  }

  {
    g_autoptr(Reply) reply = test_webhook_at (f, token, closed);

    assert_webhook_result (reply, FALSE, 0, "COULD_NOT_CONNECT");
  }

  {
    g_autoptr(Reply) http = test_webhook_at (f, token, "http://127.0.0.1:1/");
    g_autoptr(Reply) wrong_type = send_to (f, "POST", "/v2/bot/channel/webhook/test",
                                           "text/plain", "{}", token);
    g_autoptr(Reply) no_auth = test_webhook_at (f, NULL, ok);

    assert_message (http, 400, "Invalid webhook endpoint URL");
    assert_message (wrong_type, 400,
                    "The request body must be JSON (Content-Type: application/json)");
    assert_message (no_auth, 401, AUTH_FAILED);
  }

  /* With latency, the answer waits for both */
  ltm_test_server_set_latency (f->server, 20);
  {
    g_autoptr(Reply) reply = test_webhook_at (f, token, ok);

    assert_webhook_result (reply, TRUE, 200, "OK");
  }
  ltm_test_server_set_latency (f->server, 0);

  /* A database that does not know the server's certificate */
  {
    g_autofree char *other_ca = data_path ("cert.pem");
    g_autoptr(GError) error = NULL;
    g_autoptr(GTlsDatabase) database = g_tls_file_database_new (other_ca, &error);
    g_autoptr(Reply) reply = NULL;

    g_assert_no_error (error);
    ltm_test_server_set_webhook_tls_database (f->server, database);
    reply = test_webhook_at (f, token, ok);
    assert_webhook_result (reply, FALSE, 0, "COULD_NOT_CONNECT");
    ltm_test_server_set_webhook_tls_database (f->server, NULL);
  }

  {
    g_autoptr(Reply) reply = test_webhook_at (f, token, ok);

    assert_webhook_result (reply, TRUE, 200, "OK");
  }
}

static void
test_webhook_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  g_autofree char *stall = g_strconcat (ltm_test_server_get_base_url (f->server),
                                        "/_receiver/stall", NULL);
  g_autoptr(Reply) reply = test_webhook_at (f, token, stall);

  assert_webhook_result (reply, FALSE, 0, "REQUEST_TIMEOUT");
}

static void
test_webhook_pending_at_finalize (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 3600, NULL);
  g_autofree char *stall = g_strconcat (ltm_test_server_get_base_url (f->server),
                                        "/_receiver/stall", NULL);
  g_autofree char *quoted = ltm_json_quote (stall);
  g_autofree char *body = g_strdup_printf ("{\"endpoint\":%s}", quoted);
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                      "/v2/bot/channel/webhook/test", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  guint requests = ltm_test_server_get_request_count (f->server);
  Wait wait = { NULL, NULL, FALSE };

  /* The server goes away while its webhook test waits: all is freed. */
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, send_done_cb,
                                    &wait);
  while (ltm_test_server_get_request_count (f->server) == requests)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);

  soup_session_abort (f->session);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (wait.error);
  g_clear_error (&wait.error);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = issue_token (f, 7200, NULL);

  /* 60 webhook tests an hour per channel: counted even when refused */
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(Reply) reply = test_webhook_at (f, token, "http://127.0.0.1:1/");

      assert_message (reply, 400, "Invalid webhook endpoint URL");
    }

  {
    g_autoptr(Reply) limited = test_webhook_at (f, token, "http://127.0.0.1:1/");
    g_autoptr(Reply) other_endpoint = send_to (f, "GET", "/v2/bot/info", NULL, NULL, token);

    assert_message (limited, 429, "The API rate limit has been exceeded. Try again later.");
    g_assert_cmpuint (other_endpoint->status, ==, 200);
  }

  ltm_test_server_set_clock_offset (f->server, 3601);
  {
    g_autoptr(Reply) reply = test_webhook_at (f, token, "http://127.0.0.1:1/");

    assert_message (reply, 400, "Invalid webhook endpoint URL");
  }
}

/* Tests: faults and latency */

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  const char *path = "/oauth2/v2.1/token";
  g_autofree char *jwt = make_assertion (f->kid, CHANNEL, 60);
  g_autofree char *form = soup_form_encode ("grant_type", "client_credentials",
                                            "client_assertion_type", ASSERTION_TYPE,
                                            "client_assertion", jwt, NULL);

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_STATUS_500);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);
    g_autoptr(Reply) other = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);

    g_assert_cmpuint (reply->status, ==, 500);
    g_assert_nonnull (reply_string (reply, "message"));
    g_assert_cmpuint (other->status, ==, 401);      /* only that path */
  }

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_STATUS_429);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    assert_message (reply, 429, "The API rate limit has been exceeded. Try again later.");
    g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Retry-After"), ==, "1");
  }

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_HTML);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    g_assert_cmpuint (reply->status, ==, 502);
    g_assert_cmpstr (soup_message_headers_get_content_type (reply->headers, NULL), ==,
                     "text/html");
    g_assert_null (reply->json);
  }

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_EMPTY);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    assert_empty_ok (reply);
  }

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_TRUNCATED_JSON);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_null (reply->json);
    g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body),
                     "{\"access_token\":\"ab", 19);
  }

  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_RESET);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    g_assert_nonnull (reply->error);
  }

  /* Every path but /_admin/; a path's own fault wins */
  ltm_test_server_set_fault (f->server, path, LTM_TEST_FAULT_NONE);
  ltm_test_server_set_fault (f->server, NULL, LTM_TEST_FAULT_STATUS_500);
  ltm_test_server_set_fault (f->server, "/v2/bot/info", LTM_TEST_FAULT_STATUS_429);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);
    g_autoptr(Reply) info = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);
    g_autoptr(Reply) stats = send_to (f, "GET", "/_admin/stats", NULL, NULL, NULL);

    g_assert_cmpuint (reply->status, ==, 500);
    g_assert_cmpuint (info->status, ==, 429);
    g_assert_cmpuint (stats->status, ==, 200);
  }

  ltm_test_server_set_fault (f->server, NULL, LTM_TEST_FAULT_NONE);
  ltm_test_server_set_fault (f->server, "/v2/bot/info", LTM_TEST_FAULT_NONE);
  {
    g_autoptr(Reply) reply = send_to (f, "POST", path, FORM, form, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 1);
}

static void
test_fault_stall (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(SoupSession) impatient = soup_session_new_with_options ("timeout", 1,
                                                                    "proxy-resolver", NULL,
                                                                    NULL);
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                      "/oauth2/v2.1/token", NULL);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(Reply) other = NULL;

  ltm_test_server_set_fault (f->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STALL);
  reply = send_full (impatient, "POST", url, FORM, "grant_type=client_credentials", NULL);
  g_assert_error (reply->error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* Meanwhile the server answers others */
  other = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);
  g_assert_cmpuint (other->status, ==, 401);

  soup_session_abort (impatient);
}

typedef struct {
  GInputStream *stream;
  GError *error;
  gboolean done;
} StreamWait;

static void
stream_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  StreamWait *wait = user_data;

  wait->stream = soup_session_send_finish (SOUP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

typedef struct {
  gssize n;
  GError *error;
  gboolean done;
} ReadWait;

static void
read_ready_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ReadWait *wait = user_data;

  wait->n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &wait->error);
  wait->done = TRUE;
}

static void
test_fault_huge (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                      "/oauth2/v2.1/token", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new_static ("grant_type=client_credentials", 29);
  g_autofree char *buffer = g_malloc (256 * 1024);
  StreamWait wait = { NULL, NULL, FALSE };
  gsize total = 0;
  gboolean first = TRUE;

  ltm_test_server_set_fault (f->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_HUGE);
  soup_message_set_request_body_from_bytes (msg, FORM, request);
  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, stream_ready_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (wait.error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                  "X-Line-Request-Id"));

  /* Read it all, to see it is really 64 MiB, in chunks */
  for (;;)
    {
      ReadWait read = { 0, NULL, FALSE };

      g_input_stream_read_async (wait.stream, buffer, 256 * 1024, G_PRIORITY_DEFAULT, NULL,
                                 read_ready_cb, &read);
      while (!read.done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (read.error);
      if (read.n == 0)
        break;
      if (first)
        g_assert_true (g_str_has_prefix (buffer, "{\"access_token\":\""));
      first = FALSE;
      total += read.n;
    }

  g_assert_cmpuint (total, ==, LTM_TEST_SERVER_HUGE_SIZE);
  g_input_stream_close (wait.stream, NULL, NULL);
  g_clear_object (&wait.stream);
}

static void
test_latency (Fixture       *f,
              gconstpointer  data)
{
  gint64 start;

  ltm_test_server_set_latency (f->server, 200);
  start = g_get_monotonic_time ();
  {
    g_autoptr(Reply) reply = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);

    assert_message (reply, 401, AUTH_FAILED);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);

  /* /_admin/ is not delayed, and the main loop keeps running meanwhile:
   * the stats request is answered while the slow one waits. */
  {
    g_autoptr(SoupSession) other = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
    g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                        "/v2/bot/info", NULL);
    g_autoptr(SoupMessage) slow = soup_message_new ("GET", url);
    g_autoptr(Reply) stats = NULL;
    Wait wait = { NULL, NULL, FALSE };

    ltm_test_server_set_latency (f->server, 2000);
    soup_session_send_and_read_async (other, slow, G_PRIORITY_DEFAULT, NULL, send_done_cb, &wait);
    stats = send_to (f, "GET", "/_admin/stats", NULL, NULL, NULL);
    g_assert_cmpuint (stats->status, ==, 200);
    g_assert_false (wait.done);

    while (!wait.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (wait.error);
    g_assert_cmpuint (soup_message_get_status (slow), ==, 401);
    g_clear_pointer (&wait.bytes, g_bytes_unref);
    soup_session_abort (other);
  }
}

static void
test_latency_pending_at_finalize (Fixture       *f,
                                  gconstpointer  data)
{
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                      "/v2/bot/info", NULL);
  g_autofree char *stall_url = g_strconcat (ltm_test_server_get_base_url (f->server),
                                            "/oauth2/v2.1/verify", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(SoupMessage) stalled = soup_message_new ("GET", stall_url);
  Wait wait = { NULL, NULL, FALSE };
  Wait stalled_wait = { NULL, NULL, FALSE };

  ltm_test_server_set_latency (f->server, 60 * 1000);
  ltm_test_server_set_fault (f->server, "/oauth2/v2.1/verify", LTM_TEST_FAULT_STALL);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, send_done_cb,
                                    &wait);
  soup_session_send_and_read_async (f->session, stalled, G_PRIORITY_DEFAULT, NULL, send_done_cb,
                                    &stalled_wait);
  while (ltm_test_server_get_request_count (f->server) < 2)
    g_main_context_iteration (NULL, TRUE);

  /* The teardown finalizes the server with both answers pending. */
  soup_session_abort (f->session);
  while (!wait.done || !stalled_wait.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (wait.error);
  g_assert_nonnull (stalled_wait.error);
  g_clear_error (&wait.error);
  g_clear_error (&stalled_wait.error);
}

/* Tests: admin routes, HTTPS, the program */

static void
test_admin (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *jwk = public_jwk (key_b);

  {
    g_autoptr(Reply) added = send_to (f, "POST", "/_admin/channels", "application/json",
                                      "{\"channel_id\":\"3000000003\",\"channel_secret\":\"s3\"}",
                                      NULL);
    g_autoptr(Reply) bad = send_to (f, "POST", "/_admin/channels", "application/json",
                                    "{\"channel_id\":\"abc\",\"channel_secret\":\"s3\"}", NULL);
    g_autoptr(Reply) not_json = send_to (f, "POST", "/_admin/channels", "application/json",
                                         "channel_id=1", NULL);
    g_autoptr(Reply) key = register_key (f, "3000000003", jwk);
    g_autoptr(Reply) get = send_to (f, "GET", "/_admin/channels", NULL, NULL, NULL);

    g_assert_cmpuint (added->status, ==, 200);
    g_assert_cmpuint (bad->status, ==, 400);
    g_assert_cmpuint (not_json->status, ==, 400);
    g_assert_cmpuint (key->status, ==, 200);
    g_assert_true (g_uuid_string_is_valid (reply_string (key, "kid")));
    g_assert_cmpuint (get->status, ==, 405);
  }

  {
    g_autoptr(Reply) issued = send_to (f, "POST", "/_admin/channels/" CHANNEL "/tokens",
                                       "application/json", "{\"lifetime\":100}", NULL);
    g_autoptr(Reply) count = NULL;
    g_autoptr(Reply) verified = NULL;
    g_autoptr(Reply) revoked = NULL;
    g_autoptr(Reply) again = NULL;
    g_autofree char *revoke_body = NULL;

    g_assert_cmpuint (issued->status, ==, 200);
    g_assert_cmpint (reply_int (issued, "expires_in"), ==, 100);
    count = send_to (f, "GET", "/_admin/channels/" CHANNEL "/tokens", NULL, NULL, NULL);
    g_assert_cmpint (reply_int (count, "valid"), ==, 1);
    verified = verify_v21 (f, reply_string (issued, "access_token"));
    g_assert_cmpuint (verified->status, ==, 200);

    revoke_body = g_strdup_printf ("{\"key_id\":\"%s\"}", reply_string (issued, "key_id"));
    revoked = send_to (f, "POST", "/_admin/channels/" CHANNEL "/revoke", "application/json",
                       revoke_body, NULL);
    g_assert_cmpuint (revoked->status, ==, 200);
    again = send_to (f, "POST", "/_admin/channels/" CHANNEL "/revoke", "application/json",
                     revoke_body, NULL);
    g_assert_cmpuint (again->status, ==, 404);
    g_assert_cmpuint (ltm_test_server_count_valid_tokens (f->server, CHANNEL), ==, 0);
  }

  {
    g_autofree char *token = issue_token (f, 100, NULL);
    g_autoptr(Reply) clock = send_to (f, "POST", "/_admin/clock", "application/json",
                                      "{\"offset\":200}", NULL);
    g_autoptr(Reply) expired = verify_v21 (f, token);
    g_autoptr(Reply) bad_clock = send_to (f, "POST", "/_admin/clock", "application/json",
                                          "{\"offset\":\"200\"}", NULL);

    g_assert_cmpuint (clock->status, ==, 200);
    assert_oauth (expired, "invalid_request", "The access token expired");
    g_assert_cmpuint (bad_clock->status, ==, 400);
    ltm_test_server_set_clock_offset (f->server, 0);
  }

  {
    g_autoptr(Reply) fault = send_to (f, "POST", "/_admin/faults", "application/json",
                                      "{\"path\":\"/v2/bot/info\",\"fault\":\"429\"}", NULL);
    g_autoptr(Reply) faulty = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);
    g_autoptr(Reply) bad = send_to (f, "POST", "/_admin/faults", "application/json",
                                    "{\"fault\":\"boom\"}", NULL);
    g_autoptr(Reply) clear = send_to (f, "POST", "/_admin/faults", "application/json",
                                      "{\"path\":\"/v2/bot/info\",\"fault\":\"none\"}", NULL);
    g_autoptr(Reply) healthy = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);

    g_assert_cmpuint (fault->status, ==, 200);
    g_assert_cmpuint (faulty->status, ==, 429);
    g_assert_cmpuint (bad->status, ==, 400);
    g_assert_cmpuint (clear->status, ==, 200);
    g_assert_cmpuint (healthy->status, ==, 401);
  }

  {
    g_autoptr(Reply) latency = send_to (f, "POST", "/_admin/latency", "application/json",
                                        "{\"milliseconds\":0}", NULL);
    g_autoptr(Reply) stats = send_to (f, "GET", "/_admin/stats", NULL, NULL, NULL);
    g_autoptr(Reply) nothing = send_to (f, "GET", "/_admin/nothing", NULL, NULL, NULL);

    g_assert_cmpuint (latency->status, ==, 200);
    g_assert_cmpint (reply_int (stats, "requests"), ==,
                     ltm_test_server_get_request_count (f->server));
    g_assert_cmpint (reply_int (stats, "connections"), ==,
                     ltm_test_server_get_connection_count (f->server));
    assert_message (nothing, 404, "Not found");
  }
}

static void
test_https (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SoupSession) untrusting = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autofree char *url = g_strconcat (ltm_test_server_get_base_url (f->server), "/v2/bot/info",
                                      NULL);
  g_autofree char *pem = ltm_test_server_get_certificate_pem (f->server);
  g_autoptr(GTlsCertificate) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) trusted = NULL;
  g_autoptr(Reply) refused = NULL;

  g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_null (strstr (pem, "PRIVATE KEY"));
  parsed = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (parsed, ltm_test_server_get_certificate (f->server)));

  trusted = send_to (f, "GET", "/v2/bot/info", NULL, NULL, NULL);
  assert_message (trusted, 401, AUTH_FAILED);

  refused = send_full (untrusting, "GET", url, NULL, NULL, NULL);
  g_assert_error (refused->error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);

  soup_session_abort (untrusting);
}

static void
test_finalize_stops_listening (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  LtmTestServer *server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_autofree char *address = NULL;

  g_assert_no_error (error);
  address = g_strdup_printf ("127.0.0.1:%u", ltm_test_server_get_port (server));
  g_assert_finalize_object (server);

  connection = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_null (connection);
}

static void
test_program (void)
{
  const char *program = g_getenv ("LTM_TEST_SERVER");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(Reply) added = NULL;
  g_autoptr(Reply) stats = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;

  g_assert_nonnull (program);
  tmpdir = g_dir_make_tmp ("test-server-XXXXXX", &error);
  g_assert_no_error (error);
  cert = g_build_filename (tmpdir, "cert.pem", NULL);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              program, "--https", "--cert-out", cert, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "https://127.0.0.1:"));

  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  session = soup_session_new_with_options ("proxy-resolver", NULL, "tls-database", database, NULL);

  url = g_strconcat (line, "/_admin/channels", NULL);
  added = send_full (session, "POST", url, "application/json",
                     "{\"channel_id\":\"" CHANNEL "\",\"channel_secret\":\"" SECRET "\"}", NULL);
  g_assert_cmpuint (added->status, ==, 200);
  g_free (url);
  url = g_strconcat (line, "/_admin/stats", NULL);
  stats = send_full (session, "GET", url, NULL, NULL, NULL);
  g_assert_cmpint (reply_int (stats, "requests"), ==, 0);
  soup_session_abort (session);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  g_unlink (cert);
  g_rmdir (tmpdir);
}

static void
test_program_eof (void)
{
  const char *program = g_getenv ("LTM_TEST_SERVER");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE,
                              &error, program, "--exit-on-eof", "--latency-ms", "5", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "http://127.0.0.1:"));

  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  key_a = load_key ("pkcs8.pem");
  key_b = load_key ("rfc7515-a2.jwk");

#define ADD(path, set_up, func) \
  g_test_add (path, Fixture, NULL, set_up, func, fixture_tear_down)

  ADD ("/server/routes", fixture_set_up, test_routes);
  ADD ("/server/connections", fixture_set_up, test_connections);
  ADD ("/server/keys/register", fixture_set_up, test_register_key);
  ADD ("/server/token/issue", fixture_set_up, test_issue);
  ADD ("/server/token/refusals", fixture_set_up, test_issue_refusals);
  ADD ("/server/token/form", fixture_set_up, test_issue_form);
  ADD ("/server/token/limit", fixture_set_up, test_token_limit);
  ADD ("/server/token/verify-revoke-expire", fixture_set_up, test_verify_revoke_expire);
  ADD ("/server/token/kids", fixture_set_up, test_kids);
  ADD ("/server/token/stateless", fixture_set_up, test_stateless);
  ADD ("/server/token/short-lived", fixture_set_up, test_short_lived);
  ADD ("/server/bot/bearer", fixture_set_up, test_bearer);
  ADD ("/server/bot/webhook-endpoint", fixture_set_up, test_webhook_endpoint);
  ADD ("/server/bot/webhook-test", fixture_set_up_https, test_webhook_test);
  ADD ("/server/bot/webhook-timeout", fixture_set_up_https, test_webhook_timeout);
  ADD ("/server/bot/webhook-pending-at-finalize", fixture_set_up_https,
       test_webhook_pending_at_finalize);
  ADD ("/server/bot/rate-limit", fixture_set_up, test_rate_limit);
  ADD ("/server/faults/kinds", fixture_set_up, test_faults);
  ADD ("/server/faults/stall", fixture_set_up, test_fault_stall);
  ADD ("/server/faults/huge", fixture_set_up, test_fault_huge);
  ADD ("/server/latency", fixture_set_up, test_latency);
  ADD ("/server/latency-pending-at-finalize", fixture_set_up, test_latency_pending_at_finalize);
  ADD ("/server/admin", fixture_set_up, test_admin);
  ADD ("/server/https", fixture_set_up_https, test_https);
  g_test_add_func ("/server/finalize", test_finalize_stops_listening);
  g_test_add_func ("/server/program/https", test_program);
  g_test_add_func ("/server/program/exit-on-eof", test_program_eof);

#undef ADD

  ret = g_test_run ();

  g_clear_object (&key_a);
  g_clear_object (&key_b);

  return ret;
}
