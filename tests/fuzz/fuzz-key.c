/* fuzz-key.c: key files into ltm_key_new_from_data()
 *
 * Feeds the input, as a key file a user might pick (a JWK, the older
 * console's {"privateKey": …} wrapper, PKCS#1 or PKCS#8 PEM, or anything
 * else), to ltm_key_new_from_data() with LTM_KEY_IMPORT_ALLOW_PUBLIC and
 * with LTM_KEY_IMPORT_PRIVATE.  A key that is accepted must be what LINE
 * takes (RSA, 2048 bits), be accepted by both flags alike when it is
 * private, and come back unchanged through its own JWK exports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-json.h"
#include "ltm-key.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* What an export gives back must import as the same key. */
static void
fuzz_key_check_exports (LtmKey *key)
{
  g_autofree char *public_jwk = ltm_key_to_public_jwk (key);
  g_autoptr(LtmKey) public_key = NULL;
  g_autoptr(GError) error = NULL;

  public_key = ltm_key_new_from_data (public_jwk, strlen (public_jwk),
                                      LTM_KEY_IMPORT_ALLOW_PUBLIC, &error);
  g_assert_no_error (error);
  g_assert_false (ltm_key_has_private (public_key));
  g_assert_cmpstr (ltm_key_get_thumbprint (public_key), ==, ltm_key_get_thumbprint (key));

  if (ltm_key_has_private (key))
    {
      g_autoptr(LtmSecret) private_jwk = NULL;
      g_autoptr(LtmKey) private_key = NULL;

      private_jwk = ltm_key_to_private_jwk (key, &error);
      g_assert_no_error (error);
      private_key = ltm_key_new_from_data (private_jwk, strlen (private_jwk),
                                           LTM_KEY_IMPORT_PRIVATE, &error);
      g_assert_no_error (error);
      g_assert_true (ltm_key_has_private (private_key));
      g_assert_cmpstr (ltm_key_get_thumbprint (private_key), ==, ltm_key_get_thumbprint (key));
      g_assert_cmpstr (ltm_key_get_kid (private_key), ==, ltm_key_get_kid (key));
    }
}

static void
fuzz_key_run (const uint8_t *data,
              size_t         size)
{
  g_autoptr(LtmKey) any_key = NULL;
  g_autoptr(LtmKey) private_key = NULL;
  g_autoptr(GError) any_error = NULL;
  g_autoptr(GError) private_error = NULL;

  any_key = ltm_key_new_from_data ((const char *) data, size, LTM_KEY_IMPORT_ALLOW_PUBLIC,
                                   &any_error);
  g_assert_true ((any_key == NULL) != (any_error == NULL));

  private_key = ltm_key_new_from_data ((const char *) data, size, LTM_KEY_IMPORT_PRIVATE,
                                       &private_error);
  g_assert_true ((private_key == NULL) != (private_error == NULL));

  if (any_error != NULL)
    g_assert_true (any_error->domain == LTM_KEY_ERROR);
  if (private_error != NULL)
    g_assert_true (private_error->domain == LTM_KEY_ERROR);

  if (any_key != NULL)
    {
      g_assert_cmpuint (ltm_key_get_bits (any_key), ==, LTM_KEY_BITS);
      g_assert_nonnull (ltm_key_get_thumbprint (any_key));
      fuzz_key_check_exports (any_key);
    }

  if (private_key != NULL)
    {
      /* Whatever imports as a private key imports so with either flag. */
      g_assert_true (ltm_key_has_private (private_key));
      g_assert_nonnull (any_key);
      g_assert_true (ltm_key_has_private (any_key));
      g_assert_cmpstr (ltm_key_get_thumbprint (private_key), ==,
                       ltm_key_get_thumbprint (any_key));
      g_assert_cmpstr (ltm_key_get_kid (private_key), ==, ltm_key_get_kid (any_key));
    }
  else if (any_key != NULL)
    {
      /* Only a public key may be refused for signing. */
      g_assert_false (ltm_key_has_private (any_key));
      g_assert_error (private_error, LTM_KEY_ERROR, LTM_KEY_ERROR_NOT_PRIVATE);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gboolean many = fuzz_json_has_many_values ((const char *) data, size);

  /* fuzz-json.h: json-glib's own leak of "{}{}" is not ours to report. */
  if (many)
    fuzz_lsan_disable ();
  fuzz_key_run (data, size);
  if (many)
    fuzz_lsan_enable ();

  return 0;
}
