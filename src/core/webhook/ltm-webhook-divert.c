/* ltm-webhook-divert.c: LINE's webhook URL pointed at the developer's own
 * tunnel for a while, and put back
 *
 * Diverting: a restore still pending from a run that was killed is done
 * first; then LINE's current URL is read (none: 404), kept in the store
 * (ltm-store-webhook.c) before anything changes, and the public URL set.
 * Should setting it fail, nothing was changed and the restore is dropped.
 *
 * Restoring: the kept URL is set again, and only then forgotten; should
 * that fail, it stays pending for the next try.  LINE's API cannot unset
 * a URL: when there was none before, the public URL stays, the restore is
 * dropped, and the caller is told (the restore's endpoint is %NULL).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-divert.h"

#include "ltm-secret.h"

typedef struct {
  LtmLineClient *client;
  LtmStore *store;
  char *channel_id;
  LtmSecret *token;
  char *public_url;
  LtmWebhookRestore *restore;   /* what is being put back, or what was kept */
} LtmWebhookDivert;

static void
ltm_webhook_divert_free (LtmWebhookDivert *divert)
{
  g_clear_object (&divert->client);
  g_clear_object (&divert->store);
  g_free (divert->channel_id);
  ltm_secret_free (divert->token);
  g_free (divert->public_url);
  ltm_webhook_restore_free (divert->restore);
  g_free (divert);
}

static GTask *
ltm_webhook_divert_task_new (LtmLineClient       *client,
                             LtmStore            *store,
                             const char          *channel_id,
                             const char          *access_token,
                             const char          *public_url,
                             gpointer             source_tag,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LtmWebhookDivert *divert = g_new0 (LtmWebhookDivert, 1);

  divert->client = g_object_ref (client);
  divert->store = g_object_ref (store);
  divert->channel_id = g_strdup (channel_id);
  divert->token = g_strdup (access_token);
  divert->public_url = g_strdup (public_url);
  g_task_set_task_data (task, divert, (GDestroyNotify) ltm_webhook_divert_free);
  g_task_set_source_tag (task, source_tag);

  return task;
}

/* Each function below takes the task (transfer full) and passes it on. */

static void ltm_webhook_divert_start (GTask *task);

static gboolean
ltm_webhook_is_restore (GTask *task)
{
  return g_task_get_source_tag (task) == ltm_webhook_restore_async;
}

static void
ltm_webhook_restore_done (GTask *task_)
{
  g_autoptr(GTask) task = task_;
  LtmWebhookDivert *divert = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ltm_store_clear_webhook_restore (divert->store, divert->channel_id, &error))
    g_task_return_error (task, error);
  else if (ltm_webhook_is_restore (task))
    g_task_return_pointer (task, g_steal_pointer (&divert->restore),
                           (GDestroyNotify) ltm_webhook_restore_free);
  else
    ltm_webhook_divert_start (g_steal_pointer (&task));
}

static void
ltm_webhook_restore_set_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* Not set: the restore stays pending. */
  if (!ltm_line_client_set_webhook_finish (LTM_LINE_CLIENT (source), result, &error))
    g_task_return_error (task, error);
  else
    ltm_webhook_restore_done (g_steal_pointer (&task));
}

/* Puts back a pending restore, if any. */
static void
ltm_webhook_restore_start (GTask *task_)
{
  g_autoptr(GTask) task = task_;
  LtmWebhookDivert *divert = g_task_get_task_data (task);
  GError *error = NULL;

  divert->restore = ltm_store_get_webhook_restore (divert->store, divert->channel_id, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (divert->restore == NULL && ltm_webhook_is_restore (task))
    g_task_return_pointer (task, NULL, NULL);
  else if (divert->restore == NULL)
    ltm_webhook_divert_start (g_steal_pointer (&task));
  else if (divert->restore->endpoint == NULL)
    ltm_webhook_restore_done (g_steal_pointer (&task));
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      ltm_line_client_set_webhook_async (divert->client, divert->token, divert->restore->endpoint,
                                         cancellable, ltm_webhook_restore_set_cb,
                                         g_steal_pointer (&task));
    }
}

/**
 * ltm_webhook_restore_async:
 * @client: the LINE client
 * @store: the store that keeps the pending restore
 * @channel_id: the channel
 * @access_token: a channel access token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Puts LINE's webhook URL back as it was before ltm_webhook_divert_async().
 */
void
ltm_webhook_restore_async (LtmLineClient       *client,
                           LtmStore            *store,
                           const char          *channel_id,
                           const char          *access_token,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL && access_token != NULL);

  ltm_webhook_restore_start (ltm_webhook_divert_task_new (client, store, channel_id, access_token,
                                                          NULL, ltm_webhook_restore_async,
                                                          cancellable, callback, user_data));
}

/**
 * ltm_webhook_restore_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): what was put back (its endpoint
 *   %NULL when LINE had no URL before: the public URL stays); %NULL
 *   without an error when nothing was pending
 */
LtmWebhookRestore *
ltm_webhook_restore_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_webhook_restore_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Diverting */

static void
ltm_webhook_divert_set_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmWebhookDivert *divert = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ltm_line_client_set_webhook_finish (LTM_LINE_CLIENT (source), result, &error))
    {
      /* Nothing changed: nothing to put back. */
      ltm_store_clear_webhook_restore (divert->store, divert->channel_id, NULL);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&divert->restore),
                         (GDestroyNotify) ltm_webhook_restore_free);
}

static void
ltm_webhook_divert_got_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmWebhookDivert *divert = g_task_get_task_data (task);
  g_autoptr(LtmLineWebhook) webhook = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  webhook = ltm_line_client_get_webhook_finish (LTM_LINE_CLIENT (source), result, &error);
  if (webhook == NULL && !g_error_matches (error, LTM_LINE_ERROR, LTM_LINE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);

  /* Kept before anything changes: a kill from here on is undone. */
  if (!ltm_store_set_webhook_restore (divert->store, divert->channel_id,
                                      webhook != NULL ? webhook->endpoint : NULL,
                                      divert->public_url, &error) ||
      (divert->restore = ltm_store_get_webhook_restore (divert->store, divert->channel_id,
                                                        &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  ltm_line_client_set_webhook_async (divert->client, divert->token, divert->public_url,
                                     cancellable, ltm_webhook_divert_set_cb,
                                     g_steal_pointer (&task));
}

static void
ltm_webhook_divert_start (GTask *task)
{
  LtmWebhookDivert *divert = g_task_get_task_data (task);

  /* What was put back is forgotten: the URL to keep is read anew. */

  g_clear_pointer (&divert->restore, ltm_webhook_restore_free);
  ltm_line_client_get_webhook_async (divert->client, divert->token,
                                     g_task_get_cancellable (task),
                                     ltm_webhook_divert_got_cb, task);
}

/**
 * ltm_webhook_divert_async:
 * @client: the LINE client
 * @store: the store that keeps the URL to put back
 * @channel_id: the channel, in @store
 * @access_token: a channel access token
 * @public_url: the developer's own public URL (a tunnel to the receiver)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Points LINE's webhook URL at @public_url until ltm_webhook_restore_async().
 */
void
ltm_webhook_divert_async (LtmLineClient       *client,
                          LtmStore            *store,
                          const char          *channel_id,
                          const char          *access_token,
                          const char          *public_url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL && access_token != NULL && public_url != NULL);

  task = ltm_webhook_divert_task_new (client, store, channel_id, access_token, public_url,
                                      ltm_webhook_divert_async, cancellable, callback, user_data);

  if (!ltm_line_check_webhook_url (public_url, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  ltm_webhook_restore_start (task);
}

/**
 * ltm_webhook_divert_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what will be put back; %NULL with an error
 *   when LINE's URL was not changed
 */
LtmWebhookRestore *
ltm_webhook_divert_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_webhook_divert_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
