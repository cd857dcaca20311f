/* ltm-webhook-error.h: what goes wrong on the bot's side of the webhook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LTM_WEBHOOK_ERROR (ltm_webhook_error_quark ())

/**
 * LtmWebhookError:
 * @LTM_WEBHOOK_ERROR_INVALID_BODY: not a webhook body: not JSON, nested too
 *   deep, or without an "events" array
 * @LTM_WEBHOOK_ERROR_INVALID_URL: a bot URL that is neither https nor plain
 *   http to this computer
 * @LTM_WEBHOOK_ERROR_INVALID_ARGUMENT: an unknown event type, address or path
 * @LTM_WEBHOOK_ERROR_LISTEN: the receiver could not listen on the address
 * @LTM_WEBHOOK_ERROR_BOT: the bot could not be reached, or did not answer
 * @LTM_WEBHOOK_ERROR_NOT_FOUND: no such recorded event
 * @LTM_WEBHOOK_ERROR_NO_PREVIOUS_URL: LINE had no webhook URL to put back
 */
typedef enum {
  LTM_WEBHOOK_ERROR_INVALID_BODY,
  LTM_WEBHOOK_ERROR_INVALID_URL,
  LTM_WEBHOOK_ERROR_INVALID_ARGUMENT,
  LTM_WEBHOOK_ERROR_LISTEN,
  LTM_WEBHOOK_ERROR_BOT,
  LTM_WEBHOOK_ERROR_NOT_FOUND,
  LTM_WEBHOOK_ERROR_NO_PREVIOUS_URL,
} LtmWebhookError;

GQuark ltm_webhook_error_quark (void);

G_END_DECLS
