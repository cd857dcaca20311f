/* ltm-store-ops.c: the store's operations, one typed struct each
 *
 * An operation is a struct of its own arguments, a function that makes
 * it (with the checks a caller cannot get wrong at run time), one that
 * checks what it was given before anything is opened, and one that runs
 * its SQL, written beside it, in the transaction ltm-store.c opens for
 * it; the rows of methods[] tie them together, as Epiphany's history
 * service does.  Each public call, sync or async, is a few lines around
 * the same op, so that what one checks the other checks too.
 *
 * Reading sealed values is in ltm-store-secrets.c, the repair in
 * ltm-store-check.c; their rows are here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <glib/gi18n-lib.h>

#include "ltm-jwt.h"
#include "ltm-store-private.h"

/* Loading: every channel, unless nothing changed since @seen */

typedef struct {
  gint64 seen;                  /* skip the read when the store is still at this generation */
} LtmStoreLoad;

static gboolean
ltm_store_load_run (LtmStoreTxn  *txn,
                    LtmStoreLoad *args,
                    GError      **error)
{
  gint64 generation;

  /* What PRAGMA data_version tells one connection, the generation tells
   * every connection of every process: whether anything changed since. */
  if (args->seen > 0)
    {
      if ((generation = ltm_store_db_get_generation (txn->db, error)) < 0)
        return FALSE;
      if (generation == args->seen)
        {
          txn->op->doc = ltm_store_doc_new_unchanged (generation);
          return TRUE;
        }
    }

  txn->op->doc = ltm_store_db_read (txn->db, NULL, error);

  return txn->op->doc != NULL;
}

/* The op of ltm_store_load() and ltm_store_refresh_async(). */
LtmStoreOp *
ltm_store_load_op (gint64 seen)
{
  LtmStoreLoad *args = g_new0 (LtmStoreLoad, 1);

  args->seen = seen;

  return ltm_store_op_new (LTM_STORE_OP_LOAD, NULL, args);
}

/* Adding a channel, with its sealed secrets */

typedef struct {
  char *name;
  char *kid;
  LtmKey *key;
  LtmSecret *secret;
} LtmStoreAddChannel;

static void
ltm_store_add_channel_free (LtmStoreAddChannel *args)
{
  g_free (args->name);
  g_free (args->kid);
  g_clear_object (&args->key);
  ltm_secret_free (args->secret);
  g_free (args);
}

static gboolean
ltm_store_add_channel_check (const char         *channel_id,
                             LtmStoreAddChannel *args,
                             GError            **error)
{
  return ltm_jwt_check_channel_id (channel_id, error) &&
         (args->name == NULL || ltm_channel_check_name (args->name, error)) &&
         (args->kid == NULL || ltm_jwt_check_kid (args->kid, error));
}

static gboolean
ltm_store_add_channel_run (LtmStoreTxn         *txn,
                           LtmStoreAddChannel  *args,
                           GError             **error)
{
  static const char sql[] =
    "INSERT INTO channels (channel_id, name, kid, key_thumbprint, key_created, sealed_key, "
    "sealed_secret, rev) VALUES (:channel_id, :name, :kid, :key_thumbprint, :key_created, "
    ":sealed_key, :sealed_secret, :rev)";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  int rc;

  if (args->key != NULL && (jwk = ltm_key_to_private_jwk (args->key, error)) == NULL)
    return FALSE;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":name", args->name, error) ||
      !ltm_store_bind_text (stmt, ":kid", args->kid, error) ||
      !ltm_store_bind_text (stmt, ":key_thumbprint",
                            args->key != NULL ? ltm_key_get_thumbprint (args->key) : NULL,
                            error) ||
      !ltm_store_bind_int64 (stmt, ":key_created",
                             args->key != NULL ? g_get_real_time () / G_USEC_PER_SEC : 0,
                             error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_key", txn->key, txn->channel_id, KIND_KEY, NULL,
                              jwk, error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_secret", txn->key, txn->channel_id, KIND_SECRET,
                              NULL, args->secret, error) ||
      !ltm_store_bind_int64 (stmt, ":rev", txn->generation, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("The channel %s is already in the list."), txn->channel_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

static LtmStoreOp *
ltm_store_add_channel_op (const char *channel_id,
                          const char *name,
                          const char *kid,
                          LtmKey     *key,
                          const char *channel_secret)
{
  LtmStoreAddChannel *args;
  LtmStoreOp *op;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key == NULL || (LTM_IS_KEY (key) && ltm_key_has_private (key)), NULL);

  args = g_new0 (LtmStoreAddChannel, 1);
  args->name = g_strdup (name);
  args->kid = g_strdup (kid);
  args->key = key != NULL ? g_object_ref (key) : NULL;
  args->secret = g_strdup (channel_secret);

  op = ltm_store_op_new (LTM_STORE_OP_ADD_CHANNEL, channel_id, args);
  if (key == NULL && channel_secret == NULL)
    op->sealing = LTM_STORE_SEALING_NONE;

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
  g_autoptr(LtmStoreOp) op = ltm_store_add_channel_op (channel_id, name, kid, key, channel_secret);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_add_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid
 * @key: (nullable): the assertion signing key, with its private half
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
  ltm_store_run_async (self, ltm_store_add_channel_op (channel_id, name, kid, key, channel_secret),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Removing a channel; its tokens go with it (ON DELETE CASCADE) */

static gboolean
ltm_store_remove_channel_run (LtmStoreTxn  *txn,
                              gpointer      args,
                              GError      **error)
{
  static const char sql[] = "DELETE FROM channels WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_db_step (txn->db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (txn->db)) == 0)
    return ltm_store_not_found (txn->channel_id, error);

  return TRUE;
}

static LtmStoreOp *
ltm_store_remove_channel_op (const char *channel_id)
{
  g_return_val_if_fail (channel_id != NULL, NULL);

  return ltm_store_op_new (LTM_STORE_OP_REMOVE_CHANNEL, channel_id, NULL);
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
  g_autoptr(LtmStoreOp) op = ltm_store_remove_channel_op (channel_id);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_remove_channel_op (channel_id), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Naming a channel */

typedef struct {
  char *name;
} LtmStoreSetName;

static void
ltm_store_set_name_free (LtmStoreSetName *args)
{
  g_free (args->name);
  g_free (args);
}

static gboolean
ltm_store_set_name_check (const char       *channel_id,
                          LtmStoreSetName  *args,
                          GError          **error)
{
  return args->name == NULL || ltm_channel_check_name (args->name, error);
}

static gboolean
ltm_store_set_name_run (LtmStoreTxn      *txn,
                        LtmStoreSetName  *args,
                        GError          **error)
{
  static const char sql[] = "UPDATE channels SET name = :name WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":name", args->name, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_name_op (const char *channel_id,
                       const char *name)
{
  LtmStoreSetName *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetName, 1);
  args->name = g_strdup (name);

  return ltm_store_op_new (LTM_STORE_OP_SET_NAME, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_name_op (channel_id, name);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_name_op (channel_id, name), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* The kid the console gave for the channel's key */

typedef struct {
  char *kid;
} LtmStoreSetKid;

static void
ltm_store_set_kid_free (LtmStoreSetKid *args)
{
  g_free (args->kid);
  g_free (args);
}

static gboolean
ltm_store_set_kid_check (const char      *channel_id,
                         LtmStoreSetKid  *args,
                         GError         **error)
{
  return args->kid == NULL || ltm_jwt_check_kid (args->kid, error);
}

static gboolean
ltm_store_set_kid_run (LtmStoreTxn     *txn,
                       LtmStoreSetKid  *args,
                       GError         **error)
{
  static const char sql[] = "UPDATE channels SET kid = :kid WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":kid", args->kid, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_kid_op (const char *channel_id,
                      const char *kid)
{
  LtmStoreSetKid *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetKid, 1);
  args->kid = g_strdup (kid);

  return ltm_store_op_new (LTM_STORE_OP_SET_KID, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_kid_op (channel_id, kid);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_kid_op (channel_id, kid), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Replacing the channel's key */

typedef struct {
  LtmKey *key;
} LtmStoreSetKey;

static void
ltm_store_set_key_free (LtmStoreSetKey *args)
{
  g_clear_object (&args->key);
  g_free (args);
}

static gboolean
ltm_store_set_key_run (LtmStoreTxn     *txn,
                       LtmStoreSetKey  *args,
                       GError         **error)
{
  /* The kid belonged to the old key: a new one must be registered. */
  static const char sql[] =
    "UPDATE channels SET sealed_key = :sealed_key, "
    "kid = CASE WHEN key_thumbprint IS :key_thumbprint THEN kid END, "
    "key_thumbprint = :key_thumbprint, key_created = :key_created "
    "WHERE channel_id = :channel_id";
  g_autoptr(LtmSecret) jwk = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (jwk = ltm_key_to_private_jwk (args->key, error)) != NULL &&
         (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_sealed (stmt, ":sealed_key", txn->key, txn->channel_id, KIND_KEY, NULL,
                                jwk, error) &&
         ltm_store_bind_text (stmt, ":key_thumbprint", ltm_key_get_thumbprint (args->key),
                              error) &&
         ltm_store_bind_int64 (stmt, ":key_created", g_get_real_time () / G_USEC_PER_SEC,
                               error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_key_op (const char *channel_id,
                      LtmKey     *key)
{
  LtmStoreSetKey *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key), NULL);

  args = g_new0 (LtmStoreSetKey, 1);
  args->key = g_object_ref (key);

  return ltm_store_op_new (LTM_STORE_OP_SET_KEY, channel_id, args);
}

/**
 * ltm_store_set_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key, with its private half
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_key_op (channel_id, key);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key, with its private half
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
  ltm_store_run_async (self, ltm_store_set_key_op (channel_id, key), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Replacing the channel secret */

typedef struct {
  LtmSecret *secret;
} LtmStoreSetSecret;

static void
ltm_store_set_secret_free (LtmStoreSetSecret *args)
{
  ltm_secret_free (args->secret);
  g_free (args);
}

static gboolean
ltm_store_set_secret_run (LtmStoreTxn        *txn,
                          LtmStoreSetSecret  *args,
                          GError            **error)
{
  static const char sql[] =
    "UPDATE channels SET sealed_secret = :sealed_secret WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_sealed (stmt, ":sealed_secret", txn->key, txn->channel_id, KIND_SECRET,
                                NULL, args->secret, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_secret_op (const char *channel_id,
                         const char *channel_secret)
{
  LtmStoreSetSecret *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (channel_secret != NULL, NULL);

  args = g_new0 (LtmStoreSetSecret, 1);
  args->secret = g_strdup (channel_secret);

  return ltm_store_op_new (LTM_STORE_OP_SET_SECRET, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_secret_op (channel_id, channel_secret);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_secret_op (channel_id, channel_secret),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Keeping a token LINE issued */

typedef struct {
  char *key_id;
  LtmTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
  LtmSecret *access_token;
} LtmStoreAddToken;

static void
ltm_store_add_token_free (LtmStoreAddToken *args)
{
  g_free (args->key_id);
  ltm_secret_free (args->access_token);
  g_free (args);
}

static gboolean
ltm_store_add_token_check (const char        *channel_id,
                           LtmStoreAddToken  *args,
                           GError           **error)
{
  return ltm_jwt_check_key_id (args->key_id, error);
}

static gboolean
ltm_store_add_token_run (LtmStoreTxn       *txn,
                         LtmStoreAddToken  *args,
                         GError           **error)
{
  static const char sql[] =
    "INSERT INTO tokens (channel_id, key_id, kind, issued_at, expires_at, sealed_token) "
    "VALUES (:channel_id, :key_id, :kind, :issued_at, :expires_at, :sealed_token)";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":key_id", args->key_id, error) ||
      !ltm_store_bind_text (stmt, ":kind", ltm_token_kind_to_string (args->kind), error) ||
      !ltm_store_bind_int64 (stmt, ":issued_at", args->issued_at, error) ||
      !ltm_store_bind_int64 (stmt, ":expires_at", args->expires_at, error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_token", txn->key, txn->channel_id, KIND_TOKEN,
                              args->key_id, args->access_token, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("A token with the key ID %s is already stored."), args->key_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

static LtmStoreOp *
ltm_store_add_token_op (const char         *channel_id,
                        LtmTokenKind        kind,
                        const LtmLineToken *token,
                        gint64              issued_at)
{
  LtmStoreAddToken *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (token != NULL && token->access_token != NULL, NULL);

  args = g_new0 (LtmStoreAddToken, 1);
  /* Only v2.1 tokens have a key_id from LINE; the others get one of ours. */
  if (token->key_id != NULL)
    args->key_id = g_strdup (token->key_id);
  else
    {
      g_autofree char *uuid = g_uuid_string_random ();
      args->key_id = g_strconcat ("local-", uuid, NULL);
    }
  args->kind = kind;
  args->issued_at = issued_at;
  args->expires_at = issued_at + token->expires_in;
  args->access_token = g_strdup (token->access_token);

  return ltm_store_op_new (LTM_STORE_OP_ADD_TOKEN, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_add_token_op (channel_id, kind, token, issued_at);

  if (!ltm_store_run (self, op, error))
    return NULL;

  return g_strdup (((LtmStoreAddToken *) op->args)->key_id);
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
  LtmStoreOp *op = ltm_store_add_token_op (channel_id, kind, token, issued_at);
  /* The op goes to a thread: its key ID is copied first. */
  char *key_id = op != NULL ? g_strdup (((LtmStoreAddToken *) op->args)->key_id) : NULL;
  GTask *task;

  task = ltm_store_run_async (self, op, ltm_store_change_finish, cancellable, callback, user_data);
  if (task != NULL)
    g_task_set_task_data (task, key_id, g_free);
  else
    g_free (key_id);
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

/* A token revoked, or no longer listed by LINE */

typedef struct {
  char *key_id;
  gboolean revoked;
  gboolean unknown;
} LtmStoreSetTokenState;

static void
ltm_store_set_token_state_free (LtmStoreSetTokenState *args)
{
  g_free (args->key_id);
  g_free (args);
}

static gboolean
ltm_store_set_token_state_run (LtmStoreTxn            *txn,
                               LtmStoreSetTokenState  *args,
                               GError                **error)
{
  /* A revoked token is worth nothing: its secret goes. */
  static const char sql[] =
    "UPDATE tokens SET revoked = :revoked, unknown = :unknown, "
    "sealed_token = CASE WHEN :revoked THEN NULL ELSE sealed_token END "
    "WHERE channel_id = :channel_id AND key_id = :key_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":key_id", args->key_id, error) ||
      !ltm_store_bind_int64 (stmt, ":revoked", args->revoked, error) ||
      !ltm_store_bind_int64 (stmt, ":unknown", args->unknown, error) ||
      !ltm_store_db_step (txn->db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (txn->db)) == 0)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("No token with the key ID %s is stored for channel %s."),
                   args->key_id, txn->channel_id);
      return FALSE;
    }

  return TRUE;
}

static LtmStoreOp *
ltm_store_set_token_state_op (const char *channel_id,
                              const char *key_id,
                              gboolean    revoked,
                              gboolean    unknown)
{
  LtmStoreSetTokenState *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  args = g_new0 (LtmStoreSetTokenState, 1);
  args->key_id = g_strdup (key_id);
  args->revoked = !!revoked;
  args->unknown = !!unknown;

  return ltm_store_op_new (LTM_STORE_OP_SET_TOKEN_STATE, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_token_state_op (channel_id, key_id, revoked, unknown);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_token_state_op (channel_id, key_id, revoked, unknown),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Where the channel's new tokens go, and its grace period */

typedef struct {
  LtmDeployTargets targets;
} LtmStoreSetDeployTargets;

static void
ltm_store_set_deploy_targets_free (LtmStoreSetDeployTargets *args)
{
  ltm_deploy_targets_clear (&args->targets);
  g_free (args);
}

static gboolean
ltm_store_set_deploy_targets_check (const char                *channel_id,
                                    LtmStoreSetDeployTargets  *args,
                                    GError                   **error)
{
  return ltm_deploy_targets_check (&args->targets, error);
}

static gboolean
ltm_store_set_deploy_targets_run (LtmStoreTxn               *txn,
                                  LtmStoreSetDeployTargets  *args,
                                  GError                   **error)
{
  static const char sql[] =
    "UPDATE channels SET env_file = :env_file, env_name = :env_name, "
    "deploy_command = :deploy_command, grace = :grace WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":env_file", args->targets.env_file, error) &&
         ltm_store_bind_text (stmt, ":env_name", args->targets.env_name, error) &&
         ltm_store_bind_text (stmt, ":deploy_command", args->targets.command, error) &&
         ltm_store_bind_int64 (stmt, ":grace", args->targets.grace, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_deploy_targets_op (const char             *channel_id,
                                 const LtmDeployTargets *targets)
{
  LtmStoreSetDeployTargets *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (targets != NULL, NULL);

  args = g_new0 (LtmStoreSetDeployTargets, 1);
  ltm_deploy_targets_copy (targets, &args->targets);

  return ltm_store_op_new (LTM_STORE_OP_SET_DEPLOY_TARGETS, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_deploy_targets_op (channel_id, targets);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_deploy_targets_op (channel_id, targets),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* How the last delivery went */

typedef struct {
  LtmDeliveryStatus status;
  gint64 delivered_at;
  char *message;
} LtmStoreSetDelivery;

static void
ltm_store_set_delivery_free (LtmStoreSetDelivery *args)
{
  g_free (args->message);
  g_free (args);
}

static gboolean
ltm_store_set_delivery_run (LtmStoreTxn          *txn,
                            LtmStoreSetDelivery  *args,
                            GError              **error)
{
  static const char sql[] =
    "UPDATE channels SET delivery = :delivery, delivered_at = :delivered_at, "
    "delivery_message = :delivery_message WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":delivery", ltm_delivery_status_to_string (args->status),
                              error) &&
         ltm_store_bind_int64 (stmt, ":delivered_at", args->delivered_at, error) &&
         ltm_store_bind_text (stmt, ":delivery_message", args->message, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

static LtmStoreOp *
ltm_store_set_delivery_op (const char        *channel_id,
                           LtmDeliveryStatus  status,
                           gint64             delivered_at,
                           const char        *message)
{
  LtmStoreSetDelivery *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetDelivery, 1);
  args->status = status;
  args->delivered_at = delivered_at;
  args->message = g_strdup (message);

  return ltm_store_op_new (LTM_STORE_OP_SET_DELIVERY, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_set_delivery_op (channel_id, status, delivered_at, message);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_set_delivery_op (channel_id, status, delivered_at, message),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* The tokens a rotation replaced; a revoked one stays revoked */

typedef struct {
  GStrv key_ids;
  LtmTokenRetirement retirement;
  gint64 retire_at;
} LtmStoreRetireTokens;

static void
ltm_store_retire_tokens_free (LtmStoreRetireTokens *args)
{
  g_strfreev (args->key_ids);
  g_free (args);
}

static gboolean
ltm_store_retire_tokens_run (LtmStoreTxn           *txn,
                             LtmStoreRetireTokens  *args,
                             GError               **error)
{
  static const char sql[] =
    "UPDATE tokens SET retirement = :retirement, retire_at = :retire_at "
    "WHERE channel_id = :channel_id AND key_id = :key_id AND revoked = 0";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 retire_at = args->retirement != LTM_TOKEN_RETIREMENT_NONE ? args->retire_at : 0;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL)
    return FALSE;

  for (guint i = 0; args->key_ids[i] != NULL; i++)
    {
      sqlite3_reset (stmt);
      if (!ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
          !ltm_store_bind_text (stmt, ":key_id", args->key_ids[i], error) ||
          !ltm_store_bind_text (stmt, ":retirement",
                                ltm_token_retirement_to_string (args->retirement), error) ||
          !ltm_store_bind_int64 (stmt, ":retire_at", retire_at, error) ||
          !ltm_store_db_step (txn->db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

static LtmStoreOp *
ltm_store_retire_tokens_op (const char         *channel_id,
                            const char * const *key_ids,
                            LtmTokenRetirement  retirement,
                            gint64              retire_at)
{
  LtmStoreRetireTokens *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key_ids != NULL, NULL);

  args = g_new0 (LtmStoreRetireTokens, 1);
  args->key_ids = g_strdupv ((char **) key_ids);
  args->retirement = retirement;
  args->retire_at = retire_at;

  return ltm_store_op_new (LTM_STORE_OP_RETIRE_TOKENS, channel_id, args);
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
  g_autoptr(LtmStoreOp) op = ltm_store_retire_tokens_op (channel_id, key_ids, retirement,
                                                         retire_at);

  return ltm_store_run (self, op, error);
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
  ltm_store_run_async (self, ltm_store_retire_tokens_op (channel_id, key_ids, retirement,
                                                         retire_at),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* The table */

#define METHOD(flags, check, run, free_args) \
  { (flags), (gboolean (*) (const char *, gconstpointer, GError **)) (check), \
    (gboolean (*) (LtmStoreTxn *, gpointer, GError **)) (run), (GDestroyNotify) (free_args) }

static const LtmStoreMethod methods[LTM_STORE_N_OPS] = {
  [LTM_STORE_OP_LOAD] =
    METHOD (LTM_STORE_OP_READS | LTM_STORE_OP_ALL,
            NULL, ltm_store_load_run, g_free),
  [LTM_STORE_OP_ADD_CHANNEL] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_CREATES,
            ltm_store_add_channel_check, ltm_store_add_channel_run, ltm_store_add_channel_free),
  [LTM_STORE_OP_REMOVE_CHANNEL] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_REMOVES,
            NULL, ltm_store_remove_channel_run, NULL),
  [LTM_STORE_OP_SET_NAME] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            ltm_store_set_name_check, ltm_store_set_name_run, ltm_store_set_name_free),
  [LTM_STORE_OP_SET_KID] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            ltm_store_set_kid_check, ltm_store_set_kid_run, ltm_store_set_kid_free),
  [LTM_STORE_OP_SET_KEY] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            NULL, ltm_store_set_key_run, ltm_store_set_key_free),
  [LTM_STORE_OP_SET_SECRET] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            NULL, ltm_store_set_secret_run, ltm_store_set_secret_free),
  [LTM_STORE_OP_ADD_TOKEN] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            ltm_store_add_token_check, ltm_store_add_token_run, ltm_store_add_token_free),
  [LTM_STORE_OP_SET_TOKEN_STATE] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            NULL, ltm_store_set_token_state_run, ltm_store_set_token_state_free),
  [LTM_STORE_OP_SET_DEPLOY_TARGETS] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            ltm_store_set_deploy_targets_check, ltm_store_set_deploy_targets_run,
            ltm_store_set_deploy_targets_free),
  [LTM_STORE_OP_SET_DELIVERY] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            NULL, ltm_store_set_delivery_run, ltm_store_set_delivery_free),
  [LTM_STORE_OP_RETIRE_TOKENS] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES,
            NULL, ltm_store_retire_tokens_run, ltm_store_retire_tokens_free),
  [LTM_STORE_OP_REPAIR] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_ALL,
            NULL, ltm_store_repair_run, NULL),
  [LTM_STORE_OP_READ_SEALED] =
    METHOD (LTM_STORE_OP_READS,
            NULL, ltm_store_read_sealed_run, ltm_store_read_sealed_free),
};

#undef METHOD

/* What each kind does with the master key, unless its maker says otherwise. */
static const LtmStoreSealing sealings[LTM_STORE_N_OPS] = {
  [LTM_STORE_OP_ADD_CHANNEL] = LTM_STORE_SEALING_SEALS,
  [LTM_STORE_OP_SET_KEY] = LTM_STORE_SEALING_SEALS,
  [LTM_STORE_OP_SET_SECRET] = LTM_STORE_SEALING_SEALS,
  [LTM_STORE_OP_ADD_TOKEN] = LTM_STORE_SEALING_SEALS,
  [LTM_STORE_OP_REPAIR] = LTM_STORE_SEALING_OPENS,
  [LTM_STORE_OP_READ_SEALED] = LTM_STORE_SEALING_OPENS,
};

const LtmStoreMethod *
ltm_store_op_get_method (LtmStoreOp *op)
{
  return &methods[op->kind];
}

/**
 * ltm_store_op_new:
 * @kind: what it does
 * @channel_id: (nullable): the channel it is about; %NULL for all
 * @args: (transfer full) (nullable): the kind's struct of arguments
 *
 * Returns: (transfer full): the op, for ltm_store_run() or ltm_store_run_async()
 */
LtmStoreOp *
ltm_store_op_new (LtmStoreOpKind  kind,
                  const char     *channel_id,
                  gpointer        args)
{
  LtmStoreOp *op = g_new0 (LtmStoreOp, 1);

  g_assert (kind < LTM_STORE_N_OPS);

  op->kind = kind;
  op->channel_id = g_strdup (channel_id);
  op->args = args;
  op->sealing = sealings[kind];

  return op;
}

void
ltm_store_op_free (LtmStoreOp *op)
{
  if (op == NULL)
    return;

  if (op->args != NULL && methods[op->kind].free_args != NULL)
    methods[op->kind].free_args (op->args);
  g_free (op->channel_id);
  g_clear_pointer (&op->doc, ltm_store_doc_free);
  if (op->result != NULL && op->result_free != NULL)
    op->result_free (op->result);
  g_clear_error (&op->unlock_error);
  g_free (op);
}

/* Returns: (transfer full) (nullable): what the op read, for its caller */
gpointer
ltm_store_op_steal_result (LtmStoreOp *op)
{
  op->result_free = NULL;

  return g_steal_pointer (&op->result);
}

/**
 * ltm_store_touch_channel:
 * @txn: a write transaction
 * @error: return location for a #GError
 *
 * Marks the op's channel changed at the transaction's generation.
 *
 * Returns: %TRUE on success; %LTM_STORE_ERROR_NOT_FOUND when the channel
 *   is not there
 */
gboolean
ltm_store_touch_channel (LtmStoreTxn  *txn,
                         GError      **error)
{
  static const char sql[] = "UPDATE channels SET rev = :rev WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_int64 (stmt, ":rev", txn->generation, error) ||
      !ltm_store_db_step (txn->db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (txn->db)) == 0)
    return ltm_store_not_found (txn->channel_id, error);

  return TRUE;
}
