/* ltm-store-webhook.c: recorded webhook events, the webhook URL to put
 * back, and the bot's own user ID, in the store
 *
 * webhook_events keeps the newest LTM_STORE_WEBHOOK_EVENTS_KEPT events of
 * each channel: one row an event, with when it came, its signature's
 * state and what the bot answered in plain columns, and the whole body it
 * came in sealed like the other secrets (it holds user IDs and what
 * people wrote), the associated data naming the row.  Adding events
 * drops the oldest beyond the limit in the same transaction.
 *
 * webhook_restores holds, per channel, LINE's webhook URL from before
 * `ltm webhook listen --public-url` replaced it, until it is put back:
 * so that a run that was killed is undone by the next one.  The first
 * URL stays: a second diversion before the restore does not replace it.
 *
 * webhook_bots holds the bot's own user ID, as bot info last gave it:
 * the destination of the events `ltm webhook send` and the window make.
 *
 * Neither touches the store's generation: the channel models do not show
 * them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store-webhook.h"

#include <glib/gi18n-lib.h>

#include "ltm-enums.h"
#include "ltm-store-private.h"

/* Binding, by name */

static gboolean
ltm_store_webhook_parameter (LtmStoreDb    *db,
                             sqlite3_stmt  *stmt,
                             const char    *name,
                             int           *out_column,
                             GError       **error)
{
  *out_column = sqlite3_bind_parameter_index (stmt, name);
  if (*out_column == 0)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_INCONSISTENT,
                   "The statement has no parameter %s.", name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ltm_store_webhook_bind_text (LtmStoreDb    *db,
                             sqlite3_stmt  *stmt,
                             const char    *name,
                             const char    *value,
                             GError       **error)
{
  int column;
  int rc;

  if (!ltm_store_webhook_parameter (db, stmt, name, &column, error))
    return FALSE;

  rc = value != NULL ? sqlite3_bind_text (stmt, column, value, -1, SQLITE_TRANSIENT)
                     : sqlite3_bind_null (stmt, column);
  if (rc != SQLITE_OK)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

static gboolean
ltm_store_webhook_bind_int64 (LtmStoreDb    *db,
                              sqlite3_stmt  *stmt,
                              const char    *name,
                              gint64         value,
                              GError       **error)
{
  int column;
  int rc;

  if (!ltm_store_webhook_parameter (db, stmt, name, &column, error))
    return FALSE;

  if ((rc = sqlite3_bind_int64 (stmt, column, value)) != SQLITE_OK)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

static gboolean
ltm_store_webhook_bind_bytes (LtmStoreDb    *db,
                              sqlite3_stmt  *stmt,
                              const char    *name,
                              GBytes        *value,
                              GError       **error)
{
  gsize len;
  const void *data = g_bytes_get_data (value, &len);
  int column;
  int rc;

  if (!ltm_store_webhook_parameter (db, stmt, name, &column, error))
    return FALSE;

  if ((rc = sqlite3_bind_blob64 (stmt, column, data, len, SQLITE_TRANSIENT)) != SQLITE_OK)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/* Runs a statement that returns no row. */
static gboolean
ltm_store_webhook_exec (LtmStoreDb    *db,
                        sqlite3_stmt  *stmt,
                        GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/* Records */

static const char *
ltm_store_webhook_bot_state_to_string (LtmWebhookBotState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (LTM_TYPE_WEBHOOK_BOT_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "none";
}

static LtmWebhookBotState
ltm_store_webhook_bot_state_from_string (const char *text)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (LTM_TYPE_WEBHOOK_BOT_STATE);
  GEnumValue *value = text != NULL ? g_enum_get_value_by_nick (klass, text) : NULL;

  return value != NULL ? (LtmWebhookBotState) value->value : LTM_WEBHOOK_BOT_NONE;
}

void
ltm_webhook_record_free (LtmWebhookRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->event_id);
  g_free (record->event_type);
  g_free (record->bot_message);
  g_clear_pointer (&record->body, g_bytes_unref);
  g_free (record);
}

void
ltm_webhook_restore_free (LtmWebhookRestore *restore)
{
  if (restore == NULL)
    return;

  g_free (restore->endpoint);
  g_free (restore->public_url);
  g_free (restore);
}

/**
 * ltm_webhook_record_new_for_event:
 * @event: an event, received or made
 *
 * Returns: (transfer full): what the store keeps of it
 */
LtmWebhookRecord *
ltm_webhook_record_new_for_event (LtmWebhookEvent *event)
{
  LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);

  g_return_val_if_fail (LTM_IS_WEBHOOK_EVENT (event), NULL);

  record->id = ltm_webhook_event_get_record_id (event);
  record->received_at = ltm_webhook_event_get_received_at (event);
  record->index = ltm_webhook_event_get_index (event);
  record->event_id = g_strdup (ltm_webhook_event_get_webhook_event_id (event));
  record->event_type = g_strdup (ltm_webhook_event_get_event_type (event));
  record->signature = ltm_webhook_event_get_signature (event);
  record->bot_state = ltm_webhook_event_get_bot_state (event);
  record->bot_status = ltm_webhook_event_get_bot_status (event);
  record->bot_time = ltm_webhook_event_get_bot_time (event);
  record->bot_late = ltm_webhook_event_get_bot_late (event);
  record->bot_message = g_strdup (ltm_webhook_event_get_bot_message (event));
  record->body = g_bytes_ref (ltm_webhook_event_get_body (event));

  return record;
}

/**
 * ltm_webhook_record_to_event:
 * @record: a recorded event
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the event, read again from its body
 */
LtmWebhookEvent *
ltm_webhook_record_to_event (LtmWebhookRecord  *record,
                             GError           **error)
{
  LtmWebhookEvent *event;

  g_return_val_if_fail (record != NULL, NULL);

  event = ltm_webhook_event_new_from_body (record->body, record->index, record->received_at,
                                           record->signature, error);
  if (event == NULL)
    return NULL;

  ltm_webhook_event_set_record_id (event, record->id);
  ltm_webhook_event_set_bot_answer (event, record->bot_state, record->bot_status,
                                    record->bot_time, record->bot_late, record->bot_message);

  return event;
}

/* Connections */

/* A connection to a store that has the channel, in a transaction. */
static LtmStoreDb *
ltm_store_webhook_begin (LtmStore    *self,
                         const char  *channel_id,
                         gboolean     write,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *local_error = NULL;
  LtmStoreDb *db;
  int rc;

  db = ltm_store_take_db (self, LTM_STORE_DB_OPEN_READ, &local_error);
  if (db == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("The channel %s is not in the list."), channel_id);
      return NULL;
    }

  if (!ltm_store_db_begin (db, write, &local_error) ||
      (stmt = ltm_store_db_prepare (db, "SELECT 1 FROM channels WHERE channel_id = :channel_id",
                                    &local_error)) == NULL ||
      !ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, &local_error))
    goto fail;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("The channel %s is not in the list."), channel_id);
      goto fail;
    }
  if (rc != SQLITE_ROW)
    {
      ltm_store_db_fail (db, rc, &local_error);
      goto fail;
    }

  return db;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  ltm_store_give_db (self, db);
  g_propagate_error (error, local_error);
  return NULL;
}

/* Commits when @ok, gives the connection back, and passes @ok on. */
static gboolean
ltm_store_webhook_end (LtmStore    *self,
                       LtmStoreDb  *db,
                       gboolean     ok,
                       GError     **error)
{
  if (ok)
    ok = ltm_store_db_commit (db, error);

  ltm_store_give_db (self, db);

  return ok;
}

/* Events */

static gboolean
ltm_store_webhook_insert (LtmStoreDb        *db,
                          LtmSealKey        *key,
                          const char        *channel_id,
                          LtmWebhookRecord  *record,
                          GError           **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) seal = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *row = NULL;
  gint64 id;

  insert = ltm_store_db_prepare (db,
                                 "INSERT INTO webhook_events (channel_id, received_at, event_index, "
                                 "event_id, event_type, signature, bot_state, bot_status, bot_time, "
                                 "bot_late, bot_message) VALUES (:channel_id, :received_at, :index, "
                                 ":event_id, :event_type, :signature, :bot_state, :bot_status, "
                                 ":bot_time, :bot_late, :bot_message)", error);
  if (insert == NULL ||
      !ltm_store_webhook_bind_text (db, insert, ":channel_id", channel_id, error) ||
      !ltm_store_webhook_bind_int64 (db, insert, ":received_at", record->received_at, error) ||
      !ltm_store_webhook_bind_int64 (db, insert, ":index", record->index, error) ||
      !ltm_store_webhook_bind_text (db, insert, ":event_id", record->event_id, error) ||
      !ltm_store_webhook_bind_text (db, insert, ":event_type", record->event_type, error) ||
      !ltm_store_webhook_bind_text (db, insert, ":signature",
                                    ltm_webhook_signature_to_string (record->signature), error) ||
      !ltm_store_webhook_bind_text (db, insert, ":bot_state",
                                    ltm_store_webhook_bot_state_to_string (record->bot_state), error) ||
      !ltm_store_webhook_bind_int64 (db, insert, ":bot_status", record->bot_status, error) ||
      !ltm_store_webhook_bind_int64 (db, insert, ":bot_time", record->bot_time, error) ||
      !ltm_store_webhook_bind_int64 (db, insert, ":bot_late", record->bot_late, error) ||
      !ltm_store_webhook_bind_text (db, insert, ":bot_message", record->bot_message, error) ||
      !ltm_store_webhook_exec (db, insert, error))
    return FALSE;

  /* The row's ID is in the associated data: the body opens in no other row. */
  id = sqlite3_last_insert_rowid (ltm_store_db_get_handle (db));
  row = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  sealed = ltm_store_db_seal_bytes (key, channel_id, KIND_WEBHOOK_EVENT, row, record->body);

  seal = ltm_store_db_prepare (db, "UPDATE webhook_events SET sealed_body = :sealed WHERE id = :id",
                               error);
  if (seal == NULL ||
      !ltm_store_webhook_bind_bytes (db, seal, ":sealed", sealed, error) ||
      !ltm_store_webhook_bind_int64 (db, seal, ":id", id, error) ||
      !ltm_store_webhook_exec (db, seal, error))
    return FALSE;

  record->id = id;

  return TRUE;
}

/**
 * ltm_store_add_webhook_records:
 * @self: a #LtmStore
 * @channel_id: the channel the events were sent to
 * @records: (element-type LtmWebhookRecord): the events, oldest first;
 *   each gets its row's ID
 * @error: return location for a #GError
 *
 * Records the events in one transaction and drops the channel's oldest
 * beyond %LTM_STORE_WEBHOOK_EVENTS_KEPT.  From any thread.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_add_webhook_records (LtmStore   *self,
                               const char *channel_id,
                               GPtrArray  *records,
                               GError    **error)
{
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(sqlite3_stmt) prune = NULL;
  LtmStoreDb *db;
  gboolean ok = FALSE;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && records != NULL, FALSE);

  if ((db = ltm_store_webhook_begin (self, channel_id, TRUE, error)) == NULL)
    return FALSE;

  if ((key = ltm_store_db_get_master_key (db, TRUE, error)) == NULL)
    goto out;

  for (guint i = 0; i < records->len; i++)
    {
      if (!ltm_store_webhook_insert (db, key, channel_id, g_ptr_array_index (records, i), error))
        goto out;
    }

  prune = ltm_store_db_prepare (db,
                                "DELETE FROM webhook_events WHERE channel_id = :channel_id AND id <= "
                                "(SELECT id FROM webhook_events WHERE channel_id = :channel_id "
                                "ORDER BY id DESC LIMIT 1 OFFSET :kept)", error);
  ok = prune != NULL &&
       ltm_store_webhook_bind_text (db, prune, ":channel_id", channel_id, error) &&
       ltm_store_webhook_bind_int64 (db, prune, ":kept", LTM_STORE_WEBHOOK_EVENTS_KEPT, error) &&
       ltm_store_webhook_exec (db, prune, error);

out:
  g_clear_pointer (&prune, sqlite3_finalize);
  return ltm_store_webhook_end (self, db, ok, error);
}

/* The channel's recorded events, newest first: all, or those of one
 * webhookEventId or row ID (the newest only). */
static GPtrArray *
ltm_store_webhook_select (LtmStore    *self,
                          const char  *channel_id,
                          const char  *event_id,
                          GError     **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  GError *local_error = NULL;
  LtmStoreDb *db;
  int rc;

#define COLUMNS "SELECT id, received_at, event_index, event_id, event_type, signature, " \
                "bot_state, bot_status, bot_time, bot_late, bot_message, sealed_body " \
                "FROM webhook_events WHERE channel_id = :channel_id "
  if ((db = ltm_store_webhook_begin (self, channel_id, FALSE, error)) == NULL)
    return NULL;

  if (event_id != NULL)
    stmt = ltm_store_db_prepare (db, COLUMNS "AND (event_id = :event_id OR id = CAST (:event_id AS "
                                 "INTEGER)) ORDER BY id DESC LIMIT 1", &local_error);
  else
    stmt = ltm_store_db_prepare (db, COLUMNS "ORDER BY id DESC", &local_error);
#undef COLUMNS

  if (stmt == NULL ||
      !ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, &local_error) ||
      (event_id != NULL &&
       !ltm_store_webhook_bind_text (db, stmt, ":event_id", event_id, &local_error)))
    goto out;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(LtmWebhookRecord) record = g_new0 (LtmWebhookRecord, 1);
      g_autofree char *row = NULL;

      if (key == NULL && (key = ltm_store_db_get_master_key (db, FALSE, &local_error)) == NULL)
        goto out;

      record->id = sqlite3_column_int64 (stmt, 0);
      record->received_at = sqlite3_column_int64 (stmt, 1);
      record->index = sqlite3_column_int (stmt, 2);
      record->event_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      record->event_type = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      ltm_webhook_signature_from_string ((const char *) sqlite3_column_text (stmt, 5),
                                         &record->signature);
      record->bot_state = ltm_store_webhook_bot_state_from_string ((const char *) sqlite3_column_text (stmt, 6));
      record->bot_status = sqlite3_column_int (stmt, 7);
      record->bot_time = sqlite3_column_int64 (stmt, 8);
      record->bot_late = sqlite3_column_int (stmt, 9);
      record->bot_message = g_strdup ((const char *) sqlite3_column_text (stmt, 10));

      row = g_strdup_printf ("%" G_GINT64_FORMAT, record->id);
      /* The body is no secret once opened: it is shown and copied. */
      record->body = ltm_store_db_unseal_bytes (key, channel_id, KIND_WEBHOOK_EVENT, row,
                                                sqlite3_column_blob (stmt, 11),
                                                sqlite3_column_bytes (stmt, 11), NULL);
      if (record->body == NULL)
        {
          g_set_error (&local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED,
                       _("The recorded webhook event %s of channel %s does not open: it was "
                         "changed, or copied from another row."), row, channel_id);
          goto out;
        }

      g_ptr_array_add (records, g_steal_pointer (&record));
    }
  if (rc != SQLITE_DONE)
    ltm_store_db_fail (db, rc, &local_error);

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  ltm_store_give_db (self, db);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return g_steal_pointer (&records);
}

/**
 * ltm_store_list_webhook_records:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type LtmWebhookRecord): the
 *   channel's recorded events, newest first, their bodies opened
 */
GPtrArray *
ltm_store_list_webhook_records (LtmStore    *self,
                                const char  *channel_id,
                                GError     **error)
{
  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  return ltm_store_webhook_select (self, channel_id, NULL, error);
}

/**
 * ltm_store_find_webhook_record:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @event_id: a webhookEventId, or the number of a recorded event
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the newest recorded event with that ID, or
 *   %NULL with %LTM_STORE_ERROR_NOT_FOUND
 */
LtmWebhookRecord *
ltm_store_find_webhook_record (LtmStore    *self,
                               const char  *channel_id,
                               const char  *event_id,
                               GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL && event_id != NULL, NULL);

  if ((records = ltm_store_webhook_select (self, channel_id, event_id, error)) == NULL)
    return NULL;

  if (records->len == 0)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("No webhook event %s is recorded for channel %s."), event_id, channel_id);
      return NULL;
    }

  return g_ptr_array_steal_index (records, 0);
}

/**
 * ltm_store_clear_webhook_records:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @out_cleared: (out) (optional): how many were dropped
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_clear_webhook_records (LtmStore    *self,
                                 const char  *channel_id,
                                 guint       *out_cleared,
                                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LtmStoreDb *db;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  if ((db = ltm_store_webhook_begin (self, channel_id, TRUE, error)) == NULL)
    return FALSE;

  stmt = ltm_store_db_prepare (db, "DELETE FROM webhook_events WHERE channel_id = :channel_id",
                               error);
  ok = stmt != NULL &&
       ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, error) &&
       ltm_store_webhook_exec (db, stmt, error);
  if (ok && out_cleared != NULL)
    *out_cleared = sqlite3_changes (ltm_store_db_get_handle (db));

  g_clear_pointer (&stmt, sqlite3_finalize);
  return ltm_store_webhook_end (self, db, ok, error);
}

/* The webhook URL to put back */

/**
 * ltm_store_set_webhook_restore:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @endpoint: (nullable): LINE's webhook URL before; %NULL if it had none
 * @public_url: the URL that replaces it for now
 * @error: return location for a #GError
 *
 * Keeps @endpoint to be put back.  A restore still pending is kept as it
 * is: its URL is the one from before any diversion.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_webhook_restore (LtmStore    *self,
                               const char  *channel_id,
                               const char  *endpoint,
                               const char  *public_url,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LtmStoreDb *db;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && public_url != NULL, FALSE);

  if ((db = ltm_store_webhook_begin (self, channel_id, TRUE, error)) == NULL)
    return FALSE;

  stmt = ltm_store_db_prepare (db,
                               "INSERT INTO webhook_restores (channel_id, endpoint, public_url, since) "
                               "VALUES (:channel_id, :endpoint, :public_url, :since) "
                               "ON CONFLICT (channel_id) DO NOTHING", error);
  ok = stmt != NULL &&
       ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, error) &&
       ltm_store_webhook_bind_text (db, stmt, ":endpoint", endpoint, error) &&
       ltm_store_webhook_bind_text (db, stmt, ":public_url", public_url, error) &&
       ltm_store_webhook_bind_int64 (db, stmt, ":since", g_get_real_time () / G_USEC_PER_SEC,
                                     error) &&
       ltm_store_webhook_exec (db, stmt, error);

  g_clear_pointer (&stmt, sqlite3_finalize);
  return ltm_store_webhook_end (self, db, ok, error);
}

/**
 * ltm_store_get_webhook_restore:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the pending restore; %NULL without
 *   an error when there is none
 */
LtmWebhookRestore *
ltm_store_get_webhook_restore (LtmStore    *self,
                               const char  *channel_id,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmWebhookRestore) restore = NULL;
  GError *local_error = NULL;
  LtmStoreDb *db;
  int rc;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  if ((db = ltm_store_webhook_begin (self, channel_id, FALSE, error)) == NULL)
    return NULL;

  stmt = ltm_store_db_prepare (db, "SELECT endpoint, public_url, since FROM webhook_restores "
                               "WHERE channel_id = :channel_id", &local_error);
  if (stmt != NULL &&
      ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, &local_error))
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          restore = g_new0 (LtmWebhookRestore, 1);
          restore->endpoint = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          restore->public_url = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          restore->since = sqlite3_column_int64 (stmt, 2);
        }
      else if (rc != SQLITE_DONE)
        ltm_store_db_fail (db, rc, &local_error);
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  ltm_store_give_db (self, db);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return g_steal_pointer (&restore);
}

/**
 * ltm_store_clear_webhook_restore:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @error: return location for a #GError
 *
 * Forgets the pending restore, once the URL is back.
 *
 * Returns: %TRUE on success, also when there was none
 */
gboolean
ltm_store_clear_webhook_restore (LtmStore    *self,
                                 const char  *channel_id,
                                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LtmStoreDb *db;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  if ((db = ltm_store_webhook_begin (self, channel_id, TRUE, error)) == NULL)
    return FALSE;

  stmt = ltm_store_db_prepare (db, "DELETE FROM webhook_restores WHERE channel_id = :channel_id",
                               error);
  ok = stmt != NULL &&
       ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, error) &&
       ltm_store_webhook_exec (db, stmt, error);

  g_clear_pointer (&stmt, sqlite3_finalize);
  return ltm_store_webhook_end (self, db, ok, error);
}

/* The bot's own user ID */

/**
 * ltm_store_set_webhook_bot_user_id:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @user_id: its bot's user ID, as LINE's bot info gives it
 * @error: return location for a #GError
 *
 * Keeps @user_id as the destination of the events made for the channel.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_webhook_bot_user_id (LtmStore    *self,
                                   const char  *channel_id,
                                   const char  *user_id,
                                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LtmStoreDb *db;
  gboolean ok;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && user_id != NULL, FALSE);

  if ((db = ltm_store_webhook_begin (self, channel_id, TRUE, error)) == NULL)
    return FALSE;

  stmt = ltm_store_db_prepare (db,
                               "INSERT INTO webhook_bots (channel_id, user_id, fetched_at) "
                               "VALUES (:channel_id, :user_id, :fetched_at) "
                               "ON CONFLICT (channel_id) DO UPDATE SET user_id = excluded.user_id, "
                               "fetched_at = excluded.fetched_at", error);
  ok = stmt != NULL &&
       ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, error) &&
       ltm_store_webhook_bind_text (db, stmt, ":user_id", user_id, error) &&
       ltm_store_webhook_bind_int64 (db, stmt, ":fetched_at", g_get_real_time () / G_USEC_PER_SEC,
                                     error) &&
       ltm_store_webhook_exec (db, stmt, error);

  g_clear_pointer (&stmt, sqlite3_finalize);
  return ltm_store_webhook_end (self, db, ok, error);
}

/**
 * ltm_store_dup_webhook_bot_user_id:
 * @self: a #LtmStore
 * @channel_id: a channel
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the bot's user ID; %NULL without an
 *   error when bot info was never fetched for the channel
 */
char *
ltm_store_dup_webhook_bot_user_id (LtmStore    *self,
                                   const char  *channel_id,
                                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *user_id = NULL;
  GError *local_error = NULL;
  LtmStoreDb *db;
  int rc;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  if ((db = ltm_store_webhook_begin (self, channel_id, FALSE, error)) == NULL)
    return NULL;

  stmt = ltm_store_db_prepare (db, "SELECT user_id FROM webhook_bots WHERE channel_id = :channel_id",
                               &local_error);
  if (stmt != NULL &&
      ltm_store_webhook_bind_text (db, stmt, ":channel_id", channel_id, &local_error))
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        user_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      else if (rc != SQLITE_DONE)
        ltm_store_db_fail (db, rc, &local_error);
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  ltm_store_give_db (self, db);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  return g_steal_pointer (&user_id);
}
