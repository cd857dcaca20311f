/* ltm-channel.h: a LINE channel the store keeps (metadata only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-token.h"

G_BEGIN_DECLS

#define LTM_CHANNEL_ERROR (ltm_channel_error_quark ())

/**
 * LtmChannelError:
 * @LTM_CHANNEL_ERROR_INVALID_NAME: the name cannot name a channel
 * @LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET: a deploy target cannot be kept
 */
typedef enum {
  LTM_CHANNEL_ERROR_INVALID_NAME,
  LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET,
} LtmChannelError;

GQuark      ltm_channel_error_quark        (void);

/* A name is a label in a list, not a description. */
#define LTM_CHANNEL_MAX_NAME 200

/* The variable an env-file target sets unless told otherwise. */
#define LTM_DEPLOY_DEFAULT_ENV_NAME "CHANNEL_ACCESS_TOKEN"

/* Where a channel's new tokens are delivered after a rotation.  Not
 * secrets: kept in plain. */
typedef struct {
  char *env_file;               /* rewritten with the token; NULL: none */
  char *env_name;               /* its variable; NULL: LTM_DEPLOY_DEFAULT_ENV_NAME */
  char *command;                /* run by /bin/sh -c, the token on stdin; NULL: none */
  gint64 grace;                 /* seconds replaced tokens stay valid after a delivery */
} LtmDeployTargets;

typedef enum {
  LTM_DELIVERY_NONE,            /* nothing delivered yet */
  LTM_DELIVERY_DELIVERED,       /* every target took the token */
  LTM_DELIVERY_FAILED,          /* a target did not */
} LtmDeliveryStatus;

void        ltm_deploy_targets_clear       (LtmDeployTargets       *targets);
gboolean    ltm_deploy_targets_check       (const LtmDeployTargets *targets,
                                            GError                **error);
void        ltm_deploy_targets_copy        (const LtmDeployTargets *targets,
                                            LtmDeployTargets       *out_copy);
const char *ltm_delivery_status_to_string  (LtmDeliveryStatus       status);
gboolean    ltm_delivery_status_from_string (const char            *text,
                                             LtmDeliveryStatus     *out_status);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtmDeployTargets, ltm_deploy_targets_clear)

#define LTM_TYPE_CHANNEL (ltm_channel_get_type ())

G_DECLARE_FINAL_TYPE (LtmChannel, ltm_channel, LTM, CHANNEL, GObject)

LtmChannel *ltm_channel_new                (const char *channel_id,
                                            const char *name);
const char *ltm_channel_get_channel_id     (LtmChannel *self);
gboolean    ltm_channel_check_name         (const char *name,
                                            GError    **error);
const char *ltm_channel_get_name           (LtmChannel *self);
char       *ltm_channel_dup_display_name   (LtmChannel *self);
void        ltm_channel_set_name           (LtmChannel *self,
                                            const char *name);
const char *ltm_channel_get_kid            (LtmChannel *self);
void        ltm_channel_set_kid            (LtmChannel *self,
                                            const char *kid);
const char *ltm_channel_get_key_thumbprint (LtmChannel *self);
void        ltm_channel_set_key_thumbprint (LtmChannel *self,
                                            const char *thumbprint);
gint64      ltm_channel_get_key_created    (LtmChannel *self);
void        ltm_channel_set_key_created    (LtmChannel *self,
                                            gint64      created);
gboolean    ltm_channel_get_has_key        (LtmChannel *self);
gboolean    ltm_channel_get_has_secret     (LtmChannel *self);
void        ltm_channel_set_has_secret     (LtmChannel *self,
                                            gboolean    has_secret);
GListModel *ltm_channel_get_tokens         (LtmChannel *self);
LtmToken   *ltm_channel_find_token         (LtmChannel *self,
                                            const char *key_id);
void        ltm_channel_add_token          (LtmChannel *self,
                                            LtmToken   *token);
gboolean    ltm_channel_remove_token       (LtmChannel *self,
                                            const char *key_id);
void        ltm_channel_set_tokens         (LtmChannel *self,
                                            GPtrArray  *tokens);
guint       ltm_channel_count_usable_v21   (LtmChannel *self,
                                            gint64      now);
LtmToken   *ltm_channel_get_newest_usable  (LtmChannel *self,
                                            gint64      now);

const char *ltm_channel_get_env_file       (LtmChannel *self);
const char *ltm_channel_get_env_name       (LtmChannel *self);
const char *ltm_channel_get_deploy_command (LtmChannel *self);
gint64      ltm_channel_get_grace          (LtmChannel *self);
void        ltm_channel_get_deploy_targets (LtmChannel *self,
                                            LtmDeployTargets *out_targets);
void        ltm_channel_set_deploy_targets (LtmChannel *self,
                                            const LtmDeployTargets *targets);
gboolean    ltm_channel_has_deploy_target  (LtmChannel *self);
LtmDeliveryStatus ltm_channel_get_delivery (LtmChannel *self);
gint64      ltm_channel_get_delivered_at   (LtmChannel *self);
const char *ltm_channel_get_delivery_message (LtmChannel *self);
void        ltm_channel_set_delivery       (LtmChannel *self,
                                            LtmDeliveryStatus status,
                                            gint64      delivered_at,
                                            const char *message);

G_END_DECLS
