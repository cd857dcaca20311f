/* ltm-webhook-history.c: what the store keeps of a channel's webhook, for
 * the front ends: the recorded events, and the bot's own user ID
 *
 * The bot's user ID is what LINE puts in `destination`: bot info gives it,
 * and ltm_webhook_get_bot_info_async() keeps it in the store
 * (ltm-store-webhook.c) whenever it is fetched for a stored channel, so
 * that the events made here (ltm-webhook-synth.c) carry it as LINE's do.
 * Before that, the newest recorded event's destination stands in: LINE
 * wrote it.
 *
 * Reading the history opens each recorded body and reads its event in a
 * worker thread: a window asks for it as a page opens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-history.h"

#include "ltm-secret.h"
#include "ltm-store-webhook.h"

/* Bot info, and the bot's user ID kept */

typedef struct {
  LtmStore *store;              /* NULL: nothing is kept */
  char *channel_id;
  LtmLineBotInfo *info;
} LtmWebhookBotInfoCall;

static void
ltm_webhook_bot_info_call_free (LtmWebhookBotInfoCall *call)
{
  g_clear_object (&call->store);
  g_free (call->channel_id);
  g_clear_pointer (&call->info, ltm_line_bot_info_free);
  g_free (call);
}

static void
ltm_webhook_keep_bot_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  LtmWebhookBotInfoCall *call = task_data;
  g_autoptr(GError) error = NULL;

  /* What LINE said stands even when it cannot be kept: a channel that is
   * not stored has nowhere to keep it. */
  if (!ltm_store_set_webhook_bot_user_id (call->store, call->channel_id, call->info->user_id,
                                          &error) &&
      !g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    g_info ("The bot's user ID for channel %s was not kept: %s", call->channel_id,
            error->message);

  g_task_return_pointer (task, g_steal_pointer (&call->info),
                         (GDestroyNotify) ltm_line_bot_info_free);
}

static void
ltm_webhook_got_bot_info_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmWebhookBotInfoCall *call = g_task_get_task_data (task);
  GError *error = NULL;

  call->info = ltm_line_client_get_bot_info_finish (LTM_LINE_CLIENT (source), result, &error);
  if (call->info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (call->store == NULL || call->channel_id == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&call->info),
                             (GDestroyNotify) ltm_line_bot_info_free);
      return;
    }

  g_task_run_in_thread (task, ltm_webhook_keep_bot_thread);
}

/**
 * ltm_webhook_get_bot_info_async:
 * @client: the LINE client
 * @store: (nullable): where to keep the bot's user ID
 * @channel_id: (nullable): the channel @access_token belongs to
 * @access_token: a channel access token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Asks LINE for the bot's info and, for a channel in @store, keeps its
 * user ID as the destination of the events made for it.
 */
void
ltm_webhook_get_bot_info_async (LtmLineClient       *client,
                                LtmStore            *store,
                                const char          *channel_id,
                                const char          *access_token,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmWebhookBotInfoCall *call;

  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (store == NULL || LTM_IS_STORE (store));
  g_return_if_fail (access_token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_webhook_get_bot_info_async);
  call = g_new0 (LtmWebhookBotInfoCall, 1);
  call->store = store != NULL ? g_object_ref (store) : NULL;
  call->channel_id = g_strdup (channel_id);
  g_task_set_task_data (task, call, (GDestroyNotify) ltm_webhook_bot_info_call_free);

  ltm_line_client_get_bot_info_async (client, access_token, cancellable,
                                      ltm_webhook_got_bot_info_cb, g_steal_pointer (&task));
}

/**
 * ltm_webhook_get_bot_info_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the bot's info, or %NULL with LINE's error
 */
LtmLineBotInfo *
ltm_webhook_get_bot_info_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_webhook_get_bot_info_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The destination */

/* The newest recorded event's destination; NULL when none says. */
static char *
ltm_webhook_dup_recorded_destination (GPtrArray *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(LtmWebhookEvent) event = ltm_webhook_record_to_event (g_ptr_array_index (records, i),
                                                                       NULL);

      if (event != NULL && ltm_webhook_event_get_destination (event) != NULL)
        return g_strdup (ltm_webhook_event_get_destination (event));
    }

  return NULL;
}

/**
 * ltm_webhook_dup_destination:
 * @store: the store
 * @channel_id: a channel
 *
 * From any thread.
 *
 * Returns: (transfer full) (nullable): the bot's user ID, as bot info
 *   last gave it, else as LINE last sent it; %NULL when neither is known
 */
char *
ltm_webhook_dup_destination (LtmStore   *store,
                             const char *channel_id)
{
  g_autoptr(GPtrArray) records = NULL;
  char *user_id;

  g_return_val_if_fail (LTM_IS_STORE (store), NULL);
  g_return_val_if_fail (channel_id != NULL, NULL);

  if ((user_id = ltm_store_dup_webhook_bot_user_id (store, channel_id, NULL)) != NULL)
    return user_id;

  if ((records = ltm_store_list_webhook_records (store, channel_id, NULL)) == NULL)
    return NULL;

  return ltm_webhook_dup_recorded_destination (records);
}

/* The history */

void
ltm_webhook_history_free (LtmWebhookHistory *history)
{
  if (history == NULL)
    return;

  g_clear_pointer (&history->events, g_ptr_array_unref);
  g_free (history->destination);
  g_free (history);
}

typedef struct {
  LtmStore *store;
  char *channel_id;
} LtmWebhookHistoryLoad;

static void
ltm_webhook_history_load_free (LtmWebhookHistoryLoad *load)
{
  g_object_unref (load->store);
  g_free (load->channel_id);
  g_free (load);
}

static void
ltm_webhook_load_history_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  LtmWebhookHistoryLoad *load = task_data;
  LtmStore *store = load->store;
  const char *channel_id = load->channel_id;
  g_autoptr(LtmWebhookHistory) history = g_new0 (LtmWebhookHistory, 1);
  g_autoptr(GPtrArray) records = NULL;
  GError *error = NULL;

  if ((records = ltm_store_list_webhook_records (store, channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  history->events = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(GError) event_error = NULL;
      LtmWebhookEvent *event = ltm_webhook_record_to_event (g_ptr_array_index (records, i),
                                                            &event_error);

      /* A body that no longer reads is left out, not the rest. */
      if (event == NULL)
        {
          g_info ("A recorded webhook event of channel %s does not read: %s", channel_id,
                  event_error->message);
          continue;
        }
      g_ptr_array_add (history->events, event);
    }

  history->destination = ltm_store_dup_webhook_bot_user_id (store, channel_id, NULL);
  if (history->destination == NULL)
    history->destination = ltm_webhook_dup_recorded_destination (records);

  g_task_return_pointer (task, g_steal_pointer (&history),
                         (GDestroyNotify) ltm_webhook_history_free);
}

/**
 * ltm_webhook_load_history_async:
 * @store: the store
 * @channel_id: a stored channel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Reads the channel's recorded events back, and its bot's user ID.
 */
void
ltm_webhook_load_history_async (LtmStore            *store,
                                const char          *channel_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmWebhookHistoryLoad *load;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_webhook_load_history_async);
  load = g_new0 (LtmWebhookHistoryLoad, 1);
  load->store = g_object_ref (store);
  load->channel_id = g_strdup (channel_id);
  g_task_set_task_data (task, load, (GDestroyNotify) ltm_webhook_history_load_free);
  g_task_run_in_thread (task, ltm_webhook_load_history_thread);
}

/**
 * ltm_webhook_load_history_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the history, or %NULL with the store's error
 */
LtmWebhookHistory *
ltm_webhook_load_history_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_webhook_load_history_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
