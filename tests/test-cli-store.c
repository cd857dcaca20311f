/* test-cli-store.c: `ltm channel` and the store behind every command, end
 * to end, against a real keyring (run by test-bus.sh --keyring) and the test
 * server on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <sqlite3.h>

#include "ltm-store.h"

#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "5ecret0123456789abcdef0123456789"

/* The one item the store keeps in the keyring. */
static const SecretSchema schema = {
  "io.github.ltm.LineTokenManager.MasterKey", SECRET_SCHEMA_NONE,
  {
    { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

typedef struct {
  LtmTestServer *server;
  char *dir;
  char *data_dir;
  char *secret_file;
  const char *debug;            /* G_MESSAGES_DEBUG for ltm, or NULL */
  const char *bus;              /* DBUS_SESSION_BUS_ADDRESS for ltm, or NULL */
  const char *master_key_file;  /* LTM_MASTER_KEY_FILE for ltm, or NULL */
  const char *credentials;      /* CREDENTIALS_DIRECTORY for ltm, or NULL */
  const char *deploy_timeout;   /* LTM_TEST_DEPLOY_TIMEOUT for ltm, or NULL */
  gboolean mounted;             /* data_dir is a tmpfs of the test's */
} Fixture;

static GSubprocess *
spawn_ltmv (Fixture            *fixture,
            const char * const *args)
{
  const char *env[19] = {
    "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
    "LTM_DATA_DIR", fixture->data_dir,
    NULL
  };
  guint n = 4;

  if (fixture->debug != NULL)
    {
      env[n++] = "G_MESSAGES_DEBUG";
      env[n++] = fixture->debug;
    }
  if (fixture->bus != NULL)
    {
      /* No bus: no Secret Service, whichever backend the test uses. */
      env[n++] = "DBUS_SESSION_BUS_ADDRESS";
      env[n++] = fixture->bus;
      env[n++] = "SECRET_BACKEND";
      env[n++] = "service";
    }
  if (fixture->master_key_file != NULL)
    {
      env[n++] = "LTM_MASTER_KEY_FILE";
      env[n++] = fixture->master_key_file;
    }
  if (fixture->credentials != NULL)
    {
      env[n++] = "CREDENTIALS_DIRECTORY";
      env[n++] = fixture->credentials;
    }
  if (fixture->deploy_timeout != NULL)
    {
      env[n++] = "LTM_TEST_DEPLOY_TIMEOUT";
      env[n++] = fixture->deploy_timeout;
    }
  env[n] = NULL;

  return ltm_test_spawn_ltm (env, args);
}

static void
run_ltmv (Fixture            *fixture,
          LtmTestRun         *run,
          const char * const *args)
{
  g_autoptr(GSubprocess) process = spawn_ltmv (fixture, args);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_async (process, "", NULL, ltm_async_result_cb, &result);
  g_subprocess_communicate_utf8_finish (process, ltm_async_wait (&result),
                                        &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, NULL);

  /* A signal is a crash: say which, with what ltm printed before it. */
  if (!g_subprocess_get_if_exited (process))
    g_error ("ltm %s %s was killed by signal %d\nstdout: %s\nstderr: %s", args[0],
             args[1] != NULL ? args[1] : "", g_subprocess_get_term_sig (process), run->out,
             run->err);
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("ltm %s %s → %d\nstdout: %s\nstderr: %s",
                  args[0], args[1] != NULL ? args[1] : "", run->status, run->out, run->err);
}

#define run_ltm(fixture, run, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    run_ltmv (fixture, run, run_args); \
  } G_STMT_END

static void
clear_keyring (void)
{
  while (secret_password_clear_sync (&schema, NULL, NULL, NULL))
    ;
}

/* The master keys in the keyring.  Only a Secret Service shows what the
 * ltm processes stored: libsecret's file backend reads its file once per
 * process, so there the count is taken as the expected one. */
static guint
count_keyring_items (guint expected)
{
  g_autoptr(GError) error = NULL;
  GList *items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  guint n = 0;

  g_assert_no_error (error);
  if (g_strcmp0 (g_getenv ("SECRET_BACKEND"), "service") != 0)
    {
      g_list_free_full (items, g_object_unref);
      return expected;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);

      n += g_hash_table_contains (attributes, "store");
    }
  g_list_free_full (items, g_object_unref);

  return n;
}

static char *
store_path (Fixture *fixture)
{
  return g_build_filename (fixture->data_dir, "store.sqlite3", NULL);
}

/* An integer the store's database answers, read behind its back. */
static gint64
query_int (Fixture    *fixture,
           const char *sql)
{
  g_autofree char *path = store_path (fixture);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
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
  g_autoptr(GError) error = NULL;

  clear_keyring ();
  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);

  fixture->dir = g_dir_make_tmp ("ltm-test-cli-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->data_dir = g_build_filename (fixture->dir, "data", NULL);
  fixture->secret_file = g_build_filename (fixture->dir, "secret.txt", NULL);
  g_file_set_contents (fixture->secret_file, SECRET "\n", -1, &error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->mounted)
    {
      g_autofree char *command = g_strdup_printf ("umount '%s'", fixture->data_dir);
      g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
    }

  ltm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->data_dir);
  g_free (fixture->secret_file);
  g_assert_finalize_object (fixture->server);
  clear_keyring ();
}

/* Every plain file the project could have written: data, config, cache. */
static void
assert_nowhere_on_disk (Fixture    *fixture,
                        const char *secret)
{
  const char *dirs[] = {
    fixture->dir, g_get_user_data_dir (), g_get_user_config_dir (), g_get_user_cache_dir (),
  };
  g_autoptr(GString) command = g_string_new ("grep -rlF -- ");
  g_autofree char *quoted = g_shell_quote (secret);
  g_autofree char *out = NULL;
  int status = 0;

  g_string_append (command, quoted);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_shell_quote (dirs[i]);
      g_string_append_printf (command, " %s", dir);
    }

  /* The keyring's own file is encrypted; grep finds the secret nowhere. */
  g_spawn_command_line_sync (command->str, &out, NULL, &status, NULL);
  g_test_message ("%s → %s", command->str, out);
  g_assert_cmpstr (out, ==, "");
}

/* The seed flow with nothing but the store: no key file, no kid, no
 * secret, no token given to any command after `channel add`. */
static void
test_cli_store_flow (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_file = g_build_filename (fixture->dir, "key.json", NULL);
  g_autofree char *kid = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *private_d = NULL;
  g_auto(LtmTestRun) generate = { 0 };
  g_auto(LtmTestRun) public = { 0 };
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) webhook = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };
  g_auto(LtmTestRun) list_after = { 0 };
  g_auto(LtmTestRun) remove = { 0 };
  g_autofree char *reader_path = NULL;
  g_autofree char *wal = NULL;
  sqlite3 *reader = NULL;

  run_ltm (fixture, &generate, "key", "generate", "-o", key_file);
  g_assert_cmpint (generate.status, ==, 0);
  run_ltm (fixture, &public, "key", "public", key_file);
  kid = ltm_test_server_register_key (fixture->server, CHANNEL, public.out, &error);
  g_assert_no_error (error);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *jwk = NULL;

    g_file_get_contents (key_file, &jwk, NULL, NULL);
    json_parser_load_from_data (parser, jwk, -1, NULL);
    private_d = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "d"));
  }

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "My bot", "--kid", kid,
           "--key", key_file, "--secret-file", fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  /* the key file is not needed afterwards */
  g_unlink (key_file);

  /* A reader keeps the database open, so that its WAL stays on disk to be
   * searched for secrets as well. */
  reader_path = store_path (fixture);
  g_assert_cmpint (sqlite3_open (reader_path, &reader), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (reader, "SELECT count (*) FROM channels", NULL, NULL, NULL), ==,
                   SQLITE_OK);

  run_ltm (fixture, &issue, "--json", "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (issue.status, ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *answer;

    json_parser_load_from_data (parser, issue.out, -1, &error);
    g_assert_no_error (error);
    answer = json_node_get_object (json_parser_get_root (parser));
    token = g_strdup (json_object_get_string_member (answer, "access_token"));
    key_id = g_strdup (json_object_get_string_member (answer, "key_id"));
  }

  run_ltm (fixture, &list, "token", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, key_id));
  g_assert_nonnull (strstr (list.out, "valid"));

  /* the newest stored token authenticates: LINE says no webhook is set */
  run_ltm (fixture, &webhook, "webhook", "get", "--channel", CHANNEL);
  g_assert_cmpint (webhook.status, ==, 1);
  g_assert_nonnull (strstr (webhook.err, "Webhook endpoint not found"));

  /* no secret in any plain file (but the secret file we gave, now gone):
   * not in the database, its WAL or anywhere else */
  g_unlink (fixture->secret_file);
  wal = g_strconcat (reader_path, "-wal", NULL);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  assert_nowhere_on_disk (fixture, token);
  assert_nowhere_on_disk (fixture, SECRET);
  assert_nowhere_on_disk (fixture, private_d);

  /* revoke by key ID, with the stored secret */
  run_ltm (fixture, &revoke, "token", "revoke", "--channel", CHANNEL, "--key-id", key_id);
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);
  run_ltm (fixture, &list_after, "--json", "token", "list", "--channel", CHANNEL);
  g_assert_nonnull (strstr (list_after.out, "\"status\" : \"revoked\""));
  sqlite3_close (reader);

  /* the keyring holds the master key alone; removing the channel leaves
   * none of its rows */
  g_assert_cmpuint (count_keyring_items (1), ==, 1);
  run_ltm (fixture, &remove, "channel", "remove", CHANNEL);
  g_assert_cmpint (remove.status, ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels"), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens"), ==, 0);
}

/* A stored short-lived token is named by the store's key ID, and verified
 * and revoked at LINE's v2 endpoints by what the store knows of it:
 * neither --short-lived nor a channel secret is needed. */
static void
test_cli_store_short_lived (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *key_id = NULL;
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) verify = { 0 };
  g_auto(LtmTestRun) env = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) missing = { 0 };
  g_auto(LtmTestRun) none = { 0 };

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Short");
  g_assert_cmpint (add.status, ==, 0);

  run_ltm (fixture, &issue, "--json", "token", "short-lived", "--channel", CHANNEL,
           "--secret-file", fixture->secret_file);
  g_assert_cmpint (issue.status, ==, 0);
  json_parser_load_from_data (parser, issue.out, -1, &error);
  g_assert_no_error (error);
  key_id = g_strdup (json_object_get_string_member (json_node_get_object (
                       json_parser_get_root (parser)), "key_id"));
  g_assert_true (g_str_has_prefix (key_id, "local-"));

  run_ltm (fixture, &verify, "token", "verify", "--channel", CHANNEL, "--key-id", key_id);
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "Valid for channel " CHANNEL));
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/verify");

  /* No channel secret is stored: only the token. */
  run_ltm (fixture, &env, "token", "env", "--channel", CHANNEL);
  g_assert_cmpint (env.status, ==, 0);
  g_assert_true (g_str_has_prefix (env.out, "CHANNEL_ACCESS_TOKEN="));
  g_assert_null (strstr (env.out, "CHANNEL_SECRET="));

  run_ltm (fixture, &revoke, "token", "revoke", "--channel", CHANNEL, "--key-id", key_id);
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_cmpstr (ltm_test_server_get_last_path (fixture->server), ==, "/v2/oauth/revoke");
  run_ltm (fixture, &list, "--json", "token", "list", "--channel", CHANNEL);
  g_assert_nonnull (strstr (list.out, "\"status\" : \"revoked\""));

  run_ltm (fixture, &missing, "token", "verify", "--channel", CHANNEL, "--key-id", "local-x");
  ltm_test_assert_failed_with (&missing, "ltm token list --channel " CHANNEL);
  run_ltm (fixture, &none, "token", "env", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&none, "No usable token is stored for channel " CHANNEL);
  g_assert_nonnull (strstr (none.err, "ltm token issue --channel " CHANNEL));
}

static void
test_cli_store_generate_key (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) missing_kid = { 0 };
  g_auto(LtmTestRun) show = { 0 };
  g_auto(LtmTestRun) set = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *kid = NULL;
  const char *start;
  const char *end;
  g_autofree char *jwk = NULL;

  /* A key that never touches the disk */
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Fresh", "--generate-key");
  g_assert_cmpint (add.status, ==, 0);
  g_assert_nonnull (strstr (add.out, "Register a public key"));

  run_ltm (fixture, &missing_kid, "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (missing_kid.status, ==, 1);
  g_assert_nonnull (strstr (missing_kid.err, "No kid is stored"));

  run_ltm (fixture, &show, "channel", "show", CHANNEL);
  start = strstr (show.out, "Public key:     ");
  g_assert_nonnull (start);
  start += strlen ("Public key:     ");
  end = strchr (start, '\n');
  jwk = g_strndup (start, end - start);
  kid = ltm_test_server_register_key (fixture->server, CHANNEL, jwk, &error);
  g_assert_no_error (error);

  run_ltm (fixture, &set, "channel", "set", CHANNEL, "--kid", kid);
  g_assert_cmpint (set.status, ==, 0);
  run_ltm (fixture, &issue, "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (issue.status, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
}

/* Waits for every process of @processes while the test server (in this
 * process) answers them; each must have exited 0. */
static void
wait_all_ok (GPtrArray *processes)
{
  for (guint i = 0; i < processes->len; i++)
    {
      GSubprocess *process = g_ptr_array_index (processes, i);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_subprocess_communicate_utf8_async (process, "", NULL, ltm_async_result_cb, &result);
      g_subprocess_communicate_utf8_finish (process, ltm_async_wait (&result), &out, &err, &error);
      g_assert_no_error (error);
      g_subprocess_wait (process, NULL, NULL);
      if (g_subprocess_get_exit_status (process) != 0)
        g_error ("process %u: %s", i, err);
    }
}

/* Twelve processes add channels with new keys at once, then twenty-four
 * issue tokens at once, as a window and timers would: every key is
 * stored, every token LINE issued is stored, and the check is clean. */
static void
test_cli_store_concurrent (Fixture       *fixture,
                           gconstpointer  data)
{
  enum { N = 12 };
  g_autoptr(GPtrArray) adding = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) issuing = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) check = { 0 };

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("10000000%02u", i);
      const char *args[] = { "channel", "add", id, "--name", id, "--generate-key", NULL };

      ltm_test_server_add_channel (fixture->server, id, SECRET);
      g_ptr_array_add (adding, spawn_ltmv (fixture, args));
    }
  wait_all_ok (adding);

  /* Each key registered, its kid kept */
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("10000000%02u", i);
      g_autoptr(GError) error = NULL;
      g_autofree char *kid = NULL;
      g_auto(LtmTestRun) show = { 0 };
      g_auto(LtmTestRun) set = { 0 };
      g_autofree char *jwk = NULL;
      const char *start;

      run_ltm (fixture, &show, "channel", "show", id);
      g_assert_cmpint (show.status, ==, 0);
      start = strstr (show.out, "Public key:     ");
      g_assert_nonnull (start);
      start += strlen ("Public key:     ");
      jwk = g_strndup (start, strchr (start, '\n') - start);
      kid = ltm_test_server_register_key (fixture->server, id, jwk, &error);
      g_assert_no_error (error);
      run_ltm (fixture, &set, "channel", "set", id, "--kid", kid);
      g_assert_cmpint (set.status, ==, 0);
    }

  for (guint i = 0; i < 2 * N; i++)
    {
      g_autofree char *id = g_strdup_printf ("10000000%02u", i % N);
      const char *args[] = { "token", "issue", "--channel", id, NULL };

      g_ptr_array_add (issuing, spawn_ltmv (fixture, args));
    }
  wait_all_ok (issuing);

  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("10000000%02u", i);
      g_autofree char *count = g_strdup_printf ("SELECT count (*) FROM tokens WHERE channel_id = "
                                                "'%s' AND sealed_token IS NOT NULL", id);

      g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, id), ==, 2);
      g_assert_cmpint (query_int (fixture, count), ==, 2);
    }
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels "
                                       "WHERE sealed_key IS NOT NULL"), ==, N);

  run_ltm (fixture, &check, "channel", "check");
  g_assert_cmpint (check.status, ==, 0);
  run_ltm (fixture, &list, "--json", "channel", "list");
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("\"10000000%02u\"", i);
      g_assert_nonnull (strstr (list.out, id));
    }
}

static void
test_cli_store_killed_halfway (Fixture       *fixture,
                               gconstpointer  data)
{
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) check = { 0 };

  /* Writers killed at every moment from the start to 20 ms in (a fixed
   * ladder, not chance): the database is whole after each, and reads. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("20000000%02u", i);
      const char *args[] = { "channel", "add", id, "--name", id, "--secret-file",
                             fixture->secret_file, NULL };
      g_autoptr(GSubprocess) process = spawn_ltmv (fixture, args);
      g_autofree char *path = store_path (fixture);
      g_autofree char *integrity = NULL;

      g_usleep (i * 1000);
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS) &&
          query_int (fixture, "SELECT count (*) FROM sqlite_master") > 0)
        g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM pragma_integrity_check "
                                             "WHERE integrity_check != 'ok'"), ==, 0);
    }

  run_ltm (fixture, &list, "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
  run_ltm (fixture, &check, "channel", "check");
  g_assert_cmpint (check.status, ==, 0);
}

/* A file SQLite cannot read is never written over. */
static void
test_cli_store_damaged (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char garbage[] = "not a database, but someone's notes";
  g_autofree char *path = store_path (fixture);
  g_autofree char *kept = NULL;
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) check = { 0 };
  g_auto(LtmTestRun) again = { 0 };

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Kept", "--secret-file",
           fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  g_file_set_contents (path, garbage, -1, NULL);

  run_ltm (fixture, &list, "channel", "list");
  ltm_test_assert_failed_with (&list, "is damaged");
  g_assert_nonnull (strstr (list.err, path));
  run_ltm (fixture, &check, "channel", "check");
  ltm_test_assert_failed_with (&check, "is damaged");
  run_ltm (fixture, &again, "channel", "add", "42", "--name", "New");
  ltm_test_assert_failed_with (&again, "left as it is");

  g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, garbage);
}

/* With G_MESSAGES_DEBUG=all, no private key, secret or token in any
 * output but the one the user asked for (token issue prints its token). */
static void
test_cli_store_debug_output (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autoptr(LtmSecret) jwk = ltm_key_to_private_jwk (key, NULL);
  g_autoptr(JsonObject) private_jwk = ltm_test_parse_object (jwk);
  g_autofree char *key_file = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *public_jwk = ltm_key_to_public_jwk (key);
  g_autofree char *kid = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key_id = NULL;
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) bot = { 0 };
  g_auto(LtmTestRun) verify = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };
  g_auto(LtmTestRun) show = { 0 };

  kid = ltm_test_server_register_key (fixture->server, CHANNEL, public_jwk, &error);
  g_assert_no_error (error);
  fixture->debug = "all";

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Debug", "--kid", kid,
           "--key", key_file, "--secret-file", fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  run_ltm (fixture, &issue, "--json", "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (issue.status, ==, 0);
  {
    g_autoptr(JsonObject) answer = ltm_test_parse_object (issue.out);

    token = g_strdup (json_object_get_string_member (answer, "access_token"));
    key_id = g_strdup (json_object_get_string_member (answer, "key_id"));
  }
  run_ltm (fixture, &list, "token", "list");
  run_ltm (fixture, &bot, "bot", "info", "--channel", CHANNEL);
  run_ltm (fixture, &verify, "token", "verify", "--channel", CHANNEL);
  run_ltm (fixture, &show, "channel", "show", CHANNEL);
  run_ltm (fixture, &revoke, "token", "revoke", "--channel", CHANNEL, "--key-id", key_id);
  g_assert_cmpint (bot.status, ==, 0);
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_cmpint (revoke.status, ==, 0);

  g_string_append_printf (output, "%s%s%s%s%s%s%s%s%s%s%s%s%s",
                          add.out, add.err, issue.err, list.out, list.err, bot.out, bot.err,
                          verify.out, verify.err, show.out, show.err, revoke.out, revoke.err);

  /* the debug output is really there */
  g_assert_nonnull (strstr (output->str, "DEBUG"));
  g_assert_null (strstr (output->str, token));
  g_assert_null (strstr (output->str, SECRET));
  g_assert_null (strstr (output->str, json_object_get_string_member (private_jwk, "d")));
  g_assert_null (strstr (output->str, json_object_get_string_member (private_jwk, "p")));
}

/* The keyring missing (no session bus to reach it) and no key file: a
 * specific error that names the way out, and no half-written channel. */
static void
test_cli_store_keyring_missing (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *store_path = g_build_filename (fixture->data_dir, "store.sqlite3", NULL);
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) list = { 0 };

  fixture->bus = "unix:path=/nonexistent/ltm-test-bus";
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Nowhere", "--secret-file",
           fixture->secret_file);
  ltm_test_assert_failed_with (&add, "LTM_MASTER_KEY_FILE is not set");
  g_assert_nonnull (strstr (add.err, "ltm store init --master-key-file"));
  /* The first channel was not added: no empty store is left in its place */
  g_assert_false (g_file_test (store_path, G_FILE_TEST_EXISTS));

  run_ltm (fixture, &list, "--json", "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_null (strstr (list.out, CHANNEL));
}

/* A server or CI runner: no D-Bus session at all, the master key in a
 * file (LTM_MASTER_KEY_FILE) or a systemd credential. */
static void
run_headless_flow (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *key_file = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *public_jwk = ltm_key_to_public_jwk (key);
  g_autofree char *kid = ltm_test_server_register_key (fixture->server, CHANNEL, public_jwk,
                                                       &error);
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) rotate = { 0 };
  g_auto(LtmTestRun) list = { 0 };

  g_assert_no_error (error);
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Server", "--kid", kid,
           "--key", key_file, "--secret-file", fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  run_ltm (fixture, &issue, "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (issue.status, ==, 0);
  run_ltm (fixture, &rotate, "token", "rotate", "--channel", CHANNEL, "--revoke-old");
  g_assert_cmpint (rotate.status, ==, 0);
  run_ltm (fixture, &list, "token", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "valid"));
  g_assert_nonnull (strstr (list.out, "revoked"));
  g_unlink (fixture->secret_file);
  assert_nowhere_on_disk (fixture, g_strstrip (issue.out));
  assert_nowhere_on_disk (fixture, SECRET);
}

static void
test_cli_store_headless (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *key_file = g_build_filename (fixture->dir, "master.key", NULL);
  g_autofree char *other_file = g_build_filename (fixture->dir, "other.key", NULL);
  g_autofree char *other_data = g_build_filename (fixture->dir, "other-data", NULL);
  g_auto(LtmTestRun) init = { 0 };
  g_auto(LtmTestRun) again = { 0 };
  g_auto(LtmTestRun) info = { 0 };
  g_auto(LtmTestRun) wrong = { 0 };
  g_auto(LtmTestRun) missing = { 0 };
  g_auto(LtmTestRun) readable = { 0 };
  const char *other_env[] = { "LTM_DATA_DIR", other_data, NULL };
  const char *other_args[] = { "store", "init", "--master-key-file", other_file, NULL };
  g_auto(LtmTestRun) other_init = { 0 };
  GStatBuf st;

  fixture->bus = "unix:path=/nonexistent/ltm-test-bus";
  run_ltm (fixture, &init, "store", "init", "--master-key-file", key_file);
  g_assert_cmpint (init.status, ==, 0);
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  run_ltm (fixture, &again, "store", "init", "--master-key-file", other_file);
  ltm_test_assert_failed_with (&again, "has a master key already");
  g_assert_false (g_file_test (other_file, G_FILE_TEST_EXISTS));

  fixture->master_key_file = key_file;
  run_headless_flow (fixture);
  run_ltm (fixture, &info, "store", "info");
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, key_file));
  g_assert_nonnull (strstr (info.out, "Channels:    1"));

  /* Another store's key: told apart from damage */
  ltm_test_run_ltm (&other_init, NULL, other_env, other_args);
  g_assert_cmpint (other_init.status, ==, 0);
  fixture->master_key_file = other_file;
  run_ltm (fixture, &wrong, "token", "list");
  g_assert_cmpint (wrong.status, ==, 0);                /* listing unseals nothing */
  g_clear_pointer (&wrong.out, g_free);
  g_clear_pointer (&wrong.err, g_free);
  run_ltm (fixture, &wrong, "token", "issue", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&wrong, "sealed with another master key");

  fixture->master_key_file = "/nonexistent/master.key";
  run_ltm (fixture, &missing, "token", "issue", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&missing, "/nonexistent/master.key");

  g_chmod (key_file, 0640);
  fixture->master_key_file = key_file;
  run_ltm (fixture, &readable, "token", "issue", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&readable, "0640");
}

static void
test_cli_store_credential (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *credentials = g_build_filename (fixture->dir, "credentials", NULL);
  g_autofree char *key_file = g_build_filename (credentials, "ltm-master-key", NULL);
  g_auto(LtmTestRun) init = { 0 };
  g_auto(LtmTestRun) info = { 0 };

  g_assert_cmpint (g_mkdir (credentials, 0700), ==, 0);
  fixture->bus = "unix:path=/nonexistent/ltm-test-bus";
  run_ltm (fixture, &init, "store", "init", "--master-key-file", key_file);
  g_assert_cmpint (init.status, ==, 0);
  /* systemd makes it readable by the service only */
  g_assert_cmpint (g_chmod (key_file, 0400), ==, 0);

  fixture->credentials = credentials;
  run_headless_flow (fixture);
  run_ltm (fixture, &info, "store", "info");
  g_assert_nonnull (strstr (info.out, "credential"));
}

/* A channel moved from the desktop to a server with export and import. */
static void
test_cli_store_export_import (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *export_file = g_build_filename (fixture->dir, "channel.json", NULL);
  g_autofree char *key_file = g_build_filename (fixture->dir, "server.key", NULL);
  g_autofree char *server_data = g_build_filename (fixture->dir, "server", NULL);
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) export_run = { 0 };
  g_auto(LtmTestRun) twice = { 0 };
  g_auto(LtmTestRun) init = { 0 };
  g_auto(LtmTestRun) import_run = { 0 };
  g_auto(LtmTestRun) show = { 0 };
  g_auto(LtmTestRun) show_here = { 0 };
  g_autofree char *desktop_data = g_strdup (fixture->data_dir);
  GStatBuf st;

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Moving", "--kid", "kid-1",
           "--generate-key", "--secret-file", fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  run_ltm (fixture, &export_run, "channel", "export", CHANNEL, "-o", export_file);
  g_assert_cmpint (export_run.status, ==, 0);
  g_assert_cmpint (g_stat (export_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  run_ltm (fixture, &twice, "channel", "export", CHANNEL, "-o", export_file);
  g_assert_cmpint (twice.status, ==, 1);
  run_ltm (fixture, &show_here, "channel", "show", CHANNEL);

  /* The server: a store of its own, no desktop */
  g_free (fixture->data_dir);
  fixture->data_dir = g_strdup (server_data);
  fixture->bus = "unix:path=/nonexistent/ltm-test-bus";
  run_ltm (fixture, &init, "store", "init", "--master-key-file", key_file);
  g_assert_cmpint (init.status, ==, 0);
  fixture->master_key_file = key_file;
  run_ltm (fixture, &import_run, "channel", "import", export_file);
  g_assert_cmpint (import_run.status, ==, 0);
  run_ltm (fixture, &show, "channel", "show", CHANNEL);
  g_assert_cmpint (show.status, ==, 0);

  /* the same name, kid, key and secret */
  g_assert_cmpstr (show.out, ==, show_here.out);
  g_assert_nonnull (strstr (show.out, "Channel secret: stored"));
  g_free (fixture->data_dir);
  fixture->data_dir = g_steal_pointer (&desktop_data);
}

/* A token 0.1's keyring held but its channels.json did not list (left by
 * a crash) is moved too, and listed with its expiry unknown, not 1970. */
static void
test_cli_store_migrated_unknown (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const SecretSchema legacy = {
    "io.github.ltm.LineTokenManager.Secret", SECRET_SCHEMA_NONE,
    {
      { "channel", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->data_dir, "channels.json", NULL);
  g_auto(LtmTestRun) list = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (fixture->data_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "{\"version\": 1, \"token_fields\": [\"key_id\", "
                                      "\"kind\", \"issued_at\", \"expires_at\", \"revoked\", "
                                      "\"unknown\"], \"channels\": [{\"channel_id\": \"" CHANNEL
                                      "\", \"name\": \"Old\", \"tokens\": []}]}", -1, NULL));
  g_assert_true (secret_password_store_sync (&legacy, NULL, "legacy", "eyJ-unlisted", NULL,
                                             &error, "channel", CHANNEL, "kind", "access-token",
                                             "key-id", "unlistedKeyId", NULL));
  g_assert_no_error (error);

  run_ltm (fixture, &list, "token", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "unlistedKeyId"));
  g_assert_nonnull (strstr (list.out, "unknown"));
  g_assert_null (strstr (list.out, "1970"));
}

/* Makes data_dir a small tmpfs of the test's own; FALSE when not allowed. */
static gboolean
mount_data_dir (Fixture    *fixture,
                const char *size)
{
  g_autofree char *command = NULL;
  int status = -1;

  g_mkdir_with_parents (fixture->data_dir, 0700);
  command = g_strdup_printf ("mount -t tmpfs -o size=%s,mode=0700 ltm-test '%s'",
                             size, fixture->data_dir);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return FALSE;

  fixture->mounted = TRUE;

  return TRUE;
}

static void
test_cli_store_read_only (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *remount = NULL;
  g_auto(LtmTestRun) first = { 0 };
  g_auto(LtmTestRun) second = { 0 };
  g_auto(LtmTestRun) list = { 0 };

  if (!mount_data_dir (fixture, "2m"))
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }

  run_ltm (fixture, &first, "channel", "add", "111", "--name", "before", "--secret-file",
           fixture->secret_file);
  g_assert_cmpint (first.status, ==, 0);

  remount = g_strdup_printf ("mount -o remount,ro '%s'", fixture->data_dir);
  g_assert_true (g_spawn_command_line_sync (remount, NULL, NULL, NULL, NULL));

  run_ltm (fixture, &second, "channel", "add", CHANNEL, "--name", "after", "--secret-file",
           fixture->secret_file);
  ltm_test_assert_failed_with (&second, "readonly database");

  /* Reading still works, and the refused channel is not there. */
  run_ltm (fixture, &list, "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "before"));
  g_assert_null (strstr (list.out, "after"));
  g_assert_cmpuint (count_keyring_items (1), ==, 1);
}

static void
test_cli_store_disk_full (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *filler = g_build_filename (fixture->data_dir, "filler", NULL);
  g_autofree char *fill = NULL;
  g_auto(LtmTestRun) first = { 0 };
  g_auto(LtmTestRun) second = { 0 };
  g_auto(LtmTestRun) third = { 0 };

  if (!mount_data_dir (fixture, "2m"))
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }

  run_ltm (fixture, &first, "channel", "add", "111", "--name", "before");
  g_assert_cmpint (first.status, ==, 0);

  /* Fill the folder to the last byte. */
  fill = g_strdup_printf ("dd if=/dev/zero of='%s' bs=1k", filler);
  g_spawn_command_line_sync (fill, NULL, NULL, NULL, NULL);

  run_ltm (fixture, &second, "channel", "add", CHANNEL, "--name", "after", "--secret-file",
           fixture->secret_file);
  ltm_test_assert_failed_with (&second, "No space left on device");

  /* Room again: the store is whole, without the refused channel, and
   * takes it now. */
  g_unlink (filler);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM channels"), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM pragma_integrity_check "
                                       "WHERE integrity_check != 'ok'"), ==, 0);
  run_ltm (fixture, &third, "channel", "add", CHANNEL, "--name", "after", "--secret-file",
           fixture->secret_file);
  g_assert_cmpint (third.status, ==, 0);
}

/* token rotate, sync and env, from the store alone */
static void
test_cli_store_rotate (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *key_file = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *public_jwk = ltm_key_to_public_jwk (key);
  g_autofree char *kid = NULL;
  g_autofree char *old_token = NULL;
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) nothing_due = { 0 };
  g_auto(LtmTestRun) rotate = { 0 };
  g_auto(LtmTestRun) env = { 0 };
  g_auto(LtmTestRun) sync = { 0 };
  g_auto(LtmTestRun) add_unregistered = { 0 };
  g_auto(LtmTestRun) sync_unregistered = { 0 };
  g_auto(LtmTestRun) refused = { 0 };

  kid = ltm_test_server_register_key (fixture->server, CHANNEL, public_jwk, &error);
  g_assert_no_error (error);
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Rotating", "--kid", kid,
           "--key", key_file, "--secret-file", fixture->secret_file);
  run_ltm (fixture, &issue, "token", "issue", "--channel", CHANNEL, "--token-lifetime", "20d");
  g_assert_cmpint (issue.status, ==, 0);
  old_token = g_strdup (g_strstrip (issue.out));

  /* 20 days left: not due within a week */
  run_ltm (fixture, &nothing_due, "token", "rotate", "--all", "--within", "7d");
  g_assert_cmpint (nothing_due.status, ==, 0);
  g_assert_nonnull (strstr (nothing_due.out, "No stored channel"));

  run_ltm (fixture, &rotate, "token", "rotate", "--all", "--within", "21d");
  g_assert_cmpint (rotate.status, ==, 0);
  g_assert_nonnull (strstr (rotate.out, CHANNEL));
  g_assert_nonnull (strstr (rotate.out, "rotated"));
  /* no deploy target: the old token stays valid, replaced */
  g_assert_nonnull (strstr (rotate.out, "no deploy target"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);

  /* the deploy lines hold the new token, not the revoked one */
  run_ltm (fixture, &env, "token", "env", "--channel", CHANNEL);
  g_assert_cmpint (env.status, ==, 0);
  g_assert_true (g_str_has_prefix (env.out, "CHANNEL_ACCESS_TOKEN="));
  g_assert_null (strstr (env.out, old_token));
  g_assert_nonnull (strstr (env.out, "CHANNEL_SECRET=" SECRET "\n"));

  run_ltm (fixture, &sync, "--json", "token", "sync", "--channel", CHANNEL);
  g_assert_cmpint (sync.status, ==, 0);
  g_assert_nonnull (strstr (sync.out, "\"known\" : 2"));
  g_assert_nonnull (strstr (sync.out, "\"gone\" : 0"));

  /* a channel whose key has no kid yet: what it lacks, and what to type */
  run_ltm (fixture, &add_unregistered, "channel", "add", "2345678901", "--name", "Unregistered",
           "--key", key_file);
  g_assert_cmpint (add_unregistered.status, ==, 0);
  run_ltm (fixture, &sync_unregistered, "token", "sync", "--channel", "2345678901");
  ltm_test_assert_failed_with (&sync_unregistered, "needs a stored key and its kid");
  g_assert_nonnull (strstr (sync_unregistered.err, "ltm channel set CHANNEL --kid KID"));

  /* a channel that cannot rotate: exit 1, the table says why */
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STATUS_500);
  run_ltm (fixture, &refused, "token", "rotate", "--channel", CHANNEL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.out, "failed"));
  g_assert_nonnull (strstr (refused.err, "not fully rotated"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);
}

/* A stored channel with key, kid and secret, and one token issued; its
 * access token. */
static char *
add_rotatable_channel (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *key_file = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *public_jwk = ltm_key_to_public_jwk (key);
  g_autofree char *kid = NULL;
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) issue = { 0 };

  kid = ltm_test_server_register_key (fixture->server, CHANNEL, public_jwk, &error);
  g_assert_no_error (error);
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Deployed", "--kid", kid,
           "--key", key_file, "--secret-file", fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  run_ltm (fixture, &issue, "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (issue.status, ==, 0);

  return g_strdup (g_strstrip (issue.out));
}

/* Turns the main loop (the test server answers) until @path exists and
 * holds @prefix at its start. */
static char *
wait_for_file (const char *path,
               const char *prefix)
{
  LtmTestWait wait = LTM_TEST_WAIT_INIT;
  g_autofree char *what = g_strdup_printf ("%s to hold “%s”", path, prefix);

  for (;;)
    {
      g_autofree char *contents = NULL;

      ltm_test_waiting (&wait, __FILE__, __LINE__, what);
      /* The server answers the bot meanwhile. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);

      if (g_file_get_contents (path, &contents, NULL, NULL) &&
          g_str_has_prefix (contents, prefix))
        return g_steal_pointer (&contents);
    }
}

/* A bot the way the seed deploys one: it reads CHANNEL_ACCESS_TOKEN from
 * its env file before every call and asks for its bot info every 20 ms.
 * It holds a shared lock on the file while it reads and uses the token
 * (opening it again when it was replaced meanwhile), so that whether a
 * call races the revocation is not left to chance.  It writes "ok
 * refused tokens-seen" after each call, until told to stop. */
static const char bot_script[] =
  "import fcntl, os, sys, time, urllib.request, urllib.error\n"
  "base, env, stop, out = sys.argv[1:5]\n"
  "ok = refused = 0\n"
  "seen = set()\n"
  "while not os.path.exists(stop):\n"
  "    f = open(env)\n"
  "    fcntl.flock(f, fcntl.LOCK_SH)\n"
  "    if os.fstat(f.fileno()).st_ino != os.stat(env).st_ino:\n"
  "        f.close()\n"
  "        continue\n"
  "    token = None\n"
  "    for line in f:\n"
  "        if line.startswith('CHANNEL_ACCESS_TOKEN='):\n"
  "            token = line.rstrip('\\n').split('=', 1)[1]\n"
  "    request = urllib.request.Request(base + '/v2/bot/info',\n"
  "                                     headers={'Authorization': 'Bearer ' + token})\n"
  "    try:\n"
  "        urllib.request.urlopen(request, timeout=30).read()\n"
  "        ok += 1\n"
  "    except urllib.error.HTTPError as e:\n"
  "        refused += 1\n"
  "        sys.stderr.write('refused: %d\\n' % e.code)\n"
  "    f.close()\n"
  "    seen.add(token)\n"
  "    with open(out + '.tmp', 'w') as f:\n"
  "        f.write('%d %d %d\\n' % (ok, refused, len(seen)))\n"
  "    os.rename(out + '.tmp', out)\n"
  "    time.sleep(0.02)\n";

/* The bot keeps running through the rotation: not one call refused; its
 * env file holds the new token, every other line and its mode as they
 * were; the old token is revoked at LINE. */
static void
test_cli_store_deploy_bot (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = add_rotatable_channel (fixture);
  g_autofree char *env = g_build_filename (fixture->dir, "bot.env", NULL);
  g_autofree char *stop = g_build_filename (fixture->dir, "bot.stop", NULL);
  g_autofree char *out = g_build_filename (fixture->dir, "bot.out", NULL);
  g_autofree char *before = g_strdup_printf ("# echo bot\nPORT=8080\nCHANNEL_ACCESS_TOKEN=%s\n"
                                             "CHANNEL_SECRET=" SECRET "\n", old_token);
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *final = NULL;
  g_autofree char *new_token = NULL;
  g_autoptr(GSubprocess) bot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(LtmTestRun) set = { 0 };
  g_auto(LtmTestRun) rotate = { 0 };
  g_auto(LtmTestRun) env_lines = { 0 };
  guint ok = 0, refused = 1, seen = 0;
  struct stat st;

  g_assert_true (g_file_set_contents (env, before, -1, &error));
  g_assert_cmpint (g_chmod (env, 0640), ==, 0);
  run_ltm (fixture, &set, "channel", "set", CHANNEL, "--env-file", env);
  g_assert_cmpint (set.status, ==, 0);

  bot = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "python3", "-c", bot_script,
                          ltm_test_server_get_base_url (fixture->server), env, stop, out, NULL);
  g_assert_no_error (error);
  g_free (wait_for_file (out, "5 0 1"));

  run_ltm (fixture, &rotate, "token", "rotate", "--channel", CHANNEL);
  g_assert_cmpint (rotate.status, ==, 0);
  g_assert_nonnull (strstr (rotate.out, "delivered"));
  g_assert_nonnull (strstr (rotate.out, "1 old token revoked"));

  /* The bot goes on with the new token; then it stops. */
  g_free (wait_for_file (out, ""));
  for (LtmTestWait wait = LTM_TEST_WAIT_INIT; seen < 2;)
    {
      g_autofree char *counts = wait_for_file (out, "");

      ltm_test_waiting (&wait, __FILE__, __LINE__, "the bot to see the new token");
      g_assert_cmpint (sscanf (counts, "%u %u %u", &ok, &refused, &seen), ==, 3);
      g_assert_cmpuint (refused, ==, 0);
    }
  g_assert_cmpuint (seen, ==, 2);
  g_assert_true (g_file_set_contents (stop, "", -1, &error));
  g_clear_pointer (&final, g_free);
  g_subprocess_wait_check_async (bot, NULL, ltm_async_result_cb, &result);
  g_assert_true (g_subprocess_wait_check_finish (bot, ltm_async_wait (&result), &error));
  final = wait_for_file (out, "");
  g_assert_cmpint (sscanf (final, "%u %u %u", &ok, &refused, &seen), ==, 3);
  g_test_message ("the bot: %u calls answered, %u refused", ok, refused);
  g_assert_cmpuint (refused, ==, 0);
  g_assert_cmpuint (ok, >, 1);

  run_ltm (fixture, &env_lines, "token", "env", "--channel", CHANNEL);
  new_token = g_strndup (env_lines.out + strlen ("CHANNEL_ACCESS_TOKEN="),
                         strcspn (env_lines.out + strlen ("CHANNEL_ACCESS_TOKEN="), "\n"));
  expected = g_strdup_printf ("# echo bot\nPORT=8080\nCHANNEL_ACCESS_TOKEN=%s\n"
                              "CHANNEL_SECRET=" SECRET "\n", new_token);
  g_file_get_contents (env, &after, NULL, &error);
  g_assert_cmpstr (after, ==, expected);
  g_assert_cmpint (g_stat (env, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
}

/* A deploy command gets exactly the token on standard input; one that
 * fails fails the rotation, and the old token stays valid. */
static void
test_cli_store_deploy_command (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = add_rotatable_channel (fixture);
  g_autofree char *got = g_build_filename (fixture->dir, "got", NULL);
  g_autofree char *command = g_strdup_printf ("cat > '%s'", got);
  g_autofree char *received = NULL;
  g_auto(LtmTestRun) set = { 0 };
  g_auto(LtmTestRun) show = { 0 };
  g_auto(LtmTestRun) deploy = { 0 };
  g_auto(LtmTestRun) set_failing = { 0 };
  g_auto(LtmTestRun) rotate = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) show_failed = { 0 };

  run_ltm (fixture, &set, "channel", "set", CHANNEL, "--deploy-command", command,
           "--grace", "10m");
  g_assert_cmpint (set.status, ==, 0);
  run_ltm (fixture, &show, "channel", "show", CHANNEL);
  g_assert_nonnull (strstr (show.out, command));
  g_assert_nonnull (strstr (show.out, "Grace period:   10 minutes"));

  run_ltm (fixture, &deploy, "token", "deploy", "--channel", CHANNEL);
  g_assert_cmpint (deploy.status, ==, 0);
  g_file_get_contents (got, &received, NULL, &error);
  g_assert_cmpstr (received, ==, old_token);

  run_ltm (fixture, &set_failing, "channel", "set", CHANNEL, "--deploy-command",
           "cat > /dev/null; echo 'the host said no' >&2; exit 3");
  g_assert_cmpint (set_failing.status, ==, 0);
  run_ltm (fixture, &rotate, "token", "rotate", "--channel", CHANNEL, "--revoke-old");
  g_assert_cmpint (rotate.status, ==, 1);
  g_assert_nonnull (strstr (rotate.out, "deploy-failed"));
  g_assert_nonnull (strstr (rotate.out, "exit status 3): the host said no"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);
  run_ltm (fixture, &list, "--json", "token", "list", "--channel", CHANNEL);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens WHERE revoked = 0 "
                                       "AND sealed_token IS NOT NULL"), ==, 2);
  run_ltm (fixture, &show_failed, "channel", "show", CHANNEL);
  g_assert_nonnull (strstr (show_failed.out, "Last delivery:  failed"));
}

/* No target: the old token stays valid; --revoke-old revokes it. */
static void
test_cli_store_revoke_old (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *old_token = add_rotatable_channel (fixture);
  g_auto(LtmTestRun) rotate = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };
  g_auto(LtmTestRun) no_target = { 0 };
  g_auto(LtmTestRun) list = { 0 };

  run_ltm (fixture, &rotate, "token", "rotate", "--channel", CHANNEL);
  g_assert_cmpint (rotate.status, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM tokens "
                                       "WHERE retirement = 'replaced'"), ==, 1);
  run_ltm (fixture, &list, "token", "list");
  g_assert_nonnull (strstr (list.out, "replaced"));

  run_ltm (fixture, &revoke, "token", "rotate", "--channel", CHANNEL, "--revoke-old");
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_nonnull (strstr (revoke.out, "2 old tokens revoked"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  run_ltm (fixture, &no_target, "token", "deploy", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&no_target, "has no deploy target");
}

/* A command that hangs is stopped at the timeout (shortened for the test). */
static void
test_cli_store_deploy_timeout (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *old_token = add_rotatable_channel (fixture);
  g_auto(LtmTestRun) set = { 0 };
  g_auto(LtmTestRun) deploy = { 0 };

  run_ltm (fixture, &set, "channel", "set", CHANNEL, "--deploy-command",
           "echo 'connecting…' >&2; sleep 600");
  g_assert_cmpint (set.status, ==, 0);
  fixture->deploy_timeout = "1";
  run_ltm (fixture, &deploy, "token", "deploy", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&deploy, "ran longer than 1 seconds and was stopped: connecting…");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* GNOME Keyring when run through test-bus.sh --keyring; else libsecret's
   * file backend, the one inside Flatpak. */
  ltm_test_use_file_keyring ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli-store/flow", test_cli_store_flow);
  ADD ("/cli-store/generate-key", test_cli_store_generate_key);
  ADD ("/cli-store/short-lived", test_cli_store_short_lived);
  ADD ("/cli-store/concurrent", test_cli_store_concurrent);
  ADD ("/cli-store/killed-halfway", test_cli_store_killed_halfway);
  ADD ("/cli-store/damaged", test_cli_store_damaged);
  ADD ("/cli-store/debug-output", test_cli_store_debug_output);
  ADD ("/cli-store/keyring-missing", test_cli_store_keyring_missing);
  ADD ("/cli-store/headless", test_cli_store_headless);
  ADD ("/cli-store/credential", test_cli_store_credential);
  ADD ("/cli-store/export-import", test_cli_store_export_import);
  ADD ("/cli-store/migrated-unknown", test_cli_store_migrated_unknown);
  ADD ("/cli-store/read-only", test_cli_store_read_only);
  ADD ("/cli-store/disk-full", test_cli_store_disk_full);
  ADD ("/cli-store/rotate", test_cli_store_rotate);
  ADD ("/cli-store/deploy-bot", test_cli_store_deploy_bot);
  ADD ("/cli-store/deploy-command", test_cli_store_deploy_command);
  ADD ("/cli-store/revoke-old", test_cli_store_revoke_old);
  ADD ("/cli-store/deploy-timeout", test_cli_store_deploy_timeout);

#undef ADD

  return g_test_run ();
}
