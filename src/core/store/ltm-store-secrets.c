/* ltm-store-secrets.c: reading the sealed values of the store
 *
 * A channel's assertion key, its channel secret and its tokens, unsealed
 * with the master key; synchronously for `ltm`, in a worker thread for
 * the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-store-private.h"

/* Reading one sealed value: the channel's key (KIND_KEY), its channel
 * secret (KIND_SECRET) or a token's (KIND_TOKEN, with its key ID) */

void
ltm_store_read_sealed_free (gpointer data)
{
  LtmStoreReadSealed *args = data;

  g_free (args->key_id);
  g_free (args);
}

/* The row's sealed value, opened; NOT_FOUND, saying what is missing, when
 * there is none. */
static LtmSecret *
ltm_store_read_sealed_open (LtmStoreTxn         *txn,
                            LtmStoreReadSealed  *args,
                            GError             **error)
{
  static const char token_sql[] =
    "SELECT t.sealed_token, t.revoked FROM channels c LEFT JOIN tokens t "
    "ON t.channel_id = c.channel_id AND t.key_id = :key_id WHERE c.channel_id = :channel_id";
  static const char key_sql[] =
    "SELECT sealed_key, 0 FROM channels WHERE channel_id = :channel_id";
  static const char secret_sql[] =
    "SELECT sealed_secret, 0 FROM channels WHERE channel_id = :channel_id";
  const char *channel_id = txn->channel_id;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  gboolean token = g_str_equal (args->kind, KIND_TOKEN);
  LtmSecret *secret;
  int rc;

  if (token)
    stmt = ltm_store_db_prepare (txn->db, token_sql, error);
  else if (g_str_equal (args->kind, KIND_KEY))
    stmt = ltm_store_db_prepare (txn->db, key_sql, error);
  else
    stmt = ltm_store_db_prepare (txn->db, secret_sql, error);

  if (stmt == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", channel_id, error) ||
      (token && !ltm_store_bind_text (stmt, ":key_id", args->key_id, error)))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      ltm_store_not_found (channel_id, error);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ltm_store_db_fail (txn->db, rc, error);
      return NULL;
    }

  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB)
    {
      if (g_str_equal (args->kind, KIND_KEY))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No assertion signing key is stored for channel %s."), channel_id);
      else if (g_str_equal (args->kind, KIND_SECRET))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No channel secret is stored for channel %s."), channel_id);
      else if (sqlite3_column_int (stmt, 1))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("The token %s of channel %s was revoked; it is no longer kept."),
                     args->key_id, channel_id);
      else
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No token with the key ID %s is stored for channel %s."),
                     args->key_id, channel_id);
      return NULL;
    }

  if ((key = ltm_store_op_get_master_key (txn->op, txn->db, FALSE, error)) == NULL)
    return NULL;

  secret = ltm_store_unseal (key, channel_id, args->kind, args->key_id,
                             sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                             NULL);
  if (secret == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED,
                 _("The sealed %s of channel %s does not open: it was changed, or copied from "
                   "another row."),
                 g_str_equal (args->kind, KIND_KEY) ? _("assertion signing key")
                 : g_str_equal (args->kind, KIND_SECRET) ? _("channel secret")
                 : _("access token"),
                 channel_id);

  return secret;
}

/* The op's result: an LtmKey for KIND_KEY, the LtmSecret otherwise. */
gboolean
ltm_store_read_sealed_run (LtmStoreTxn  *txn,
                           gpointer      data,
                           GError      **error)
{
  LtmStoreReadSealed *args = data;
  g_autoptr(LtmSecret) secret = ltm_store_read_sealed_open (txn, args, error);
  LtmKey *key;

  if (secret == NULL)
    return FALSE;

  if (!g_str_equal (args->kind, KIND_KEY))
    {
      txn->op->result = g_steal_pointer (&secret);
      txn->op->result_free = (GDestroyNotify) ltm_secret_free;
      return TRUE;
    }

  key = ltm_key_new_from_data (secret, strlen (secret), LTM_KEY_IMPORT_PRIVATE, error);
  if (key == NULL)
    {
      g_prefix_error (error, _("The key stored for channel %s is damaged: "), txn->channel_id);
      return FALSE;
    }

  txn->op->result = key;
  txn->op->result_free = g_object_unref;

  return TRUE;
}

static LtmStoreOp *
ltm_store_read_sealed_op (const char *channel_id,
                          const char *kind,
                          const char *key_id)
{
  LtmStoreReadSealed *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (g_str_equal (kind, KIND_TOKEN) == (key_id != NULL), NULL);

  args = g_new0 (LtmStoreReadSealed, 1);
  args->kind = kind;
  args->key_id = g_strdup (key_id);

  return ltm_store_op_new (LTM_STORE_OP_READ_SEALED, channel_id, args);
}

/* Runs the read here and now. */
static gpointer
ltm_store_read_sealed (LtmStore    *self,
                       LtmStoreOp  *op,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) owned = op;

  if (!ltm_store_run (self, owned, error))
    return NULL;

  return ltm_store_op_steal_result (owned);
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
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_KEY, NULL),
                                error);
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
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_KEY, NULL),
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
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_SECRET, NULL),
                                error);
}

/**
 * ltm_store_get_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_SECRET, NULL),
                       ltm_store_get_secret_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_secret_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret_finish (LtmStore      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_secret_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_TOKEN, key_id),
                                error);
}

/**
 * ltm_store_get_token_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_token_async (LtmStore            *self,
                           const char          *channel_id,
                           const char          *key_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_TOKEN, key_id),
                       ltm_store_get_token_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_token_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the access token; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_token_finish (LtmStore      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_store_get_token_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
