/* test-base64.c: base64url without padding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ltm-base64.h"

static void
test_base64_vectors (void)
{
  /* RFC 4648 section 10, in the URL-safe alphabet with padding removed. */
  static const struct { const char *plain; const char *encoded; } vectors[] = {
    { "", "" },
    { "f", "Zg" },
    { "fo", "Zm8" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg" },
    { "fooba", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *encoded = ltm_base64url_encode ((const guint8 *) vectors[i].plain,
                                                       strlen (vectors[i].plain));
      g_autofree guint8 *decoded = NULL;
      gsize len = 0;

      g_assert_cmpstr (encoded, ==, vectors[i].encoded);

      decoded = ltm_base64url_decode (vectors[i].encoded, -1, &len);
      g_assert_nonnull (decoded);
      g_assert_cmpmem (decoded, len, vectors[i].plain, strlen (vectors[i].plain));
    }
}

static void
test_base64_url_alphabet (void)
{
  /* 0xfb 0xff 0xbf is "+/+/" in standard base64. */
  static const guint8 bytes[] = { 0xfb, 0xff, 0xbf };
  g_autofree char *encoded = ltm_base64url_encode (bytes, sizeof bytes);

  g_assert_cmpstr (encoded, ==, "-_-_");
}

static void
test_base64_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7515);

  for (gsize len = 0; len < 300; len++)
    {
      g_autofree guint8 *data = g_malloc (len + 1);
      g_autofree char *encoded = NULL;
      g_autofree guint8 *decoded = NULL;
      gsize decoded_len = 0;

      for (gsize i = 0; i < len; i++)
        data[i] = g_rand_int_range (rand, 0, 256);

      encoded = ltm_base64url_encode (data, len);
      g_assert_null (strchr (encoded, '='));
      g_assert_cmpuint (strlen (encoded), ==, (len * 4 + 2) / 3);

      decoded = ltm_base64url_decode (encoded, -1, &decoded_len);
      g_assert_nonnull (decoded);
      g_assert_cmpmem (decoded, decoded_len, data, len);
    }
}

static void
test_base64_rejects (void)
{
  static const char * const bad[] = {
    "Zg==",             /* padding */
    "Zm9v+g",           /* standard alphabet */
    "Zm9v/g",
    "Zm 9v",            /* white space */
    "Zm9v\n",
    "Z",                /* one leftover character */
    "Zm9vY",
    "Zh",               /* non-canonical: unused bits set */
    "Zm9",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gsize len = 12345;

      g_test_message ("decoding “%s”", bad[i]);
      g_assert_null (ltm_base64url_decode (bad[i], -1, &len));
      g_assert_cmpuint (len, ==, 12345);
    }
}

static void
test_base64_explicit_length (void)
{
  g_autofree guint8 *decoded = NULL;
  gsize len = 0;

  /* Only the first four characters count: a JWT part inside a longer string. */
  decoded = ltm_base64url_decode ("Zm9v.Zm9vYmFy", 4, &len);
  g_assert_cmpmem (decoded, len, "foo", 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/base64/vectors", test_base64_vectors);
  g_test_add_func ("/base64/url-alphabet", test_base64_url_alphabet);
  g_test_add_func ("/base64/round-trip", test_base64_round_trip);
  g_test_add_func ("/base64/rejects", test_base64_rejects);
  g_test_add_func ("/base64/explicit-length", test_base64_explicit_length);

  return g_test_run ();
}
