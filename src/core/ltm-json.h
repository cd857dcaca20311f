/* ltm-json.h: small json-glib helpers shared by the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Far above anything LINE sends or a JWK holds (a few levels). */
#define LTM_JSON_MAX_DEPTH 64

#define LTM_JSON_ERROR (ltm_json_error_quark ())

typedef enum {
  LTM_JSON_ERROR_INVALID,
  LTM_JSON_ERROR_TOO_DEEP,
} LtmJsonError;

GQuark      ltm_json_error_quark       (void);
gboolean    ltm_json_check_depth       (const char  *text,
                                        gsize        len,
                                        guint        max_depth,
                                        GError     **error);
JsonNode   *ltm_json_parse             (const char  *text,
                                        gssize       len,
                                        GError     **error);

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
