/* ltm-webhook-error.c: what goes wrong on the bot's side of the webhook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-error.h"

G_DEFINE_QUARK (ltm-webhook-error-quark, ltm_webhook_error)
