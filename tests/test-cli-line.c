/* test-cli-line.c: `ltm token`, `ltm webhook` and `ltm bot` end to end,
 * running the built binary against the test server on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "0123456789abcdef0123456789abcdef"

typedef struct {
  LtmTestServer *server;
  char *dir;
  char *key_file;
  char *secret_file;
  char *kid;
} Fixture;

/* Runs ltm against the fixture's server, with @env added. */
static void
run_ltmv (Fixture            *fixture,
          LtmTestRun         *run,
          const char         *input,
          const char * const *env,
          const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_strv_builder_add_many (builder, "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
                           NULL);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    g_strv_builder_add (builder, env[i]);
  all = g_strv_builder_end (builder);

  ltm_test_run_ltm (run, input, (const char * const *) all, args);
}

#define run_ltm(fixture, run, input, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    run_ltmv (fixture, run, input, NULL, run_args); \
  } G_STMT_END

#define run_ltm_env(fixture, run, input, env, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    run_ltmv (fixture, run, input, env, run_args); \
  } G_STMT_END

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(LtmTestRun) generate = { 0 };
  g_auto(LtmTestRun) public = { 0 };

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);

  fixture->dir = g_dir_make_tmp ("ltm-test-cli-line-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->key_file = g_build_filename (fixture->dir, "key.json", NULL);
  fixture->secret_file = g_build_filename (fixture->dir, "secret", NULL);
  g_file_set_contents (fixture->secret_file, SECRET "\n", -1, &error);
  g_assert_no_error (error);

  /* The seed flow: make a key, paste its public JWK into the console,
   * which answers the kid. */
  run_ltm (fixture, &generate, NULL, "key", "generate", "-o", fixture->key_file);
  g_assert_cmpint (generate.status, ==, 0);
  run_ltm (fixture, &public, NULL, "key", "public", fixture->key_file);
  g_assert_cmpint (public.status, ==, 0);
  fixture->kid = ltm_test_server_register_key (fixture->server, CHANNEL, public.out, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ltm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->key_file);
  g_free (fixture->secret_file);
  g_free (fixture->kid);
  g_assert_finalize_object (fixture->server);
}

static char *
issue_token (Fixture *fixture)
{
  g_auto(LtmTestRun) run = { 0 };

  run_ltm (fixture, &run, NULL, "token", "issue", "--channel", CHANNEL, "--kid", fixture->kid,
           "--key", fixture->key_file);
  g_assert_cmpint (run.status, ==, 0);

  return g_strdup (g_strstrip (run.out));
}

static GTlsDatabase *
database_for (LtmTestServer *server)
{
  g_autofree char *pem = ltm_test_server_get_certificate_pem (server);

  return ltm_test_tls_database_new (pem);
}

static void
test_cli_line_seed_flow (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmTestServer) receiver = NULL;
  g_autoptr(GTlsDatabase) receiver_ca = NULL;
  g_autofree char *token_file = g_build_filename (fixture->dir, "token", NULL);
  g_autofree char *webhook = NULL;
  g_autofree char *token = NULL;
  g_autofree char *key_id = NULL;
  g_auto(LtmTestRun) issue = { 0 };
  g_auto(LtmTestRun) kids = { 0 };
  g_auto(LtmTestRun) verify = { 0 };
  g_auto(LtmTestRun) set = { 0 };
  g_auto(LtmTestRun) get = { 0 };
  g_auto(LtmTestRun) test = { 0 };
  g_auto(LtmTestRun) bot = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };
  g_auto(LtmTestRun) verify_revoked = { 0 };

  /* issue: --json gives LINE's whole answer */
  run_ltm (fixture, &issue, NULL, "--json", "token", "issue", "--channel", CHANNEL,
           "--kid", fixture->kid, "--key", fixture->key_file, "--token-lifetime", "7d");
  g_assert_cmpint (issue.status, ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *answer;

    json_parser_load_from_data (parser, issue.out, -1, &error);
    g_assert_no_error (error);
    answer = json_node_get_object (json_parser_get_root (parser));
    token = g_strdup (json_object_get_string_member (answer, "access_token"));
    key_id = g_strdup (json_object_get_string_member (answer, "key_id"));
    g_assert_cmpint (json_object_get_int_member (answer, "expires_in"), ==, 7 * 86400);
  }
  g_file_set_contents (token_file, token, -1, &error);

  /* its key ID is listed */
  run_ltm (fixture, &kids, NULL, "token", "kids", "--channel", CHANNEL, "--kid", fixture->kid,
           "--key", fixture->key_file);
  g_assert_cmpint (kids.status, ==, 0);
  g_assert_cmpstr (g_strstrip (kids.out), ==, key_id);
  g_assert_nonnull (strstr (kids.err, "1 valid v2.1 token"));

  /* verify, with the token on standard input */
  run_ltm (fixture, &verify, token, "token", "verify", "-");
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "Valid for channel " CHANNEL));
  g_assert_nonnull (strstr (verify.out, "(in 7 days)"));

  /* set and test a webhook that a local https receiver answers */
  receiver = ltm_test_server_new (LTM_TEST_SERVER_HTTPS, &error);
  g_assert_no_error (error);
  /* The bot checks x-line-signature with the channel secret. */
  ltm_test_server_add_channel (receiver, CHANNEL, SECRET);
  receiver_ca = database_for (receiver);
  ltm_test_server_set_webhook_tls_database (fixture->server, receiver_ca);
  webhook = g_strdup_printf ("%s/_receiver/ok", ltm_test_server_get_base_url (receiver));

  run_ltm (fixture, &set, NULL, "webhook", "set", webhook, "--channel", CHANNEL,
           "--token-file", token_file);
  g_assert_cmpint (set.status, ==, 0);

  run_ltm (fixture, &get, NULL, "--json", "webhook", "get", "--token-file", token_file);
  g_assert_cmpint (get.status, ==, 0);
  g_assert_nonnull (strstr (get.out, webhook));

  run_ltm (fixture, &test, token, "webhook", "test", "--token-file", "-");
  g_assert_cmpint (test.status, ==, 0);
  g_assert_true (g_str_has_prefix (test.out, "OK: "));
  g_assert_nonnull (strstr (test.out, "Status code: 200"));

  /* bot info, with the token from the environment */
  {
    const char * const env[] = { "LTM_ACCESS_TOKEN", token, NULL };

    run_ltm_env (fixture, &bot, NULL, env, "bot", "info");
    g_assert_cmpint (bot.status, ==, 0);
    g_assert_nonnull (strstr (bot.out, "Test Bot"));
    g_assert_nonnull (strstr (bot.out, "Basic ID:     @"));
  }

  /* revoke, with the secret from a file */
  run_ltm (fixture, &revoke, token, "token", "revoke", "--channel", CHANNEL,
           "--secret-file", fixture->secret_file, "-");
  g_assert_cmpint (revoke.status, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);

  run_ltm (fixture, &verify_revoked, NULL, "token", "verify", "--token-file", token_file);
  g_assert_cmpint (verify_revoked.status, ==, 1);
  g_assert_true (g_str_has_prefix (verify_revoked.err, "ltm: LINE: "));
}

static void
test_cli_line_bare_token (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *token = issue_token (fixture);

  /* TOKEN=$(ltm token issue …) gets the token and nothing else */
  g_assert_cmpuint (strlen (token), >, 100);
  g_assert_null (strchr (token, ' '));
  g_assert_null (strchr (token, '\n'));
}

static void
test_cli_line_wrong_kid (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };

  run_ltm (fixture, &run, NULL, "token", "issue", "--channel", CHANNEL,
           "--kid", "00000000-0000-0000-0000-000000000000", "--key", fixture->key_file);
  ltm_test_assert_failed_with (&run, "LINE: Cannot find channel key that satisfies the conditions");
  g_assert_nonnull (strstr (run.err, "X-Line-Request-Id"));
}

static void
test_cli_line_wrong_secret (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *token = issue_token (fixture);
  const char * const env[] = { "LTM_CHANNEL_SECRET", "not-the-secret", NULL };
  g_auto(LtmTestRun) run = { 0 };
  g_auto(LtmTestRun) short_lived = { 0 };

  run_ltm_env (fixture, &run, token, env, "token", "revoke", "--channel", CHANNEL, "-");
  ltm_test_assert_failed_with (&run, "LINE: invalid client_secret");

  run_ltm_env (fixture, &short_lived, NULL, env, "token", "short-lived", "--channel", CHANNEL);
  ltm_test_assert_failed_with (&short_lived, "invalid client_secret");
}

static void
test_cli_line_31st_token (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *key_id = NULL;
      g_autofree char *token = ltm_test_server_issue_token_elsewhere (fixture->server, CHANNEL,
                                                                      3600, &key_id);
      g_assert_nonnull (token);
    }

  run_ltm (fixture, &run, NULL, "token", "issue", "--channel", CHANNEL, "--kid", fixture->kid,
           "--key", fixture->key_file);
  ltm_test_assert_failed_with (&run, "LINE: The maximum number of access tokens has already been issued");
}

static void
test_cli_line_clock_off (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };

  /* LINE's clock an hour behind ours: our exp is too far ahead for it. */
  ltm_test_server_set_clock_offset (fixture->server, -3600);
  run_ltm (fixture, &run, NULL, "token", "issue", "--channel", CHANNEL, "--kid", fixture->kid,
           "--key", fixture->key_file);
  ltm_test_assert_failed_with (&run, "LINE: Invalid exp");
  g_assert_nonnull (strstr (run.err, "clock"));
}

static void
test_cli_line_refusals (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *token = issue_token (fixture);
  const char * const env[] = { "LTM_ACCESS_TOKEN", token, NULL };
  const char * const bad_env[] = { "LTM_ACCESS_TOKEN", "not-a-token", NULL };
  g_auto(LtmTestRun) http = { 0 };
  g_auto(LtmTestRun) unauthorized = { 0 };
  g_auto(LtmTestRun) none = { 0 };
  g_auto(LtmTestRun) unreachable = { 0 };
  LtmTestRun literal[4] = { { 0 } };
  g_auto(LtmTestRun) extra = { 0 };
  g_auto(LtmTestRun) global = { 0 };
  g_auto(LtmTestRun) no_token = { 0 };
  g_auto(LtmTestRun) expired = { 0 };
  guint requests = ltm_test_server_get_request_count (fixture->server);

  run_ltm_env (fixture, &http, NULL, env, "webhook", "set", "http://bot.example.com/hook");
  ltm_test_assert_failed_with (&http, "https://");
  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests);

  run_ltm_env (fixture, &unauthorized, NULL, bad_env, "bot", "info");
  ltm_test_assert_failed_with (&unauthorized, "LINE did not accept the access token");
  g_assert_nonnull (strstr (unauthorized.err, "HTTP 401"));

  run_ltm_env (fixture, &none, NULL, env, "webhook", "get");
  ltm_test_assert_failed_with (&none, "LINE: Webhook endpoint not found");

  run_ltm_env (fixture, &unreachable, NULL, env, "webhook", "test", "https://127.0.0.1:9/hook");
  g_assert_cmpint (unreachable.status, ==, 1);
  g_assert_true (g_str_has_prefix (unreachable.out, "COULD_NOT_CONNECT: "));
  g_assert_nonnull (strstr (unreachable.err, "the webhook test failed"));

  /* A token is never taken from the command line, nor repeated from it,
   * whatever its first character: one in 64 starts with "-", which GOption
   * takes for an option and once named in full.  Fixed tokens, so that the
   * server's random one cannot decide the outcome. */
  for (guint i = 0; i < G_N_ELEMENTS (literal); i++)
    {
      static const char * const pasted[] = {
        "XI9uTokenPastedAsAnArgument", "-XI9uTokenPastedAsAnArgument",
        "--XI9uTokenPastedAsAnArgument", "eyJhbGciOiJIUzI1NiJ9.e30.XI9uTokenPastedAsAnArgument",
      };

      run_ltm (fixture, &literal[i], NULL, "token", "verify", pasted[i]);
      g_assert_cmpint (literal[i].status, ==, 2);
      g_assert_null (strstr (literal[i].err, "TokenPasted"));
    }
  run_ltm (fixture, &extra, NULL, "token", "verify", "-", "XI9uTokenPastedAsAnArgument");
  g_assert_cmpint (extra.status, ==, 2);
  g_assert_null (strstr (extra.err, "TokenPasted"));
  run_ltm (fixture, &global, NULL, "-XI9uSecretLooking", "token", "verify");
  g_assert_cmpint (global.status, ==, 2);
  g_assert_null (strstr (global.err, "XI9u"));

  run_ltm (fixture, &no_token, NULL, "bot", "info");
  ltm_test_assert_failed_with (&no_token, "LTM_ACCESS_TOKEN");

  ltm_test_server_set_clock_offset (fixture->server, 31 * 86400);
  run_ltm_env (fixture, &expired, NULL, env, "token", "verify");
  ltm_test_assert_failed_with (&expired, "LINE: The access token expired");

  for (guint i = 0; i < G_N_ELEMENTS (literal); i++)
    ltm_test_run_clear (&literal[i]);
}

/* A key file given as the token or the secret is refused before anything
 * is sent: the server would otherwise receive the private key. */
static void
test_cli_line_key_not_token (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *jwk = ltm_test_data_path ("webcrypto.jwk");
  g_autofree char *pem = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *token_message = g_strdup_printf ("ltm: %s: This is a key file (a JWK or a PEM "
                                                    "key), not an access token.\n", jwk);
  g_autofree char *secret_message = g_strdup_printf ("ltm: %s: This is a key file (a JWK or a "
                                                     "PEM key), not a channel secret.\n", pem);
  const char * const broken_env[] = { "LTM_ACCESS_TOKEN", "abc\ndef", NULL };
  g_auto(LtmTestRun) token_file = { 0 };
  g_auto(LtmTestRun) secret_file = { 0 };
  g_auto(LtmTestRun) piped = { 0 };
  g_auto(LtmTestRun) broken = { 0 };
  g_auto(LtmTestRun) key_id = { 0 };
  g_autofree char *key_text = ltm_test_read_data ("webcrypto.jwk", NULL);
  guint requests = ltm_test_server_get_request_count (fixture->server);

  run_ltm (fixture, &token_file, NULL, "bot", "info", "--token-file", jwk);
  g_assert_cmpint (token_file.status, ==, 1);
  g_assert_cmpstr (token_file.err, ==, token_message);

  run_ltm (fixture, &secret_file, NULL, "token", "short-lived", "--channel", CHANNEL,
           "--secret-file", pem);
  g_assert_cmpint (secret_file.status, ==, 1);
  g_assert_cmpstr (secret_file.err, ==, secret_message);

  run_ltm (fixture, &piped, key_text, "token", "verify", "-");
  ltm_test_assert_failed_with (&piped, "standard input: This is a key file");

  /* a line break inside: refused, not handed to libsoup as a header */
  run_ltm_env (fixture, &broken, NULL, broken_env, "bot", "info");
  ltm_test_assert_failed_with (&broken, "LTM_ACCESS_TOKEN: This is not an access token");

  run_ltm (fixture, &key_id, NULL, "token", "revoke", "--channel", CHANNEL,
           "--key-id", "\033]0;x\007");
  ltm_test_assert_failed_with (&key_id, "This is not a key ID");
  g_assert_null (strchr (key_id.err, '\033'));

  g_assert_cmpuint (ltm_test_server_get_request_count (fixture->server), ==, requests);
}

/* LINE's words reach the terminal with their control characters visible,
 * never acted on. */
static void
test_cli_line_escapes (Fixture       *fixture,
                       gconstpointer  data)
{
  const char * const env[] = { "LTM_ACCESS_TOKEN", "x", NULL };
  g_auto(LtmTestRun) hostile = { 0 };

  ltm_test_server_set_fault (fixture->server, "/v2/bot/info", LTM_TEST_FAULT_HOSTILE_TEXT);
  run_ltm_env (fixture, &hostile, NULL, env, "bot", "info");
  ltm_test_assert_failed_with (&hostile,
                               "LINE: \\u001b]0;owned\\u0007\\u001b[2J\\u009b31m red second line");
  g_assert_null (strchr (hostile.err, '\033'));
  g_assert_null (strchr (hostile.err, '\007'));
  g_assert_null (strstr (hostile.err, "\302\233"));
  /* one line */
  g_assert_cmpint (strchr (hostile.err, '\n') - hostile.err, ==, strlen (hostile.err) - 1);
}

static void
test_cli_line_network (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(LtmTestRun) refused = { 0 };
  g_auto(LtmTestRun) plain = { 0 };
  g_auto(LtmTestRun) html = { 0 };
  const char * const env[] = { "LTM_ACCESS_TOKEN", "x", NULL };

  run_ltm_env (fixture, &refused, NULL, env, "--api-base", "http://127.0.0.1:9", "bot", "info");
  ltm_test_assert_failed_with (&refused, "Could not reach 127.0.0.1");
  /* The host once, not again in GIO's own words. */
  g_assert_null (strstr (strstr (refused.err, "127.0.0.1") + 1, "127.0.0.1"));

  run_ltm_env (fixture, &plain, NULL, env, "--api-base", "http://api.line.me", "bot", "info");
  ltm_test_assert_failed_with (&plain, "Plain http is only allowed to this computer");

  ltm_test_server_set_fault (fixture->server, "/v2/bot/info", LTM_TEST_FAULT_HTML);
  run_ltm_env (fixture, &html, NULL, env, "bot", "info");
  ltm_test_assert_failed_with (&html, "web page");
}

static void
test_cli_line_stateless_short_lived (Fixture       *fixture,
                                     gconstpointer  data)
{
  g_auto(LtmTestRun) by_key = { 0 };
  g_auto(LtmTestRun) by_secret = { 0 };
  g_auto(LtmTestRun) short_lived = { 0 };
  g_auto(LtmTestRun) verify = { 0 };
  g_auto(LtmTestRun) revoke = { 0 };

  run_ltm (fixture, &by_key, NULL, "--json", "token", "stateless", "--channel", CHANNEL,
           "--kid", fixture->kid, "--key", fixture->key_file);
  g_assert_cmpint (by_key.status, ==, 0);
  g_assert_nonnull (strstr (by_key.out, "\"expires_in\" : 900"));

  run_ltm (fixture, &by_secret, NULL, "token", "stateless", "--channel", CHANNEL,
           "--secret-file", fixture->secret_file);
  g_assert_cmpint (by_secret.status, ==, 0);

  run_ltm (fixture, &short_lived, NULL, "token", "short-lived", "--channel", CHANNEL,
           "--secret-file", fixture->secret_file);
  g_assert_cmpint (short_lived.status, ==, 0);

  run_ltm (fixture, &verify, short_lived.out, "token", "verify", "--short-lived", "-");
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "(in 30 days)"));

  run_ltm (fixture, &revoke, short_lived.out, "token", "revoke", "--short-lived", "-");
  g_assert_cmpint (revoke.status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli-line/seed-flow", test_cli_line_seed_flow);
  ADD ("/cli-line/bare-token", test_cli_line_bare_token);
  ADD ("/cli-line/wrong-kid", test_cli_line_wrong_kid);
  ADD ("/cli-line/wrong-secret", test_cli_line_wrong_secret);
  ADD ("/cli-line/31st-token", test_cli_line_31st_token);
  ADD ("/cli-line/clock-off", test_cli_line_clock_off);
  ADD ("/cli-line/refusals", test_cli_line_refusals);
  ADD ("/cli-line/escapes", test_cli_line_escapes);
  ADD ("/cli-line/key-not-token", test_cli_line_key_not_token);
  ADD ("/cli-line/network", test_cli_line_network);
  ADD ("/cli-line/stateless-short-lived", test_cli_line_stateless_short_lived);

#undef ADD

  return g_test_run ();
}
