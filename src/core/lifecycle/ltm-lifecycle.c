/* ltm-lifecycle.c: the token workflows: issue, verify, revoke, sync
 *
 * Each is one _async/_finish operation that `ltm` and the window both
 * call: it reads what it needs from the store, asks LINE, and tells the
 * store what LINE did, so that the front ends only parse, ask and show.
 * Once LINE has issued or revoked a token the store is told, whatever the
 * caller does meanwhile: it never loses a token LINE counts.  Rotation,
 * which builds on these, is in ltm-lifecycle-rotate.c.
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

/**
 * ltm_lifecycle_channel_is_due:
 * @channel: a stored channel
 * @now: the current time, Unix seconds
 * @within: how close to expiry counts, in seconds
 * @out_expiry: (out) (optional): when its newest usable v2.1 token expires;
 *   0 when none is usable
 *
 * Whether @channel needs rotating: it has had v2.1 tokens, and the newest
 * usable one expires within @within (or none is usable any more).  From
 * the metadata alone: no network, nothing unsealed.
 */
gboolean
ltm_lifecycle_channel_is_due (LtmChannel *channel,
                              gint64      now,
                              gint64      within,
                              gint64     *out_expiry)
{
  GListModel *tokens = ltm_channel_get_tokens (channel);
  gboolean any = FALSE;
  gint64 newest = 0;

  g_return_val_if_fail (LTM_IS_CHANNEL (channel), FALSE);

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);

      if (ltm_token_get_kind (token) != LTM_TOKEN_KIND_V21)
        continue;
      any = TRUE;
      if (ltm_token_is_usable (token, now))
        newest = MAX (newest, ltm_token_get_expires_at (token));
    }

  if (out_expiry != NULL)
    *out_expiry = newest;

  return any && newest - now <= within;
}

/**
 * ltm_lifecycle_find_expiring:
 * @store: a loaded #LtmStore
 * @now: the current time, Unix seconds
 * @within: how close to expiry counts, in seconds
 *
 * The channels to rotate (ltm_lifecycle_channel_is_due()).
 *
 * Returns: (transfer full) (element-type utf8): channel IDs
 */
GPtrArray *
ltm_lifecycle_find_expiring (LtmStore *store,
                             gint64    now,
                             gint64    within)
{
  GListModel *channels = ltm_store_get_channels (store);
  GPtrArray *expiring = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);

      if (ltm_lifecycle_channel_is_due (channel, now, within, NULL))
        g_ptr_array_add (expiring, g_strdup (ltm_channel_get_channel_id (channel)));
    }

  return expiring;
}

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

  if (state->kid == NULL || (key == NULL && (channel == NULL || !ltm_channel_get_has_key (channel))))
    {
      g_task_return_new_error (task, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                               _("The channel %s needs a key and its kid to issue tokens."),
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
    g_task_return_new_error (task, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
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
    g_task_return_new_error (task, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
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
    g_task_return_new_error (task, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
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
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
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

  channel = ltm_store_find_channel (state->store, state->channel_id);
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

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_reconcile_async);

  channel = ltm_store_find_channel (store, channel_id);
  if (channel == NULL || ltm_channel_get_kid (channel) == NULL || !ltm_channel_get_has_key (channel))
    {
      g_task_return_new_error (task, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
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
