/* ltm-token-row.h: one stored token in the Tokens page's list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-token.h"

G_BEGIN_DECLS

#define LTM_TYPE_TOKEN_ROW (ltm_token_row_get_type ())

G_DECLARE_FINAL_TYPE (LtmTokenRow, ltm_token_row, LTM, TOKEN_ROW, GtkListBoxRow)

LtmTokenRow *ltm_token_row_new          (LtmToken    *token,
                                         gint64       warning);
LtmToken    *ltm_token_row_get_token    (LtmTokenRow *self);
gboolean     ltm_token_row_get_busy     (LtmTokenRow *self);
void         ltm_token_row_set_busy     (LtmTokenRow *self,
                                         gboolean     busy);
void         ltm_token_row_refresh      (LtmTokenRow *self,
                                         gint64       warning);
void         ltm_token_row_set_verified (LtmTokenRow *self,
                                         const char  *text);

G_END_DECLS
