/* ltm-json.h: small json-glib helpers shared by the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char       *ltm_json_quote             (const char *text);
const char *ltm_json_object_get_string (JsonObject *object,
                                        const char *name);
gboolean    ltm_json_object_get_int    (JsonObject *object,
                                        const char *name,
                                        gint64     *out_value);
gboolean    ltm_json_object_get_bool   (JsonObject *object,
                                        const char *name,
                                        gboolean   *out_value);

void        ltm_json_wipe              (JsonNode   *node);

G_END_DECLS
