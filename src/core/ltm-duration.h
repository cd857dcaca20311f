/* ltm-duration.h: durations such as "900", "15m", "12h", "30d"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LTM_DURATION_ERROR (ltm_duration_error_quark ())

typedef enum {
  LTM_DURATION_ERROR_INVALID,
  LTM_DURATION_ERROR_TOO_LARGE,
} LtmDurationError;

GQuark    ltm_duration_error_quark (void);

gboolean  ltm_duration_parse       (const char  *text,
                                    gint64      *out_seconds,
                                    GError     **error);
char     *ltm_duration_format      (gint64       seconds);
char     *ltm_duration_format_rounded (gint64    seconds);

G_END_DECLS
