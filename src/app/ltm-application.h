/* ltm-application.h: the application: the store, the LINE client, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-line-client.h"
#include "ltm-store.h"

G_BEGIN_DECLS

#define LTM_TYPE_APPLICATION (ltm_application_get_type ())

G_DECLARE_FINAL_TYPE (LtmApplication, ltm_application, LTM, APPLICATION, AdwApplication)

LtmApplication *ltm_application_new          (void);
LtmApplication *ltm_application_get_default  (void);
LtmStore       *ltm_application_get_store    (LtmApplication  *self);
LtmLineClient  *ltm_application_get_client   (LtmApplication  *self,
                                              GError         **error);
GSettings      *ltm_application_get_settings (LtmApplication  *self);
gint64          ltm_application_get_token_lifetime (LtmApplication *self);
gint64          ltm_application_get_warning  (LtmApplication  *self);
void            ltm_application_remind       (LtmApplication  *self);

G_END_DECLS
