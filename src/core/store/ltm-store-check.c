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
  g_autoptr(LtmStoreOp) op = ltm_store_repair_op ();

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
