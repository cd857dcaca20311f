/* ltm-test-server-admin.c: /_admin/, the server's controls for scripts
 *
 * No authentication: the server listens on 127.0.0.1 only.  JSON in and
 * out (the request's Content-Type is not checked, so `curl -d` works);
 * errors are {"message":"…"}.
 *
 *   POST /_admin/channels                 {"channel_id","channel_secret"} → {}
 *   POST /_admin/channels/<id>/keys       the public JWK → {"kid"}
 *   POST /_admin/channels/<id>/tokens     {"lifetime":s} → {"access_token","key_id","expires_in"}
 *   GET  /_admin/channels/<id>/tokens     → {"valid":N} (valid v2.1 tokens)
 *   POST /_admin/channels/<id>/revoke     {"key_id"} → {}
 *   POST /_admin/clock                    {"offset":s} → {}
 *   POST /_admin/latency                  {"milliseconds":ms} → {}
 *   POST /_admin/faults                   {"path"?,"fault"} → {}
 *   GET  /_admin/stats                    → {"requests":N,"connections":N}
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server-private.h"

#include <string.h>

#include "ltm-json.h"

static const struct {
  const char *name;
  LtmTestFault fault;
} fault_names[] = {
  { "none", LTM_TEST_FAULT_NONE },
  { "500", LTM_TEST_FAULT_STATUS_500 },
  { "429", LTM_TEST_FAULT_STATUS_429 },
  { "html", LTM_TEST_FAULT_HTML },
  { "empty", LTM_TEST_FAULT_EMPTY },
  { "truncated", LTM_TEST_FAULT_TRUNCATED_JSON },
  { "stall", LTM_TEST_FAULT_STALL },
  { "reset", LTM_TEST_FAULT_RESET },
  { "huge", LTM_TEST_FAULT_HUGE },
};

/**
 * ltm_test_fault_from_string:
 * @text: "none", "500", "429", "html", "empty", "truncated", "stall",
 *   "reset" or "huge"
 * @out_fault: (out): the fault
 *
 * Returns: whether @text names a fault
 */
gboolean
ltm_test_fault_from_string (const char   *text,
                            LtmTestFault *out_fault)
{
  for (guint i = 0; i < G_N_ELEMENTS (fault_names); i++)
    {
      if (g_strcmp0 (text, fault_names[i].name) == 0)
        {
          *out_fault = fault_names[i].fault;
          return TRUE;
        }
    }

  return FALSE;
}

static void
ltm_test_server_admin_ok (SoupServerMessage *msg)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), json_object_new ());

  json_object_unref (json_node_get_object (node));
  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static JsonObject *
ltm_test_server_admin_read (SoupServerMessage  *msg,
                            JsonNode          **out_node)
{
  JsonNode *node = ltm_test_server_read_json (msg);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&node, json_node_unref);
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "The body must be a JSON object.");
      return NULL;
    }

  *out_node = node;

  return json_node_get_object (node);
}

static gboolean
ltm_test_server_admin_check_method (SoupServerMessage *msg,
                                    const char        *method)
{
  if (strcmp (soup_server_message_get_method (msg), method) == 0)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", method);
  ltm_test_server_reply_message (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");

  return FALSE;
}

static void
ltm_test_server_admin_add_channel (LtmTestServer     *self,
                                   SoupServerMessage *msg)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  const char *channel_id;
  const char *channel_secret;

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &node)) == NULL)
    return;

  channel_id = ltm_json_object_get_string (object, "channel_id");
  channel_secret = ltm_json_object_get_string (object, "channel_secret");

  if (channel_id == NULL || *channel_id == '\0' ||
      strspn (channel_id, "0123456789") != strlen (channel_id))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"channel_id\" must be a string of digits.");
      return;
    }

  if (channel_secret == NULL || *channel_secret == '\0')
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"channel_secret\" must be a non-empty string.");
      return;
    }

  ltm_test_server_add_channel (self, channel_id, channel_secret);
  ltm_test_server_admin_ok (msg);
}

static void
ltm_test_server_admin_add_key (LtmTestServer     *self,
                               SoupServerMessage *msg,
                               const char        *channel_id)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *jwk = NULL;
  g_autofree char *kid = NULL;
  gsize len;
  const char *data;

  if (!ltm_test_server_admin_check_method (msg, "POST"))
    return;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &len);
  jwk = g_strndup (data != NULL ? data : "", len);

  kid = ltm_test_server_register_key (self, channel_id, jwk, &error);
  if (kid == NULL)
    {
      ltm_test_server_reply_message (msg,
                                     g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                                     ? SOUP_STATUS_NOT_FOUND : SOUP_STATUS_BAD_REQUEST,
                                     error->message);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kid");
  json_builder_add_string_value (builder, kid);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
ltm_test_server_admin_tokens (LtmTestServer     *self,
                              SoupServerMessage *msg,
                              LtmTestChannel    *channel)
{
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  gint64 lifetime;
  LtmTestToken *token;

  if (strcmp (soup_server_message_get_method (msg), "GET") == 0)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "valid");
      json_builder_add_int_value (builder, ltm_test_server_count_v21 (self, channel));
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &body)) == NULL)
    return;

  if (!ltm_json_object_get_int (object, "lifetime", &lifetime) ||
      lifetime < 1 || lifetime > LTM_TEST_MAX_TOKEN_EXP)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"lifetime\" must be a number of seconds from 1 to 2592000.");
      return;
    }

  token = ltm_test_server_issue_v21 (self, channel, lifetime);
  if (token == NULL)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "The maximum number of access tokens has already been issued");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, token->access_token);
  json_builder_set_member_name (builder, "key_id");
  json_builder_add_string_value (builder, token->key_id);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, lifetime);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
ltm_test_server_admin_revoke (LtmTestServer     *self,
                              SoupServerMessage *msg,
                              LtmTestChannel    *channel)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &body)) == NULL)
    return;

  if (!ltm_test_server_revoke_key_id (self, channel->id,
                                      ltm_json_object_get_string (object, "key_id")))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND,
                                     "No v2.1 token of the channel has this key_id.");
      return;
    }

  ltm_test_server_admin_ok (msg);
}

/* /_admin/channels/<id>/<what> */
static void
ltm_test_server_admin_channel (LtmTestServer     *self,
                               SoupServerMessage *msg,
                               const char        *rest)
{
  g_auto(GStrv) parts = g_strsplit (rest, "/", 0);
  LtmTestChannel *channel;

  if (g_strv_length (parts) != 2)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
      return;
    }

  channel = ltm_test_server_lookup_channel (self, parts[0]);
  if (channel == NULL)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "There is no such channel.");
      return;
    }

  if (strcmp (parts[1], "keys") == 0)
    ltm_test_server_admin_add_key (self, msg, channel->id);
  else if (strcmp (parts[1], "tokens") == 0)
    ltm_test_server_admin_tokens (self, msg, channel);
  else if (strcmp (parts[1], "revoke") == 0)
    ltm_test_server_admin_revoke (self, msg, channel);
  else
    ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

static void
ltm_test_server_admin_clock (LtmTestServer     *self,
                             SoupServerMessage *msg)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  gint64 offset;

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &body)) == NULL)
    return;

  if (!ltm_json_object_get_int (object, "offset", &offset))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"offset\" must be a number of seconds.");
      return;
    }

  ltm_test_server_set_clock_offset (self, offset);
  ltm_test_server_admin_ok (msg);
}

static void
ltm_test_server_admin_latency (LtmTestServer     *self,
                               SoupServerMessage *msg)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  gint64 milliseconds;

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &body)) == NULL)
    return;

  if (!ltm_json_object_get_int (object, "milliseconds", &milliseconds) ||
      milliseconds < 0 || milliseconds > 10 * 60 * 1000)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"milliseconds\" must be a number from 0 to 600000.");
      return;
    }

  ltm_test_server_set_latency (self, milliseconds);
  ltm_test_server_admin_ok (msg);
}

static void
ltm_test_server_admin_faults (LtmTestServer     *self,
                              SoupServerMessage *msg)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  const char *path;
  LtmTestFault fault;

  if (!ltm_test_server_admin_check_method (msg, "POST") ||
      (object = ltm_test_server_admin_read (msg, &body)) == NULL)
    return;

  path = ltm_json_object_get_string (object, "path");
  if (path == NULL && json_object_has_member (object, "path") &&
      !json_object_get_null_member (object, "path"))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"path\" must be a string, null or absent (every path).");
      return;
    }

  if (!ltm_test_fault_from_string (ltm_json_object_get_string (object, "fault"), &fault))
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "\"fault\" must be one of none, 500, 429, html, empty, "
                                     "truncated, stall, reset, huge.");
      return;
    }

  ltm_test_server_set_fault (self, path, fault);
  ltm_test_server_admin_ok (msg);
}

static void
ltm_test_server_admin_stats (LtmTestServer     *self,
                             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!ltm_test_server_admin_check_method (msg, "GET"))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "requests");
  json_builder_add_int_value (builder, self->request_count);
  json_builder_set_member_name (builder, "connections");
  json_builder_add_int_value (builder, self->connection_count);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* Everything under /_admin/ */
void
ltm_test_server_admin_cb (LtmTestServer     *self,
                          SoupServerMessage *msg)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  if (strcmp (path, "/_admin/channels") == 0)
    ltm_test_server_admin_add_channel (self, msg);
  else if (g_str_has_prefix (path, "/_admin/channels/"))
    ltm_test_server_admin_channel (self, msg, path + strlen ("/_admin/channels/"));
  else if (strcmp (path, "/_admin/clock") == 0)
    ltm_test_server_admin_clock (self, msg);
  else if (strcmp (path, "/_admin/latency") == 0)
    ltm_test_server_admin_latency (self, msg);
  else if (strcmp (path, "/_admin/faults") == 0)
    ltm_test_server_admin_faults (self, msg);
  else if (strcmp (path, "/_admin/stats") == 0)
    ltm_test_server_admin_stats (self, msg);
  else
    ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}
