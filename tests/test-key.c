/* test-key.c: generating, importing and exporting the assertion signing key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ltm-base64.h"
#include "ltm-key.h"
#include "ltm-test-util.h"

/* The same key, as each tool users have writes it (tests/data/README.md). */
static const char * const same_key_files[] = {
  "pkcs8.pem",
  "pkcs1.pem",
  "webcrypto.jwk",
  "node-jose.jwk",
  "jwcrypto.jwk",
  "jwx.jwk",
  "console-wrapped.json",
};

static char *
read_expected_thumbprint (void)
{
  g_autofree char *text = ltm_test_read_data ("thumbprint.txt", NULL);

  return g_strdup (g_strstrip (text));
}

static void
assert_console_public_jwk (LtmKey *key)
{
  g_autofree char *jwk = ltm_key_to_public_jwk (key);
  g_autoptr(JsonObject) object = ltm_test_parse_object (jwk);
  g_autofree guint8 *n = NULL;
  g_autofree guint8 *e = NULL;
  gsize n_len = 0;
  gsize e_len = 0;

  /* Exactly what the console accepts, nothing more: kty alg use e n. */
  g_assert_cmpuint (json_object_get_size (object), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (object, "kty"), ==, "RSA");
  g_assert_cmpstr (json_object_get_string_member (object, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (object, "use"), ==, "sig");
  g_assert_false (json_object_has_member (object, "kid"));
  g_assert_false (json_object_has_member (object, "key_ops"));
  g_assert_false (json_object_has_member (object, "d"));

  /* base64url, no padding, no leading zero byte */
  n = ltm_base64url_decode (json_object_get_string_member (object, "n"), -1, &n_len);
  e = ltm_base64url_decode (json_object_get_string_member (object, "e"), -1, &e_len);
  g_assert_nonnull (n);
  g_assert_nonnull (e);
  g_assert_cmpuint (n_len, ==, 256);
  g_assert_cmpuint (n[0], !=, 0);
  g_assert_cmpuint (e[0], !=, 0);
}

static void
test_key_import_formats (void)
{
  g_autofree char *expected = read_expected_thumbprint ();

  for (guint i = 0; i < G_N_ELEMENTS (same_key_files); i++)
    {
      g_autoptr(LtmKey) key = NULL;

      g_test_message ("importing %s", same_key_files[i]);
      key = ltm_test_load_key (same_key_files[i], LTM_KEY_IMPORT_PRIVATE);

      g_assert_true (ltm_key_has_private (key));
      g_assert_cmpuint (ltm_key_get_bits (key), ==, 2048);
      g_assert_cmpstr (ltm_key_get_thumbprint (key), ==, expected);
      assert_console_public_jwk (key);
    }
}

static void
test_key_carried_kid (void)
{
  g_autoptr(LtmKey) wrapped = ltm_test_load_key ("console-wrapped.json", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) jose = ltm_test_load_key ("node-jose.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) webcrypto = ltm_test_load_key ("webcrypto.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *public_jwk = NULL;

  g_assert_cmpstr (ltm_key_get_kid (wrapped), ==, "a6b1f4e0-0000-4c3e-9d2b-3f1e7c9d8a21");
  g_assert_cmpstr (ltm_key_get_kid (jose), ==, ltm_key_get_thumbprint (jose));
  g_assert_null (ltm_key_get_kid (webcrypto));

  /* The console refuses a public key with a kid: it is never copied. */
  public_jwk = ltm_key_to_public_jwk (wrapped);
  g_assert_null (strstr (public_jwk, "kid"));
}

static void
test_key_rfc7638_thumbprint (void)
{
  /* RFC 7638 section 3.1 */
  static const char jwk[] =
    "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\",\"n\":\""
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    "\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;

  key = ltm_key_new_from_data (jwk, strlen (jwk), LTM_KEY_IMPORT_ALLOW_PUBLIC, &error);
  g_assert_no_error (error);
  g_assert_false (ltm_key_has_private (key));
  g_assert_cmpstr (ltm_key_get_thumbprint (key), ==, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  g_assert_cmpstr (ltm_key_get_kid (key), ==, "2011-04-29");
}

static void
test_key_public_imports (void)
{
  g_autofree char *expected = read_expected_thumbprint ();
  static const char * const files[] = { "public.jwk", "public.pem" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(LtmKey) key = ltm_test_load_key (files[i], LTM_KEY_IMPORT_ALLOW_PUBLIC);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize len = 0;

      g_assert_false (ltm_key_has_private (key));
      g_assert_cmpstr (ltm_key_get_thumbprint (key), ==, expected);
      g_assert_null (ltm_key_sign (key, (const guint8 *) "x", 1, &error));
      g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE);
      g_clear_error (&error);
      g_assert_null (ltm_key_to_private_jwk (key, &error));
      g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE);
      g_clear_error (&error);

      /* Where a private key is needed, a public one is refused up front. */
      data = ltm_test_read_data (files[i], &len);
      g_assert_null (ltm_key_new_from_data (data, len, LTM_KEY_IMPORT_PRIVATE, &error));
      g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE);
    }
}

static void
test_key_generate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmKey) again = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  g_autoptr(JsonObject) object = NULL;
  static const char * const members[] = { "kty", "alg", "use", "n", "e", "d", "p", "q", "dp", "dq", "qi" };

  key = ltm_key_generate (&error);
  g_assert_no_error (error);
  g_assert_true (ltm_key_has_private (key));
  g_assert_cmpuint (ltm_key_get_bits (key), ==, 2048);
  g_assert_null (ltm_key_get_kid (key));
  assert_console_public_jwk (key);

  jwk = ltm_key_to_private_jwk (key, &error);
  g_assert_no_error (error);
  object = ltm_test_parse_object (jwk);
  g_assert_cmpuint (json_object_get_size (object), ==, G_N_ELEMENTS (members));
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (object, members[i]));
  g_assert_cmpstr (json_object_get_string_member (object, "e"), ==, "AQAB");
  g_assert_cmpstr (json_object_get_string_member (object, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (object, "use"), ==, "sig");

  /* What it exports, it imports again as the same key. */
  again = ltm_key_new_from_data (jwk, strlen (jwk), LTM_KEY_IMPORT_PRIVATE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_key_get_thumbprint (again), ==, ltm_key_get_thumbprint (key));

  g_assert_finalize_object (g_steal_pointer (&again));
  g_assert_finalize_object (g_steal_pointer (&key));
}

static void
test_key_export_keeps_kid (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("console-wrapped.json", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) again = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  g_autoptr(GError) error = NULL;

  jwk = ltm_key_to_private_jwk (key, &error);
  g_assert_no_error (error);
  again = ltm_key_new_from_data (jwk, strlen (jwk), LTM_KEY_IMPORT_PRIVATE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_key_get_kid (again), ==, ltm_key_get_kid (key));
  g_assert_cmpstr (ltm_key_get_thumbprint (again), ==, ltm_key_get_thumbprint (key));
}

static void
generate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LtmKey **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ltm_key_generate_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_key_generate_async (void)
{
  LtmKey *key = NULL;

  ltm_key_generate_async (NULL, generate_cb, &key);
  while (key == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (ltm_key_get_bits (key), ==, 2048);
  g_assert_finalize_object (key);
}

static void
generate_cancelled_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_key_generate_finish (result, &error);

  g_assert_null (key);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_key_generate_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean done = FALSE;

  ltm_key_generate_async (cancellable, generate_cancelled_cb, &done);
  g_cancellable_cancel (cancellable);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_key_sign_verify (void)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) public_key = ltm_test_load_key ("public.jwk", LTM_KEY_IMPORT_ALLOW_PUBLIC);
  g_autoptr(LtmKey) other = ltm_test_load_key ("rfc7515-a2.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 message[] = "header.payload";
  const guint8 *sig;
  gsize sig_len;

  signature = ltm_key_sign (key, message, sizeof message - 1, &error);
  g_assert_no_error (error);
  sig = g_bytes_get_data (signature, &sig_len);
  g_assert_cmpuint (sig_len, ==, 256);

  g_assert_true (ltm_key_verify (public_key, message, sizeof message - 1, sig, sig_len, &error));
  g_assert_no_error (error);

  g_assert_false (ltm_key_verify (public_key, message, sizeof message - 2, sig, sig_len, &error));
  g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ltm_key_verify (other, message, sizeof message - 1, sig, sig_len, &error));
  g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_INVALID);
}

/* The store's keys were checked when they went in: read back with
 * LTM_KEY_IMPORT_CHECKED they sign exactly as when checked again (RS256's
 * signatures are deterministic), and no test signature is made, as a key
 * whose parts do not belong together shows. */
static void
test_key_import_checked (void)
{
  g_autoptr(LtmKey) checked = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) trusted = ltm_test_load_key ("pkcs8.pem",
                                                 LTM_KEY_IMPORT_PRIVATE | LTM_KEY_IMPORT_CHECKED);
  g_autoptr(LtmKey) inconsistent = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 message[] = "header.payload";

  g_assert_cmpstr (ltm_key_get_thumbprint (trusted), ==, ltm_key_get_thumbprint (checked));
  expected = ltm_key_sign (checked, message, sizeof message - 1, &error);
  g_assert_no_error (error);
  signature = ltm_key_sign (trusted, message, sizeof message - 1, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (signature, expected));

  inconsistent = ltm_test_load_key ("inconsistent.jwk",
                                    LTM_KEY_IMPORT_PRIVATE | LTM_KEY_IMPORT_CHECKED);
  g_assert_nonnull (inconsistent);
}

typedef struct {
  const char *file;
  int code;
  const char *message_part;
} BadKey;

static void
test_key_bad_files (void)
{
  static const BadKey cases[] = {
    { "missing-d.jwk", LTM_KEY_ERROR_MISSING_MEMBER, "“d”" },
    { "missing-qi.jwk", LTM_KEY_ERROR_MISSING_MEMBER, "“qi”" },
    { "public.jwk", LTM_KEY_ERROR_NOT_PRIVATE, "“d”" },
    { "bad-base64.jwk", LTM_KEY_ERROR_MALFORMED, "“dp”" },
    { "inconsistent.jwk", LTM_KEY_ERROR_INVALID, "damaged" },
    { "ec.jwk", LTM_KEY_ERROR_UNSUPPORTED, "RSA" },
    { "oct.jwk", LTM_KEY_ERROR_UNSUPPORTED, "symmetric" },
    { "rsa1024.jwk", LTM_KEY_ERROR_WRONG_SIZE, "LINE requires 2048-bit" },
    { "rsa4096.jwk", LTM_KEY_ERROR_WRONG_SIZE, "4096 bits" },
    { "rsa1024.pem", LTM_KEY_ERROR_WRONG_SIZE, "1024 bits" },
    { "ec.pem", LTM_KEY_ERROR_UNSUPPORTED, "RSA" },
    { "public.pem", LTM_KEY_ERROR_NOT_PRIVATE, "PUBLIC KEY" },
    { "cert.pem", LTM_KEY_ERROR_NOT_PRIVATE, "CERTIFICATE" },
    { "encrypted.pem", LTM_KEY_ERROR_UNSUPPORTED, "passphrase" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize len = 0;

      g_test_message ("importing %s", cases[i].file);
      data = ltm_test_read_data (cases[i].file, &len);
      g_assert_null (ltm_key_new_from_data (data, len, LTM_KEY_IMPORT_PRIVATE, &error));
      g_assert_error (error, LTM_KEY_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

typedef struct {
  const char *data;
  int code;
  const char *message_part;
} BadText;

static void
test_key_bad_text (void)
{
  static const BadText cases[] = {
    { "", LTM_KEY_ERROR_MALFORMED, "empty" },
    { " \n\t ", LTM_KEY_ERROR_MALFORMED, "empty" },
    { "{\"kty\": \"RSA\",", LTM_KEY_ERROR_MALFORMED, "not valid JSON" },
    { "{]", LTM_KEY_ERROR_MALFORMED, "not valid JSON" },
    { "[1, 2]", LTM_KEY_ERROR_MALFORMED, "neither" },
    { "hello", LTM_KEY_ERROR_MALFORMED, "neither" },
    { "{}", LTM_KEY_ERROR_MISSING_MEMBER, "“kty”" },
    { "{\"kty\":\"RSA\"}", LTM_KEY_ERROR_MISSING_MEMBER, "“n”" },
    { "{\"kty\":\"RSA\",\"n\":\"AQAB\"}", LTM_KEY_ERROR_MISSING_MEMBER, "“e”" },
    { "{\"kty\":\"RSA\",\"n\":5,\"e\":\"AQAB\"}", LTM_KEY_ERROR_MALFORMED, "“n” is not a string" },
    { "{\"kty\":\"RSA\",\"alg\":\"PS256\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", LTM_KEY_ERROR_UNSUPPORTED, "RS256" },
    { "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", LTM_KEY_ERROR_UNSUPPORTED, "“sig”" },
    { "{\"kty\":\"OKP\"}", LTM_KEY_ERROR_UNSUPPORTED, "“OKP”" },
    { "{\"privateKey\": 3}", LTM_KEY_ERROR_MALFORMED, "privateKey" },
    { "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", LTM_KEY_ERROR_MALFORMED, "PEM" },
    { "-----BEGIN", LTM_KEY_ERROR_MALFORMED, "BEGIN" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("importing “%s”", cases[i].data);
      g_assert_null (ltm_key_new_from_data (cases[i].data, strlen (cases[i].data),
                                            LTM_KEY_IMPORT_PRIVATE, &error));
      g_assert_error (error, LTM_KEY_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_key_byte_order_mark (void)
{
  g_autofree char *jwk = ltm_test_read_data ("webcrypto.jwk", NULL);
  g_autofree char *with_bom = g_strconcat ("\xef\xbb\xbf\n", jwk, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;

  /* Editors on other systems save files with a byte order mark. */
  key = ltm_key_new_from_data (with_bom, strlen (with_bom), LTM_KEY_IMPORT_PRIVATE, &error);
  g_assert_no_error (error);
  g_assert_true (ltm_key_has_private (key));
}

static void
test_secret_free (void)
{
  LtmSecret *secret = g_strdup ("a secret");

  /* Mostly for the sanitizers: it wipes and frees, and NULL is fine. */
  ltm_secret_free (secret);
  ltm_secret_free (NULL);
  ltm_secret_wipe (NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/key/import-formats", test_key_import_formats);
  g_test_add_func ("/key/carried-kid", test_key_carried_kid);
  g_test_add_func ("/key/rfc7638-thumbprint", test_key_rfc7638_thumbprint);
  g_test_add_func ("/key/public-imports", test_key_public_imports);
  g_test_add_func ("/key/generate", test_key_generate);
  g_test_add_func ("/key/export-keeps-kid", test_key_export_keeps_kid);
  g_test_add_func ("/key/generate-async", test_key_generate_async);
  g_test_add_func ("/key/generate-cancelled", test_key_generate_cancelled);
  g_test_add_func ("/key/sign-verify", test_key_sign_verify);
  g_test_add_func ("/key/import-checked", test_key_import_checked);
  g_test_add_func ("/key/bad-files", test_key_bad_files);
  g_test_add_func ("/key/bad-text", test_key_bad_text);
  g_test_add_func ("/key/byte-order-mark", test_key_byte_order_mark);
  g_test_add_func ("/secret/free", test_secret_free);

  return g_test_run ();
}
