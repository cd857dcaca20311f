/* ltm-lifecycle.h: keeping tokens alive: rotation, reconciliation, expiry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-line-client.h"
#include "ltm-store.h"

G_BEGIN_DECLS

#define LTM_LIFECYCLE_ERROR (ltm_lifecycle_error_quark ())

/**
 * LtmLifecycleError:
 * @LTM_LIFECYCLE_ERROR_NEEDS_KEY: the channel has no assertion signing key,
 *   stored or given
 * @LTM_LIFECYCLE_ERROR_NEEDS_KID: the channel's key has no kid: the console
 *   has not given one, or it was not kept
 * @LTM_LIFECYCLE_ERROR_NEEDS_SECRET: the channel has no channel secret,
 *   stored or given
 * @LTM_LIFECYCLE_ERROR_NEEDS_CREDENTIALS: neither a key with its kid nor a
 *   channel secret, one of which a stateless token needs
 * @LTM_LIFECYCLE_ERROR_WRONG_CHANNEL: LINE says the token belongs to another
 *   channel
 *
 * What a workflow lacks, told apart from the store's "no such channel"
 * (%LTM_STORE_ERROR_NOT_FOUND), so that a front end can say what to add.
 */
typedef enum {
  LTM_LIFECYCLE_ERROR_NEEDS_KEY,
  LTM_LIFECYCLE_ERROR_NEEDS_KID,
  LTM_LIFECYCLE_ERROR_NEEDS_SECRET,
  LTM_LIFECYCLE_ERROR_NEEDS_CREDENTIALS,
  LTM_LIFECYCLE_ERROR_WRONG_CHANNEL,
} LtmLifecycleError;

/* How many channels rotate at once unless told otherwise: three round
 * trips each, so 200 channels at 20 ms take 600 x 20 ms / jobs at least.
 * Measured with tests/bench/bench-rotate.py (200 channels, 20 ms): 8 jobs
 * 2.98 s, 16 jobs 1.40 s, 32 jobs 1.27 s; 16 gets most of it with half
 * the connections. */
#define LTM_LIFECYCLE_DEFAULT_JOBS 16

typedef enum {
  LTM_ROTATION_ROTATED,         /* a new token is stored, the old ones are revoked */
  LTM_ROTATION_PARTIAL,         /* a new token is stored; some old ones could not be revoked */
  LTM_ROTATION_FAILED,          /* no new token: the old ones are untouched and still stored */
  LTM_ROTATION_DEPLOY_FAILED,   /* a new token is stored, a target did not take it: the old
                                 * ones stay valid */
} LtmRotationOutcome;

typedef enum {
  LTM_ISSUE_FLAGS_NONE = 0,
  LTM_ISSUE_NO_STORE = 1 << 0,  /* do not keep it, even for a stored channel */
} LtmIssueFlags;

/* What issuing a token did. */
typedef struct {
  char *channel_id;
  LtmTokenKind kind;
  LtmLineToken *token;          /* LINE's answer: the token is never lost */
  char *key_id;                 /* what names it: LINE's key ID (v2.1), or the store's
                                 * for a kept short-lived token; NULL otherwise */
  gint64 issued_at;
  gboolean stored;              /* kept in the store */
  GError *store_error;          /* issued but not stored, and why; NULL otherwise */
} LtmIssuance;

/* What a bot's deployment reads: the newest usable stored token, and the
 * channel secret when one is stored. */
typedef struct {
  char *channel_id;
  char *key_id;
  LtmSecret *access_token;
  LtmSecret *channel_secret;    /* NULL when none is stored */
} LtmBotEnv;

typedef enum {
  LTM_ROTATE_FLAGS_NONE = 0,
  LTM_ROTATE_REVOKE_OLD = 1 << 0,  /* revoke the replaced tokens now, even with no deploy
                                    * target and within the grace period */
} LtmRotateFlags;

/* What rotating one channel did, step by step, in words. */
typedef struct {
  char *channel_id;
  LtmRotationOutcome outcome;
  char *new_key_id;             /* NULL when it failed */
  gint64 new_expires_at;
  guint revoked;
  guint not_revoked;
  guint retiring;               /* replaced, revoked after retire_at */
  guint replaced;               /* replaced, no target: valid until they expire */
  gint64 retire_at;
  gboolean delivered;           /* every deploy target took the new token */
  char *message;
} LtmRotation;

/* What revoking a list of stored tokens did. */
typedef struct {
  char *channel_id;
  guint revoked;
  guint not_revoked;
  char *problems;               /* why some were not, in words ("" when none) */
  GError *error;                /* the last token's failure, as LINE or the store said it */
  GError *mark_error;           /* revoked at LINE, but the store could not mark one so */
} LtmRevocation;

/* What LINE's key-ID list said of a channel's stored tokens. */
typedef struct {
  char *channel_id;
  guint known;                  /* stored and listed by LINE */
  guint gone;                   /* stored, but LINE no longer lists them: marked revoked */
  guint elsewhere;              /* listed by LINE, not stored: issued by someone else */
  guint line_total;             /* what counts against LINE's 30 */
  guint retired;                /* retiring tokens past their grace period: revoked now */
} LtmReconciliation;

typedef void (*LtmLifecycleProgress) (guint    done,
                                      guint    total,
                                      gpointer user_data);

GQuark              ltm_lifecycle_error_quark         (void);

void                ltm_rotation_free                 (LtmRotation          *rotation);
void                ltm_revocation_free               (LtmRevocation        *revocation);
void                ltm_issuance_free                 (LtmIssuance          *issuance);
void                ltm_bot_env_free                  (LtmBotEnv            *env);
void                ltm_reconciliation_free           (LtmReconciliation    *reconciliation);
const char         *ltm_rotation_outcome_to_string    (LtmRotationOutcome    outcome);

gboolean            ltm_lifecycle_channel_is_due      (LtmChannel           *channel,
                                                       gint64                now,
                                                       gint64                within,
                                                       gint64               *out_expiry);
LtmSecret          *ltm_lifecycle_format_env          (const char           *access_token,
                                                       const char           *channel_secret);
GPtrArray          *ltm_lifecycle_find_expiring       (LtmStore             *store,
                                                       gint64                now,
                                                       gint64                within);

GStrv               ltm_lifecycle_find_retired        (LtmChannel           *channel,
                                                       gint64                now);

void                ltm_lifecycle_issue_async         (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       LtmKey               *key,
                                                       const char           *kid,
                                                       gint64                lifetime,
                                                       LtmIssueFlags         flags,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void                ltm_lifecycle_issue_short_lived_async (LtmStore         *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       const char           *channel_secret,
                                                       LtmIssueFlags         flags,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void                ltm_lifecycle_issue_stateless_async (LtmStore           *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       LtmKey               *key,
                                                       const char           *kid,
                                                       const char           *channel_secret,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmIssuance        *ltm_lifecycle_issue_finish        (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_verify_async        (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       const char           *key_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmLineTokenInfo   *ltm_lifecycle_verify_finish       (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_read_env_async      (LtmStore             *store,
                                                       const char           *channel_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmBotEnv          *ltm_lifecycle_read_env_finish     (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_revoke_async        (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       const char * const   *key_ids,
                                                       const char           *channel_secret,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmRevocation      *ltm_lifecycle_revoke_finish       (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_retire_async        (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       gint64                now,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmRevocation      *ltm_lifecycle_retire_finish       (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_rotate_async        (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       LtmRotateFlags        flags,
                                                       gint64                grace,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmRotation        *ltm_lifecycle_rotate_finish       (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_rotate_many_async   (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       GPtrArray            *channel_ids,
                                                       guint                 jobs,
                                                       LtmRotateFlags        flags,
                                                       gint64                grace,
                                                       LtmLifecycleProgress  progress,
                                                       gpointer              progress_data,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
GPtrArray          *ltm_lifecycle_rotate_many_finish  (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_reconcile_async     (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmReconciliation  *ltm_lifecycle_reconcile_finish    (GAsyncResult         *result,
                                                       GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmRotation, ltm_rotation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmRevocation, ltm_revocation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmIssuance, ltm_issuance_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmBotEnv, ltm_bot_env_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmReconciliation, ltm_reconciliation_free)

G_END_DECLS
