/* ltm-key-page.h: the assertion signing key: generate or import, copy the public JWK, the kid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-page.h"

G_BEGIN_DECLS

#define LTM_TYPE_KEY_PAGE (ltm_key_page_get_type ())

G_DECLARE_FINAL_TYPE (LtmKeyPage, ltm_key_page, LTM, KEY_PAGE, LtmPage)

void ltm_key_page_import_file (LtmKeyPage *self,
                               GFile      *file);

G_END_DECLS
