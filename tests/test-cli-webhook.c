/* test-cli-webhook.c: `ltm webhook listen|send|events|restore` end to end,
 * against the test server (LINE, and the bot at /_receiver/sdk)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "8c1b1fb5e2d13a3c1f0e5b1d9a4c7e21"
#define OLD_URL "https://bot.example.com/callback"
#define PUBLIC_URL "https://127.0.0.1:1/tunnel"

typedef struct {
  LtmTestServer *server;
  char *dir;
  char *token;
  char *bot;
  GStrv env;
} Fixture;

static void
run_ltmv (Fixture            *fixture,
          LtmTestRun         *run,
          const char * const *args)
{
  ltm_test_run_ltm (run, NULL, (const char * const *) fixture->env, args);
}

#define run_ltm(fixture, run, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    run_ltmv (fixture, run, run_args); \
  } G_STMT_END

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *secret_file = NULL;
  g_auto(LtmTestRun) init = { 0 };
  g_auto(LtmTestRun) add = { 0 };
  g_auto(LtmTestRun) set = { 0 };

  ltm_test_remove_store ();
  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);
  fixture->token = ltm_test_server_issue_token_elsewhere (fixture->server, CHANNEL, 3600, NULL);
  fixture->bot = g_strconcat (ltm_test_server_get_base_url (fixture->server), "/_receiver/sdk", NULL);

  fixture->dir = g_dir_make_tmp ("ltm-test-cli-webhook-XXXXXX", &error);
  g_assert_no_error (error);
  key_file = g_build_filename (fixture->dir, "master-key", NULL);
  secret_file = g_build_filename (fixture->dir, "secret", NULL);
  g_file_set_contents (secret_file, SECRET "\n", -1, &error);
  g_assert_no_error (error);

  fixture->env = g_strdupv ((char *[]) { "LTM_API_BASE",
                                         (char *) ltm_test_server_get_base_url (fixture->server),
                                         "LTM_MASTER_KEY_FILE", key_file,
                                         "LTM_ACCESS_TOKEN", fixture->token, NULL });

  run_ltm (fixture, &init, "store", "init", "--master-key-file", key_file);
  g_assert_cmpint (init.status, ==, 0);
  run_ltm (fixture, &add, "channel", "add", CHANNEL, "--name", "Echo", "--secret-file", secret_file);
  g_assert_cmpint (add.status, ==, 0);
  run_ltm (fixture, &set, "webhook", "set", OLD_URL);
  g_assert_cmpint (set.status, ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->server);
  ltm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->token);
  g_free (fixture->bot);
  g_strfreev (fixture->env);
}

/* A running `ltm webhook listen`, its stderr read line by line. */
typedef struct {
  GSubprocess *process;
  GDataInputStream *err;
  GString *err_text;
  GOutputStream *out;
  gboolean out_done;
  char *url;
} Listener;

static void
out_spliced_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Listener *listener = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  listener->out_done = TRUE;
}

/* The next line of stderr, or NULL at its end. */
static char *
listener_read_line (Listener *listener)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_data_input_stream_read_line_async (listener->err, G_PRIORITY_DEFAULT, NULL,
                                       ltm_async_result_cb, &result);
  line = g_data_input_stream_read_line_finish_utf8 (listener->err, ltm_async_wait (&result),
                                                    NULL, &error);
  g_assert_no_error (error);
  if (line != NULL)
    g_string_append_printf (listener->err_text, "%s\n", line);

  return line;
}

static void
listener_start (Fixture    *fixture,
                Listener   *listener,
                const char *extra)
{
  g_autofree char *line = NULL;
  const char *args[] = { "webhook", "listen", "--channel", CHANNEL, "--listen", "127.0.0.1:0",
                         "--forward-to", fixture->bot, extra != NULL ? "--public-url" : NULL,
                         extra, NULL };

  listener->process = ltm_test_spawn_ltm ((const char * const *) fixture->env, args);
  listener->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (listener->process));
  listener->err_text = g_string_new (NULL);
  listener->out = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (listener->out, g_subprocess_get_stdout_pipe (listener->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                out_spliced_cb, listener);

  while ((line = listener_read_line (listener)) != NULL)
    {
      const char *at = strstr (line, "listening on ");

      if (at != NULL)
        {
          listener->url = g_strndup (at + strlen ("listening on "),
                                     strcspn (at + strlen ("listening on "), " "));
          return;
        }
      g_clear_pointer (&line, g_free);
    }

  g_error ("ltm webhook listen did not start: %s", listener->err_text->str);
}

/* Signals it, reads what is left, and gives its exit status. */
static int
listener_stop (Listener *listener,
               int       signal_number)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_subprocess_send_signal (listener->process, signal_number);
  while ((line = listener_read_line (listener)) != NULL)
    g_free (line);
  while (!listener->out_done)
    g_main_context_iteration (NULL, TRUE);

  g_subprocess_wait_async (listener->process, NULL, ltm_async_result_cb, &result);
  g_assert_true (g_subprocess_wait_finish (listener->process, ltm_async_wait (&result), &error));
  g_assert_no_error (error);

  if (g_subprocess_get_if_signaled (listener->process))
    return -g_subprocess_get_term_sig (listener->process);

  return g_subprocess_get_exit_status (listener->process);
}

static const char *
listener_get_out (Listener *listener)
{
  /* Nul-terminated: one more byte */
  g_output_stream_write_all (listener->out, "", 1, NULL, NULL, NULL);
  return g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (listener->out));
}

static void
listener_clear (Listener *listener)
{
  g_clear_object (&listener->process);
  g_clear_object (&listener->err);
  g_clear_object (&listener->out);
  if (listener->err_text != NULL)
    g_string_free (listener->err_text, TRUE);
  g_free (listener->url);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Listener, listener_clear)

static void
test_listen_send_events (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(Listener) listener = { 0 };
  g_auto(LtmTestRun) send = { 0 };
  g_auto(LtmTestRun) follow = { 0 };
  g_auto(LtmTestRun) events = { 0 };
  g_auto(LtmTestRun) json = { 0 };
  g_auto(LtmTestRun) replay = { 0 };
  g_auto(LtmTestRun) clear = { 0 };
  g_auto(LtmTestRun) empty = { 0 };
  g_autoptr(GBytes) body = NULL;
  const char *out;

  listener_start (fixture, &listener, NULL);
  g_assert_true (g_str_has_prefix (listener.url, "http://127.0.0.1:"));

  run_ltm (fixture, &send, "webhook", "send", "--channel", CHANNEL, "--to", listener.url,
           "--text", "hello 😀");
  g_assert_cmpint (send.status, ==, 0);
  g_assert_nonnull (strstr (send.out, "The bot answered 200"));
  run_ltm (fixture, &follow, "webhook", "send", "--channel", CHANNEL, "--to", listener.url,
           "--event", "follow");
  g_assert_cmpint (follow.status, ==, 0);

  /* Through the receiver to the bot, whose SDK-like check passed */
  g_assert_cmpuint (ltm_test_server_get_bot_count (fixture->server), ==, 2);
  body = ltm_test_server_get_bot_body (fixture->server);
  g_assert_nonnull (memmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                            "\"type\":\"follow\"", 15));

  g_assert_cmpint (listener_stop (&listener, SIGINT), ==, 0);
  out = listener_get_out (&listener);
  g_assert_nonnull (strstr (out, "message"));
  g_assert_nonnull (strstr (out, "“hello 😀”"));
  g_assert_nonnull (strstr (out, "signature ok"));
  g_assert_nonnull (strstr (out, "bot 200 in"));
  g_assert_nonnull (strstr (out, "follow"));

  run_ltm (fixture, &events, "webhook", "events", "--channel", CHANNEL);
  g_assert_cmpint (events.status, ==, 0);
  g_assert_nonnull (strstr (events.out, "#1  "));
  g_assert_nonnull (strstr (events.out, "#2  "));
  g_assert_true (strstr (events.out, "message") < strstr (events.out, "follow"));

  run_ltm (fixture, &json, "--json", "webhook", "events", "--channel", CHANNEL);
  g_assert_cmpint (json.status, ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (g_strchomp (json.out), "\n", -1);
    g_autoptr(JsonObject) first = NULL;

    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    first = ltm_test_parse_object (lines[0]);
    g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "message");
    g_assert_cmpstr (json_object_get_string_member (first, "summary"), ==, "hello 😀");
    g_assert_cmpstr (json_object_get_string_member (first, "signature"), ==, "valid");
    g_assert_cmpint (json_object_get_int_member (first, "botStatus"), ==, 200);
  }

  /* A recorded event to the bot again, as a redelivery */
  run_ltm (fixture, &replay, "webhook", "send", "--channel", CHANNEL, "--to", fixture->bot,
           "--replay", "1");
  g_assert_cmpint (replay.status, ==, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = ltm_test_server_get_bot_body (fixture->server);
  g_assert_nonnull (memmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                            "\"isRedelivery\":true", 19));
  g_assert_cmpuint (ltm_test_server_get_bot_count (fixture->server), ==, 3);

  run_ltm (fixture, &clear, "webhook", "events", "--channel", CHANNEL, "--clear");
  g_assert_cmpint (clear.status, ==, 0);
  g_assert_nonnull (strstr (clear.out, "Forgot 2 recorded events"));
  run_ltm (fixture, &empty, "webhook", "events", "--channel", CHANNEL);
  g_assert_cmpstr (empty.out, ==, "");
}

/* What the bot got last, as an object. */
static JsonObject *
fixture_bot_body (Fixture *fixture)
{
  g_autoptr(GBytes) body = ltm_test_server_get_bot_body (fixture->server);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return ltm_test_parse_object (text);
}

/* Events made here are sent to the bot's own user ID once bot info gave
 * it, as LINE's are. */
static void
test_send_destination (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(LtmTestRun) before = { 0 };
  g_auto(LtmTestRun) info = { 0 };
  g_auto(LtmTestRun) after = { 0 };
  g_autoptr(JsonObject) bot = NULL;
  g_autoptr(JsonObject) sent = NULL;
  const char *user_id;

  run_ltm (fixture, &before, "webhook", "send", "--channel", CHANNEL, "--to", fixture->bot,
           "--text", "hi");
  g_assert_cmpint (before.status, ==, 0);
  sent = fixture_bot_body (fixture);
  g_assert_cmpstr (json_object_get_string_member (sent, "destination"), ==,
                   "U00000000000000000000000000000000");
  g_clear_pointer (&sent, json_object_unref);

  run_ltm (fixture, &info, "--json", "bot", "info", "--channel", CHANNEL);
  g_assert_cmpint (info.status, ==, 0);
  bot = ltm_test_parse_object (info.out);
  user_id = json_object_get_string_member (bot, "userId");
  g_assert_nonnull (user_id);

  run_ltm (fixture, &after, "webhook", "send", "--channel", CHANNEL, "--to", fixture->bot,
           "--event", "follow");
  g_assert_cmpint (after.status, ==, 0);
  sent = fixture_bot_body (fixture);
  g_assert_cmpstr (json_object_get_string_member (sent, "destination"), ==, user_id);
}

static void
test_send_refused (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *status_500 = g_strconcat (ltm_test_server_get_base_url (fixture->server),
                                             "/_receiver/status/500", NULL);
  g_auto(LtmTestRun) failed = { 0 };
  g_auto(LtmTestRun) remote = { 0 };
  g_auto(LtmTestRun) both = { 0 };
  g_auto(LtmTestRun) unknown = { 0 };

  run_ltm (fixture, &failed, "webhook", "send", "--channel", CHANNEL, "--to", status_500);
  g_assert_cmpint (failed.status, ==, 1);
  g_assert_nonnull (strstr (failed.err, "500"));

  run_ltm (fixture, &remote, "webhook", "send", "--channel", CHANNEL, "--to",
           "http://bot.example.com/callback");
  ltm_test_assert_failed_with (&remote, "only allowed to this computer");

  run_ltm (fixture, &both, "webhook", "send", "--channel", CHANNEL, "--to", fixture->bot,
           "--text", "a", "--event", "follow");
  g_assert_cmpint (both.status, ==, 2);
  run_ltm (fixture, &unknown, "webhook", "send", "--channel", CHANNEL, "--to", fixture->bot,
           "--event", "dance");
  g_assert_cmpint (unknown.status, ==, 2);
}

/* --public-url: LINE's URL points at the tunnel while listen runs, and is
 * put back on Ctrl-C or SIGTERM. */
static void
test_public_url (Fixture       *fixture,
                 gconstpointer  data)
{
  int signal_number = GPOINTER_TO_INT (data);
  g_auto(Listener) listener = { 0 };

  listener_start (fixture, &listener, PUBLIC_URL);
  g_assert_cmpstr (ltm_test_server_get_webhook_endpoint (fixture->server, CHANNEL), ==, PUBLIC_URL);
  g_assert_nonnull (strstr (listener.err_text->str, "until this stops (it was " OLD_URL ")"));
  g_assert_nonnull (strstr (listener.err_text->str, "LINE's webhook test: COULD_NOT_CONNECT"));

  g_assert_cmpint (listener_stop (&listener, signal_number), ==, 0);
  g_assert_cmpstr (ltm_test_server_get_webhook_endpoint (fixture->server, CHANNEL), ==, OLD_URL);
  g_assert_nonnull (strstr (listener.err_text->str, "back to " OLD_URL));
}

/* Killed: the next `restore` puts it back, or the next listen does. */
static void
test_public_url_killed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(Listener) listener = { 0 };
  g_auto(Listener) again = { 0 };
  g_auto(LtmTestRun) restore = { 0 };
  g_auto(LtmTestRun) nothing = { 0 };

  listener_start (fixture, &listener, PUBLIC_URL);
  g_assert_cmpint (listener_stop (&listener, SIGKILL), ==, -SIGKILL);
  g_assert_cmpstr (ltm_test_server_get_webhook_endpoint (fixture->server, CHANNEL), ==, PUBLIC_URL);

  run_ltm (fixture, &restore, "webhook", "restore", "--channel", CHANNEL);
  g_assert_cmpint (restore.status, ==, 0);
  g_assert_cmpstr (ltm_test_server_get_webhook_endpoint (fixture->server, CHANNEL), ==, OLD_URL);
  run_ltm (fixture, &nothing, "webhook", "restore", "--channel", CHANNEL);
  g_assert_cmpint (nothing.status, ==, 0);
  g_assert_nonnull (strstr (nothing.err, "no webhook URL to put back"));

  /* Killed again; a listen without --public-url puts it back first */
  listener_clear (&listener);
  memset (&listener, 0, sizeof listener);
  listener_start (fixture, &listener, PUBLIC_URL);
  g_assert_cmpint (listener_stop (&listener, SIGKILL), ==, -SIGKILL);
  listener_start (fixture, &again, NULL);
  g_assert_cmpstr (ltm_test_server_get_webhook_endpoint (fixture->server, CHANNEL), ==, OLD_URL);
  g_assert_cmpint (listener_stop (&again, SIGTERM), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli-webhook/listen-send-events", Fixture, NULL,
              fixture_set_up, test_listen_send_events, fixture_tear_down);
  g_test_add ("/cli-webhook/send-destination", Fixture, NULL,
              fixture_set_up, test_send_destination, fixture_tear_down);
  g_test_add ("/cli-webhook/send-refused", Fixture, NULL,
              fixture_set_up, test_send_refused, fixture_tear_down);
  g_test_add ("/cli-webhook/public-url/sigint", Fixture, GINT_TO_POINTER (SIGINT),
              fixture_set_up, test_public_url, fixture_tear_down);
  g_test_add ("/cli-webhook/public-url/sigterm", Fixture, GINT_TO_POINTER (SIGTERM),
              fixture_set_up, test_public_url, fixture_tear_down);
  g_test_add ("/cli-webhook/public-url/killed", Fixture, NULL,
              fixture_set_up, test_public_url_killed, fixture_tear_down);

  return g_test_run ();
}
