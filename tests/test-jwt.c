/* test-jwt.c: RS256 assertions and LINE's claim rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ltm-base64.h"
#include "ltm-jwt.h"
#include "ltm-test-util.h"

#define NOW ((gint64) 1796000000)
#define CHANNEL "1234567890"
#define KID "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77"

static void
test_jwt_rfc7515_a2 (void)
{
  /* RFC 7515 appendix A.2: PKCS#1 v1.5 is deterministic, so the JWS is exact. */
  static const char header[] = "{\"alg\":\"RS256\"}";
  static const char payload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
  g_autoptr(LtmKey) key = ltm_test_load_key ("rfc7515-a2.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *expected = ltm_test_read_data ("rfc7515-a2.jws", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *jws = NULL;
  g_autoptr(LtmJwt) jwt = NULL;

  jws = ltm_jwt_sign_compact (key, header, -1, payload, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (jws, ==, g_strstrip (expected));

  jwt = ltm_jwt_decode (jws, &error);
  g_assert_no_error (error);
  g_assert_true (ltm_jwt_verify_signature (jwt, key, &error));
  g_assert_no_error (error);
}

static void
test_jwt_create_assertion (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) public_key = ltm_test_load_key ("public.pem", LTM_KEY_IMPORT_ALLOW_PUBLIC);
  g_autoptr(GError) error = NULL;
  g_autofree char *compact = NULL;
  g_autofree guint8 *header = NULL;
  g_autofree guint8 *payload = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  gsize len = 0;
  gint64 exp = 0;

  compact = ltm_jwt_create_assertion (key, KID, CHANNEL, NOW, 1800, 2592000, &error);
  g_assert_no_error (error);

  /* The bytes LINE reads: member order, numbers as JSON numbers. */
  parts = g_strsplit (compact, ".", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  header = ltm_base64url_decode (parts[0], -1, &len);
  g_assert_cmpstr ((char *) header, ==, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" KID "\"}");
  payload = ltm_base64url_decode (parts[1], -1, &len);
  g_assert_cmpstr ((char *) payload, ==,
                   "{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\","
                   "\"aud\":\"https://api.line.me/\",\"exp\":1796001800,\"token_exp\":2592000}");

  jwt = ltm_jwt_decode (compact, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_jwt_get_kid (jwt), ==, KID);
  g_assert_true (ltm_jwt_get_expiry (jwt, &exp));
  g_assert_cmpint (exp, ==, NOW + 1800);
  g_assert_true (ltm_jwt_verify_signature (jwt, public_key, &error));
  g_assert_no_error (error);
  g_assert_true (ltm_jwt_check_line_claims (jwt, NOW, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (g_steal_pointer (&jwt));
}

static void
test_jwt_kid_is_quoted (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(GError) error = NULL;
  g_autofree char *compact = NULL;
  g_autoptr(LtmJwt) jwt = NULL;

  compact = ltm_jwt_create_assertion (key, "a\"b\\c", CHANNEL, NOW, 60, 60, &error);
  g_assert_no_error (error);
  jwt = ltm_jwt_decode (compact, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_jwt_get_kid (jwt), ==, "a\"b\\c");
}

typedef struct {
  const char *channel;
  const char *kid;
  gint64 lifetime;
  gint64 token_lifetime;
  const char *message_part;
} BadArguments;

typedef struct {
  gboolean (*check) (const char *text, GError **error);
  const char *text;
  int code;                     /* -1: accepted */
} ShapeCase;

/* Tokens, secrets and key_ids as line-api.md describes them. */
static void
test_jwt_shapes (void)
{
  static const ShapeCase cases[] = {
    { ltm_jwt_check_access_token, "eyJhbGciOiJIUzI1NiJ9.e30.abc-_", -1 },
    { ltm_jwt_check_access_token, "Tx5/d+Yw==", -1 },
    { ltm_jwt_check_access_token, "-starts-with-a-dash", -1 },
    { ltm_jwt_check_access_token, "", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_access_token, "two\nlines", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_access_token, "a space", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_access_token, "esc\033[2J", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_access_token, "caf\303\251", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_access_token, "{\"kty\":\"RSA\",\"d\":\"x\"}", LTM_JWT_ERROR_NOT_A_TOKEN },
    { ltm_jwt_check_access_token, "-----BEGIN PRIVATE KEY-----\nMII", LTM_JWT_ERROR_NOT_A_TOKEN },
    { ltm_jwt_check_channel_secret, "0123456789abcdef0123456789abcdef", -1 },
    { ltm_jwt_check_channel_secret, "", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_channel_secret, "secret\r", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_channel_secret, " {\"kty\":\"RSA\"}", LTM_JWT_ERROR_NOT_A_TOKEN },
    { ltm_jwt_check_key_id, "sDTOzw5wIfxxxxPEzcmeQA", -1 },
    { ltm_jwt_check_key_id, "a-_Z9", -1 },
    { ltm_jwt_check_key_id, "", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_key_id, "abc=", LTM_JWT_ERROR_INVALID_ARGUMENT },
    { ltm_jwt_check_key_id, "abc\033]0;x\007", LTM_JWT_ERROR_INVALID_ARGUMENT },
  };
  g_autofree char *long_token = g_strnfill (LTM_JWT_MAX_ACCESS_TOKEN + 1, 'a');
  g_autofree char *long_key_id = g_strnfill (LTM_JWT_MAX_KEY_ID + 1, 'a');
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) shape_error = NULL;
      gboolean ok = cases[i].check (cases[i].text, &shape_error);

      g_test_message ("case %u", i);
      if (cases[i].code < 0)
        {
          g_assert_no_error (shape_error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (shape_error, LTM_JWT_ERROR, cases[i].code);
          g_assert_false (ok);
        }
    }

  g_assert_false (ltm_jwt_check_access_token (long_token, &error));
  g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  long_token[LTM_JWT_MAX_ACCESS_TOKEN] = '\0';
  g_assert_true (ltm_jwt_check_access_token (long_token, NULL));
  g_assert_false (ltm_jwt_check_key_id (long_key_id, NULL));
  g_assert_false (ltm_jwt_check_access_token (NULL, NULL));

  /* the message says what the file is */
  ltm_jwt_check_access_token ("{\"kty\":\"RSA\"}", &error);
  g_assert_cmpstr (error->message, ==, "This is a key file (a JWK or a PEM key), not an access token.");
}

static void
test_jwt_create_refuses (void)
{
  static const BadArguments cases[] = {
    { "abc", KID, 1800, 86400, "not a channel ID" },
    { "12345678901234567890123", KID, 1800, 86400, "not a channel ID" },
    { "", KID, 1800, 86400, "empty" },
    { "-1234", KID, 1800, 86400, "not a channel ID" },
    { CHANNEL, "", 1800, 86400, "kid is empty" },
    { CHANNEL, "has space", 1800, 86400, "kid" },
    { CHANNEL, KID, 1801, 86400, "30 minutes" },
    /* not "LINE refuses longer ones" */
    { CHANNEL, KID, 0, 86400, "at least 1 second, not 0 seconds" },
    { CHANNEL, KID, 1800, 0, "30 days" },
    { CHANNEL, KID, 1800, 2592001, "30 days" },
    { CHANNEL, KID, 1800, -5, "30 days" },
  };
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *compact = NULL;

      compact = ltm_jwt_create_assertion (key, cases[i].kid, cases[i].channel, NOW,
                                          cases[i].lifetime, cases[i].token_lifetime, &error);
      g_assert_null (compact);
      g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_jwt_create_limits_accepted (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(GError) error = NULL;
  g_autofree char *longest = NULL;
  g_autofree char *shortest = NULL;

  longest = ltm_jwt_create_assertion (key, KID, CHANNEL, NOW, 1800, 2592000, &error);
  g_assert_no_error (error);
  shortest = ltm_jwt_create_assertion (key, KID, CHANNEL, NOW, 1, 1, &error);
  g_assert_no_error (error);
}

typedef struct {
  const char *header;
  const char *payload;
  int code;
  const char *message_part;
} BadClaims;

static void
test_jwt_line_claims (void)
{
#define H "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k\"}"
#define P_START "{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\",\"aud\":\"https://api.line.me/\","
  static const BadClaims cases[] = {
    /* accepted at the limits */
    { H, P_START "\"exp\":1796001800,\"token_exp\":2592000}", -1, NULL },
    { H, P_START "\"exp\":1796000001,\"token_exp\":1}", -1, NULL },
    /* header */
    { "{\"alg\":\"RS512\",\"typ\":\"JWT\",\"kid\":\"k\"}", P_START "\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "RS256" },
    { "{\"alg\":\"RS256\",\"kid\":\"k\"}", P_START "\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "“typ”" },
    { "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P_START "\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "“kid”" },
    /* iss, sub, aud */
    { H, "{\"iss\":\"channel\",\"sub\":\"channel\",\"aud\":\"https://api.line.me/\",\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "“iss” must be the channel ID" },
    { H, "{\"iss\":\"" CHANNEL "\",\"sub\":\"999\",\"aud\":\"https://api.line.me/\",\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "differ" },
    { H, "{\"iss\":\"" CHANNEL "\",\"aud\":\"https://api.line.me/\",\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "“sub”" },
    { H, "{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\",\"aud\":\"https://api.line.me\",\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "https://api.line.me/" },
    { H, "{\"iss\":" CHANNEL ",\"sub\":\"" CHANNEL "\",\"aud\":\"https://api.line.me/\",\"exp\":1796000600,\"token_exp\":60}",
      LTM_JWT_ERROR_CLAIMS, "“iss”" },
    /* exp */
    { H, P_START "\"exp\":\"1796000600\",\"token_exp\":60}", LTM_JWT_ERROR_CLAIMS, "JSON number" },
    { H, P_START "\"exp\":1796000600.5,\"token_exp\":60}", LTM_JWT_ERROR_CLAIMS, "JSON number" },
    { H, P_START "\"token_exp\":60}", LTM_JWT_ERROR_CLAIMS, "“exp”" },
    { H, P_START "\"exp\":1796000000,\"token_exp\":60}", LTM_JWT_ERROR_EXPIRED, "expired" },
    { H, P_START "\"exp\":1795999700,\"token_exp\":60}", LTM_JWT_ERROR_EXPIRED, "5 minutes ago" },
    { H, P_START "\"exp\":1796001801,\"token_exp\":60}", LTM_JWT_ERROR_CLAIMS, "at most 30 minutes" },
    /* token_exp */
    { H, P_START "\"exp\":1796000600,\"token_exp\":0}", LTM_JWT_ERROR_CLAIMS, "“token_exp” is 0" },
    { H, P_START "\"exp\":1796000600,\"token_exp\":2592001}", LTM_JWT_ERROR_CLAIMS, "2592000" },
    { H, P_START "\"exp\":1796000600,\"token_exp\":\"60\"}", LTM_JWT_ERROR_CLAIMS, "JSON number" },
    { H, P_START "\"exp\":1796000600}", LTM_JWT_ERROR_CLAIMS, "“token_exp”" },
  };
#undef H
#undef P_START
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *compact = NULL;
      g_autoptr(LtmJwt) jwt = NULL;
      gboolean ok;

      g_test_message ("%s.%s", cases[i].header, cases[i].payload);
      compact = ltm_jwt_sign_compact (key, cases[i].header, -1, cases[i].payload, -1, &error);
      g_assert_no_error (error);
      jwt = ltm_jwt_decode (compact, &error);
      g_assert_no_error (error);

      ok = ltm_jwt_check_line_claims (jwt, NOW, &error);
      if (cases[i].message_part == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }

      g_assert_false (ok);
      g_assert_error (error, LTM_JWT_ERROR, cases[i].code);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

typedef struct {
  const char *compact;
  const char *message_part;
} BadCompact;

static void
test_jwt_decode_errors (void)
{
  static const BadCompact cases[] = {
    { "", "empty" },
    { "   \n", "empty" },
    { "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UifQ", "2 parts" },
    { "a.b.c.d", "4 parts" },
    { "abc", "1 part;" },
    { "eyJhbGciOiJSUzI1NiJ9=.e30.", "header (the first part) is not valid base64url" },
    { "e30.e30=.", "payload (the second part) is not valid base64url" },
    { "bm90IGpzb24.e30.", "header (the first part) is not valid JSON" },
    { "e30.bm90IGpzb24.", "payload (the second part) is not valid JSON" },
    { "WzEsMl0.e30.", "header (the first part) is not a JSON object" },
    { "e30.IjEi.", "payload (the second part) is not a JSON object" },
    { "e30.e30.a+b", "signature is not valid base64url" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("decoding “%s”", cases[i].compact);
      g_assert_null (ltm_jwt_decode (cases[i].compact, &error));
      g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_jwt_decode_unsigned (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("public.jwk", LTM_KEY_IMPORT_ALLOW_PUBLIC);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmJwt) jwt = NULL;

  /* RFC 7519 6.1: an unsecured JWT decodes, but never verifies. */
  jwt = ltm_jwt_decode ("eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UifQ.", &error);
  g_assert_no_error (error);
  g_assert_false (ltm_jwt_verify_signature (jwt, key, &error));
  g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_BAD_SIGNATURE);
  g_assert_nonnull (strstr (error->message, "“none”"));
}

static void
test_jwt_verify_refuses (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) other = ltm_test_load_key ("rfc7515-a2.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(GError) error = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *tampered = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  g_autoptr(LtmJwt) tampered_jwt = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *payload = NULL;
  static const char longer_payload[] =
    "{\"iss\":\"" CHANNEL "\",\"sub\":\"" CHANNEL "\",\"aud\":\"https://api.line.me/\","
    "\"exp\":1796000600,\"token_exp\":2592000}";

  compact = ltm_jwt_create_assertion (key, KID, CHANNEL, NOW, 600, 600, &error);
  g_assert_no_error (error);
  jwt = ltm_jwt_decode (compact, &error);
  g_assert_no_error (error);

  /* Another key */
  g_assert_false (ltm_jwt_verify_signature (jwt, other, &error));
  g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* The payload changed after signing: a longer token_exp */
  parts = g_strsplit (compact, ".", -1);
  payload = ltm_base64url_encode ((const guint8 *) longer_payload, strlen (longer_payload));
  tampered = g_strjoin (".", parts[0], payload, parts[2], NULL);
  tampered_jwt = ltm_jwt_decode (tampered, &error);
  g_assert_no_error (error);
  g_assert_false (ltm_jwt_verify_signature (tampered_jwt, key, &error));
  g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_jwt_whitespace (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(GError) error = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *padded = NULL;
  g_autoptr(LtmJwt) jwt = NULL;

  /* What a shell pipe or a copy from a terminal adds around it. */
  compact = ltm_jwt_create_assertion (key, KID, CHANNEL, NOW, 600, 600, &error);
  padded = g_strconcat ("  ", compact, "\r\n", NULL);
  jwt = ltm_jwt_decode (padded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_jwt_get_compact (jwt), ==, compact);
  g_assert_true (ltm_jwt_verify_signature (jwt, key, &error));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jwt/rfc7515-a2", test_jwt_rfc7515_a2);
  g_test_add_func ("/jwt/create-assertion", test_jwt_create_assertion);
  g_test_add_func ("/jwt/kid-is-quoted", test_jwt_kid_is_quoted);
  g_test_add_func ("/jwt/shapes", test_jwt_shapes);
  g_test_add_func ("/jwt/create-refuses", test_jwt_create_refuses);
  g_test_add_func ("/jwt/create-limits-accepted", test_jwt_create_limits_accepted);
  g_test_add_func ("/jwt/line-claims", test_jwt_line_claims);
  g_test_add_func ("/jwt/decode-errors", test_jwt_decode_errors);
  g_test_add_func ("/jwt/decode-unsigned", test_jwt_decode_unsigned);
  g_test_add_func ("/jwt/verify-refuses", test_jwt_verify_refuses);
  g_test_add_func ("/jwt/whitespace", test_jwt_whitespace);

  return g_test_run ();
}
