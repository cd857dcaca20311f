/* test-lifecycle.c: rotation, bulk rotation, reconciliation and expiry,
 * against the test server and a real keyring (libsecret's file backend)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include <string.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "ltm-jwt.h"
#include "ltm-lifecycle.h"
#include "ltm-store-private.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define SECRET "5ecret0123456789abcdef0123456789"

static const SecretSchema schema = {
  "io.github.ltm.LineTokenManager.Secret", SECRET_SCHEMA_NONE,
  {
    { "channel", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

typedef struct {
  LtmTestServer *server;
  LtmLineClient *client;
  LtmStore *store;
  LtmKey *key;
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;

  while (secret_password_clear_sync (&schema, NULL, NULL, NULL))
    ;

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  fixture->client = ltm_line_client_new (ltm_test_server_get_base_url (fixture->server), &error);
  g_assert_no_error (error);
  fixture->dir = g_strdup_printf ("%s/data-%u", ltm_test_get_tmp_dir (), counter++);
  fixture->store = ltm_store_new (fixture->dir);
  fixture->key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ltm_test_assert_finalize_soon (fixture->store);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->key);
  g_free (fixture->dir);
  g_assert_finalize_object (fixture->server);
}

/* A stored channel with key, kid and secret, and @n_tokens issued and stored
 * (lifetime @lifetime). */
static void
add_channel (Fixture    *fixture,
             const char *channel_id,
             guint       n_tokens,
             gint64      lifetime)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *public_jwk = ltm_key_to_public_jwk (fixture->key);
  g_autofree char *kid = NULL;

  ltm_test_server_add_channel (fixture->server, channel_id, SECRET);
  kid = ltm_test_server_register_key (fixture->server, channel_id, public_jwk, &error);
  g_assert_no_error (error);
  g_assert_true (ltm_store_add_channel (fixture->store, channel_id, channel_id, kid, fixture->key,
                                        SECRET, &error));

  for (guint i = 0; i < n_tokens; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(LtmLineToken) token = NULL;
      g_autofree char *jwt = NULL;
      g_autofree char *key_id = NULL;
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      jwt = ltm_jwt_create_assertion (fixture->key, kid, channel_id, now,
                                      LTM_JWT_ASSERTION_LIFETIME, lifetime, &error);
      ltm_line_client_issue_token_async (fixture->client, jwt, NULL, ltm_async_result_cb, &result);
      token = ltm_line_client_issue_token_finish (fixture->client, ltm_async_wait (&result),
                                                  &error);
      g_assert_no_error (error);
      key_id = ltm_store_add_token (fixture->store, channel_id, LTM_TOKEN_KIND_V21, token, now,
                                    &error);
      g_assert_no_error (error);
    }
}

static LtmRotation *
rotate_with (Fixture        *fixture,
             const char     *channel_id,
             LtmRotateFlags  flags,
             gint64          grace)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LtmRotation *rotation;

  ltm_lifecycle_rotate_async (fixture->store, fixture->client, channel_id, flags, grace, NULL,
                              ltm_async_result_cb, &result);
  rotation = ltm_lifecycle_rotate_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s: %s", rotation->channel_id,
                  ltm_rotation_outcome_to_string (rotation->outcome), rotation->message);

  return rotation;
}

/* As before deploy targets: the old tokens revoked at once. */
static LtmRotation *
rotate (Fixture    *fixture,
        const char *channel_id)
{
  return rotate_with (fixture, channel_id, LTM_ROTATE_REVOKE_OLD, -1);
}

static guint
count_usable (Fixture    *fixture,
              const char *channel_id)
{
  return ltm_channel_count_usable_v21 (ltm_store_find_channel (fixture->store, channel_id),
                                       g_get_real_time () / G_USEC_PER_SEC);
}

static void
test_rotate (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) stored = NULL;
  LtmToken *token;

  add_channel (fixture, "1000000001", 2, 10 * 86400);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000001"), ==, 2);

  rotation = rotate (fixture, "1000000001");
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_cmpuint (rotation->revoked, ==, 2);
  g_assert_nonnull (rotation->new_key_id);

  /* At LINE: only the new one.  In the store: the new one, usable and kept
   * in the store, with the old tokens' lifetime; the old ones revoked. */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000001"), ==, 1);
  g_assert_cmpuint (count_usable (fixture, "1000000001"), ==, 1);
  token = ltm_channel_find_token (ltm_store_find_channel (fixture->store, "1000000001"),
                                  rotation->new_key_id);
  g_assert_nonnull (token);
  g_assert_cmpint (ltm_token_get_expires_at (token) - ltm_token_get_issued_at (token), ==,
                   10 * 86400);
  stored = ltm_store_get_token (fixture->store, "1000000001", rotation->new_key_id, &error);
  g_assert_no_error (error);
}

static void
test_rotate_issue_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;

  add_channel (fixture, "1000000002", 1, 86400);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STATUS_500);

  rotation = rotate (fixture, "1000000002");
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_FAILED);
  g_assert_null (rotation->new_key_id);
  g_assert_nonnull (strstr (rotation->message, "did not issue"));
  g_assert_nonnull (strstr (rotation->message, "old tokens are untouched"));

  /* the old token still works and is still stored */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000002"), ==, 1);
  g_assert_cmpuint (count_usable (fixture, "1000000002"), ==, 1);
}

static void
test_rotate_verify_fails (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;

  add_channel (fixture, "1000000003", 1, 86400);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/verify", LTM_TEST_FAULT_STATUS_500);

  rotation = rotate (fixture, "1000000003");
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_FAILED);
  g_assert_nonnull (strstr (rotation->message, "did not verify"));
  g_assert_nonnull (strstr (rotation->message, "revoked again"));

  /* the unverified new token was revoked; the old one is as it was */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000003"), ==, 1);
  g_assert_cmpuint (count_usable (fixture, "1000000003"), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ltm_channel_get_tokens (
                      ltm_store_find_channel (fixture->store, "1000000003"))), ==, 1);
}

static void
test_rotate_revoke_fails (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;

  add_channel (fixture, "1000000004", 2, 86400);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/revoke", LTM_TEST_FAULT_STATUS_500);

  rotation = rotate (fixture, "1000000004");
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_PARTIAL);
  g_assert_cmpuint (rotation->not_revoked, ==, 2);
  g_assert_nonnull (strstr (rotation->message, "could not be revoked"));

  /* the new one is stored, the old ones still stored and working */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000004"), ==, 3);
  g_assert_cmpuint (count_usable (fixture, "1000000004"), ==, 3);
}

static void
test_rotate_store_fails (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autofree char *path = NULL;
  sqlite3 *db = NULL;

  add_channel (fixture, "1000000005", 1, 86400);

  /* The database refuses every new token (a full disk would too). */
  path = g_build_filename (fixture->dir, "store.sqlite3", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse BEFORE INSERT ON tokens "
                                     "BEGIN SELECT RAISE (ABORT, 'refused'); END", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  rotation = rotate (fixture, "1000000005");
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_FAILED);
  g_assert_nonnull (strstr (rotation->message, "could not be stored"));
  g_assert_nonnull (strstr (rotation->message, "revoked again"));
  /* nothing new is left valid at LINE; the old token works */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "1000000005"), ==, 1);
}

static void
count_progress (guint    done,
                guint    total,
                gpointer user_data)
{
  guint *calls = user_data;

  g_assert_cmpuint (done, ==, *calls + 1);
  g_assert_cmpuint (total, ==, 4);
  (*calls)++;
}

static void
test_rotate_many (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) expiring = NULL;
  g_autoptr(GPtrArray) rotations = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint progress_calls = 0;

  /* Four expiring in 3 days, one in 20: only the four are due. */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("20000000%02u", i);
      add_channel (fixture, id, 1, 3 * 86400);
    }
  add_channel (fixture, "2000000099", 1, 20 * 86400);
  /* One of them cannot rotate: its kid is no longer the console's. */
  g_assert_true (ltm_store_set_kid (fixture->store, "2000000002",
                                    "00000000-0000-0000-0000-000000000000", &error));

  expiring = ltm_lifecycle_find_expiring (fixture->store, now, 7 * 86400);
  g_assert_cmpuint (expiring->len, ==, 4);

  ltm_lifecycle_rotate_many_async (fixture->store, fixture->client, expiring, 2,
                                   LTM_ROTATE_REVOKE_OLD, -1, count_progress, &progress_calls, NULL,
                                   ltm_async_result_cb, &result);
  rotations = ltm_lifecycle_rotate_many_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rotations->len, ==, 4);
  g_assert_cmpuint (progress_calls, ==, 4);

  for (guint i = 0; i < rotations->len; i++)
    {
      LtmRotation *rotation = g_ptr_array_index (rotations, i);

      g_test_message ("%s: %s", rotation->channel_id, rotation->message);
      g_assert_cmpstr (rotation->channel_id, ==, g_ptr_array_index (expiring, i));
      if (g_str_equal (rotation->channel_id, "2000000002"))
        {
          /* one channel's failure does not stop the others */
          g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_FAILED);
          g_assert_nonnull (strstr (rotation->message, "Cannot find channel key"));
        }
      else
        g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
    }

  /* Rotated tokens live as long as the old did: three days, still "expiring"
   * within a week; the 20-day channel is untouched. */
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "2000000099"), ==, 1);
}

static void
test_reconcile (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(LtmReconciliation) reconciliation = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *elsewhere_key_id = NULL;
  g_autofree char *elsewhere = NULL;
  GListModel *tokens;
  g_autoptr(LtmToken) first = NULL;

  add_channel (fixture, "3000000001", 3, 86400);
  tokens = ltm_channel_get_tokens (ltm_store_find_channel (fixture->store, "3000000001"));
  first = g_list_model_get_item (tokens, 0);

  /* Behind our back: one revoked in the console, one issued by a script. */
  g_assert_true (ltm_test_server_revoke_key_id (fixture->server, "3000000001",
                                                ltm_token_get_key_id (first)));
  elsewhere = ltm_test_server_issue_token_elsewhere (fixture->server, "3000000001", 3600,
                                                     &elsewhere_key_id);

  ltm_lifecycle_reconcile_async (fixture->store, fixture->client, "3000000001", NULL,
                                 ltm_async_result_cb, &result);
  reconciliation = ltm_lifecycle_reconcile_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reconciliation->known, ==, 2);
  g_assert_cmpuint (reconciliation->gone, ==, 1);
  g_assert_cmpuint (reconciliation->elsewhere, ==, 1);
  g_assert_cmpuint (reconciliation->line_total, ==, 3);

  g_assert_cmpint (ltm_token_get_status (first), ==, LTM_TOKEN_STATUS_REVOKED);
  g_assert_cmpuint (count_usable (fixture, "3000000001"), ==, 2);
}

static void
set_targets (Fixture    *fixture,
             const char *channel_id,
             const char *env_file,
             const char *command,
             gint64      grace)
{
  g_autoptr(GError) error = NULL;
  LtmDeployTargets targets = { (char *) env_file, NULL, (char *) command, grace };

  g_assert_true (ltm_store_set_deploy_targets (fixture->store, channel_id, &targets, &error));
  g_assert_no_error (error);
}

static LtmToken *
find_token (Fixture    *fixture,
            const char *channel_id,
            const char *key_id)
{
  return ltm_channel_find_token (ltm_store_find_channel (fixture->store, channel_id), key_id);
}

static char *
first_key_id (Fixture    *fixture,
              const char *channel_id)
{
  GListModel *tokens = ltm_channel_get_tokens (ltm_store_find_channel (fixture->store,
                                                                       channel_id));
  g_autoptr(LtmToken) first = g_list_model_get_item (tokens, 0);

  return g_strdup (ltm_token_get_key_id (first));
}

/* No deploy target: nothing shows the bot has the new token, so the old
 * one stays valid, marked replaced; unless asked. */
static void
test_rotate_no_target (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autoptr(LtmRotation) again = NULL;
  g_autofree char *old = NULL;

  add_channel (fixture, "5000000001", 1, 86400);
  old = first_key_id (fixture, "5000000001");

  rotation = rotate_with (fixture, "5000000001", LTM_ROTATE_FLAGS_NONE, -1);
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_cmpuint (rotation->revoked, ==, 0);
  g_assert_cmpuint (rotation->replaced, ==, 1);
  g_assert_nonnull (strstr (rotation->message, "no deploy target"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000001"), ==, 2);
  g_assert_cmpint (ltm_token_get_retirement (find_token (fixture, "5000000001", old)), ==,
                   LTM_TOKEN_RETIREMENT_REPLACED);

  /* --revoke-old: both replaced ones go */
  again = rotate_with (fixture, "5000000001", LTM_ROTATE_REVOKE_OLD, -1);
  g_assert_cmpint (again->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_cmpuint (again->revoked, ==, 2);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000001"), ==, 1);
  g_assert_true (ltm_token_get_revoked (find_token (fixture, "5000000001", old)));
}

/* An env file took the new token: the old one is revoked at once. */
static void
test_rotate_env_file (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) stored = NULL;
  g_autofree char *env = g_build_filename (fixture->dir, "bot.env", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *words = NULL;
  LtmChannel *channel;

  add_channel (fixture, "5000000002", 1, 86400);
  g_assert_true (g_file_set_contents (env, "PORT=1\n", -1, &error));
  set_targets (fixture, "5000000002", env, NULL, 0);

  rotation = rotate_with (fixture, "5000000002", LTM_ROTATE_FLAGS_NONE, -1);
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_true (rotation->delivered);
  g_assert_cmpuint (rotation->revoked, ==, 1);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000002"), ==, 1);

  stored = ltm_store_get_token (fixture->store, "5000000002", rotation->new_key_id, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("PORT=1\nCHANNEL_ACCESS_TOKEN=%s\n", stored);
  g_file_get_contents (env, &contents, NULL, &error);
  g_assert_cmpstr (contents, ==, expected);

  channel = ltm_store_find_channel (fixture->store, "5000000002");
  g_assert_cmpint (ltm_channel_get_delivery (channel), ==, LTM_DELIVERY_DELIVERED);
  g_assert_cmpint (ltm_channel_get_delivered_at (channel), >, 0);
  /* Which target took which token. */
  words = g_strdup_printf ("The env file took token %s.", rotation->new_key_id);
  g_assert_cmpstr (ltm_channel_get_delivery_message (channel), ==, words);
}

/* A failing command: the new token stored, the old one valid, the channel
 * marked, the message the command's. */
static void
test_rotate_deploy_fails (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autofree char *old = NULL;
  LtmChannel *channel;

  add_channel (fixture, "5000000003", 1, 86400);
  old = first_key_id (fixture, "5000000003");
  set_targets (fixture, "5000000003", NULL, "cat > /dev/null; echo 'no route to host' >&2; exit 3",
               0);

  rotation = rotate_with (fixture, "5000000003", LTM_ROTATE_REVOKE_OLD, -1);
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_DEPLOY_FAILED);
  g_assert_nonnull (rotation->new_key_id);
  g_assert_nonnull (strstr (rotation->message, "exit status 3): no route to host"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000003"), ==, 2);
  g_assert_nonnull (find_token (fixture, "5000000003", rotation->new_key_id));
  g_assert_false (ltm_token_get_revoked (find_token (fixture, "5000000003", old)));

  channel = ltm_store_find_channel (fixture->store, "5000000003");
  g_assert_cmpint (ltm_channel_get_delivery (channel), ==, LTM_DELIVERY_FAILED);
  g_assert_nonnull (strstr (ltm_channel_get_delivery_message (channel), "no route to host"));
}

/* A grace period: retiring until its time, then revoked by the next tick
 * (a clock of the test's own: nothing waits). */
static void
test_rotate_grace (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autoptr(LtmRevocation) early = NULL;
  g_autoptr(LtmRevocation) late = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *env = g_build_filename (fixture->dir, "grace.env", NULL);
  g_autofree char *old = NULL;
  LtmToken *token;
  gint64 retire_at;

  add_channel (fixture, "5000000004", 1, 86400);
  old = first_key_id (fixture, "5000000004");
  set_targets (fixture, "5000000004", env, NULL, 3600);

  rotation = rotate_with (fixture, "5000000004", LTM_ROTATE_FLAGS_NONE, -1);
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_cmpuint (rotation->retiring, ==, 1);
  token = find_token (fixture, "5000000004", old);
  g_assert_cmpint (ltm_token_get_retirement (token), ==, LTM_TOKEN_RETIREMENT_RETIRING);
  retire_at = ltm_token_get_retire_at (token);
  g_assert_cmpint (retire_at, ==, rotation->retire_at);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000004"), ==, 2);

  /* a second before its time: kept */
  ltm_lifecycle_retire_async (fixture->store, fixture->client, "5000000004", retire_at - 1, NULL,
                              ltm_async_result_cb, &result);
  early = ltm_lifecycle_retire_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (early->revoked, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000004"), ==, 2);

  /* at its time: revoked */
  g_clear_object (&result);
  ltm_lifecycle_retire_async (fixture->store, fixture->client, "5000000004", retire_at, NULL,
                              ltm_async_result_cb, &result);
  late = ltm_lifecycle_retire_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (late->revoked, ==, 1);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000004"), ==, 1);
  g_assert_true (ltm_token_get_revoked (token));
}

/* Sync revokes a retiring token whose time has passed. */
static void
test_reconcile_retires (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LtmReconciliation) reconciliation = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;
  const char *key_ids[2] = { NULL, NULL };

  add_channel (fixture, "5000000006", 2, 86400);
  old = first_key_id (fixture, "5000000006");
  key_ids[0] = old;
  g_assert_true (ltm_store_retire_tokens (fixture->store, "5000000006", key_ids,
                                          LTM_TOKEN_RETIREMENT_RETIRING, 1, &error));

  ltm_lifecycle_reconcile_async (fixture->store, fixture->client, "5000000006", NULL,
                                 ltm_async_result_cb, &result);
  reconciliation = ltm_lifecycle_reconcile_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reconciliation->retired, ==, 1);
  g_assert_true (ltm_token_get_revoked (find_token (fixture, "5000000006", old)));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000006"), ==, 1);
}

/* LINE's 30: a rotation that would pass it revokes the oldest replaced first. */
static void
test_rotate_limit (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(LtmRotation) rotation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *oldest = NULL;
  g_auto(GStrv) all = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GListModel *tokens;

  add_channel (fixture, "5000000005", 30, 86400);
  oldest = first_key_id (fixture, "5000000005");
  tokens = ltm_channel_get_tokens (ltm_store_find_channel (fixture->store, "5000000005"));
  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);
      g_strv_builder_add (builder, ltm_token_get_key_id (token));
    }
  all = g_strv_builder_end (builder);
  g_assert_true (ltm_store_retire_tokens (fixture->store, "5000000005",
                                          (const char * const *) all,
                                          LTM_TOKEN_RETIREMENT_REPLACED, 1, &error));

  rotation = rotate_with (fixture, "5000000005", LTM_ROTATE_FLAGS_NONE, -1);
  g_assert_cmpint (rotation->outcome, ==, LTM_ROTATION_ROTATED);
  g_assert_nonnull (strstr (rotation->message, "LINE allows 30 valid tokens per channel"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "5000000005"), ==, 30);
  g_assert_true (ltm_token_get_revoked (find_token (fixture, "5000000005", oldest)));
}

static LtmIssuance *
issue (Fixture       *fixture,
       const char    *channel_id,
       LtmIssueFlags  flags)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LtmIssuance *issuance;

  ltm_lifecycle_issue_async (fixture->store, fixture->client, channel_id, NULL, NULL, 3600, flags,
                             NULL, ltm_async_result_cb, &result);
  issuance = ltm_lifecycle_issue_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);

  return issuance;
}

/* Issuing in one place: stored with the stored key and kid; not with
 * NO_STORE; and when the store refuses, the token is in the report with
 * why it was not kept. */
static void
test_issue (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LtmIssuance) stored = NULL;
  g_autoptr(LtmIssuance) unkept = NULL;
  g_autoptr(LtmIssuance) refused = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  sqlite3 *db = NULL;

  add_channel (fixture, "6000000001", 0, 86400);

  stored = issue (fixture, "6000000001", LTM_ISSUE_FLAGS_NONE);
  g_assert_true (stored->stored);
  g_assert_null (stored->store_error);
  secret = ltm_store_get_token (fixture->store, "6000000001", stored->token->key_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, stored->token->access_token);

  unkept = issue (fixture, "6000000001", LTM_ISSUE_NO_STORE);
  g_assert_false (unkept->stored);
  g_assert_null (ltm_channel_find_token (ltm_store_find_channel (fixture->store, "6000000001"),
                                         unkept->token->key_id));

  path = g_build_filename (fixture->dir, "store.sqlite3", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TRIGGER refuse BEFORE INSERT ON tokens "
                                     "BEGIN SELECT RAISE (ABORT, 'refused'); END", NULL, NULL,
                                 NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  refused = issue (fixture, "6000000001", LTM_ISSUE_FLAGS_NONE);
  g_assert_false (refused->stored);
  g_assert_nonnull (refused->store_error);
  g_assert_nonnull (refused->token->access_token);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, "6000000001"), ==, 3);
}

static LtmIssuance *
issue_finish (GAsyncResult **result,
              GError       **error)
{
  return ltm_lifecycle_issue_finish (ltm_async_wait (result), error);
}

static LtmLineTokenInfo *
verify (Fixture     *fixture,
        const char  *channel_id,
        const char  *key_id,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ltm_lifecycle_verify_async (fixture->store, fixture->client, channel_id, key_id, NULL,
                              ltm_async_result_cb, &result);
  return ltm_lifecycle_verify_finish (ltm_async_wait (&result), error);
}

/* Short-lived and stateless tokens through the same workflow: a
 * short-lived one is kept with its kind, from the stored secret or one
 * given; a stateless one never, signed with the stored key when there is
 * one, else with the channel secret. */
static void
test_issue_kinds (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) short_lived = NULL;
  g_autoptr(LtmIssuance) given = NULL;
  g_autoptr(LtmIssuance) by_key = NULL;
  g_autoptr(LtmIssuance) by_secret = NULL;
  g_autoptr(LtmIssuance) nothing = NULL;
  g_autoptr(GError) error = NULL;
  LtmChannel *channel;
  LtmToken *token;

  add_channel (fixture, "6000000002", 0, 86400);
  channel = ltm_store_find_channel (fixture->store, "6000000002");

  ltm_lifecycle_issue_short_lived_async (fixture->store, fixture->client, "6000000002", NULL,
                                         LTM_ISSUE_FLAGS_NONE, NULL, ltm_async_result_cb, &result);
  short_lived = issue_finish (&result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (short_lived->kind, ==, LTM_TOKEN_KIND_SHORT_LIVED);
  g_assert_true (short_lived->stored);
  g_assert_null (short_lived->token->key_id);
  token = ltm_channel_find_token (channel, short_lived->key_id);
  g_assert_nonnull (token);
  g_assert_cmpint (ltm_token_get_kind (token), ==, LTM_TOKEN_KIND_SHORT_LIVED);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/accessToken");

  /* A wrong secret given: LINE's refusal, nothing kept. */
  g_clear_object (&result);
  ltm_lifecycle_issue_short_lived_async (fixture->store, fixture->client, "6000000002",
                                         "0000000000000000000000000000000f", LTM_ISSUE_FLAGS_NONE,
                                         NULL, ltm_async_result_cb, &result);
  given = issue_finish (&result, &error);
  g_assert_null (given);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_REFUSED);
  g_clear_error (&error);

  g_clear_object (&result);
  ltm_lifecycle_issue_stateless_async (fixture->store, fixture->client, "6000000002", NULL, NULL,
                                       NULL, NULL, ltm_async_result_cb, &result);
  by_key = issue_finish (&result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_key->kind, ==, LTM_TOKEN_KIND_STATELESS);
  g_assert_false (by_key->stored);
  g_assert_nonnull (by_key->token->access_token);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/oauth2/v3/token");

  /* No key: the stored channel secret. */
  g_assert_true (ltm_store_add_channel (fixture->store, "6000000003", NULL, NULL, NULL, SECRET,
                                        &error));
  ltm_test_server_add_channel (fixture->server, "6000000003", SECRET);
  g_clear_object (&result);
  ltm_lifecycle_issue_stateless_async (fixture->store, fixture->client, "6000000003", NULL, NULL,
                                       NULL, NULL, ltm_async_result_cb, &result);
  by_secret = issue_finish (&result, &error);
  g_assert_no_error (error);
  g_assert_false (by_secret->stored);
  g_assert_cmpuint (g_list_model_get_n_items (ltm_channel_get_tokens (
                      ltm_store_find_channel (fixture->store, "6000000003"))), ==, 0);

  /* Neither, and not stored: said before LINE is asked. */
  g_clear_object (&result);
  ltm_lifecycle_issue_stateless_async (fixture->store, fixture->client, "6000000004", NULL, NULL,
                                       NULL, NULL, ltm_async_result_cb, &result);
  nothing = issue_finish (&result, &error);
  g_assert_null (nothing);
  g_assert_error (error, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "6000000004"));
}

/* Verify and revoke a stored token of either kind; a token LINE says is
 * another channel's is refused by name. */
static void
test_verify_revoke_kinds (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) short_lived = NULL;
  g_autoptr(LtmIssuance) other = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;
  g_autoptr(LtmLineTokenInfo) newest = NULL;
  g_autoptr(LtmLineTokenInfo) wrong = NULL;
  g_autoptr(LtmLineTokenInfo) after = NULL;
  g_autoptr(LtmRevocation) revocation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *misfiled = NULL;
  const char *key_ids[2] = { NULL, NULL };

  /* A channel without a stored secret: a short-lived token needs none. */
  ltm_test_server_add_channel (fixture->server, "6000000005", SECRET);
  g_assert_true (ltm_store_add_channel (fixture->store, "6000000005", NULL, NULL, NULL, NULL,
                                        &error));
  ltm_lifecycle_issue_short_lived_async (fixture->store, fixture->client, "6000000005", SECRET,
                                         LTM_ISSUE_FLAGS_NONE, NULL, ltm_async_result_cb, &result);
  short_lived = issue_finish (&result, &error);
  g_assert_no_error (error);
  g_assert_true (short_lived->stored);

  info = verify (fixture, "6000000005", short_lived->key_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->client_id, ==, "6000000005");
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/verify");

  /* A v2.1 token of another channel, stored under this one. */
  add_channel (fixture, "6000000006", 0, 86400);
  other = issue (fixture, "6000000006", LTM_ISSUE_NO_STORE);
  misfiled = ltm_store_add_token (fixture->store, "6000000005", LTM_TOKEN_KIND_V21, other->token,
                                  g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  newest = verify (fixture, "6000000005", misfiled, &error);
  g_assert_null (newest);
  g_assert_error (error, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_WRONG_CHANNEL);
  g_assert_nonnull (strstr (error->message, "6000000006"));
  g_clear_error (&error);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/oauth2/v2.1/verify");

  wrong = verify (fixture, "6000000005", "no-such-key-id", &error);
  g_assert_null (wrong);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Revoked at LINE's v2 endpoint without a secret, and marked so. */
  key_ids[0] = short_lived->key_id;
  g_clear_object (&result);
  ltm_lifecycle_revoke_async (fixture->store, fixture->client, "6000000005", key_ids, NULL, NULL,
                              ltm_async_result_cb, &result);
  revocation = ltm_lifecycle_revoke_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_no_error (revocation->error);
  g_assert_cmpuint (revocation->revoked, ==, 1);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/revoke");
  g_assert_true (ltm_token_get_revoked (ltm_channel_find_token (
                   ltm_store_find_channel (fixture->store, "6000000005"), key_ids[0])));
  /* Its secret went with it: nothing is left to ask LINE about. */
  after = verify (fixture, "6000000005", key_ids[0], &error);
  g_assert_null (after);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
}

/* The channel removed (ltm channel remove, another window) while LINE is
 * asked for its key IDs: the sync ends with "no such channel". */
static void
test_reconcile_removed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmReconciliation) reconciliation = NULL;
  g_autoptr(GError) error = NULL;
  guint requests;

  add_channel (fixture, "8000000001", 1, 86400);
  requests = ltm_test_server_get_request_count (fixture->server);
  ltm_lifecycle_reconcile_async (fixture->store, fixture->client, "8000000001", NULL,
                                 ltm_async_result_cb, &result);

  /* The server has the request (its answer goes out on a later turn of
   * this main loop): the channel goes now. */
  while (ltm_test_server_get_request_count (fixture->server) == requests)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/oauth2/v2.1/tokens/kid");
  g_assert_null (result);
  g_assert_true (ltm_store_remove_channel (fixture->store, "8000000001", &error));
  g_assert_no_error (error);

  reconciliation = ltm_lifecycle_reconcile_finish (ltm_async_wait (&result), &error);
  g_assert_null (reconciliation);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "8000000001"));
}

/* What a workflow lacks is told apart from "no such channel", by code:
 * the key, its kid, the channel secret, or either of them.  Nothing is
 * asked of LINE. */
static void
test_needs (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) fake = g_new0 (LtmLineToken, 1);
  g_autofree char *key_id = NULL;
  const char *key_ids[2] = { NULL, NULL };
  guint requests;
  struct {
    const char *channel_id;
    LtmKey *key;                /* given */
    int kind;                   /* 0 v2.1, 1 short-lived, 2 stateless, 3 reconcile, 4 revoke */
    GQuark domain;
    int code;
  } cases[] = {
    { "7000000001", NULL, 0, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KEY },
    { "7000000001", fixture->key, 0, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KID },
    { "7000000001", NULL, 1, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_SECRET },
    { "7000000001", fixture->key, 2, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KID },
    { "7000000001", NULL, 2, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_CREDENTIALS },
    { "7000000001", NULL, 3, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KEY },
    { "7000000001", NULL, 4, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_SECRET },
    { "7000000002", NULL, 3, LTM_LIFECYCLE_ERROR, LTM_LIFECYCLE_ERROR_NEEDS_KID },
    { "7000000003", NULL, 3, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND },
  };

  /* A channel with nothing but a stored v2.1 token; one with a key but
   * no kid yet; 7000000003 is not stored. */
  g_assert_true (ltm_store_add_channel (fixture->store, "7000000001", NULL, NULL, NULL, NULL,
                                        &error));
  fake->access_token = g_strdup ("eyJ-not-a-real-token");
  fake->key_id = g_strdup ("key-id-7000000001");
  fake->expires_in = 86400;
  key_id = ltm_store_add_token (fixture->store, "7000000001", LTM_TOKEN_KIND_V21, fake,
                                g_get_real_time () / G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  key_ids[0] = key_id;
  g_assert_true (ltm_store_add_channel (fixture->store, "7000000002", NULL, NULL, fixture->key,
                                        NULL, &error));

  requests = ltm_test_server_get_request_count (fixture->server);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      const char *id = cases[i].channel_id;
      gpointer report = NULL;

      g_test_message ("case %u", i);
      switch (cases[i].kind)
        {
        case 0:
          ltm_lifecycle_issue_async (fixture->store, fixture->client, id, cases[i].key, NULL,
                                     86400, LTM_ISSUE_FLAGS_NONE, NULL, ltm_async_result_cb,
                                     &result);
          report = issue_finish (&result, &error);
          break;
        case 1:
          ltm_lifecycle_issue_short_lived_async (fixture->store, fixture->client, id, NULL,
                                                 LTM_ISSUE_FLAGS_NONE, NULL, ltm_async_result_cb,
                                                 &result);
          report = issue_finish (&result, &error);
          break;
        case 2:
          ltm_lifecycle_issue_stateless_async (fixture->store, fixture->client, id, cases[i].key,
                                               NULL, NULL, NULL, ltm_async_result_cb, &result);
          report = issue_finish (&result, &error);
          break;
        case 3:
          ltm_lifecycle_reconcile_async (fixture->store, fixture->client, id, NULL,
                                         ltm_async_result_cb, &result);
          report = ltm_lifecycle_reconcile_finish (ltm_async_wait (&result), &error);
          break;
        case 4:
        default:
          ltm_lifecycle_revoke_async (fixture->store, fixture->client, id, key_ids, NULL, NULL,
                                      ltm_async_result_cb, &result);
          report = ltm_lifecycle_revoke_finish (ltm_async_wait (&result), &error);
          break;
        }
      g_assert_null (report);
      g_assert_error (error, cases[i].domain, cases[i].code);
      g_assert_nonnull (strstr (error->message, id));
      g_clear_error (&error);
    }
  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests);
}

/* What a bot's deployment reads: the newest usable token, and the secret
 * when one is stored. */
static void
test_read_env (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) older = NULL;
  g_autoptr(LtmIssuance) newer = NULL;
  g_autoptr(LtmBotEnv) env = NULL;
  g_autoptr(LtmBotEnv) none = NULL;
  g_autoptr(GError) error = NULL;

  add_channel (fixture, "6000000007", 0, 86400);
  older = issue (fixture, "6000000007", LTM_ISSUE_FLAGS_NONE);
  newer = issue (fixture, "6000000007", LTM_ISSUE_FLAGS_NONE);

  ltm_lifecycle_read_env_async (fixture->store, "6000000007", NULL, ltm_async_result_cb, &result);
  env = ltm_lifecycle_read_env_finish (ltm_async_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (env->access_token, ==, newer->token->access_token);
  g_assert_cmpstr (env->key_id, ==, newer->token->key_id);
  g_assert_cmpstr (env->channel_secret, ==, SECRET);

  g_assert_true (ltm_store_add_channel (fixture->store, "6000000008", NULL, NULL, NULL, NULL,
                                        &error));
  g_clear_object (&result);
  ltm_lifecycle_read_env_async (fixture->store, "6000000008", NULL, ltm_async_result_cb, &result);
  none = ltm_lifecycle_read_env_finish (ltm_async_wait (&result), &error);
  g_assert_null (none);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
}

/* Reads of sealed values started at once, as a bulk rotation starts them. */
static void
read_many (LtmStore   *store,
           const char *channel_id,
           GError     *errors[],
           guint       n)
{
  GAsyncResult **results = g_new0 (GAsyncResult *, n);

  for (guint i = 0; i < n; i++)
    {
      if (i % 2 == 0)
        ltm_store_get_secret_async (store, channel_id, NULL, ltm_async_result_cb, &results[i]);
      else
        ltm_store_get_key_async (store, channel_id, NULL, ltm_async_result_cb, &results[i]);
    }

  for (guint i = 0; i < n; i++)
    {
      GAsyncResult *result = ltm_async_wait (&results[i]);

      if (i % 2 == 0)
        {
          g_autoptr(LtmSecret) secret = ltm_store_get_secret_finish (store, result, &errors[i]);

          g_assert_true ((secret == NULL) == (errors[i] != NULL));
          if (secret != NULL)
            g_assert_cmpstr (secret, ==, SECRET);
        }
      else
        {
          g_autoptr(LtmKey) key = ltm_store_get_key_finish (store, result, &errors[i]);

          g_assert_true ((key == NULL) == (errors[i] != NULL));
        }
      g_object_unref (result);
    }

  g_free (results);
}

/* The master key once per process, for every caller: reads of sealed
 * values started at once while the process does not know the key (as at
 * its start) wait for one shared unlock, and each gets its value.  When
 * the key cannot be read, that one try's failure is each read's: the
 * keyring is not asked once per read.  (No fixture: the child process
 * must not touch the keyring file the parent uses.) */
static void
test_shared_unlock (void)
{
  enum { N = 16 };
  const char *parent_dir = g_test_subprocess () ? g_getenv ("TEST_PARENT_DIR")
                                                : ltm_test_get_tmp_dir ();
  g_autofree char *dir = g_build_filename (parent_dir, "shared-unlock", NULL);
  g_autoptr(LtmStore) store = ltm_store_new (dir);
  g_autoptr(LtmStore) fresh = NULL;
  g_autoptr(LtmKey) key = NULL;
  GError *errors[N] = { NULL };
  guint reads;

  if (g_test_subprocess ())
    {
      g_setenv ("LTM_MASTER_KEY_FILE", "/nonexistent/master.key", TRUE);
      reads = ltm_store_count_master_key_reads ();
      read_many (store, "6000000010", errors, N);
      g_assert_cmpuint (ltm_store_count_master_key_reads () - reads, ==, 1);
      for (guint i = 0; i < N; i++)
        {
          g_assert_error (errors[i], LTM_STORE_ERROR, LTM_STORE_ERROR_MASTER_KEY);
          g_assert_nonnull (strstr (errors[i]->message, "/nonexistent/master.key"));
          g_clear_error (&errors[i]);
        }
      return;
    }

  /* No store yet, then nothing sealed yet: nothing to unlock, and the
   * reads say what is missing. */
  read_many (store, "6000000009", errors, 2);
  g_assert_error (errors[0], LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&errors[0]);
  g_clear_error (&errors[1]);
  g_assert_true (ltm_store_add_channel (store, "6000000009", NULL, NULL, NULL, NULL, &errors[0]));
  read_many (store, "6000000009", errors, 2);
  g_assert_error (errors[0], LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (errors[0]->message, "No channel secret"));
  g_clear_error (&errors[0]);
  g_clear_error (&errors[1]);

  /* A sealed channel, read by a process that has not read the key yet */
  key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_assert_true (ltm_store_add_channel (store, "6000000010", NULL, NULL, key, SECRET, &errors[0]));
  ltm_store_forget_master_keys ();
  fresh = ltm_store_new (dir);
  reads = ltm_store_count_master_key_reads ();
  read_many (fresh, "6000000010", errors, N);
  g_assert_cmpuint (ltm_store_count_master_key_reads () - reads, ==, 1);
  for (guint i = 0; i < N; i++)
    g_assert_no_error (errors[i]);

  /* The same where the key cannot be read, in a process of its own */
  g_setenv ("TEST_PARENT_DIR", ltm_test_get_tmp_dir (), TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  ltm_test_assert_finalize_soon (g_steal_pointer (&fresh));
  ltm_test_assert_finalize_soon (g_steal_pointer (&store));
}

static void
test_find_expiring (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) soon = NULL;
  g_autoptr(GPtrArray) later = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  add_channel (fixture, "4000000001", 1, 2 * 86400);
  add_channel (fixture, "4000000002", 1, 29 * 86400);
  /* never had a token: nothing to rotate */
  g_assert_true (ltm_store_add_channel (fixture->store, "4000000003", NULL, NULL, NULL, NULL,
                                        &error));

  soon = ltm_lifecycle_find_expiring (fixture->store, now, 7 * 86400);
  g_assert_cmpuint (soon->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (soon, 0), ==, "4000000001");

  /* the clock moves on: 30 days later both are due, from the metadata alone */
  later = ltm_lifecycle_find_expiring (fixture->store, now + 30 * 86400, 7 * 86400);
  g_assert_cmpuint (later->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_use_file_keyring ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/lifecycle/rotate", test_rotate);
  ADD ("/lifecycle/rotate-issue-refused", test_rotate_issue_refused);
  ADD ("/lifecycle/rotate-verify-fails", test_rotate_verify_fails);
  ADD ("/lifecycle/rotate-revoke-fails", test_rotate_revoke_fails);
  ADD ("/lifecycle/rotate-store-fails", test_rotate_store_fails);
  ADD ("/lifecycle/rotate-many", test_rotate_many);
  ADD ("/lifecycle/reconcile", test_reconcile);
  ADD ("/lifecycle/find-expiring", test_find_expiring);
  ADD ("/lifecycle/rotate-no-target", test_rotate_no_target);
  ADD ("/lifecycle/rotate-env-file", test_rotate_env_file);
  ADD ("/lifecycle/rotate-deploy-fails", test_rotate_deploy_fails);
  ADD ("/lifecycle/rotate-grace", test_rotate_grace);
  ADD ("/lifecycle/rotate-limit", test_rotate_limit);
  ADD ("/lifecycle/issue", test_issue);
  ADD ("/lifecycle/issue-kinds", test_issue_kinds);
  ADD ("/lifecycle/verify-revoke-kinds", test_verify_revoke_kinds);
  ADD ("/lifecycle/read-env", test_read_env);
  ADD ("/lifecycle/needs", test_needs);
  ADD ("/lifecycle/reconcile-removed", test_reconcile_removed);
  ADD ("/lifecycle/reconcile-retires", test_reconcile_retires);

  g_test_add_func ("/lifecycle/shared-unlock", test_shared_unlock);

#undef ADD

  return g_test_run ();
}
