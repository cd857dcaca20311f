/* ltm-seal.h: secrets sealed with AES-256-GCM under a master key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ltm-secret.h"

G_BEGIN_DECLS

#define LTM_SEAL_ERROR (ltm_seal_error_quark ())

/**
 * LtmSealError:
 * @LTM_SEAL_ERROR_FORMAT: not sealed data of a known version, or a key of
 *   the wrong size
 * @LTM_SEAL_ERROR_DOES_NOT_OPEN: the key or the associated data is not the
 *   one it was sealed with, or the data was changed
 */
typedef enum {
  LTM_SEAL_ERROR_FORMAT,
  LTM_SEAL_ERROR_DOES_NOT_OPEN,
} LtmSealError;

#define LTM_SEAL_KEY_SIZE 32

/* Opaque and reference counted; the key bytes are wiped with the last
 * reference. */
typedef struct _LtmSealKey LtmSealKey;

GQuark        ltm_seal_error_quark   (void);

LtmSealKey   *ltm_seal_key_new       (const guint8  *bytes,
                                      gsize          len,
                                      GError       **error);
LtmSealKey   *ltm_seal_key_generate  (void);
LtmSealKey   *ltm_seal_key_ref       (LtmSealKey    *key);
void          ltm_seal_key_unref     (LtmSealKey    *key);
const guint8 *ltm_seal_key_get_bytes (LtmSealKey    *key);

GBytes       *ltm_seal               (LtmSealKey    *key,
                                      const void    *ad,
                                      gsize          ad_len,
                                      const void    *plain,
                                      gsize          plain_len);
LtmSecret    *ltm_unseal             (LtmSealKey    *key,
                                      const void    *ad,
                                      gsize          ad_len,
                                      const void    *sealed,
                                      gsize          sealed_len,
                                      GError       **error);
GBytes       *ltm_unseal_bytes       (LtmSealKey    *key,
                                      const void    *ad,
                                      gsize          ad_len,
                                      const void    *sealed,
                                      gsize          sealed_len,
                                      GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmSealKey, ltm_seal_key_unref)

G_END_DECLS
