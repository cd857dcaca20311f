/* ltm-secret.c: strings that hold key material, wiped when freed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-secret.h"

#include <string.h>

#include <gnutls/gnutls.h>

/**
 * ltm_secret_wipe:
 * @data: (nullable): memory that held a secret
 * @len: its size in bytes
 *
 * Overwrites @data with zeros in a way the compiler cannot drop.
 */
void
ltm_secret_wipe (gpointer data,
                 gsize    len)
{
  if (data != NULL && len > 0)
    gnutls_memset (data, 0, len);
}

/**
 * ltm_secret_free:
 * @secret: (nullable): a nul-terminated secret
 *
 * Wipes and frees @secret.
 */
void
ltm_secret_free (LtmSecret *secret)
{
  if (secret == NULL)
    return;

  ltm_secret_wipe (secret, strlen (secret));
  g_free (secret);
}
