/* ltm-store-private.h: what the store's files share
 *
 * The records the models are made from, the database (ltm-store-db.c),
 * sealing and the master key (ltm-store-seal.c), the operations and their
 * makers (ltm-store-ops.c), and the connections and the runner
 * (ltm-store.c).  The first layout's migration has its own header,
 * legacy/ltm-store-legacy.h.
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
int               ltm_store_db_lock_folder      (const char        *dir,
                                                 GError           **error);
LtmStoreDb       *ltm_store_db_create           (const char        *dir,
                                                 const char        *store_id,
                                                 GError           **error);
void              ltm_store_db_close            (LtmStoreDb        *db);
sqlite3          *ltm_store_db_get_handle       (LtmStoreDb        *db);
const char       *ltm_store_db_get_store_id     (LtmStoreDb        *db);
const char       *ltm_store_db_get_path         (LtmStoreDb        *db);
gboolean          ltm_store_db_is_readonly      (LtmStoreDb        *db);
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
gboolean          ltm_store_db_fail             (LtmStoreDb        *db,
                                                 int                rc,
                                                 GError           **error);
sqlite3_stmt     *ltm_store_db_prepare          (LtmStoreDb        *db,
                                                 const char        *sql,
                                                 GError           **error);
gboolean          ltm_store_db_step             (LtmStoreDb        *db,
                                                 sqlite3_stmt      *stmt,
                                                 GError           **error);

/* Every bind names its parameter (":channel_id") and fails with an error,
 * so that no value is stored as NULL unseen. */
gboolean          ltm_store_bind_text           (sqlite3_stmt      *stmt,
                                                 const char        *name,
                                                 const char        *value,
                                                 GError           **error);
gboolean          ltm_store_bind_int64          (sqlite3_stmt      *stmt,
                                                 const char        *name,
                                                 gint64             value,
                                                 GError           **error);
gboolean          ltm_store_bind_blob           (sqlite3_stmt      *stmt,
                                                 const char        *name,
                                                 GBytes            *value,
                                                 GError           **error);
LtmStoreDoc      *ltm_store_db_read             (LtmStoreDb        *db,
                                                 const char        *channel_id,
                                                 GError           **error);

/* ltm-store-seal.c: sealing, and the master key read once per process */
gboolean          ltm_store_bind_sealed         (sqlite3_stmt      *stmt,
                                                 const char        *name,
                                                 LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const char        *plain,
                                                 GError           **error);
LtmSealKey       *ltm_store_get_master_key      (LtmStoreDb        *db,
                                                 gboolean           create,
                                                 GError           **error);
gboolean          ltm_store_init_master_key     (LtmStoreDb        *db,
                                                 LtmSealKey        *key,
                                                 GError           **error);
char             *ltm_store_describe_master_key (LtmStoreDb        *db);
LtmStoreDb       *ltm_store_create_sealed       (const char        *dir,
                                                 GError           **error);
gboolean          ltm_store_knows_master_key    (const char        *store_id);
void              ltm_store_forget_master_keys  (void);
guint             ltm_store_count_master_key_reads (void);
GBytes           *ltm_store_seal                (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const char        *plain);
LtmSecret        *ltm_store_unseal              (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const void        *sealed,
                                                 gsize              sealed_len,
                                                 GError           **error);
GBytes           *ltm_store_seal_bytes          (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 GBytes            *plain);
GBytes           *ltm_store_unseal_bytes        (LtmSealKey        *key,
                                                 const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id,
                                                 const void        *sealed,
                                                 gsize              sealed_len,
                                                 GError           **error);

/* The operations.  Each is a struct of its own arguments and a row of
 * methods[] (ltm-store-ops.c): what it checks before anything is opened,
 * and what it does in its transaction. */

typedef enum {
  LTM_STORE_OP_READS    = 0,       /* one read transaction, a snapshot */
  LTM_STORE_OP_WRITES   = 1 << 0,  /* one write transaction that moves the generation */
  LTM_STORE_OP_CREATES  = 1 << 1,  /* makes the store when there is none */
  LTM_STORE_OP_TOUCHES  = 1 << 2,  /* changes a stored channel: NOT_FOUND when it is not */
  LTM_STORE_OP_ALL      = 1 << 3,  /* shows every channel, not one */
  LTM_STORE_OP_REMOVES  = 1 << 4,  /* the channel goes from the models */
  LTM_STORE_OP_ASIDE    = 1 << 5,  /* rows beside a stored channel that the models do not
                                    * show (its webhook events): NOT_FOUND when the channel
                                    * is not there; a write moves no generation */
} LtmStoreOpFlags;

/* What an op does with the master key. */
typedef enum {
  LTM_STORE_SEALING_NONE,       /* nothing sealed read or written */
  LTM_STORE_SEALING_OPENS,      /* opens sealed values, reading the key itself if any */
  LTM_STORE_SEALING_SEALS,      /* seals: the key is read first, and made on first use */
} LtmStoreSealing;

typedef struct _LtmStoreOp LtmStoreOp;

/* What a method's run gets: the connection, in the op's transaction. */
typedef struct {
  LtmStoreDb *db;
  LtmStoreOp *op;
  const char *channel_id;       /* the op's */
  LtmSealKey *key;              /* for an op that seals */
  gint64 generation;            /* the change's, in a write transaction */
} LtmStoreTxn;

typedef struct {
  LtmStoreOpFlags flags;
  LtmStoreSealing sealing;      /* unless the op's maker says otherwise */
  /* What the caller gave, checked before anything is opened; may be NULL. */
  gboolean (*check) (const char  *channel_id,
                     gconstpointer args,
                     GError     **error);
  gboolean (*run)   (LtmStoreTxn *txn,
                     gpointer     args,
                     GError     **error);
  GDestroyNotify free_args;
} LtmStoreMethod;

/* An op on its way through the store: like a message of Epiphany's
 * history service, its row, its arguments and what it gives back. */
struct _LtmStoreOp {
  const LtmStoreMethod *method;
  char *channel_id;             /* the channel it is about; NULL for all */
  gpointer args;                /* the method's own struct, freed by it */
  LtmStoreSealing sealing;
  LtmStoreDoc *doc;             /* the rows to show after it, if any */
  gpointer result;              /* what a read gives, if anything */
  GDestroyNotify result_free;
  GError *unlock_error;         /* the shared unlock's failure, while it waited for it */
};

/* A row of a methods[] table. */
#define LTM_STORE_METHOD(flags, sealing, check, run, free_args) \
  { (flags), (sealing), (gboolean (*) (const char *, gconstpointer, GError **)) (check), \
    (gboolean (*) (LtmStoreTxn *, gpointer, GError **)) (run), (GDestroyNotify) (free_args) }

/* ltm-store-ops.c: each op's maker (and what ltm_store_check() shares with
 * the repair) */
LtmStoreOp       *ltm_store_load_op             (gint64             seen);
LtmStoreOp       *ltm_store_add_channel_op      (const char        *channel_id,
                                                 const char        *name,
                                                 const char        *kid,
                                                 LtmKey            *key,
                                                 const char        *channel_secret);
LtmStoreOp       *ltm_store_remove_channel_op   (const char        *channel_id);
LtmStoreOp       *ltm_store_set_name_op         (const char        *channel_id,
                                                 const char        *name);
LtmStoreOp       *ltm_store_set_kid_op          (const char        *channel_id,
                                                 const char        *kid);
LtmStoreOp       *ltm_store_set_key_op          (const char        *channel_id,
                                                 LtmKey            *key);
LtmStoreOp       *ltm_store_set_secret_op       (const char        *channel_id,
                                                 const char        *channel_secret);
LtmStoreOp       *ltm_store_add_token_op        (const char        *channel_id,
                                                 LtmTokenKind       kind,
                                                 const LtmLineToken *token,
                                                 gint64             issued_at);
char             *ltm_store_add_token_op_get_key_id (LtmStoreOp    *op);
LtmStoreOp       *ltm_store_set_token_state_op  (const char        *channel_id,
                                                 const char        *key_id,
                                                 gboolean           revoked,
                                                 gboolean           unknown);
LtmStoreOp       *ltm_store_set_deploy_targets_op (const char      *channel_id,
                                                   const LtmDeployTargets *targets);
LtmStoreOp       *ltm_store_set_delivery_op     (const char        *channel_id,
                                                 LtmDeliveryStatus  status,
                                                 gint64             delivered_at,
                                                 const char        *message);
LtmStoreOp       *ltm_store_retire_tokens_op    (const char        *channel_id,
                                                 const char * const *key_ids,
                                                 LtmTokenRetirement retirement,
                                                 gint64             retire_at);
LtmStoreOp       *ltm_store_repair_op           (void);
LtmStoreOp       *ltm_store_read_sealed_op      (const char        *channel_id,
                                                 const char        *kind,
                                                 const char        *key_id);
gboolean          ltm_store_inspect             (LtmStoreDb        *db,
                                                 gboolean           repair,
                                                 GPtrArray         *problems,
                                                 GError           **error);

/* ltm-store.c: the connections of one LtmStore, and running an op */

LtmStoreOp       *ltm_store_op_new              (const LtmStoreMethod *method,
                                                 const char        *channel_id,
                                                 gpointer           args);
void              ltm_store_op_free             (LtmStoreOp        *op);
gpointer          ltm_store_op_steal_result     (LtmStoreOp        *op);
gboolean          ltm_store_take_db             (LtmStore          *self,
                                                 LtmStoreDbOpenFlags flags,
                                                 LtmStoreDb       **out_db,
                                                 GError           **error);
void              ltm_store_give_db             (LtmStore          *self,
                                                 LtmStoreDb        *db);
gint64            ltm_store_get_seen            (LtmStore          *self);
gboolean          ltm_store_not_found           (const char        *channel_id,
                                                 GError           **error);
gboolean          ltm_store_txn_found_channel   (LtmStoreTxn       *txn,
                                                 GError           **error);
LtmSealKey       *ltm_store_op_get_master_key   (LtmStoreOp        *op,
                                                 LtmStoreDb        *db,
                                                 gboolean           create,
                                                 GError           **error);
gboolean          ltm_store_run                 (LtmStore          *self,
                                                 LtmStoreOp        *op,
                                                 GError           **error);
GTask            *ltm_store_run_async           (LtmStore          *self,
                                                 LtmStoreOp        *op,
                                                 gpointer           source_tag,
                                                 GCancellable      *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreDoc, ltm_store_doc_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreOp, ltm_store_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreDb, ltm_store_db_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
