/* ltm-seal.c: secrets sealed with AES-256-GCM under a master key
 *
 * Sealed data is one version byte (1), a 96-bit nonce drawn fresh for
 * each seal, the ciphertext and the 16-byte GCM tag.  The associated data
 * is not stored: the caller binds each ciphertext to where it belongs
 * (its row) and must give the same bytes to open it.
 *
 * A GnuTLS cipher handle is made for each call, so that any thread may
 * seal and unseal with the same key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-seal.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#define SEAL_VERSION 1
#define SEAL_NONCE_SIZE 12
#define SEAL_TAG_SIZE 16
#define SEAL_HEADER_SIZE (1 + SEAL_NONCE_SIZE)

struct _LtmSealKey {
  guint8 bytes[LTM_SEAL_KEY_SIZE];
};

G_DEFINE_QUARK (ltm-seal-error-quark, ltm_seal_error)

/**
 * ltm_seal_key_new:
 * @bytes: the key
 * @len: its size: %LTM_SEAL_KEY_SIZE
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a key holding a copy of @bytes, or
 *   %NULL with %LTM_SEAL_ERROR_FORMAT when @len is not %LTM_SEAL_KEY_SIZE
 */
LtmSealKey *
ltm_seal_key_new (const guint8  *bytes,
                  gsize          len,
                  GError       **error)
{
  LtmSealKey *key;

  g_return_val_if_fail (bytes != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len != LTM_SEAL_KEY_SIZE)
    {
      g_set_error (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_FORMAT,
                   _("A master key has %d bytes, not %lu."),
                   LTM_SEAL_KEY_SIZE, (unsigned long) len);
      return NULL;
    }

  key = g_atomic_rc_box_new0 (LtmSealKey);
  memcpy (key->bytes, bytes, LTM_SEAL_KEY_SIZE);

  return key;
}

/**
 * ltm_seal_key_generate:
 *
 * Returns: (transfer full): a new random key
 */
LtmSealKey *
ltm_seal_key_generate (void)
{
  LtmSealKey *key = g_atomic_rc_box_new0 (LtmSealKey);
  int ret;

  ret = gnutls_rnd (GNUTLS_RND_KEY, key->bytes, LTM_SEAL_KEY_SIZE);
  if (ret < 0)
    g_error ("No random key could be made: %s", gnutls_strerror (ret));

  return key;
}

LtmSealKey *
ltm_seal_key_ref (LtmSealKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return g_atomic_rc_box_acquire (key);
}

static void
ltm_seal_key_clear (gpointer data)
{
  LtmSealKey *key = data;

  gnutls_memset (key->bytes, 0, sizeof key->bytes);
}

void
ltm_seal_key_unref (LtmSealKey *key)
{
  g_return_if_fail (key != NULL);

  g_atomic_rc_box_release_full (key, ltm_seal_key_clear);
}

/**
 * ltm_seal_key_get_bytes:
 * @key: a key
 *
 * Returns: (array fixed-size=32): the %LTM_SEAL_KEY_SIZE bytes of @key,
 *   valid as long as @key is
 */
const guint8 *
ltm_seal_key_get_bytes (LtmSealKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->bytes;
}

static gnutls_aead_cipher_hd_t
ltm_seal_cipher_new (LtmSealKey *key)
{
  gnutls_aead_cipher_hd_t cipher = NULL;
  gnutls_datum_t datum = { key->bytes, LTM_SEAL_KEY_SIZE };
  int ret;

  ret = gnutls_aead_cipher_init (&cipher, GNUTLS_CIPHER_AES_256_GCM, &datum);
  if (ret < 0)
    g_error ("AES-256-GCM is not available: %s", gnutls_strerror (ret));

  return cipher;
}

/**
 * ltm_seal:
 * @key: the key to seal with
 * @ad: (nullable) (array length=ad_len): associated data: not stored, but
 *   needed (the same) to unseal
 * @ad_len: its size in bytes
 * @plain: (array length=plain_len): what to seal
 * @plain_len: its size in bytes
 *
 * Seals @plain under @key with a fresh random nonce: two seals of the same
 * bytes differ.
 *
 * Returns: (transfer full): the sealed bytes, 29 more than @plain_len
 */
GBytes *
ltm_seal (LtmSealKey *key,
          const void *ad,
          gsize       ad_len,
          const void *plain,
          gsize       plain_len)
{
  gnutls_aead_cipher_hd_t cipher;
  gsize sealed_len = SEAL_HEADER_SIZE + plain_len + SEAL_TAG_SIZE;
  gsize ciphertext_len = plain_len + SEAL_TAG_SIZE;
  guint8 *sealed;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (ad != NULL || ad_len == 0, NULL);
  g_return_val_if_fail (plain != NULL || plain_len == 0, NULL);

  sealed = g_malloc (sealed_len);
  sealed[0] = SEAL_VERSION;
  ret = gnutls_rnd (GNUTLS_RND_NONCE, sealed + 1, SEAL_NONCE_SIZE);
  if (ret < 0)
    g_error ("No nonce could be made: %s", gnutls_strerror (ret));

  cipher = ltm_seal_cipher_new (key);
  ret = gnutls_aead_cipher_encrypt (cipher, sealed + 1, SEAL_NONCE_SIZE, ad, ad_len,
                                    SEAL_TAG_SIZE, plain, plain_len,
                                    sealed + SEAL_HEADER_SIZE, &ciphertext_len);
  gnutls_aead_cipher_deinit (cipher);
  if (ret < 0)
    g_error ("AES-256-GCM encryption failed: %s", gnutls_strerror (ret));

  g_assert (ciphertext_len == plain_len + SEAL_TAG_SIZE);

  return g_bytes_new_take (sealed, sealed_len);
}

/* Opens @sealed into a buffer of its own: the plain bytes, then a NUL
 * that is not counted in *@out_len.  Wiped and freed on failure. */
static char *
ltm_seal_open (LtmSealKey  *key,
               const void  *ad,
               gsize        ad_len,
               const void  *sealed,
               gsize        sealed_len,
               gsize       *out_len,
               GError     **error)
{
  const guint8 *bytes = sealed;
  gnutls_aead_cipher_hd_t cipher;
  gsize ciphertext_len;
  gsize plain_len;
  char *plain;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (ad != NULL || ad_len == 0, NULL);
  g_return_val_if_fail (sealed != NULL || sealed_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sealed_len > 0 && bytes[0] != SEAL_VERSION)
    {
      g_set_error (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_FORMAT,
                   _("The sealed data has format version %d, which this version of LINE "
                     "Token Manager cannot read."), bytes[0]);
      return NULL;
    }

  if (sealed_len < SEAL_HEADER_SIZE + SEAL_TAG_SIZE)
    {
      g_set_error (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_FORMAT,
                   _("The sealed data is too short (%lu bytes) to be sealed data."),
                   (unsigned long) sealed_len);
      return NULL;
    }

  ciphertext_len = sealed_len - SEAL_HEADER_SIZE;
  plain_len = ciphertext_len - SEAL_TAG_SIZE;
  /* Room for the whole ciphertext: GnuTLS 3.7 asks for it. */
  plain = g_malloc (ciphertext_len + 1);

  cipher = ltm_seal_cipher_new (key);
  ret = gnutls_aead_cipher_decrypt (cipher, bytes + 1, SEAL_NONCE_SIZE, ad, ad_len,
                                    SEAL_TAG_SIZE, bytes + SEAL_HEADER_SIZE, ciphertext_len,
                                    plain, &plain_len);
  gnutls_aead_cipher_deinit (cipher);

  if (ret < 0)
    {
      ltm_secret_wipe (plain, ciphertext_len);
      g_free (plain);
      g_set_error_literal (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_DOES_NOT_OPEN,
                           _("The sealed data does not open with this key: the key is not the "
                             "one it was sealed with, it belongs elsewhere, or it was changed."));
      return NULL;
    }

  /* What lies past the plain bytes (nothing GnuTLS wrote, normally) is
   * wiped, and ends them. */
  ltm_secret_wipe (plain + plain_len, ciphertext_len + 1 - plain_len);
  *out_len = plain_len;

  return plain;
}

/**
 * ltm_unseal:
 * @key: the key it was sealed with
 * @ad: (nullable) (array length=ad_len): the associated data it was sealed
 *   with
 * @ad_len: its size in bytes
 * @sealed: (array length=sealed_len): what ltm_seal() made
 * @sealed_len: its size in bytes
 * @error: return location for an error
 *
 * Opens a sealed secret.  Sealed secrets are text: plain bytes holding a
 * NUL are refused (ltm_unseal_bytes() opens any bytes).
 *
 * Returns: (transfer full) (nullable): the plain bytes, nul-terminated, or
 *   %NULL with %LTM_SEAL_ERROR_DOES_NOT_OPEN (wrong key or associated
 *   data, or changed) or %LTM_SEAL_ERROR_FORMAT
 */
LtmSecret *
ltm_unseal (LtmSealKey  *key,
            const void  *ad,
            gsize        ad_len,
            const void  *sealed,
            gsize        sealed_len,
            GError     **error)
{
  gsize plain_len = 0;
  char *plain;

  plain = ltm_seal_open (key, ad, ad_len, sealed, sealed_len, &plain_len, error);
  if (plain == NULL)
    return NULL;

  if (memchr (plain, '\0', plain_len) != NULL)
    {
      ltm_secret_wipe (plain, plain_len);
      g_free (plain);
      g_set_error_literal (error, LTM_SEAL_ERROR, LTM_SEAL_ERROR_FORMAT,
                           _("The sealed data holds a NUL byte, which no secret has."));
      return NULL;
    }

  return plain;
}

/**
 * ltm_unseal_bytes:
 * @key: the key it was sealed with
 * @ad: (nullable) (array length=ad_len): its associated data
 * @ad_len: its size in bytes
 * @sealed: (array length=sealed_len): what ltm_seal() made
 * @sealed_len: its size in bytes
 * @error: return location for an error
 *
 * ltm_unseal() for data of any bytes, NULs included: what is kept sealed
 * but shown once opened (a recorded webhook body).  A secret is opened
 * with ltm_unseal(), which wipes it when freed.
 *
 * Returns: (transfer full) (nullable): the plain bytes, or %NULL as for
 *   ltm_unseal()
 */
GBytes *
ltm_unseal_bytes (LtmSealKey  *key,
                  const void  *ad,
                  gsize        ad_len,
                  const void  *sealed,
                  gsize        sealed_len,
                  GError     **error)
{
  gsize plain_len = 0;
  char *plain;

  plain = ltm_seal_open (key, ad, ad_len, sealed, sealed_len, &plain_len, error);
  if (plain == NULL)
    return NULL;

  return g_bytes_new_take (plain, plain_len);
}
