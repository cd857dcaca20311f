/* ltm-token.h: a channel access token the store keeps (metadata only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Tokens within this of their expiry are "expiring" unless told otherwise. */
#define LTM_TOKEN_DEFAULT_WARNING (7 * 24 * 60 * 60)

typedef enum {
  LTM_TOKEN_KIND_V21,
  LTM_TOKEN_KIND_STATELESS,
  LTM_TOKEN_KIND_SHORT_LIVED,
} LtmTokenKind;

typedef enum {
  LTM_TOKEN_STATUS_VALID,
  LTM_TOKEN_STATUS_EXPIRING,
  LTM_TOKEN_STATUS_EXPIRED,
  LTM_TOKEN_STATUS_REVOKED,
  LTM_TOKEN_STATUS_UNKNOWN,
} LtmTokenStatus;

/* What a rotation did to the tokens it replaced, while they stay valid. */
typedef enum {
  LTM_TOKEN_RETIREMENT_NONE,      /* the channel's current token, or never rotated */
  LTM_TOKEN_RETIREMENT_REPLACED,  /* replaced at retire-at; expires on its own */
  LTM_TOKEN_RETIREMENT_RETIRING,  /* replaced; to be revoked at retire-at */
} LtmTokenRetirement;

#define LTM_TYPE_TOKEN (ltm_token_get_type ())

G_DECLARE_FINAL_TYPE (LtmToken, ltm_token, LTM, TOKEN, GObject)

LtmToken       *ltm_token_new               (const char     *key_id,
                                             LtmTokenKind    kind,
                                             gint64          issued_at,
                                             gint64          expires_at);
const char     *ltm_token_get_key_id        (LtmToken       *self);
LtmTokenKind    ltm_token_get_kind          (LtmToken       *self);
gint64          ltm_token_get_issued_at     (LtmToken       *self);
gint64          ltm_token_get_expires_at    (LtmToken       *self);
gboolean        ltm_token_get_revoked       (LtmToken       *self);
void            ltm_token_set_revoked       (LtmToken       *self,
                                             gboolean        revoked);
gboolean        ltm_token_get_unknown       (LtmToken       *self);
void            ltm_token_set_unknown       (LtmToken       *self,
                                             gboolean        unknown);
LtmTokenRetirement ltm_token_get_retirement (LtmToken    *self);
gint64          ltm_token_get_retire_at     (LtmToken       *self);
void            ltm_token_set_retirement    (LtmToken       *self,
                                             LtmTokenRetirement retirement,
                                             gint64          retire_at);
LtmTokenStatus  ltm_token_get_status        (LtmToken       *self);
void            ltm_token_update_status     (LtmToken       *self,
                                             gint64          now,
                                             gint64          warning_seconds);
gboolean        ltm_token_is_usable         (LtmToken       *self,
                                             gint64          now);

const char     *ltm_token_kind_to_string    (LtmTokenKind    kind);
gboolean        ltm_token_kind_from_string  (const char     *text,
                                             LtmTokenKind   *out_kind);
const char     *ltm_token_status_to_string  (LtmTokenStatus  status);
const char     *ltm_token_retirement_to_string   (LtmTokenRetirement  retirement);
gboolean        ltm_token_retirement_from_string (const char         *text,
                                                  LtmTokenRetirement *out_retirement);

G_END_DECLS
