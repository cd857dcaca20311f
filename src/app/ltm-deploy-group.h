/* ltm-deploy-group.h: where a channel's new tokens are delivered, and how
 * the last delivery went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-channel.h"

G_BEGIN_DECLS

#define LTM_TYPE_DEPLOY_GROUP (ltm_deploy_group_get_type ())

G_DECLARE_FINAL_TYPE (LtmDeployGroup, ltm_deploy_group, LTM, DEPLOY_GROUP, AdwPreferencesGroup)

LtmChannel *ltm_deploy_group_get_channel (LtmDeployGroup *self);
void        ltm_deploy_group_set_channel (LtmDeployGroup *self,
                                          LtmChannel     *channel);

G_END_DECLS
