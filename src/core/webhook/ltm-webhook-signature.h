/* ltm-webhook-signature.h: X-Line-Signature, made and checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The header LINE signs every delivery with. */
#define LTM_WEBHOOK_SIGNATURE_HEADER "X-Line-Signature"

/**
 * LtmWebhookSignature:
 * @LTM_WEBHOOK_SIGNATURE_UNCHECKED: not looked at (a body this program made)
 * @LTM_WEBHOOK_SIGNATURE_VALID: made with the channel secret over these bytes
 * @LTM_WEBHOOK_SIGNATURE_INVALID: present, but not made with the channel
 *   secret over these bytes
 * @LTM_WEBHOOK_SIGNATURE_MISSING: no X-Line-Signature: not from LINE
 */
typedef enum {
  LTM_WEBHOOK_SIGNATURE_UNCHECKED,
  LTM_WEBHOOK_SIGNATURE_VALID,
  LTM_WEBHOOK_SIGNATURE_INVALID,
  LTM_WEBHOOK_SIGNATURE_MISSING,
} LtmWebhookSignature;

char                *ltm_webhook_sign                   (const char          *channel_secret,
                                                         const void          *body,
                                                         gsize                len);
LtmWebhookSignature  ltm_webhook_check_signature        (const char          *channel_secret,
                                                         const void          *body,
                                                         gsize                len,
                                                         const char          *header);
const char          *ltm_webhook_signature_to_string    (LtmWebhookSignature  signature);
gboolean             ltm_webhook_signature_from_string  (const char          *text,
                                                         LtmWebhookSignature *out_signature);

G_END_DECLS
