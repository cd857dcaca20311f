/* ltm-jwt.c: RS256 JWT assertions and LINE's rules for them
 *
 * The assertion LINE exchanges for a channel access token is a compact JWS:
 *
 *   header   {"alg":"RS256","typ":"JWT","kid":"<kid from the console>"}
 *   payload  {"iss":"<channel>","sub":"<channel>","aud":"https://api.line.me/",
 *             "exp":<unix seconds>,"token_exp":<seconds>}
 *
 * signed with RSASSA-PKCS1-v1_5 and SHA-256.  This file builds and signs
 * it, decodes any compact JWS for display, verifies a signature and checks
 * LINE's claim rules, so that a mistake is caught before it is sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-jwt.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-base64.h"
#include "ltm-duration.h"
#include "ltm-json.h"

struct _LtmJwt
{
  GObject parent_instance;

  char *compact;
  gsize signing_input_len;      /* "header.payload" is compact[0 .. len) */
  JsonNode *header;
  JsonNode *payload;
  GBytes *signature;
};

G_DEFINE_FINAL_TYPE (LtmJwt, ltm_jwt, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-jwt-error-quark, ltm_jwt_error)

static void
ltm_jwt_finalize (GObject *object)
{
  LtmJwt *self = (LtmJwt *)object;

  g_clear_pointer (&self->compact, g_free);
  g_clear_pointer (&self->header, json_node_unref);
  g_clear_pointer (&self->payload, json_node_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);

  G_OBJECT_CLASS (ltm_jwt_parent_class)->finalize (object);
}

static void
ltm_jwt_class_init (LtmJwtClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_jwt_finalize;
}

static void
ltm_jwt_init (LtmJwt *self)
{
}

/**
 * ltm_jwt_check_channel_id:
 * @channel_id: (nullable): a channel ID as typed
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @channel_id looks like a LINE channel ID: digits only
 */
gboolean
ltm_jwt_check_channel_id (const char  *channel_id,
                          GError     **error)
{
  gsize len = channel_id != NULL ? strlen (channel_id) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                           _("The channel ID is empty; copy it from the channel's "
                             "Basic settings in the LINE Developers Console."));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (channel_id[i]) || len > 20)
        {
          g_autofree char *shown = g_utf8_make_valid (channel_id, -1);

          g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a channel ID; a channel ID is a number, like 1234567890."),
                       shown);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ltm_jwt_check_kid:
 * @kid: (nullable): the kid the console answered
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @kid can be a key ID: not empty, printable ASCII
 */
gboolean
ltm_jwt_check_kid (const char  *kid,
                   GError     **error)
{
  gsize len = kid != NULL ? strlen (kid) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                           _("The kid is empty; register the public key in the LINE "
                             "Developers Console and copy the kid it shows."));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isgraph (kid[i]) || len > 256)
        {
          g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                               _("The kid has spaces or other characters a kid never has; "
                                 "copy it again from the LINE Developers Console."));
          return FALSE;
        }
    }

  return TRUE;
}

/* A private JWK or a PEM key where a token or a secret belongs: the file
 * given was the key, and sending it would hand the key to the server. */
static gboolean
ltm_jwt_looks_like_key (const char *text)
{
  while (g_ascii_isspace (*text))
    text++;

  return text[0] == '{' || strstr (text, "-----BEGIN ") != NULL;
}

/* What a token and a secret share: not empty, not a key file, printable
 * ASCII without white space, at most @max_len bytes.  The messages are
 * whole sentences, one set for each. */
typedef struct {
  gsize max_len;
  const char *empty;
  const char *key_file;
  const char *shape;            /* names max_len */
} LtmJwtOpaque;

static gboolean
ltm_jwt_check_opaque (const char          *text,
                      const LtmJwtOpaque  *kind,
                      GError             **error)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT, _(kind->empty));
      return FALSE;
    }

  if (ltm_jwt_looks_like_key (text))
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_NOT_A_TOKEN, _(kind->key_file));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isgraph (text[i]) || len > kind->max_len)
        {
          g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                               _(kind->shape));
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ltm_jwt_check_access_token:
 * @access_token: (nullable): a channel access token from a file, the
 *   environment, the store or LINE
 * @error: return location for a #GError
 *
 * A channel access token is opaque, but always printable ASCII without
 * white space, and at most %LTM_JWT_MAX_ACCESS_TOKEN bytes.
 *
 * Returns: %TRUE if @access_token has that shape
 */
gboolean
ltm_jwt_check_access_token (const char  *access_token,
                            GError     **error)
{
  static const LtmJwtOpaque access_token_kind = {
    LTM_JWT_MAX_ACCESS_TOKEN,
    N_("The access token is empty."),
    N_("This is a key file (a JWK or a PEM key), not an access token."),
    N_("This is not an access token: a channel access token is printable ASCII without "
       "spaces, line breaks or control characters, and at most 4096 bytes."),
  };

  G_STATIC_ASSERT (LTM_JWT_MAX_ACCESS_TOKEN == 4096);     /* as the message says */

  return ltm_jwt_check_opaque (access_token, &access_token_kind, error);
}

/**
 * ltm_jwt_check_channel_secret:
 * @channel_secret: (nullable): a channel secret from a file, the
 *   environment or the store
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @channel_secret can be a channel secret: printable
 *   ASCII without white space, at most %LTM_JWT_MAX_CHANNEL_SECRET bytes
 */
gboolean
ltm_jwt_check_channel_secret (const char  *channel_secret,
                              GError     **error)
{
  static const LtmJwtOpaque channel_secret_kind = {
    LTM_JWT_MAX_CHANNEL_SECRET,
    N_("The channel secret is empty."),
    N_("This is a key file (a JWK or a PEM key), not a channel secret."),
    N_("This is not a channel secret: a channel secret is printable ASCII without spaces, "
       "line breaks or control characters, and at most 256 bytes."),
  };

  G_STATIC_ASSERT (LTM_JWT_MAX_CHANNEL_SECRET == 256);    /* as the message says */

  return ltm_jwt_check_opaque (channel_secret, &channel_secret_kind, error);
}

/**
 * ltm_jwt_check_key_id:
 * @key_id: (nullable): the key_id of a v2.1 token, from LINE, the store or
 *   a person
 * @error: return location for a #GError
 *
 * LINE's key_ids are short base64url strings (about 22 characters).
 *
 * Returns: %TRUE if @key_id is base64url, 1 to %LTM_JWT_MAX_KEY_ID characters
 */
gboolean
ltm_jwt_check_key_id (const char  *key_id,
                      GError     **error)
{
  gsize len = key_id != NULL ? strlen (key_id) : 0;

  if (len == 0)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                           _("The key ID is empty."));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      if ((!g_ascii_isalnum (key_id[i]) && key_id[i] != '-' && key_id[i] != '_') ||
          len > LTM_JWT_MAX_KEY_ID)
        {
          g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                       _("This is not a key ID: LINE’s key IDs are base64url (letters, digits, "
                         "“-” and “_”), at most %d characters."), LTM_JWT_MAX_KEY_ID);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ltm_jwt_check_lifetime:
 * @seconds: how long the JWT stays valid
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE accepts a JWT that lives @seconds: 1 s to 30 minutes
 */
gboolean
ltm_jwt_check_lifetime (gint64   seconds,
                        GError **error)
{
  if (seconds < 1)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                   _("A JWT must live at least 1 second, not %lld seconds."),
                   (long long) seconds);
      return FALSE;
    }

  if (seconds > LTM_JWT_MAX_LIFETIME)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                   _("A JWT may live from 1 second to 30 minutes, not %lld seconds; "
                     "LINE refuses longer ones."), (long long) seconds);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_jwt_check_token_lifetime:
 * @seconds: how long the requested access token should live
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE accepts @seconds as `token_exp`: 1 s to 30 days
 */
gboolean
ltm_jwt_check_token_lifetime (gint64   seconds,
                              GError **error)
{
  if (seconds < 1 || seconds > LTM_JWT_MAX_TOKEN_LIFETIME)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT,
                   _("A channel access token may live from 1 second to 30 days "
                     "(2592000 seconds), not %lld seconds."), (long long) seconds);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_jwt_sign_compact:
 * @key: a #LtmKey with a private key
 * @header: the JOSE header, as JSON text
 * @header_len: its length, or -1 if nul-terminated
 * @payload: the payload
 * @payload_len: its length, or -1 if nul-terminated
 * @error: return location for a #GError
 *
 * Signs the exact bytes given with RS256.  The header is not looked at: the
 * caller says "alg":"RS256" in it.
 *
 * Returns: (transfer full): the compact JWS, or %NULL with @error set
 */
char *
ltm_jwt_sign_compact (LtmKey      *key,
                      const char  *header,
                      gssize       header_len,
                      const char  *payload,
                      gssize       payload_len,
                      GError     **error)
{
  g_autofree char *header64 = NULL;
  g_autofree char *payload64 = NULL;
  g_autofree char *signature64 = NULL;
  g_autofree char *signing_input = NULL;
  g_autoptr(GBytes) signature = NULL;
  gsize signature_len;
  const guint8 *signature_data;

  g_return_val_if_fail (LTM_IS_KEY (key), NULL);
  g_return_val_if_fail (header != NULL, NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  header64 = ltm_base64url_encode ((const guint8 *) header,
                                   header_len < 0 ? strlen (header) : (gsize) header_len);
  payload64 = ltm_base64url_encode ((const guint8 *) payload,
                                    payload_len < 0 ? strlen (payload) : (gsize) payload_len);
  signing_input = g_strconcat (header64, ".", payload64, NULL);

  signature = ltm_key_sign (key, (const guint8 *) signing_input, strlen (signing_input), error);
  if (signature == NULL)
    return NULL;

  signature_data = g_bytes_get_data (signature, &signature_len);
  signature64 = ltm_base64url_encode (signature_data, signature_len);

  return g_strconcat (signing_input, ".", signature64, NULL);
}

/**
 * ltm_jwt_create_assertion:
 * @key: the channel's assertion signing key, with its private half
 * @kid: the kid the console answered for @key
 * @channel_id: the channel ID
 * @now: the current time, in Unix seconds
 * @lifetime: seconds until the JWT expires (at most 30 minutes)
 * @token_lifetime: seconds the requested token should live (at most 30 days)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the signed JWT, or %NULL with @error set
 */
char *
ltm_jwt_create_assertion (LtmKey      *key,
                          const char  *kid,
                          const char  *channel_id,
                          gint64       now,
                          gint64       lifetime,
                          gint64       token_lifetime,
                          GError     **error)
{
  g_autofree char *kid_json = NULL;
  g_autofree char *header = NULL;
  g_autofree char *payload = NULL;

  g_return_val_if_fail (LTM_IS_KEY (key), NULL);

  if (!ltm_jwt_check_channel_id (channel_id, error) ||
      !ltm_jwt_check_kid (kid, error) ||
      !ltm_jwt_check_lifetime (lifetime, error) ||
      !ltm_jwt_check_token_lifetime (token_lifetime, error))
    return NULL;

  /* The channel ID is digits and the kid printable ASCII, but a kid may
   * still hold a quote or a backslash: quote it properly. */
  kid_json = ltm_json_quote (kid);
  header = g_strdup_printf ("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":%s}", kid_json);
  payload = g_strdup_printf ("{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":\"" LTM_JWT_AUDIENCE "\","
                             "\"exp\":%" G_GINT64_FORMAT ",\"token_exp\":%" G_GINT64_FORMAT "}",
                             channel_id, channel_id, now + lifetime, token_lifetime);

  return ltm_jwt_sign_compact (key, header, -1, payload, -1, error);
}

static JsonNode *
ltm_jwt_decode_part (const char  *part,
                     gsize        len,
                     gboolean     is_header,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize json_len = 0;

  json = ltm_base64url_decode (part, len, &json_len);
  if (json == NULL)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                           is_header ? _("The JWT header (the first part) is not valid base64url.")
                                     : _("The JWT payload (the second part) is not valid base64url."));
      return NULL;
    }

  root = ltm_json_parse ((const char *) json, json_len, &local_error);
  if (root == NULL)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                   is_header ? _("The JWT header (the first part) is not valid JSON: %s")
                             : _("The JWT payload (the second part) is not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                           is_header ? _("The JWT header (the first part) is not a JSON object.")
                                     : _("The JWT payload (the second part) is not a JSON object."));
      return NULL;
    }

  return g_steal_pointer (&root);
}

/**
 * ltm_jwt_decode:
 * @compact: a compact JWS, "header.payload.signature"
 * @error: return location for a #GError
 *
 * Decodes @compact without verifying it.  White space around it is ignored.
 *
 * Returns: (transfer full): the decoded JWT, or %NULL with @error saying
 *   which part is broken
 */
LtmJwt *
ltm_jwt_decode (const char  *compact,
                GError     **error)
{
  g_autoptr(LtmJwt) self = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree guint8 *signature = NULL;
  gsize signature_len = 0;
  guint n_parts;

  g_return_val_if_fail (compact != NULL, NULL);

  self = g_object_new (LTM_TYPE_JWT, NULL);
  self->compact = g_strstrip (g_strdup (compact));

  if (self->compact[0] == '\0')
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                           _("The JWT is empty."));
      return NULL;
    }

  parts = g_strsplit (self->compact, ".", 0);
  n_parts = g_strv_length (parts);
  if (n_parts != 3)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The JWT has %u part; a JWT has three parts separated by dots.",
                                "The JWT has %u parts; a JWT has three parts separated by dots.",
                                n_parts),
                   n_parts);
      return NULL;
    }

  if ((self->header = ltm_jwt_decode_part (parts[0], strlen (parts[0]), TRUE, error)) == NULL ||
      (self->payload = ltm_jwt_decode_part (parts[1], strlen (parts[1]), FALSE, error)) == NULL)
    return NULL;

  signature = ltm_base64url_decode (parts[2], -1, &signature_len);
  if (signature == NULL)
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED,
                           _("The JWT signature is not valid base64url."));
      return NULL;
    }

  self->signature = g_bytes_new_take (g_steal_pointer (&signature), signature_len);
  self->signing_input_len = strlen (parts[0]) + 1 + strlen (parts[1]);

  return g_steal_pointer (&self);
}

/**
 * ltm_jwt_get_compact:
 * @self: a #LtmJwt
 *
 * Returns: the compact serialization, without surrounding white space
 */
const char *
ltm_jwt_get_compact (LtmJwt *self)
{
  g_return_val_if_fail (LTM_IS_JWT (self), NULL);

  return self->compact;
}

/**
 * ltm_jwt_get_header:
 * @self: a #LtmJwt
 *
 * Returns: (transfer none): the decoded JOSE header
 */
JsonObject *
ltm_jwt_get_header (LtmJwt *self)
{
  g_return_val_if_fail (LTM_IS_JWT (self), NULL);

  return json_node_get_object (self->header);
}

/**
 * ltm_jwt_get_payload:
 * @self: a #LtmJwt
 *
 * Returns: (transfer none): the decoded payload (the claims)
 */
JsonObject *
ltm_jwt_get_payload (LtmJwt *self)
{
  g_return_val_if_fail (LTM_IS_JWT (self), NULL);

  return json_node_get_object (self->payload);
}

/**
 * ltm_jwt_get_kid:
 * @self: a #LtmJwt
 *
 * Returns: (nullable): the header's `kid`
 */
const char *
ltm_jwt_get_kid (LtmJwt *self)
{
  g_return_val_if_fail (LTM_IS_JWT (self), NULL);

  return ltm_json_object_get_string (ltm_jwt_get_header (self), "kid");
}

/**
 * ltm_jwt_get_expiry:
 * @self: a #LtmJwt
 * @out_exp: (out): the `exp` claim, in Unix seconds
 *
 * Returns: %TRUE if the payload has a numeric `exp`
 */
gboolean
ltm_jwt_get_expiry (LtmJwt *self,
                    gint64 *out_exp)
{
  g_return_val_if_fail (LTM_IS_JWT (self), FALSE);
  g_return_val_if_fail (out_exp != NULL, FALSE);

  return ltm_json_object_get_int (ltm_jwt_get_payload (self), "exp", out_exp);
}

/**
 * ltm_jwt_verify_signature:
 * @self: a #LtmJwt
 * @key: the public (or private) key that should have signed it
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the header says RS256 and the signature is @key's
 */
gboolean
ltm_jwt_verify_signature (LtmJwt  *self,
                          LtmKey  *key,
                          GError **error)
{
  const char *alg;
  const guint8 *signature;
  gsize signature_len;

  g_return_val_if_fail (LTM_IS_JWT (self), FALSE);
  g_return_val_if_fail (LTM_IS_KEY (key), FALSE);

  alg = ltm_json_object_get_string (ltm_jwt_get_header (self), "alg");
  if (g_strcmp0 (alg, "RS256") != 0)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_BAD_SIGNATURE,
                   _("The JWT is signed with “%s”; only RS256 can be verified."),
                   alg != NULL ? alg : "none");
      return FALSE;
    }

  signature = g_bytes_get_data (self->signature, &signature_len);
  if (!ltm_key_verify (key, (const guint8 *) self->compact, self->signing_input_len,
                       signature, signature_len, NULL))
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_BAD_SIGNATURE,
                           _("The JWT signature does not match the key: it was signed with "
                             "another key, or changed after signing."));
      return FALSE;
    }

  return TRUE;
}

static gboolean
ltm_jwt_check_string (JsonObject  *object,
                      gboolean     is_header,
                      const char  *name,
                      const char  *expected,
                      GError     **error)
{
  const char *value = ltm_json_object_get_string (object, name);

  if (value == NULL)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   is_header ? _("The JWT header has no “%s” string; LINE requires it.")
                             : _("The JWT payload has no “%s” string; LINE requires it."),
                   name);
      return FALSE;
    }

  if (expected != NULL && strcmp (value, expected) != 0)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   _("“%s” is “%s”; LINE requires “%s”."), name, value, expected);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_jwt_check_line_claims:
 * @self: a #LtmJwt
 * @now: the current time, in Unix seconds
 * @error: return location for a #GError
 *
 * Checks the rules LINE applies to an assertion before it looks at the
 * signature: `alg` RS256, `typ` JWT and a `kid` in the header; `iss` and
 * `sub` the same channel ID; `aud` exactly "https://api.line.me/"; `exp` a
 * number, in the future and at most 30 minutes ahead; `token_exp` a number
 * from 1 to 2592000.
 *
 * Returns: %TRUE if LINE would accept the claims; %FALSE with @error
 *   naming the first rule broken
 */
gboolean
ltm_jwt_check_line_claims (LtmJwt  *self,
                           gint64   now,
                           GError **error)
{
  JsonObject *header;
  JsonObject *payload;
  const char *iss;
  const char *sub;
  gint64 exp;
  gint64 token_exp;

  g_return_val_if_fail (LTM_IS_JWT (self), FALSE);

  header = ltm_jwt_get_header (self);
  payload = ltm_jwt_get_payload (self);

  if (!ltm_jwt_check_string (header, TRUE, "alg", "RS256", error) ||
      !ltm_jwt_check_string (header, TRUE, "typ", "JWT", error) ||
      !ltm_jwt_check_string (header, TRUE, "kid", NULL, error) ||
      !ltm_jwt_check_string (payload, FALSE, "iss", NULL, error) ||
      !ltm_jwt_check_string (payload, FALSE, "sub", NULL, error) ||
      !ltm_jwt_check_string (payload, FALSE, "aud", LTM_JWT_AUDIENCE, error))
    return FALSE;

  iss = ltm_json_object_get_string (payload, "iss");
  sub = ltm_json_object_get_string (payload, "sub");

  if (!ltm_jwt_check_channel_id (iss, NULL))
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   _("“iss” must be the channel ID, a number like 1234567890; it is “%s”."), iss);
      return FALSE;
    }

  if (strcmp (iss, sub) != 0)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   _("“iss” (%s) and “sub” (%s) differ; both must be the channel ID."), iss, sub);
      return FALSE;
    }

  if (!ltm_json_object_get_int (payload, "exp", &exp))
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                           _("“exp” must be a JSON number of Unix seconds, not a string."));
      return FALSE;
    }

  if (exp <= now)
    {
      /* now - exp overflows for an exp far in the past, such as -2^63. */
      g_autofree char *ago = ltm_duration_format_rounded (
        (gint64) MIN ((guint64) now - (guint64) exp, (guint64) G_MAXINT64));

      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_EXPIRED,
                   _("The JWT expired %s ago; create a new one."), ago);
      return FALSE;
    }

  if (exp - now > LTM_JWT_MAX_LIFETIME)
    {
      g_autofree char *ahead = ltm_duration_format_rounded (exp - now);

      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   _("The JWT expires in %s; LINE accepts at most 30 minutes."), ahead);
      return FALSE;
    }

  if (!ltm_json_object_get_int (payload, "token_exp", &token_exp))
    {
      g_set_error_literal (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                           _("“token_exp” must be a JSON number of seconds, not a string."));
      return FALSE;
    }

  if (token_exp < 1 || token_exp > LTM_JWT_MAX_TOKEN_LIFETIME)
    {
      g_set_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_CLAIMS,
                   _("“token_exp” is %lld seconds; LINE accepts 1 to 2592000 (30 days)."),
                   (long long) token_exp);
      return FALSE;
    }

  return TRUE;
}
