/* ltm-master-key.h: where the store's master key comes from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-seal.h"

G_BEGIN_DECLS

#define LTM_MASTER_KEY_ERROR (ltm_master_key_error_quark ())

/**
 * LtmMasterKeyError:
 * @LTM_MASTER_KEY_ERROR_UNAVAILABLE: no key file, no credential and no
 *   keyring that could be reached
 * @LTM_MASTER_KEY_ERROR_LOCKED: the keyring is locked and was not unlocked
 * @LTM_MASTER_KEY_ERROR_BAD_FILE: the key file or credential is missing,
 *   not a regular file of the user's, open to others, or not a key
 * @LTM_MASTER_KEY_ERROR_NOT_FOUND: the keyring holds no master key for the
 *   store
 * @LTM_MASTER_KEY_ERROR_DAMAGED: the keyring's item for the store is not a
 *   key
 */
typedef enum {
  LTM_MASTER_KEY_ERROR_UNAVAILABLE,
  LTM_MASTER_KEY_ERROR_LOCKED,
  LTM_MASTER_KEY_ERROR_BAD_FILE,
  LTM_MASTER_KEY_ERROR_NOT_FOUND,
  LTM_MASTER_KEY_ERROR_DAMAGED,
} LtmMasterKeyError;

typedef enum {
  LTM_MASTER_KEY_SOURCE_FILE,
  LTM_MASTER_KEY_SOURCE_CREDENTIAL,
  LTM_MASTER_KEY_SOURCE_KEYRING,
} LtmMasterKeySource;

GQuark      ltm_master_key_error_quark (void);

/* Finds the master key of the store whose random ID is @store_id:
 *  1. $LTM_MASTER_KEY_FILE (non-empty): that file; when set it is the only
 *     source tried;
 *  2. $CREDENTIALS_DIRECTORY/ltm-master-key if that file exists (systemd
 *     LoadCredential=/LoadCredentialEncrypted=);
 *  3. the desktop keyring: one item, schema
 *     io.github.ltm.LineTokenManager.MasterKey, attribute store =
 *     @store_id; when there is none and @create is TRUE, a new key is made
 *     and stored there.
 * A key file or credential holds the base64 of the 32 bytes (white space
 * around it ignored), or exactly the 32 bytes.  Callers serialize
 * @create across processes (two first runs would make two keys). */
LtmSealKey *ltm_master_key_load        (const char          *store_id,
                                        gboolean             create,
                                        LtmMasterKeySource  *out_source,
                                        char               **out_location,
                                        GError             **error);
/* Writes a new key file (mode 0600, base64 and a newline); never
 * overwrites one: G_IO_ERROR_EXISTS. */
gboolean    ltm_master_key_write_file  (const char          *path,
                                        LtmSealKey          *key,
                                        GError             **error);
/* Removes the store's keyring item; TRUE when there is none. */
gboolean    ltm_master_key_forget      (const char          *store_id,
                                        GError             **error);

G_END_DECLS
