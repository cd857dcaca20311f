/* ltm-ui.h: what every page does the same way: toasts, the clipboard,
 * dates and expiry in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The LINE Developers Console, where the public key goes and the kid comes from. */
#define LTM_UI_CONSOLE_URL "https://developers.line.biz/console/"

void  ltm_ui_register_resources (void);
void  ltm_ui_toast              (GtkWidget   *widget,
                                 const char  *title);
void  ltm_ui_copy               (GtkWidget   *widget,
                                 const char  *text,
                                 const char  *toast);
AdwMessageDialog *ltm_ui_confirm_new (GtkWidget  *widget,
                                      const char *heading,
                                      const char *body,
                                      const char *response,
                                      const char *label);
void  ltm_ui_open_console       (GtkWidget   *widget);
void  ltm_ui_setup_rows         (GtkWidget   *root);
void  ltm_ui_defer_menu         (GtkMenuButton *button,
                                 GMenuModel    *model);
void  ltm_ui_set_row_error      (GtkWidget   *row,
                                 GtkLabel    *label,
                                 const char  *message);
char *ltm_ui_format_date        (gint64       unix_time);
const char *ltm_ui_store_advice (const GError *error);
char *ltm_ui_format_expiry      (gint64       expires_at,
                                 gint64       now);
char *ltm_ui_format_remaining   (gint64       seconds);

G_END_DECLS
