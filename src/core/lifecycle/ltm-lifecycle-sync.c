/* ltm-lifecycle-sync.c: what LINE says of the stored tokens, one of the
 * token workflows
 *
 * Reconcile: LINE's list of valid key IDs against the stored tokens, then
 * the tokens whose grace period is over revoked (ltm-lifecycle-revoke.c).
 * Verify: one stored token, at the endpoint of its kind.  Read env: the
 * newest usable token and the channel secret, what a bot's deployment
 * reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-lifecycle.h"

#include <glib/gi18n-lib.h>

#include "ltm-jwt.h"

void
ltm_reconciliation_free (LtmReconciliation *reconciliation)
{
  if (reconciliation == NULL)
    return;

  g_free (reconciliation->channel_id);
  g_free (reconciliation);
}

/**
 * ltm_lifecycle_format_env:
 * @access_token: the channel access token to deploy
 * @channel_secret: (nullable): the channel secret, if one is stored
 *
 * What a bot's deployment reads (`ltm token env`, the window's Copy as
 * Environment Variables): a CHANNEL_ACCESS_TOKEN= line, and a
 * CHANNEL_SECRET= line when there is a secret.
 *
 * Returns: (transfer full): the lines; free with ltm_secret_free()
 */
LtmSecret *
ltm_lifecycle_format_env (const char *access_token,
                          const char *channel_secret)
{
  g_return_val_if_fail (access_token != NULL, NULL);

  if (channel_secret == NULL)
    return g_strdup_printf ("CHANNEL_ACCESS_TOKEN=%s\n", access_token);

  return g_strdup_printf ("CHANNEL_ACCESS_TOKEN=%s\nCHANNEL_SECRET=%s\n",
                          access_token, channel_secret);
}

/* Reconciling the store with LINE's key-ID list */

typedef struct {
  LtmStore *store;
  LtmLineClient *client;
  char *channel_id;
  char *kid;
  GPtrArray *gone;              /* stored key IDs LINE no longer lists */
  guint next_gone;
  LtmReconciliation *reconciliation;
} LtmReconcile;

static void
ltm_reconcile_free (LtmReconcile *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->client);
  g_free (state->channel_id);
  g_free (state->kid);
  g_clear_pointer (&state->gone, g_ptr_array_unref);
  ltm_reconciliation_free (state->reconciliation);
  g_free (state);
}

static void
ltm_reconcile_mark_next (GTask *task);

static void
ltm_reconcile_marked_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmReconcile *state = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ltm_store_change_finish (state->store, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_reconcile_mark_next (task);
}

static void
ltm_reconcile_retired_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmReconcile *state = g_task_get_task_data (task);
  g_autoptr(LtmRevocation) revocation = NULL;
  GError *error = NULL;

  revocation = ltm_lifecycle_retire_finish (result, &error);
  if (revocation == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state->reconciliation->retired = revocation->revoked;
  g_task_return_pointer (task, g_steal_pointer (&state->reconciliation),
                         (GDestroyNotify) ltm_reconciliation_free);
}

static void
ltm_reconcile_mark_next (GTask *task)
{
  LtmReconcile *state = g_task_get_task_data (task);

  if (state->next_gone < state->gone->len)
    {
      /* LINE no longer knows it: revoked, whoever did it. */
      ltm_store_set_token_state_async (state->store, state->channel_id,
                                       g_ptr_array_index (state->gone, state->next_gone++),
                                       TRUE, FALSE, NULL, ltm_reconcile_marked_cb,
                                       g_object_ref (task));
      return;
    }

  /* Then the tokens whose grace period is over go. */
  ltm_lifecycle_retire_async (state->store, state->client, state->channel_id,
                              g_get_real_time () / G_USEC_PER_SEC, g_task_get_cancellable (task),
                              ltm_reconcile_retired_cb, g_object_ref (task));
}

static void
ltm_reconcile_kids_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmReconcile *state = g_task_get_task_data (task);
  g_auto(GStrv) kids = NULL;
  GError *error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  LtmChannel *channel;
  GListModel *tokens;

  kids = ltm_line_client_get_key_ids_finish (state->client, result, &error);
  if (kids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Removed while LINE was asked (ltm channel remove, another window):
   * nothing is left to reconcile. */
  if ((channel = ltm_store_lookup_channel (state->store, state->channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  tokens = ltm_channel_get_tokens (channel);
  state->reconciliation->line_total = g_strv_length (kids);

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);
      const char *key_id = ltm_token_get_key_id (token);

      if (ltm_token_get_kind (token) != LTM_TOKEN_KIND_V21 || !ltm_token_is_usable (token, now))
        continue;

      if (g_strv_contains ((const char * const *) kids, key_id))
        state->reconciliation->known++;
      else
        g_ptr_array_add (state->gone, g_strdup (key_id));
    }

  state->reconciliation->gone = state->gone->len;
  for (guint i = 0; kids[i] != NULL; i++)
    if (ltm_channel_find_token (channel, kids[i]) == NULL)
      state->reconciliation->elsewhere++;

  ltm_reconcile_mark_next (task);
}

static void
ltm_reconcile_key_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmReconcile *state = g_task_get_task_data (task);
  g_autoptr(LtmKey) key = NULL;
  g_autofree char *jwt = NULL;
  GError *error = NULL;

  if ((key = ltm_store_get_key_finish (state->store, result, &error)) == NULL ||
      (jwt = ltm_jwt_create_assertion (key, state->kid, state->channel_id,
                                       g_get_real_time () / G_USEC_PER_SEC,
                                       LTM_JWT_ASSERTION_LIFETIME, LTM_JWT_MAX_TOKEN_LIFETIME,
                                       &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_line_client_get_key_ids_async (state->client, jwt, g_task_get_cancellable (task),
                                     ltm_reconcile_kids_cb, g_object_ref (task));
}

/**
 * ltm_lifecycle_reconcile_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient
 * @channel_id: a stored channel with a key and its kid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Asks LINE which v2.1 tokens of the channel are valid: stored tokens it
 * no longer lists are marked revoked; listed tokens the store does not know
 * were issued elsewhere, and count against LINE's 30 all the same.  Then
 * the retiring tokens whose grace period is over are revoked.
 */
void
ltm_lifecycle_reconcile_async (LtmStore            *store,
                               LtmLineClient       *client,
                               const char          *channel_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmReconcile *state;
  LtmChannel *channel;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_reconcile_async);

  if ((channel = ltm_store_lookup_channel (store, channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!ltm_channel_get_has_key (channel) || ltm_channel_get_kid (channel) == NULL)
    {
      g_task_return_new_error (task, LTM_LIFECYCLE_ERROR,
                               !ltm_channel_get_has_key (channel) ? LTM_LIFECYCLE_ERROR_NEEDS_KEY
                                                                 : LTM_LIFECYCLE_ERROR_NEEDS_KID,
                               _("The channel %s needs a stored key and its kid to ask LINE "
                                 "for its tokens."), channel_id);
      return;
    }

  state = g_new0 (LtmReconcile, 1);
  state->store = g_object_ref (store);
  state->client = g_object_ref (client);
  state->channel_id = g_strdup (channel_id);
  state->kid = g_strdup (ltm_channel_get_kid (channel));
  state->gone = g_ptr_array_new_with_free_func (g_free);
  state->reconciliation = g_new0 (LtmReconciliation, 1);
  state->reconciliation->channel_id = g_strdup (channel_id);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_reconcile_free);

  ltm_store_get_key_async (store, channel_id, cancellable, ltm_reconcile_key_cb,
                           g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_reconcile_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what LINE said, or %NULL with @error set
 */
LtmReconciliation *
ltm_lifecycle_reconcile_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_reconcile_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Verifying a stored token */

typedef struct {
  LtmLineClient *client;
  char *channel_id;
  LtmTokenKind kind;
} LtmVerify;

static void
ltm_verify_free (LtmVerify *state)
{
  g_clear_object (&state->client);
  g_free (state->channel_id);
  g_free (state);
}

static void
ltm_verify_verified_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmVerify *state = g_task_get_task_data (task);
  LtmLineTokenInfo *info;
  GError *error = NULL;

  if (state->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    info = ltm_line_client_verify_short_lived_token_finish (state->client, result, &error);
  else
    info = ltm_line_client_verify_token_finish (state->client, result, &error);

  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_strcmp0 (info->client_id, state->channel_id) != 0)
    {
      g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_WRONG_CHANNEL,
                               _("LINE says the token belongs to channel %s, not to %s."),
                               info->client_id, state->channel_id);
      ltm_line_token_info_free (info);
      return;
    }

  g_task_return_pointer (task, info, (GDestroyNotify) ltm_line_token_info_free);
}

static void
ltm_verify_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmVerify *state = g_task_get_task_data (task);
  g_autoptr(LtmSecret) token = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if ((token = ltm_store_get_token_finish (LTM_STORE (source), result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (state->kind == LTM_TOKEN_KIND_SHORT_LIVED)
    ltm_line_client_verify_short_lived_token_async (state->client, token, cancellable,
                                                    ltm_verify_verified_cb,
                                                    g_steal_pointer (&task));
  else
    ltm_line_client_verify_token_async (state->client, token, cancellable,
                                        ltm_verify_verified_cb, g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_verify_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient
 * @channel_id: a stored channel
 * @key_id: (nullable): which stored token; %NULL for the newest usable one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with LINE's answer
 * @user_data: data for @callback
 *
 * Asks LINE about a stored token, at the endpoint of its kind, and
 * checks that LINE says it belongs to @channel_id.
 */
void
ltm_lifecycle_verify_async (LtmStore            *store,
                            LtmLineClient       *client,
                            const char          *channel_id,
                            const char          *key_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmVerify *state;
  LtmToken *token;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_verify_async);

  token = ltm_store_lookup_token (store, channel_id, key_id, g_get_real_time () / G_USEC_PER_SEC,
                                  &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = g_new0 (LtmVerify, 1);
  state->client = g_object_ref (client);
  state->channel_id = g_strdup (channel_id);
  state->kind = ltm_token_get_kind (token);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_verify_free);

  ltm_store_get_token_async (store, channel_id, ltm_token_get_key_id (token), cancellable,
                             ltm_verify_token_cb, g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_verify_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what LINE said of the token
 */
LtmLineTokenInfo *
ltm_lifecycle_verify_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_verify_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reading what a bot's deployment reads */

void
ltm_bot_env_free (LtmBotEnv *env)
{
  if (env == NULL)
    return;

  g_free (env->channel_id);
  g_free (env->key_id);
  ltm_secret_free (env->access_token);
  ltm_secret_free (env->channel_secret);
  g_free (env);
}

/* Holds the LtmBotEnv being read until it is returned. */
typedef struct {
  LtmBotEnv *env;
} LtmReadEnv;

static void
ltm_read_env_free (LtmReadEnv *state)
{
  ltm_bot_env_free (state->env);
  g_free (state);
}

static void
ltm_read_env_return (GTask *task)
{
  LtmReadEnv *state = g_task_get_task_data (task);

  g_task_return_pointer (task, g_steal_pointer (&state->env), (GDestroyNotify) ltm_bot_env_free);
}

static void
ltm_read_env_secret_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmBotEnv *env = ((LtmReadEnv *) g_task_get_task_data (task))->env;
  GError *error = NULL;

  if ((env->channel_secret = ltm_store_get_secret_finish (LTM_STORE (source), result,
                                                          &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_read_env_return (task);
}

static void
ltm_read_env_token_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmStore *store = LTM_STORE (source);
  LtmBotEnv *env = ((LtmReadEnv *) g_task_get_task_data (task))->env;
  GCancellable *cancellable = g_task_get_cancellable (task);
  LtmChannel *channel;
  GError *error = NULL;

  if ((env->access_token = ltm_store_get_token_finish (store, result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  channel = ltm_store_find_channel (store, env->channel_id);
  if (channel != NULL && ltm_channel_get_has_secret (channel))
    {
      ltm_store_get_secret_async (store, env->channel_id, cancellable,
                                  ltm_read_env_secret_cb, g_steal_pointer (&task));
      return;
    }

  ltm_read_env_return (task);
}

/**
 * ltm_lifecycle_read_env_async:
 * @store: a loaded #LtmStore
 * @channel_id: a stored channel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with what was read
 * @user_data: data for @callback
 *
 * Reads what a bot's deployment needs (`ltm token env`, the window's
 * Copy as Environment Variables): the newest usable token, and the
 * channel secret when one is stored.  Format it with
 * ltm_lifecycle_format_env().
 */
void
ltm_lifecycle_read_env_async (LtmStore            *store,
                              const char          *channel_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmReadEnv *state;
  LtmBotEnv *env;
  LtmToken *token;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_read_env_async);

  token = ltm_store_lookup_token (store, channel_id, NULL, g_get_real_time () / G_USEC_PER_SEC,
                                  &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = g_new0 (LtmReadEnv, 1);
  state->env = env = g_new0 (LtmBotEnv, 1);
  env->channel_id = g_strdup (channel_id);
  env->key_id = g_strdup (ltm_token_get_key_id (token));
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_read_env_free);

  ltm_store_get_token_async (store, channel_id, env->key_id, cancellable,
                             ltm_read_env_token_cb, g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_read_env_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token, its key ID and the channel secret
 */
LtmBotEnv *
ltm_lifecycle_read_env_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_read_env_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
