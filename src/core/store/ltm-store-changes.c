/* ltm-store-changes.c: the store's public calls that read the list and
 * change it, each a few lines around its op (ltm-store-ops.c), sync for
 * `ltm` and async for the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include "ltm-store-private.h"

/* Loading */

/**
 * ltm_store_load:
 * @self: a #LtmStore
 * @error: return location for a #GError
 *
 * Reads the channels and tokens.  Nothing is unsealed, so the master key
 * is not needed; a missing store is an empty list and is not created.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_load (LtmStore  *self,
                GError   **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_load_op (0);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_load_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_load_async (LtmStore            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_load_op (0), ltm_store_change_finish, cancellable,
                       callback, user_data);
}

/**
 * ltm_store_refresh_async:
 * @self: a #LtmStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 *
 * Reads the store again when another process changed it since the models
 * last showed it; otherwise reads one number.  For a file monitor on the
 * database, which also sees this process's own changes.
 */
void
ltm_store_refresh_async (LtmStore            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (LTM_IS_STORE (self));

  ltm_store_run_async (self, ltm_store_load_op (ltm_store_get_seen (self)), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Adding a channel, with its sealed secrets */

/**
 * ltm_store_add_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid the console gave for @key
 * @key: (nullable): the assertion signing key, with its private half
 * @channel_secret: (nullable): the channel secret
 * @error: return location for a #GError
 *
 * The channel and its sealed secrets go in one transaction: all of it is
 * stored, or nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_add_channel (LtmStore    *self,
                       const char  *channel_id,
                       const char  *name,
                       const char  *kid,
                       LtmKey      *key,
                       const char  *channel_secret,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_add_channel_op (channel_id, name, kid, key, channel_secret);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_add_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): a name to show
 * @kid: (nullable): the kid
 * @key: (nullable): the assertion signing key, with its private half
 * @channel_secret: (nullable): the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_channel_async (LtmStore            *self,
                             const char          *channel_id,
                             const char          *name,
                             const char          *kid,
                             LtmKey              *key,
                             const char          *channel_secret,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_add_channel_op (channel_id, name, kid, key, channel_secret),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Removing a channel; its tokens go with it (ON DELETE CASCADE) */

/**
 * ltm_store_remove_channel:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Removes the channel, its sealed secrets and its tokens.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_remove_channel (LtmStore    *self,
                          const char  *channel_id,
                          GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_remove_channel_op (channel_id);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_remove_channel_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_remove_channel_async (LtmStore            *self,
                                const char          *channel_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_remove_channel_op (channel_id), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Naming a channel */

/**
 * ltm_store_set_name:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): the new name
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_name (LtmStore    *self,
                    const char  *channel_id,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_name_op (channel_id, name);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_name_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @name: (nullable): the new name
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_name_async (LtmStore            *self,
                          const char          *channel_id,
                          const char          *name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_name_op (channel_id, name), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* The kid the console gave for the channel's key */

/**
 * ltm_store_set_kid:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid the console gave for the channel's key
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_kid (LtmStore    *self,
                   const char  *channel_id,
                   const char  *kid,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_kid_op (channel_id, kid);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_kid_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kid: (nullable): the kid
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_kid_async (LtmStore            *self,
                         const char          *channel_id,
                         const char          *kid,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_kid_op (channel_id, kid), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Replacing the channel's key */

/**
 * ltm_store_set_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key, with its private half
 * @error: return location for a #GError
 *
 * Replaces the channel's key in one transaction.  A different key needs
 * registering again, so the stored kid is cleared.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_key (LtmStore    *self,
                   const char  *channel_id,
                   LtmKey      *key,
                   GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_key_op (channel_id, key);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key: the new assertion signing key, with its private half
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_key_async (LtmStore            *self,
                         const char          *channel_id,
                         LtmKey              *key,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_key_op (channel_id, key), ltm_store_change_finish,
                       cancellable, callback, user_data);
}

/* Replacing the channel secret */

/**
 * ltm_store_set_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_secret (LtmStore    *self,
                      const char  *channel_id,
                      const char  *channel_secret,
                      GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_secret_op (channel_id, channel_secret);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            const char          *channel_secret,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_secret_op (channel_id, channel_secret),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Keeping a token LINE issued */

/**
 * ltm_store_add_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered when it issued the token
 * @issued_at: when it was issued, Unix seconds
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token's key ID (LINE's for v2.1, one of
 *   ours otherwise), or %NULL with @error set
 */
char *
ltm_store_add_token (LtmStore            *self,
                     const char          *channel_id,
                     LtmTokenKind         kind,
                     const LtmLineToken  *token,
                     gint64               issued_at,
                     GError             **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_add_token_op (channel_id, kind, token, issued_at);

  if (!ltm_store_run (self, op, error))
    return NULL;

  return ltm_store_add_token_op_get_key_id (op);
}

/**
 * ltm_store_add_token_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @kind: the kind of token
 * @token: what LINE answered
 * @issued_at: when it was issued, Unix seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_add_token_finish(), or
 *   ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_add_token_async (LtmStore            *self,
                           const char          *channel_id,
                           LtmTokenKind         kind,
                           const LtmLineToken  *token,
                           gint64               issued_at,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  LtmStoreOp *op = ltm_store_add_token_op (channel_id, kind, token, issued_at);
  /* The op goes to a thread: its key ID is copied first. */
  char *key_id = op != NULL ? ltm_store_add_token_op_get_key_id (op) : NULL;
  GTask *task;

  task = ltm_store_run_async (self, op, ltm_store_change_finish, cancellable, callback, user_data);
  if (task != NULL)
    g_task_set_task_data (task, key_id, g_free);
  else
    g_free (key_id);
}

/**
 * ltm_store_add_token_finish:
 * @self: a #LtmStore
 * @result: the result of ltm_store_add_token_async()
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token's key ID (LINE's for v2.1, one of
 *   ours otherwise), or %NULL with @error set
 */
char *
ltm_store_add_token_finish (LtmStore      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  if (!ltm_store_change_finish (self, result, error))
    return NULL;

  return g_strdup (g_task_get_task_data (G_TASK (result)));
}

/* A token revoked, or no longer listed by LINE */

/**
 * ltm_store_set_token_state:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked; its secret is then removed
 * @unknown: whether LINE no longer lists it
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_token_state (LtmStore    *self,
                           const char  *channel_id,
                           const char  *key_id,
                           gboolean     revoked,
                           gboolean     unknown,
                           GError     **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_token_state_op (channel_id, key_id, revoked, unknown);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_token_state_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @revoked: whether it was revoked
 * @unknown: whether LINE no longer lists it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_token_state_async (LtmStore            *self,
                                 const char          *channel_id,
                                 const char          *key_id,
                                 gboolean             revoked,
                                 gboolean             unknown,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_token_state_op (channel_id, key_id, revoked, unknown),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* Where the channel's new tokens go, and its grace period */

/**
 * ltm_store_set_deploy_targets:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @targets: where the channel's new tokens go, and its grace period
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_deploy_targets (LtmStore                *self,
                              const char              *channel_id,
                              const LtmDeployTargets  *targets,
                              GError                 **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_deploy_targets_op (channel_id, targets);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_deploy_targets_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @targets: where the channel's new tokens go, and its grace period
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_deploy_targets_async (LtmStore               *self,
                                    const char             *channel_id,
                                    const LtmDeployTargets *targets,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  ltm_store_run_async (self, ltm_store_set_deploy_targets_op (channel_id, targets),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* How the last delivery went */

/**
 * ltm_store_set_delivery:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @status: how the last delivery went
 * @delivered_at: when, Unix seconds
 * @message: (nullable): what it did, in words
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_set_delivery (LtmStore           *self,
                        const char         *channel_id,
                        LtmDeliveryStatus   status,
                        gint64              delivered_at,
                        const char         *message,
                        GError            **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_set_delivery_op (channel_id, status, delivered_at, message);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_set_delivery_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @status: how the last delivery went
 * @delivered_at: when, Unix seconds
 * @message: (nullable): what it did, in words
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_set_delivery_async (LtmStore            *self,
                              const char          *channel_id,
                              LtmDeliveryStatus    status,
                              gint64               delivered_at,
                              const char          *message,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_set_delivery_op (channel_id, status, delivered_at, message),
                       ltm_store_change_finish, cancellable, callback, user_data);
}

/* The tokens a rotation replaced; a revoked one stays revoked */

/**
 * ltm_store_retire_tokens:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_ids: the tokens a rotation replaced
 * @retirement: replaced (valid until they expire) or retiring (revoked at @retire_at)
 * @retire_at: when they were replaced, or when to revoke them, Unix seconds
 * @error: return location for a #GError
 *
 * Marks the tokens in one transaction; revoked ones are left as they are.
 *
 * Returns: %TRUE on success
 */
gboolean
ltm_store_retire_tokens (LtmStore            *self,
                         const char          *channel_id,
                         const char * const  *key_ids,
                         LtmTokenRetirement   retirement,
                         gint64               retire_at,
                         GError             **error)
{
  g_autoptr(LtmStoreOp) op = ltm_store_retire_tokens_op (channel_id, key_ids, retirement,
                                                         retire_at);

  return ltm_store_run (self, op, error);
}

/**
 * ltm_store_retire_tokens_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_ids: the tokens a rotation replaced
 * @retirement: replaced or retiring
 * @retire_at: when they were replaced, or when to revoke them
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done; finish with ltm_store_change_finish()
 * @user_data: data for @callback
 */
void
ltm_store_retire_tokens_async (LtmStore            *self,
                               const char          *channel_id,
                               const char * const  *key_ids,
                               LtmTokenRetirement   retirement,
                               gint64               retire_at,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_retire_tokens_op (channel_id, key_ids, retirement,
                                                         retire_at),
                       ltm_store_change_finish, cancellable, callback, user_data);
}
