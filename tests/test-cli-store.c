/* test-cli-store.c: `ltm channel` and the store behind every command, end
 * to end, against a real keyring (run by run-with-keyring.sh) and the test
 * server on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include "ltm-store.h"
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
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
  char *dir;
  char *data_dir;
  char *secret_file;
  const char *debug;            /* G_MESSAGES_DEBUG for ltm, or NULL */
  const char *bus;              /* DBUS_SESSION_BUS_ADDRESS for ltm, or NULL */
  gboolean mounted;             /* data_dir is a tmpfs of the test's */
} Fixture;

static GSubprocess *
spawn_ltmv (Fixture            *fixture,
            const char * const *args)
{
  const char *env[11] = {
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
      env[n++] = "DBUS_SESSION_BUS_ADDRESS";
      env[n++] = fixture->bus;
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

static guint
count_keyring_items (void)
{
  g_autoptr(GError) error = NULL;
  GList *items = secret_password_search_sync (&schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  guint n = g_list_length (items);

  g_assert_no_error (error);
  g_list_free_full (items, g_object_unref);

  return n;
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

  /* no secret in any plain file (but the secret file we gave, now gone) */
  g_unlink (fixture->secret_file);
  assert_nowhere_on_disk (fixture, token);
  assert_nowhere_on_disk (fixture, SECRET);
  assert_nowhere_on_disk (fixture, private_d);

  /* revoke by key ID, with the stored secret */
  run_ltm (fixture, &revoke, "token", "revoke", "--channel", CHANNEL, "--key-id", key_id);
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);
  run_ltm (fixture, &list_after, "--json", "token", "list", "--channel", CHANNEL);
  g_assert_nonnull (strstr (list_after.out, "\"status\" : \"revoked\""));

  /* removing the channel leaves no secret in the keyring */
  g_assert_cmpuint (count_keyring_items (), >, 0);
  run_ltm (fixture, &remove, "channel", "remove", CHANNEL);
  g_assert_cmpint (remove.status, ==, 0);
  g_assert_cmpuint (count_keyring_items (), ==, 0);
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

static void
test_cli_store_concurrent (Fixture       *fixture,
                           gconstpointer  data)
{
  enum { N = 8 };
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(LtmTestRun) list = { 0 };

  /* Eight processes add eight channels at once: none is lost. */
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = g_strdup_printf ("10000000%02u", i);
      const char *args[] = { "channel", "add", id, "--name", id, NULL };

      g_ptr_array_add (processes, spawn_ltmv (fixture, args));
    }

  for (guint i = 0; i < N; i++)
    {
      GSubprocess *process = g_ptr_array_index (processes, i);

      g_assert_true (g_subprocess_wait_check (process, NULL, NULL));
    }

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
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  g_autofree char *path = g_build_filename (fixture->data_dir, "channels.json", NULL);
  g_auto(LtmTestRun) list = { 0 };

  /* Writers killed at random moments leave the old file or the new one. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("20000000%02u", i);
      const char *args[] = { "channel", "add", id, "--name", id, NULL };
      g_autoptr(GSubprocess) process = spawn_ltmv (fixture, args);
      g_autofree char *contents = NULL;

      g_usleep (g_rand_int_range (rand, 0, 20000));
      g_subprocess_send_signal (process, SIGKILL);
      g_subprocess_wait (process, NULL, NULL);

      if (g_file_get_contents (path, &contents, NULL, NULL))
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          g_autoptr(GError) error = NULL;

          json_parser_load_from_data (parser, contents, -1, &error);
          g_assert_no_error (error);
        }
    }

  run_ltm (fixture, &list, "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
}

static void
test_cli_store_damaged (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "channels.json", NULL);
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) list = { 0 };
  g_auto(LtmTestRun) check = { 0 };
  g_auto(LtmTestRun) repair = { 0 };
  g_auto(LtmTestRun) after = { 0 };

  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Kept", "--secret-file",
           fixture->secret_file);
  g_assert_cmpint (add.status, ==, 0);
  g_file_set_contents (path, "{ not json", -1, NULL);

  run_ltm (fixture, &list, "channel", "list");
  g_assert_cmpint (list.status, ==, 1);
  g_assert_nonnull (strstr (list.err, "damaged"));
  g_assert_nonnull (strstr (list.err, "channels.json.damaged-"));

  run_ltm (fixture, &check, "channel", "check");
  g_assert_cmpint (check.status, ==, 1);
  g_assert_nonnull (strstr (check.out, CHANNEL));

  run_ltm (fixture, &repair, "channel", "repair");
  g_assert_cmpint (repair.status, ==, 0);
  run_ltm (fixture, &after, "channel", "show", CHANNEL);
  g_assert_cmpint (after.status, ==, 0);
  g_assert_nonnull (strstr (after.out, "Channel secret: stored"));
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

/* The keyring missing (no session bus to reach it): a specific error, and no
 * half-written channel. */
static void
test_cli_store_keyring_missing (Fixture       *fixture,
                                gconstpointer  data)
{
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) list = { 0 };

  fixture->bus = "unix:path=/nonexistent/ltm-test-bus";
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Nowhere", "--secret-file",
           fixture->secret_file);
  ltm_test_assert_failed_with (&add, "The keyring could not be used");
  g_assert_nonnull (strstr (add.err, "GNOME Keyring"));

  run_ltm (fixture, &list, "--json", "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_null (strstr (list.out, CHANNEL));
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

  if (!mount_data_dir (fixture, "64k"))
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
  ltm_test_assert_failed_with (&second, "Read-only file system");

  /* Reading still works, and the refused channel left no secret behind. */
  run_ltm (fixture, &list, "channel", "list");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "before"));
  g_assert_null (strstr (list.out, "after"));
  g_assert_cmpuint (count_keyring_items (), ==, 1);
}

static void
test_cli_store_disk_full (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "channels.json", NULL);
  g_autofree char *filler = g_build_filename (fixture->data_dir, "filler", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *fill = NULL;
  g_auto(LtmTestRun) first = { 0 };
  g_auto(LtmTestRun) second = { 0 };
  g_auto(LtmTestRun) third = { 0 };

  if (!mount_data_dir (fixture, "64k"))
    {
      g_test_skip ("mounting a tmpfs needs root");
      return;
    }

  run_ltm (fixture, &first, "channel", "add", "111", "--name", "before");
  g_assert_cmpint (first.status, ==, 0);
  g_file_get_contents (path, &before, NULL, NULL);

  /* Fill the folder to the last byte. */
  fill = g_strdup_printf ("dd if=/dev/zero of='%s' bs=1k", filler);
  g_spawn_command_line_sync (fill, NULL, NULL, NULL, NULL);

  run_ltm (fixture, &second, "channel", "add", CHANNEL, "--name", "after", "--secret-file",
           fixture->secret_file);
  ltm_test_assert_failed_with (&second, "No space left on device");

  /* The old file, whole; no secret of the refused channel. */
  g_file_get_contents (path, &after, NULL, NULL);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (count_keyring_items (), ==, 0);

  /* Room again: it works. */
  g_unlink (filler);
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
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  /* the deploy lines hold the new token, not the revoked one */
  run_ltm (fixture, &env, "token", "env", "--channel", CHANNEL);
  g_assert_cmpint (env.status, ==, 0);
  g_assert_true (g_str_has_prefix (env.out, "CHANNEL_ACCESS_TOKEN="));
  g_assert_null (strstr (env.out, old_token));
  g_assert_nonnull (strstr (env.out, "CHANNEL_SECRET=" SECRET "\n"));

  run_ltm (fixture, &sync, "--json", "token", "sync", "--channel", CHANNEL);
  g_assert_cmpint (sync.status, ==, 0);
  g_assert_nonnull (strstr (sync.out, "\"known\" : 1"));
  g_assert_nonnull (strstr (sync.out, "\"gone\" : 0"));

  /* a channel that cannot rotate: exit 1, the table says why */
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STATUS_500);
  run_ltm (fixture, &refused, "token", "rotate", "--channel", CHANNEL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.out, "failed"));
  g_assert_nonnull (strstr (refused.err, "not fully rotated"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (g_getenv ("SECRET_BACKEND"), "service") != 0)
    {
      g_test_skip ("needs a real keyring: run through tests/run-with-keyring.sh");
      return g_test_run ();
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli-store/flow", test_cli_store_flow);
  ADD ("/cli-store/generate-key", test_cli_store_generate_key);
  ADD ("/cli-store/concurrent", test_cli_store_concurrent);
  ADD ("/cli-store/killed-halfway", test_cli_store_killed_halfway);
  ADD ("/cli-store/damaged", test_cli_store_damaged);
  ADD ("/cli-store/debug-output", test_cli_store_debug_output);
  ADD ("/cli-store/keyring-missing", test_cli_store_keyring_missing);
  ADD ("/cli-store/read-only", test_cli_store_read_only);
  ADD ("/cli-store/disk-full", test_cli_store_disk_full);
  ADD ("/cli-store/rotate", test_cli_store_rotate);

#undef ADD

  return g_test_run ();
}
