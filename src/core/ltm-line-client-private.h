/* ltm-line-client-private.h: what the parts of LtmLineClient share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ltm-line-client.h"

G_BEGIN_DECLS

/* Makes a typed result of LINE's answer, or an error. */
typedef gpointer (*LtmLineParseFunc) (JsonObject  *object,
                                      GError     **error);

void         ltm_line_client_send              (LtmLineClient       *self,
                                                SoupMessage         *message,
                                                LtmLineParseFunc     parse,
                                                GDestroyNotify       result_free,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);
gpointer     ltm_line_client_finish            (LtmLineClient       *self,
                                                GAsyncResult        *result,
                                                gpointer             source_tag,
                                                GError             **error);
gboolean     ltm_line_client_finish_boolean    (LtmLineClient       *self,
                                                GAsyncResult        *result,
                                                gpointer             source_tag,
                                                GError             **error);
gboolean     ltm_line_client_check_credentials (LtmLineClient       *self,
                                                const char          *access_token,
                                                const char          *channel_secret,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data,
                                                gpointer             source_tag);
SoupMessage *ltm_line_client_new_bearer        (LtmLineClient       *self,
                                                const char          *method,
                                                const char          *path,
                                                const char          *access_token,
                                                const char          *json_body);

G_END_DECLS
