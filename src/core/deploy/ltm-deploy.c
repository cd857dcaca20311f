/* ltm-deploy.c: delivering a channel's new token to where its bot reads it
 *
 * Two kinds of target, both optional, both kept in the store in plain: an
 * env file (ltm-env-file.c) and a command (ltm-deploy-command.c).
 * ltm_deploy_async() delivers one stored token to every target and
 * records the outcome as the channel's last delivery.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-deploy.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (ltm-deploy-error-quark, ltm_deploy_error)

/* Delivering a stored token to every target */

typedef struct {
  LtmStore *store;
  char *channel_id;
  char *key_id;
  gint64 expires_at;
  LtmDeployTargets targets;
  LtmSecret *token;
  GError *failure;              /* the delivery's, kept while it is recorded */
} LtmDeploy;

static void
ltm_deploy_free (LtmDeploy *state)
{
  g_clear_object (&state->store);
  g_free (state->channel_id);
  g_free (state->key_id);
  ltm_deploy_targets_clear (&state->targets);
  ltm_secret_free (state->token);
  g_clear_error (&state->failure);
  g_free (state);
}

/* The timeout; the tests set LTM_TEST_DEPLOY_TIMEOUT to wait less. */
static guint
ltm_deploy_get_timeout (void)
{
  const char *text = g_getenv ("LTM_TEST_DEPLOY_TIMEOUT");
  guint64 seconds = 0;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 3600, &seconds, NULL))
    return seconds;

  return LTM_DEPLOY_COMMAND_TIMEOUT;
}

static void
ltm_deploy_recorded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (state->failure != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&state->failure));
      return;
    }

  /* Delivered, though the store could not say so: still delivered. */
  if (!ltm_store_change_finish (state->store, result, &error))
    g_warning ("The delivery to channel %s could not be recorded: %s", state->channel_id,
               error->message);

  g_task_return_boolean (task, TRUE);
}

/* Records how the delivery went; takes @task. */
static void
ltm_deploy_record (GTask *task)
{
  LtmDeploy *state = g_task_get_task_data (task);
  g_autofree char *message = NULL;

  if (state->failure != NULL)
    message = g_strdup (state->failure->message);
  /* Which targets took it: "delivered" is said by whoever shows it. */
  else if (state->targets.env_file != NULL && state->targets.command != NULL)
    message = g_strdup_printf (_("The env file and the deploy command took token %s."),
                               state->key_id);
  else if (state->targets.env_file != NULL)
    message = g_strdup_printf (_("The env file took token %s."), state->key_id);
  else
    message = g_strdup_printf (_("The deploy command took token %s."), state->key_id);

  ltm_store_set_delivery_async (state->store, state->channel_id,
                                state->failure != NULL ? LTM_DELIVERY_FAILED
                                                       : LTM_DELIVERY_DELIVERED,
                                g_get_real_time () / G_USEC_PER_SEC, message, NULL,
                                ltm_deploy_recorded_cb, g_steal_pointer (&task));
}

static void
ltm_deploy_command_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);

  ltm_deploy_run_command_finish (result, &state->failure);
  ltm_deploy_record (g_steal_pointer (&task));
}

static void
ltm_deploy_env_file_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!g_task_propagate_boolean (G_TASK (result), &state->failure) ||
      state->targets.command == NULL)
    {
      ltm_deploy_record (g_steal_pointer (&task));
      return;
    }

  ltm_deploy_run_command_async (state->targets.command, state->token, state->channel_id,
                                state->key_id, state->expires_at, ltm_deploy_get_timeout (),
                                cancellable, ltm_deploy_command_cb, g_steal_pointer (&task));
}

/* What the thread that writes the env file needs: its own copy, so that
 * it shares nothing with the delivery while it runs. */
typedef struct {
  char *path;
  char *name;
  LtmSecret *token;
} LtmDeployEnvFile;

static void
ltm_deploy_env_file_free (LtmDeployEnvFile *env_file)
{
  g_free (env_file->path);
  g_free (env_file->name);
  ltm_secret_free (env_file->token);
  g_free (env_file);
}

static void
ltm_deploy_env_file_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  LtmDeployEnvFile *env_file = task_data;
  GError *error = NULL;

  if (env_file->path != NULL &&
      !ltm_deploy_write_env_file (env_file->path, env_file->name, env_file->token, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
ltm_deploy_token_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmDeploy *state = g_task_get_task_data (task);
  g_autoptr(GTask) writer = NULL;
  LtmDeployEnvFile *env_file;
  GError *error = NULL;

  state->token = ltm_store_get_token_finish (state->store, result, &error);
  if (state->token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  env_file = g_new0 (LtmDeployEnvFile, 1);
  env_file->path = g_strdup (state->targets.env_file);
  env_file->name = g_strdup (state->targets.env_name);
  env_file->token = g_strdup (state->token);

  /* The file is written in a thread: fsync may take a while. */
  writer = g_task_new (NULL, NULL, ltm_deploy_env_file_cb, g_steal_pointer (&task));
  g_task_set_source_tag (writer, ltm_deploy_env_file_thread);
  g_task_set_task_data (writer, env_file, (GDestroyNotify) ltm_deploy_env_file_free);
  g_task_run_in_thread (writer, ltm_deploy_env_file_thread);
}

/**
 * ltm_deploy_async:
 * @store: a loaded #LtmStore
 * @channel_id: a stored channel with at least one deploy target
 * @key_id: (nullable): the token to deliver; %NULL for the newest usable one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Delivers the token to the env file, then to the command, and records
 * the outcome as the channel's last delivery.
 */
void
ltm_deploy_async (LtmStore            *store,
                  const char          *channel_id,
                  const char          *key_id,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LtmChannel *channel;
  LtmToken *token;
  LtmDeploy *state;
  GError *error = NULL;

  g_return_if_fail (LTM_IS_STORE (store));
  g_return_if_fail (channel_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_deploy_async);

  if ((channel = ltm_store_lookup_channel (store, channel_id, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!ltm_channel_has_deploy_target (channel))
    {
      g_task_return_new_error (task, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_NO_TARGET,
                               _("The channel %s has no deploy target."), channel_id);
      return;
    }

  token = ltm_store_lookup_token (store, channel_id, key_id, g_get_real_time () / G_USEC_PER_SEC,
                                  &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  state = g_new0 (LtmDeploy, 1);
  state->store = g_object_ref (store);
  state->channel_id = g_strdup (channel_id);
  state->key_id = g_strdup (ltm_token_get_key_id (token));
  state->expires_at = ltm_token_get_expires_at (token);
  ltm_channel_get_deploy_targets (channel, &state->targets);
  g_task_set_task_data (task, state, (GDestroyNotify) ltm_deploy_free);

  ltm_store_get_token_async (store, channel_id, state->key_id, cancellable,
                             ltm_deploy_token_cb, g_steal_pointer (&task));
}

/**
 * ltm_deploy_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if every target took the token
 */
gboolean
ltm_deploy_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_deploy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
