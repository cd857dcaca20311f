/* test-seal.c: AES-256-GCM sealing under a master key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "ltm-seal.h"

#define PLAIN "5ecret0123456789abcdef0123456789"
#define AD "channel/1234567890/secret"

/* A fixed key, so that a failure can be replayed. */
static const guint8 key_bytes[LTM_SEAL_KEY_SIZE] = {
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static LtmSealKey *
fixed_key (void)
{
  g_autoptr(GError) error = NULL;
  LtmSealKey *key = ltm_seal_key_new (key_bytes, sizeof key_bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

static GBytes *
seal_plain (LtmSealKey *key)
{
  return ltm_seal (key, AD, strlen (AD), PLAIN, strlen (PLAIN));
}

static void
assert_does_not_open (LtmSealKey   *key,
                      const char   *ad,
                      const guint8 *sealed,
                      gsize         sealed_len,
                      int           code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) plain = ltm_unseal (key, ad, strlen (ad), sealed, sealed_len, &error);

  g_assert_null (plain);
  g_assert_error (error, LTM_SEAL_ERROR, code);
  g_assert_nonnull (error->message);
}

static void
test_seal_round_trip (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) sealed = seal_plain (key);
  g_autoptr(GBytes) empty = ltm_seal (key, NULL, 0, "", 0);
  g_autoptr(LtmSecret) plain = NULL;
  g_autoptr(LtmSecret) empty_plain = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  /* version, nonce, ciphertext as long as the text, tag */
  g_assert_cmpuint (len, ==, 1 + 12 + strlen (PLAIN) + 16);
  g_assert_cmpuint (data[0], ==, 1);
  g_assert_null (memmem (data, len, PLAIN, strlen (PLAIN)));

  plain = ltm_unseal (key, AD, strlen (AD), data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, PLAIN);

  data = g_bytes_get_data (empty, &len);
  g_assert_cmpuint (len, ==, 1 + 12 + 16);
  empty_plain = ltm_unseal (key, NULL, 0, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (empty_plain, ==, "");
}

/* What ltm_seal() makes is plain AES-256-GCM: GnuTLS opens it without
 * going through ltm_unseal(). */
static void
test_seal_is_aes_gcm (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) sealed = seal_plain (key);
  gnutls_datum_t datum = { (unsigned char *) key_bytes, sizeof key_bytes };
  gnutls_aead_cipher_hd_t cipher = NULL;
  char plain[128] = { 0 };
  size_t plain_len = sizeof plain;
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  int ret;

  g_assert_cmpint (gnutls_aead_cipher_init (&cipher, GNUTLS_CIPHER_AES_256_GCM, &datum), ==, 0);
  ret = gnutls_aead_cipher_decrypt (cipher, data + 1, 12, AD, strlen (AD), 16,
                                    data + 13, len - 13, plain, &plain_len);
  gnutls_aead_cipher_deinit (cipher);

  g_assert_cmpint (ret, ==, 0);
  g_assert_cmpmem (plain, plain_len, PLAIN, strlen (PLAIN));
}

static void
test_seal_fresh_nonce (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) first = seal_plain (key);
  g_autoptr(GBytes) second = seal_plain (key);
  const guint8 *a = g_bytes_get_data (first, NULL);
  const guint8 *b = g_bytes_get_data (second, NULL);

  g_assert_false (g_bytes_equal (first, second));
  g_assert_true (memcmp (a + 1, b + 1, 12) != 0);
}

/* Any one byte changed, the seal does not open; the version byte changed,
 * it is not sealed data this version knows. */
static void
test_seal_tampered (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) sealed = seal_plain (key);
  gsize len;
  g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (sealed), &len);

  for (gsize i = 0; i < len; i++)
    {
      copy[i] ^= 0x01;
      assert_does_not_open (key, AD, copy, len,
                            i == 0 ? LTM_SEAL_ERROR_FORMAT : LTM_SEAL_ERROR_DOES_NOT_OPEN);
      copy[i] ^= 0xff;
      assert_does_not_open (key, AD, copy, len,
                            i == 0 ? LTM_SEAL_ERROR_FORMAT : LTM_SEAL_ERROR_DOES_NOT_OPEN);
      copy[i] ^= 0xfe;
    }

  g_assert_cmpmem (copy, len, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
}

static void
test_seal_other_ad (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) sealed = seal_plain (key);
  g_autoptr(GBytes) without_ad = ltm_seal (key, NULL, 0, PLAIN, strlen (PLAIN));
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  assert_does_not_open (key, "channel/1234567891/secret", data, len,
                        LTM_SEAL_ERROR_DOES_NOT_OPEN);
  assert_does_not_open (key, "", data, len, LTM_SEAL_ERROR_DOES_NOT_OPEN);

  data = g_bytes_get_data (without_ad, &len);
  assert_does_not_open (key, AD, data, len, LTM_SEAL_ERROR_DOES_NOT_OPEN);
}

static void
test_seal_other_key (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(LtmSealKey) other = NULL;
  g_autoptr(GBytes) sealed = seal_plain (key);
  guint8 other_bytes[LTM_SEAL_KEY_SIZE];
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  memcpy (other_bytes, key_bytes, sizeof other_bytes);
  other_bytes[LTM_SEAL_KEY_SIZE - 1] ^= 0x80;
  other = ltm_seal_key_new (other_bytes, sizeof other_bytes, NULL);

  assert_does_not_open (other, AD, data, len, LTM_SEAL_ERROR_DOES_NOT_OPEN);
}

static void
test_seal_format (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  g_autoptr(GBytes) sealed = seal_plain (key);
  g_autoptr(GBytes) with_nul = ltm_seal (key, AD, strlen (AD), "a\0b", 3);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  /* Shorter than version, nonce and tag: not sealed data.  Longer, the
   * tag does not match what is left. */
  for (gsize cut = 0; cut < len; cut++)
    assert_does_not_open (key, AD, data, cut,
                          cut < 1 + 12 + 16 ? LTM_SEAL_ERROR_FORMAT : LTM_SEAL_ERROR_DOES_NOT_OPEN);

  for (guint version = 0; version < 256; version++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);

      if (version == 1)
        continue;
      copy[0] = version;
      assert_does_not_open (key, AD, copy, len, LTM_SEAL_ERROR_FORMAT);
    }

  data = g_bytes_get_data (with_nul, &len);
  assert_does_not_open (key, AD, data, len, LTM_SEAL_ERROR_FORMAT);
}

/* Any bytes, NULs included, open with ltm_unseal_bytes(), as they were. */
static void
test_seal_bytes (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  static const guint8 plain[] = { 'a', '\0', 'b', 0xff, 0xfe, '\0' };
  g_autoptr(GBytes) sealed = ltm_seal (key, AD, strlen (AD), plain, sizeof plain);
  g_autoptr(GBytes) empty_sealed = ltm_seal (key, AD, strlen (AD), "", 0);
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  opened = ltm_unseal_bytes (key, AD, strlen (AD), data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened), plain, sizeof plain);

  data = g_bytes_get_data (empty_sealed, &len);
  empty = ltm_unseal_bytes (key, AD, strlen (AD), data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);

  /* Bound to its associated data all the same */
  data = g_bytes_get_data (sealed, &len);
  g_assert_null (ltm_unseal_bytes (key, "other", 5, data, len, &error));
  g_assert_error (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_DOES_NOT_OPEN);
}

static void
test_seal_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSealKey) short_key = ltm_seal_key_new (key_bytes, LTM_SEAL_KEY_SIZE - 1, &error);
  g_autoptr(LtmSealKey) first = ltm_seal_key_generate ();
  g_autoptr(LtmSealKey) second = ltm_seal_key_generate ();
  g_autoptr(LtmSealKey) key = fixed_key ();
  LtmSealKey *ref;

  g_assert_null (short_key);
  g_assert_error (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_FORMAT);

  g_assert_cmpmem (ltm_seal_key_get_bytes (key), LTM_SEAL_KEY_SIZE, key_bytes, sizeof key_bytes);
  g_assert_true (memcmp (ltm_seal_key_get_bytes (first), ltm_seal_key_get_bytes (second),
                         LTM_SEAL_KEY_SIZE) != 0);

  ref = ltm_seal_key_ref (key);
  g_assert_true (ref == key);
  ltm_seal_key_unref (ref);
  g_assert_cmpmem (ltm_seal_key_get_bytes (key), LTM_SEAL_KEY_SIZE, key_bytes, sizeof key_bytes);
}

typedef struct {
  LtmSealKey *key;
  gboolean ok;
} ThreadData;

static gpointer
seal_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  data->ok = TRUE;
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(GBytes) sealed = seal_plain (data->key);
      g_autoptr(LtmSecret) plain = ltm_unseal (data->key, AD, strlen (AD),
                                               g_bytes_get_data (sealed, NULL),
                                               g_bytes_get_size (sealed), NULL);

      if (g_strcmp0 (plain, PLAIN) != 0)
        data->ok = FALSE;
    }

  return NULL;
}

/* One key, used from several threads at once. */
static void
test_seal_threads (void)
{
  g_autoptr(LtmSealKey) key = fixed_key ();
  ThreadData data[4];
  GThread *threads[G_N_ELEMENTS (data)];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i].key = key;
      threads[i] = g_thread_new ("seal", seal_in_thread, &data[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (data[i].ok);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/seal/round-trip", test_seal_round_trip);
  g_test_add_func ("/seal/is-aes-gcm", test_seal_is_aes_gcm);
  g_test_add_func ("/seal/fresh-nonce", test_seal_fresh_nonce);
  g_test_add_func ("/seal/tampered", test_seal_tampered);
  g_test_add_func ("/seal/other-ad", test_seal_other_ad);
  g_test_add_func ("/seal/other-key", test_seal_other_key);
  g_test_add_func ("/seal/format", test_seal_format);
  g_test_add_func ("/seal/bytes", test_seal_bytes);
  g_test_add_func ("/seal/key", test_seal_key);
  g_test_add_func ("/seal/threads", test_seal_threads);

  return g_test_run ();
}
