/* ltm-store-secrets.c: reading the sealed values of the store
 *
 * A channel's assertion key, its channel secret and its tokens, unsealed
 * with the master key (the op is ltm-store-ops.c's); synchronously for
 * `ltm`, in a worker thread for the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include "ltm-store-private.h"

/* Runs the read here and now. */
static gpointer
ltm_store_read_sealed (LtmStore    *self,
                       LtmStoreOp  *op,
                       GError     **error)
{
  g_autoptr(LtmStoreOp) owned = op;

  if (!ltm_store_run (self, owned, error))
    return NULL;

  return ltm_store_op_steal_result (owned);
}

static gpointer
ltm_store_read_sealed_finish (LtmStore      *self,
                              GAsyncResult  *result,
                              gpointer       source_tag,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ltm_store_get_key:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel's assertion signing key
 */
LtmKey *
ltm_store_get_key (LtmStore    *self,
                   const char  *channel_id,
                   GError     **error)
{
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_KEY, NULL),
                                error);
}

/**
 * ltm_store_get_key_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_key_async (LtmStore            *self,
                         const char          *channel_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_KEY, NULL),
                       ltm_store_get_key_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_key_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key, or %NULL
 */
LtmKey *
ltm_store_get_key_finish (LtmStore      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return ltm_store_read_sealed_finish (self, result, ltm_store_get_key_async, error);
}

/**
 * ltm_store_get_secret:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret (LtmStore    *self,
                      const char  *channel_id,
                      GError     **error)
{
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_SECRET, NULL),
                                error);
}

/**
 * ltm_store_get_secret_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_secret_async (LtmStore            *self,
                            const char          *channel_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_SECRET, NULL),
                       ltm_store_get_secret_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_secret_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel secret; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_secret_finish (LtmStore      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ltm_store_read_sealed_finish (self, result, ltm_store_get_secret_async, error);
}

/**
 * ltm_store_get_token:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the access token; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_token (LtmStore    *self,
                     const char  *channel_id,
                     const char  *key_id,
                     GError     **error)
{
  return ltm_store_read_sealed (self, ltm_store_read_sealed_op (channel_id, KIND_TOKEN, key_id),
                                error);
}

/**
 * ltm_store_get_token_async:
 * @self: a #LtmStore
 * @channel_id: the channel ID
 * @key_id: the token's key ID
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 */
void
ltm_store_get_token_async (LtmStore            *self,
                           const char          *channel_id,
                           const char          *key_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  ltm_store_run_async (self, ltm_store_read_sealed_op (channel_id, KIND_TOKEN, key_id),
                       ltm_store_get_token_async, cancellable, callback, user_data);
}

/**
 * ltm_store_get_token_finish:
 * @self: a #LtmStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the access token; free with ltm_secret_free()
 */
LtmSecret *
ltm_store_get_token_finish (LtmStore      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return ltm_store_read_sealed_finish (self, result, ltm_store_get_token_async, error);
}
