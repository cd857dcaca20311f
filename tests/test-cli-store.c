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
} Fixture;

static GSubprocess *
spawn_ltmv (Fixture            *fixture,
            const char * const *args)
{
  const char *env[] = {
    "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
    "LTM_DATA_DIR", fixture->data_dir,
    NULL
  };

  return ltm_test_spawn_ltm (env, args);
}

static void
run_ltmv (Fixture            *fixture,
          LtmTestRun         *run,
          const char * const *args)
{
  const char *env[] = {
    "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
    "LTM_DATA_DIR", fixture->data_dir,
    NULL
  };

  ltm_test_run_ltm (run, NULL, env, args);
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

#undef ADD

  return g_test_run ();
}
