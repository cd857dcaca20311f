/* ltm-list-bin.h: a list that is one Tab stop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LTM_TYPE_LIST_BIN (ltm_list_bin_get_type ())

G_DECLARE_FINAL_TYPE (LtmListBin, ltm_list_bin, LTM, LIST_BIN, AdwBin)

GtkListBox *ltm_list_bin_get_list_box (LtmListBin *self);
void        ltm_list_bin_set_list_box (LtmListBin *self,
                                       GtkListBox *list_box);

G_END_DECLS
