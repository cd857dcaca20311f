/* ltm-store.c: channels, keys and tokens in one SQLite database, secrets
 * sealed with a master key the keyring or a credential keeps
 *
 * The database is ltm-store-db.c; the master key ltm-master-key.c; the
 * first layout, migrated on first open, ltm-store-legacy.c.
 *
 * Every change is an LtmStoreOp run by ltm_store_op_run(): one BEGIN
 * IMMEDIATE transaction that changes the rows, moves the store's
 * generation forward and reads back the rows of the channel it touched.
 * That part touches no GObject and runs in a worker thread for the
 * window; the models are then brought in line in the caller's thread,
 * ordered by generation, so that ops finishing in any order (and reloads
 * when another process changed the store) never undo a newer state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ltm-jwt.h"
#include "ltm-store-private.h"

/* Connections kept open for the next op; more are opened when ops run at
 * once, and closed again when they finish. */
#define MAX_IDLE_CONNECTIONS 4

struct _LtmStore
{
  GObject parent_instance;

  char *dir;
  char *path;
  GListStore *channels;
  gint64 loaded;                /* the generation of the last whole read the models show */
  gint64 seen;                  /* every change up to this generation is in the models */
  GHashTable *seen_later;       /* generations after @seen the models show, out of order */
  GHashTable *revs;             /* channel ID → the generation of its record the models show;
                                 * kept for removed channels too */

  GMutex pool_lock;
  GPtrArray *idle;              /* LtmStoreDb */

  /* Held by a thread's write transaction: the others wait here, woken at
   * once, rather than in SQLite's busy handler, which polls by sleeping
   * (up to 100 ms a time).  Other processes still meet the busy timeout. */
  GMutex write_lock;
};

G_DEFINE_FINAL_TYPE (LtmStore, ltm_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-store-error-quark, ltm_store_error)

typedef enum {
  LTM_STORE_OP_LOAD,
  LTM_STORE_OP_ADD_CHANNEL,
  LTM_STORE_OP_REMOVE_CHANNEL,
  LTM_STORE_OP_SET_NAME,
  LTM_STORE_OP_SET_KID,
  LTM_STORE_OP_SET_KEY,
  LTM_STORE_OP_SET_SECRET,
  LTM_STORE_OP_ADD_TOKEN,
  LTM_STORE_OP_SET_TOKEN_STATE,
  LTM_STORE_OP_REMOVE_TOKEN,
  LTM_STORE_OP_REPAIR,
  LTM_STORE_OP_SET_DEPLOY_TARGETS,
  LTM_STORE_OP_SET_DELIVERY,
  LTM_STORE_OP_RETIRE_TOKENS,
} LtmStoreOpKind;

typedef struct {
  LtmStoreOpKind kind;
  LtmStore *store;              /* alive while the op runs: the GTask holds it */
  char *channel_id;
  char *name;
  char *kid;
  LtmKey *key;
  LtmSecret *secret;            /* a channel secret or an access token */
  char *key_id;
  LtmTokenKind token_kind;
  gint64 issued_at;
  gint64 expires_at;
  gboolean revoked;
  gboolean unknown;
  gint64 seen;                  /* LOAD: skip the read when the store is still at this generation */
  LtmDeployTargets targets;
  LtmDeliveryStatus delivery;
  gint64 delivered_at;          /* also: RETIRE_TOKENS' retire_at */
  LtmTokenRetirement retirement;
  GStrv key_ids;                /* RETIRE_TOKENS */
} LtmStoreOp;

static void
ltm_store_op_free (LtmStoreOp *op)
{
  g_free (op->channel_id);
  g_free (op->name);
  g_free (op->kid);
  g_clear_object (&op->key);
  ltm_secret_free (op->secret);
  g_free (op->key_id);
  ltm_deploy_targets_clear (&op->targets);
  g_strfreev (op->key_ids);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreOp, ltm_store_op_free)

static LtmStoreOp *
ltm_store_op_new (LtmStore       *self,
                  LtmStoreOpKind  kind,
                  const char     *channel_id)
{
  LtmStoreOp *op = g_new0 (LtmStoreOp, 1);

  op->kind = kind;
  op->store = self;
  op->channel_id = g_strdup (channel_id);

  return op;
}

/* Connections, from any thread */

/* Returns %NULL without an error when there is no store yet and @flags
 * do not ask to create it. */
LtmStoreDb *
ltm_store_take_db (LtmStore             *self,
                   LtmStoreDbOpenFlags   flags,
                   GError              **error)
{
  LtmStoreDb *db = NULL;

  g_mutex_lock (&self->pool_lock);
  if (self->idle->len > 0)
    db = g_ptr_array_steal_index_fast (self->idle, self->idle->len - 1);
  g_mutex_unlock (&self->pool_lock);

  if (db != NULL)
    return db;

  return ltm_store_db_open (self->dir, flags, error);
}

void
ltm_store_give_db (LtmStore   *self,
                   LtmStoreDb *db)
{
  ltm_store_db_rollback (db);

  g_mutex_lock (&self->pool_lock);
  if (self->idle->len < MAX_IDLE_CONNECTIONS)
    g_ptr_array_add (self->idle, g_steal_pointer (&db));
  g_mutex_unlock (&self->pool_lock);

  ltm_store_db_close (db);
}

static gboolean
ltm_store_not_found (const char  *channel_id,
                     GError     **error)
{
  /* Translators: %s is a channel ID */
  g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
               _("The channel %s is not in the list."), channel_id);
  return FALSE;
}

/* The operations, each in one write transaction */

static gboolean
ltm_store_step (LtmStoreDb    *db,
                sqlite3_stmt  *stmt,
                GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

static void
ltm_store_bind_sealed (sqlite3_stmt *stmt,
                       int           column,
                       LtmSealKey   *key,
                       const char   *channel_id,
                       const char   *kind,
                       const char   *key_id,
                       const char   *plain)
{
  g_autoptr(GBytes) sealed = NULL;
  gsize len;
  const void *data;

  if (plain == NULL)
    {
      sqlite3_bind_null (stmt, column);
      return;
    }

  sealed = ltm_store_db_seal (key, channel_id, kind, key_id, plain);
  data = g_bytes_get_data (sealed, &len);
  sqlite3_bind_blob (stmt, column, data, len, SQLITE_TRANSIENT);
}

/* Marks the channel changed at @generation; NOT_FOUND when it is not there. */
static gboolean
ltm_store_touch_channel (LtmStoreDb  *db,
                         const char  *channel_id,
                         gint64       generation,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db, "UPDATE channels SET rev = ? WHERE channel_id = ?", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, generation);
  sqlite3_bind_text (stmt, 2, channel_id, -1, SQLITE_STATIC);
  if (!ltm_store_step (db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (db)) == 0)
    return ltm_store_not_found (channel_id, error);

  return TRUE;
}

static gboolean
ltm_store_op_add_channel (LtmStoreOp   *op,
                          LtmStoreDb   *db,
                          LtmSealKey   *key,
                          gint64        generation,
                          GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  int rc;

  if (op->key != NULL && (jwk = ltm_key_to_private_jwk (op->key, error)) == NULL)
    return FALSE;

  stmt = ltm_store_db_prepare (db,
                               "INSERT INTO channels (channel_id, name, kid, key_thumbprint, "
                               "key_created, sealed_key, sealed_secret, rev) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, op->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, op->kid, -1, SQLITE_STATIC);
  if (op->key != NULL)
    {
      sqlite3_bind_text (stmt, 4, ltm_key_get_thumbprint (op->key), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
    }
  else
    sqlite3_bind_int64 (stmt, 5, 0);
  ltm_store_bind_sealed (stmt, 6, key, op->channel_id, KIND_KEY, NULL, jwk);
  ltm_store_bind_sealed (stmt, 7, key, op->channel_id, KIND_SECRET, NULL, op->secret);
  sqlite3_bind_int64 (stmt, 8, generation);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("The channel %s is already in the list."), op->channel_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

static gboolean
ltm_store_op_add_token (LtmStoreOp   *op,
                        LtmStoreDb   *db,
                        LtmSealKey   *key,
                        GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ltm_store_db_prepare (db,
                               "INSERT INTO tokens (channel_id, key_id, kind, issued_at, "
                               "expires_at, sealed_token) VALUES (?, ?, ?, ?, ?, ?)",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, op->key_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ltm_token_kind_to_string (op->token_kind), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, op->issued_at);
  sqlite3_bind_int64 (stmt, 5, op->expires_at);
  ltm_store_bind_sealed (stmt, 6, key, op->channel_id, KIND_TOKEN, op->key_id, op->secret);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("A token with the key ID %s is already stored."), op->key_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/* Runs @sql with @op's token (?1 channel, ?2 key ID, ?3 revoked, ?4 unknown);
 * NOT_FOUND when no token matched. */
static gboolean
ltm_store_op_token_statement (LtmStoreOp   *op,
                              LtmStoreDb   *db,
                              const char   *sql,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, op->key_id, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    {
      sqlite3_bind_int (stmt, 3, op->revoked);
      sqlite3_bind_int (stmt, 4, op->unknown);
    }

  if (!ltm_store_step (db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (db)) == 0)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("No token with the key ID %s is stored for channel %s."),
                   op->key_id, op->channel_id);
      return FALSE;
    }

  return TRUE;
}

/* Runs @sql on @op's channel (?1 channel, ?2 the value); NOT_FOUND when it
 * is not there. */
static gboolean
ltm_store_op_channel_statement (LtmStoreOp   *op,
                                LtmStoreDb   *db,
                                const char   *sql,
                                const char   *value,
                                LtmSealKey   *key,
                                const char   *sealed_kind,
                                GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (stmt) >= 2 && sealed_kind != NULL)
    ltm_store_bind_sealed (stmt, 2, key, op->channel_id, sealed_kind, NULL, value);
  else if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);

  if (sqlite3_bind_parameter_count (stmt) >= 4)
    {
      sqlite3_bind_text (stmt, 3, ltm_key_get_thumbprint (op->key), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
    }

  if (!ltm_store_step (db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (db)) == 0)
    return ltm_store_not_found (op->channel_id, error);

  return TRUE;
}

static gboolean
ltm_store_op_set_deploy_targets (LtmStoreOp  *op,
                                 LtmStoreDb  *db,
                                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db,
                               "UPDATE channels SET env_file = ?2, env_name = ?3, "
                               "deploy_command = ?4, grace = ?5 WHERE channel_id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, op->targets.env_file, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, op->targets.env_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, op->targets.command, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, op->targets.grace);

  return ltm_store_step (db, stmt, error);
}

static gboolean
ltm_store_op_set_delivery (LtmStoreOp  *op,
                           LtmStoreDb  *db,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db,
                               "UPDATE channels SET delivery = ?2, delivered_at = ?3, "
                               "delivery_message = ?4 WHERE channel_id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ltm_delivery_status_to_string (op->delivery), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, op->delivered_at);
  sqlite3_bind_text (stmt, 4, op->name, -1, SQLITE_STATIC);

  return ltm_store_step (db, stmt, error);
}

/* Marks each of @op's tokens that is still valid; a revoked one stays revoked. */
static gboolean
ltm_store_op_retire_tokens (LtmStoreOp  *op,
                            LtmStoreDb  *db,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ltm_store_db_prepare (db,
                               "UPDATE tokens SET retirement = ?3, retire_at = ?4 "
                               "WHERE channel_id = ?1 AND key_id = ?2 AND revoked = 0",
                               error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; op->key_ids != NULL && op->key_ids[i] != NULL; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, op->channel_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, op->key_ids[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, ltm_token_retirement_to_string (op->retirement), -1,
                         SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, op->retirement != LTM_TOKEN_RETIREMENT_NONE
                                   ? op->delivered_at : 0);
      if (!ltm_store_step (db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean ltm_store_inspect (LtmStoreDb  *db,
                                   gboolean     repair,
                                   GPtrArray   *problems,
                                   GError     **error);

/* In the write transaction: @op's change, at @generation. */
static gboolean
ltm_store_op_change (LtmStoreOp   *op,
                     LtmStoreDb   *db,
                     LtmSealKey   *key,
                     gint64        generation,
                     GError      **error)
{
  switch (op->kind)
    {
    case LTM_STORE_OP_ADD_CHANNEL:
      return ltm_store_op_add_channel (op, db, key, generation, error);

    case LTM_STORE_OP_REMOVE_CHANNEL:
      /* Its tokens go with it (ON DELETE CASCADE). */
      return ltm_store_op_channel_statement (op, db, "DELETE FROM channels WHERE channel_id = ?1",
                                             NULL, NULL, NULL, error);

    case LTM_STORE_OP_REPAIR:
      {
        g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                        ltm_store_problem_free);

        return ltm_store_inspect (db, TRUE, problems, error);
      }

    case LTM_STORE_OP_LOAD:
      g_assert_not_reached ();

    case LTM_STORE_OP_SET_NAME:
    case LTM_STORE_OP_SET_KID:
    case LTM_STORE_OP_SET_KEY:
    case LTM_STORE_OP_SET_SECRET:
    case LTM_STORE_OP_ADD_TOKEN:
    case LTM_STORE_OP_SET_TOKEN_STATE:
    case LTM_STORE_OP_REMOVE_TOKEN:
    case LTM_STORE_OP_SET_DEPLOY_TARGETS:
    case LTM_STORE_OP_SET_DELIVERY:
    case LTM_STORE_OP_RETIRE_TOKENS:
    default:
      break;
    }

  if (!ltm_store_touch_channel (db, op->channel_id, generation, error))
    return FALSE;

  switch (op->kind)
    {
    case LTM_STORE_OP_SET_NAME:
      return ltm_store_op_channel_statement (op, db, "UPDATE channels SET name = ?2 "
                                             "WHERE channel_id = ?1",
                                             op->name, NULL, NULL, error);

    case LTM_STORE_OP_SET_KID:
      return ltm_store_op_channel_statement (op, db, "UPDATE channels SET kid = ?2 "
                                             "WHERE channel_id = ?1",
                                             op->kid, NULL, NULL, error);

    case LTM_STORE_OP_SET_KEY:
      {
        g_autoptr(LtmSecret) jwk = ltm_key_to_private_jwk (op->key, error);

        /* The kid belonged to the old key: a new one must be registered. */
        return jwk != NULL &&
               ltm_store_op_channel_statement (op, db,
                                               "UPDATE channels SET sealed_key = ?2, "
                                               "kid = CASE WHEN key_thumbprint IS ?3 THEN kid END, "
                                               "key_thumbprint = ?3, key_created = ?4 "
                                               "WHERE channel_id = ?1",
                                               jwk, key, KIND_KEY, error);
      }

    case LTM_STORE_OP_SET_SECRET:
      return ltm_store_op_channel_statement (op, db, "UPDATE channels SET sealed_secret = ?2 "
                                             "WHERE channel_id = ?1",
                                             op->secret, key, KIND_SECRET, error);

    case LTM_STORE_OP_ADD_TOKEN:
      return ltm_store_op_add_token (op, db, key, error);

    case LTM_STORE_OP_SET_TOKEN_STATE:
      /* A revoked token is worth nothing: its secret goes. */
      return ltm_store_op_token_statement (op, db,
                                           "UPDATE tokens SET revoked = ?3, unknown = ?4, "
                                           "sealed_token = CASE WHEN ?3 THEN NULL "
                                           "ELSE sealed_token END "
                                           "WHERE channel_id = ?1 AND key_id = ?2",
                                           error);

    case LTM_STORE_OP_REMOVE_TOKEN:
      return ltm_store_op_token_statement (op, db, "DELETE FROM tokens "
                                           "WHERE channel_id = ?1 AND key_id = ?2",
                                           error);

    case LTM_STORE_OP_SET_DEPLOY_TARGETS:
      return ltm_store_op_set_deploy_targets (op, db, error);

    case LTM_STORE_OP_SET_DELIVERY:
      return ltm_store_op_set_delivery (op, db, error);

    case LTM_STORE_OP_RETIRE_TOKENS:
      return ltm_store_op_retire_tokens (op, db, error);

    case LTM_STORE_OP_LOAD:
    case LTM_STORE_OP_ADD_CHANNEL:
    case LTM_STORE_OP_REMOVE_CHANNEL:
    case LTM_STORE_OP_REPAIR:
    default:
      g_assert_not_reached ();
    }
}

/* Checks what an op is given before anything is written. */
static gboolean
ltm_store_op_check (LtmStoreOp  *op,
                    GError     **error)
{
  switch (op->kind)
    {
    case LTM_STORE_OP_ADD_CHANNEL:
      return ltm_jwt_check_channel_id (op->channel_id, error) &&
             (op->name == NULL || ltm_channel_check_name (op->name, error)) &&
             (op->kid == NULL || ltm_jwt_check_kid (op->kid, error));

    case LTM_STORE_OP_SET_NAME:
      return op->name == NULL || ltm_channel_check_name (op->name, error);

    case LTM_STORE_OP_SET_KID:
      return op->kid == NULL || ltm_jwt_check_kid (op->kid, error);

    case LTM_STORE_OP_ADD_TOKEN:
      return ltm_jwt_check_key_id (op->key_id, error);

    case LTM_STORE_OP_LOAD:
    case LTM_STORE_OP_REMOVE_CHANNEL:
    case LTM_STORE_OP_SET_KEY:
    case LTM_STORE_OP_SET_SECRET:
    case LTM_STORE_OP_SET_DEPLOY_TARGETS:
      return ltm_deploy_targets_check (&op->targets, error);

    case LTM_STORE_OP_SET_TOKEN_STATE:
    case LTM_STORE_OP_REMOVE_TOKEN:
    case LTM_STORE_OP_REPAIR:
    case LTM_STORE_OP_SET_DELIVERY:
    case LTM_STORE_OP_RETIRE_TOKENS:
    default:
      return TRUE;
    }
}

static LtmStoreDoc *
ltm_store_op_write (LtmStoreOp  *op,
                    LtmStoreDb  *db,
                    GError     **error)
{
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(LtmStoreDoc) doc = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  gboolean seals = op->key != NULL || op->secret != NULL || op->kind == LTM_STORE_OP_REPAIR;
  gint64 generation;

  /* The master key is read before the write lock is taken (the keyring
   * may ask to be unlocked); only its first making waits inside it. */
  if (seals)
    {
      g_autoptr(GError) local_error = NULL;

      key = ltm_store_db_get_master_key (db, FALSE, &local_error);
      if (key == NULL && !g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  /* Until the commit or the rollback, when the function returns. */
  locker = g_mutex_locker_new (&op->store->write_lock);
  if (!ltm_store_db_begin (db, TRUE, error))
    return NULL;

  if (seals && key == NULL && op->kind != LTM_STORE_OP_REPAIR &&
      (key = ltm_store_db_get_master_key (db, TRUE, error)) == NULL)
    goto fail;

  if ((generation = ltm_store_db_next_generation (db, error)) < 0 ||
      !ltm_store_op_change (op, db, key, generation, error))
    goto fail;

  /* The rows as they are now, for the models. */
  if (op->kind == LTM_STORE_OP_REPAIR)
    doc = ltm_store_db_read (db, NULL, error);
  else
    doc = ltm_store_db_read (db, op->channel_id, error);
  if (doc == NULL)
    goto fail;
  if (op->kind == LTM_STORE_OP_REMOVE_CHANNEL)
    doc->removed = g_strdup (op->channel_id);

  if (!ltm_store_db_commit (db, error))
    return NULL;

  return g_steal_pointer (&doc);

fail:
  ltm_store_db_rollback (db);
  return NULL;
}

static LtmStoreDoc *
ltm_store_op_read (LtmStoreOp  *op,
                   LtmStoreDb  *db,
                   GError     **error)
{
  LtmStoreDoc *doc;
  gint64 generation;

  /* One snapshot, whatever other processes commit meanwhile. */
  if (!ltm_store_db_begin (db, FALSE, error))
    return NULL;

  /* What PRAGMA data_version tells one connection, the generation tells
   * every connection of every process: whether anything changed since. */
  if (op->seen > 0 && (generation = ltm_store_db_get_generation (db, error)) == op->seen)
    doc = ltm_store_doc_new_unchanged (generation);
  else
    doc = ltm_store_db_read (db, NULL, error);
  ltm_store_db_rollback (db);

  return doc;
}

/* Runs in any thread: no GObject here but the immutable LtmKey (and the
 * store's connection pool, under its lock). */
static LtmStoreDoc *
ltm_store_op_run (LtmStoreOp  *op,
                  GError     **error)
{
  LtmStore *self = op->store;
  LtmStoreDb *db;
  LtmStoreDoc *doc;
  GError *local_error = NULL;

  if (!ltm_store_op_check (op, error))
    return NULL;

  /* Reading creates nothing, so that a list from a missing or read-only
   * folder works. */
  db = ltm_store_take_db (self, op->kind == LTM_STORE_OP_LOAD
                                ? LTM_STORE_DB_OPEN_READ : LTM_STORE_DB_OPEN_CREATE,
                          &local_error);
  if (db == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (op->kind == LTM_STORE_OP_LOAD)
        return ltm_store_doc_new ();
      ltm_store_not_found (op->channel_id, error);
      return NULL;
    }

  if (op->kind == LTM_STORE_OP_LOAD)
    doc = ltm_store_op_read (op, db, &local_error);
  else
    doc = ltm_store_op_write (op, db, &local_error);

  /* A connection that met damage is not kept. */
  if (local_error != NULL && g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED))
    ltm_store_db_close (db);
  else
    ltm_store_give_db (self, db);

  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return doc;
}

/* The models */

static LtmToken *
ltm_store_new_token (LtmTokenRecord *record)
{
  LtmToken *token = ltm_token_new (record->key_id, record->kind,
                                   record->issued_at, record->expires_at);

  ltm_token_set_revoked (token, record->revoked);
  ltm_token_set_unknown (token, record->unknown);
  ltm_token_set_retirement (token, record->retirement, record->retire_at);

  return token;
}

static void
ltm_store_apply_tokens (LtmChannel       *channel,
                        LtmChannelRecord *record)
{
  GListModel *tokens = ltm_channel_get_tokens (channel);
  guint n = g_list_model_get_n_items (tokens);
  g_autoptr(GHashTable) existing = NULL;
  g_autoptr(GPtrArray) ordered = NULL;
  gboolean same = n == record->tokens->len;

  /* The common case when loading: nothing there yet. */
  if (n == 0 && record->tokens->len == 0)
    return;

  existing = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  ordered = g_ptr_array_new_full (record->tokens->len, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      LtmToken *token = g_list_model_get_item (tokens, i);

      g_hash_table_insert (existing, (gpointer) ltm_token_get_key_id (token), token);
    }

  for (guint i = 0; i < record->tokens->len; i++)
    {
      LtmTokenRecord *token_record = g_ptr_array_index (record->tokens, i);
      LtmToken *token = g_hash_table_lookup (existing, token_record->key_id);

      if (token == NULL)
        {
          token = ltm_store_new_token (token_record);
          same = FALSE;
        }
      else
        {
          g_object_ref (token);
          ltm_token_set_revoked (token, token_record->revoked);
          ltm_token_set_unknown (token, token_record->unknown);
          ltm_token_set_retirement (token, token_record->retirement, token_record->retire_at);
          if (same)
            {
              g_autoptr(LtmToken) at = g_list_model_get_item (tokens, i);
              same = at == token;
            }
        }

      g_ptr_array_add (ordered, token);
    }

  if (!same)
    ltm_channel_set_tokens (channel, ordered);
}

static void
ltm_store_apply_record (LtmChannel       *channel,
                        LtmChannelRecord *record)
{
  ltm_channel_set_name (channel, record->name);
  ltm_channel_set_kid (channel, record->kid);
  ltm_channel_set_key_thumbprint (channel, record->key_thumbprint);
  ltm_channel_set_key_created (channel, record->key_created);
  ltm_channel_set_has_secret (channel, record->has_secret);
  ltm_channel_set_deploy_targets (channel, &record->targets);
  ltm_channel_set_delivery (channel, record->delivery, record->delivered_at,
                            record->delivery_message);
  ltm_store_apply_tokens (channel, record);
}

/* The generation of the channel the models show, or -1. */
static gint64
ltm_store_shown_rev (LtmStore   *self,
                     const char *channel_id)
{
  gpointer rev;

  if (!g_hash_table_lookup_extended (self->revs, channel_id, NULL, &rev))
    return -1;

  return *(gint64 *) rev;
}

static void
ltm_store_set_shown_rev (LtmStore   *self,
                         const char *channel_id,
                         gint64      rev)
{
  g_hash_table_replace (self->revs, g_strdup (channel_id), g_memdup2 (&rev, sizeof rev));
}

/* Keeps count of the generations the models show: all up to @seen, and
 * those after it that changes of this process made. */
static void
ltm_store_saw_generation (LtmStore    *self,
                          LtmStoreDoc *doc)
{
  gint64 next;

  if (!doc->partial)
    {
      /* A whole read shows every change up to its generation. */
      self->seen = MAX (self->seen, doc->generation);
    }
  else if (doc->generation > self->seen)
    g_hash_table_add (self->seen_later, g_memdup2 (&doc->generation, sizeof (gint64)));

  next = self->seen + 1;
  while (g_hash_table_remove (self->seen_later, &next))
    self->seen = next++;
}

/* Brings the models in line with @doc, keeping the objects that stay, so
 * that views bound to them follow.  Concurrent ops finish in any order:
 * a record older than what the models show is skipped, and a channel is
 * dropped only by a read at least as new as its last change. */
static void
ltm_store_apply (LtmStore    *self,
                 LtmStoreDoc *doc)
{
  g_autoptr(GHashTable) existing = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                          NULL, g_object_unref);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (self->channels);
  guint n = g_list_model_get_n_items (model);
  gboolean same_order = TRUE;

  ltm_store_saw_generation (self, doc);
  if (doc->unchanged)
    return;

  if (!doc->partial)
    {
      if (doc->generation < self->loaded)
        return;
      self->loaded = doc->generation;
    }

  for (guint i = 0; i < n; i++)
    {
      LtmChannel *channel = g_list_model_get_item (model, i);

      g_hash_table_insert (existing, (gpointer) ltm_channel_get_channel_id (channel), channel);
    }

  /* The channels @doc has, in its order; those it says nothing of stay. */
  for (guint i = 0; i < doc->channels->len; i++)
    {
      LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
      LtmChannel *channel = g_hash_table_lookup (existing, record->channel_id);

      g_hash_table_add (listed, record->channel_id);
      if (record->rev < ltm_store_shown_rev (self, record->channel_id))
        continue;                               /* the models show a newer change */

      ltm_store_set_shown_rev (self, record->channel_id, record->rev);
      if (channel == NULL)
        {
          channel = ltm_channel_new (record->channel_id, NULL);
          g_hash_table_insert (existing, (gpointer) ltm_channel_get_channel_id (channel), channel);
        }
      ltm_store_apply_record (channel, record);
    }

  if (doc->removed != NULL && ltm_store_shown_rev (self, doc->removed) <= doc->generation)
    {
      ltm_store_set_shown_rev (self, doc->removed, doc->generation);
      g_hash_table_remove (existing, doc->removed);
    }

  if (doc->partial)
    {
      /* The models' order, a new channel last. */
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LtmChannel) at = g_list_model_get_item (model, i);
          LtmChannel *channel = g_hash_table_lookup (existing, ltm_channel_get_channel_id (at));

          if (channel != NULL)
            g_ptr_array_add (ordered, g_object_ref (channel));
        }
      for (guint i = 0; i < doc->channels->len; i++)
        {
          LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
          LtmChannel *channel = g_hash_table_lookup (existing, record->channel_id);

          if (channel != NULL && !g_ptr_array_find (ordered, channel, NULL))
            g_ptr_array_add (ordered, g_object_ref (channel));
        }
    }
  else
    {
      /* @doc's order; a channel it lacks goes unless changed after it was read. */
      for (guint i = 0; i < doc->channels->len; i++)
        {
          LtmChannelRecord *record = g_ptr_array_index (doc->channels, i);
          LtmChannel *channel = g_hash_table_lookup (existing, record->channel_id);

          if (channel != NULL)
            g_ptr_array_add (ordered, g_object_ref (channel));
        }
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LtmChannel) at = g_list_model_get_item (model, i);
          const char *id = ltm_channel_get_channel_id (at);
          LtmChannel *channel = g_hash_table_lookup (existing, id);

          if (channel != NULL && !g_hash_table_contains (listed, id) &&
              ltm_store_shown_rev (self, id) > doc->generation)
            g_ptr_array_add (ordered, g_object_ref (channel));
        }
    }

  if (ordered->len == n)
    for (guint i = 0; i < n && same_order; i++)
      {
        g_autoptr(LtmChannel) at = g_list_model_get_item (model, i);
        same_order = at == g_ptr_array_index (ordered, i);
      }
  else
    same_order = FALSE;

  if (!same_order)
    g_list_store_splice (self->channels, 0, n, ordered->pdata, ordered->len);
}

/* Runs @op and updates the models. */
static gboolean
ltm_store_run (LtmStore    *self,
               LtmStoreOp  *op,
               GError     **error)
{
  g_autoptr(LtmStoreDoc) doc = ltm_store_op_run (op, error);

  if (doc == NULL)
    return FALSE;

  ltm_store_apply (self, doc);

  return TRUE;
}

static void
ltm_store_finalize (GObject *object)
{
  LtmStore *self = (LtmStore *)object;

  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->channels);
  g_clear_pointer (&self->revs, g_hash_table_unref);
  g_clear_pointer (&self->seen_later, g_hash_table_unref);
  g_clear_pointer (&self->idle, g_ptr_array_unref);
  g_mutex_clear (&self->pool_lock);
  g_mutex_clear (&self->write_lock);

  G_OBJECT_CLASS (ltm_store_parent_class)->finalize (object);
}

static void
ltm_store_class_init (LtmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_store_finalize;
}

static void
ltm_store_init (LtmStore *self)
{
  self->channels = g_list_store_new (LTM_TYPE_CHANNEL);
  self->revs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seen_later = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_db_close);
  g_mutex_init (&self->pool_lock);
  g_mutex_init (&self->write_lock);
}

/**
 * ltm_store_new:
 * @data_dir: (nullable): the folder for store.sqlite3; %NULL for
 *   `LTM_DATA_DIR` or, without it, `$XDG_DATA_HOME/line-token-manager`
 *
 * Nothing is read until ltm_store_load().
 *
 * Returns: (transfer full): a new #LtmStore
 */
LtmStore *
ltm_store_new (const char *data_dir)
{
  LtmStore *self = g_object_new (LTM_TYPE_STORE, NULL);

  if (data_dir == NULL)
    data_dir = g_getenv ("LTM_DATA_DIR");

  if (data_dir != NULL && data_dir[0] != '\0')
    self->dir = g_strdup (data_dir);
  else
    self->dir = g_build_filename (g_get_user_data_dir (), "line-token-manager", NULL);

  self->path = g_build_filename (self->dir, LTM_STORE_FILE_NAME, NULL);

  return self;
}

/**
 * ltm_store_get_path:
 * @self: a #LtmStore
 *
 * Returns: where the database is (it may not exist yet)
 */
const char *
ltm_store_get_path (LtmStore *self)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return self->path;
}

/**
 * ltm_store_get_channels:
 * @self: a #LtmStore
 *
 * Returns: (transfer none): the #LtmChannel objects
 */
GListModel *
ltm_store_get_channels (LtmStore *self)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  return G_LIST_MODEL (self->channels);
}

/**
 * ltm_store_lookup_channel:
 * @self: a #LtmStore
 * @channel_id: a channel ID
 * @error: return location for a #GError
 *
 * As ltm_store_find_channel(), for a channel that must be there.
 *
 * Returns: (transfer none): the channel, or %NULL with @error set
 */
LtmChannel *
ltm_store_lookup_channel (LtmStore    *self,
                          const char  *channel_id,
                          GError     **error)
{
  LtmChannel *channel = ltm_store_find_channel (self, channel_id);

  if (channel == NULL)
    ltm_store_not_found (channel_id, error);

  return channel;
}

/**
 * ltm_store_lookup_token:
 * @self: a #LtmStore
 * @channel_id: a channel ID
 * @key_id: (nullable): which token; %NULL for the newest usable one
 * @now: the current time, Unix seconds
 * @error: return location for a #GError
 *
 * Returns: (transfer none): the stored token, or %NULL with @error
 *   saying whether the channel or the token is missing
 */
LtmToken *
ltm_store_lookup_token (LtmStore    *self,
                        const char  *channel_id,
                        const char  *key_id,
                        gint64       now,
                        GError     **error)
{
  LtmChannel *channel = ltm_store_lookup_channel (self, channel_id, error);
  LtmToken *token;

  if (channel == NULL)
    return NULL;

  if (key_id != NULL)
    {
      if ((token = ltm_channel_find_token (channel, key_id)) == NULL)
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No token with the key ID %s is stored for channel %s."), key_id,
                     channel_id);
    }
  else if ((token = ltm_channel_get_newest_usable (channel, now)) == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                 _("No usable token is stored for channel %s."), channel_id);

  return token;
}

/**
 * ltm_store_find_channel:
 * @self: a #LtmStore
 * @channel_id: a channel ID
 *
 * Returns: (transfer none) (nullable): the channel
 */
LtmChannel *
ltm_store_find_channel (LtmStore   *self,
                        const char *channel_id)
{
  guint n;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      if (g_strcmp0 (ltm_channel_get_channel_id (channel), channel_id) == 0)
        return channel;
    }

  return NULL;
}

/**
 * ltm_store_load:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Reads the channels and tokens.  Nothing is unsealed, so the master key
 * is not needed; a missing store is an empty list and is not created.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_load (LtmStore  *self,
                GError   **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL);

  return ltm_store_run (self, op, error);
}

static LtmStoreOp *
ltm_store_op_new_add_channel (LtmStore   *self,
                              const char *channel_id,
                              const char *name,
                              const char *kid,
                              LtmKey     *key,
                              const char *channel_secret)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_ADD_CHANNEL, channel_id);

  op->name = g_strdup (name);
  op->kid = g_strdup (kid);
  op->key = key != NULL ? g_object_ref (key) : NULL;
  op->secret = g_strdup (channel_secret);

  return op;
}

/**
 * ltm_store_add_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid the console gave for @key
 * @key: (nullable): the assertion signing key, with its private half
 * @channel_secret: (nullable): the channel secret
 * @error: return location for a #GError
 *
 * The channel and its sealed secrets go in one transaction: all of it is
 * stored, or nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_add_channel (LtmStore    *self,
                       const char  *channel_id,
                       const char  *name,
                       const char  *kid,
                       LtmKey      *key,
                       const char  *channel_secret,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);
  g_return_val_if_fail (key == NULL || ltm_key_has_private (key), FALSE);

  op = ltm_store_op_new_add_channel (self, channel_id, name, kid, key, channel_secret);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_remove_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Removes the channel, its sealed secrets and its tokens.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_remove_channel (LtmStore    *self,
                          const char  *channel_id,
                          GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REMOVE_CHANNEL, channel_id);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_name:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): the new name
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_name (LtmStore    *self,
                    const char  *channel_id,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_NAME, channel_id);
  op->name = g_strdup (name);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_kid:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid the console gave for the channel's key
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_kid (LtmStore    *self,
                   const char  *channel_id,
                   const char  *kid,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KID, channel_id);
  op->kid = g_strdup (kid);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key
 * @error: return location for a #GError
 *
 * Replaces the channel's key in one transaction.  A different key needs
 * registering again, so the stored kid is cleared.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_key (LtmStore    *self,
                   const char  *channel_id,
                   LtmKey      *key,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KEY, channel_id);
  op->key = g_object_ref (key);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_secret (LtmStore    *self,
                      const char  *channel_id,
                      const char  *channel_secret,
                      GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_secret != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_SECRET, channel_id);
  op->secret = g_strdup (channel_secret);

  return ltm_store_run (self, op, error);
}

static LtmStoreOp *
ltm_store_op_new_add_token (LtmStore           *self,
                            const char         *channel_id,
                            LtmTokenKind        kind,
                            const LtmLineToken *token,
                            gint64              issued_at)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_ADD_TOKEN, channel_id);

  /* Only v2.1 tokens have a key_id from LINE; the others get one of ours. */
  if (token->key_id != NULL)
    op->key_id = g_strdup (token->key_id);
  else
    {
      g_autofree char *uuid = g_uuid_string_random ();
      op->key_id = g_strconcat ("local-", uuid, NULL);
    }
  op->secret = g_strdup (token->access_token);
  op->token_kind = kind;
  op->issued_at = issued_at;
  op->expires_at = issued_at + token->expires_in;

  return op;
}

/**
 * ltm_store_add_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered when it issued the token
 * @issued_at: when it was issued, Unix seconds
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token's key ID (LINE's for v2.1, one of
 *   ours otherwise), or %NULL with @error set
 */
char *
ltm_store_add_token (LtmStore            *self,
                     const char          *channel_id,
                     LtmTokenKind         kind,
                     const LtmLineToken  *token,
                     gint64               issued_at,
                     GError             **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  op = ltm_store_op_new_add_token (self, channel_id, kind, token, issued_at);

  if (!ltm_store_run (self, op, error))
    return NULL;

  return g_strdup (op->key_id);
}

/**
 * ltm_store_set_token_state:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked; its secret is then removed
 * @unknown: whether LINE no longer lists it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_token_state (LtmStore    *self,
                           const char  *channel_id,
                           const char  *key_id,
                           gboolean     revoked,
                           gboolean     unknown,
                           GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_TOKEN_STATE, channel_id);
  op->key_id = g_strdup (key_id);
  op->revoked = revoked;
  op->unknown = unknown;

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_remove_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @error: return location for a #GError
 *
 * Forgets a token and removes its secret.  LINE is not asked to revoke it.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_remove_token (LtmStore    *self,
                        const char  *channel_id,
                        const char  *key_id,
                        GError     **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_id != NULL, FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REMOVE_TOKEN, channel_id);
  op->key_id = g_strdup (key_id);

  return ltm_store_run (self, op, error);
}

static LtmStoreOp *
ltm_store_op_new_set_deploy_targets (LtmStore               *self,
                                     const char             *channel_id,
                                     const LtmDeployTargets *targets)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_SET_DEPLOY_TARGETS, channel_id);

  ltm_deploy_targets_copy (targets, &op->targets);

  return op;
}

static LtmStoreOp *
ltm_store_op_new_set_delivery (LtmStore          *self,
                               const char        *channel_id,
                               LtmDeliveryStatus  status,
                               gint64             delivered_at,
                               const char        *message)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_SET_DELIVERY, channel_id);

  op->delivery = status;
  op->delivered_at = delivered_at;
  op->name = g_strdup (message);

  return op;
}

static LtmStoreOp *
ltm_store_op_new_retire_tokens (LtmStore           *self,
                                const char         *channel_id,
                                const char * const *key_ids,
                                LtmTokenRetirement  retirement,
                                gint64              retire_at)
{
  LtmStoreOp *op = ltm_store_op_new (self, LTM_STORE_OP_RETIRE_TOKENS, channel_id);

  op->key_ids = g_strdupv ((char **) key_ids);
  op->retirement = retirement;
  op->delivered_at = retire_at;

  return op;
}

/**
 * ltm_store_set_deploy_targets:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @targets: where the channel's new tokens go, and its grace period
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_deploy_targets (LtmStore                *self,
                              const char              *channel_id,
                              const LtmDeployTargets  *targets,
                              GError                 **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (targets != NULL, FALSE);

  op = ltm_store_op_new_set_deploy_targets (self, channel_id, targets);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_delivery:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @status: how the last delivery went
 * @delivered_at: when, Unix seconds
 * @message: (nullable): what it did, in words
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_delivery (LtmStore           *self,
                        const char         *channel_id,
                        LtmDeliveryStatus   status,
                        gint64              delivered_at,
                        const char         *message,
                        GError            **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new_set_delivery (self, channel_id, status, delivered_at, message);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_retire_tokens:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_ids: the tokens a rotation replaced
 * @retirement: replaced (valid until they expire) or retiring (revoked at @retire_at)
 * @retire_at: when they were replaced, or when to revoke them, Unix seconds
 * @error: return location for a #GError
 *
 * Marks the tokens in one transaction; revoked ones are left as they are.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_retire_tokens (LtmStore            *self,
                         const char          *channel_id,
                         const char * const  *key_ids,
                         LtmTokenRetirement   retirement,
                         gint64               retire_at,
                         GError             **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key_ids != NULL, FALSE);

  op = ltm_store_op_new_retire_tokens (self, channel_id, key_ids, retirement, retire_at);

  return ltm_store_run (self, op, error);
}

/* Reading secrets, from any thread */

/* Unseals the secret of one row: the channel's key (@kind KIND_KEY), its
 * channel secret (KIND_SECRET) or a token's (KIND_TOKEN, @key_id). */
static LtmSecret *
ltm_store_read_secret (LtmStore    *self,
                       const char  *channel_id,
                       const char  *kind,
                       const char  *key_id,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  GError *local_error = NULL;
  LtmSecret *secret = NULL;
  LtmStoreDb *db;
  const char *sql;
  int rc;

  if ((db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &local_error)) == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        ltm_store_not_found (channel_id, error);
      return NULL;
    }

  if (g_str_equal (kind, KIND_TOKEN))
    sql = "SELECT t.sealed_token, t.revoked FROM channels c LEFT JOIN tokens t "
          "ON t.channel_id = c.channel_id AND t.key_id = ?2 WHERE c.channel_id = ?1";
  else if (g_str_equal (kind, KIND_KEY))
    sql = "SELECT sealed_key, 0 FROM channels WHERE channel_id = ?1";
  else
    sql = "SELECT sealed_secret, 0 FROM channels WHERE channel_id = ?1";

  if ((stmt = ltm_store_db_prepare (db, sql, &local_error)) == NULL)
    goto out;

  sqlite3_bind_text (stmt, 1, channel_id, -1, SQLITE_STATIC);
  if (key_id != NULL)
    sqlite3_bind_text (stmt, 2, key_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      ltm_store_not_found (channel_id, &local_error);
      goto out;
    }
  if (rc != SQLITE_ROW)
    {
      ltm_store_db_fail (db, rc, &local_error);
      goto out;
    }

  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB)
    {
      if (g_str_equal (kind, KIND_KEY))
        g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No assertion signing key is stored for channel %s."), channel_id);
      else if (g_str_equal (kind, KIND_SECRET))
        g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No channel secret is stored for channel %s."), channel_id);
      else if (sqlite3_column_int (stmt, 1))
        g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("The token %s of channel %s was revoked; it is no longer kept."),
                     key_id, channel_id);
      else
        g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No token with the key ID %s is stored for channel %s."),
                     key_id, channel_id);
      goto out;
    }

  if ((key = ltm_store_db_get_master_key (db, FALSE, &local_error)) == NULL)
    goto out;

  secret = ltm_store_db_unseal (key, channel_id, kind, key_id, sqlite3_column_blob (stmt, 0),
                               sqlite3_column_bytes (stmt, 0), NULL);
  if (secret == NULL)
    g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED,
                 _("The sealed %s of channel %s does not open: it was changed, or copied from "
                   "another row."),
                 g_str_equal (kind, KIND_KEY) ? _("assertion signing key")
                 : g_str_equal (kind, KIND_SECRET) ? _("channel secret") : _("access token"),
                 channel_id);

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  ltm_store_give_db (self, db);
  if (local_error != NULL)
    g_propagate_error (error, local_error);

  return secret;
}

static LtmKey *
ltm_store_read_key (LtmStore    *self,
                    const char  *channel_id,
                    GError     **error)
{
  g_autoptr(LtmSecret) jwk = ltm_store_read_secret (self, channel_id, KIND_KEY, NULL, error);
  LtmKey *key;

  if (jwk == NULL)
    return NULL;

  key = ltm_key_new_from_data (jwk, strlen (jwk), LTM_KEY_IMPORT_PRIVATE, error);
  if (key == NULL)
    g_prefix_error (error, _("The key stored for channel %s is damaged: "), channel_id);

  return key;
}

/**
 * ltm_store_get_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel's assertion signing key
 */
LtmKey *
ltm_store_get_key (LtmStore    *self,
                   const char  *channel_id,
                   GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  return ltm_store_read_key (self, channel_id, error);
}

/**
 * ltm_store_get_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret (LtmStore    *self,
                      const char  *channel_id,
                      GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  return ltm_store_read_secret (self, channel_id, KIND_SECRET, NULL, error);
}

/**
 * ltm_store_get_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the access token; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_token (LtmStore    *self,
                     const char  *channel_id,
                     const char  *key_id,
                     GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL && key_id != NULL, NULL);

  return ltm_store_read_secret (self, channel_id, KIND_TOKEN, key_id, error);
}

/* Checking and repairing */

void
ltm_store_problem_free (LtmStoreProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->channel_id);
  g_free (problem->key_id);
  g_free (problem->description);
  g_free (problem);
}

static void
ltm_store_add_problem (GPtrArray  *problems,
                       const char *channel_id,
                       const char *key_id,
                       char       *description)
{
  LtmStoreProblem *problem = g_new0 (LtmStoreProblem, 1);

  problem->channel_id = g_strdup (channel_id);
  problem->key_id = g_strdup (key_id);
  problem->description = description;
  g_ptr_array_add (problems, problem);
}

/* Whether a sealed value in column @column of @stmt opens. */
static gboolean
ltm_store_opens (sqlite3_stmt *stmt,
                 int           column,
                 LtmSealKey   *key,
                 const char   *channel_id,
                 const char   *kind,
                 const char   *key_id)
{
  g_autoptr(LtmSecret) opened = NULL;

  if (key == NULL)
    return FALSE;

  opened = ltm_store_db_unseal (key, channel_id, kind, key_id, sqlite3_column_blob (stmt, column),
                                sqlite3_column_bytes (stmt, column), NULL);

  return opened != NULL;
}

static gboolean
ltm_store_exec_bound (LtmStoreDb  *db,
                      const char  *sql,
                      const char  *channel_id,
                      const char  *key_id,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, channel_id, -1, SQLITE_STATIC);
  if (key_id != NULL)
    sqlite3_bind_text (stmt, 2, key_id, -1, SQLITE_STATIC);

  return ltm_store_step (db, stmt, error);
}

/* Lists in @problems what SQLite finds damaged and every sealed value that
 * does not open or is missing; with @repair (in a write transaction), drops
 * those values, and the tokens whose secret is gone. */
static gboolean
ltm_store_inspect (LtmStoreDb  *db,
                   gboolean     repair,
                   GPtrArray   *problems,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) integrity = NULL;
  g_autoptr(sqlite3_stmt) channels = NULL;
  g_autoptr(sqlite3_stmt) tokens = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  if ((integrity = ltm_store_db_prepare (db, "PRAGMA integrity_check", error)) == NULL)
    return FALSE;
  while ((rc = sqlite3_step (integrity)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (integrity, 0);

      if (g_strcmp0 (line, "ok") != 0)
        ltm_store_add_problem (problems, NULL, NULL,
                               g_strdup_printf (_("The database is damaged: %s"), line));
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  /* Nothing sealed yet is no problem; a wrong master key is an error. */
  key = ltm_store_db_get_master_key (db, FALSE, &local_error);
  if (key == NULL && !g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  channels = ltm_store_db_prepare (db, "SELECT channel_id, sealed_key, sealed_secret "
                                   "FROM channels ORDER BY position", error);
  if (channels == NULL)
    return FALSE;
  while ((rc = sqlite3_step (channels)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (channels, 0);

      if (sqlite3_column_type (channels, 1) == SQLITE_BLOB &&
          !ltm_store_opens (channels, 1, key, id, KIND_KEY, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("The assertion signing key of channel %s does "
                                                    "not open."), id));
          if (repair && !ltm_store_exec_bound (db, "UPDATE channels SET sealed_key = NULL, "
                                               "key_thumbprint = NULL, kid = NULL "
                                               "WHERE channel_id = ?1", id, NULL, error))
            return FALSE;
        }

      if (sqlite3_column_type (channels, 2) == SQLITE_BLOB &&
          !ltm_store_opens (channels, 2, key, id, KIND_SECRET, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("The channel secret of channel %s does not "
                                                    "open."), id));
          if (repair && !ltm_store_exec_bound (db, "UPDATE channels SET sealed_secret = NULL "
                                               "WHERE channel_id = ?1", id, NULL, error))
            return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  tokens = ltm_store_db_prepare (db, "SELECT channel_id, key_id, sealed_token FROM tokens "
                                 "WHERE revoked = 0 ORDER BY rowid", error);
  if (tokens == NULL)
    return FALSE;
  while ((rc = sqlite3_step (tokens)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (tokens, 0);
      const char *key_id = (const char *) sqlite3_column_text (tokens, 1);

      if (sqlite3_column_type (tokens, 2) != SQLITE_BLOB)
        ltm_store_add_problem (problems, id, key_id,
                               g_strdup_printf (_("The token %s of channel %s is listed, but the "
                                                  "token itself is not kept."), key_id, id));
      else if (!ltm_store_opens (tokens, 2, key, id, KIND_TOKEN, key_id))
        ltm_store_add_problem (problems, id, key_id,
                               g_strdup_printf (_("The token %s of channel %s does not open."),
                                                key_id, id));
      else
        continue;

      if (repair && !ltm_store_exec_bound (db, "DELETE FROM tokens "
                                           "WHERE channel_id = ?1 AND key_id = ?2",
                                           id, key_id, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/**
 * ltm_store_check:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Runs SQLite's integrity check and opens every sealed value: what is
 * damaged, what does not open (changed, or moved to another row), and
 * tokens listed whose secret is missing.
 *
 * Returns: (transfer full) (element-type LtmStoreProblem): the problems,
 *   possibly none, or %NULL with @error set
 */
GPtrArray *
ltm_store_check (LtmStore  *self,
                 GError   **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  GError *local_error = NULL;
  LtmStoreDb *db;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  if (!ltm_store_load (self, error))
    return NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_problem_free);
  if ((db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &local_error)) == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      return g_steal_pointer (&problems);
    }

  if (ltm_store_db_begin (db, FALSE, &local_error))
    ltm_store_inspect (db, FALSE, problems, &local_error);
  ltm_store_give_db (self, db);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return g_steal_pointer (&problems);
}

/**
 * ltm_store_repair:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Drops what ltm_store_check() finds unusable: sealed values that do not
 * open, and tokens whose secret is not kept.  What opens is never touched.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_repair (LtmStore  *self,
                  GError   **error)
{
  g_autoptr(LtmStoreOp) op = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  op = ltm_store_op_new (self, LTM_STORE_OP_REPAIR, NULL);

  return ltm_store_run (self, op, error);
}

/* What the store is */

void
ltm_store_info_free (LtmStoreInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->path);
  g_free (info->store_id);
  g_free (info->master_key_source);
  g_free (info);
}

/**
 * ltm_store_get_info:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Where the store is, its schema, where its master key comes from (read,
 * and checked, when anything is sealed) and how much it holds.
 *
 * Returns: (transfer full): the facts, or %NULL with @error set
 */
LtmStoreInfo *
ltm_store_get_info (LtmStore  *self,
                    GError   **error)
{
  g_autoptr(LtmStoreInfo) info = g_new0 (LtmStoreInfo, 1);
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  LtmStoreDb *db;
  gint64 value;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  info->path = g_strdup (self->path);
  if ((db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &local_error)) == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      info->master_key_source = g_strdup (_("none yet: it is made when the first secret is stored"));
      return g_steal_pointer (&info);
    }

  info->store_id = g_strdup (ltm_store_db_get_store_id (db));
  key = ltm_store_db_get_master_key (db, FALSE, &local_error);
  info->sealed = key != NULL;
  if (key != NULL)
    info->master_key_source = ltm_store_db_describe_master_key (db);
  else if (g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    info->master_key_source = g_strdup (_("none yet: it is made when the first secret is stored"));
  else
    goto fail;
  g_clear_error (&local_error);

  if (!ltm_store_db_query (db, "PRAGMA user_version", &value, &local_error))
    goto fail;
  info->schema_version = value;
  if (!ltm_store_db_query (db, "SELECT count (*) FROM channels", &value, &local_error))
    goto fail;
  info->n_channels = value;
  if (!ltm_store_db_query (db, "SELECT count (*) FROM tokens", &value, &local_error))
    goto fail;
  info->n_tokens = value;
  if (!ltm_store_db_query (db, "SELECT count (*) FROM tokens WHERE revoked = 0 AND unknown = 0",
                           &value, &local_error))
    goto fail;
  info->n_valid_tokens = value;

  ltm_store_give_db (self, db);

  return g_steal_pointer (&info);

fail:
  ltm_store_give_db (self, db);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * ltm_store_init_master_key_file:
 * @self: a #LtmStore
 * @path: where to write the new master key
 * @error: return location for a #GError
 *
 * Makes the store, when missing, sealed with a new master key written to
 * @path (mode 0600, never overwritten), for a machine without a desktop
 * keyring.  Later processes find the key through `LTM_MASTER_KEY_FILE`
 * or a systemd credential.  A store that has sealed anything already
 * keeps its master key: %LTM_STORE_ERROR_EXISTS.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_init_master_key_file (LtmStore    *self,
                                const char  *path,
                                GError     **error)
{
  g_autoptr(LtmSealKey) key = ltm_seal_key_generate ();
  LtmStoreDb *db;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if ((db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_CREATE, error)) == NULL)
    return FALSE;

  ok = ltm_store_db_begin (db, TRUE, error) &&
       ltm_store_db_init_master_key (db, key, error) &&
       ltm_master_key_write_file (path, key, error);
  if (ok && !ltm_store_db_commit (db, error))
    {
      g_unlink (path);
      ok = FALSE;
    }
  ltm_store_give_db (self, db);

  return ok;
}

/* Asynchronous: the op in a thread, the models in the caller's context */

static void
ltm_store_op_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;
  LtmStoreDoc *doc = ltm_store_op_run (task_data, &error);

  if (doc == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, doc, (GDestroyNotify) ltm_store_doc_free);
}

static void
ltm_store_op_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LtmStoreDoc) doc = NULL;
  GError *error = NULL;

  doc = g_task_propagate_pointer (G_TASK (result), &error);
  if (doc == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_store_apply (LTM_STORE (source), doc);
  g_task_return_boolean (task, TRUE);
}

/* Takes @op; returns the task the caller's callback gets (unowned), to
 * hang a result on before it completes. */
static GTask *
ltm_store_run_async (LtmStore            *self,
                     LtmStoreOp          *op,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) worker = g_task_new (self, cancellable, ltm_store_op_done_cb, task);

  g_task_set_source_tag (task, ltm_store_change_finish);
  g_task_set_source_tag (worker, ltm_store_run_async);
  g_task_set_task_data (worker, op, (GDestroyNotify) ltm_store_op_free);
  g_task_run_in_thread (worker, ltm_store_op_thread);

  return task;
}

/**
 * ltm_store_change_finish:
 * @self: a #LtmStore
 * @result: the result of any of the store's asynchronous changes
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the change is stored and the models show it
 */
gboolean
ltm_store_change_finish (LtmStore      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_change_finish, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ltm_store_load_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_load_async (LtmStore            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_refresh_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 *
 * Reads the store again when another process changed it since the models
 * last showed it; otherwise reads one number.  For a file monitor on the
 * database, which also sees this process's own changes.
 */
void
ltm_store_refresh_async (LtmStore            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));

  op = ltm_store_op_new (self, LTM_STORE_OP_LOAD, NULL);
  op->seen = self->seen;
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_add_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid
 * @key: (nullable): the assertion signing key
 * @channel_secret: (nullable): the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_channel_async (LtmStore            *self,
                             const char          *channel_id,
                             const char          *name,
                             const char          *kid,
                             LtmKey              *key,
                             const char          *channel_secret,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (channel_id != NULL);

  ltm_store_run_async (self, ltm_store_op_new_add_channel (self, channel_id, name, kid, key,
                                                           channel_secret),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_remove_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_remove_channel_async (LtmStore            *self,
                                const char          *channel_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_op_new (self, LTM_STORE_OP_REMOVE_CHANNEL, channel_id),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_set_name_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): the new name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_name_async (LtmStore            *self,
                          const char          *channel_id,
                          const char          *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_NAME, channel_id);
  op->name = g_strdup (name);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_kid_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_kid_async (LtmStore            *self,
                         const char          *channel_id,
                         const char          *kid,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KID, channel_id);
  op->kid = g_strdup (kid);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_key_async (LtmStore            *self,
                         const char          *channel_id,
                         LtmKey              *key,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key));

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_KEY, channel_id);
  op->key = g_object_ref (key);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            const char          *channel_secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (channel_secret != NULL);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_SECRET, channel_id);
  op->secret = g_strdup (channel_secret);
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_add_token_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered
 * @issued_at: when it was issued, Unix seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_add_token_finish(), or
 *   ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_token_async (LtmStore            *self,
                           const char          *channel_id,
                           LtmTokenKind         kind,
                           const LtmLineToken  *token,
                           gint64               issued_at,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  LtmStoreOp *op;
  char *key_id;
  GTask *task;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (token != NULL);

  /* The op goes to a thread: its key ID is copied first. */
  op = ltm_store_op_new_add_token (self, channel_id, kind, token, issued_at);
  key_id = g_strdup (op->key_id);
  task = ltm_store_run_async (self, op, cancellable, callback, user_data);
  g_task_set_task_data (task, key_id, g_free);
}

/**
 * ltm_store_add_token_finish:
 * @self: a #LtmStore
 * @result: the result of ltm_store_add_token_async()
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token's key ID (LINE's for v2.1, one of
 *   ours otherwise), or %NULL with @error set
 */
char *
ltm_store_add_token_finish (LtmStore      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  if (!ltm_store_change_finish (self, result, error))
    return NULL;

  return g_strdup (g_task_get_task_data (G_TASK (result)));
}

/**
 * ltm_store_set_token_state_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked
 * @unknown: whether LINE no longer lists it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_token_state_async (LtmStore            *self,
                                 const char          *channel_id,
                                 const char          *key_id,
                                 gboolean             revoked,
                                 gboolean             unknown,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LtmStoreOp *op;

  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (key_id != NULL);

  op = ltm_store_op_new (self, LTM_STORE_OP_SET_TOKEN_STATE, channel_id);
  op->key_id = g_strdup (key_id);
  op->revoked = revoked;
  op->unknown = unknown;
  ltm_store_run_async (self, op, cancellable, callback, user_data);
}

/**
 * ltm_store_set_deploy_targets_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @targets: where the channel's new tokens go, and its grace period
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_deploy_targets_async (LtmStore               *self,
                                    const char             *channel_id,
                                    const LtmDeployTargets *targets,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (targets != NULL);

  ltm_store_run_async (self, ltm_store_op_new_set_deploy_targets (self, channel_id, targets),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_set_delivery_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @status: how the last delivery went
 * @delivered_at: when, Unix seconds
 * @message: (nullable): what it did, in words
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_delivery_async (LtmStore            *self,
                              const char          *channel_id,
                              LtmDeliveryStatus    status,
                              gint64               delivered_at,
                              const char          *message,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_op_new_set_delivery (self, channel_id, status,
                                                            delivered_at, message),
                       cancellable, callback, user_data);
}

/**
 * ltm_store_retire_tokens_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_ids: the tokens a rotation replaced
 * @retirement: replaced or retiring
 * @retire_at: when they were replaced, or when to revoke them
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_retire_tokens_async (LtmStore            *self,
                               const char          *channel_id,
                               const char * const  *key_ids,
                               LtmTokenRetirement   retirement,
                               gint64               retire_at,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));
  g_return_if_fail (key_ids != NULL);

  ltm_store_run_async (self, ltm_store_op_new_retire_tokens (self, channel_id, key_ids,
                                                             retirement, retire_at),
                       cancellable, callback, user_data);
}

typedef struct {
  char *channel_id;
  char *key_id;
} LtmStoreLookup;

static void
ltm_store_lookup_free (LtmStoreLookup *lookup)
{
  g_free (lookup->channel_id);
  g_free (lookup->key_id);
  g_free (lookup);
}

static void
ltm_store_unlock_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  LtmStore *self = source_object;
  g_autoptr(LtmSealKey) key = NULL;
  LtmStoreDb *db;
  GError *error = NULL;

  if ((db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &error)) == NULL)
    {
      /* No store yet: nothing to unlock. */
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  key = ltm_store_db_get_master_key (db, FALSE, &error);
  ltm_store_give_db (self, db);

  /* Nothing sealed yet is no failure: there is no key to read. */
  if (key == NULL && !g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    g_task_return_error (task, error);
  else
    {
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
    }
}

/**
 * ltm_store_unlock_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads the master key now, in one thread, as the first read of a
 * sealed value would (once per process).  Many operations started at
 * once call this first: else each holds a thread of GTask's pool while
 * one reads the key, and libsecret's file backend, which needs a thread
 * of that same pool for each step, waits for the pool to grow (by one
 * thread every 100 ms or so).
 */
void
ltm_store_unlock_async (LtmStore            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LTM_IS_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_store_unlock_async);
  g_task_run_in_thread (task, ltm_store_unlock_thread);
}

/**
 * ltm_store_unlock_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError: the keyring's or the store's
 *
 * Returns: %TRUE if the master key is known now, or nothing is sealed yet
 */
gboolean
ltm_store_unlock_finish (LtmStore      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_unlock_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ltm_store_get_key_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  LtmStoreLookup *lookup = task_data;
  GError *error = NULL;
  LtmKey *key = ltm_store_read_key (source_object, lookup->channel_id, &error);

  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);
}

static void
ltm_store_get_secret_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  LtmStoreLookup *lookup = task_data;
  GError *error = NULL;
  LtmSecret *secret = ltm_store_read_secret (source_object, lookup->channel_id,
                                             lookup->key_id != NULL ? KIND_TOKEN : KIND_SECRET,
                                             lookup->key_id, &error);

  if (secret == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) ltm_secret_free);
}

static void
ltm_store_lookup_async (LtmStore            *self,
                        const char          *channel_id,
                        const char          *key_id,
                        GTaskThreadFunc      thread_func,
                        gpointer             source_tag,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LtmStoreLookup *lookup = g_new0 (LtmStoreLookup, 1);

  lookup->channel_id = g_strdup (channel_id);
  lookup->key_id = g_strdup (key_id);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, lookup, (GDestroyNotify) ltm_store_lookup_free);
  g_task_run_in_thread (task, thread_func);
}

/**
 * ltm_store_get_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_key_async (LtmStore            *self,
                         const char          *channel_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_lookup_async (self, channel_id, NULL, ltm_store_get_key_thread,
                          ltm_store_get_key_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_key_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key, or %NULL
 */
LtmKey *
ltm_store_get_key_finish (LtmStore      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_key_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ltm_store_get_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: (nullable): a token's key ID, or %NULL for the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            const char          *key_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_lookup_async (self, channel_id, key_id, ltm_store_get_secret_thread,
                          ltm_store_get_secret_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_secret_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret_finish (LtmStore      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_secret_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
