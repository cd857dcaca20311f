/* ltm-line-error.h: what went wrong talking to LINE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LTM_LINE_ERROR (ltm_line_error_quark ())

/**
 * LtmLineError:
 * @LTM_LINE_ERROR_REFUSED: LINE answered 4xx: the request was wrong
 * @LTM_LINE_ERROR_UNAUTHORIZED: 401: the access token is missing, invalid or expired
 * @LTM_LINE_ERROR_NOT_FOUND: 404: the kid, the channel or the webhook is not there
 * @LTM_LINE_ERROR_RATE_LIMITED: 429
 * @LTM_LINE_ERROR_SERVER: 5xx
 * @LTM_LINE_ERROR_UNEXPECTED: an answer that is not what LINE sends: HTML,
 *   an empty body, truncated JSON, a missing member, far too large
 * @LTM_LINE_ERROR_NETWORK: no answer: connection, TLS, timeout
 * @LTM_LINE_ERROR_INVALID_BASE: the base URL was refused before any request
 * @LTM_LINE_ERROR_INVALID_ARGUMENT: a value LINE would refuse, caught before sending
 *
 * Errors of this domain carry the HTTP status, LINE's own `error`, its
 * text (`error_description` or `message`) and the `X-Line-Request-Id`.
 */
typedef enum {
  LTM_LINE_ERROR_REFUSED,
  LTM_LINE_ERROR_UNAUTHORIZED,
  LTM_LINE_ERROR_NOT_FOUND,
  LTM_LINE_ERROR_RATE_LIMITED,
  LTM_LINE_ERROR_SERVER,
  LTM_LINE_ERROR_UNEXPECTED,
  LTM_LINE_ERROR_NETWORK,
  LTM_LINE_ERROR_INVALID_BASE,
  LTM_LINE_ERROR_INVALID_ARGUMENT,
} LtmLineError;

GQuark      ltm_line_error_quark            (void);

guint       ltm_line_error_get_status       (const GError *error);
const char *ltm_line_error_get_line_error   (const GError *error);
const char *ltm_line_error_get_line_message (const GError *error);
const char *ltm_line_error_get_request_id   (const GError *error);

GError     *ltm_line_error_new               (LtmLineError  code,
                                              const char   *format,
                                              ...) G_GNUC_PRINTF (2, 3);
GError     *ltm_line_error_new_from_response (guint         status,
                                              const char   *request_id,
                                              const char   *content_type,
                                              GBytes       *body);
GError     *ltm_line_error_new_unexpected    (guint         status,
                                              const char   *request_id,
                                              const char   *format,
                                              ...) G_GNUC_PRINTF (3, 4);
JsonObject *ltm_line_parse_json_answer       (guint         status,
                                              const char   *request_id,
                                              const char   *content_type,
                                              GBytes       *body,
                                              GError      **error);

G_END_DECLS
