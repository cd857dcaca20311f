/* fuzz-base64.c: bytes into ltm_base64url_decode() and _encode()
 *
 * Feeds the input, as the text of a JWT part or a JWK member, to
 * ltm_base64url_decode(): the decoder is strict, so whatever it accepts is
 * canonical and must encode back to exactly the input.  Then feeds the
 * input, as bytes, to ltm_base64url_encode(), whose output must be
 * base64url without padding and decode back to exactly the input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ltm-base64.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree guint8 *decoded = NULL;
  g_autofree char *encoded = NULL;
  g_autofree guint8 *round_trip = NULL;
  gsize decoded_len = 0;
  gsize round_trip_len = 0;

  /* Text to bytes and back. */
  decoded = ltm_base64url_decode ((const char *) data, size, &decoded_len);
  if (decoded != NULL)
    {
      g_autofree char *again = ltm_base64url_encode (decoded, decoded_len);

      g_assert_cmpuint (decoded_len, ==, size / 4 * 3 + (size % 4 == 0 ? 0 : size % 4 - 1));
      g_assert_cmpuint (decoded[decoded_len], ==, 0);
      g_assert_cmpuint (strlen (again), ==, size);
      g_assert_true (memcmp (again, data, size) == 0);
    }

  /* Bytes to text and back. */
  encoded = ltm_base64url_encode (data, size);
  g_assert_nonnull (encoded);
  g_assert_cmpuint (strlen (encoded), ==, size / 3 * 4 + (size % 3 == 0 ? 0 : size % 3 + 1));
  g_assert_cmpuint (strspn (encoded, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-_"), ==, strlen (encoded));

  round_trip = ltm_base64url_decode (encoded, -1, &round_trip_len);
  g_assert_nonnull (round_trip);
  g_assert_cmpuint (round_trip_len, ==, size);
  g_assert_true (memcmp (round_trip, data, size) == 0);

  return 0;
}
