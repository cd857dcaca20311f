/* ltm-store.h: channels, keys and tokens in one SQLite database, secrets
 * sealed with a master key the keyring or a credential keeps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-channel.h"
#include "ltm-key.h"
#include "ltm-line-results.h"
#include "ltm-secret.h"

G_BEGIN_DECLS

#define LTM_STORE_ERROR (ltm_store_error_quark ())

/**
 * LtmStoreError:
 * @LTM_STORE_ERROR_DAMAGED: the database (or the first layout's channels.json)
 *   cannot be read; it was left as it is (channels.json: kept aside)
 * @LTM_STORE_ERROR_NEWER_VERSION: the store is from a newer version; left alone
 * @LTM_STORE_ERROR_IO: the store could not be read or written
 * @LTM_STORE_ERROR_KEYRING_UNAVAILABLE: no master key file or credential, and no
 *   Secret Service to keep the master key in
 * @LTM_STORE_ERROR_KEYRING_LOCKED: the keyring is locked and was not unlocked
 * @LTM_STORE_ERROR_NOT_FOUND: no such channel, token or secret
 * @LTM_STORE_ERROR_EXISTS: the channel (or token, or master key) is already there
 * @LTM_STORE_ERROR_INCONSISTENT: the store disagrees with itself
 * @LTM_STORE_ERROR_BUSY: another process kept the store locked for too long
 * @LTM_STORE_ERROR_MASTER_KEY: the master key file, credential or keyring item is
 *   unusable or missing
 * @LTM_STORE_ERROR_WRONG_MASTER_KEY: the store was sealed with another master key
 * @LTM_STORE_ERROR_SEALED: a sealed value does not open (changed, or moved from
 *   another row)
 */
typedef enum {
  LTM_STORE_ERROR_DAMAGED,
  LTM_STORE_ERROR_NEWER_VERSION,
  LTM_STORE_ERROR_IO,
  LTM_STORE_ERROR_KEYRING_UNAVAILABLE,
  LTM_STORE_ERROR_KEYRING_LOCKED,
  LTM_STORE_ERROR_NOT_FOUND,
  LTM_STORE_ERROR_EXISTS,
  LTM_STORE_ERROR_INCONSISTENT,
  LTM_STORE_ERROR_BUSY,
  LTM_STORE_ERROR_MASTER_KEY,
  LTM_STORE_ERROR_WRONG_MASTER_KEY,
  LTM_STORE_ERROR_SEALED,
} LtmStoreError;

/* One thing `check` found wrong. */
typedef struct {
  char *channel_id;
  char *key_id;                 /* for a token; NULL otherwise */
  char *description;            /* what is wrong, in words */
} LtmStoreProblem;

/* What `ltm store info` shows. */
typedef struct {
  char *path;                   /* the database */
  char *store_id;               /* names its master key in the keyring */
  int schema_version;
  char *master_key_source;      /* where the master key comes from, in words */
  gboolean sealed;              /* anything sealed yet (else the key is made on first use) */
  guint n_channels;
  guint n_tokens;
  guint n_valid_tokens;         /* neither revoked nor unknown */
} LtmStoreInfo;

#define LTM_TYPE_STORE (ltm_store_get_type ())

G_DECLARE_FINAL_TYPE (LtmStore, ltm_store, LTM, STORE, GObject)

GQuark       ltm_store_error_quark          (void);

LtmStore    *ltm_store_new                  (const char          *data_dir);
const char  *ltm_store_get_path             (LtmStore            *self);
GListModel  *ltm_store_get_channels         (LtmStore            *self);
LtmChannel  *ltm_store_lookup_channel       (LtmStore            *self,
                                             const char          *channel_id,
                                             GError             **error);
LtmToken    *ltm_store_lookup_token         (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *key_id,
                                             gint64               now,
                                             GError             **error);
LtmChannel  *ltm_store_find_channel         (LtmStore            *self,
                                             const char          *channel_id);

/* Synchronous, for `ltm`.  Every change is one transaction; the window
 * and any number of `ltm` processes change the store at once safely. */
gboolean     ltm_store_load                 (LtmStore            *self,
                                             GError             **error);
gboolean     ltm_store_add_channel          (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *name,
                                             const char          *kid,
                                             LtmKey              *key,
                                             const char          *channel_secret,
                                             GError             **error);
gboolean     ltm_store_remove_channel       (LtmStore            *self,
                                             const char          *channel_id,
                                             GError             **error);
gboolean     ltm_store_set_name             (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *name,
                                             GError             **error);
gboolean     ltm_store_set_kid              (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *kid,
                                             GError             **error);
gboolean     ltm_store_set_key              (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmKey              *key,
                                             GError             **error);
gboolean     ltm_store_set_secret           (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *channel_secret,
                                             GError             **error);
char        *ltm_store_add_token            (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmTokenKind         kind,
                                             const LtmLineToken  *token,
                                             gint64               issued_at,
                                             GError             **error);
gboolean     ltm_store_set_token_state      (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *key_id,
                                             gboolean             revoked,
                                             gboolean             unknown,
                                             GError             **error);
gboolean     ltm_store_set_deploy_targets   (LtmStore            *self,
                                             const char          *channel_id,
                                             const LtmDeployTargets *targets,
                                             GError             **error);
gboolean     ltm_store_set_delivery         (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmDeliveryStatus    status,
                                             gint64               delivered_at,
                                             const char          *message,
                                             GError             **error);
gboolean     ltm_store_retire_tokens        (LtmStore            *self,
                                             const char          *channel_id,
                                             const char * const  *key_ids,
                                             LtmTokenRetirement   retirement,
                                             gint64               retire_at,
                                             GError             **error);

LtmKey      *ltm_store_get_key              (LtmStore            *self,
                                             const char          *channel_id,
                                             GError             **error);
LtmSecret   *ltm_store_get_secret           (LtmStore            *self,
                                             const char          *channel_id,
                                             GError             **error);
LtmSecret   *ltm_store_get_token            (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *key_id,
                                             GError             **error);

GPtrArray   *ltm_store_check                (LtmStore            *self,
                                             GError             **error);
gboolean     ltm_store_repair               (LtmStore            *self,
                                             GError             **error);
void         ltm_store_problem_free         (LtmStoreProblem     *problem);

LtmStoreInfo *ltm_store_get_info            (LtmStore            *self,
                                             GError             **error);
void         ltm_store_info_free            (LtmStoreInfo        *info);
gboolean     ltm_store_init_master_key_file (LtmStore            *self,
                                             const char          *path,
                                             GError             **error);

/* ltm-store-export.c: one channel to another machine */
LtmSecret   *ltm_store_export_channel       (LtmStore            *self,
                                             const char          *channel_id,
                                             GError             **error);
char        *ltm_store_import_channel       (LtmStore            *self,
                                             const char          *data,
                                             gsize                len,
                                             GError             **error);

/* Asynchronous, for the window: the database and the keyring are used in
 * a worker thread, and the models change in the caller's main context. */
void         ltm_store_load_async           (LtmStore            *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_refresh_async        (LtmStore            *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_add_channel_async    (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *name,
                                             const char          *kid,
                                             LtmKey              *key,
                                             const char          *channel_secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_remove_channel_async (LtmStore            *self,
                                             const char          *channel_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_name_async       (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_kid_async        (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *kid,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_key_async        (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmKey              *key,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_secret_async     (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *channel_secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_add_token_async      (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmTokenKind         kind,
                                             const LtmLineToken  *token,
                                             gint64               issued_at,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
char        *ltm_store_add_token_finish     (LtmStore            *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         ltm_store_set_token_state_async (LtmStore           *self,
                                             const char          *channel_id,
                                             const char          *key_id,
                                             gboolean             revoked,
                                             gboolean             unknown,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_deploy_targets_async (LtmStore        *self,
                                             const char          *channel_id,
                                             const LtmDeployTargets *targets,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_set_delivery_async   (LtmStore            *self,
                                             const char          *channel_id,
                                             LtmDeliveryStatus    status,
                                             gint64               delivered_at,
                                             const char          *message,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void         ltm_store_retire_tokens_async  (LtmStore            *self,
                                             const char          *channel_id,
                                             const char * const  *key_ids,
                                             LtmTokenRetirement   retirement,
                                             gint64               retire_at,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     ltm_store_change_finish        (LtmStore            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void         ltm_store_get_key_async        (LtmStore            *self,
                                             const char          *channel_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LtmKey      *ltm_store_get_key_finish       (LtmStore            *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         ltm_store_get_secret_async     (LtmStore            *self,
                                             const char          *channel_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LtmSecret   *ltm_store_get_secret_finish    (LtmStore            *self,
                                             GAsyncResult        *result,
                                             GError             **error);
void         ltm_store_get_token_async      (LtmStore            *self,
                                             const char          *channel_id,
                                             const char          *key_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LtmSecret   *ltm_store_get_token_finish     (LtmStore            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreProblem, ltm_store_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmStoreInfo, ltm_store_info_free)

G_END_DECLS
