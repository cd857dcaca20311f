/* test-store.c: LtmStore, its database and its master key in a real keyring
 * (libsecret's file backend, or GNOME Keyring)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <sqlite3.h>

#include "ltm-store.h"
#include "ltm-store-private.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "5ecret0123456789abcdef0123456789"
#define KID "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77"

/* The schemas as an outsider sees them: the master key's, and the first
 * layout's (one item per secret), to build what the migration reads. */
static const SecretSchema master_key_schema = {
  "io.github.ltm.LineTokenManager.MasterKey", SECRET_SCHEMA_NONE,
  {
    { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static const SecretSchema schema = {
  "io.github.ltm.LineTokenManager.Secret", SECRET_SCHEMA_NONE,
  {
    { "channel", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static char *base_dir;

typedef struct {
  char *dir;
  LtmStore *store;
  LtmKey *key;
} Fixture;

static void
clear_keyring (void)
{
  while (secret_password_clear_sync (&schema, NULL, NULL, NULL))
    ;
  while (secret_password_clear_sync (&master_key_schema, NULL, NULL, NULL))
    ;
}

static guint
count_items (const SecretSchema *item_schema)
{
  g_autoptr(GError) error = NULL;
  GList *found = secret_password_search_sync (item_schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  guint n = 0;

  g_assert_no_error (error);

  /* libsecret's file backend matches no schema name: the schema's first
   * attribute tells its items apart. */
  for (GList *l = found; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);

      if (g_hash_table_contains (attributes, item_schema->attributes[0].name))
        n++;
    }
  g_list_free_full (found, g_object_unref);

  return n;
}

/* Runs @sql on the store's database behind its back. */
static void
run_sql (Fixture    *fixture,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (ltm_store_get_path (fixture->store), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
query_int (Fixture    *fixture,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open (ltm_store_get_path (fixture->store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  static guint counter;

  fixture->dir = g_strdup_printf ("%s/data-%u", base_dir, counter++);
  fixture->store = ltm_store_new (fixture->dir);
  fixture->key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  clear_keyring ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ltm_test_assert_finalize_soon (fixture->store);
  g_clear_object (&fixture->key);
  g_free (fixture->dir);
  clear_keyring ();
}

static LtmLineToken *
fake_token (const char *key_id,
            gint64      expires_in)
{
  LtmLineToken *token = g_new0 (LtmLineToken, 1);
  g_autofree char *random = g_uuid_string_random ();

  token->access_token = g_strconcat ("eyJ-token-", random, NULL);
  token->expires_in = expires_in;
  token->token_type = g_strdup ("Bearer");
  token->key_id = g_strdup (key_id);

  return token;
}

/* Every plain file under @dir, for secrets that must not be there. */
static void
assert_no_secret_in_files (const char *dir,
                           const char *secret)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          assert_no_secret_in_files (path, secret);
          continue;
        }

      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      g_assert_null (memmem (contents, len, secret, strlen (secret)));
    }
}

static void
test_store_add_channel (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(LtmSecret) jwk = ltm_key_to_private_jwk (fixture->key, NULL);
  LtmChannel *channel;
  GStatBuf st;

  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (fixture->store)), ==, 0);

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "My bot", KID, fixture->key,
                                        SECRET, &error));
  g_assert_no_error (error);

  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_assert_nonnull (channel);
  g_assert_cmpstr (ltm_channel_get_name (channel), ==, "My bot");
  g_assert_cmpstr (ltm_channel_get_kid (channel), ==, KID);
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==,
                   ltm_key_get_thumbprint (fixture->key));
  g_assert_true (ltm_channel_get_has_key (channel));
  g_assert_true (ltm_channel_get_has_secret (channel));

  /* The secrets come back, unsealed */
  key = ltm_store_get_key (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_key_get_thumbprint (key), ==, ltm_key_get_thumbprint (fixture->key));
  secret = ltm_store_get_secret (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, SECRET);

  /* ... sealed in the database (mode 0600 in a 0700 folder), never plain;
   * the keyring holds one item: the master key */
  g_assert_cmpint (g_stat (ltm_store_get_path (fixture->store), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (fixture->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels WHERE kid = '" KID "'"), ==, 1);
  assert_no_secret_in_files (fixture->dir, SECRET);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    const char *private_exponent;

    json_parser_load_from_data (parser, jwk, -1, NULL);
    private_exponent = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "d");
    assert_no_secret_in_files (fixture->dir, private_exponent);
  }
  g_assert_cmpuint (count_items (&master_key_schema), ==, 1);
  g_assert_cmpuint (count_items (&schema), ==, 0);

  /* A second time is refused, and changes nothing */
  g_assert_false (ltm_store_add_channel (fixture->store, CHANNEL, "Other", NULL, NULL, NULL, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS);
  g_assert_cmpstr (ltm_channel_get_name (channel), ==, "My bot");
}

/* A bind names its parameter and says when it fails: a statement whose
 * parameter was renamed in the SQL but not where it is bound is an error,
 * not a column left NULL (a secret lost without a word); so is a value
 * SQLite refuses.  The row stays as it was. */
static void
test_store_bind_fails (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmStoreDb) db = NULL;
  g_autoptr(sqlite3_stmt) renamed = NULL;
  g_autoptr(sqlite3_stmt) sealed_renamed = NULL;
  g_autoptr(sqlite3_stmt) too_big = NULL;
  g_autoptr(LtmSealKey) key = ltm_seal_key_generate ();
  gboolean ok;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, NULL, &error));
  db = ltm_store_db_open (fixture->dir, LTM_STORE_DB_OPEN_READ, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);

  /* :name became :label in the SQL only */
  renamed = ltm_store_db_prepare (db, "UPDATE channels SET name = :label "
                                  "WHERE channel_id = :channel_id", &error);
  g_assert_no_error (error);
  ok = ltm_store_bind_text (renamed, ":channel_id", CHANNEL, &error) &&
       ltm_store_bind_text (renamed, ":name", "Two", &error) &&
       ltm_store_db_step (db, renamed, &error);
  g_assert_false (ok);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, ":name"));
  g_clear_error (&error);

  /* The same for a sealed value */
  sealed_renamed = ltm_store_db_prepare (db, "UPDATE channels SET sealed_secret = :secret "
                                         "WHERE channel_id = :channel_id", &error);
  g_assert_no_error (error);
  ok = ltm_store_bind_text (sealed_renamed, ":channel_id", CHANNEL, &error) &&
       ltm_store_bind_sealed (sealed_renamed, ":sealed_secret", key, CHANNEL, KIND_SECRET, NULL,
                              SECRET, &error) &&
       ltm_store_db_step (db, sealed_renamed, &error);
  g_assert_false (ok);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, ":sealed_secret"));
  g_clear_error (&error);

  /* A sealed value longer than SQLite takes: refused, and said */
  sqlite3_limit (ltm_store_db_get_handle (db), SQLITE_LIMIT_LENGTH, 32);
  too_big = ltm_store_db_prepare (db, "UPDATE channels SET sealed_secret = :sealed_secret "
                                  "WHERE channel_id = :channel_id", &error);
  g_assert_no_error (error);
  ok = ltm_store_bind_text (too_big, ":channel_id", CHANNEL, &error) &&
       ltm_store_bind_sealed (too_big, ":sealed_secret", key, CHANNEL, KIND_SECRET, NULL, SECRET,
                              &error) &&
       ltm_store_db_step (db, too_big, &error);
  g_assert_false (ok);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, ":sealed_secret"));

  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels "
                                       "WHERE name = 'One' AND sealed_secret IS NULL"), ==, 1);
}

static void
test_store_tokens (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) v21 = fake_token ("key-id-1", 30 * 86400);
  g_autoptr(LtmLineToken) short_lived = fake_token (NULL, 30 * 86400);
  g_autofree char *key_id = NULL;
  g_autofree char *local_id = NULL;
  g_autoptr(LtmSecret) stored = NULL;
  g_autoptr(LtmSecret) gone = NULL;
  LtmChannel *channel;
  LtmToken *token;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, NULL, KID, fixture->key, NULL, &error));

  key_id = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_V21, v21, now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key_id, ==, "key-id-1");
  local_id = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_SHORT_LIVED, short_lived,
                                  now, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (local_id, "local-"));

  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_assert_cmpuint (g_list_model_get_n_items (ltm_channel_get_tokens (channel)), ==, 2);
  token = ltm_channel_find_token (channel, "key-id-1");
  g_assert_cmpint (ltm_token_get_kind (token), ==, LTM_TOKEN_KIND_V21);
  g_assert_cmpint (ltm_token_get_expires_at (token), ==, now + 30 * 86400);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_VALID);
  g_assert_cmpuint (ltm_channel_count_usable_v21 (channel, now), ==, 1);

  stored = ltm_store_get_token (fixture->store, CHANNEL, "key-id-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, v21->access_token);
  assert_no_secret_in_files (fixture->dir, v21->access_token);
  assert_no_secret_in_files (fixture->dir, short_lived->access_token);

  /* Revoked: the model follows, and the secret leaves the store */
  g_assert_true (ltm_store_set_token_state (fixture->store, CHANNEL, "key-id-1", TRUE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_REVOKED);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens "
                              "WHERE key_id = 'key-id-1' AND sealed_token IS NULL"), ==, 1);
  gone = ltm_store_get_token (fixture->store, CHANNEL, "key-id-1", &error);
  g_assert_null (gone);
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (ltm_store_set_token_state (fixture->store, CHANNEL, "nope", TRUE, FALSE, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
}

static void
test_store_token_status (void)
{
  gint64 now = 1796000000;
  g_autoptr(LtmToken) token = ltm_token_new ("k", LTM_TOKEN_KIND_V21, now, now + 10 * 86400);

  ltm_token_update_status (token, now, LTM_TOKEN_DEFAULT_WARNING);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_VALID);
  ltm_token_update_status (token, now + 4 * 86400, LTM_TOKEN_DEFAULT_WARNING);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_EXPIRING);
  ltm_token_update_status (token, now + 10 * 86400, LTM_TOKEN_DEFAULT_WARNING);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_EXPIRED);
  g_assert_false (ltm_token_is_usable (token, now + 10 * 86400));
  ltm_token_set_unknown (token, TRUE);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_UNKNOWN);
  ltm_token_set_revoked (token, TRUE);
  g_assert_cmpint (ltm_token_get_status (token), ==, LTM_TOKEN_STATUS_REVOKED);
  g_assert_cmpstr (ltm_token_status_to_string (LTM_TOKEN_STATUS_EXPIRING), ==, "expiring");
}

static void
test_store_remove_channel (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = fake_token ("key-id-1", 86400);
  g_autofree char *key_id = NULL;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, NULL, KID, fixture->key, SECRET, &error));
  key_id = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_V21, token, 0, &error);
  g_assert_no_error (error);

  g_assert_true (ltm_store_remove_channel (fixture->store, CHANNEL, &error));
  g_assert_no_error (error);
  g_assert_null (ltm_store_find_channel (fixture->store, CHANNEL));

  /* Not one of its rows, nor its tokens' rows, is left */
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens"), ==, 0);

  g_assert_false (ltm_store_remove_channel (fixture->store, CHANNEL, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND);
}

static void
test_store_replace_key (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) other = ltm_test_load_key ("rfc7515-a2.jwk", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmKey) stored = NULL;
  LtmChannel *channel;
  guint kid_notifications = 0;
  gboolean ok;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, NULL, KID, fixture->key, NULL, &error));
  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_signal_connect_swapped (channel, "notify::kid", G_CALLBACK (g_atomic_int_inc), &kid_notifications);

  ok = ltm_store_set_key (fixture->store, CHANNEL, other, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* The same object, updated: views bound to it follow */
  g_assert_true (ltm_store_find_channel (fixture->store, CHANNEL) == channel);
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, ltm_key_get_thumbprint (other));
  /* the old kid named the old key */
  g_assert_null (ltm_channel_get_kid (channel));
  g_assert_cmpuint (kid_notifications, ==, 1);

  stored = ltm_store_get_key (fixture->store, CHANNEL, &error);
  g_assert_cmpstr (ltm_key_get_thumbprint (stored), ==, ltm_key_get_thumbprint (other));
}

static void
test_store_damaged_file (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char damaged[] = "SQLite format 3\0 but nothing after that is a database page";
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  gsize len = 0;

  g_mkdir_with_parents (fixture->dir, 0700);
  g_assert_true (g_file_set_contents (ltm_store_get_path (fixture->store), damaged,
                                      sizeof damaged, NULL));

  g_assert_false (ltm_store_load (fixture->store, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, ltm_store_get_path (fixture->store)));
  g_clear_error (&error);

  /* Nothing writes over it */
  g_assert_false (ltm_store_add_channel (fixture->store, CHANNEL, NULL, NULL, NULL, SECRET, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_DAMAGED);
  g_assert_true (g_file_get_contents (ltm_store_get_path (fixture->store), &kept, &len, NULL));
  g_assert_cmpmem (kept, len, damaged, sizeof damaged);
}

static void
test_store_newer_version (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, NULL, &error));
  run_sql (fixture, "PRAGMA user_version = 99");

  /* A new store object: the connections of the old one know the schema */
  g_clear_object (&fixture->store);
  fixture->store = ltm_store_new (fixture->dir);
  g_assert_false (ltm_store_add_channel (fixture->store, "42", NULL, NULL, NULL, SECRET, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION);
  g_clear_error (&error);
  g_assert_false (ltm_store_load (fixture->store, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NEWER_VERSION);

  g_assert_cmpint (query_int (fixture, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels"), ==, 1);
}

/* Deploy targets and the last delivery are plain columns; a second store
 * object (another process) reads them back; bad targets are refused. */
static void
test_store_deploy_targets (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmStore) other = NULL;
  LtmDeployTargets targets = { (char *) "/srv/bot/.env", (char *) "LINE_TOKEN",
                               (char *) "systemctl --user restart bot", 3600 };
  LtmDeployTargets bad = { (char *) "relative/.env", NULL, NULL, 0 };
  LtmDeployTargets bad_name = { NULL, (char *) "1TOKEN", NULL, 0 };
  LtmDeployTargets bad_command = { NULL, NULL, (char *) "echo \033]0;title\007", 0 };
  LtmDeployTargets script = { NULL, NULL, (char *) "cat > /dev/null &&\n\tsystemctl restart x", 0 };
  LtmChannel *channel;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, NULL, &error));
  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_assert_false (ltm_channel_has_deploy_target (channel));

  g_assert_true (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &targets, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_channel_get_env_file (channel), ==, "/srv/bot/.env");
  g_assert_cmpstr (ltm_channel_get_env_name (channel), ==, "LINE_TOKEN");
  g_assert_cmpstr (ltm_channel_get_deploy_command (channel), ==, "systemctl --user restart bot");
  g_assert_cmpint (ltm_channel_get_grace (channel), ==, 3600);
  g_assert_true (ltm_channel_has_deploy_target (channel));

  g_assert_true (ltm_store_set_delivery (fixture->store, CHANNEL, LTM_DELIVERY_FAILED, 1800000000,
                                         "exit 3: no", &error));
  g_assert_cmpint (query_int (fixture, "SELECT grace FROM channels"), ==, 3600);
  g_assert_cmpint (query_int (fixture, "SELECT delivered_at FROM channels"), ==, 1800000000);

  other = ltm_store_new (fixture->dir);
  g_assert_true (ltm_store_load (other, &error));
  channel = ltm_store_find_channel (other, CHANNEL);
  g_assert_cmpstr (ltm_channel_get_env_file (channel), ==, "/srv/bot/.env");
  g_assert_cmpint (ltm_channel_get_delivery (channel), ==, LTM_DELIVERY_FAILED);
  g_assert_cmpstr (ltm_channel_get_delivery_message (channel), ==, "exit 3: no");

  g_assert_false (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &bad, &error));
  g_assert_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET);
  g_clear_error (&error);
  g_assert_false (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &bad_name, &error));
  g_assert_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET);
  g_clear_error (&error);
  g_assert_false (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &bad_command, &error));
  g_assert_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_DEPLOY_TARGET);
  g_clear_error (&error);
  g_assert_true (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &script, &error));
  g_assert_no_error (error);
  ltm_test_assert_finalize_soon (g_steal_pointer (&other));
}

/* Replaced and retiring tokens, with their time; a revoked one stays revoked. */
static void
test_store_retire_tokens (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) one = fake_token ("k1", 3600);
  g_autoptr(LtmLineToken) two = fake_token ("k2", 3600);
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  const char *both[] = { "k1", "k2", NULL };
  LtmChannel *channel;
  LtmToken *token;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, SECRET, &error));
  id1 = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_V21, one, 1800000000, &error);
  id2 = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_V21, two, 1800000000, &error);
  g_assert_no_error (error);
  g_assert_true (ltm_store_set_token_state (fixture->store, CHANNEL, "k2", TRUE, FALSE, &error));

  g_assert_true (ltm_store_retire_tokens (fixture->store, CHANNEL, both,
                                          LTM_TOKEN_RETIREMENT_RETIRING, 1800003600, &error));
  g_assert_no_error (error);
  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  token = ltm_channel_find_token (channel, "k1");
  g_assert_cmpint (ltm_token_get_retirement (token), ==, LTM_TOKEN_RETIREMENT_RETIRING);
  g_assert_cmpint (ltm_token_get_retire_at (token), ==, 1800003600);
  token = ltm_channel_find_token (channel, "k2");
  g_assert_cmpint (ltm_token_get_retirement (token), ==, LTM_TOKEN_RETIREMENT_NONE);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens WHERE retirement = 'retiring'"),
                   ==, 1);
}

/* A store of schema 1 (before deploy targets) is brought up to date, its
 * rows kept. */
static void
test_store_schema_upgrade (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  LtmDeployTargets targets = { (char *) "/tmp/x.env", NULL, NULL, 0 };

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, NULL, &error));
  run_sql (fixture, "ALTER TABLE channels DROP COLUMN env_file;"
                    "ALTER TABLE channels DROP COLUMN env_name;"
                    "ALTER TABLE channels DROP COLUMN deploy_command;"
                    "ALTER TABLE channels DROP COLUMN grace;"
                    "ALTER TABLE channels DROP COLUMN delivery;"
                    "ALTER TABLE channels DROP COLUMN delivered_at;"
                    "ALTER TABLE channels DROP COLUMN delivery_message;"
                    "ALTER TABLE tokens DROP COLUMN retirement;"
                    "ALTER TABLE tokens DROP COLUMN retire_at;"
                    "DROP TABLE webhook_events;"
                    "DROP TABLE webhook_restores;"
                    "DROP TABLE webhook_bots;"
                    "PRAGMA user_version = 1");

  g_clear_object (&fixture->store);
  fixture->store = ltm_store_new (fixture->dir);
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_nonnull (ltm_store_find_channel (fixture->store, CHANNEL));
  g_assert_true (ltm_store_set_deploy_targets (fixture->store, CHANNEL, &targets, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels "
                                       "WHERE env_file = '/tmp/x.env' AND name = 'One'"), ==, 1);
}

static void
test_store_two_writers (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(LtmStore) other = ltm_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;

  /* Both loaded the same (empty) list, as the window and ltm would */
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_true (ltm_store_load (other, &error));

  g_assert_true (ltm_store_add_channel (fixture->store, "111", "one", NULL, NULL, NULL, &error));
  g_assert_true (ltm_store_add_channel (other, "222", "two", NULL, NULL, NULL, &error));
  g_assert_true (ltm_store_set_name (fixture->store, "222", "two, renamed", &error));
  g_assert_no_error (error);

  /* Nothing was lost: each sees both once it reads the store again (the
   * window does when the database changes) */
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_true (ltm_store_load (other, &error));
  g_assert_nonnull (ltm_store_find_channel (other, "111"));
  g_assert_nonnull (ltm_store_find_channel (fixture->store, "222"));
  g_assert_true (ltm_store_load (other, &error));
  g_assert_cmpstr (ltm_channel_get_name (ltm_store_find_channel (other, "222")), ==, "two, renamed");
  g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (other)), ==, 2);
}

static void
test_store_check_and_repair (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmLineToken) token = fake_token ("key-id-1", 86400);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autofree char *key_id = NULL;
  LtmChannel *channel;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, NULL, KID, fixture->key, SECRET, &error));
  key_id = ltm_store_add_token (fixture->store, CHANNEL, LTM_TOKEN_KIND_V21, token, 0, &error);

  none = ltm_store_check (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* Behind the store's back: channel 42's secret copied over this
   * channel's, and a token's secret dropped */
  g_assert_true (ltm_store_add_channel (fixture->store, "42", NULL, NULL, NULL, "other-secret",
                                        &error));
  run_sql (fixture, "UPDATE channels SET sealed_secret = (SELECT sealed_secret FROM channels "
                    "WHERE channel_id = '42') WHERE channel_id = '" CHANNEL "'");
  run_sql (fixture, "UPDATE tokens SET sealed_token = NULL WHERE key_id = 'key-id-1'");

  /* The moved value does not open, though its own row's would */
  g_assert_null (ltm_store_get_secret (fixture->store, CHANNEL, &error));
  g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_SEALED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  problems = ltm_store_check (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 2);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("%s", ((LtmStoreProblem *) g_ptr_array_index (problems, i))->description);

  /* Repair drops what is unusable, and nothing else */
  g_assert_true (ltm_store_repair (fixture->store, &error));
  g_assert_no_error (error);
  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_assert_null (ltm_channel_find_token (channel, "key-id-1"));
  g_assert_false (ltm_channel_get_has_secret (channel));
  g_assert_true (ltm_channel_get_has_key (channel));
  g_assert_true (ltm_channel_get_has_secret (ltm_store_find_channel (fixture->store, "42")));

  g_clear_pointer (&none, g_ptr_array_unref);
  none = ltm_store_check (fixture->store, &error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_store_async (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GAsyncResult) kid_set = NULL;
  g_autoptr(GAsyncResult) got = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(LtmStore) other = ltm_store_new (fixture->dir);
  guint items_changed = 0;

  g_signal_connect_swapped (ltm_store_get_channels (fixture->store), "items-changed",
                            G_CALLBACK (g_atomic_int_inc), &items_changed);

  ltm_store_add_channel_async (fixture->store, CHANNEL, "Async", NULL, fixture->key, SECRET,
                               NULL, ltm_async_result_cb, &added);
  g_assert_true (ltm_store_change_finish (fixture->store, ltm_async_wait (&added), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (items_changed, ==, 1);
  g_assert_nonnull (ltm_store_find_channel (fixture->store, CHANNEL));

  ltm_store_set_kid_async (fixture->store, CHANNEL, KID, NULL, ltm_async_result_cb, &kid_set);
  g_assert_true (ltm_store_change_finish (fixture->store, ltm_async_wait (&kid_set), &error));
  g_assert_cmpstr (ltm_channel_get_kid (ltm_store_find_channel (fixture->store, CHANNEL)), ==, KID);

  ltm_store_get_secret_async (fixture->store, CHANNEL, NULL, ltm_async_result_cb, &got);
  secret = ltm_store_get_secret_finish (fixture->store, ltm_async_wait (&got), &error);
  g_assert_cmpstr (secret, ==, SECRET);

  ltm_store_load_async (other, NULL, ltm_async_result_cb, &loaded);
  g_assert_true (ltm_store_change_finish (other, ltm_async_wait (&loaded), &error));
  g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (other)), ==, 1);
}

/* No D-Bus session, no key file: the list works, a secret cannot be kept,
 * and the message names the way out. */
static void
test_store_keyring_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(LtmStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_build_filename (base_dir, "no-keyring", NULL);

      /* The Secret Service over a session bus that is not there. */
      g_setenv ("SECRET_BACKEND", "service", TRUE);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ltm-test-bus", TRUE);
      g_unsetenv ("LTM_MASTER_KEY_FILE");
      g_unsetenv ("CREDENTIALS_DIRECTORY");
      store = ltm_store_new (dir);

      g_assert_false (ltm_store_add_channel (store, CHANNEL, NULL, NULL, NULL, SECRET, &error));
      g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_UNAVAILABLE);
      g_printerr ("%s\n", error->message);
      /* no half-written channel, and no empty store either */
      g_assert_null (ltm_store_find_channel (store, CHANNEL));
      g_assert_false (g_file_test (ltm_store_get_path (store), G_FILE_TEST_EXISTS));
      g_assert_true (ltm_store_load (store, NULL));
      g_assert_null (ltm_store_find_channel (store, CHANNEL));

      /* A channel without secrets needs no master key */
      g_assert_true (ltm_store_add_channel (store, CHANNEL, "No secrets", NULL, NULL, NULL, NULL));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*LTM_MASTER_KEY_FILE*");
}

/* A machine without a desktop: the master key in a file. */
static void
test_store_master_key_file (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(LtmStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LtmSecret) secret = NULL;
      g_autofree char *dir = g_build_filename (base_dir, "headless", NULL);
      g_autofree char *key_file = g_build_filename (base_dir, "headless.key", NULL);
      GStatBuf st;

      g_setenv ("SECRET_BACKEND", "service", TRUE);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ltm-test-bus", TRUE);
      g_unsetenv ("CREDENTIALS_DIRECTORY");
      store = ltm_store_new (dir);

      /* A key file that cannot be written leaves no store behind */
      g_assert_false (ltm_store_init_master_key_file (store, "/nonexistent/headless.key", &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_false (g_file_test (ltm_store_get_path (store), G_FILE_TEST_EXISTS));

      g_assert_true (ltm_store_init_master_key_file (store, key_file, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_stat (key_file, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);

      /* Never overwritten, never a second key */
      g_assert_false (ltm_store_init_master_key_file (store, key_file, &error));
      g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS);
      g_clear_error (&error);

      g_setenv ("LTM_MASTER_KEY_FILE", key_file, TRUE);
      g_assert_true (ltm_store_add_channel (store, CHANNEL, NULL, NULL, NULL, SECRET, &error));
      g_assert_no_error (error);
      secret = ltm_store_get_secret (store, CHANNEL, &error);
      g_assert_cmpstr (secret, ==, SECRET);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Another master key is told apart from damage, and changes nothing. */
static void
test_store_wrong_master_key (void)
{
  /* The child runs in a folder of its own: it is told the parent's. */
  const char *parent_dir = g_test_subprocess () ? g_getenv ("TEST_PARENT_DIR") : base_dir;
  g_autofree char *dir = g_build_filename (parent_dir, "wrong-key", NULL);
  g_autofree char *other_dir = g_build_filename (parent_dir, "wrong-key-other", NULL);
  g_autofree char *right = g_build_filename (parent_dir, "wrong-key.right", NULL);
  g_autofree char *wrong = g_build_filename (parent_dir, "wrong-key.wrong", NULL);
  g_autoptr(LtmStore) store = ltm_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) secret = NULL;

  if (g_test_subprocess ())
    {
      g_setenv ("LTM_MASTER_KEY_FILE", wrong, TRUE);
      g_assert_null (ltm_store_get_secret (store, CHANNEL, &error));
      g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_WRONG_MASTER_KEY);
      g_printerr ("%s\n", error->message);
      g_clear_error (&error);
      g_assert_false (ltm_store_set_secret (store, CHANNEL, "new", &error));
      g_assert_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_WRONG_MASTER_KEY);
      return;
    }

  /* Two stores, each with its key file */
  {
    g_autoptr(LtmStore) other = ltm_store_new (other_dir);

    g_assert_true (ltm_store_init_master_key_file (store, right, &error));
    g_assert_true (ltm_store_init_master_key_file (other, wrong, &error));
    g_assert_no_error (error);
  }
  g_setenv ("LTM_MASTER_KEY_FILE", right, TRUE);
  g_assert_true (ltm_store_add_channel (store, CHANNEL, NULL, NULL, NULL, SECRET, &error));
  g_unsetenv ("LTM_MASTER_KEY_FILE");

  g_setenv ("TEST_PARENT_DIR", base_dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*sealed with another master key*");

  /* and the right key still opens what it sealed */
  secret = ltm_store_get_secret (store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, SECRET);
}

/* Every change moves the store's generation forward; another process's
 * view follows on load. */
static gint64
read_generation (Fixture *fixture)
{
  return query_int (fixture, "SELECT value FROM meta WHERE name = 'generation'");
}

static void
test_store_generation (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(LtmStore) other = ltm_store_new (fixture->dir);
  g_autoptr(GError) error = NULL;
  gint64 first, second;

  g_assert_true (ltm_store_add_channel (fixture->store, CHANNEL, "One", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  first = read_generation (fixture);
  g_assert_cmpint (first, >, 0);

  g_assert_true (ltm_store_load (other, &error));
  g_assert_true (ltm_store_set_name (fixture->store, CHANNEL, "Two", &error));
  second = read_generation (fixture);
  g_assert_cmpint (second, >, first);

  /* Another process's view: the change shows on load... */
  g_assert_true (ltm_store_load (other, &error));
  g_assert_cmpstr (ltm_channel_get_name (ltm_store_find_channel (other, CHANNEL)), ==, "Two");

  /* ...and its own change after it, then a removal, each once */
  g_assert_true (ltm_store_set_name (other, CHANNEL, "Three", &error));
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_cmpstr (ltm_channel_get_name (ltm_store_find_channel (fixture->store, CHANNEL)), ==,
                   "Three");
  g_assert_true (ltm_store_remove_channel (other, CHANNEL, &error));
  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_null (ltm_store_find_channel (fixture->store, CHANNEL));
  g_assert_cmpint (read_generation (fixture), ==, second + 2);
}

/* The first layout: channels.json (as 0.1 wrote it) and one keyring item
 * per secret. */
static void
write_legacy_layout (Fixture    *fixture,
                     const char *jwk)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = ltm_test_read_data ("legacy-channels.json", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "channels.json", NULL);
  struct {
    const char *channel, *kind, *key_id, *secret;
  } items[] = {
    { CHANNEL, "assertion-key", NULL, jwk },
    { CHANNEL, "channel-secret", NULL, SECRET },
    { CHANNEL, "access-token", "key-id-1", "eyJ-legacy-token-one" },
    { "2345678901", "access-token", "key-id-9", "eyJ-legacy-token-nine" },
    /* left by a crash: in the keyring, not in the list */
    { "3456789012", "channel-secret", NULL, "orphan-secret" },
  };

  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

      g_hash_table_insert (attributes, "channel", (gpointer) items[i].channel);
      g_hash_table_insert (attributes, "kind", (gpointer) items[i].kind);
      if (items[i].key_id != NULL)
        g_hash_table_insert (attributes, "key-id", (gpointer) items[i].key_id);
      g_assert_true (secret_password_storev_sync (&schema, attributes, NULL, "legacy",
                                                  items[i].secret, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
assert_migrated (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(LtmSecret) orphan = NULL;
  g_autofree char *done = g_build_filename (fixture->dir, "channels.json.migrated", NULL);
  g_autofree char *old = g_build_filename (fixture->dir, "channels.json", NULL);
  LtmChannel *channel;
  LtmToken *listed;

  g_assert_true (ltm_store_load (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (ltm_store_get_channels (fixture->store)), ==, 3);

  channel = ltm_store_find_channel (fixture->store, CHANNEL);
  g_assert_cmpstr (ltm_channel_get_name (channel), ==, "First bot");
  g_assert_cmpstr (ltm_channel_get_kid (channel), ==, KID);
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==,
                   ltm_key_get_thumbprint (fixture->key));
  listed = ltm_channel_find_token (channel, "key-id-1");
  g_assert_cmpint (ltm_token_get_issued_at (listed), ==, 1796500000);
  g_assert_cmpint (ltm_token_get_expires_at (listed), ==, 1799092000);
  g_assert_cmpint (ltm_token_get_status (ltm_channel_find_token (channel, "key-id-0")), ==,
                   LTM_TOKEN_STATUS_REVOKED);

  key = ltm_store_get_key (fixture->store, CHANNEL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ltm_key_get_thumbprint (key), ==, ltm_key_get_thumbprint (fixture->key));
  secret = ltm_store_get_secret (fixture->store, CHANNEL, &error);
  g_assert_cmpstr (secret, ==, SECRET);
  token = ltm_store_get_token (fixture->store, "2345678901", "key-id-9", &error);
  g_assert_cmpstr (token, ==, "eyJ-legacy-token-nine");
  orphan = ltm_store_get_secret (fixture->store, "3456789012", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (orphan, ==, "orphan-secret");

  /* The old layout is gone: items of the listed channels, the file renamed */
  g_assert_false (g_file_test (old, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (done, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_items (&schema), ==, 1);      /* the unlisted one is copied, not moved */
  g_assert_cmpuint (count_items (&master_key_schema), ==, 1);
  assert_no_secret_in_files (fixture->dir, "eyJ-legacy-token-one");
  assert_no_secret_in_files (fixture->dir, SECRET);
}

static void
test_store_migration (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(LtmSecret) jwk = ltm_key_to_private_jwk (fixture->key, NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "channels.json", NULL);
  g_autofree char *done = g_build_filename (fixture->dir, "channels.json.migrated", NULL);
  g_autoptr(GError) error = NULL;

  write_legacy_layout (fixture, jwk);
  assert_migrated (fixture);

  /* Interrupted after the copy was committed, before the old layout went:
   * the next open finishes the job, copying nothing twice. */
  g_assert_cmpint (g_rename (done, path), ==, 0);
  g_assert_true (secret_password_store_sync (&schema, NULL, "legacy", SECRET, NULL, &error,
                                             "channel", CHANNEL, "kind", "channel-secret", NULL));
  g_clear_object (&fixture->store);
  fixture->store = ltm_store_new (fixture->dir);
  assert_migrated (fixture);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens"), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  base_dir = g_strdup (ltm_test_get_tmp_dir ());
  ltm_test_use_file_keyring ();

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/store/add-channel", test_store_add_channel);
  ADD ("/store/tokens", test_store_tokens);
  ADD ("/store/remove-channel", test_store_remove_channel);
  ADD ("/store/replace-key", test_store_replace_key);
  ADD ("/store/damaged-file", test_store_damaged_file);
  ADD ("/store/newer-version", test_store_newer_version);
  ADD ("/store/two-writers", test_store_two_writers);
  ADD ("/store/deploy-targets", test_store_deploy_targets);
  ADD ("/store/retire-tokens", test_store_retire_tokens);
  ADD ("/store/schema-upgrade", test_store_schema_upgrade);
  ADD ("/store/check-and-repair", test_store_check_and_repair);
  ADD ("/store/async", test_store_async);
  ADD ("/store/generation", test_store_generation);
  ADD ("/store/migration", test_store_migration);
  ADD ("/store/bind-fails", test_store_bind_fails);
  g_test_add_func ("/store/token-status", test_store_token_status);
  g_test_add_func ("/store/keyring-unavailable", test_store_keyring_unavailable);
  g_test_add_func ("/store/master-key-file", test_store_master_key_file);
  g_test_add_func ("/store/wrong-master-key", test_store_wrong_master_key);

#undef ADD

  status = g_test_run ();
  g_free (base_dir);

  return status;
}
