/* ltm-webhook-signature.c: X-Line-Signature, made and checked
 *
 * LINE signs the body it posts: Base64 of HMAC-SHA256 over the body's
 * bytes, keyed with the channel secret.  Both directions work on the bytes
 * as they travel, never on a parsed and re-serialised body: emoji, \u
 * escapes and the order of keys would change them.  The check compares in
 * constant time, so that how long it takes tells nothing about how much
 * of a forged signature was right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-signature.h"

#include <string.h>

#include "ltm-secret.h"

/* Base64 of 32 bytes: 44 characters with one "=". */
#define SIGNATURE_LENGTH 44

/* Base64 of HMAC-SHA256 over @body, keyed with @channel_secret: never NULL. */
static char *
ltm_webhook_signature_compute (const char *channel_secret,
                               const void *body,
                               gsize       len)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *signature;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guint8 *) channel_secret, strlen (channel_secret));
  if (len > 0)
    g_hmac_update (hmac, body, len);
  g_hmac_get_digest (hmac, digest, &digest_len);

  signature = g_base64_encode (digest, digest_len);
  ltm_secret_wipe (digest, sizeof digest);

  return signature;
}

/**
 * ltm_webhook_sign:
 * @channel_secret: the channel secret
 * @body: (array length=len): the body's bytes
 * @len: their number
 *
 * Returns: (transfer full): what X-Line-Signature carries for @body
 */
char *
ltm_webhook_sign (const char *channel_secret,
                  const void *body,
                  gsize       len)
{
  g_return_val_if_fail (channel_secret != NULL, NULL);
  g_return_val_if_fail (body != NULL || len == 0, NULL);

  return ltm_webhook_signature_compute (channel_secret, body, len);
}

/**
 * ltm_webhook_check_signature:
 * @channel_secret: the channel secret
 * @body: (array length=len): the body's bytes, as received
 * @len: their number
 * @header: (nullable): the X-Line-Signature received with them
 *
 * Returns: %LTM_WEBHOOK_SIGNATURE_VALID, %LTM_WEBHOOK_SIGNATURE_INVALID,
 *   or %LTM_WEBHOOK_SIGNATURE_MISSING when @header is %NULL or empty
 */
LtmWebhookSignature
ltm_webhook_check_signature (const char *channel_secret,
                             const void *body,
                             gsize       len,
                             const char *header)
{
  g_autofree char *expected = NULL;
  guint8 difference = 0;

  g_return_val_if_fail (channel_secret != NULL, LTM_WEBHOOK_SIGNATURE_INVALID);
  g_return_val_if_fail (body != NULL || len == 0, LTM_WEBHOOK_SIGNATURE_INVALID);

  if (header == NULL || header[0] == '\0')
    return LTM_WEBHOOK_SIGNATURE_MISSING;

  /* The length of a signature is no secret; its bytes are. */
  expected = ltm_webhook_signature_compute (channel_secret, body, len);
  if (strlen (header) != SIGNATURE_LENGTH || strlen (expected) != SIGNATURE_LENGTH)
    return LTM_WEBHOOK_SIGNATURE_INVALID;

  for (gsize i = 0; i < SIGNATURE_LENGTH; i++)
    difference |= (guint8) (expected[i] ^ header[i]);

  return difference == 0 ? LTM_WEBHOOK_SIGNATURE_VALID : LTM_WEBHOOK_SIGNATURE_INVALID;
}

static const char *const signature_names[] = {
  [LTM_WEBHOOK_SIGNATURE_UNCHECKED] = "unchecked",
  [LTM_WEBHOOK_SIGNATURE_VALID] = "valid",
  [LTM_WEBHOOK_SIGNATURE_INVALID] = "invalid",
  [LTM_WEBHOOK_SIGNATURE_MISSING] = "missing",
};

/**
 * ltm_webhook_signature_to_string:
 * @signature: a signature state
 *
 * Returns: its name in the store and in `ltm --json`: "valid", "invalid",
 *   "missing" or "unchecked"
 */
const char *
ltm_webhook_signature_to_string (LtmWebhookSignature signature)
{
  g_return_val_if_fail ((guint) signature < G_N_ELEMENTS (signature_names), NULL);

  return signature_names[signature];
}

gboolean
ltm_webhook_signature_from_string (const char          *text,
                                   LtmWebhookSignature *out_signature)
{
  for (guint i = 0; i < G_N_ELEMENTS (signature_names); i++)
    {
      if (g_strcmp0 (text, signature_names[i]) == 0)
        {
          *out_signature = i;
          return TRUE;
        }
    }

  return FALSE;
}
