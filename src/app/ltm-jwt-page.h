/* ltm-jwt-page.h: the signed JWT assertion: create, decode, check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-page.h"

G_BEGIN_DECLS

#define LTM_TYPE_JWT_PAGE (ltm_jwt_page_get_type ())

G_DECLARE_FINAL_TYPE (LtmJwtPage, ltm_jwt_page, LTM, JWT_PAGE, LtmPage)

G_END_DECLS
