/* ltm-store.c: channels, keys and tokens in one SQLite database, secrets
 * sealed with a master key the keyring or a credential keeps
 *
 * This file is the object: its connections, its models (the channel list
 * and each channel's tokens) and how an operation reaches both.  The
 * operations themselves are ltm-store-ops.c; the public calls around them
 * ltm-store-changes.c (the list and its changes), ltm-store-secrets.c
 * (reading sealed values) and ltm-store-check.c (check, repair, info,
 * init); the database ltm-store-db.c, sealing and the master key
 * ltm-store-seal.c; the first layout, migrated on first open, legacy/.
 *
 * Every op runs in ltm_store_op_run(): a change in one BEGIN IMMEDIATE
 * transaction that changes the rows, moves the store's generation forward
 * and reads back the rows of the channel it touched; a read in one read
 * transaction.  That part touches no GObject and runs in a worker thread
 * for the window; the models are then brought in line in the caller's
 * thread, ordered by generation, so that ops finishing in any order (and
 * reloads when another process changed the store) never undo a newer
 * state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <glib/gi18n-lib.h>

#include "ltm-store-legacy.h"
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
  char *store_id;               /* the database's, once a connection came back; under pool_lock */

  /* Async ops that need the master key while this process does not know
   * it wait here, on the caller's main context, for one shared unlock,
   * instead of each holding a thread of GTask's pool: libsecret's file
   * backend needs a thread of that same pool for each of its steps, and
   * the pool grows by one thread every 100 ms or so. */
  GPtrArray *key_waiters;       /* GTask, not run yet */
  gboolean unlocking;

  /* Held by a thread's write transaction: the others wait here, woken at
   * once, rather than in SQLite's busy handler, which polls by sleeping
   * (up to 100 ms a time).  Other processes still meet the busy timeout. */
  GMutex write_lock;
};

G_DEFINE_FINAL_TYPE (LtmStore, ltm_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ltm-store-error-quark, ltm_store_error)

/* Connections, from any thread */

/* A new connection; the first layout, when channels.json is still there,
 * is migrated into the database first (ltm-store-legacy.c): the store is
 * made to take it, and the migration resumes where a killed one stopped. */
static LtmStoreDb *
ltm_store_open_db (LtmStore             *self,
                   LtmStoreDbOpenFlags   flags,
                   GError              **error)
{
  g_autofree char *legacy = g_build_filename (self->dir, LTM_STORE_LEGACY_FILE_NAME, NULL);
  gboolean has_legacy = g_file_test (legacy, G_FILE_TEST_EXISTS);
  g_autoptr(LtmStoreDb) db = NULL;

  if (has_legacy && !g_file_test (self->path, G_FILE_TEST_EXISTS))
    flags |= LTM_STORE_DB_OPEN_CREATE;

  if ((db = ltm_store_db_open (self->dir, flags, error)) == NULL)
    return NULL;

  if (has_legacy && !ltm_store_db_is_readonly (db) &&
      !ltm_store_legacy_migrate (db, self->dir, error))
    return NULL;

  return g_steal_pointer (&db);
}

/**
 * ltm_store_take_db:
 * @self: a #LtmStore
 * @flags: whether to create the store when there is none
 * @out_db: (out) (transfer full): a connection, or %NULL when there is no
 *   store yet and @flags do not ask to create it
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error when the store cannot be opened
 */
gboolean
ltm_store_take_db (LtmStore             *self,
                   LtmStoreDbOpenFlags   flags,
                   LtmStoreDb          **out_db,
                   GError              **error)
{
  GError *local_error = NULL;
  LtmStoreDb *db = NULL;

  g_mutex_lock (&self->pool_lock);
  if (self->idle->len > 0)
    db = g_ptr_array_steal_index_fast (self->idle, self->idle->len - 1);
  g_mutex_unlock (&self->pool_lock);

  if (db == NULL)
    db = ltm_store_open_db (self, flags, &local_error);

  *out_db = db;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

void
ltm_store_give_db (LtmStore   *self,
                   LtmStoreDb *db)
{
  ltm_store_db_rollback (db);

  g_mutex_lock (&self->pool_lock);
  /* Whichever way the connection was opened, the store's ID names its
   * master key (ltm_store_run_when_unlocked()). */
  if (g_strcmp0 (self->store_id, ltm_store_db_get_store_id (db)) != 0)
    {
      g_free (self->store_id);
      self->store_id = g_strdup (ltm_store_db_get_store_id (db));
    }
  if (self->idle->len < MAX_IDLE_CONNECTIONS)
    g_ptr_array_add (self->idle, g_steal_pointer (&db));
  g_mutex_unlock (&self->pool_lock);

  ltm_store_db_close (db);
}

gboolean
ltm_store_not_found (const char  *channel_id,
                     GError     **error)
{
  /* Translators: %s is a channel ID */
  g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
               _("The channel %s is not in the list."), channel_id);
  return FALSE;
}

/* An op: made by its maker in ltm-store-ops.c with its row of methods[],
 * freed here when it has run */

LtmStoreOp *
ltm_store_op_new (const LtmStoreMethod *method,
                  const char           *channel_id,
                  gpointer              args)
{
  LtmStoreOp *op = g_new0 (LtmStoreOp, 1);

  op->method = method;
  op->channel_id = g_strdup (channel_id);
  op->args = args;
  op->sealing = method->sealing;

  return op;
}

void
ltm_store_op_free (LtmStoreOp *op)
{
  if (op == NULL)
    return;

  if (op->args != NULL && op->method->free_args != NULL)
    op->method->free_args (op->args);
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

/* Running an op, in any thread: no GObject here but the immutable LtmKey
 * (and the store's connection pool and write lock, each under its lock) */

/* After a statement on the op's channel: NOT_FOUND when it changed no row. */
gboolean
ltm_store_txn_found_channel (LtmStoreTxn  *txn,
                             GError      **error)
{
  if (sqlite3_changes (ltm_store_db_get_handle (txn->db)) == 0)
    return ltm_store_not_found (txn->channel_id, error);

  return TRUE;
}

/* In a write transaction: marks the op's channel changed at its
 * generation; NOT_FOUND when the channel is not there. */
static gboolean
ltm_store_touch_channel (LtmStoreTxn  *txn,
                         GError      **error)
{
  static const char sql[] = "UPDATE channels SET rev = :rev WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_int64 (stmt, ":rev", txn->generation, error) &&
         ltm_store_db_step (txn->db, stmt, error) &&
         ltm_store_txn_found_channel (txn, error);
}

/* For an op on rows beside a channel: NOT_FOUND when it is not there. */
static gboolean
ltm_store_has_channel (LtmStoreTxn  *txn,
                       GError      **error)
{
  static const char sql[] = "SELECT 1 FROM channels WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return ltm_store_not_found (txn->channel_id, error);
  if (rc != SQLITE_ROW)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

/**
 * ltm_store_op_get_master_key:
 * @op: the op that needs the master key
 * @db: its connection
 * @create: as for ltm_store_get_master_key()
 * @error: return location for a #GError
 *
 * As ltm_store_get_master_key(); but when the shared unlock @op waited for
 * failed, its failure again, rather than asking the keyring once more.
 *
 * Returns: (transfer full): the master key, or %NULL with @error set
 */
LtmSealKey *
ltm_store_op_get_master_key (LtmStoreOp  *op,
                             LtmStoreDb  *db,
                             gboolean     create,
                             GError     **error)
{
  if (op->unlock_error != NULL && !ltm_store_knows_master_key (ltm_store_db_get_store_id (db)))
    {
      g_propagate_error (error, g_error_copy (op->unlock_error));
      return NULL;
    }

  return ltm_store_get_master_key (db, create, error);
}

/* In one write transaction: the op's change, the generation moved, the
 * rows it touched read back. */
static gboolean
ltm_store_op_write (LtmStore    *self,
                    LtmStoreOp  *op,
                    LtmStoreDb  *db,
                    GError     **error)
{
  const LtmStoreMethod *method = op->method;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(LtmStoreDoc) doc = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  LtmStoreTxn txn = { db, op, op->channel_id, NULL, 0 };

  /* The master key is read before the write lock is taken (the keyring
   * may ask to be unlocked); only its first making waits inside it. */
  if (op->sealing == LTM_STORE_SEALING_SEALS)
    {
      g_autoptr(GError) local_error = NULL;

      key = ltm_store_op_get_master_key (op, db, FALSE, &local_error);
      if (key == NULL && !g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  /* Until the commit or the rollback, when the function returns. */
  locker = g_mutex_locker_new (&self->write_lock);
  if (!ltm_store_db_begin (db, TRUE, error))
    return FALSE;

  if (op->sealing == LTM_STORE_SEALING_SEALS && key == NULL &&
      (key = ltm_store_op_get_master_key (op, db, TRUE, error)) == NULL)
    goto fail;

  txn.key = key;
  if ((method->flags & LTM_STORE_OP_ASIDE)
      ? !ltm_store_has_channel (&txn, error) || !method->run (&txn, op->args, error)
      : (txn.generation = ltm_store_db_next_generation (db, error)) < 0 ||
        ((method->flags & LTM_STORE_OP_TOUCHES) && !ltm_store_touch_channel (&txn, error)) ||
        !method->run (&txn, op->args, error))
    goto fail;

  /* Rows the models do not show: nothing to read back. */
  if (method->flags & LTM_STORE_OP_ASIDE)
    return ltm_store_db_commit (db, error);

  /* The rows as they are now, for the models. */
  doc = ltm_store_db_read (db, (method->flags & LTM_STORE_OP_ALL) ? NULL : op->channel_id, error);
  if (doc == NULL)
    goto fail;
  if (method->flags & LTM_STORE_OP_REMOVES)
    doc->removed = g_strdup (op->channel_id);

  if (!ltm_store_db_commit (db, error))
    return FALSE;

  op->doc = g_steal_pointer (&doc);

  return TRUE;

fail:
  ltm_store_db_rollback (db);
  return FALSE;
}

/* In one read transaction: one snapshot, whatever other processes commit
 * meanwhile. */
static gboolean
ltm_store_op_read (LtmStoreOp  *op,
                   LtmStoreDb  *db,
                   GError     **error)
{
  LtmStoreTxn txn = { db, op, op->channel_id, NULL, 0 };
  gboolean ok;

  if (!ltm_store_db_begin (db, FALSE, error))
    return FALSE;

  ok = (!(op->method->flags & LTM_STORE_OP_ASIDE) || ltm_store_has_channel (&txn, error)) &&
       op->method->run (&txn, op->args, error);
  ltm_store_db_rollback (db);

  return ok;
}

/* Runs @op; what it gives is in @op. */
static gboolean
ltm_store_op_run (LtmStore    *self,
                  LtmStoreOp  *op,
                  GError     **error)
{
  const LtmStoreMethod *method = op->method;
  GError *local_error = NULL;
  LtmStoreDb *db = NULL;
  gboolean ok;

  if (method->check != NULL && !method->check (op->channel_id, op->args, error))
    return FALSE;

  /* Reading creates nothing, so that a list from a missing or read-only
   * folder works; neither does a change to a channel, which is not there. */
  if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &db, error))
    return FALSE;

  /* An op that makes the store and seals makes it with its master key, or
   * not at all: a first change that fails leaves no empty store. */
  if (db == NULL && (method->flags & LTM_STORE_OP_CREATES))
    {
      if (op->sealing == LTM_STORE_SEALING_SEALS)
        db = ltm_store_create_sealed (self->dir, error);
      else if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_CREATE, &db, error))
        return FALSE;
      if (db == NULL)
        return FALSE;
    }

  /* No store yet: no channel, and nothing of any. */
  if (db == NULL)
    {
      if (!(method->flags & LTM_STORE_OP_ALL))
        return ltm_store_not_found (op->channel_id, error);
      op->doc = ltm_store_doc_new ();
      return TRUE;
    }

  if (method->flags & LTM_STORE_OP_WRITES)
    ok = ltm_store_op_write (self, op, db, &local_error);
  else
    ok = ltm_store_op_read (op, db, &local_error);

  /* A connection that met damage is not kept. */
  if (g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED))
    ltm_store_db_close (db);
  else
    ltm_store_give_db (self, db);

  if (!ok)
    g_propagate_error (error, local_error);

  return ok;
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


/**
 * ltm_store_run:
 * @self: a #LtmStore
 * @op: (nullable): what to do; %NULL when its maker refused what it was given
 * @error: return location for a #GError
 *
 * Runs @op here and now, and brings the models in line.  What it read is
 * left in @op, for ltm_store_op_steal_result().
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_run (LtmStore    *self,
               LtmStoreOp  *op,
               GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);

  /* Its maker said why already. */
  if (op == NULL)
    return FALSE;

  if (!ltm_store_op_run (self, op, error))
    return FALSE;

  if (op->doc != NULL)
    ltm_store_apply (self, op->doc);

  return TRUE;
}

/* Asynchronously: the op in a thread, the models in the caller's context */

static void
ltm_store_op_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  GError *error = NULL;

  if (ltm_store_op_run (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
ltm_store_op_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmStoreOp *op = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (op->doc != NULL)
    ltm_store_apply (LTM_STORE (source), op->doc);

  if (op->result != NULL)
    {
      GDestroyNotify result_free = op->result_free;

      g_task_return_pointer (task, ltm_store_op_steal_result (op), result_free);
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* The master key once per process: the first op that needs it while it is
 * unknown starts one unlock, in a thread; the others wait for it without
 * a thread; then they all run. */

static void
ltm_store_unlock_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  LtmStore *self = source_object;
  g_autoptr(LtmSealKey) key = NULL;
  LtmStoreDb *db = NULL;
  GError *error = NULL;

  if (!ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &db, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* No store yet, or nothing sealed yet: there is no key to read. */
  if (db != NULL)
    {
      key = ltm_store_get_master_key (db, FALSE, &error);
      ltm_store_give_db (self, db);
      if (key == NULL && !g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
        {
          g_task_return_error (task, error);
          return;
        }
      g_clear_error (&error);
    }

  g_task_return_boolean (task, TRUE);
}

static void
ltm_store_unlocked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LtmStore *self = LTM_STORE (source);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->key_waiters);
  g_autoptr(GError) error = NULL;

  self->key_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->unlocking = FALSE;

  /* A keyring that does not open is said by each op, without asking again. */
  g_task_propagate_boolean (G_TASK (result), &error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *worker = g_ptr_array_index (waiters, i);
      LtmStoreOp *op = g_task_get_task_data (worker);

      if (error != NULL)
        op->unlock_error = g_error_copy (error);
      g_task_run_in_thread (worker, ltm_store_op_thread);
    }
}

/* Runs @worker (taken) once the master key is known, or could not be read. */
static void
ltm_store_run_when_unlocked (LtmStore *self,
                             GTask    *worker)
{
  g_autoptr(GTask) unlock = NULL;
  gboolean known;

  g_mutex_lock (&self->pool_lock);
  known = ltm_store_knows_master_key (self->store_id);
  g_mutex_unlock (&self->pool_lock);

  if (known)
    {
      g_task_run_in_thread (worker, ltm_store_op_thread);
      g_object_unref (worker);
      return;
    }

  g_ptr_array_add (self->key_waiters, worker);
  if (self->unlocking)
    return;

  self->unlocking = TRUE;
  unlock = g_task_new (self, NULL, ltm_store_unlocked_cb, NULL);
  g_task_set_source_tag (unlock, ltm_store_run_when_unlocked);
  g_task_run_in_thread (unlock, ltm_store_unlock_thread);
}

/**
 * ltm_store_run_async:
 * @self: a #LtmStore
 * @op: (transfer full) (nullable): what to do; %NULL when its maker
 *   refused what it was given
 * @source_tag: the public call's, which its finish checks
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Runs @op in a worker thread; the models change in the caller's context
 * before @callback is called.  The task returns a boolean, or what the op
 * read.  An op that needs the master key while this process does not
 * know it waits for the shared unlock first.
 *
 * Returns: (transfer none) (nullable): the task @callback gets, to hang
 *   data on before it completes
 */
GTask *
ltm_store_run_async (LtmStore            *self,
                     LtmStoreOp          *op,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) worker = NULL;
  GTask *task;

  if (!LTM_IS_STORE (self))
    {
      ltm_store_op_free (op);
      g_return_val_if_fail (LTM_IS_STORE (self), NULL);
    }

  /* Its maker said why already. */
  if (op == NULL)
    return NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  worker = g_task_new (self, cancellable, ltm_store_op_done_cb, task);
  g_task_set_source_tag (worker, ltm_store_run_async);
  g_task_set_task_data (worker, op, (GDestroyNotify) ltm_store_op_free);

  if (op->sealing != LTM_STORE_SEALING_NONE)
    ltm_store_run_when_unlocked (self, g_steal_pointer (&worker));
  else
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

/* The object */

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
  g_clear_pointer (&self->store_id, g_free);
  g_clear_pointer (&self->key_waiters, g_ptr_array_unref);
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
  self->key_waiters = g_ptr_array_new_with_free_func (g_object_unref);
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

/* Every change up to this generation is in the models: a refresh reads
 * again only past it (ltm_store_refresh_async()). */
gint64
ltm_store_get_seen (LtmStore *self)
{
  return self->seen;
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
