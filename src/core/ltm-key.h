/* ltm-key.h: the RSA assertion signing key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-secret.h"

G_BEGIN_DECLS

/* LINE's console accepts RSA keys of exactly this size. */
#define LTM_KEY_BITS 2048

#define LTM_KEY_ERROR (ltm_key_error_quark ())

typedef enum {
  LTM_KEY_ERROR_MALFORMED,
  LTM_KEY_ERROR_MISSING_MEMBER,
  LTM_KEY_ERROR_UNSUPPORTED,
  LTM_KEY_ERROR_WRONG_SIZE,
  LTM_KEY_ERROR_INVALID,
  LTM_KEY_ERROR_NOT_PRIVATE,
  LTM_KEY_ERROR_FAILED,
} LtmKeyError;

/**
 * LtmKeyImportFlags:
 * @LTM_KEY_IMPORT_PRIVATE: only a private key is accepted
 * @LTM_KEY_IMPORT_ALLOW_PUBLIC: a public key is accepted too (for verifying)
 * @LTM_KEY_IMPORT_CHECKED: the key passed every check when it was first
 *   imported or made and cannot have changed since (the store's, sealed and
 *   authenticated): its parts are not checked against each other again and
 *   it signs no test message, which costs as much as a JWT's signature
 */
typedef enum {
  LTM_KEY_IMPORT_PRIVATE = 0,
  LTM_KEY_IMPORT_ALLOW_PUBLIC = 1 << 0,
  LTM_KEY_IMPORT_CHECKED = 1 << 1,
} LtmKeyImportFlags;

#define LTM_TYPE_KEY (ltm_key_get_type ())

G_DECLARE_FINAL_TYPE (LtmKey, ltm_key, LTM, KEY, GObject)

GQuark      ltm_key_error_quark        (void);

LtmKey     *ltm_key_generate           (GError            **error);
void        ltm_key_generate_async     (GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
LtmKey     *ltm_key_generate_finish    (GAsyncResult       *result,
                                        GError            **error);
LtmKey     *ltm_key_new_from_data      (const char         *data,
                                        gsize               len,
                                        LtmKeyImportFlags   flags,
                                        GError            **error);

gboolean    ltm_key_has_private        (LtmKey             *self);
guint       ltm_key_get_bits           (LtmKey             *self);
const char *ltm_key_get_kid            (LtmKey             *self);
const char *ltm_key_get_thumbprint     (LtmKey             *self);

char       *ltm_key_to_public_jwk      (LtmKey             *self);
LtmSecret  *ltm_key_to_private_jwk     (LtmKey             *self,
                                        GError            **error);

GBytes     *ltm_key_sign               (LtmKey             *self,
                                        const guint8       *data,
                                        gsize               len,
                                        GError            **error);
gboolean    ltm_key_verify             (LtmKey             *self,
                                        const guint8       *data,
                                        gsize               len,
                                        const guint8       *signature,
                                        gsize               signature_len,
                                        GError            **error);

G_END_DECLS
