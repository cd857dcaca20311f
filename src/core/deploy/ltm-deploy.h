/* ltm-deploy.h: delivering a channel's new token to where its bot reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-store.h"

G_BEGIN_DECLS

#define LTM_DEPLOY_ERROR (ltm_deploy_error_quark ())

/**
 * LtmDeployError:
 * @LTM_DEPLOY_ERROR_NO_TARGET: the channel has no deploy target
 * @LTM_DEPLOY_ERROR_ENV_FILE: the env file could not be rewritten
 * @LTM_DEPLOY_ERROR_COMMAND_FAILED: the deploy command did not exit with 0
 * @LTM_DEPLOY_ERROR_TIMED_OUT: the deploy command ran too long and was killed
 * @LTM_DEPLOY_ERROR_HOST_DENIED: inside Flatpak, the deploy command could
 *   not be started on the host: the app may not talk to org.freedesktop.Flatpak
 */
typedef enum {
  LTM_DEPLOY_ERROR_NO_TARGET,
  LTM_DEPLOY_ERROR_ENV_FILE,
  LTM_DEPLOY_ERROR_COMMAND_FAILED,
  LTM_DEPLOY_ERROR_TIMED_OUT,
  LTM_DEPLOY_ERROR_HOST_DENIED,
} LtmDeployError;

/* How long a deploy command may run before it is stopped, in seconds. */
#define LTM_DEPLOY_COMMAND_TIMEOUT 120

/* How long a stopped command has between SIGTERM and SIGKILL, in seconds. */
#define LTM_DEPLOY_KILL_GRACE 5

GQuark    ltm_deploy_error_quark        (void);

gboolean  ltm_deploy_runs_on_host       (void);

gboolean  ltm_deploy_write_env_file     (const char          *path,
                                         const char          *name,
                                         const char          *token,
                                         GError             **error);

void      ltm_deploy_run_command_async  (const char          *command,
                                         const char          *token,
                                         const char          *channel_id,
                                         const char          *key_id,
                                         gint64               expires_at,
                                         guint                timeout_seconds,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  ltm_deploy_run_command_finish (GAsyncResult        *result,
                                         GError             **error);

void      ltm_deploy_async              (LtmStore            *store,
                                         const char          *channel_id,
                                         const char          *key_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  ltm_deploy_finish             (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
