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
          "ON t.channel_id = c.channel_id AND t.key_id = :key_id "
          "WHERE c.channel_id = :channel_id";
  else if (g_str_equal (kind, KIND_KEY))
    sql = "SELECT sealed_key, 0 FROM channels WHERE channel_id = :channel_id";
  else
    sql = "SELECT sealed_secret, 0 FROM channels WHERE channel_id = :channel_id";

  if ((stmt = ltm_store_db_prepare (db, sql, &local_error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", channel_id, &local_error) ||
      (g_str_equal (kind, KIND_TOKEN) &&
       !ltm_store_bind_text (stmt, ":key_id", key_id, &local_error)))
    goto out;

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
