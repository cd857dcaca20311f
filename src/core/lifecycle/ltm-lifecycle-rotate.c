/* ltm-lifecycle-rotate.c: rotating tokens before they expire, one of the
 * token workflows
 *
 * Rotating a channel is: read its key and channel secret from the store,
 * issue a new v2.1 token with the lifetime the channel's tokens have had,
 * verify it, store it, deliver it to the channel's deploy targets, and only
 * then revoke the tokens it replaces (after the channel's grace period;
 * with no target only when asked).  A failure before the new token is stored revokes the new
 * token again and leaves the old ones as they were; a failure while
 * revoking leaves the remaining old tokens stored and working.  Either way
 * the LtmRotation says exactly what happened.  Failures are reports, not
 * errors: rotating many channels goes on past one that fails.  Tokens
 * whose grace period is over are revoked first (ltm-lifecycle-revoke.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-lifecycle.h"

#include <glib/gi18n-lib.h>

#include "ltm-deploy.h"
#include "ltm-duration.h"
#include "ltm-jwt.h"

void
ltm_rotation_free (LtmRotation *rotation)
{
  if (rotation == NULL)
    return;

  g_free (rotation->channel_id);
  g_free (rotation->new_key_id);
  g_free (rotation->message);
  g_free (rotation);
}

/**
 * ltm_rotation_outcome_to_string:
 * @outcome: an outcome
 *
 * Returns: "rotated", "partial" or "failed", for tables and `--json`
 */
const char *
ltm_rotation_outcome_to_string (LtmRotationOutcome outcome)
{
  switch (outcome)
    {
    case LTM_ROTATION_ROTATED:
      return "rotated";
    case LTM_ROTATION_PARTIAL:
      return "partial";
    case LTM_ROTATION_DEPLOY_FAILED:
      return "deploy-failed";
    case LTM_ROTATION_FAILED:
    default:
      return "failed";
    }
}

/* Rotating one channel */

typedef struct {
  LtmStore *store;
  LtmLineClient *client;
  char *channel_id;
  char *kid;
  gint64 lifetime;
  LtmRotateFlags flags;
  gint64 grace;
  gboolean has_target;
  GStrv first;                  /* revoked before issuing: retired, and over LINE's 30 */
  guint over_limit;             /* of them, how many for LINE's 30 */
  GStrv old_key_ids;            /* the usable v2.1 tokens it replaces */
  LtmKey *key;
  LtmSecret *secret;
  LtmLineToken *token;
  gint64 issued_at;
  GString *notes;               /* what else happened, appended to the message */
  char *discarded;              /* why the new token was revoked again */
  LtmRotation *rotation;
} LtmRotate;

static void
ltm_rotate_free (LtmRotate *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->client);
  g_free (state->channel_id);
  g_free (state->kid);
  g_strfreev (state->first);
  g_strfreev (state->old_key_ids);
  g_clear_object (&state->key);
  ltm_secret_free (state->secret);
  ltm_line_token_free (state->token);
  if (state->notes != NULL)
    g_string_free (state->notes, TRUE);
  g_free (state->discarded);
  ltm_rotation_free (state->rotation);
  g_free (state);
}

/* Ends the rotation with @outcome and @message (takes it), the notes after it. */
static void
ltm_rotate_end (GTask              *task,
                LtmRotationOutcome  outcome,
                char               *message)
{
  LtmRotate *state = g_task_get_task_data (task);

  state->rotation->outcome = outcome;
  state->rotation->message = g_strconcat (message, state->notes->str, NULL);
  g_free (message);
  g_task_return_pointer (task, g_steal_pointer (&state->rotation),
                         (GDestroyNotify) ltm_rotation_free);
}

static void
ltm_rotate_discarded_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *why = state->discarded;

  if (ltm_line_client_revoke_token_finish (state->client, result, &error))
    ltm_rotate_end (task, LTM_ROTATION_FAILED,
                    g_strdup_printf (_("%s; the new token was revoked again, and the old tokens "
                                       "are untouched."), why));
  else
    ltm_rotate_end (task, LTM_ROTATION_FAILED,
                    g_strdup_printf (_("%s; revoking the new token (key ID %s) failed too (%s): "
                                       "it stays valid at LINE until it expires. The old tokens "
                                       "are untouched."), why, state->token->key_id,
                                     error->message));
}

/* Before the new token is stored, it is revoked again: nothing is left
 * at LINE that the store does not know.  Takes @task and @why. */
static void
ltm_rotate_discard (GTask *task,
                    char  *why)
{
  LtmRotate *state = g_task_get_task_data (task);

  state->discarded = why;
  ltm_line_client_revoke_token_async (state->client, state->channel_id, state->secret,
                                      state->token->access_token, NULL,
                                      ltm_rotate_discarded_cb, task);
}

static char *
ltm_rotate_stored_words (LtmRotate *state)
{
  g_autofree char *expires = ltm_duration_format_rounded (state->token->expires_in);

  return g_strdup_printf (_("New token %s stored (expires in %s)"), state->token->key_id,
                          expires);
}

static void
ltm_rotate_old_revoked_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(LtmRevocation) revocation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = ltm_rotate_stored_words (state);
  g_autofree char *delivered = NULL;

  revocation = ltm_lifecycle_revoke_finish (result, &error);
  if (revocation == NULL)
    {
      g_assert (error != NULL);
      state->rotation->not_revoked = g_strv_length (state->old_key_ids);
      ltm_rotate_end (task, LTM_ROTATION_PARTIAL,
                      g_strdup_printf (_("%s; the old tokens could not be revoked and still "
                                         "work: %s"), stored, error->message));
      return;
    }

  state->rotation->revoked += revocation->revoked;
  state->rotation->not_revoked += revocation->not_revoked;
  delivered = g_strdup (state->rotation->delivered ? _(", delivered") : "");

  if (revocation->not_revoked > 0)
    ltm_rotate_end (task, LTM_ROTATION_PARTIAL,
                    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%s%s; %u old token could not be revoked and "
                                                  "still works:%s",
                                                  "%s%s; %u old tokens could not be revoked and "
                                                  "still work:%s",
                                                  revocation->not_revoked),
                                     stored, delivered, revocation->not_revoked,
                                     revocation->problems));
  else
    ltm_rotate_end (task, LTM_ROTATION_ROTATED,
                    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  "%s%s; %u old token revoked.%s",
                                                  "%s%s; %u old tokens revoked.%s",
                                                  revocation->revoked),
                                     stored, delivered, revocation->revoked,
                                     revocation->problems));
}

static void
ltm_rotate_old_retired_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = ltm_rotate_stored_words (state);
  guint n = g_strv_length (state->old_key_ids);

  if (!ltm_store_change_finish (state->store, result, &error))
    g_string_append_printf (state->notes, _(" The old tokens could not be marked replaced (%s)."),
                            error->message);

  if (state->rotation->retire_at > 0)
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (state->rotation->retire_at);
      g_autofree char *when = g_date_time_format (at, "%Y-%m-%d %H:%M");

      state->rotation->retiring = n;
      ltm_rotate_end (task, LTM_ROTATION_ROTATED,
                      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "%s, delivered; %u old token stays valid "
                                                    "for the grace period and is revoked after %s.",
                                                    "%s, delivered; %u old tokens stay valid "
                                                    "for the grace period and are revoked after %s.",
                                                    n),
                                       stored, n, when));
    }
  else
    {
      state->rotation->replaced = n;
      ltm_rotate_end (task, LTM_ROTATION_ROTATED,
                      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "%s; no deploy target, so %u old token stays "
                                                    "valid until it expires.",
                                                    "%s; no deploy target, so %u old tokens stay "
                                                    "valid until they expire.",
                                                    n),
                                       stored, n));
    }
}

/* The new token is stored (and delivered, if there is a target): what
 * becomes of the ones it replaces. */
static void
ltm_rotate_settle_old (GTask *task)
{
  LtmRotate *state = g_task_get_task_data (task);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *stored = NULL;

  if (state->old_key_ids[0] == NULL)
    {
      stored = ltm_rotate_stored_words (state);
      ltm_rotate_end (task, LTM_ROTATION_ROTATED,
                      g_strdup_printf (state->rotation->delivered ? _("%s, delivered.") : "%s.",
                                       stored));
      return;
    }

  if ((state->flags & LTM_ROTATE_REVOKE_OLD) || (state->has_target && state->grace == 0))
    {
      ltm_lifecycle_revoke_async (state->store, state->client, state->channel_id,
                                  (const char * const *) state->old_key_ids, state->secret, NULL,
                                  ltm_rotate_old_revoked_cb, g_object_ref (task));
      return;
    }

  if (state->has_target)
    state->rotation->retire_at = now + state->grace;

  ltm_store_retire_tokens_async (state->store, state->channel_id,
                                 (const char * const *) state->old_key_ids,
                                 state->has_target ? LTM_TOKEN_RETIREMENT_RETIRING
                                                   : LTM_TOKEN_RETIREMENT_REPLACED,
                                 state->has_target ? state->rotation->retire_at : now,
                                 NULL, ltm_rotate_old_retired_cb, g_object_ref (task));
}

static void
ltm_rotate_deployed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ltm_deploy_finish (result, &error))
    {
      g_autofree char *stored = ltm_rotate_stored_words (state);

      /* The bot may still hold an old token: none goes. */
      ltm_rotate_end (task, LTM_ROTATION_DEPLOY_FAILED,
                      g_strdup_printf (_("%s, but delivering it failed: %s The old tokens stay "
                                         "valid."), stored, error->message));
      return;
    }

  state->rotation->delivered = TRUE;
  ltm_rotate_settle_old (task);
}

static void
ltm_rotate_stored_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ltm_store_change_finish (state->store, result, &error))
    {
      ltm_rotate_discard (g_steal_pointer (&task),
                          g_strdup_printf (_("The new token could not be stored (%s)"),
                                           error->message));
      return;
    }

  state->rotation->new_key_id = g_strdup (state->token->key_id);
  state->rotation->new_expires_at = state->issued_at + state->token->expires_in;

  /* Only now that the new token is safe does it go out, and only once it
   * is out do the old ones go. */
  if (state->has_target)
    ltm_deploy_async (state->store, state->channel_id, state->token->key_id, NULL,
                      ltm_rotate_deployed_cb, g_steal_pointer (&task));
  else
    ltm_rotate_settle_old (task);
}

static void
ltm_rotate_verified_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ltm_line_client_verify_token_finish (state->client, result, &error);
  if (info == NULL || g_strcmp0 (info->client_id, state->channel_id) != 0)
    {
      ltm_rotate_discard (g_steal_pointer (&task),
                          info == NULL
                          ? g_strdup_printf (_("LINE did not verify the new token (%s)"),
                                             error->message)
                          : g_strdup_printf (_("LINE says the new token belongs to channel %s"),
                                             info->client_id));
      return;
    }

  /* Not cancellable from here on: the new token must end stored or revoked. */
  ltm_store_add_token_async (state->store, state->channel_id, LTM_TOKEN_KIND_V21, state->token,
                             state->issued_at, NULL, ltm_rotate_stored_cb,
                             g_steal_pointer (&task));
}

static void
ltm_rotate_issued_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(LtmIssuance) issuance = NULL;
  g_autoptr(GError) error = NULL;

  issuance = ltm_lifecycle_issue_finish (result, &error);
  if (issuance == NULL)
    {
      g_assert (error != NULL);
      /* The assertion could not be signed, or LINE said no. */
      ltm_rotate_end (task, LTM_ROTATION_FAILED,
                      error->domain == LTM_JWT_ERROR || error->domain == LTM_KEY_ERROR
                      ? g_strdup_printf (_("No new token: %s. The old tokens are untouched."),
                                         error->message)
                      : g_strdup_printf (_("LINE did not issue a new token: %s. The old tokens "
                                           "are untouched."), error->message));
      return;
    }

  state->token = g_steal_pointer (&issuance->token);
  state->issued_at = issuance->issued_at;

  ltm_line_client_verify_token_async (state->client, state->token->access_token, NULL,
                                      ltm_rotate_verified_cb, g_steal_pointer (&task));
}

/* Issues the new token with the workflow `ltm token issue` runs, but
 * keeps it only once LINE verified it (ltm_rotate_verified_cb). */
static void
ltm_rotate_issue (GTask *task)
{
  LtmRotate *state = g_task_get_task_data (task);

  ltm_lifecycle_issue_async (NULL, state->client, state->channel_id, state->key, state->kid,
                             state->lifetime, LTM_ISSUE_NO_STORE, g_task_get_cancellable (task),
                             ltm_rotate_issued_cb, g_object_ref (task));
}

static void
ltm_rotate_first_revoked_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(LtmRevocation) revocation = NULL;
  g_autoptr(GError) error = NULL;

  revocation = ltm_lifecycle_revoke_finish (result, &error);
  if (revocation != NULL)
    {
      state->rotation->revoked += revocation->revoked;
      if (state->over_limit > 0)
        g_string_append_printf (state->notes,
                                g_dngettext (GETTEXT_PACKAGE,
                                             " LINE allows %d valid tokens per channel: the "
                                             "oldest replaced token was revoked first.",
                                             " LINE allows %d valid tokens per channel: the "
                                             "oldest replaced tokens were revoked first.",
                                             state->over_limit),
                                LTM_LINE_MAX_V21_TOKENS);
      if (revocation->not_revoked > 0)
        g_string_append_printf (state->notes, _(" Replaced tokens that could not be revoked:%s"),
                                revocation->problems);
    }
  else
    {
      g_assert (error != NULL);
      g_string_append_printf (state->notes, _(" Replaced tokens could not be revoked: %s."),
                              error->message);
    }

  ltm_rotate_issue (task);
}

static void
ltm_rotate_secret_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* Without the channel secret the old tokens could not be revoked:
   * better not to issue at all. */
  state->secret = ltm_store_get_secret_finish (state->store, result, &error);
  if (state->secret == NULL)
    {
      ltm_rotate_end (task, LTM_ROTATION_FAILED,
                      g_strdup_printf (_("The channel secret is needed to revoke the old tokens: "
                                         "%s"), error->message));
      return;
    }

  /* Tokens past their grace period, and room under LINE's 30, first. */
  if (state->first[0] != NULL)
    {
      ltm_lifecycle_revoke_async (state->store, state->client, state->channel_id,
                                  (const char * const *) state->first, state->secret,
                                  g_task_get_cancellable (task),
                                  ltm_rotate_first_revoked_cb, g_object_ref (task));
      return;
    }

  ltm_rotate_issue (task);
}

static void
ltm_rotate_key_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmRotate *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  state->key = ltm_store_get_key_finish (state->store, result, &error);
  if (state->key == NULL)
    {
      ltm_rotate_end (task, LTM_ROTATION_FAILED, g_strdup (error->message));
      return;
    }

  ltm_store_get_secret_async (state->store, state->channel_id, g_task_get_cancellable (task),
                              ltm_rotate_secret_cb, g_object_ref (task));
}

static int
ltm_rotate_compare_issued (gconstpointer a,
                           gconstpointer b)
{
  LtmToken *token_a = *(LtmToken **) a;
  LtmToken *token_b = *(LtmToken **) b;
  gint64 issued_a = ltm_token_get_issued_at (token_a);
  gint64 issued_b = ltm_token_get_issued_at (token_b);

  return issued_a < issued_b ? -1 : issued_a > issued_b;
}

/* Which tokens go before issuing, and which the new one replaces. */
static void
ltm_rotate_plan (LtmRotate  *state,
                 LtmChannel *channel,
                 gint64      now)
{
  g_autoptr(GStrvBuilder) first = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) old = g_strv_builder_new ();
  g_autoptr(GPtrArray) replaced = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *tokens = ltm_channel_get_tokens (channel);
  g_auto(GStrv) retired = ltm_lifecycle_find_retired (channel, now);
  guint usable = 0;

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);
      const char *key_id = ltm_token_get_key_id (token);

      if (ltm_token_get_kind (token) != LTM_TOKEN_KIND_V21 || !ltm_token_is_usable (token, now))
        continue;

      if (g_strv_contains ((const char * const *) retired, key_id))
        {
          g_strv_builder_add (first, key_id);
          continue;
        }

      usable++;
      if (ltm_token_get_retirement (token) != LTM_TOKEN_RETIREMENT_NONE)
        g_ptr_array_add (replaced, g_object_ref (token));
    }

  /* The new one must fit under LINE's 30: the oldest replaced ones go. */
  g_ptr_array_sort (replaced, ltm_rotate_compare_issued);
  for (guint i = 0; i < replaced->len && usable >= LTM_LINE_MAX_V21_TOKENS; i++)
    {
      g_strv_builder_add (first, ltm_token_get_key_id (g_ptr_array_index (replaced, i)));
      state->over_limit++;
      usable--;
    }
  state->first = g_strv_builder_end (first);

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);
      const char *key_id = ltm_token_get_key_id (token);

      if (ltm_token_get_kind (token) == LTM_TOKEN_KIND_V21 && ltm_token_is_usable (token, now) &&
          !g_strv_contains ((const char * const *) state->first, key_id))
        g_strv_builder_add (old, key_id);
    }
  state->old_key_ids = g_strv_builder_end (old);
}

/**
 * ltm_lifecycle_rotate_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient
 * @channel_id: a stored channel with a key, a kid and a channel secret
 * @flags: %LTM_ROTATE_REVOKE_OLD to revoke the replaced tokens at once
 * @grace: how long replaced tokens stay valid after a delivery, seconds;
 *   -1 for the channel's own grace period
 * @cancellable: (nullable): stops before issuing, or between revocations
 * @callback: called with the report
 * @user_data: data for @callback
 *
 * Issues, verifies and stores a new token, delivers it to the channel's
 * deploy targets, and only when every target took it revokes the tokens
 * it replaced, after the grace period ("retiring" until then).  With no
 * target they stay valid ("replaced") unless @flags say otherwise.  A
 * failed delivery keeps the new token stored and the old ones valid.
 * Tokens whose grace period is over are revoked first, and so are the
 * oldest replaced ones when the new one would pass LINE's 30.
 */
void
ltm_lifecycle_rotate_async (LtmStore            *store,
                            LtmLineClient       *client,
                            const char          *channel_id,
                            LtmRotateFlags       flags,
                            gint64               grace,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  LtmChannel *channel;
  LtmToken *newest;
  LtmRotate *state;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_rotate_async);

  state = g_new0 (LtmRotate, 1);
  state->store = g_object_ref (store);
  state->client = g_object_ref (client);
  state->channel_id = g_strdup (channel_id);
  state->flags = flags;
  state->notes = g_string_new (NULL);
  state->rotation = g_new0 (LtmRotation, 1);
  state->rotation->channel_id = g_strdup (channel_id);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_rotate_free);

  channel = ltm_store_find_channel (store, channel_id);
  if (channel == NULL || ltm_channel_get_kid (channel) == NULL || !ltm_channel_get_has_key (channel))
    {
      ltm_rotate_end (task, LTM_ROTATION_FAILED,
                      channel == NULL
                      ? g_strdup_printf (_("The channel %s is not stored."), channel_id)
                      : g_strdup (_("The channel needs a stored key and its kid to issue tokens.")));
      return;
    }

  state->kid = g_strdup (ltm_channel_get_kid (channel));
  state->has_target = ltm_channel_has_deploy_target (channel);
  state->grace = grace >= 0 ? grace : ltm_channel_get_grace (channel);

  /* The replacement lives as long as the tokens it replaces did. */
  newest = ltm_channel_get_newest_usable (channel, now);
  state->lifetime = LTM_JWT_MAX_TOKEN_LIFETIME;
  if (newest != NULL && ltm_token_get_kind (newest) == LTM_TOKEN_KIND_V21)
    state->lifetime = CLAMP (ltm_token_get_expires_at (newest) - ltm_token_get_issued_at (newest),
                             1, LTM_JWT_MAX_TOKEN_LIFETIME);

  ltm_rotate_plan (state, channel, now);

  ltm_store_get_key_async (store, channel_id, cancellable, ltm_rotate_key_cb,
                           g_steal_pointer (&task));
}

/**
 * ltm_lifecycle_rotate_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError; only set when cancelled
 *
 * Returns: (transfer full): what happened; a failure is a report too
 */
LtmRotation *
ltm_lifecycle_rotate_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_rotate_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Rotating many channels, a bounded number at once */

typedef struct {
  LtmStore *store;
  LtmLineClient *client;
  GPtrArray *channel_ids;
  GPtrArray *rotations;         /* by position; NULL until done */
  guint next;
  guint running;
  guint done;
  guint jobs;
  LtmRotateFlags flags;
  gint64 grace;
  LtmLifecycleProgress progress;
  gpointer progress_data;
} LtmRotateMany;

static void
ltm_rotate_many_free (LtmRotateMany *state)
{
  g_clear_object (&state->store);
  g_clear_object (&state->client);
  g_clear_pointer (&state->channel_ids, g_ptr_array_unref);
  g_clear_pointer (&state->rotations, g_ptr_array_unref);
  g_free (state);
}

static void ltm_rotate_many_start_more (GTask *task);

typedef struct {
  GTask *task;
  guint position;
} LtmRotateOne;

static void
ltm_rotate_many_one_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  LtmRotateOne *one = user_data;
  g_autoptr(GTask) task = one->task;
  LtmRotateMany *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  LtmRotation *rotation;

  rotation = ltm_lifecycle_rotate_finish (result, &error);
  if (rotation == NULL)
    {
      rotation = g_new0 (LtmRotation, 1);
      rotation->channel_id = g_strdup (g_ptr_array_index (state->channel_ids, one->position));
      rotation->outcome = LTM_ROTATION_FAILED;
      rotation->message = g_strdup (error->message);
    }

  g_ptr_array_index (state->rotations, one->position) = rotation;
  g_free (one);
  state->running--;
  state->done++;

  if (state->progress != NULL)
    state->progress (state->done, state->channel_ids->len, state->progress_data);

  ltm_rotate_many_start_more (task);
}

static void
ltm_rotate_many_start_more (GTask *task)
{
  LtmRotateMany *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  while (state->running < state->jobs && state->next < state->channel_ids->len)
    {
      LtmRotateOne *one = g_new0 (LtmRotateOne, 1);

      one->task = g_object_ref (task);
      one->position = state->next++;
      state->running++;

      /* A cancelled run starts nothing more; each started rotation still
       * ends consistent, and reports what it did. */
      ltm_lifecycle_rotate_async (state->store, state->client,
                                  g_ptr_array_index (state->channel_ids, one->position),
                                  state->flags, state->grace,
                                  cancellable, ltm_rotate_many_one_cb, one);
    }

  if (state->done == state->channel_ids->len)
    g_task_return_pointer (task, g_steal_pointer (&state->rotations),
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * ltm_lifecycle_rotate_many_async:
 * @store: a loaded #LtmStore
 * @client: the process's #LtmLineClient, shared by all
 * @channel_ids: (element-type utf8): the channels, as ltm_lifecycle_find_expiring() gives
 * @jobs: how many rotations run at once (0 for the default, 8)
 * @flags: as for ltm_lifecycle_rotate_async()
 * @grace: as for ltm_lifecycle_rotate_async()
 * @progress: (nullable): called as each channel is done
 * @progress_data: data for @progress
 * @cancellable: (nullable): stops starting new rotations
 * @callback: called with the reports
 * @user_data: data for @callback
 */
void
ltm_lifecycle_rotate_many_async (LtmStore             *store,
                                 LtmLineClient        *client,
                                 GPtrArray            *channel_ids,
                                 guint                 jobs,
                                 LtmRotateFlags        flags,
                                 gint64                grace,
                                 LtmLifecycleProgress  progress,
                                 gpointer              progress_data,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmRotateMany *state;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (LTM_IS_LINE_CLIENT (client));
  g_return_if_fail (channel_ids != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_lifecycle_rotate_many_async);

  state = g_new0 (LtmRotateMany, 1);
  state->store = g_object_ref (store);
  state->client = g_object_ref (client);
  state->channel_ids = g_ptr_array_ref (channel_ids);
  state->rotations = g_ptr_array_new_full (channel_ids->len, (GDestroyNotify) ltm_rotation_free);
  g_ptr_array_set_size (state->rotations, channel_ids->len);
  state->jobs = jobs > 0 ? jobs : LTM_LIFECYCLE_DEFAULT_JOBS;
  state->flags = flags;
  state->grace = grace;
  state->progress = progress;
  state->progress_data = progress_data;
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_rotate_many_free);

  /* They start together: the first read of the master key is shared by
   * all of them (the store's shared unlock), and a keyring that does not
   * open is said by each rotation, in its row. */
  ltm_rotate_many_start_more (task);
}

/**
 * ltm_lifecycle_rotate_many_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type LtmRotation): a report per channel,
 *   in the order given
 */
GPtrArray *
ltm_lifecycle_rotate_many_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_lifecycle_rotate_many_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
