/* ltm-lifecycle-revoke.c: revoking stored tokens, one of the token workflows
 *
 * Each token revoked at LINE, at the endpoint of its kind, and marked
 * revoked in the store (its secret goes); one that fails is reported and
 * stays as it was.  Retire: the tokens whose grace period is over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-lifecycle.h"

#include <glib/gi18n-lib.h>

/* Revoking stored tokens */

void
ltm_revocation_free (LtmRevocation *revocation)
{
  if (revocation == NULL)
    return;

  g_free (revocation->channel_id);
  g_free (revocation->problems);
  g_clear_error (&revocation->error);
  g_clear_error (&revocation->mark_error);
  g_free (revocation);
}

typedef struct {
  LtmStore *store;
  LtmLineClient *client;
  char *channel_id;
  GStrv key_ids;
  LtmTokenKind *kinds;          /* of each of key_ids: v2.1 tokens need the secret */
  guint next;
  LtmSecret *secret;
  GString *problems;
  LtmRevocation *revocation;
} LtmRevoke;

static void
ltm_revoke_free (LtmRevoke *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->client);
  g_free (state->channel_id);
  g_strfreev (state->key_ids);
  g_free (state->kinds);
  ltm_secret_free (state->secret);
  if (state->problems != NULL)
    g_string_free (state->problems, TRUE);
  ltm_revocation_free (state->revocation);
  g_free (state);
}

static void ltm_revoke_next (GTask *task);

static void
ltm_revoke_failed (GTask      *task,
                   const char *key_id,
                   GError     *error)
{
  LtmRevoke *state = g_task_get_task_data (task);

  state->revocation->not_revoked++;
  g_string_append_printf (state->problems, _(" %s: %s."), key_id, error->message);
  g_clear_error (&state->revocation->error);
  state->revocation->error = g_error_copy (error);
  ltm_revoke_next (task);
}

static void
ltm_revoke_marked_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRevoke *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *key_id = state->key_ids[state->next - 1];

  /* Revoked at LINE either way; say so when the store still lists it. */
  state->revocation->revoked++;
  if (!ltm_store_change_finish (state->store, result, &error))
    {
      g_string_append_printf (state->problems,
                              _(" %s was revoked but could not be marked so (%s)."),
                              key_id, error->message);
      g_clear_error (&state->revocation->mark_error);
      state->revocation->mark_error = g_steal_pointer (&error);
    }

  ltm_revoke_next (task);
}

static void
ltm_revoke_revoked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRevoke *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *key_id = state->key_ids[state->next - 1];
  gboolean revoked;

  if (state->kinds[state->next - 1] == LTM_TOKEN_KIND_SHORT_LIVED)
    revoked = ltm_line_client_revoke_short_lived_token_finish (state->client, result, &error);
  else
    revoked = ltm_line_client_revoke_token_finish (state->client, result, &error);

  if (!revoked)
    {
      ltm_revoke_failed (task, key_id, error);
      return;
    }

  /* LINE no longer knows it: the store says so whatever happens now. */
  ltm_store_set_token_state_async (state->store, state->channel_id, key_id, TRUE, FALSE, NULL,
                                   ltm_revoke_marked_cb, g_steal_pointer (&task));
}

static void
ltm_revoke_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRevoke *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) token = NULL;
  const char *key_id = state->key_ids[state->next - 1];

  token = ltm_store_get_token_finish (state->store, result, &error);
  if (token == NULL)
    {
      ltm_revoke_failed (task, key_id, error);
      return;
    }

  /* A short-lived token is revoked at LINE's v2 endpoint, without the secret. */
  if (state->kinds[state->next - 1] == LTM_TOKEN_KIND_SHORT_LIVED)
    ltm_line_client_revoke_short_lived_token_async (state->client, token,
                                                    g_task_get_cancellable (task),
                                                    ltm_revoke_revoked_cb, g_object_ref (task));
  else
    ltm_line_client_revoke_token_async (state->client, state->channel_id, state->secret, token,
                                        g_task_get_cancellable (task),
                                        ltm_revoke_revoked_cb, g_object_ref (task));
}

static void
ltm_revoke_next (GTask *task)
{
  LtmRevoke *state = g_task_get_task_data (task);

  if (state->key_ids[state->next] != NULL)
    {
      ltm_store_get_token_async (state->store, state->channel_id,
                                 state->key_ids[state->next++],
                                 g_task_get_cancellable (task),
                                 ltm_revoke_token_cb, g_object_ref (task));
      return;
    }

  state->revocation->problems = g_string_free (g_steal_pointer (&state->problems), FALSE);
  g_task_return_pointer (task, g_steal_pointer (&state->revocation),
                         (GDestroyNotify) ltm_revocation_free);
}

static void
ltm_revoke_secret_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRevoke *state = g_task_get_task_data (task);
  GError *error = NULL;

  state->secret = ltm_store_get_secret_finish (state->store, result, &error);
  if (state->secret == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_revoke_next (task);
}

/**
 * ltm_lifecycle_revoke_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient
 * @channel_id: a stored channel
 * @key_ids: the stored v2.1 or short-lived tokens to revoke
 * @channel_secret: (nullable): the channel secret; %NULL for the stored one
 *   (v2.1 tokens only need it)
 * @cancellable: (nullable): stops between revocations
 * @callback: called with the report
 * @user_data: data for @callback
 *
 * Revokes each token at LINE and marks it revoked in the store (its
 * secret goes).  One that fails is reported and stays as it was.
 */
void
ltm_lifecycle_revoke_async (LtmStore            *store,
                            LtmLineClient       *client,
                            const char          *channel_id,
                            const char * const  *key_ids,
                            const char          *channel_secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  gboolean needs_secret = FALSE;
  LtmRevoke *state;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL && key_ids != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_revoke_async);

  state = g_new0 (LtmRevoke, 1);
  state->store = g_object_ref (store);
  state->client = g_object_ref (client);
  state->channel_id = g_strdup (channel_id);
  state->key_ids = g_strdupv ((char **) key_ids);
  state->kinds = g_new0 (LtmTokenKind, g_strv_length (state->key_ids) + 1);
  channel = ltm_store_find_channel (store, channel_id);
  for (guint i = 0; state->key_ids[i] != NULL; i++)
    {
      LtmToken *token = channel != NULL ? ltm_channel_find_token (channel, key_ids[i]) : NULL;

      state->kinds[i] = token != NULL ? ltm_token_get_kind (token) : LTM_TOKEN_KIND_V21;
      needs_secret |= state->kinds[i] != LTM_TOKEN_KIND_SHORT_LIVED;
    }
  state->problems = g_string_new (NULL);
  state->revocation = g_new0 (LtmRevocation, 1);
  state->revocation->channel_id = g_strdup (channel_id);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_revoke_free);

  if (channel_secret != NULL || !needs_secret)
    {
      state->secret = g_strdup (channel_secret);
      ltm_revoke_next (task);
      return;
    }

  if (channel != NULL && !ltm_channel_get_has_secret (channel))
    {
      g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_SECRET,
                               _("No channel secret is stored for channel %s."), channel_id);
      return;
    }

  ltm_store_get_secret_async (store, channel_id, cancellable, ltm_revoke_secret_cb,
                              g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_revoke_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError: no channel secret, or cancelled
 *
 * Returns: (transfer full): how many were revoked, and why others were not
 */
LtmRevocation *
ltm_lifecycle_revoke_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_revoke_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ltm_lifecycle_find_retired:
 * @channel: a stored channel
 * @now: the current time, Unix seconds
 *
 * The tokens whose grace period is over: retiring, still valid, and
 * @now is at or past their time.
 *
 * Returns: (transfer full): their key IDs, %NULL-terminated
 */
GStrv
ltm_lifecycle_find_retired (LtmChannel *channel,
                            gint64      now)
{
  GListModel *tokens = ltm_channel_get_tokens (channel);
  g_autoptr(GStrvBuilder) due = g_strv_builder_new ();

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);

      if (ltm_token_get_retirement (token) == LTM_TOKEN_RETIREMENT_RETIRING &&
          ltm_token_get_retire_at (token) <= now && ltm_token_is_usable (token, now))
        g_strv_builder_add (due, ltm_token_get_key_id (token));
    }

  return g_strv_builder_end (due);
}

/* Revoking tokens whose grace period is over */

static void
ltm_retire_revoked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  LtmRevocation *revocation = ltm_lifecycle_revoke_finish (result, &error);

  if (revocation == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, revocation, (GDestroyNotify) ltm_revocation_free);
}

/**
 * ltm_lifecycle_retire_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient
 * @channel_id: a stored channel
 * @now: the current time, Unix seconds (the tests' clock is their own)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the report
 * @user_data: data for @callback
 *
 * Revokes the channel's retiring tokens whose grace period is over at
 * @now: what the next rotate, sync or reminder tick does.
 */
void
ltm_lifecycle_retire_async (LtmStore            *store,
                            LtmLineClient       *client,
                            const char          *channel_id,
                            gint64               now,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) due = NULL;
  LtmChannel *channel;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_retire_async);

  if ((channel = ltm_store_lookup_channel (store, channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  due = ltm_lifecycle_find_retired (channel, now);
  if (due[0] == NULL)
    {
      LtmRevocation *nothing = g_new0 (LtmRevocation, 1);

      nothing->channel_id = g_strdup (channel_id);
      nothing->problems = g_strdup ("");
      g_task_return_pointer (task, nothing, (GDestroyNotify) ltm_revocation_free);
      return;
    }

  ltm_lifecycle_revoke_async (store, client, channel_id, (const char * const *) due, NULL,
                              cancellable, ltm_retire_revoked_cb, g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_retire_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what was revoked
 */
LtmRevocation *
ltm_lifecycle_retire_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_retire_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
