/* ltm-secret.h: strings that hold key material, wiped when freed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A nul-terminated string holding a secret: a private JWK, a channel
 * secret, an access token.  Free it with ltm_secret_free() or
 * g_autoptr(LtmSecret), never with g_free(). */
typedef char LtmSecret;

void ltm_secret_free (LtmSecret *secret);
void ltm_secret_wipe (gpointer   data,
                      gsize      len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmSecret, ltm_secret_free)

G_END_DECLS
