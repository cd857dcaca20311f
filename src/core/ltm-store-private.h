/* ltm-store-private.h: the metadata file behind LtmStore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ltm-key.h"
#include "ltm-secret.h"
#include "ltm-token.h"

G_BEGIN_DECLS

/* The kinds of secret, the "kind" attribute in the keyring. */
#define KIND_KEY "assertion-key"
#define KIND_SECRET "channel-secret"
#define KIND_TOKEN "access-token"

/* The metadata file's format; a newer one is never overwritten. */
#define LTM_STORE_VERSION 1

typedef struct {
  char *key_id;
  LtmTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean unknown;
} LtmTokenRecord;

typedef struct {
  char *channel_id;
  char *name;
  char *kid;
  char *key_thumbprint;
  gint64 key_created;
  gboolean has_secret;
  GPtrArray *tokens;            /* LtmTokenRecord */
} LtmChannelRecord;

typedef struct {
  GPtrArray *channels;          /* LtmChannelRecord */
  gint64 generation;            /* grows with every write: orders the documents that
                                 * concurrent ops read and wrote (0: no file yet) */
} LtmStoreDoc;

LtmTokenRecord   *ltm_token_record_new        (const char        *key_id,
                                               LtmTokenKind       kind,
                                               gint64             issued_at,
                                               gint64             expires_at);
LtmChannelRecord *ltm_channel_record_new      (const char        *channel_id);

LtmStoreDoc      *ltm_store_doc_new           (void);
void              ltm_store_doc_free          (LtmStoreDoc       *doc);
LtmStoreDoc      *ltm_store_doc_parse         (const char        *data,
                                               gsize              len,
                                               GError           **error);
char             *ltm_store_doc_serialize     (LtmStoreDoc       *doc,
                                               gsize             *out_len);
LtmChannelRecord *ltm_store_doc_find_channel  (LtmStoreDoc       *doc,
                                               const char        *channel_id,
                                               guint             *out_index);
LtmTokenRecord   *ltm_channel_record_find_token (LtmChannelRecord *channel,
                                                 const char       *key_id,
                                                 guint            *out_index);

int               ltm_store_file_lock         (const char        *dir,
                                               GError           **error);
void              ltm_store_file_unlock       (int                fd);
LtmStoreDoc      *ltm_store_file_read         (const char        *path,
                                               GError           **error);
gboolean          ltm_store_file_write        (const char        *path,
                                               LtmStoreDoc       *doc,
                                               GError           **error);

/* ltm-store-keyring.c */
gboolean          ltm_store_keyring_put       (const char        *channel_id,
                                               const char        *kind,
                                               const char        *key_id,
                                               const char        *secret,
                                               GError           **error);
gboolean          ltm_store_keyring_put_key   (const char        *channel_id,
                                               LtmKey            *key,
                                               GError           **error);
gboolean          ltm_store_keyring_clear     (const char        *channel_id,
                                               const char        *kind,
                                               const char        *key_id,
                                               GError           **error);
LtmKey           *ltm_store_keyring_get_key   (const char        *channel_id,
                                               GError           **error);
LtmSecret        *ltm_store_keyring_get_secret (const char       *channel_id,
                                               const char        *key_id,
                                               GError           **error);
GPtrArray        *ltm_store_keyring_compare   (LtmStoreDoc       *doc,
                                               gboolean           repair,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreDoc, ltm_store_doc_free)

G_END_DECLS
