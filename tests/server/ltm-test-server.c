/* ltm-test-server.c: a strict LINE-API-compatible HTTP server for tests
 *
 * No machine that builds this project can reach LINE, so the tests talk to
 * this server instead, and it enforces every rule of line-api.md: a client
 * test that passes here must send bytes real LINE would accept.  It listens
 * on 127.0.0.1 only, on a random port, plain HTTP or HTTPS with a
 * certificate made at start-up.
 *
 * This file holds the object, the routing, the faults and latency tests
 * inject, and the small helpers every route uses.  The routes live in
 * ltm-test-server-tokens.c (channel access tokens), ltm-test-server-bot.c
 * (webhook and bot info) and ltm-test-server-admin.c (/_admin/).
 *
 * Every answer, errors included, carries an X-Line-Request-Id (a random
 * UUID, like LINE's).  Requests under /_admin/ and /_receiver/ are not
 * counted and not remembered as "the last request": they are the test's
 * own plumbing, not what a client sent to LINE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server.h"

#include <string.h>
#include <sys/socket.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ltm-base64.h"
#include "ltm-test-server-private.h"

static void ltm_test_server_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtmTestServer, ltm_test_server, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ltm_test_server_initable_iface_init))

enum {
  PROP_0,
  PROP_HTTPS,
  PROP_CERTIFICATE_FLAWS,
  PROP_PORT,
  PROP_BASE_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef void (*LtmTestRouteFunc) (LtmTestServer     *self,
                                  SoupServerMessage *msg);

typedef struct {
  const char *method;
  const char *path;
  gboolean prefix;              /* path is a prefix, e.g. "/_admin/" */
  LtmTestRouteFunc func;
} LtmTestRoute;

static const LtmTestRoute routes[] = {
  { "POST", "/oauth2/v2.1/token", FALSE, ltm_test_server_issue_v21_cb },
  { "GET", "/oauth2/v2.1/verify", FALSE, ltm_test_server_verify_v21_cb },
  { "GET", "/oauth2/v2.1/tokens/kid", FALSE, ltm_test_server_list_kids_cb },
  { "POST", "/oauth2/v2.1/revoke", FALSE, ltm_test_server_revoke_v21_cb },
  { "POST", "/oauth2/v3/token", FALSE, ltm_test_server_issue_stateless_cb },
  { "POST", "/v2/oauth/accessToken", FALSE, ltm_test_server_issue_short_lived_cb },
  { "POST", "/v2/oauth/verify", FALSE, ltm_test_server_verify_short_lived_cb },
  { "POST", "/v2/oauth/revoke", FALSE, ltm_test_server_revoke_short_lived_cb },
  { "GET", "/v2/bot/channel/webhook/endpoint", FALSE, ltm_test_server_get_webhook_cb },
  { "PUT", "/v2/bot/channel/webhook/endpoint", FALSE, ltm_test_server_set_webhook_cb },
  { "POST", "/v2/bot/channel/webhook/test", FALSE, ltm_test_server_test_webhook_cb },
  { "GET", "/v2/bot/info", FALSE, ltm_test_server_bot_info_cb },
  { NULL, "/_admin/", TRUE, ltm_test_server_admin_cb },
  { NULL, "/_receiver/", TRUE, ltm_test_server_receiver_cb },
};

/* Held back by the latency: answered when the timeout fires. */
typedef struct {
  LtmTestServer *self;
  SoupServerMessage *msg;
  GSource *source;
} LtmTestDelay;

/* The static text LTM_TEST_FAULT_HUGE repeats. */
#define LTM_TEST_HUGE_CHUNK_SIZE (64 * 1024)
static char huge_chunk[LTM_TEST_HUGE_CHUNK_SIZE];

/* Connections the kernel holds for the server before it accepts them. */
#define LISTEN_BACKLOG 128

static void ltm_test_server_dispatch (LtmTestServer     *self,
                                      SoupServerMessage *msg);

static void
ltm_test_server_dispose (GObject *object)
{
  LtmTestServer *self = (LtmTestServer *)object;

  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      soup_server_remove_handler (self->server, NULL);
    }

  /* Whatever waits for a timeout or an answer is dropped first, then the
   * connections are closed. */
  if (self->delays != NULL)
    {
      for (guint i = 0; i < self->delays->len; i++)
        g_source_destroy (g_ptr_array_index (self->delays, i));
      g_clear_pointer (&self->delays, g_ptr_array_unref);
    }

  ltm_test_server_stop_webhooks (self);

  if (self->server != NULL)
    soup_server_disconnect (self->server);

  g_clear_pointer (&self->stalled, g_ptr_array_unref);
  g_clear_pointer (&self->bot_held, g_ptr_array_unref);
  g_clear_object (&self->server);

  g_clear_object (&self->webhook_database);

  G_OBJECT_CLASS (ltm_test_server_parent_class)->dispose (object);
}

static void
ltm_test_server_finalize (GObject *object)
{
  LtmTestServer *self = (LtmTestServer *)object;

  g_clear_pointer (&self->webhook_calls, g_ptr_array_unref);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->certificate_pem, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->faults, g_hash_table_unref);
  g_clear_pointer (&self->tokens, g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->last_request_id, g_free);
  g_clear_pointer (&self->last_method, g_free);
  g_clear_pointer (&self->last_path, g_free);
  g_clear_pointer (&self->last_content_type, g_free);
  g_clear_pointer (&self->last_user_agent, g_free);
  g_clear_pointer (&self->last_body, g_bytes_unref);
  g_clear_pointer (&self->bot_body, g_bytes_unref);
  g_free (self->bot_signature);
  g_free (self->bot_user_agent);
  g_free (self->bot_content_type);
  gnutls_memset (self->stateless_secret, 0, sizeof self->stateless_secret);

  G_OBJECT_CLASS (ltm_test_server_parent_class)->finalize (object);
}

static void
ltm_test_server_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LtmTestServer *self = LTM_TEST_SERVER (object);

  switch (prop_id)
    {
    case PROP_HTTPS:
      g_value_set_boolean (value, self->https);
      break;

    case PROP_CERTIFICATE_FLAWS:
      g_value_set_uint (value, self->certificate_flaws);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port != 0 ? self->port : self->requested_port);
      break;

    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_test_server_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LtmTestServer *self = LTM_TEST_SERVER (object);

  switch (prop_id)
    {
    case PROP_HTTPS:
      self->https = g_value_get_boolean (value);
      break;

    case PROP_CERTIFICATE_FLAWS:
      self->certificate_flaws = g_value_get_uint (value);
      break;

    case PROP_PORT:
      self->requested_port = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ltm_test_server_class_init (LtmTestServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ltm_test_server_dispose;
  object_class->finalize = ltm_test_server_finalize;
  object_class->get_property = ltm_test_server_get_property;
  object_class->set_property = ltm_test_server_set_property;

  properties[PROP_HTTPS] =
    g_param_spec_boolean ("https", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CERTIFICATE_FLAWS] =
    g_param_spec_uint ("certificate-flaws", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  for (gsize i = 0; i < sizeof huge_chunk; i++)
    huge_chunk[i] = 'A' + (i % 26);
}

static void
ltm_test_server_init (LtmTestServer *self)
{
  self->faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) ltm_test_channel_free);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) ltm_test_key_free);
  self->tokens = g_hash_table_new (g_str_hash, g_str_equal);
  self->delays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->stalled = g_ptr_array_new_with_free_func (g_object_unref);
  self->bot_held = g_ptr_array_new_with_free_func (g_object_unref);
  self->webhook_calls = g_ptr_array_new ();
}

/* Helpers shared by the routes */

/**
 * ltm_test_server_now:
 *
 * Returns: the server's clock, Unix seconds: the real time plus the offset
 */
gint64
ltm_test_server_now (LtmTestServer *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

/**
 * ltm_test_server_random_string:
 * @n_bytes: how many random bytes
 *
 * Returns: (transfer full): @n_bytes of randomness, base64url
 */
char *
ltm_test_server_random_string (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);

  if (gnutls_rnd (GNUTLS_RND_NONCE, bytes, n_bytes) < 0)
    g_error ("gnutls_rnd failed");

  return ltm_base64url_encode (bytes, n_bytes);
}

static void
ltm_test_server_message_finished_cb (SoupServerMessage *msg,
                                     gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), "ltm-test-finished", GINT_TO_POINTER (TRUE));
}

/**
 * ltm_test_server_hold:
 * @msg: a request being handled
 *
 * Pauses @msg until ltm_test_server_release(), once however often it is
 * called.
 */
void
ltm_test_server_hold (SoupServerMessage *msg)
{
  if (g_object_get_data (G_OBJECT (msg), "ltm-test-held") != NULL)
    return;

  g_object_set_data (G_OBJECT (msg), "ltm-test-held", GINT_TO_POINTER (TRUE));
  g_signal_connect (msg, "finished", G_CALLBACK (ltm_test_server_message_finished_cb), NULL);
  soup_server_message_pause (msg);
}

/**
 * ltm_test_server_answer_later:
 * @msg: a request being handled
 *
 * Said by a route that answers after it returns (the webhook test): holds
 * @msg until the route calls ltm_test_server_release().
 */
void
ltm_test_server_answer_later (SoupServerMessage *msg)
{
  g_object_set_data (G_OBJECT (msg), "ltm-test-async", GINT_TO_POINTER (TRUE));
  ltm_test_server_hold (msg);
}

/**
 * ltm_test_server_release:
 * @msg: a request held by ltm_test_server_hold()
 *
 * Sends the answer of a held request, unless the client went away.
 */
void
ltm_test_server_release (SoupServerMessage *msg)
{
  if (g_object_get_data (G_OBJECT (msg), "ltm-test-held") == NULL)
    return;

  g_object_set_data (G_OBJECT (msg), "ltm-test-held", NULL);
  if (g_object_get_data (G_OBJECT (msg), "ltm-test-finished") == NULL)
    soup_server_message_unpause (msg);
}

/**
 * ltm_test_server_reply_json:
 * @msg: the request
 * @status: the HTTP status
 * @node: the body
 */
void
ltm_test_server_reply_json (SoupServerMessage *msg,
                            guint              status,
                            JsonNode          *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize len = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
}

/**
 * ltm_test_server_reply_message:
 * @msg: the request
 * @status: the HTTP status
 * @message: LINE's text
 *
 * Answers in the Messaging API's shape: `{"message":"…"}`.
 */
void
ltm_test_server_reply_message (SoupServerMessage *msg,
                               guint              status,
                               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, status, node);
}

/**
 * ltm_test_server_reply_oauth_error:
 * @msg: the request
 * @error: the OAuth error code, e.g. "invalid_client"
 * @description: LINE's text
 *
 * Answers 400 in the OAuth shape: `{"error":"…","error_description":"…"}`.
 */
void
ltm_test_server_reply_oauth_error (SoupServerMessage *msg,
                                   const char        *error,
                                   const char        *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_BAD_REQUEST, node);
}

/**
 * ltm_test_server_reply_empty:
 * @msg: the request
 * @status: the HTTP status
 *
 * Answers with no body and no Content-Type.
 */
void
ltm_test_server_reply_empty (SoupServerMessage *msg,
                             guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg), 0);
}

/**
 * ltm_test_server_has_content_type:
 * @msg: the request
 * @type: a media type, e.g. "application/json"
 *
 * Returns: whether the request's Content-Type is @type (parameters such
 *   as charset are allowed)
 */
gboolean
ltm_test_server_has_content_type (SoupServerMessage *msg,
                                  const char        *type)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);

  return content_type != NULL && g_ascii_strcasecmp (content_type, type) == 0;
}

static char *
ltm_test_server_body_to_string (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data != NULL ? data : "", len);
}

/**
 * ltm_test_server_read_form:
 * @msg: the request
 *
 * Returns: (transfer full) (nullable): the fields of an
 *   application/x-www-form-urlencoded body, or %NULL if the body has
 *   another type
 */
GHashTable *
ltm_test_server_read_form (SoupServerMessage *msg)
{
  g_autofree char *text = NULL;

  if (!ltm_test_server_has_content_type (msg, "application/x-www-form-urlencoded"))
    return NULL;

  text = ltm_test_server_body_to_string (msg);

  return soup_form_decode (text);
}

/**
 * ltm_test_server_read_json:
 * @msg: the request
 *
 * Returns: (transfer full) (nullable): the parsed body, or %NULL if it is
 *   not JSON
 */
JsonNode *
ltm_test_server_read_json (SoupServerMessage *msg)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = ltm_test_server_body_to_string (msg);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);

  return root != NULL ? json_node_copy (root) : NULL;
}

/* Faults */

/* Closes the connection with RST, after @partial if given. */
static void
ltm_test_server_reset_with (SoupServerMessage *msg,
                            const char        *partial)
{
  g_autoptr(GIOStream) stream = NULL;
  GSocket *socket;
  struct linger linger = { 1, 0 };

  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    g_object_ref (socket);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      g_clear_object (&socket);
      return;
    }

  /* A few hundred bytes on a fresh connection never block. */
  if (partial != NULL)
    {
      g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                 partial, strlen (partial), NULL, NULL, NULL);
      g_output_stream_flush (g_io_stream_get_output_stream (stream), NULL, NULL);
    }

  /* A zero linger time makes close() send RST instead of FIN. */
  if (socket != NULL)
    {
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      g_socket_close (socket, NULL);
    }
  g_io_stream_close (stream, NULL, NULL);
  g_clear_object (&socket);
}

static void
ltm_test_server_redirect (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *location = NULL;

  location = g_strdup_printf ("http://127.0.0.1:1%s%s%s", g_uri_get_path (uri),
                              g_uri_get_query (uri) != NULL ? "?" : "",
                              g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "");
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
ltm_test_server_reset (SoupServerMessage *msg,
                       const char        *request_id)
{
  g_autofree char *partial = NULL;

  partial = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/json\r\n"
                             "X-Line-Request-Id: %s\r\n"
                             "Content-Length: 1000\r\n"
                             "\r\n"
                             "{\"access_token\":\"",
                             request_id);
  ltm_test_server_reset_with (msg, partial);
}

static void
ltm_test_server_huge_wrote_chunk_cb (SoupServerMessage *msg,
                                     gpointer           user_data)
{
  gsize *sent = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize len = MIN (sizeof huge_chunk, LTM_TEST_SERVER_HUGE_SIZE - *sent);

  if (len == 0)
    {
      soup_message_body_complete (body);
      return;
    }

  soup_message_body_append (body, SOUP_MEMORY_STATIC, huge_chunk, len);
  *sent += len;
}

static void
ltm_test_server_huge (SoupServerMessage *msg)
{
  static const char start[] = "{\"access_token\":\"";
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize *sent = g_new0 (gsize, 1);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (body, FALSE);

  soup_message_body_append (body, SOUP_MEMORY_STATIC, start, sizeof start - 1);
  *sent = sizeof start - 1;

  g_signal_connect_data (msg, "wrote-chunk",
                         G_CALLBACK (ltm_test_server_huge_wrote_chunk_cb),
                         sent, (GClosureNotify) G_CALLBACK (g_free), 0);
}

static gboolean
ltm_test_server_apply_fault (LtmTestServer     *self,
                             SoupServerMessage *msg,
                             const char        *path,
                             const char        *request_id)
{
  static const char html[] =
    "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    "<body><h1>502 Bad Gateway</h1><p>The server is temporarily unable to "
    "answer.</p></body></html>\n";
  static const char truncated[] = "{\"access_token\":\"ab";
  gpointer value;
  LtmTestFault fault = LTM_TEST_FAULT_NONE;

  if (g_hash_table_lookup_extended (self->faults, path, NULL, &value))
    fault = GPOINTER_TO_INT (value);
  else if (!g_str_has_prefix (path, "/_admin/"))
    fault = self->fault_all;

  switch (fault)
    {
    case LTM_TEST_FAULT_NONE:
      return FALSE;

    case LTM_TEST_FAULT_STATUS_500:
      ltm_test_server_reply_message (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "Internal server error");
      break;

    case LTM_TEST_FAULT_STATUS_429:
      ltm_test_server_reply_message (msg, 429,
                                     "The API rate limit has been exceeded. Try again later.");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      break;

    case LTM_TEST_FAULT_HTML:
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_GATEWAY, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        html, sizeof html - 1);
      break;

    case LTM_TEST_FAULT_EMPTY:
      ltm_test_server_reply_empty (msg, SOUP_STATUS_OK);
      break;

    case LTM_TEST_FAULT_TRUNCATED_JSON:
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        truncated, sizeof truncated - 1);
      break;

    case LTM_TEST_FAULT_STALL:
      ltm_test_server_hold (msg);
      g_ptr_array_add (self->stalled, g_object_ref (msg));
      break;

    case LTM_TEST_FAULT_RESET:
      ltm_test_server_reset (msg, request_id);
      break;

    case LTM_TEST_FAULT_HUGE:
      ltm_test_server_huge (msg);
      break;

    case LTM_TEST_FAULT_RESET_ONCE:
      g_hash_table_remove (self->faults, path);
      ltm_test_server_reset_with (msg, NULL);
      break;

    case LTM_TEST_FAULT_REDIRECT:
      ltm_test_server_redirect (msg);
      break;

    case LTM_TEST_FAULT_HOSTILE_TEXT:
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\033]0;owned\007\033[2J\302\23331m red\nsecond line");
      break;

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

/* Routing */

static void
ltm_test_server_record (LtmTestServer     *self,
                        SoupServerMessage *msg,
                        const char        *path,
                        const char        *request_id)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GSocket *socket = soup_server_message_get_socket (msg);

  self->request_count++;

  /* A connection is counted at its first request; the mark lives as long
   * as the socket, so a new socket at a recycled address counts again. */
  if (socket != NULL && g_object_get_data (G_OBJECT (socket), "ltm-test-counted") == NULL)
    {
      g_object_set_data (G_OBJECT (socket), "ltm-test-counted", GINT_TO_POINTER (TRUE));
      self->connection_count++;
    }

  g_free (self->last_request_id);
  self->last_request_id = g_strdup (request_id);
  g_free (self->last_method);
  self->last_method = g_strdup (soup_server_message_get_method (msg));
  g_free (self->last_path);
  self->last_path = g_strdup (path);
  g_free (self->last_content_type);
  self->last_content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  g_free (self->last_user_agent);
  self->last_user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  g_clear_pointer (&self->last_body, g_bytes_unref);
  self->last_body = soup_message_body_flatten (body);
}

static void
ltm_test_server_dispatch (LtmTestServer     *self,
                          SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_autoptr(GString) allow = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      const LtmTestRoute *route = &routes[i];

      if (route->prefix ? !g_str_has_prefix (path, route->path)
                        : strcmp (path, route->path) != 0)
        continue;

      if (route->method == NULL || strcmp (route->method, method) == 0)
        {
          route->func (self, msg);
          return;
        }

      g_string_append_printf (allow, "%s%s", allow->len > 0 ? ", " : "", route->method);
    }

  if (allow->len > 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow->str);
      ltm_test_server_reply_message (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }

  ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

static gboolean
ltm_test_server_delay_done_cb (gpointer user_data)
{
  LtmTestDelay *delay = user_data;
  LtmTestServer *self = delay->self;
  SoupServerMessage *msg = delay->msg;

  /* Answered while still held: the route may hold it longer (webhook test). */
  if (g_object_get_data (G_OBJECT (msg), "ltm-test-finished") == NULL)
    {
      g_object_set_data (G_OBJECT (msg), "ltm-test-async", NULL);
      ltm_test_server_dispatch (self, msg);
      if (g_object_get_data (G_OBJECT (msg), "ltm-test-async") == NULL)
        ltm_test_server_release (msg);
    }

  g_ptr_array_remove_fast (self->delays, delay->source);

  return G_SOURCE_REMOVE;
}

static void
ltm_test_server_delay_free (gpointer data)
{
  LtmTestDelay *delay = data;

  g_clear_object (&delay->msg);
  g_free (delay);
}

static void
ltm_test_server_request_started_cb (SoupServer        *server,
                                    SoupServerMessage *msg,
                                    gpointer           user_data)
{
  char *request_id = g_uuid_string_random ();

  /* Every answer carries it, also those libsoup makes by itself. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-Line-Request-Id", request_id);
  g_object_set_data_full (G_OBJECT (msg), "ltm-test-request-id", request_id, g_free);
}

static void
ltm_test_server_handle_cb (SoupServer        *server,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query,
                           gpointer           user_data)
{
  LtmTestServer *self = LTM_TEST_SERVER (user_data);
  const char *request_id = g_object_get_data (G_OBJECT (msg), "ltm-test-request-id");
  gboolean plumbing = g_str_has_prefix (path, "/_admin/") || g_str_has_prefix (path, "/_receiver/");

  if (request_id == NULL)
    {
      char *id = g_uuid_string_random ();

      g_object_set_data_full (G_OBJECT (msg), "ltm-test-request-id", id, g_free);
      request_id = id;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-Line-Request-Id", request_id);

  if (!plumbing)
    ltm_test_server_record (self, msg, path, request_id);

  if (ltm_test_server_apply_fault (self, msg, path, request_id))
    return;

  if (self->latency_ms > 0 && !g_str_has_prefix (path, "/_admin/"))
    {
      LtmTestDelay *delay = g_new0 (LtmTestDelay, 1);

      delay->self = self;
      delay->msg = g_object_ref (msg);
      delay->source = g_timeout_source_new (self->latency_ms);
      g_source_set_callback (delay->source, ltm_test_server_delay_done_cb,
                             delay, ltm_test_server_delay_free);
      g_source_set_static_name (delay->source, "[ltm-test-server] latency");
      g_source_attach (delay->source, g_main_context_get_thread_default ());
      g_ptr_array_add (self->delays, delay->source);

      ltm_test_server_hold (msg);
      return;
    }

  ltm_test_server_dispatch (self, msg);
}

static gboolean
ltm_test_server_initable_init (GInitable     *initable,
                               GCancellable  *cancellable,
                               GError       **error)
{
  LtmTestServer *self = LTM_TEST_SERVER (initable);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSList) listeners = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  SoupServerListenOptions options = 0;

  if (gnutls_rnd (GNUTLS_RND_KEY, self->stateless_secret, sizeof self->stateless_secret) < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gnutls_rnd failed");
      return FALSE;
    }

  if (self->https)
    {
      if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "TLS is not available: install glib-networking.");
          return FALSE;
        }

      self->certificate = ltm_test_server_create_certificate (self->certificate_flaws,
                                                              &self->certificate_pem, error);
      if (self->certificate == NULL)
        return FALSE;
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  self->server = soup_server_new ("server-header", "ltm-test-server ",
                                  "tls-certificate", self->certificate,
                                  NULL);
  soup_server_add_handler (self->server, NULL, ltm_test_server_handle_cb, self, NULL);
  g_signal_connect (self->server, "request-started",
                    G_CALLBACK (ltm_test_server_request_started_cb), self);

  /* A socket of its own, for its backlog: GLib's default is 10, and a
   * burst of new connections beyond it (ltm token rotate --all opens 16 at
   * once, and more as the server closes them) has SYNs dropped, which the
   * client sends again only after a second: a run of bench-rotate in three
   * was a second slower, as real LINE would never make it. */
  address = g_inet_socket_address_new (loopback, self->requested_port);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (self->server, socket, options, error))
    return FALSE;

  /* (soup_server_get_uris() leaks an address in libsoup 3.2.) */
  listeners = soup_server_get_listeners (self->server);
  g_assert (listeners != NULL);
  local = g_socket_get_local_address (listeners->data, error);
  if (local == NULL)
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  self->base_url = g_strdup_printf ("%s://127.0.0.1:%u", self->https ? "https" : "http",
                                    self->port);

  return TRUE;
}

static void
ltm_test_server_initable_iface_init (GInitableIface *iface)
{
  iface->init = ltm_test_server_initable_init;
}

/* Public API */

/**
 * ltm_test_server_new:
 * @flags: plain HTTP or HTTPS
 * @error: return location for a #GError
 *
 * Starts a server on 127.0.0.1 at a random port, answering in the thread
 * default main context.  Clients in the same thread should abort their
 * sessions before the server is finalized: closing a TLS connection whose
 * handshake is still running waits for that handshake.
 *
 * Returns: (transfer full): the server, or %NULL with @error set
 */
LtmTestServer *
ltm_test_server_new (LtmTestServerFlags   flags,
                     GError             **error)
{
  return ltm_test_server_new_for_port (flags, 0, error);
}

/**
 * ltm_test_server_new_for_port:
 * @flags: plain HTTP or HTTPS
 * @port: the port on 127.0.0.1, or 0 for a random one
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the server, or %NULL with @error set
 */
LtmTestServer *
ltm_test_server_new_for_port (LtmTestServerFlags   flags,
                              guint                port,
                              GError             **error)
{
  LtmTestServer *self;
  guint flaws = flags & (LTM_TEST_SERVER_EXPIRED_CERTIFICATE | LTM_TEST_SERVER_WRONG_HOST);

  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  self = g_initable_new (LTM_TYPE_TEST_SERVER, NULL, error,
                         "https", (flags & LTM_TEST_SERVER_HTTPS) != 0 || flaws != 0,
                         "certificate-flaws", flaws,
                         "port", port,
                         NULL);

  return self;
}

/**
 * ltm_test_server_get_base_url:
 *
 * Returns: "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT", no slash
 */
const char *
ltm_test_server_get_base_url (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->base_url;
}

guint
ltm_test_server_get_port (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), 0);

  return self->port;
}

/**
 * ltm_test_server_get_certificate:
 *
 * Returns: (transfer none) (nullable): the HTTPS server's self-signed
 *   certificate, also the CA a client must trust; %NULL for plain HTTP
 */
GTlsCertificate *
ltm_test_server_get_certificate (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->certificate;
}

/**
 * ltm_test_server_get_certificate_pem:
 *
 * Returns: (transfer full) (nullable): the certificate alone, PEM, for a
 *   CA file (g_tls_file_database_new()); %NULL for plain HTTP
 */
char *
ltm_test_server_get_certificate_pem (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return g_strdup (self->certificate_pem);
}

/**
 * ltm_test_server_set_latency:
 * @milliseconds: delay added before every answer (not /_admin/ ones)
 *
 * The main loop keeps running meanwhile.
 */
void
ltm_test_server_set_latency (LtmTestServer *self,
                             guint          milliseconds)
{
  g_return_if_fail (LTM_IS_TEST_SERVER (self));

  self->latency_ms = milliseconds;
}

/**
 * ltm_test_server_set_fault:
 * @path: (nullable): a request path such as "/oauth2/v2.1/token", or
 *   %NULL for every path but /_admin/ ones
 * @fault: what goes wrong; %LTM_TEST_FAULT_NONE clears it
 *
 * A fault set for a path wins over the one for every path.
 */
void
ltm_test_server_set_fault (LtmTestServer *self,
                           const char    *path,
                           LtmTestFault   fault)
{
  g_return_if_fail (LTM_IS_TEST_SERVER (self));
  g_return_if_fail (fault <= LTM_TEST_FAULT_HOSTILE_TEXT);
  g_return_if_fail (fault != LTM_TEST_FAULT_RESET_ONCE || path != NULL);

  if (path == NULL)
    self->fault_all = fault;
  else if (fault == LTM_TEST_FAULT_NONE)
    g_hash_table_remove (self->faults, path);
  else
    g_hash_table_insert (self->faults, g_strdup (path), GINT_TO_POINTER (fault));
}

/**
 * ltm_test_server_set_clock_offset:
 * @seconds: added to the real time to make the server's "now"
 */
void
ltm_test_server_set_clock_offset (LtmTestServer *self,
                                  gint64         seconds)
{
  g_return_if_fail (LTM_IS_TEST_SERVER (self));

  self->clock_offset = seconds;
}

/**
 * ltm_test_server_add_channel:
 * @channel_id: the channel ID, digits
 * @channel_secret: its channel secret
 *
 * Adds a channel, or changes the secret of an existing one.
 */
void
ltm_test_server_add_channel (LtmTestServer *self,
                             const char    *channel_id,
                             const char    *channel_secret)
{
  LtmTestChannel *channel;

  g_return_if_fail (LTM_IS_TEST_SERVER (self));
  g_return_if_fail (channel_id != NULL && *channel_id != '\0');
  g_return_if_fail (channel_secret != NULL);

  channel = g_hash_table_lookup (self->channels, channel_id);
  if (channel != NULL)
    {
      g_free (channel->secret);
      channel->secret = g_strdup (channel_secret);
      return;
    }

  channel = g_new0 (LtmTestChannel, 1);
  channel->id = g_strdup (channel_id);
  channel->secret = g_strdup (channel_secret);
  channel->tokens = g_ptr_array_new ();
  channel->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);
  g_hash_table_insert (self->channels, channel->id, channel);
}

/**
 * ltm_test_server_register_key:
 * @channel_id: an added channel
 * @public_jwk: the public JWK, as the user pastes it in the console
 * @error: return location for a #GError
 *
 * Does what the console's "Register a public key" does, with its rules:
 * RSA, 2048 bits, `alg` RS256, `use` "sig" or `key_ops` ["verify"], no
 * `kid`, no private member.
 *
 * Returns: (transfer full): the new kid, a UUID; %NULL with @error set
 *   (G_IO_ERROR_NOT_FOUND for an unknown channel,
 *   G_IO_ERROR_INVALID_ARGUMENT with the refusal otherwise)
 */
char *
ltm_test_server_register_key (LtmTestServer  *self,
                              const char     *channel_id,
                              const char     *public_jwk,
                              GError        **error)
{
  g_autoptr(LtmKey) key = NULL;
  g_autofree char *refusal = NULL;
  LtmTestKey *entry;

  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (public_jwk != NULL, NULL);

  if (ltm_test_server_lookup_channel (self, channel_id) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "There is no channel %s.", channel_id);
      return NULL;
    }

  refusal = ltm_test_server_check_public_jwk (public_jwk, strlen (public_jwk), &key);
  if (refusal != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, refusal);
      return NULL;
    }

  entry = g_new0 (LtmTestKey, 1);
  entry->kid = g_uuid_string_random ();
  entry->channel_id = g_strdup (channel_id);
  entry->key = g_steal_pointer (&key);
  g_hash_table_insert (self->keys, entry->kid, entry);

  return g_strdup (entry->kid);
}

/**
 * ltm_test_server_issue_token_elsewhere:
 * @channel_id: an added channel
 * @lifetime: seconds, 1 to 2592000
 * @out_key_id: (out) (optional): the token's key_id
 *
 * Issues a v2.1 token behind the client's back, as another tool would.
 * LINE's limit of 30 valid tokens holds.
 *
 * Returns: (transfer full) (nullable): the access token, or %NULL for an
 *   unknown channel or one at its limit
 */
char *
ltm_test_server_issue_token_elsewhere (LtmTestServer  *self,
                                       const char     *channel_id,
                                       gint64          lifetime,
                                       char          **out_key_id)
{
  LtmTestChannel *channel;
  LtmTestToken *token;

  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);
  g_return_val_if_fail (lifetime >= 1 && lifetime <= LTM_TEST_MAX_TOKEN_EXP, NULL);

  channel = ltm_test_server_lookup_channel (self, channel_id);
  if (channel == NULL)
    return NULL;

  token = ltm_test_server_issue_v21 (self, channel, lifetime);
  if (token == NULL)
    return NULL;

  if (out_key_id != NULL)
    *out_key_id = g_strdup (token->key_id);

  return g_strdup (token->access_token);
}

/**
 * ltm_test_server_revoke_key_id:
 * @channel_id: a channel
 * @key_id: the key_id of one of its v2.1 tokens
 *
 * Revokes a v2.1 token behind the client's back.
 *
 * Returns: %TRUE if there was such a token
 */
gboolean
ltm_test_server_revoke_key_id (LtmTestServer *self,
                               const char    *channel_id,
                               const char    *key_id)
{
  LtmTestChannel *channel;

  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  channel = ltm_test_server_lookup_channel (self, channel_id);
  if (channel == NULL)
    return FALSE;

  for (guint i = 0; i < channel->tokens->len; i++)
    {
      LtmTestToken *token = g_ptr_array_index (channel->tokens, i);

      if (token->kind == LTM_TEST_TOKEN_V21 && g_strcmp0 (token->key_id, key_id) == 0)
        {
          ltm_test_server_revoke (self, token);
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ltm_test_server_count_valid_tokens:
 * @channel_id: a channel
 *
 * Returns: how many v2.1 tokens of the channel are valid now (unexpired
 *   by the server's clock, unrevoked): what LINE's limit of 30 counts.
 *   Short-lived and stateless tokens are not counted.
 */
guint
ltm_test_server_count_valid_tokens (LtmTestServer *self,
                                    const char    *channel_id)
{
  LtmTestChannel *channel;

  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), 0);

  channel = ltm_test_server_lookup_channel (self, channel_id);
  if (channel == NULL)
    return 0;

  return ltm_test_server_count_v21 (self, channel);
}

/**
 * ltm_test_server_get_request_count:
 *
 * Returns: how many requests reached the server, not counting /_admin/
 *   and /_receiver/ ones
 */
guint
ltm_test_server_get_request_count (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), 0);

  return self->request_count;
}

/**
 * ltm_test_server_get_connection_count:
 *
 * Returns: how many distinct TCP connections carried those requests
 */
guint
ltm_test_server_get_connection_count (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), 0);

  return self->connection_count;
}

const char *
ltm_test_server_get_last_request_id (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_request_id;
}

const char *
ltm_test_server_get_last_method (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_method;
}

const char *
ltm_test_server_get_last_path (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_path;
}

/**
 * ltm_test_server_get_last_content_type:
 *
 * Returns: (nullable): the last request's Content-Type header, verbatim
 */
const char *
ltm_test_server_get_last_content_type (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_content_type;
}

const char *
ltm_test_server_get_last_user_agent (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_user_agent;
}

/**
 * ltm_test_server_get_last_body:
 *
 * Returns: (transfer full) (nullable): the last request's body
 */
GBytes *
ltm_test_server_get_last_body (LtmTestServer *self)
{
  g_return_val_if_fail (LTM_IS_TEST_SERVER (self), NULL);

  return self->last_body != NULL ? g_bytes_ref (self->last_body) : NULL;
}

/**
 * ltm_test_server_set_webhook_tls_database:
 * @database: (nullable): what the webhook test trusts, or %NULL for the
 *   default: the system store plus this server's own certificate
 */
void
ltm_test_server_set_webhook_tls_database (LtmTestServer *self,
                                          GTlsDatabase  *database)
{
  g_return_if_fail (LTM_IS_TEST_SERVER (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  /* Calls in flight keep the database they started with. */
  g_set_object (&self->webhook_database, database);
}
