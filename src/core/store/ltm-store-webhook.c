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
 * Each is an op of the store (ltm-store-ops.c explains them) with
 * LTM_STORE_OP_ASIDE: it needs the channel, and moves no generation, as
 * the channel models do not show these rows.  The ops' table is below.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store-webhook.h"

#include <glib/gi18n-lib.h>

#include "ltm-enums.h"
#include "ltm-store-private.h"

/* The kind of a recorded body's associated data. */
#define KIND_WEBHOOK_EVENT "webhook-event"

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

/* Ops */

typedef enum {
  LTM_STORE_WEBHOOK_ADD,
  LTM_STORE_WEBHOOK_SELECT,
  LTM_STORE_WEBHOOK_CLEAR,
  LTM_STORE_WEBHOOK_SET_RESTORE,
  LTM_STORE_WEBHOOK_GET_RESTORE,
  LTM_STORE_WEBHOOK_CLEAR_RESTORE,
  LTM_STORE_WEBHOOK_SET_BOT,
  LTM_STORE_WEBHOOK_GET_BOT,
  LTM_STORE_WEBHOOK_N_OPS,
} LtmStoreWebhookOpKind;

static const LtmStoreMethod webhook_methods[LTM_STORE_WEBHOOK_N_OPS];

/* Runs @op here and now; its result, if @out_result. */
static gboolean
ltm_store_webhook_run (LtmStore    *self,
                       LtmStoreOp  *op,
                       gpointer    *out_result,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) owned = op;

  if (!ltm_store_run (self, owned, error))
    return FALSE;

  if (out_result != NULL)
    *out_result = ltm_store_op_steal_result (owned);

  return TRUE;
}

/* Events: adding */

typedef struct {
  GPtrArray *records;           /* LtmWebhookRecord, the caller's: each gets its row's ID */
} LtmStoreWebhookAdd;

static gboolean
ltm_store_webhook_insert (LtmStoreTxn       *txn,
                          LtmWebhookRecord  *record,
                          GError           **error)
{
  static const char insert_sql[] =
    "INSERT INTO webhook_events (channel_id, received_at, event_index, event_id, event_type, "
    "signature, bot_state, bot_status, bot_time, bot_late, bot_message) "
    "VALUES (:channel_id, :received_at, :index, :event_id, :event_type, :signature, "
    ":bot_state, :bot_status, :bot_time, :bot_late, :bot_message)";
  static const char seal_sql[] =
    "UPDATE webhook_events SET sealed_body = :sealed WHERE id = :id";
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) seal = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *row = NULL;
  gint64 id;

  if ((insert = ltm_store_db_prepare (txn->db, insert_sql, error)) == NULL ||
      !ltm_store_bind_text (insert, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_int64 (insert, ":received_at", record->received_at, error) ||
      !ltm_store_bind_int64 (insert, ":index", record->index, error) ||
      !ltm_store_bind_text (insert, ":event_id", record->event_id, error) ||
      !ltm_store_bind_text (insert, ":event_type", record->event_type, error) ||
      !ltm_store_bind_text (insert, ":signature",
                            ltm_webhook_signature_to_string (record->signature), error) ||
      !ltm_store_bind_text (insert, ":bot_state",
                            ltm_store_webhook_bot_state_to_string (record->bot_state), error) ||
      !ltm_store_bind_int64 (insert, ":bot_status", record->bot_status, error) ||
      !ltm_store_bind_int64 (insert, ":bot_time", record->bot_time, error) ||
      !ltm_store_bind_int64 (insert, ":bot_late", record->bot_late, error) ||
      !ltm_store_bind_text (insert, ":bot_message", record->bot_message, error) ||
      !ltm_store_db_step (txn->db, insert, error))
    return FALSE;

  /* The row's ID is in the associated data: the body opens in no other row. */
  id = sqlite3_last_insert_rowid (ltm_store_db_get_handle (txn->db));
  row = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  sealed = ltm_store_seal_bytes (txn->key, txn->channel_id, KIND_WEBHOOK_EVENT, row, record->body);

  if ((seal = ltm_store_db_prepare (txn->db, seal_sql, error)) == NULL ||
      !ltm_store_bind_blob (seal, ":sealed", sealed, error) ||
      !ltm_store_bind_int64 (seal, ":id", id, error) ||
      !ltm_store_db_step (txn->db, seal, error))
    return FALSE;

  record->id = id;

  return TRUE;
}

static gboolean
ltm_store_webhook_add_run (LtmStoreTxn         *txn,
                           LtmStoreWebhookAdd  *args,
                           GError             **error)
{
  /* The oldest beyond the limit go in the same transaction. */
  static const char prune_sql[] =
    "DELETE FROM webhook_events WHERE channel_id = :channel_id AND id <= "
    "(SELECT id FROM webhook_events WHERE channel_id = :channel_id "
    "ORDER BY id DESC LIMIT 1 OFFSET :kept)";
  g_autoptr(sqlite3_stmt) prune = NULL;

  for (guint i = 0; i < args->records->len; i++)
    {
      if (!ltm_store_webhook_insert (txn, g_ptr_array_index (args->records, i), error))
        return FALSE;
    }

  return (prune = ltm_store_db_prepare (txn->db, prune_sql, error)) != NULL &&
         ltm_store_bind_text (prune, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_int64 (prune, ":kept", LTM_STORE_WEBHOOK_EVENTS_KEPT, error) &&
         ltm_store_db_step (txn->db, prune, error);
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
  LtmStoreWebhookAdd *args;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && records != NULL, FALSE);

  args = g_new0 (LtmStoreWebhookAdd, 1);
  args->records = records;

  return ltm_store_webhook_run (self,
                                ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_ADD],
                                                  channel_id, args),
                                NULL, error);
}

/* Events: reading and clearing */

typedef struct {
  char *event_id;               /* a webhookEventId or a row's number; NULL: all */
} LtmStoreWebhookSelect;

static void
ltm_store_webhook_select_free (LtmStoreWebhookSelect *args)
{
  g_free (args->event_id);
  g_free (args);
}

static LtmWebhookRecord *
ltm_store_webhook_read_record (LtmStoreTxn   *txn,
                               sqlite3_stmt  *stmt,
                               LtmSealKey    *key,
                               GError       **error)
{
  g_autoptr(LtmWebhookRecord) record = g_new0 (LtmWebhookRecord, 1);
  g_autofree char *row = NULL;

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
  record->body = ltm_store_unseal_bytes (key, txn->channel_id, KIND_WEBHOOK_EVENT, row,
                                         sqlite3_column_blob (stmt, 11),
                                         sqlite3_column_bytes (stmt, 11), NULL);
  if (record->body == NULL)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED,
                   _("The recorded webhook event %s of channel %s does not open: it was "
                     "changed, or copied from another row."), row, txn->channel_id);
      return NULL;
    }

  return g_steal_pointer (&record);
}

/* The op's result: the channel's recorded events, newest first; all, or
 * those of one webhookEventId or row number (the newest only). */
static gboolean
ltm_store_webhook_select_run (LtmStoreTxn            *txn,
                              LtmStoreWebhookSelect  *args,
                              GError                **error)
{
#define COLUMNS "SELECT id, received_at, event_index, event_id, event_type, signature, " \
                "bot_state, bot_status, bot_time, bot_late, bot_message, sealed_body " \
                "FROM webhook_events WHERE channel_id = :channel_id "
  static const char all_sql[] = COLUMNS "ORDER BY id DESC";
  static const char one_sql[] = COLUMNS "AND (event_id = :event_id OR "
                                "id = CAST (:event_id AS INTEGER)) ORDER BY id DESC LIMIT 1";
#undef COLUMNS
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  int rc;

  if ((stmt = ltm_store_db_prepare (txn->db, args->event_id != NULL ? one_sql : all_sql,
                                    error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      (args->event_id != NULL && !ltm_store_bind_text (stmt, ":event_id", args->event_id, error)))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LtmWebhookRecord *record;

      /* The master key only once there is something to open. */
      if (key == NULL &&
          (key = ltm_store_op_get_master_key (txn->op, txn->db, FALSE, error)) == NULL)
        return FALSE;

      if ((record = ltm_store_webhook_read_record (txn, stmt, key, error)) == NULL)
        return FALSE;
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  txn->op->result = g_steal_pointer (&records);
  txn->op->result_free = (GDestroyNotify) g_ptr_array_unref;

  return TRUE;
}

static GPtrArray *
ltm_store_webhook_select (LtmStore    *self,
                          const char  *channel_id,
                          const char  *event_id,
                          GError     **error)
{
  LtmStoreWebhookSelect *args = g_new0 (LtmStoreWebhookSelect, 1);
  gpointer records = NULL;

  args->event_id = g_strdup (event_id);
  if (!ltm_store_webhook_run (self,
                              ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_SELECT],
                                                channel_id, args),
                              &records, error))
    return NULL;

  return records;
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

/* Deletes the rows of one of the tables; how many, as the op's result. */
static gboolean
ltm_store_webhook_delete_run (LtmStoreTxn  *txn,
                              const char   *sql,
                              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_db_step (txn->db, stmt, error))
    return FALSE;

  txn->op->result = GUINT_TO_POINTER (sqlite3_changes (ltm_store_db_get_handle (txn->db)));

  return TRUE;
}

static gboolean
ltm_store_webhook_clear_run (LtmStoreTxn  *txn,
                             gpointer      args,
                             GError      **error)
{
  return ltm_store_webhook_delete_run (txn, "DELETE FROM webhook_events "
                                       "WHERE channel_id = :channel_id", error);
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
  gpointer cleared = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  if (!ltm_store_webhook_run (self,
                              ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_CLEAR],
                                                channel_id, NULL),
                              &cleared, error))
    return FALSE;

  if (out_cleared != NULL)
    *out_cleared = GPOINTER_TO_UINT (cleared);

  return TRUE;
}

/* The webhook URL to put back */

static gboolean
ltm_store_webhook_set_restore_run (LtmStoreTxn        *txn,
                                   LtmWebhookRestore  *args,
                                   GError            **error)
{
  /* A restore still pending stays: its URL is the one from before any
   * diversion. */
  static const char sql[] =
    "INSERT INTO webhook_restores (channel_id, endpoint, public_url, since) "
    "VALUES (:channel_id, :endpoint, :public_url, :since) ON CONFLICT (channel_id) DO NOTHING";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":endpoint", args->endpoint, error) &&
         ltm_store_bind_text (stmt, ":public_url", args->public_url, error) &&
         ltm_store_bind_int64 (stmt, ":since", args->since, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

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
  LtmWebhookRestore *args;

  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && public_url != NULL, FALSE);

  args = g_new0 (LtmWebhookRestore, 1);
  args->endpoint = g_strdup (endpoint);
  args->public_url = g_strdup (public_url);
  args->since = g_get_real_time () / G_USEC_PER_SEC;

  return ltm_store_webhook_run (self,
                                ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_SET_RESTORE],
                                                  channel_id, args),
                                NULL, error);
}

/* Reads the channel's row of @sql, a SELECT by :channel_id: @out_stmt is
 * on the row, or %NULL when there is none. */
static gboolean
ltm_store_webhook_read_row (LtmStoreTxn    *txn,
                            const char     *sql,
                            sqlite3_stmt  **out_stmt,
                            GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  *out_stmt = NULL;
  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_stmt = g_steal_pointer (&stmt);
  else if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

/* The op's result: the pending restore, if any. */
static gboolean
ltm_store_webhook_get_restore_run (LtmStoreTxn  *txn,
                                   gpointer      args,
                                   GError      **error)
{
  static const char sql[] =
    "SELECT endpoint, public_url, since FROM webhook_restores WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) row = NULL;
  LtmWebhookRestore *restore;

  if (!ltm_store_webhook_read_row (txn, sql, &row, error))
    return FALSE;
  if (row == NULL)
    return TRUE;

  restore = g_new0 (LtmWebhookRestore, 1);
  restore->endpoint = g_strdup ((const char *) sqlite3_column_text (row, 0));
  restore->public_url = g_strdup ((const char *) sqlite3_column_text (row, 1));
  restore->since = sqlite3_column_int64 (row, 2);
  txn->op->result = restore;
  txn->op->result_free = (GDestroyNotify) ltm_webhook_restore_free;

  return TRUE;
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
  gpointer restore = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  ltm_store_webhook_run (self,
                         ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_GET_RESTORE],
                                           channel_id, NULL),
                         &restore, error);

  return restore;
}

static gboolean
ltm_store_webhook_clear_restore_run (LtmStoreTxn  *txn,
                                     gpointer      args,
                                     GError      **error)
{
  return ltm_store_webhook_delete_run (txn, "DELETE FROM webhook_restores "
                                       "WHERE channel_id = :channel_id", error);
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
  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL, FALSE);

  return ltm_store_webhook_run (self,
                                ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_CLEAR_RESTORE],
                                                  channel_id, NULL),
                                NULL, error);
}

/* The bot's own user ID */

static gboolean
ltm_store_webhook_set_bot_run (LtmStoreTxn  *txn,
                               const char   *user_id,
                               GError      **error)
{
  static const char sql[] =
    "INSERT INTO webhook_bots (channel_id, user_id, fetched_at) "
    "VALUES (:channel_id, :user_id, :fetched_at) "
    "ON CONFLICT (channel_id) DO UPDATE SET user_id = excluded.user_id, "
    "fetched_at = excluded.fetched_at";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":user_id", user_id, error) &&
         ltm_store_bind_int64 (stmt, ":fetched_at", g_get_real_time () / G_USEC_PER_SEC, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

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
  g_return_val_if_fail (LTM_IS_STORE (self), FALSE);
  g_return_val_if_fail (channel_id != NULL && user_id != NULL, FALSE);

  return ltm_store_webhook_run (self,
                                ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_SET_BOT],
                                                  channel_id, g_strdup (user_id)),
                                NULL, error);
}

/* The op's result: the bot's user ID, if bot info was ever fetched. */
static gboolean
ltm_store_webhook_get_bot_run (LtmStoreTxn  *txn,
                               gpointer      args,
                               GError      **error)
{
  static const char sql[] = "SELECT user_id FROM webhook_bots WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) row = NULL;

  if (!ltm_store_webhook_read_row (txn, sql, &row, error))
    return FALSE;
  if (row == NULL)
    return TRUE;

  txn->op->result = g_strdup ((const char *) sqlite3_column_text (row, 0));
  txn->op->result_free = g_free;

  return TRUE;
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
  gpointer user_id = NULL;

  g_return_val_if_fail (LTM_IS_STORE (self), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  ltm_store_webhook_run (self,
                         ltm_store_op_new (&webhook_methods[LTM_STORE_WEBHOOK_GET_BOT],
                                           channel_id, NULL),
                         &user_id, error);

  return user_id;
}

/* The table: every op needs its channel and leaves the generation alone. */

#define WRITES (LTM_STORE_OP_WRITES | LTM_STORE_OP_ASIDE)
#define READS (LTM_STORE_OP_READS | LTM_STORE_OP_ASIDE)

static const LtmStoreMethod webhook_methods[LTM_STORE_WEBHOOK_N_OPS] = {
  [LTM_STORE_WEBHOOK_ADD] =
    LTM_STORE_METHOD (WRITES, LTM_STORE_SEALING_SEALS, NULL, ltm_store_webhook_add_run, g_free),
  [LTM_STORE_WEBHOOK_SELECT] =
    LTM_STORE_METHOD (READS, LTM_STORE_SEALING_OPENS, NULL, ltm_store_webhook_select_run,
                      ltm_store_webhook_select_free),
  [LTM_STORE_WEBHOOK_CLEAR] =
    LTM_STORE_METHOD (WRITES, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_clear_run, NULL),
  [LTM_STORE_WEBHOOK_SET_RESTORE] =
    LTM_STORE_METHOD (WRITES, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_set_restore_run,
                      ltm_webhook_restore_free),
  [LTM_STORE_WEBHOOK_GET_RESTORE] =
    LTM_STORE_METHOD (READS, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_get_restore_run,
                      NULL),
  [LTM_STORE_WEBHOOK_CLEAR_RESTORE] =
    LTM_STORE_METHOD (WRITES, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_clear_restore_run,
                      NULL),
  [LTM_STORE_WEBHOOK_SET_BOT] =
    LTM_STORE_METHOD (WRITES, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_set_bot_run, g_free),
  [LTM_STORE_WEBHOOK_GET_BOT] =
    LTM_STORE_METHOD (READS, LTM_STORE_SEALING_NONE, NULL, ltm_store_webhook_get_bot_run, NULL),
};

#undef WRITES
#undef READS
