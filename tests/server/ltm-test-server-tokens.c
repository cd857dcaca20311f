/* ltm-test-server-tokens.c: the channel access token API, strictly
 *
 * The routes of line-api.md's token endpoints, the console's key
 * registration rules, and the state behind them: channels, registered
 * public keys (kid → key) and tokens.
 *
 * The JWT assertion is checked here, claim by claim, with LINE's rules and
 * LINE's error texts.  The client's own check (ltm_jwt_check_line_claims)
 * is deliberately not used: this server exists to catch the client's
 * mistakes.  LtmJwt only decodes, LtmKey only checks the RSA signature.
 *
 * Tokens:
 *  - v2.1: a random opaque string (172 base64url characters) and a random
 *    key_id (22); at most 30 valid per channel, the 31st issue is refused.
 *  - short-lived: a random opaque string; at most 30 per channel, the 31st
 *    revokes the oldest.
 *  - stateless: a JWT signed with HS256 by a secret of this server,
 *    {"cid","iat","exp","jti"}; never stored, so it cannot be revoked.
 * Expired tokens are kept a day (by the server's clock) so that verify can
 * answer "The access token expired".
 *
 * LINE's rate limits hold per channel and endpoint, counted once the
 * channel is known (after the assertion, secret or token is checked):
 * short-lived issue 370 per second, the others 2,000 per second; then 429.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server-private.h"

#include <string.h>

#include "ltm-base64.h"
#include "ltm-json.h"
#include "ltm-jwt.h"

#define LTM_TEST_ACCESS_TOKEN_BYTES 129     /* 172 base64url characters */
#define LTM_TEST_KEY_ID_BYTES 16            /* 22 */

static const char * const private_members[] = { "d", "p", "q", "dp", "dq", "qi", "oth" };

/* State */

void
ltm_test_channel_free (LtmTestChannel *channel)
{
  for (guint i = 0; i < channel->tokens->len; i++)
    {
      LtmTestToken *token = g_ptr_array_index (channel->tokens, i);

      g_free (token->access_token);
      g_free (token->key_id);
      g_free (token->channel_id);
      g_free (token);
    }

  g_ptr_array_unref (channel->tokens);
  g_hash_table_unref (channel->calls);
  g_free (channel->id);
  g_free (channel->secret);
  g_free (channel->webhook_endpoint);
  g_free (channel);
}

void
ltm_test_key_free (LtmTestKey *key)
{
  g_free (key->kid);
  g_free (key->channel_id);
  g_clear_object (&key->key);
  g_free (key);
}

/**
 * ltm_test_server_check_rate:
 * @msg: a request of @channel
 * @channel: the channel it is for
 * @limit: how many calls LINE allows in @window
 * @window: microseconds
 *
 * Counts a call of the request's endpoint for @channel and, past LINE's
 * limit (by the server's clock), answers 429.
 *
 * Returns: %TRUE if the call may go on
 */
gboolean
ltm_test_server_check_rate (LtmTestServer     *self,
                            SoupServerMessage *msg,
                            LtmTestChannel    *channel,
                            guint              limit,
                            gint64             window)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  g_autofree char *endpoint = g_strconcat (soup_server_message_get_method (msg), " ", path, NULL);
  gint64 now = g_get_real_time () + self->clock_offset * G_USEC_PER_SEC;
  GArray *calls = g_hash_table_lookup (channel->calls, endpoint);
  guint old = 0;

  if (calls == NULL)
    {
      calls = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (channel->calls, g_steal_pointer (&endpoint), calls);
    }

  /* A clock set back forgets the calls "in the future" too. */
  while (old < calls->len &&
         (g_array_index (calls, gint64, old) <= now - window ||
          g_array_index (calls, gint64, old) > now))
    old++;
  g_array_remove_range (calls, 0, old);

  if (calls->len >= limit)
    {
      ltm_test_server_reply_message (msg, 429,
                                     "The API rate limit has been exceeded. Try again later.");
      return FALSE;
    }

  g_array_append_val (calls, now);

  return TRUE;
}

LtmTestChannel *
ltm_test_server_lookup_channel (LtmTestServer *self,
                                const char    *channel_id)
{
  if (channel_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->channels, channel_id);
}

static gboolean
ltm_test_server_token_is_valid (LtmTestServer *self,
                                LtmTestToken  *token)
{
  return token->expires_at > ltm_test_server_now (self);
}

/**
 * ltm_test_server_revoke:
 * @token: a stored token
 *
 * Forgets @token: it is unknown from now on.
 */
void
ltm_test_server_revoke (LtmTestServer *self,
                        LtmTestToken  *token)
{
  LtmTestChannel *channel = ltm_test_server_lookup_channel (self, token->channel_id);

  g_hash_table_remove (self->tokens, token->access_token);
  g_ptr_array_remove (channel->tokens, token);

  g_free (token->access_token);
  g_free (token->key_id);
  g_free (token->channel_id);
  g_free (token);
}

static void
ltm_test_server_prune (LtmTestServer  *self,
                       LtmTestChannel *channel)
{
  gint64 now = ltm_test_server_now (self);

  for (guint i = channel->tokens->len; i > 0; i--)
    {
      LtmTestToken *token = g_ptr_array_index (channel->tokens, i - 1);

      if (token->expires_at + LTM_TEST_EXPIRED_GRACE < now)
        ltm_test_server_revoke (self, token);
    }
}

static guint
ltm_test_server_count_kind (LtmTestServer    *self,
                            LtmTestChannel   *channel,
                            LtmTestTokenKind  kind)
{
  guint count = 0;

  for (guint i = 0; i < channel->tokens->len; i++)
    {
      LtmTestToken *token = g_ptr_array_index (channel->tokens, i);

      if (token->kind == kind && ltm_test_server_token_is_valid (self, token))
        count++;
    }

  return count;
}

guint
ltm_test_server_count_v21 (LtmTestServer  *self,
                           LtmTestChannel *channel)
{
  return ltm_test_server_count_kind (self, channel, LTM_TEST_TOKEN_V21);
}

static LtmTestToken *
ltm_test_server_store_token (LtmTestServer    *self,
                             LtmTestChannel   *channel,
                             LtmTestTokenKind  kind,
                             gint64            lifetime)
{
  LtmTestToken *token = g_new0 (LtmTestToken, 1);

  token->access_token = ltm_test_server_random_string (LTM_TEST_ACCESS_TOKEN_BYTES);
  if (kind == LTM_TEST_TOKEN_V21)
    token->key_id = ltm_test_server_random_string (LTM_TEST_KEY_ID_BYTES);
  token->channel_id = g_strdup (channel->id);
  token->kind = kind;
  token->issued_at = ltm_test_server_now (self);
  token->expires_at = token->issued_at + lifetime;

  g_ptr_array_add (channel->tokens, token);
  g_hash_table_insert (self->tokens, token->access_token, token);

  return token;
}

/**
 * ltm_test_server_issue_v21:
 * @channel: the channel
 * @lifetime: seconds
 *
 * Returns: (transfer none) (nullable): the new token, or %NULL if the
 *   channel already has 30 valid v2.1 tokens
 */
LtmTestToken *
ltm_test_server_issue_v21 (LtmTestServer  *self,
                           LtmTestChannel *channel,
                           gint64          lifetime)
{
  ltm_test_server_prune (self, channel);

  if (ltm_test_server_count_v21 (self, channel) >= LTM_TEST_MAX_V21_TOKENS)
    return NULL;

  return ltm_test_server_store_token (self, channel, LTM_TEST_TOKEN_V21, lifetime);
}

static LtmTestToken *
ltm_test_server_issue_short_lived (LtmTestServer  *self,
                                   LtmTestChannel *channel)
{
  ltm_test_server_prune (self, channel);

  /* The 31st silently revokes the oldest valid one. */
  while (ltm_test_server_count_kind (self, channel, LTM_TEST_TOKEN_SHORT_LIVED) >=
         LTM_TEST_MAX_SHORT_LIVED_TOKENS)
    {
      for (guint i = 0; i < channel->tokens->len; i++)
        {
          LtmTestToken *token = g_ptr_array_index (channel->tokens, i);

          if (token->kind == LTM_TEST_TOKEN_SHORT_LIVED &&
              ltm_test_server_token_is_valid (self, token))
            {
              ltm_test_server_revoke (self, token);
              break;
            }
        }
    }

  return ltm_test_server_store_token (self, channel, LTM_TEST_TOKEN_SHORT_LIVED,
                                      LTM_TEST_SHORT_LIVED_LIFETIME);
}

static char *
ltm_test_server_stateless_sign (LtmTestServer *self,
                                const char    *signing_input,
                                gsize          len)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, self->stateless_secret,
                                      sizeof self->stateless_secret);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guint8 *) signing_input, len);
  g_hmac_get_digest (hmac, digest, &digest_len);

  return ltm_base64url_encode (digest, digest_len);
}

static char *
ltm_test_server_issue_stateless (LtmTestServer  *self,
                                 LtmTestChannel *channel)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *jti = ltm_test_server_random_string (16);
  g_autofree char *payload = NULL;
  g_autofree char *header64 = NULL;
  g_autofree char *payload64 = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature64 = NULL;
  gint64 now = ltm_test_server_now (self);

  payload = g_strdup_printf ("{\"cid\":\"%s\",\"iat\":%" G_GINT64_FORMAT ","
                             "\"exp\":%" G_GINT64_FORMAT ",\"jti\":\"%s\"}",
                             channel->id, now, now + LTM_TEST_STATELESS_LIFETIME, jti);
  header64 = ltm_base64url_encode ((const guint8 *) header, sizeof header - 1);
  payload64 = ltm_base64url_encode ((const guint8 *) payload, strlen (payload));
  signing_input = g_strconcat (header64, ".", payload64, NULL);
  signature64 = ltm_test_server_stateless_sign (self, signing_input, strlen (signing_input));

  return g_strconcat (signing_input, ".", signature64, NULL);
}

/* Returns the channel of a stateless token this server signed. */
static LtmTestChannel *
ltm_test_server_check_stateless (LtmTestServer *self,
                                 const char    *access_token,
                                 gint64        *out_expires_at)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *signature64 = NULL;
  g_autofree guint8 *payload = NULL;
  const char *first_dot = strchr (access_token, '.');
  const char *last_dot = strrchr (access_token, '.');
  gsize payload_len = 0;
  JsonNode *root;
  gint64 exp;

  if (first_dot == NULL || last_dot == first_dot)
    return NULL;

  signature64 = ltm_test_server_stateless_sign (self, access_token, last_dot - access_token);
  if (strcmp (signature64, last_dot + 1) != 0)
    return NULL;

  payload = ltm_base64url_decode (first_dot + 1, last_dot - first_dot - 1, &payload_len);
  if (payload == NULL ||
      !json_parser_load_from_data (parser, (const char *) payload, payload_len, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !ltm_json_object_get_int (json_node_get_object (root), "exp", &exp))
    return NULL;

  *out_expires_at = exp;

  return ltm_test_server_lookup_channel (self,
                                         ltm_json_object_get_string (json_node_get_object (root),
                                                                     "cid"));
}

/**
 * ltm_test_server_authenticate:
 * @access_token: a token as the client sent it
 * @allow_v21: whether a v2.1 token is accepted
 * @allow_stateless: whether a stateless token is accepted
 * @allow_short_lived: whether a short-lived token is accepted
 * @out_expires_at: (out): when it expires
 * @out_expired: (out): %TRUE if the token is known but expired
 *
 * Returns: (transfer none) (nullable): the channel of a valid token
 */
LtmTestChannel *
ltm_test_server_authenticate (LtmTestServer *self,
                              const char    *access_token,
                              gboolean       allow_v21,
                              gboolean       allow_stateless,
                              gboolean       allow_short_lived,
                              gint64        *out_expires_at,
                              gboolean      *out_expired)
{
  LtmTestChannel *channel = NULL;
  LtmTestToken *token;
  gint64 expires_at = 0;

  *out_expired = FALSE;
  *out_expires_at = 0;

  if (access_token == NULL || *access_token == '\0')
    return NULL;

  token = g_hash_table_lookup (self->tokens, access_token);
  if (token != NULL)
    {
      if ((token->kind == LTM_TEST_TOKEN_V21 && !allow_v21) ||
          (token->kind == LTM_TEST_TOKEN_SHORT_LIVED && !allow_short_lived))
        return NULL;

      channel = ltm_test_server_lookup_channel (self, token->channel_id);
      expires_at = token->expires_at;
    }
  else if (allow_stateless)
    {
      channel = ltm_test_server_check_stateless (self, access_token, &expires_at);
    }

  if (channel == NULL)
    return NULL;

  if (expires_at <= ltm_test_server_now (self))
    {
      *out_expired = TRUE;
      return NULL;
    }

  *out_expires_at = expires_at;

  return channel;
}

/* The console's rules for a public key */

/**
 * ltm_test_server_check_public_jwk:
 * @jwk: what the user pastes in the console
 * @len: its length
 * @out_key: (out): the key, if accepted
 *
 * Returns: (transfer full) (nullable): %NULL if the console accepts @jwk,
 *   else the reason it refuses it
 */
char *
ltm_test_server_check_public_jwk (const char  *jwk,
                                  gsize        len,
                                  LtmKey     **out_key)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  JsonObject *object;
  JsonNode *root;
  JsonNode *key_ops;
  const char *use;
  const char * const members[] = { "n", "e" };

  if (!json_parser_load_from_data (parser, jwk, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup ("The public key must be a JWK: a JSON object.");

  object = json_node_get_object (root);

  if (json_object_has_member (object, "kid"))
    return g_strdup ("The JWK must not contain \"kid\": remove the kid member and register "
                     "the public key again; the console assigns the kid.");

  for (guint i = 0; i < G_N_ELEMENTS (private_members); i++)
    {
      if (json_object_has_member (object, private_members[i]))
        return g_strdup_printf ("The JWK contains the private member \"%s\": register the "
                                "public key only, never the private key.", private_members[i]);
    }

  if (g_strcmp0 (ltm_json_object_get_string (object, "kty"), "RSA") != 0)
    return g_strdup ("The key type (\"kty\") must be \"RSA\".");

  if (g_strcmp0 (ltm_json_object_get_string (object, "alg"), "RS256") != 0)
    return g_strdup ("The algorithm (\"alg\") must be \"RS256\".");

  use = ltm_json_object_get_string (object, "use");
  key_ops = json_object_get_member (object, "key_ops");
  if ((use == NULL && key_ops == NULL) ||
      (json_object_has_member (object, "use") && g_strcmp0 (use, "sig") != 0))
    return g_strdup ("The JWK must have \"use\": \"sig\" or \"key_ops\": [\"verify\"].");

  if (key_ops != NULL)
    {
      JsonArray *ops = JSON_NODE_HOLDS_ARRAY (key_ops) ? json_node_get_array (key_ops) : NULL;
      JsonNode *op = ops != NULL && json_array_get_length (ops) == 1
                     ? json_array_get_element (ops, 0) : NULL;

      if (op == NULL || !JSON_NODE_HOLDS_VALUE (op) ||
          json_node_get_value_type (op) != G_TYPE_STRING ||
          strcmp (json_node_get_string (op), "verify") != 0)
        return g_strdup ("The JWK must have \"use\": \"sig\" or \"key_ops\": [\"verify\"].");
    }

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      const char *text = ltm_json_object_get_string (object, members[i]);
      g_autofree guint8 *value = NULL;
      gsize value_len = 0;

      if (text == NULL)
        return g_strdup_printf ("The JWK has no \"%s\" string.", members[i]);

      value = ltm_base64url_decode (text, -1, &value_len);
      if (value == NULL || value_len == 0)
        return g_strdup_printf ("\"%s\" must be base64url without padding.", members[i]);

      if (value[0] == 0)
        return g_strdup_printf ("\"%s\" must have no leading zero bytes.", members[i]);
    }

  if (strcmp (ltm_json_object_get_string (object, "e"), "AQAB") != 0)
    return g_strdup ("The public exponent (\"e\") must be 65537 (\"AQAB\").");

  key = ltm_key_new_from_data (jwk, len, LTM_KEY_IMPORT_ALLOW_PUBLIC, &error);
  if (key == NULL)
    {
      if (g_error_matches (error, LTM_KEY_ERROR, LTM_KEY_ERROR_WRONG_SIZE))
        return g_strdup ("The RSA key must be 2048 bits long.");

      return g_strdup_printf ("The public key is invalid: %s", error->message);
    }

  if (ltm_key_get_bits (key) != 2048)
    return g_strdup ("The RSA key must be 2048 bits long.");

  *out_key = g_steal_pointer (&key);

  return NULL;
}

/* The JWT assertion */

static gboolean
ltm_test_server_check_grant_type (SoupServerMessage *msg,
                                  GHashTable        *form)
{
  const char *grant_type = g_hash_table_lookup (form, "grant_type");

  if (grant_type == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "grant_type is required");
      return FALSE;
    }

  if (strcmp (grant_type, "client_credentials") != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "unsupported_grant_type",
                                         "grant_type must be client_credentials");
      return FALSE;
    }

  return TRUE;
}

/* Checks client_assertion_type and client_assertion in @fields, with
 * LINE's rules, and answers the error if one is broken.  Returns the
 * channel the assertion is for, and its token_exp. */
static LtmTestChannel *
ltm_test_server_check_assertion (LtmTestServer     *self,
                                 SoupServerMessage *msg,
                                 GHashTable        *fields,
                                 gint64            *out_token_exp)
{
  const char *assertion_type = g_hash_table_lookup (fields, "client_assertion_type");
  const char *assertion = g_hash_table_lookup (fields, "client_assertion");
  g_autoptr(LtmJwt) jwt = NULL;
  JsonObject *header;
  JsonObject *payload;
  const char *kid;
  const char *iss;
  const char *sub;
  LtmTestKey *key;
  gint64 now = ltm_test_server_now (self);
  gint64 exp;
  gint64 token_exp;

  if (assertion_type == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                         "client_assertion_type is required");
      return NULL;
    }

  if (strcmp (assertion_type, LTM_TEST_ASSERTION_TYPE) != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                         "client_assertion_type must be " LTM_TEST_ASSERTION_TYPE);
      return NULL;
    }

  if (assertion == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "client_assertion is required");
      return NULL;
    }

  /* ltm_jwt_decode() forgives surrounding white space; LINE does not. */
  for (const char *p = assertion; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                             "client_assertion is not a valid JWT");
          return NULL;
        }
    }

  jwt = ltm_jwt_decode (assertion, NULL);
  if (jwt == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                         "client_assertion is not a valid JWT");
      return NULL;
    }

  header = ltm_jwt_get_header (jwt);
  payload = ltm_jwt_get_payload (jwt);

  if (g_strcmp0 (ltm_json_object_get_string (header, "alg"), "RS256") != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "Invalid alg");
      return NULL;
    }

  if (g_strcmp0 (ltm_json_object_get_string (header, "typ"), "JWT") != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "Invalid typ");
      return NULL;
    }

  kid = ltm_json_object_get_string (header, "kid");
  if (kid == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "kid is required in the header");
      return NULL;
    }

  key = g_hash_table_lookup (self->keys, kid);
  if (key == NULL)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_NOT_FOUND,
                                     "Cannot find channel key that satisfies the conditions");
      return NULL;
    }

  if (!ltm_jwt_verify_signature (jwt, key->key, NULL))
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "Invalid signature");
      return NULL;
    }

  iss = ltm_json_object_get_string (payload, "iss");
  sub = ltm_json_object_get_string (payload, "sub");
  if (g_strcmp0 (iss, key->channel_id) != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client",
                                         "iss and clientId of key do not match");
      return NULL;
    }

  if (g_strcmp0 (sub, key->channel_id) != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client",
                                         "sub and clientId of key do not match");
      return NULL;
    }

  if (g_strcmp0 (ltm_json_object_get_string (payload, "aud"), LTM_TEST_AUDIENCE) != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "Invalid aud");
      return NULL;
    }

  if (!ltm_json_object_get_int (payload, "exp", &exp) ||
      exp <= now || exp > now + LTM_TEST_MAX_JWT_LIFETIME)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "Invalid exp");
      return NULL;
    }

  if (!ltm_json_object_get_int (payload, "token_exp", &token_exp) ||
      token_exp < 1 || token_exp > LTM_TEST_MAX_TOKEN_EXP)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                         "Invalid token_exp: it must be a number of seconds "
                                         "from 1 to 2592000");
      return NULL;
    }

  *out_token_exp = token_exp;

  return ltm_test_server_lookup_channel (self, key->channel_id);
}

/* Checks client_id and client_secret in @form and answers the error if
 * they are wrong. */
static LtmTestChannel *
ltm_test_server_check_secret (LtmTestServer     *self,
                              SoupServerMessage *msg,
                              GHashTable        *form)
{
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *client_secret = g_hash_table_lookup (form, "client_secret");
  LtmTestChannel *channel;

  if (client_id == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "client_id is required");
      return NULL;
    }

  if (client_secret == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "client_secret is required");
      return NULL;
    }

  channel = ltm_test_server_lookup_channel (self, client_id);
  if (channel == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "invalid client_id");
      return NULL;
    }

  if (strcmp (channel->secret, client_secret) != 0)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_client", "invalid client_secret");
      return NULL;
    }

  return channel;
}

static GHashTable *
ltm_test_server_require_form (SoupServerMessage *msg)
{
  GHashTable *form = ltm_test_server_read_form (msg);

  if (form == NULL)
    ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                       "Content-Type must be application/x-www-form-urlencoded");

  return form;
}

static void
ltm_test_server_reply_verified (LtmTestServer     *self,
                                SoupServerMessage *msg,
                                LtmTestChannel    *channel,
                                gint64             expires_at)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, channel->id);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, expires_at - ltm_test_server_now (self));
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, "");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
ltm_test_server_reply_unverified (SoupServerMessage *msg,
                                  const char        *access_token,
                                  gboolean           expired)
{
  if (access_token == NULL)
    ltm_test_server_reply_oauth_error (msg, "invalid_request", "access_token is required");
  else if (expired)
    ltm_test_server_reply_oauth_error (msg, "invalid_request", "The access token expired");
  else
    ltm_test_server_reply_oauth_error (msg, "invalid_request", "invalid token");
}

/* Answers a verify endpoint for @access_token, of the kinds it accepts. */
static void
ltm_test_server_verify (LtmTestServer     *self,
                        SoupServerMessage *msg,
                        const char        *access_token,
                        gboolean           v21,
                        gboolean           stateless,
                        gboolean           short_lived)
{
  LtmTestChannel *channel;
  gint64 expires_at;
  gboolean expired;

  channel = ltm_test_server_authenticate (self, access_token, v21, stateless, short_lived,
                                          &expires_at, &expired);
  if (channel == NULL)
    {
      ltm_test_server_reply_unverified (msg, access_token, expired);
      return;
    }

  if (!ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  ltm_test_server_reply_verified (self, msg, channel, expires_at);
}

/* Routes */

/* POST /oauth2/v2.1/token */
void
ltm_test_server_issue_v21_cb (LtmTestServer     *self,
                              SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  LtmTestChannel *channel;
  LtmTestToken *token;
  gint64 token_exp = 0;

  if ((form = ltm_test_server_require_form (msg)) == NULL ||
      !ltm_test_server_check_grant_type (msg, form) ||
      (channel = ltm_test_server_check_assertion (self, msg, form, &token_exp)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  token = ltm_test_server_issue_v21 (self, channel, token_exp);
  if (token == NULL)
    {
      ltm_test_server_reply_message (msg, SOUP_STATUS_BAD_REQUEST,
                                     "The maximum number of access tokens has already been issued");
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, token->access_token);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, token_exp);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "key_id");
  json_builder_add_string_value (builder, token->key_id);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static GHashTable *
ltm_test_server_read_query (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));

  if (query == NULL)
    return g_hash_table_new (g_str_hash, g_str_equal);

  return soup_form_decode (query);
}

/* GET /oauth2/v2.1/verify?access_token=… */
void
ltm_test_server_verify_v21_cb (LtmTestServer     *self,
                               SoupServerMessage *msg)
{
  g_autoptr(GHashTable) query = ltm_test_server_read_query (msg);
  const char *access_token = g_hash_table_lookup (query, "access_token");

  ltm_test_server_verify (self, msg, access_token, TRUE, TRUE, FALSE);
}

/* GET /oauth2/v2.1/tokens/kid?client_assertion_type=…&client_assertion=… */
void
ltm_test_server_list_kids_cb (LtmTestServer     *self,
                              SoupServerMessage *msg)
{
  g_autoptr(GHashTable) query = ltm_test_server_read_query (msg);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  LtmTestChannel *channel;
  gint64 token_exp;

  channel = ltm_test_server_check_assertion (self, msg, query, &token_exp);
  if (channel == NULL || !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kids");
  json_builder_begin_array (builder);
  for (guint i = 0; i < channel->tokens->len; i++)
    {
      LtmTestToken *token = g_ptr_array_index (channel->tokens, i);

      if (token->kind == LTM_TEST_TOKEN_V21 && ltm_test_server_token_is_valid (self, token))
        json_builder_add_string_value (builder, token->key_id);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* POST /oauth2/v2.1/revoke: client_id, client_secret, access_token */
void
ltm_test_server_revoke_v21_cb (LtmTestServer     *self,
                               SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  LtmTestChannel *channel;
  const char *access_token;
  LtmTestToken *token;

  if ((form = ltm_test_server_require_form (msg)) == NULL ||
      (channel = ltm_test_server_check_secret (self, msg, form)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  access_token = g_hash_table_lookup (form, "access_token");
  if (access_token == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "access_token is required");
      return;
    }

  /* An unknown token, or one of another kind or channel, is not an error. */
  token = g_hash_table_lookup (self->tokens, access_token);
  if (token != NULL && token->kind == LTM_TEST_TOKEN_V21 &&
      strcmp (token->channel_id, channel->id) == 0)
    ltm_test_server_revoke (self, token);

  ltm_test_server_reply_empty (msg, SOUP_STATUS_OK);
}

/* POST /oauth2/v3/token: a JWT assertion, or client_id and client_secret */
void
ltm_test_server_issue_stateless_cb (LtmTestServer     *self,
                                   SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *access_token = NULL;
  LtmTestChannel *channel;
  gint64 token_exp;

  if ((form = ltm_test_server_require_form (msg)) == NULL ||
      !ltm_test_server_check_grant_type (msg, form))
    return;

  if (g_hash_table_contains (form, "client_assertion") ||
      g_hash_table_contains (form, "client_assertion_type"))
    channel = ltm_test_server_check_assertion (self, msg, form, &token_exp);
  else if (g_hash_table_contains (form, "client_id") ||
           g_hash_table_contains (form, "client_secret"))
    channel = ltm_test_server_check_secret (self, msg, form);
  else
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request",
                                         "client_assertion_type and client_assertion, or "
                                         "client_id and client_secret, are required");
      return;
    }

  if (channel == NULL || !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_OTHER))
    return;

  access_token = ltm_test_server_issue_stateless (self, channel);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, access_token);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, LTM_TEST_STATELESS_LIFETIME);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* POST /v2/oauth/accessToken: grant_type, client_id, client_secret */
void
ltm_test_server_issue_short_lived_cb (LtmTestServer     *self,
                                      SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  LtmTestChannel *channel;
  LtmTestToken *token;

  if ((form = ltm_test_server_require_form (msg)) == NULL ||
      !ltm_test_server_check_grant_type (msg, form) ||
      (channel = ltm_test_server_check_secret (self, msg, form)) == NULL ||
      !ltm_test_server_check_rate (self, msg, channel, LTM_TEST_RATE_SHORT_LIVED))
    return;

  token = ltm_test_server_issue_short_lived (self, channel);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, token->access_token);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, LTM_TEST_SHORT_LIVED_LIFETIME);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* POST /v2/oauth/verify: access_token */
void
ltm_test_server_verify_short_lived_cb (LtmTestServer     *self,
                                       SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *access_token;

  if ((form = ltm_test_server_require_form (msg)) == NULL)
    return;

  access_token = g_hash_table_lookup (form, "access_token");
  ltm_test_server_verify (self, msg, access_token, FALSE, FALSE, TRUE);
}

/* POST /v2/oauth/revoke: access_token */
void
ltm_test_server_revoke_short_lived_cb (LtmTestServer     *self,
                                       SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *access_token;
  LtmTestToken *token;

  if ((form = ltm_test_server_require_form (msg)) == NULL)
    return;

  access_token = g_hash_table_lookup (form, "access_token");
  if (access_token == NULL)
    {
      ltm_test_server_reply_oauth_error (msg, "invalid_request", "access_token is required");
      return;
    }

  token = g_hash_table_lookup (self->tokens, access_token);
  if (token != NULL && token->kind == LTM_TEST_TOKEN_SHORT_LIVED)
    {
      if (!ltm_test_server_check_rate (self, msg,
                                       ltm_test_server_lookup_channel (self, token->channel_id),
                                       LTM_TEST_RATE_OTHER))
        return;
      ltm_test_server_revoke (self, token);
    }

  ltm_test_server_reply_empty (msg, SOUP_STATUS_OK);
}
