/* ltm-activity.h: what a page is doing (with Cancel) or what went wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LTM_TYPE_ACTIVITY (ltm_activity_get_type ())

G_DECLARE_FINAL_TYPE (LtmActivity, ltm_activity, LTM, ACTIVITY, GtkWidget)

GCancellable *ltm_activity_begin       (LtmActivity  *self,
                                        const char   *description);
void          ltm_activity_set_retry   (LtmActivity  *self,
                                        const char   *action_name,
                                        GVariant     *target);
void          ltm_activity_update      (LtmActivity  *self,
                                        const char   *description);
void          ltm_activity_end         (LtmActivity  *self);
void          ltm_activity_fail        (LtmActivity  *self,
                                        const char   *heading,
                                        const GError *error);
void          ltm_activity_clear       (LtmActivity  *self);
void          ltm_activity_dismiss     (LtmActivity  *self);
gboolean      ltm_activity_get_busy    (LtmActivity  *self);
const char   *ltm_activity_get_message (LtmActivity  *self);

G_END_DECLS
