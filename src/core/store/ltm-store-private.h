/* ltm-store-private.h: the database behind LtmStore, and the layout it replaced
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "ltm-channel.h"
#include "ltm-key.h"
#include "ltm-master-key.h"
#include "ltm-seal.h"
#include "ltm-secret.h"
#include "ltm-store.h"
#include "ltm-token.h"

G_BEGIN_DECLS

/* The kinds of secret: the "kind" part of a sealed value's associated data
 * (and the "kind" attribute of the keyring items of the first layout). */
#define KIND_KEY "assertion-key"
#define KIND_SECRET "channel-secret"
#define KIND_TOKEN "access-token"
#define KIND_CHECK "check"
#define KIND_WEBHOOK_EVENT "webhook-event"

/* channels.json's format, the first layout; a newer one is never touched. */
#define LTM_STORE_VERSION 1

/* The database's schema, PRAGMA user_version; a newer one is never touched. */
#define LTM_STORE_SCHEMA_VERSION 3

#define LTM_STORE_FILE_NAME "store.sqlite3"
#define LTM_STORE_LEGACY_FILE_NAME "channels.json"

/* Records: what the models are made from.  Plain data, no GObject, so
 * that they can be read in a worker thread. */

typedef struct {
  char *key_id;
  LtmTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean unknown;
  LtmTokenRetirement retirement;
  gint64 retire_at;
} LtmTokenRecord;

typedef struct {
  char *channel_id;
  char *name;
  char *kid;
  char *key_thumbprint;
  gint64 key_created;
  gboolean has_secret;
  gint64 rev;                   /* the store's generation when it last changed */
  LtmDeployTargets targets;
  LtmDeliveryStatus delivery;
  gint64 delivered_at;
  char *delivery_message;
  GPtrArray *tokens;            /* LtmTokenRecord */
} LtmChannelRecord;

typedef struct {
  GPtrArray *channels;          /* LtmChannelRecord */
  gint64 generation;            /* grows with every change: orders what concurrent ops
                                 * read and wrote (0: no store yet) */
  gboolean partial;             /* only the channels a change touched (and @removed) */
  gboolean unchanged;           /* nothing read: the store is still at @generation */
  char *removed;                /* the channel a change removed */
} LtmStoreDoc;

LtmTokenRecord   *ltm_token_record_new          (const char        *key_id,
                                                 LtmTokenKind       kind,
                                                 gint64             issued_at,
                                                 gint64             expires_at);
LtmChannelRecord *ltm_channel_record_new        (const char        *channel_id);
LtmStoreDoc      *ltm_store_doc_new             (void);
LtmStoreDoc      *ltm_store_doc_new_unchanged   (gint64             generation);
void              ltm_store_doc_free            (LtmStoreDoc       *doc);
LtmChannelRecord *ltm_store_doc_find_channel    (LtmStoreDoc       *doc,
                                                 const char        *channel_id,
                                                 guint             *out_index);
LtmTokenRecord   *ltm_channel_record_find_token (LtmChannelRecord  *channel,
                                                 const char        *key_id,
                                                 guint             *out_index);

/* ltm-store-db.c: one connection to store.sqlite3 */

typedef struct _LtmStoreDb LtmStoreDb;

typedef enum {
  LTM_STORE_DB_OPEN_READ   = 0,
  LTM_STORE_DB_OPEN_CREATE = 1 << 0,  /* make the folder and the database when missing */
} LtmStoreDbOpenFlags;

LtmStoreDb       *ltm_store_db_open             (const char          *dir,
                                                 LtmStoreDbOpenFlags  flags,
                                                 GError             **error);
void              ltm_store_db_close            (LtmStoreDb        *db);
sqlite3          *ltm_store_db_get_handle       (LtmStoreDb        *db);
const char       *ltm_store_db_get_store_id     (LtmStoreDb        *db);
gboolean          ltm_store_db_begin            (LtmStoreDb        *db,
                                                 gboolean           write,
                                                 GError           **error);
gboolean          ltm_store_db_commit           (LtmStoreDb        *db,
                                                 GError           **error);
void              ltm_store_db_rollback         (LtmStoreDb        *db);
gint64            ltm_store_db_next_generation  (LtmStoreDb        *db,
                                                 GError           **error);
gint64            ltm_store_db_get_generation   (LtmStoreDb        *db,
                                                 GError           **error);
gboolean          ltm_store_db_query            (LtmStoreDb        *db,
                                                 const char        *sql,
                                                 gint64            *out_value,
                                                 GError           **error);
gboolean          ltm_store_db_init_master_key  (LtmStoreDb        *db,
                                                 LtmSealKey        *key,
                                                 GError           **error);
gboolean          ltm_store_db_fail             (LtmStoreDb        *db,
                                                 int                rc,
                                                 GError           **error);
sqlite3_stmt     *ltm_store_db_prepare          (LtmStoreDb        *db,
                                                 const char        *sql,
                                                 GError           **error);
LtmStoreDoc      *ltm_store_db_read             (LtmStoreDb        *db,
                                                 const char        *channel_id,
                                                 GError           **error);
LtmSealKey       *ltm_store_db_get_master_key   (LtmStoreDb        *db,
                                                 gboolean           create,
                                                 GError           **error);
GBytes           *ltm_store_db_seal             (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const char        *plain);
LtmSecret        *ltm_store_db_unseal           (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const void        *sealed,
                                                 gsize              sealed_len,
                                                 GError           **error);
GBytes           *ltm_store_db_seal_bytes       (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 GBytes            *plain);
GBytes           *ltm_store_db_unseal_bytes     (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const void        *sealed,
                                                 gsize              sealed_len,
                                                 GError           **error);
char             *ltm_store_db_describe_master_key (LtmStoreDb      *db);

/* ltm-store.c: its connections, for the operations in other files */

LtmStoreDb       *ltm_store_take_db             (LtmStore          *self,
                                                 LtmStoreDbOpenFlags flags,
                                                 GError           **error);
void              ltm_store_give_db             (LtmStore          *self,
                                                 LtmStoreDb        *db);

/* ltm-store-legacy.c: channels.json and one keyring item per secret,
 * migrated into the database on first open */

LtmStoreDoc      *ltm_store_legacy_parse        (const char        *data,
                                                 gsize              len,
                                                 GError           **error);
gboolean          ltm_store_legacy_migrate      (LtmStoreDb        *db,
                                                 const char        *dir,
                                                 GError           **error);

/* ltm-store-legacy-keyring.c */
LtmSecret        *ltm_store_legacy_keyring_get  (const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 GError           **error);
GPtrArray        *ltm_store_legacy_keyring_list (GError           **error);
gboolean          ltm_store_legacy_keyring_clear (const char       *channel_id,
                                                  GError          **error);

/* An item of the first layout's keyring: attributes only. */
typedef struct {
  char *channel_id;
  char *kind;
  char *key_id;
} LtmLegacyItem;

void              ltm_legacy_item_free          (LtmLegacyItem     *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreDoc, ltm_store_doc_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreDb, ltm_store_db_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
