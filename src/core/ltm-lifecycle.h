/* ltm-lifecycle.h: keeping tokens alive: rotation, reconciliation, expiry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ltm-line-client.h"
#include "ltm-store.h"

G_BEGIN_DECLS

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
} LtmRotationOutcome;

/* What rotating one channel did, step by step, in words. */
typedef struct {
  char *channel_id;
  LtmRotationOutcome outcome;
  char *new_key_id;             /* NULL when it failed */
  gint64 new_expires_at;
  guint revoked;
  guint not_revoked;
  char *message;
} LtmRotation;

/* What LINE's key-ID list said of a channel's stored tokens. */
typedef struct {
  char *channel_id;
  guint known;                  /* stored and listed by LINE */
  guint gone;                   /* stored, but LINE no longer lists them: marked revoked */
  guint elsewhere;              /* listed by LINE, not stored: issued by someone else */
  guint line_total;             /* what counts against LINE's 30 */
} LtmReconciliation;

typedef void (*LtmLifecycleProgress) (guint    done,
                                      guint    total,
                                      gpointer user_data);

void                ltm_rotation_free                 (LtmRotation          *rotation);
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

void                ltm_lifecycle_rotate_async        (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       const char           *channel_id,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
LtmRotation        *ltm_lifecycle_rotate_finish       (GAsyncResult         *result,
                                                       GError              **error);

void                ltm_lifecycle_rotate_many_async   (LtmStore             *store,
                                                       LtmLineClient        *client,
                                                       GPtrArray            *channel_ids,
                                                       guint                 jobs,
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
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmReconciliation, ltm_reconciliation_free)

G_END_DECLS
