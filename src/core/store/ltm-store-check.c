/* ltm-store-check.c: what the store is, and what in it is damaged
 *
 * `ltm channel check` and `repair`: SQLite's integrity check, and every
 * sealed value opened.  `ltm store info`: where the store is and where
 * its master key comes from.  `ltm store init`: a store sealed with a
 * master key kept in a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ltm-store-private.h"

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

  opened = ltm_store_unseal (key, channel_id, kind, key_id, sqlite3_column_blob (stmt, column),
                             sqlite3_column_bytes (stmt, column), NULL);

  return opened != NULL;
}

/* Repairing drops what does not open: a channel's sealed value (@sql,
 * on :channel_id), or a token. */
static gboolean
ltm_store_drop_from_channel (LtmStoreDb  *db,
                             const char  *sql,
                             const char  *channel_id,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  return stmt != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", channel_id, error) &&
         ltm_store_db_step (db, stmt, error);
}

static gboolean
ltm_store_drop_token (LtmStoreDb  *db,
                      const char  *channel_id,
                      const char  *key_id,
                      GError     **error)
{
  static const char sql[] =
    "DELETE FROM tokens WHERE channel_id = :channel_id AND key_id = :key_id";
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  return stmt != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", channel_id, error) &&
         ltm_store_bind_text (stmt, ":key_id", key_id, error) &&
         ltm_store_db_step (db, stmt, error);
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
  key = ltm_store_get_master_key (db, FALSE, &local_error);
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
          if (repair && !ltm_store_drop_from_channel (db, "UPDATE channels SET sealed_key = NULL, "
                                                      "key_thumbprint = NULL, kid = NULL "
                                                      "WHERE channel_id = :channel_id", id, error))
            return FALSE;
        }

      if (sqlite3_column_type (channels, 2) == SQLITE_BLOB &&
          !ltm_store_opens (channels, 2, key, id, KIND_SECRET, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("The channel secret of channel %s does not "
                                                    "open."), id));
          if (repair && !ltm_store_drop_from_channel (db, "UPDATE channels SET sealed_secret = "
                                                      "NULL WHERE channel_id = :channel_id", id,
                                                      error))
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

      if (repair && !ltm_store_drop_token (db, id, key_id, error))
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
  LtmStoreDb *db = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  if (!ltm_store_load (self, error))
    return NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_problem_free);
  if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &db, error))
    return NULL;

  /* No store yet: nothing wrong in it. */
  if (db == NULL)
    return g_steal_pointer (&problems);

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

/* The op of ltm_store_repair(), in its write transaction. */
gboolean
ltm_store_repair_run (LtmStoreTxn  *txn,
                      gpointer      args,
                      GError      **error)
{
  g_autoptr(GPtrArray) problems = NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_problem_free);

  return ltm_store_inspect (txn->db, TRUE, problems, error);
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
  g_autoptr(LtmStoreOp) op = ltm_store_op_new (LTM_STORE_OP_REPAIR, NULL, NULL);

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
  LtmStoreDb *db = NULL;
  gint64 value;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);

  info->path = g_strdup (ltm_store_get_path (self));
  if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &db, error))
    return NULL;

  /* No store yet: nothing in it, and no master key. */
  if (db == NULL)
    {
      info->master_key_source = g_strdup (_("none yet: it is made when the first secret is stored"));
      return g_steal_pointer (&info);
    }

  info->store_id = g_strdup (ltm_store_db_get_store_id (db));
  key = ltm_store_get_master_key (db, FALSE, &local_error);
  info->sealed = key != NULL;
  if (key != NULL)
    info->master_key_source = ltm_store_describe_master_key (db);
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
  LtmStoreDb *db = NULL;
  gboolean written = FALSE;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &db, error))
    return FALSE;

  /* No store yet: the key file first, so that one that cannot be written
   * leaves no empty store behind. */
  if (db == NULL)
    {
      if (!ltm_master_key_write_file (path, key, error))
        return FALSE;
      written = TRUE;
      if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_CREATE, &db, error))
        {
          g_unlink (path);
          return FALSE;
        }
    }

  ok = ltm_store_db_begin (db, TRUE, error) &&
       ltm_store_init_master_key (db, key, error) &&
       (written || (written = ltm_master_key_write_file (path, key, error))) &&
       ltm_store_db_commit (db, error);
  if (!ok && written)
    g_unlink (path);
  ltm_store_give_db (self, db);

  return ok;
}
