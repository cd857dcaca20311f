/* ltm-base64.c: base64url without padding (RFC 7515 section 2)
 *
 * JWS and JWK use the URL-safe alphabet with the padding stripped.  The
 * decoder is strict: anything outside the alphabet, including "=" padding
 * and white space, is refused, so that a damaged JWT is reported rather
 * than read differently from how LINE would read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-base64.h"

#include <string.h>

#include <gnutls/gnutls.h>

static const char encode_table[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Returns 0xff for a byte outside the alphabet. */
static inline guint8
ltm_base64url_value (guint8 c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return 0xff;
}

/**
 * ltm_base64url_encode:
 * @data: (array length=len): bytes to encode
 * @len: number of bytes
 *
 * Returns: (transfer full): @data in base64url without padding
 */
char *
ltm_base64url_encode (const guint8 *data,
                      gsize         len)
{
  char *out;
  char *p;
  gsize i;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (len < G_MAXSIZE / 2, NULL);

  out = p = g_malloc ((len + 2) / 3 * 4 + 1);

  for (i = 0; i + 2 < len; i += 3)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8) | data[i + 2];

      *p++ = encode_table[(v >> 18) & 0x3f];
      *p++ = encode_table[(v >> 12) & 0x3f];
      *p++ = encode_table[(v >> 6) & 0x3f];
      *p++ = encode_table[v & 0x3f];
    }

  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;

      *p++ = encode_table[(v >> 18) & 0x3f];
      *p++ = encode_table[(v >> 12) & 0x3f];
    }
  else if (len - i == 2)
    {
      guint32 v = ((guint32) data[i] << 16) | ((guint32) data[i + 1] << 8);

      *p++ = encode_table[(v >> 18) & 0x3f];
      *p++ = encode_table[(v >> 12) & 0x3f];
      *p++ = encode_table[(v >> 6) & 0x3f];
    }

  *p = '\0';

  return out;
}

/**
 * ltm_base64url_decode:
 * @text: base64url text without padding
 * @text_len: length of @text, or -1 if it is nul-terminated
 * @out_len: (out): number of decoded bytes
 *
 * Returns: (transfer full) (nullable): the decoded bytes, nul-terminated for
 *   convenience, or %NULL if @text is not canonical base64url
 */
guint8 *
ltm_base64url_decode (const char *text,
                      gssize      text_len,
                      gsize      *out_len)
{
  guint8 *out;
  gsize len;
  gsize i;
  gsize o = 0;
  guint32 v = 0;
  guint bits = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  len = text_len < 0 ? strlen (text) : (gsize) text_len;

  /* One leftover character cannot carry a whole byte. */
  if (len % 4 == 1)
    return NULL;

  out = g_malloc (len / 4 * 3 + 3);

  for (i = 0; i < len; i++)
    {
      guint8 d = ltm_base64url_value ((guint8) text[i]);

      if (d == 0xff)
        goto fail;

      v = (v << 6) | d;
      bits += 6;

      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (v >> bits) & 0xff;
        }
    }

  /* Non-canonical: the unused low bits of the last character must be zero. */
  if ((v & ((1u << bits) - 1)) != 0)
    goto fail;

  out[o] = '\0';
  *out_len = o;

  return out;

fail:
  /* What was decoded so far may be part of a private key. */
  gnutls_memset (out, 0, len / 4 * 3 + 3);
  g_free (out);

  return NULL;
}
