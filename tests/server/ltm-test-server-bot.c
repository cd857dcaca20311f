/* ltm-test-server-bot.c: the webhook and bot API, and a webhook receiver
 *
 * These routes need `Authorization: Bearer <token>`, a valid v2.1,
 * stateless or short-lived token of the channel.  LINE's rate limits per
 * channel: webhook test 60 per hour, get and set webhook 1,000 per minute
 * each, bot info 2,000 per second; then 429.
 *
 * The webhook test really POSTs, like LINE: {"destination":"<bot userId>",
 * "events":[]} with an x-line-signature; see ltm-test-server-webhook.c.
 *
 * /_receiver/ok and /_receiver/status/<code> are a bot for the webhook
 * test to call, so a test can point it at this server itself; /ok checks
 * the signature against the channel secrets it knows.  /_receiver/stall
 * never answers.
 *
 * /_receiver/sdk is a bot that checks X-Line-Signature as LINE's SDKs do
 * (required; Base64 of HMAC-SHA256 over the raw body with a channel
 * secret it knows, compared whole; 400 otherwise, as their examples
 * answer) and keeps the last body that verified, with its headers.
 * /_receiver/slow is the same bot answering only when the test says
 * (ltm_test_server_release_bot()): a slow bot whose slowness no clock
 * decides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server-private.h"

#include <string.h>

#include "ltm-json.h"

static LtmTestChannel *
ltm_test_server_check_bearer (LtmTestServer     *self,
                              SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  LtmTestChannel *channel = NULL;
  gint64 expires_at;
  gboolean expired;

  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    channel = ltm_test_server_authenticate (self, authorization + 7, TRUE, TRUE, TRUE,
                                            &expires_at, &expired);

  if (channel == NULL)
    ltm_test_server_reply_message (msg, SOUP_STATUS_UNAUTHORIZED,
                                   "Authentication failed. Confirm that the access token in "
                                   "the authorization header is valid.");

  return channel;
}

/* The bot's userId: "U" and 32 hex digits, always the same for a channel. */
char *
ltm_test_server_bot_user_id (const char *channel_id)
{
  g_autofree char *seed = g_strconcat ("ltm-test-bot:", channel_id, NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("U%.32s", hex);
}

static char *
ltm_test_server_bot_basic_id (const char *channel_id)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz";
  g_autofree char *seed = g_strconcat ("ltm-test-basic-id:", channel_id, NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char id[10];

  g_checksum_update (checksum, (const guint8 *) seed, strlen (seed));
  g_checksum_get_digest (checksum, digest, &digest_len);

  /* Like LINE's: "@" then three digits and five letters. */
  id[0] = '@';
  for (guint i = 0; i < 3; i++)
    id[1 + i] = '0' + digest[i] % 10;
  for (guint i = 3; i < 8; i++)
    id[1 + i] = letters[digest[i] % 26];
  id[9] = '\0';

  return g_strdup (id);
}

/* x-line-signature: base64 (HMAC-SHA256 (channel secret, body)) */
char *
ltm_test_server_sign_webhook (const char *secret,
                              const char *body,
                              gsize       len)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guint8 *) secret, strlen (secret));
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guint8 *) body, len);
  g_hmac_get_digest (hmac, digest, &digest_len);

  return g_base64_encode (digest, digest_len);
}

static gboolean
ltm_test_server_check_endpoint (const char *endpoint)
{
  g_autoptr(GUri) uri = NULL;

  if (endpoint == NULL || strlen (endpoint) > LTM_TEST_MAX_WEBHOOK_LENGTH)
    return FALSE;

  /* No white space, control or non-ASCII characters: those must be
   * percent-encoded. */
  for (const char *p = endpoint; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f)
        return FALSE;
    }

  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);

  return uri != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 &&
         g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* Reads the JSON object body of a bot API request, or answers 400. */
static JsonObject *
ltm_test_server_read_object (SoupServerMessage  *msg,
                             JsonNode          **out_node)
{
  JsonNode *node;

  if (!ltm_test_server_has_content_type (msg, "application/json"))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "The request body must be JSON (Content-Type: application/json)");
      return NULL;
    }

  node = ltm_test_server_read_json (msg);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&node, json_node_unref);
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "The request body is not a valid JSON object");
      return NULL;
    }

  *out_node = node;

  return json_node_get_object (node);
}

/* GET /v2/bot/channel/webhook/endpoint */
void
ltm_test_server_get_webhook_cb (LtmTestServer     *self,
                                SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  LtmTestChannel *channel;

  if ((channel = ltm_test_server_check_bearer (self, msg)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_WEBHOOK_ENDPOINT))
    return;

  if (channel->webhook_endpoint == NULL)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Webhook endpoint not found");
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "endpoint");
  json_builder_add_string_value (builder, channel->webhook_endpoint);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, channel->webhook_active);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* PUT /v2/bot/channel/webhook/endpoint {"endpoint":"https://…"} */
void
ltm_test_server_set_webhook_cb (LtmTestServer     *self,
                                SoupServerMessage *msg)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) empty = NULL;
  LtmTestChannel *channel;
  JsonObject *object;
  const char *endpoint;

  if ((channel = ltm_test_server_check_bearer (self, msg)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_WEBHOOK_ENDPOINT) ||
      (object = ltm_test_server_read_object (msg, &body)) == NULL)
    return;

  endpoint = ltm_json_object_get_string (object, "endpoint");
  if (!ltm_test_server_check_endpoint (endpoint))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "Invalid webhook endpoint URL");
      return;
    }

  g_free (channel->webhook_endpoint);
  channel->webhook_endpoint = g_strdup (endpoint);
  channel->webhook_active = TRUE;

  empty = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_unref (json_node_get_object (empty));
  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, empty);
}

/* POST /v2/bot/channel/webhook/test {} or {"endpoint":"https://…"} */
void
ltm_test_server_test_webhook_cb (LtmTestServer     *self,
                                 SoupServerMessage *msg)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(GBytes) bytes = NULL;
  LtmTestChannel *channel;
  JsonObject *object;
  const char *endpoint;
  gsize payload_len;

  if ((channel = ltm_test_server_check_bearer (self, msg)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_WEBHOOK_TEST) ||
      (object = ltm_test_server_read_object (msg, &body)) == NULL)
    return;

  if (json_object_has_member (object, "endpoint"))
    {
      endpoint = ltm_json_object_get_string (object, "endpoint");
      if (!ltm_test_server_check_endpoint (endpoint))
        {
          ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                         "Invalid webhook endpoint URL");
          return;
        }
    }
  else
    {
      endpoint = channel->webhook_endpoint;
      if (endpoint == NULL)
        {
          ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Webhook endpoint not found");
          return;
        }
    }

  user_id = ltm_test_server_bot_user_id (channel->id);
  payload = g_strdup_printf ("{\"destination\":\"%s\",\"events\":[]}", user_id);
  payload_len = strlen (payload);
  signature = ltm_test_server_sign_webhook (channel->secret, payload, payload_len);
  bytes = g_bytes_new_take (g_steal_pointer (&payload), payload_len);

  ltm_test_server_post_webhook (self, msg, endpoint, bytes, signature);
}

/* GET /v2/bot/info */
void
ltm_test_server_bot_info_cb (LtmTestServer     *self,
                             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *basic_id = NULL;
  g_autofree char *display_name = NULL;
  LtmTestChannel *channel;

  if ((channel = ltm_test_server_check_bearer (self, msg)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  user_id = ltm_test_server_bot_user_id (channel->id);
  basic_id = ltm_test_server_bot_basic_id (channel->id);
  display_name = g_strdup_printf ("Test Bot %s", channel->id);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "userId");
  json_builder_add_string_value (builder, user_id);
  json_builder_set_member_name (builder, "basicId");
  json_builder_add_string_value (builder, basic_id);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, display_name);
  json_builder_set_member_name (builder, "chatMode");
  json_builder_add_string_value (builder, "bot");
  json_builder_set_member_name (builder, "markAsReadMode");
  json_builder_add_string_value (builder, "auto");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static gboolean
ltm_test_server_signature_is_known (LtmTestServer     *self,
                                    SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *signature = soup_message_headers_get_one (headers, "x-line-signature");
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  GHashTableIter iter;
  LtmTestChannel *channel;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (signature == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &channel))
    {
      g_autofree char *expected = ltm_test_server_sign_webhook (channel->secret,
                                                                data != NULL ? data : "", len);

      if (strcmp (expected, signature) == 0)
        return TRUE;
    }

  return FALSE;
}

/* /_receiver/sdk and /_receiver/slow: TRUE when the signature verified */
static gboolean
ltm_test_server_bot_receive (LtmTestServer     *self,
                             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *signature = soup_message_headers_get_one (headers, "x-line-signature");
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  if (signature == NULL || !ltm_test_server_signature_is_known (self, msg))
    {
      self->bot_refused++;
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST, "Invalid signature");
      return FALSE;
    }

  self->bot_count++;
  g_clear_pointer (&self->bot_body, g_bytes_unref);
  self->bot_body = g_bytes_ref (body);
  g_free (self->bot_signature);
  self->bot_signature = g_strdup (signature);
  g_free (self->bot_user_agent);
  self->bot_user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  g_free (self->bot_content_type);
  self->bot_content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  ltm_test_server_reply_empty (msg, SOUP_STATUS_OK);

  return TRUE;
}

/* /_receiver/ok, /_receiver/status/<code>, /_receiver/stall,
 * /_receiver/sdk, /_receiver/slow: any method */
void
ltm_test_server_receiver_cb (LtmTestServer     *self,
                             SoupServerMessage *msg)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  const char *code;

  if (strcmp (path, "/_receiver/ok") == 0)
    {
      if (!ltm_test_server_signature_is_known (self, msg))
        ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                       "x-line-signature matches no channel secret");
      else
        ltm_test_server_reply_empty (msg, SOUP_STATUS_OK);
      return;
    }

  if (strcmp (path, "/_receiver/sdk") == 0)
    {
      ltm_test_server_bot_receive (self, msg);
      return;
    }

  if (strcmp (path, "/_receiver/slow") == 0)
    {
      if (ltm_test_server_bot_receive (self, msg))
        {
          ltm_test_server_hold (msg);
          g_ptr_array_add (self->bot_held, g_object_ref (msg));
        }
      return;
    }

  if (strcmp (path, "/_receiver/stall") == 0)
    {
      ltm_test_server_hold (msg);
      g_ptr_array_add (self->stalled, g_object_ref (msg));
      return;
    }

  if (g_str_has_prefix (path, "/_receiver/status/"))
    {
      guint64 status = 0;

      code = path + strlen ("/_receiver/status/");
      if (g_ascii_string_to_unsigned (code, 10, 200, 599, &status, NULL))
        {
          ltm_test_server_reply_message (msg, status, soup_status_get_phrase (status));
          return;
        }
    }

  ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

/**
 * ltm_test_server_get_bot_count:
 * @self: a server
 *
 * Returns: how many bodies the bot took (their signature verified)
 */
guint
ltm_test_server_get_bot_count (LtmTestServer *self)
{
  return self->bot_count;
}

/**
 * ltm_test_server_get_bot_refused:
 * @self: a server
 *
 * Returns: how many bodies the bot refused for their signature
 */
guint
ltm_test_server_get_bot_refused (LtmTestServer *self)
{
  return self->bot_refused;
}

/**
 * ltm_test_server_get_bot_held:
 * @self: a server
 *
 * Returns: how many bodies /_receiver/slow holds unanswered
 */
guint
ltm_test_server_get_bot_held (LtmTestServer *self)
{
  return self->bot_held->len;
}

/**
 * ltm_test_server_get_bot_body:
 * @self: a server
 *
 * Returns: (transfer full) (nullable): the last body the bot took
 */
GBytes *
ltm_test_server_get_bot_body (LtmTestServer *self)
{
  return self->bot_body != NULL ? g_bytes_ref (self->bot_body) : NULL;
}

/**
 * ltm_test_server_get_bot_header:
 * @self: a server
 * @name: "X-Line-Signature", "User-Agent" or "Content-Type"
 *
 * Returns: (nullable): that header of the last body the bot took
 */
const char *
ltm_test_server_get_bot_header (LtmTestServer *self,
                                const char    *name)
{
  if (g_ascii_strcasecmp (name, "X-Line-Signature") == 0)
    return self->bot_signature;
  if (g_ascii_strcasecmp (name, "User-Agent") == 0)
    return self->bot_user_agent;
  if (g_ascii_strcasecmp (name, "Content-Type") == 0)
    return self->bot_content_type;

  return NULL;
}

/**
 * ltm_test_server_release_bot:
 * @self: a server
 *
 * /_receiver/slow answers what it holds: 200.
 */
void
ltm_test_server_release_bot (LtmTestServer *self)
{
  g_autoptr(GPtrArray) held = g_steal_pointer (&self->bot_held);

  self->bot_held = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < held->len; i++)
    ltm_test_server_release (g_ptr_array_index (held, i));
}

/**
 * ltm_test_server_get_webhook_endpoint:
 * @self: a server
 * @channel_id: a channel
 *
 * Returns: (nullable): the channel's webhook URL, as set
 */
const char *
ltm_test_server_get_webhook_endpoint (LtmTestServer *self,
                                      const char    *channel_id)
{
  LtmTestChannel *channel = g_hash_table_lookup (self->channels, channel_id);

  return channel != NULL ? channel->webhook_endpoint : NULL;
}
