/* ltm-tokens-page.h: the channel's tokens: issue, copy, verify, revoke
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-page.h"

G_BEGIN_DECLS

#define LTM_TYPE_TOKENS_PAGE (ltm_tokens_page_get_type ())

G_DECLARE_FINAL_TYPE (LtmTokensPage, ltm_tokens_page, LTM, TOKENS_PAGE, LtmPage)

G_END_DECLS
