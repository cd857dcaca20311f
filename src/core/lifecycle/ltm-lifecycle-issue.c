/* ltm-lifecycle-issue.c: issuing a token, one of the token workflows
 *
 * Sign an assertion (or read the channel secret), ask LINE, and keep what
 * LINE issued for a stored channel: a v2.1, short-lived or stateless
 * token (never kept: it cannot be revoked).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-lifecycle.h"

#include <glib/gi18n-lib.h>

#include "ltm-jwt.h"

/* Issuing a token: sign (or read the channel secret), ask LINE, keep */

void
ltm_issuance_free (LtmIssuance *issuance)
{
  if (issuance == NULL)
    return;

  g_free (issuance->channel_id);
  g_free (issuance->key_id);
  ltm_line_token_free (issuance->token);
  g_clear_error (&issuance->store_error);
  g_free (issuance);
}

typedef struct {
  LtmStore *store;              /* the loaded store, to read from */
  gboolean keep;                /* keep the token LINE issues */
  LtmLineClient *client;
  char *kid;
  LtmSecret *secret;            /* the channel secret, when it is what LINE reads */
  gint64 lifetime;
  LtmIssuance *issuance;
} LtmIssue;

static void
ltm_issue_free (LtmIssue *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->client);
  g_free (state->kid);
  ltm_secret_free (state->secret);
  ltm_issuance_free (state->issuance);
  g_free (state);
}

static void
ltm_issue_return (GTask *task)
{
  LtmIssue *state = g_task_get_task_data (task);

  g_task_return_pointer (task, g_steal_pointer (&state->issuance),
                         (GDestroyNotify) ltm_issuance_free);
}

static void
ltm_issue_stored_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmIssue *state = g_task_get_task_data (task);

  LtmIssuance *issuance = state->issuance;
  char *key_id;

  /* Issued but not stored: said here, once, for every front end; the
   * token itself is in the report, so that it is never lost. */
  key_id = ltm_store_add_token_finish (state->store, result, &issuance->store_error);
  if (key_id != NULL)
    {
      g_free (issuance->key_id);
      issuance->key_id = key_id;
      issuance->stored = TRUE;
    }
  ltm_issue_return (task);
}

static void
ltm_issue_issued_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmIssue *state = g_task_get_task_data (task);
  LtmIssuance *issuance = state->issuance;
  GError *error = NULL;

  switch (issuance->kind)
    {
    case LTM_TOKEN_KIND_SHORT_LIVED:
      issuance->token = ltm_line_client_issue_short_lived_token_finish (state->client, result,
                                                                        &error);
      break;
    case LTM_TOKEN_KIND_STATELESS:
      issuance->token = ltm_line_client_issue_stateless_token_finish (state->client, result,
                                                                      &error);
      break;
    case LTM_TOKEN_KIND_V21:
    default:
      issuance->token = ltm_line_client_issue_token_finish (state->client, result, &error);
      break;
    }

  if (issuance->token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  issuance->key_id = g_strdup (issuance->token->key_id);

  if (!state->keep)
    {
      ltm_issue_return (task);
      return;
    }

  /* LINE counts the token from now on: it is kept even if the caller
   * cancels meanwhile. */
  ltm_store_add_token_async (state->store, issuance->channel_id, issuance->kind, issuance->token,
                             issuance->issued_at, NULL, ltm_issue_stored_cb,
                             g_steal_pointer (&task));
}

/* Asks LINE: with the signed assertion @jwt, or else the channel secret. */
static void
ltm_issue_ask (GTask      *task,
               const char *jwt)
{
  LtmIssue *state = g_task_get_task_data (task);
  LtmIssuance *issuance = state->issuance;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (jwt == NULL)
    issuance->issued_at = g_get_real_time () / G_USEC_PER_SEC;

  switch (issuance->kind)
    {
    case LTM_TOKEN_KIND_SHORT_LIVED:
      ltm_line_client_issue_short_lived_token_async (state->client, issuance->channel_id,
                                                     state->secret, cancellable,
                                                     ltm_issue_issued_cb, g_object_ref (task));
      break;
    case LTM_TOKEN_KIND_STATELESS:
      ltm_line_client_issue_stateless_token_async (state->client, jwt, issuance->channel_id,
                                                   jwt == NULL ? state->secret : NULL,
                                                   cancellable, ltm_issue_issued_cb,
                                                   g_object_ref (task));
      break;
    case LTM_TOKEN_KIND_V21:
    default:
      ltm_line_client_issue_token_async (state->client, jwt, cancellable, ltm_issue_issued_cb,
                                         g_object_ref (task));
      break;
    }
}

static void
ltm_issue_sign (GTask  *task,
                LtmKey *key)
{
  LtmIssue *state = g_task_get_task_data (task);
  g_autofree char *jwt = NULL;
  GError *error = NULL;

  state->issuance->issued_at = g_get_real_time () / G_USEC_PER_SEC;
  jwt = ltm_jwt_create_assertion (key, state->kid, state->issuance->channel_id,
                                  state->issuance->issued_at, LTM_JWT_ASSERTION_LIFETIME,
                                  state->lifetime, &error);
  if (jwt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_issue_ask (task, jwt);
}

static void
ltm_issue_key_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(LtmKey) key = NULL;
  GError *error = NULL;

  if ((key = ltm_store_get_key_finish (LTM_STORE (source), result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_issue_sign (task, key);
}

static void
ltm_issue_secret_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmIssue *state = g_task_get_task_data (task);
  GError *error = NULL;

  if ((state->secret = ltm_store_get_secret_finish (LTM_STORE (source), result, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ltm_issue_ask (task, NULL);
}

/* The task every kind of issue runs, and the stored channel, if any. */
static GTask *
ltm_issue_task_new (LtmStore             *store,
                    LtmLineClient        *client,
                    const char           *channel_id,
                    LtmTokenKind          kind,
                    LtmIssueFlags         flags,
                    GCancellable         *cancellable,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data,
                    gpointer              source_tag,
                    LtmChannel          **out_channel)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  LtmChannel *channel = store != NULL ? ltm_store_find_channel (store, channel_id) : NULL;
  LtmIssue *state;

  g_task_set_source_tag (task, source_tag);

  state = g_new0 (LtmIssue, 1);
  state->client = g_object_ref (client);
  state->store = channel != NULL ? g_object_ref (store) : NULL;
  /* Stateless tokens are never kept: they live 15 minutes and cannot be
   * revoked. */
  state->keep = channel != NULL && !(flags & LTM_ISSUE_NO_STORE) &&
                kind != LTM_TOKEN_KIND_STATELESS;
  state->issuance = g_new0 (LtmIssuance, 1);
  state->issuance->channel_id = g_strdup (channel_id);
  state->issuance->kind = kind;
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_issue_free);

  *out_channel = channel;

  return task;
}

/**
 * ltm_lifecycle_issue_async:
 * @store: (nullable): a loaded #LtmStore; %NULL when there is none
 * @client: the process's #LtmLineClient
 * @channel_id: the channel
 * @key: (nullable): the assertion signing key; %NULL for the stored one
 * @kid: (nullable): its kid; %NULL for the stored one
 * @lifetime: the token's lifetime, seconds (at most 30 days)
 * @flags: %LTM_ISSUE_NO_STORE not to keep it
 * @cancellable: (nullable): stops before LINE is asked
 * @callback: called with the report
 * @user_data: data for @callback
 *
 * Signs an assertion, asks LINE for a v2.1 token and, for a stored
 * channel, keeps it.  Once LINE issued it the report always holds the
 * token: when it could not be kept, store_error says why ("issued but
 * not stored"), and the caller shows the token all the same.
 */
void
ltm_lifecycle_issue_async (LtmStore            *store,
                           LtmLineClient       *client,
                           const char          *channel_id,
                           LtmKey              *key,
                           const char          *kid,
                           gint64               lifetime,
                           LtmIssueFlags        flags,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  LtmIssue *state;

  g_return_if_fail (store == NULL || LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);
  g_return_if_fail (key == NULL || LTM_IS_KEY (key));

  task = ltm_issue_task_new (store, client, channel_id, LTM_TOKEN_KIND_V21, flags, cancellable,
                             callback, user_data, ltm_lifecycle_issue_async, &channel);
  state = g_task_get_task_data (task);
  state->kid = g_strdup (kid != NULL ? kid : channel != NULL ? ltm_channel_get_kid (channel)
                                                             : NULL);
  state->lifetime = lifetime;

  if (key == NULL && (channel == NULL || !ltm_channel_get_has_key (channel)))
    {
      g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KEY,
                               _("The channel %s needs a key and its kid to issue tokens."),
                               channel_id);
      return;
    }
  if (state->kid == NULL)
    {
      g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KID,
                               _("The channel %s needs the key's kid to issue tokens."),
                               channel_id);
      return;
    }

  if (key != NULL)
    ltm_issue_sign (task, key);
  else
    ltm_store_get_key_async (store, channel_id, cancellable, ltm_issue_key_cb,
                             g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_issue_short_lived_async:
 * @store: (nullable): a loaded #LtmStore; %NULL when there is none
 * @client: the process's #LtmLineClient
 * @channel_id: the channel
 * @channel_secret: (nullable): the channel secret; %NULL for the stored one
 * @flags: %LTM_ISSUE_NO_STORE not to keep it
 * @cancellable: (nullable): stops before LINE is asked
 * @callback: called with the report; finish with ltm_lifecycle_issue_finish()
 * @user_data: data for @callback
 *
 * Asks LINE for a short-lived token (30 days; LINE revokes the oldest of
 * a channel's 30) with the channel secret and, for a stored channel,
 * keeps it, as ltm_lifecycle_issue_async() does.
 */
void
ltm_lifecycle_issue_short_lived_async (LtmStore            *store,
                                       LtmLineClient       *client,
                                       const char          *channel_id,
                                       const char          *channel_secret,
                                       LtmIssueFlags        flags,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  LtmIssue *state;

  g_return_if_fail (store == NULL || LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = ltm_issue_task_new (store, client, channel_id, LTM_TOKEN_KIND_SHORT_LIVED, flags,
                             cancellable, callback, user_data,
                             ltm_lifecycle_issue_short_lived_async, &channel);
  state = g_task_get_task_data (task);

  if (channel_secret != NULL)
    {
      state->secret = g_strdup (channel_secret);
      ltm_issue_ask (task, NULL);
    }
  else if (channel != NULL && ltm_channel_get_has_secret (channel))
    ltm_store_get_secret_async (store, channel_id, cancellable, ltm_issue_secret_cb,
                                g_steal_pointer (&task));
  else
    g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_SECRET,
                             _("No channel secret is stored for channel %s."), channel_id);
}

/**
 * ltm_lifecycle_issue_stateless_async:
 * @store: (nullable): a loaded #LtmStore; %NULL when there is none
 * @client: the process's #LtmLineClient
 * @channel_id: the channel
 * @key: (nullable): the assertion signing key
 * @kid: (nullable): its kid; %NULL for the stored one
 * @channel_secret: (nullable): the channel secret, used when @key is %NULL
 * @cancellable: (nullable): stops before LINE is asked
 * @callback: called with the report; finish with ltm_lifecycle_issue_finish()
 * @user_data: data for @callback
 *
 * Asks LINE for a stateless token, which lives 15 minutes, cannot be
 * revoked and is never kept.  LINE reads an assertion signed with @key,
 * or else @channel_secret, or else the stored key when the channel has
 * one and its kid, or else the stored channel secret.
 */
void
ltm_lifecycle_issue_stateless_async (LtmStore            *store,
                                     LtmLineClient       *client,
                                     const char          *channel_id,
                                     LtmKey              *key,
                                     const char          *kid,
                                     const char          *channel_secret,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  LtmIssue *state;

  g_return_if_fail (store == NULL || LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);
  g_return_if_fail (key == NULL || LTM_IS_KEY (key));

  task = ltm_issue_task_new (store, client, channel_id, LTM_TOKEN_KIND_STATELESS,
                             LTM_ISSUE_NO_STORE, cancellable, callback, user_data,
                             ltm_lifecycle_issue_stateless_async, &channel);
  state = g_task_get_task_data (task);
  state->kid = g_strdup (kid != NULL ? kid : channel != NULL ? ltm_channel_get_kid (channel)
                                                             : NULL);
  /* A stateless token lives 15 minutes whatever token_exp says. */
  state->lifetime = LTM_JWT_ASSERTION_LIFETIME;

  if (key != NULL && state->kid != NULL)
    ltm_issue_sign (task, key);
  else if (key != NULL)
    g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KID,
                             _("The channel %s needs the key's kid to issue tokens."), channel_id);
  else if (channel_secret != NULL)
    {
      state->secret = g_strdup (channel_secret);
      ltm_issue_ask (task, NULL);
    }
  else if (channel != NULL && ltm_channel_get_has_key (channel) && state->kid != NULL)
    ltm_store_get_key_async (store, channel_id, cancellable, ltm_issue_key_cb,
                             g_steal_pointer (&task));
  else if (channel != NULL && ltm_channel_get_has_secret (channel))
    ltm_store_get_secret_async (store, channel_id, cancellable, ltm_issue_secret_cb,
                                g_steal_pointer (&task));
  else
    g_task_return_new_error (task, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_CREDENTIALS,
                             _("The channel %s needs a key and its kid, or its channel secret, "
                               "to issue a stateless token."), channel_id);
}

/**
 * ltm_lifecycle_issue_finish:
 * @result: the #GAsyncResult of any ltm_lifecycle_issue_…_async()
 * @error: return location for a #GError: nothing was issued
 *
 * Returns: (transfer full): the token and whether it is kept
 */
LtmIssuance *
ltm_lifecycle_issue_finish (GAsyncResult  *result,
                            GError       **error)
{
  gpointer tag;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  tag = g_task_get_source_tag (G_TASK (result));
  g_return_val_if_fail (tag == ltm_lifecycle_issue_async ||
                        tag == ltm_lifecycle_issue_short_lived_async ||
                        tag == ltm_lifecycle_issue_stateless_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
