/* ltm-text.h: text from LINE, a file or a person, made safe to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  ltm_text_is_control      (gunichar    c);
char     *ltm_text_escape_controls (const char *text,
                                    const char *keep);

G_END_DECLS
