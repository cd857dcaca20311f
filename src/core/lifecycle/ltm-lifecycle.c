/* ltm-lifecycle.c: keeping a channel's tokens alive, what the workflows share
 *
 * The token workflows are one _async/_finish operation each, that `ltm`
 * and the window both call: each reads what it needs from the store, asks
 * LINE, and tells the store what LINE did, so that the front ends only
 * parse, ask and show.  Once LINE has issued or revoked a token the store
 * is told, whatever the caller does meanwhile: it never loses a token
 * LINE counts.  Each has a file:
 *
 *   ltm-lifecycle-issue.c   issuing a token (v2.1, short-lived, stateless)
 *   ltm-lifecycle-revoke.c  revoking stored tokens, and those whose grace
 *                           period is over (retire)
 *   ltm-lifecycle-sync.c    what LINE says of the stored tokens (reconcile),
 *                           of one of them (verify), and what a bot's
 *                           deployment reads (read-env)
 *   ltm-lifecycle-rotate.c  rotating one channel, and many at once
 *
 * Here: the workflows' error domain, and which channels are due.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-lifecycle.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (ltm-lifecycle-error-quark, ltm_lifecycle_error)

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
