/* ltm-channel.h: a LINE channel the store keeps (metadata only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-token.h"

G_BEGIN_DECLS

/* A name is a label in a list, not a description. */
#define LTM_CHANNEL_MAX_NAME 200

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

G_END_DECLS
