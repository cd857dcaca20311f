/* ltm-async.c: running an _async call to its end
 *
 *   g_autoptr(GAsyncResult) result = NULL;
 *
 *   ltm_store_load_async (store, NULL, ltm_async_result_cb, &result);
 *   ltm_store_load_finish (store, ltm_async_wait (&result), &error);
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-async.h"

/**
 * ltm_async_result_cb:
 * @source: the source object
 * @result: the result
 * @user_data: a `GAsyncResult **`, %NULL until the call ends
 *
 * The callback to pass with ltm_async_wait(): keeps a reference to @result.
 */
void
ltm_async_result_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/**
 * ltm_async_wait:
 * @result: (inout): where ltm_async_result_cb() puts the result
 *
 * Turns the global default main context until the call has ended.
 *
 * Returns: (transfer none): @result, once the call has ended
 */
GAsyncResult *
ltm_async_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}
