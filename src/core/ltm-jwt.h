/* ltm-jwt.h: RS256 JWT assertions and LINE's rules for them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ltm-key.h"

G_BEGIN_DECLS

/* The audience LINE expects, whatever base URL the client talks to. */
#define LTM_JWT_AUDIENCE "https://api.line.me/"
/* A JWT may expire at most 30 minutes after it is made. */
#define LTM_JWT_MAX_LIFETIME (30 * 60)
/* How long the assertions this project sends to LINE live: well inside
 * LINE's 30 minutes, so that a clock a few minutes off either way still
 * gives an exp LINE accepts. */
#define LTM_JWT_ASSERTION_LIFETIME (15 * 60)
/* A v2.1 token may live at most 30 days. */
#define LTM_JWT_MAX_TOKEN_LIFETIME (30 * 24 * 60 * 60)

/* Shapes (line-api.md): a token is a few hundred bytes, a channel secret 32
 * hex digits, a key_id about 22 characters of base64url. */
#define LTM_JWT_MAX_ACCESS_TOKEN 4096
#define LTM_JWT_MAX_CHANNEL_SECRET 256
#define LTM_JWT_MAX_KEY_ID 128

#define LTM_JWT_ERROR (ltm_jwt_error_quark ())

typedef enum {
  LTM_JWT_ERROR_MALFORMED,
  LTM_JWT_ERROR_INVALID_ARGUMENT,
  LTM_JWT_ERROR_BAD_SIGNATURE,
  LTM_JWT_ERROR_CLAIMS,
  LTM_JWT_ERROR_EXPIRED,
  LTM_JWT_ERROR_NOT_A_TOKEN,    /* a key file where a token or a secret belongs */
} LtmJwtError;

#define LTM_TYPE_JWT (ltm_jwt_get_type ())

G_DECLARE_FINAL_TYPE (LtmJwt, ltm_jwt, LTM, JWT, GObject)

GQuark      ltm_jwt_error_quark            (void);

gboolean    ltm_jwt_check_channel_id       (const char  *channel_id,
                                            GError     **error);
gboolean    ltm_jwt_check_kid              (const char  *kid,
                                            GError     **error);
gboolean    ltm_jwt_check_access_token     (const char  *access_token,
                                            GError     **error);
gboolean    ltm_jwt_check_channel_secret   (const char  *channel_secret,
                                            GError     **error);
gboolean    ltm_jwt_check_key_id           (const char  *key_id,
                                            GError     **error);
gboolean    ltm_jwt_check_lifetime         (gint64       seconds,
                                            GError     **error);
gboolean    ltm_jwt_check_token_lifetime   (gint64       seconds,
                                            GError     **error);

char       *ltm_jwt_sign_compact           (LtmKey      *key,
                                            const char  *header,
                                            gssize       header_len,
                                            const char  *payload,
                                            gssize       payload_len,
                                            GError     **error);
char       *ltm_jwt_create_assertion       (LtmKey      *key,
                                            const char  *kid,
                                            const char  *channel_id,
                                            gint64       now,
                                            gint64       lifetime,
                                            gint64       token_lifetime,
                                            GError     **error);

LtmJwt     *ltm_jwt_decode                 (const char  *compact,
                                            GError     **error);
const char *ltm_jwt_get_compact            (LtmJwt      *self);
JsonObject *ltm_jwt_get_header             (LtmJwt      *self);
JsonObject *ltm_jwt_get_payload            (LtmJwt      *self);
const char *ltm_jwt_get_kid                (LtmJwt      *self);
gboolean    ltm_jwt_get_expiry             (LtmJwt      *self,
                                            gint64      *out_exp);
gboolean    ltm_jwt_verify_signature       (LtmJwt      *self,
                                            LtmKey      *key,
                                            GError     **error);
gboolean    ltm_jwt_check_line_claims      (LtmJwt      *self,
                                            gint64       now,
                                            GError     **error);

G_END_DECLS
