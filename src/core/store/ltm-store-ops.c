/* ltm-store-ops.c: the store's operations, one typed struct each
 *
 * An operation is a struct of its own arguments, a function that makes
 * it (with the checks a caller cannot get wrong at run time), one that
 * checks what it was given before anything is opened, and one that runs
 * its SQL, written beside it, in the transaction ltm-store.c opens for
 * it; the rows of methods[] tie them together, as Epiphany's history
 * service does, and each op made here carries its row.  The public
 * calls, sync and async, are a few lines around the same op each
 * (ltm-store-changes.c, ltm-store-secrets.c, ltm-store-check.c), so that
 * what one checks the other checks too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-store.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ltm-jwt.h"
#include "ltm-store-private.h"

typedef enum {
  LTM_STORE_OP_LOAD,
  LTM_STORE_OP_ADD_CHANNEL,
  LTM_STORE_OP_REMOVE_CHANNEL,
  LTM_STORE_OP_SET_NAME,
  LTM_STORE_OP_SET_KID,
  LTM_STORE_OP_SET_KEY,
  LTM_STORE_OP_SET_SECRET,
  LTM_STORE_OP_ADD_TOKEN,
  LTM_STORE_OP_SET_TOKEN_STATE,
  LTM_STORE_OP_SET_DEPLOY_TARGETS,
  LTM_STORE_OP_SET_DELIVERY,
  LTM_STORE_OP_RETIRE_TOKENS,
  LTM_STORE_OP_REPAIR,
  LTM_STORE_OP_READ_SEALED,
  LTM_STORE_N_OPS,
} LtmStoreOpKind;

static const LtmStoreMethod methods[LTM_STORE_N_OPS];

/* Loading: every channel, unless nothing changed since @seen */

typedef struct {
  gint64 seen;                  /* skip the read when the store is still at this generation */
} LtmStoreLoad;

static gboolean
ltm_store_load_run (LtmStoreTxn  *txn,
                    LtmStoreLoad *args,
                    GError      **error)
{
  gint64 generation;

  /* What PRAGMA data_version tells one connection, the generation tells
   * every connection of every process: whether anything changed since. */
  if (args->seen > 0)
    {
      if ((generation = ltm_store_db_get_generation (txn->db, error)) < 0)
        return FALSE;
      if (generation == args->seen)
        {
          txn->op->doc = ltm_store_doc_new_unchanged (generation);
          return TRUE;
        }
    }

  txn->op->doc = ltm_store_db_read (txn->db, NULL, error);

  return txn->op->doc != NULL;
}

/* The op of ltm_store_load() and ltm_store_refresh_async(). */
LtmStoreOp *
ltm_store_load_op (gint64 seen)
{
  LtmStoreLoad *args = g_new0 (LtmStoreLoad, 1);

  args->seen = seen;

  return ltm_store_op_new (&methods[LTM_STORE_OP_LOAD], NULL, args);
}

/* Adding a channel, with its sealed secrets */

typedef struct {
  char *name;
  char *kid;
  LtmKey *key;
  LtmSecret *secret;
} LtmStoreAddChannel;

static void
ltm_store_add_channel_free (LtmStoreAddChannel *args)
{
  g_free (args->name);
  g_free (args->kid);
  g_clear_object (&args->key);
  ltm_secret_free (args->secret);
  g_free (args);
}

static gboolean
ltm_store_add_channel_check (const char         *channel_id,
                             LtmStoreAddChannel *args,
                             GError            **error)
{
  return ltm_jwt_check_channel_id (channel_id, error) &&
         (args->name == NULL || ltm_channel_check_name (args->name, error)) &&
         (args->kid == NULL || ltm_jwt_check_kid (args->kid, error));
}

static gboolean
ltm_store_add_channel_run (LtmStoreTxn         *txn,
                           LtmStoreAddChannel  *args,
                           GError             **error)
{
  static const char sql[] =
    "INSERT INTO channels (channel_id, name, kid, key_thumbprint, key_created, sealed_key, "
    "sealed_secret, rev) VALUES (:channel_id, :name, :kid, :key_thumbprint, :key_created, "
    ":sealed_key, :sealed_secret, :rev)";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  int rc;

  if (args->key != NULL && (jwk = ltm_key_to_private_jwk (args->key, error)) == NULL)
    return FALSE;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":name", args->name, error) ||
      !ltm_store_bind_text (stmt, ":kid", args->kid, error) ||
      !ltm_store_bind_text (stmt, ":key_thumbprint",
                            args->key != NULL ? ltm_key_get_thumbprint (args->key) : NULL,
                            error) ||
      !ltm_store_bind_int64 (stmt, ":key_created",
                             args->key != NULL ? g_get_real_time () / G_USEC_PER_SEC : 0,
                             error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_key", txn->key, txn->channel_id, KIND_KEY, NULL,
                              jwk, error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_secret", txn->key, txn->channel_id, KIND_SECRET,
                              NULL, args->secret, error) ||
      !ltm_store_bind_int64 (stmt, ":rev", txn->generation, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("The channel %s is already in the list."), txn->channel_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

LtmStoreOp *
ltm_store_add_channel_op (const char *channel_id,
                          const char *name,
                          const char *kid,
                          LtmKey     *key,
                          const char *channel_secret)
{
  LtmStoreAddChannel *args;
  LtmStoreOp *op;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key == NULL || (LTM_IS_KEY (key) && ltm_key_has_private (key)), NULL);

  args = g_new0 (LtmStoreAddChannel, 1);
  args->name = g_strdup (name);
  args->kid = g_strdup (kid);
  args->key = key != NULL ? g_object_ref (key) : NULL;
  args->secret = g_strdup (channel_secret);

  op = ltm_store_op_new (&methods[LTM_STORE_OP_ADD_CHANNEL], channel_id, args);
  if (key == NULL && channel_secret == NULL)
    op->sealing = LTM_STORE_SEALING_NONE;

  return op;
}

/* Removing a channel; its tokens go with it (ON DELETE CASCADE) */

static gboolean
ltm_store_remove_channel_run (LtmStoreTxn  *txn,
                              gpointer      args,
                              GError      **error)
{
  static const char sql[] = "DELETE FROM channels WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_db_step (txn->db, stmt, error) &&
         ltm_store_txn_found_channel (txn, error);
}

LtmStoreOp *
ltm_store_remove_channel_op (const char *channel_id)
{
  g_return_val_if_fail (channel_id != NULL, NULL);

  return ltm_store_op_new (&methods[LTM_STORE_OP_REMOVE_CHANNEL], channel_id, NULL);
}

/* Naming a channel */

typedef struct {
  char *name;
} LtmStoreSetName;

static void
ltm_store_set_name_free (LtmStoreSetName *args)
{
  g_free (args->name);
  g_free (args);
}

static gboolean
ltm_store_set_name_check (const char       *channel_id,
                          LtmStoreSetName  *args,
                          GError          **error)
{
  return args->name == NULL || ltm_channel_check_name (args->name, error);
}

static gboolean
ltm_store_set_name_run (LtmStoreTxn      *txn,
                        LtmStoreSetName  *args,
                        GError          **error)
{
  static const char sql[] = "UPDATE channels SET name = :name WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":name", args->name, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_name_op (const char *channel_id,
                       const char *name)
{
  LtmStoreSetName *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetName, 1);
  args->name = g_strdup (name);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_NAME], channel_id, args);
}

/* The kid the console gave for the channel's key */

typedef struct {
  char *kid;
} LtmStoreSetKid;

static void
ltm_store_set_kid_free (LtmStoreSetKid *args)
{
  g_free (args->kid);
  g_free (args);
}

static gboolean
ltm_store_set_kid_check (const char      *channel_id,
                         LtmStoreSetKid  *args,
                         GError         **error)
{
  return args->kid == NULL || ltm_jwt_check_kid (args->kid, error);
}

static gboolean
ltm_store_set_kid_run (LtmStoreTxn     *txn,
                       LtmStoreSetKid  *args,
                       GError         **error)
{
  static const char sql[] = "UPDATE channels SET kid = :kid WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":kid", args->kid, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_kid_op (const char *channel_id,
                      const char *kid)
{
  LtmStoreSetKid *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetKid, 1);
  args->kid = g_strdup (kid);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_KID], channel_id, args);
}

/* Replacing the channel's key */

typedef struct {
  LtmKey *key;
} LtmStoreSetKey;

static void
ltm_store_set_key_free (LtmStoreSetKey *args)
{
  g_clear_object (&args->key);
  g_free (args);
}

static gboolean
ltm_store_set_key_run (LtmStoreTxn     *txn,
                       LtmStoreSetKey  *args,
                       GError         **error)
{
  /* The kid belonged to the old key: a new one must be registered. */
  static const char sql[] =
    "UPDATE channels SET sealed_key = :sealed_key, "
    "kid = CASE WHEN key_thumbprint IS :key_thumbprint THEN kid END, "
    "key_thumbprint = :key_thumbprint, key_created = :key_created "
    "WHERE channel_id = :channel_id";
  g_autoptr(LtmSecret) jwk = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (jwk = ltm_key_to_private_jwk (args->key, error)) != NULL &&
         (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_sealed (stmt, ":sealed_key", txn->key, txn->channel_id, KIND_KEY, NULL,
                                jwk, error) &&
         ltm_store_bind_text (stmt, ":key_thumbprint", ltm_key_get_thumbprint (args->key),
                              error) &&
         ltm_store_bind_int64 (stmt, ":key_created", g_get_real_time () / G_USEC_PER_SEC,
                               error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_key_op (const char *channel_id,
                      LtmKey     *key)
{
  LtmStoreSetKey *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (LTM_IS_KEY (key) && ltm_key_has_private (key), NULL);

  args = g_new0 (LtmStoreSetKey, 1);
  args->key = g_object_ref (key);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_KEY], channel_id, args);
}

/* Replacing the channel secret */

typedef struct {
  LtmSecret *secret;
} LtmStoreSetSecret;

static void
ltm_store_set_secret_free (LtmStoreSetSecret *args)
{
  ltm_secret_free (args->secret);
  g_free (args);
}

static gboolean
ltm_store_set_secret_run (LtmStoreTxn        *txn,
                          LtmStoreSetSecret  *args,
                          GError            **error)
{
  static const char sql[] =
    "UPDATE channels SET sealed_secret = :sealed_secret WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_sealed (stmt, ":sealed_secret", txn->key, txn->channel_id, KIND_SECRET,
                                NULL, args->secret, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_secret_op (const char *channel_id,
                         const char *channel_secret)
{
  LtmStoreSetSecret *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (channel_secret != NULL, NULL);

  args = g_new0 (LtmStoreSetSecret, 1);
  args->secret = g_strdup (channel_secret);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_SECRET], channel_id, args);
}

/* Keeping a token LINE issued */

typedef struct {
  char *key_id;
  LtmTokenKind kind;
  gint64 issued_at;
  gint64 expires_at;
  LtmSecret *access_token;
} LtmStoreAddToken;

static void
ltm_store_add_token_free (LtmStoreAddToken *args)
{
  g_free (args->key_id);
  ltm_secret_free (args->access_token);
  g_free (args);
}

static gboolean
ltm_store_add_token_check (const char        *channel_id,
                           LtmStoreAddToken  *args,
                           GError           **error)
{
  return ltm_jwt_check_key_id (args->key_id, error);
}

static gboolean
ltm_store_add_token_run (LtmStoreTxn       *txn,
                         LtmStoreAddToken  *args,
                         GError           **error)
{
  static const char sql[] =
    "INSERT INTO tokens (channel_id, key_id, kind, issued_at, expires_at, sealed_token) "
    "VALUES (:channel_id, :key_id, :kind, :issued_at, :expires_at, :sealed_token)";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":key_id", args->key_id, error) ||
      !ltm_store_bind_text (stmt, ":kind", ltm_token_kind_to_string (args->kind), error) ||
      !ltm_store_bind_int64 (stmt, ":issued_at", args->issued_at, error) ||
      !ltm_store_bind_int64 (stmt, ":expires_at", args->expires_at, error) ||
      !ltm_store_bind_sealed (stmt, ":sealed_token", txn->key, txn->channel_id, KIND_TOKEN,
                              args->key_id, args->access_token, error))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS,
                   _("A token with the key ID %s is already stored."), args->key_id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (txn->db, rc, error);

  return TRUE;
}

LtmStoreOp *
ltm_store_add_token_op (const char         *channel_id,
                        LtmTokenKind        kind,
                        const LtmLineToken *token,
                        gint64              issued_at)
{
  LtmStoreAddToken *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (token != NULL && token->access_token != NULL, NULL);

  args = g_new0 (LtmStoreAddToken, 1);
  /* Only v2.1 tokens have a key_id from LINE; the others get one of ours. */
  if (token->key_id != NULL)
    args->key_id = g_strdup (token->key_id);
  else
    {
      g_autofree char *uuid = g_uuid_string_random ();
      args->key_id = g_strconcat ("local-", uuid, NULL);
    }
  args->kind = kind;
  args->issued_at = issued_at;
  args->expires_at = issued_at + token->expires_in;
  args->access_token = g_strdup (token->access_token);

  return ltm_store_op_new (&methods[LTM_STORE_OP_ADD_TOKEN], channel_id, args);
}

/* The key ID @op (an add-token op) stores the token under: LINE's, or one
 * of ours. */
char *
ltm_store_add_token_op_get_key_id (LtmStoreOp *op)
{
  return g_strdup (((LtmStoreAddToken *) op->args)->key_id);
}

/* A token revoked, or no longer listed by LINE */

typedef struct {
  char *key_id;
  gboolean revoked;
  gboolean unknown;
} LtmStoreSetTokenState;

static void
ltm_store_set_token_state_free (LtmStoreSetTokenState *args)
{
  g_free (args->key_id);
  g_free (args);
}

static gboolean
ltm_store_set_token_state_run (LtmStoreTxn            *txn,
                               LtmStoreSetTokenState  *args,
                               GError                **error)
{
  /* A revoked token is worth nothing: its secret goes. */
  static const char sql[] =
    "UPDATE tokens SET revoked = :revoked, unknown = :unknown, "
    "sealed_token = CASE WHEN :revoked THEN NULL ELSE sealed_token END "
    "WHERE channel_id = :channel_id AND key_id = :key_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
      !ltm_store_bind_text (stmt, ":key_id", args->key_id, error) ||
      !ltm_store_bind_int64 (stmt, ":revoked", args->revoked, error) ||
      !ltm_store_bind_int64 (stmt, ":unknown", args->unknown, error) ||
      !ltm_store_db_step (txn->db, stmt, error))
    return FALSE;

  if (sqlite3_changes (ltm_store_db_get_handle (txn->db)) == 0)
    {
      g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("No token with the key ID %s is stored for channel %s."),
                   args->key_id, txn->channel_id);
      return FALSE;
    }

  return TRUE;
}

LtmStoreOp *
ltm_store_set_token_state_op (const char *channel_id,
                              const char *key_id,
                              gboolean    revoked,
                              gboolean    unknown)
{
  LtmStoreSetTokenState *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  args = g_new0 (LtmStoreSetTokenState, 1);
  args->key_id = g_strdup (key_id);
  args->revoked = !!revoked;
  args->unknown = !!unknown;

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_TOKEN_STATE], channel_id, args);
}

/* Where the channel's new tokens go, and its grace period */

typedef struct {
  LtmDeployTargets targets;
} LtmStoreSetDeployTargets;

static void
ltm_store_set_deploy_targets_free (LtmStoreSetDeployTargets *args)
{
  ltm_deploy_targets_clear (&args->targets);
  g_free (args);
}

static gboolean
ltm_store_set_deploy_targets_check (const char                *channel_id,
                                    LtmStoreSetDeployTargets  *args,
                                    GError                   **error)
{
  return ltm_deploy_targets_check (&args->targets, error);
}

static gboolean
ltm_store_set_deploy_targets_run (LtmStoreTxn               *txn,
                                  LtmStoreSetDeployTargets  *args,
                                  GError                   **error)
{
  static const char sql[] =
    "UPDATE channels SET env_file = :env_file, env_name = :env_name, "
    "deploy_command = :deploy_command, grace = :grace WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":env_file", args->targets.env_file, error) &&
         ltm_store_bind_text (stmt, ":env_name", args->targets.env_name, error) &&
         ltm_store_bind_text (stmt, ":deploy_command", args->targets.command, error) &&
         ltm_store_bind_int64 (stmt, ":grace", args->targets.grace, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_deploy_targets_op (const char             *channel_id,
                                 const LtmDeployTargets *targets)
{
  LtmStoreSetDeployTargets *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (targets != NULL, NULL);

  args = g_new0 (LtmStoreSetDeployTargets, 1);
  ltm_deploy_targets_copy (targets, &args->targets);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_DEPLOY_TARGETS], channel_id, args);
}

/* How the last delivery went */

typedef struct {
  LtmDeliveryStatus status;
  gint64 delivered_at;
  char *message;
} LtmStoreSetDelivery;

static void
ltm_store_set_delivery_free (LtmStoreSetDelivery *args)
{
  g_free (args->message);
  g_free (args);
}

static gboolean
ltm_store_set_delivery_run (LtmStoreTxn          *txn,
                            LtmStoreSetDelivery  *args,
                            GError              **error)
{
  static const char sql[] =
    "UPDATE channels SET delivery = :delivery, delivered_at = :delivered_at, "
    "delivery_message = :delivery_message WHERE channel_id = :channel_id";
  g_autoptr(sqlite3_stmt) stmt = NULL;

  return (stmt = ltm_store_db_prepare (txn->db, sql, error)) != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) &&
         ltm_store_bind_text (stmt, ":delivery", ltm_delivery_status_to_string (args->status),
                              error) &&
         ltm_store_bind_int64 (stmt, ":delivered_at", args->delivered_at, error) &&
         ltm_store_bind_text (stmt, ":delivery_message", args->message, error) &&
         ltm_store_db_step (txn->db, stmt, error);
}

LtmStoreOp *
ltm_store_set_delivery_op (const char        *channel_id,
                           LtmDeliveryStatus  status,
                           gint64             delivered_at,
                           const char        *message)
{
  LtmStoreSetDelivery *args;

  g_return_val_if_fail (channel_id != NULL, NULL);

  args = g_new0 (LtmStoreSetDelivery, 1);
  args->status = status;
  args->delivered_at = delivered_at;
  args->message = g_strdup (message);

  return ltm_store_op_new (&methods[LTM_STORE_OP_SET_DELIVERY], channel_id, args);
}

/* The tokens a rotation replaced; a revoked one stays revoked */

typedef struct {
  GStrv key_ids;
  LtmTokenRetirement retirement;
  gint64 retire_at;
} LtmStoreRetireTokens;

static void
ltm_store_retire_tokens_free (LtmStoreRetireTokens *args)
{
  g_strfreev (args->key_ids);
  g_free (args);
}

static gboolean
ltm_store_retire_tokens_run (LtmStoreTxn           *txn,
                             LtmStoreRetireTokens  *args,
                             GError               **error)
{
  static const char sql[] =
    "UPDATE tokens SET retirement = :retirement, retire_at = :retire_at "
    "WHERE channel_id = :channel_id AND key_id = :key_id AND revoked = 0";
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 retire_at = args->retirement != LTM_TOKEN_RETIREMENT_NONE ? args->retire_at : 0;

  if ((stmt = ltm_store_db_prepare (txn->db, sql, error)) == NULL)
    return FALSE;

  for (guint i = 0; args->key_ids[i] != NULL; i++)
    {
      sqlite3_reset (stmt);
      if (!ltm_store_bind_text (stmt, ":channel_id", txn->channel_id, error) ||
          !ltm_store_bind_text (stmt, ":key_id", args->key_ids[i], error) ||
          !ltm_store_bind_text (stmt, ":retirement",
                                ltm_token_retirement_to_string (args->retirement), error) ||
          !ltm_store_bind_int64 (stmt, ":retire_at", retire_at, error) ||
          !ltm_store_db_step (txn->db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

LtmStoreOp *
ltm_store_retire_tokens_op (const char         *channel_id,
                            const char * const *key_ids,
                            LtmTokenRetirement  retirement,
                            gint64              retire_at)
{
  LtmStoreRetireTokens *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (key_ids != NULL, NULL);

  args = g_new0 (LtmStoreRetireTokens, 1);
  args->key_ids = g_strdupv ((char **) key_ids);
  args->retirement = retirement;
  args->retire_at = retire_at;

  return ltm_store_op_new (&methods[LTM_STORE_OP_RETIRE_TOKENS], channel_id, args);
}

/* Checking what opens, and repairing it */

void
ltm_store_problem_free (LtmStoreProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->channel_id);
  g_free (problem->key_id);
  g_free (problem->description);
  g_free (problem);
}

static void
ltm_store_add_problem (GPtrArray  *problems,
                       const char *channel_id,
                       const char *key_id,
                       char       *description)
{
  LtmStoreProblem *problem = g_new0 (LtmStoreProblem, 1);

  problem->channel_id = g_strdup (channel_id);
  problem->key_id = g_strdup (key_id);
  problem->description = description;
  g_ptr_array_add (problems, problem);
}

/* Whether a sealed value in column @column of @stmt opens. */
static gboolean
ltm_store_opens (sqlite3_stmt *stmt,
                 int           column,
                 LtmSealKey   *key,
                 const char   *channel_id,
                 const char   *kind,
                 const char   *key_id)
{
  g_autoptr(LtmSecret) opened = NULL;

  if (key == NULL)
    return FALSE;

  opened = ltm_store_unseal (key, channel_id, kind, key_id, sqlite3_column_blob (stmt, column),
                             sqlite3_column_bytes (stmt, column), NULL);

  return opened != NULL;
}

/* Repairing drops what does not open: a channel's sealed value (@sql,
 * on :channel_id), or a token. */
static gboolean
ltm_store_drop_from_channel (LtmStoreDb  *db,
                             const char  *sql,
                             const char  *channel_id,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  return stmt != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", channel_id, error) &&
         ltm_store_db_step (db, stmt, error);
}

static gboolean
ltm_store_drop_token (LtmStoreDb  *db,
                      const char  *channel_id,
                      const char  *key_id,
                      GError     **error)
{
  static const char sql[] =
    "DELETE FROM tokens WHERE channel_id = :channel_id AND key_id = :key_id";
  g_autoptr(sqlite3_stmt) stmt = ltm_store_db_prepare (db, sql, error);

  return stmt != NULL &&
         ltm_store_bind_text (stmt, ":channel_id", channel_id, error) &&
         ltm_store_bind_text (stmt, ":key_id", key_id, error) &&
         ltm_store_db_step (db, stmt, error);
}

/* Lists in @problems what SQLite finds damaged and every sealed value that
 * does not open or is missing; with @repair (in a write transaction), drops
 * those values, and the tokens whose secret is gone. */
gboolean
ltm_store_inspect (LtmStoreDb  *db,
                   gboolean     repair,
                   GPtrArray   *problems,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) integrity = NULL;
  g_autoptr(sqlite3_stmt) channels = NULL;
  g_autoptr(sqlite3_stmt) tokens = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  int rc;

  if ((integrity = ltm_store_db_prepare (db, "PRAGMA integrity_check", error)) == NULL)
    return FALSE;
  while ((rc = sqlite3_step (integrity)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (integrity, 0);

      if (g_strcmp0 (line, "ok") != 0)
        ltm_store_add_problem (problems, NULL, NULL,
                               g_strdup_printf (_("The database is damaged: %s"), line));
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  /* Nothing sealed yet is no problem; a wrong master key is an error. */
  key = ltm_store_get_master_key (db, FALSE, &local_error);
  if (key == NULL && !g_error_matches (local_error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  channels = ltm_store_db_prepare (db, "SELECT channel_id, sealed_key, sealed_secret "
                                   "FROM channels ORDER BY position", error);
  if (channels == NULL)
    return FALSE;
  while ((rc = sqlite3_step (channels)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (channels, 0);

      if (sqlite3_column_type (channels, 1) == SQLITE_BLOB &&
          !ltm_store_opens (channels, 1, key, id, KIND_KEY, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("The assertion signing key of channel %s does "
                                                    "not open."), id));
          if (repair && !ltm_store_drop_from_channel (db, "UPDATE channels SET sealed_key = NULL, "
                                                      "key_thumbprint = NULL, kid = NULL "
                                                      "WHERE channel_id = :channel_id", id, error))
            return FALSE;
        }

      if (sqlite3_column_type (channels, 2) == SQLITE_BLOB &&
          !ltm_store_opens (channels, 2, key, id, KIND_SECRET, NULL))
        {
          ltm_store_add_problem (problems, id, NULL,
                                 g_strdup_printf (_("The channel secret of channel %s does not "
                                                    "open."), id));
          if (repair && !ltm_store_drop_from_channel (db, "UPDATE channels SET sealed_secret = "
                                                      "NULL WHERE channel_id = :channel_id", id,
                                                      error))
            return FALSE;
        }
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  tokens = ltm_store_db_prepare (db, "SELECT channel_id, key_id, sealed_token FROM tokens "
                                 "WHERE revoked = 0 ORDER BY rowid", error);
  if (tokens == NULL)
    return FALSE;
  while ((rc = sqlite3_step (tokens)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (tokens, 0);
      const char *key_id = (const char *) sqlite3_column_text (tokens, 1);

      if (sqlite3_column_type (tokens, 2) != SQLITE_BLOB)
        ltm_store_add_problem (problems, id, key_id,
                               g_strdup_printf (_("The token %s of channel %s is listed, but the "
                                                  "token itself is not kept."), key_id, id));
      else if (!ltm_store_opens (tokens, 2, key, id, KIND_TOKEN, key_id))
        ltm_store_add_problem (problems, id, key_id,
                               g_strdup_printf (_("The token %s of channel %s does not open."),
                                                key_id, id));
      else
        continue;

      if (repair && !ltm_store_drop_token (db, id, key_id, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return ltm_store_db_fail (db, rc, error);

  return TRUE;
}

/* The op of ltm_store_repair(), in its write transaction. */
static gboolean
ltm_store_repair_run (LtmStoreTxn  *txn,
                      gpointer      args,
                      GError      **error)
{
  g_autoptr(GPtrArray) problems = NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_store_problem_free);

  return ltm_store_inspect (txn->db, TRUE, problems, error);
}

/* The op of ltm_store_repair(). */
LtmStoreOp *
ltm_store_repair_op (void)
{
  return ltm_store_op_new (&methods[LTM_STORE_OP_REPAIR], NULL, NULL);
}

/* Reading one sealed value: the channel's key (KIND_KEY), its channel
 * secret (KIND_SECRET) or a token's (KIND_TOKEN, with its key ID) */

typedef struct {
  const char *kind;             /* KIND_KEY, KIND_SECRET or KIND_TOKEN */
  char *key_id;                 /* the token's */
} LtmStoreReadSealed;

static void
ltm_store_read_sealed_free (LtmStoreReadSealed *args)
{
  g_free (args->key_id);
  g_free (args);
}

/* The row's sealed value, opened; NOT_FOUND, saying what is missing, when
 * there is none. */
static LtmSecret *
ltm_store_read_sealed_open (LtmStoreTxn         *txn,
                            LtmStoreReadSealed  *args,
                            GError             **error)
{
  static const char token_sql[] =
    "SELECT t.sealed_token, t.revoked FROM channels c LEFT JOIN tokens t "
    "ON t.channel_id = c.channel_id AND t.key_id = :key_id WHERE c.channel_id = :channel_id";
  static const char key_sql[] =
    "SELECT sealed_key, 0 FROM channels WHERE channel_id = :channel_id";
  static const char secret_sql[] =
    "SELECT sealed_secret, 0 FROM channels WHERE channel_id = :channel_id";
  const char *channel_id = txn->channel_id;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(LtmSealKey) key = NULL;
  gboolean token = g_str_equal (args->kind, KIND_TOKEN);
  LtmSecret *secret;
  int rc;

  if (token)
    stmt = ltm_store_db_prepare (txn->db, token_sql, error);
  else if (g_str_equal (args->kind, KIND_KEY))
    stmt = ltm_store_db_prepare (txn->db, key_sql, error);
  else
    stmt = ltm_store_db_prepare (txn->db, secret_sql, error);

  if (stmt == NULL ||
      !ltm_store_bind_text (stmt, ":channel_id", channel_id, error) ||
      (token && !ltm_store_bind_text (stmt, ":key_id", args->key_id, error)))
    return NULL;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      ltm_store_not_found (channel_id, error);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      ltm_store_db_fail (txn->db, rc, error);
      return NULL;
    }

  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB)
    {
      if (g_str_equal (args->kind, KIND_KEY))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No assertion signing key is stored for channel %s."), channel_id);
      else if (g_str_equal (args->kind, KIND_SECRET))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No channel secret is stored for channel %s."), channel_id);
      else if (sqlite3_column_int (stmt, 1))
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("The token %s of channel %s was revoked; it is no longer kept."),
                     args->key_id, channel_id);
      else
        g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                     _("No token with the key ID %s is stored for channel %s."),
                     args->key_id, channel_id);
      return NULL;
    }

  if ((key = ltm_store_op_get_master_key (txn->op, txn->db, FALSE, error)) == NULL)
    return NULL;

  secret = ltm_store_unseal (key, channel_id, args->kind, args->key_id,
                             sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0),
                             NULL);
  if (secret == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED,
                 _("The sealed %s of channel %s does not open: it was changed, or copied from "
                   "another row."),
                 g_str_equal (args->kind, KIND_KEY) ? _("assertion signing key")
                 : g_str_equal (args->kind, KIND_SECRET) ? _("channel secret")
                 : _("access token"),
                 channel_id);

  return secret;
}

/* The op's result: an LtmKey for KIND_KEY, the LtmSecret otherwise. */
static gboolean
ltm_store_read_sealed_run (LtmStoreTxn         *txn,
                           LtmStoreReadSealed  *args,
                           GError             **error)
{  g_autoptr(LtmSecret) secret = ltm_store_read_sealed_open (txn, args, error);
  LtmKey *key;

  if (secret == NULL)
    return FALSE;

  if (!g_str_equal (args->kind, KIND_KEY))
    {
      txn->op->result = g_steal_pointer (&secret);
      txn->op->result_free = (GDestroyNotify) ltm_secret_free;
      return TRUE;
    }

  /* Checked when it was stored, and sealed since: not checked again. */
  key = ltm_key_new_from_data (secret, strlen (secret),
                               LTM_KEY_IMPORT_PRIVATE | LTM_KEY_IMPORT_CHECKED, error);
  if (key == NULL)
    {
      g_prefix_error (error, _("The key stored for channel %s is damaged: "), txn->channel_id);
      return FALSE;
    }

  txn->op->result = key;
  txn->op->result_free = g_object_unref;

  return TRUE;
}

LtmStoreOp *
ltm_store_read_sealed_op (const char *channel_id,
                          const char *kind,
                          const char *key_id)
{
  LtmStoreReadSealed *args;

  g_return_val_if_fail (channel_id != NULL, NULL);
  g_return_val_if_fail (g_str_equal (kind, KIND_TOKEN) == (key_id != NULL), NULL);

  args = g_new0 (LtmStoreReadSealed, 1);
  args->kind = kind;
  args->key_id = g_strdup (key_id);

  return ltm_store_op_new (&methods[LTM_STORE_OP_READ_SEALED], channel_id, args);
}

/* The table */

#define METHOD LTM_STORE_METHOD

static const LtmStoreMethod methods[LTM_STORE_N_OPS] = {
  [LTM_STORE_OP_LOAD] =
    METHOD (LTM_STORE_OP_READS | LTM_STORE_OP_ALL, LTM_STORE_SEALING_NONE,
            NULL, ltm_store_load_run, g_free),
  [LTM_STORE_OP_ADD_CHANNEL] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_CREATES, LTM_STORE_SEALING_SEALS,
            ltm_store_add_channel_check, ltm_store_add_channel_run, ltm_store_add_channel_free),
  [LTM_STORE_OP_REMOVE_CHANNEL] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_REMOVES, LTM_STORE_SEALING_NONE,
            NULL, ltm_store_remove_channel_run, NULL),
  [LTM_STORE_OP_SET_NAME] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            ltm_store_set_name_check, ltm_store_set_name_run, ltm_store_set_name_free),
  [LTM_STORE_OP_SET_KID] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            ltm_store_set_kid_check, ltm_store_set_kid_run, ltm_store_set_kid_free),
  [LTM_STORE_OP_SET_KEY] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_SEALS,
            NULL, ltm_store_set_key_run, ltm_store_set_key_free),
  [LTM_STORE_OP_SET_SECRET] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_SEALS,
            NULL, ltm_store_set_secret_run, ltm_store_set_secret_free),
  [LTM_STORE_OP_ADD_TOKEN] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_SEALS,
            ltm_store_add_token_check, ltm_store_add_token_run, ltm_store_add_token_free),
  [LTM_STORE_OP_SET_TOKEN_STATE] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            NULL, ltm_store_set_token_state_run, ltm_store_set_token_state_free),
  [LTM_STORE_OP_SET_DEPLOY_TARGETS] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            ltm_store_set_deploy_targets_check, ltm_store_set_deploy_targets_run,
            ltm_store_set_deploy_targets_free),
  [LTM_STORE_OP_SET_DELIVERY] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            NULL, ltm_store_set_delivery_run, ltm_store_set_delivery_free),
  [LTM_STORE_OP_RETIRE_TOKENS] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_TOUCHES, LTM_STORE_SEALING_NONE,
            NULL, ltm_store_retire_tokens_run, ltm_store_retire_tokens_free),
  [LTM_STORE_OP_REPAIR] =
    METHOD (LTM_STORE_OP_WRITES | LTM_STORE_OP_ALL, LTM_STORE_SEALING_OPENS,
            NULL, ltm_store_repair_run, NULL),
  [LTM_STORE_OP_READ_SEALED] =
    METHOD (LTM_STORE_OP_READS, LTM_STORE_SEALING_OPENS,
            NULL, ltm_store_read_sealed_run, ltm_store_read_sealed_free),
};

#undef METHOD
