/* test-gui-webhook.c: the Webhook page, driven in the real window
 *
 * Against the LINE-compatible test server in this process; `ltm` stores
 * the channel and issues its token, as a user of both would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-deploy-group.h"
#include "ltm-store-webhook.h"
#include "ltm-test-gui.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"
#include "ltm-webhook-page.h"
#include "ltm-webhook-synth.h"

#define CHANNEL "1234567890"
#define CHANNEL2 "2000000002"
#define SECRET "0123456789abcdef0123456789abcdef"

/* A LINE with the channel and its registered key, and the same channel
 * stored by `ltm`; the app and `ltm` both talk to this LINE. */
typedef struct {
  LtmTestServer *server;
  LtmTestServer *receiver;      /* a bot answering the webhook test, or NULL */
  char *url;                    /* a webhook URL for the test to use */
  guint requests;               /* what the server had answered before the app ran */
} Fixture;

/* Runs `ltm @args` against the fixture's server. */
static void
fixture_ltm (const Fixture      *fixture,
             LtmTestRun         *run,
             const char * const *args)
{
  const char * const env[] = { "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
                               NULL };

  ltm_test_run_ltm (run, NULL, env, args);
}

/* A channel at LINE with the test key registered, and stored by `ltm`. */
static void
fixture_add_channel (Fixture    *fixture,
                     const char *channel_id,
                     const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key_file = ltm_test_data_path ("webcrypto.jwk");
  g_autofree char *kid = NULL;
  g_auto(LtmTestRun) public = { 0 };
  g_auto(LtmTestRun) add = { 0 };
  const char * const public_args[] = { "key", "public", key_file, NULL };

  ltm_test_server_add_channel (fixture->server, channel_id, SECRET);

  /* The console step: its public key registered, the kid noted. */
  ltm_test_run_ltm (&public, NULL, NULL, public_args);
  g_assert_cmpint (public.status, ==, 0);
  kid = ltm_test_server_register_key (fixture->server, channel_id, public.out, &error);
  g_assert_no_error (error);

  {
    const char * const args[] = { "channel", "add", channel_id, "--name", name,
                                  "--kid", kid, "--key", key_file, NULL };

    ltm_test_run_ltm (&add, NULL, NULL, args);
    g_assert_cmpint (add.status, ==, 0);
  }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Each test starts from no channels. */
  ltm_test_remove_store ();

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  /* For the app; `ltm` is told each time. */
  g_setenv ("LTM_API_BASE", ltm_test_server_get_base_url (fixture->server), TRUE);

  fixture_add_channel (fixture, CHANNEL, "Shop");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->url, g_free);
  if (fixture->receiver != NULL)
    g_assert_finalize_object (fixture->receiver);
  g_assert_finalize_object (fixture->server);
}

static void
fixture_issue_token_for (Fixture    *fixture,
                         const char *channel_id)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const args[] = { "token", "issue", "--channel", channel_id, NULL };

  fixture_ltm (fixture, &run, args);
  g_assert_cmpint (run.status, ==, 0);
}

static void
fixture_issue_token (Fixture *fixture)
{
  fixture_issue_token_for (fixture, CHANNEL);
}

/* Runs the app with @body, counting requests from here. */
static void
fixture_run (Fixture        *fixture,
             LtmTestGuiFunc  body)
{
  fixture->requests = ltm_test_server_get_request_count (fixture->server);
  ltm_test_gui_run (body, fixture);
}

static guint
fixture_new_requests (const Fixture *fixture)
{
  return ltm_test_server_get_request_count (fixture->server) - fixture->requests;
}

static LtmWebhookPage *
open_page (LtmWindow *window)
{
  return LTM_WEBHOOK_PAGE (ltm_test_gui_show_page (window, "webhook"));
}

static LtmActivity *
page_activity (LtmWebhookPage *page)
{
  return ltm_test_gui_get_activity (GTK_WIDGET (page));
}

static void
wait_idle (LtmWebhookPage *page)
{
  ltm_test_gui_wait_until (!ltm_activity_get_busy (page_activity (page)));
}

/* Presses the button named @label and waits for the call it starts to end.
 * (A button pressed from the keyboard shows being pressed for a moment before
 * it acts.) */
static void
click_and_wait (LtmWebhookPage *page,
                const char     *label)
{
  ltm_test_gui_click (GTK_WIDGET (page), label);
  ltm_test_gui_wait_until (ltm_activity_get_busy (page_activity (page)));
  wait_idle (page);
}

/* The value shown in the row titled @title reads @text. */
static gboolean
row_shows (LtmWebhookPage *page,
           const char     *title,
           const char     *text)
{
  return ltm_test_gui_find_text (ltm_test_gui_find_row (GTK_WIDGET (page), title), text) != NULL;
}

/* What `ltm --json @args` prints, as an object. */
static JsonObject *
fixture_ltm_json (const Fixture      *fixture,
                  const char * const *args)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) all = NULL;

  g_strv_builder_add (builder, "--json");
  g_strv_builder_addv (builder, (const char **) args);
  all = g_strv_builder_end (builder);

  fixture_ltm (fixture, &run, (const char * const *) all);
  g_assert_cmpint (run.status, ==, 0);

  return ltm_test_parse_object (run.out);
}

/* Starting the app with a channel and a token asks LINE nothing; opening
 * the page does, once. */
static void
test_quiet_start_body (LtmWindow     *window,
                       gconstpointer  data)
{
  const Fixture *fixture = data;
  gint64 until;
  LtmWebhookPage *page;

  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    ltm_test_gui_iterate ();
  g_assert_cmpuint (fixture_new_requests (fixture), ==, 0);

  page = open_page (window);
  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);
}

static void
test_quiet_start (Fixture       *fixture,
                  gconstpointer  data)
{
  fixture_issue_token (fixture);
  fixture_run (fixture, test_quiet_start_body);
}

/* Opening the page checks the bot: the name and basic ID LINE has. */
static void
test_bot_info_body (LtmWindow     *window,
                    gconstpointer  data)
{
  const Fixture *fixture = data;
  const char * const bot_args[] = { "bot", "info", "--channel", CHANNEL, NULL };
  g_autoptr(JsonObject) bot = NULL;
  LtmWebhookPage *page = open_page (window);
  guint requests;

  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (GTK_WIDGET (page), "Check Bot") != NULL);
  wait_idle (page);
  requests = fixture_new_requests (fixture);
  g_assert_cmpuint (requests, >, 0);

  bot = fixture_ltm_json (fixture, bot_args);
  g_assert_true (row_shows (page, "Display name",
                            json_object_get_string_member (bot, "displayName")));
  g_assert_true (row_shows (page, "Basic ID", json_object_get_string_member (bot, "basicId")));
  g_assert_cmpstr (json_object_get_string_member (bot, "chatMode"), ==, "bot");
  g_assert_true (row_shows (page, "Chat mode", "Bot"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Issue a token first"));
  /* No URL is set yet. */
  g_assert_true (row_shows (page, "Status", "Not set"));

  /* Coming back to the page asks nothing more (the ltm call above made one request). */
  requests = fixture_new_requests (fixture);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "tokens");
  ltm_test_gui_wait_until (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  open_page (window);
  ltm_test_gui_iterate ();
  g_assert_false (ltm_activity_get_busy (page_activity (page)));
  g_assert_cmpuint (fixture_new_requests (fixture), ==, requests);

  /* Check Bot asks again, and says so when done. */
  ltm_test_gui_click (GTK_WIDGET (page), "Check Bot");
  ltm_test_gui_wait_until (!ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));
  wait_idle (page);
  ltm_test_gui_wait_for_toast (window, "Bot checked: LINE accepts the token");
  g_assert_cmpuint (fixture_new_requests (fixture), >, requests);
  g_assert_true (row_shows (page, "Display name",
                            json_object_get_string_member (bot, "displayName")));
  g_assert_null (ltm_activity_get_message (page_activity (page)));
}

static void
test_bot_info (Fixture       *fixture,
               gconstpointer  data)
{
  fixture_issue_token (fixture);
  fixture_run (fixture, test_bot_info_body);
}

/* What LINE would refuse is marked as it is typed and never sent. */
static void
test_refused_url_body (LtmWindow     *window,
                       gconstpointer  data)
{
  const Fixture *fixture = data;
  LtmWebhookPage *page = open_page (window);
  GtkWidget *row;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) long_url = g_string_new ("https://bot.example.com/");
  guint requests;

  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);
  requests = fixture_new_requests (fixture);
  row = ltm_test_gui_find_row (GTK_WIDGET (page), "Webhook URL");

  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", "http://bot.example.com/callback");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_false (ltm_line_check_webhook_url ("http://bot.example.com/callback", &error));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), error->message));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Test Webhook"));

  /* Enter, and the actions themselves, send nothing either. */
  g_signal_emit_by_name (row, "entry-activated");
  gtk_widget_activate_action (GTK_WIDGET (page), "webhook.save", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "webhook.test", NULL);
  ltm_test_gui_iterate ();
  g_assert_false (ltm_activity_get_busy (page_activity (page)));
  g_assert_cmpuint (fixture_new_requests (fixture), ==, requests);

  /* Over 500 characters */
  while (long_url->len <= LTM_LINE_WEBHOOK_MAX_LENGTH)
    g_string_append_c (long_url, 'a');
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", long_url->str);
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));

  /* A good one clears the mark. */
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", "https://bot.example.com/callback");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), error->message));
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));
  g_assert_cmpuint (fixture_new_requests (fixture), ==, requests);
}

static void
test_refused_url (Fixture       *fixture,
                  gconstpointer  data)
{
  fixture_issue_token (fixture);
  fixture_run (fixture, test_refused_url_body);
}

/* Save Webhook URL: LINE has it; Copy Webhook URL copies it. */
static void
test_save_body (LtmWindow     *window,
                gconstpointer  data)
{
  const Fixture *fixture = data;
  const char * const get_args[] = { "webhook", "get", "--channel", CHANNEL, NULL };
  g_autoptr(JsonObject) webhook = NULL;
  g_autofree char *copied = NULL;
  LtmWebhookPage *page = open_page (window);

  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);

  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", fixture->url);
  ltm_test_gui_click (GTK_WIDGET (page), "Save Webhook URL");
  ltm_test_gui_wait_for_toast (window, "Webhook URL saved");
  wait_idle (page);
  g_assert_null (ltm_activity_get_message (page_activity (page)));
  g_assert_true (row_shows (page, "Status", "In use"));
  /* Saved: nothing more to save until the URL changes. */
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", "https://bot.example.com/other");
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", fixture->url);
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));

  webhook = fixture_ltm_json (fixture, get_args);
  g_assert_cmpstr (json_object_get_string_member (webhook, "endpoint"), ==, fixture->url);

  ltm_test_gui_click (GTK_WIDGET (page), "Copy Webhook URL");
  ltm_test_gui_wait_for_toast (window, "Webhook URL copied");
  copied = ltm_test_gui_read_clipboard (GTK_WIDGET (page));
  g_assert_cmpstr (copied, ==, fixture->url);
}

static void
test_save (Fixture       *fixture,
           gconstpointer  data)
{
  fixture->url = g_strdup ("https://bot.example.com/line/callback");
  fixture_issue_token (fixture);
  fixture_run (fixture, test_save_body);
}

/* The saved URL fills the row the next time. */
static void
test_prefilled_body (LtmWindow     *window,
                     gconstpointer  data)
{
  const Fixture *fixture = data;
  LtmWebhookPage *page = open_page (window);
  GtkWidget *row;

  row = ltm_test_gui_find_row (GTK_WIDGET (page), "Webhook URL");
  ltm_test_gui_wait_until (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)),
                                      fixture->url) == 0);
  wait_idle (page);
  g_assert_true (row_shows (page, "Status", "In use"));
}

static void
test_prefilled (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };

  fixture->url = g_strdup ("https://bot.example.com/saved");
  fixture_issue_token (fixture);
  {
    const char * const args[] = { "webhook", "set", fixture->url, "--channel", CHANNEL, NULL };

    fixture_ltm (fixture, &run, args);
    g_assert_cmpint (run.status, ==, 0);
  }

  fixture_run (fixture, test_prefilled_body);
}

/* Test Webhook: LINE's reason, its status code, and what it means. */
static void
test_webhook_test_body (LtmWindow     *window,
                        gconstpointer  data)
{
  const Fixture *fixture = data;
  gboolean success = fixture->receiver != NULL;
  LtmLineWebhookTest expected = { .reason = (char *) (success ? "OK" : "COULD_NOT_CONNECT") };
  LtmWebhookPage *page = open_page (window);
  GtkWidget *result;

  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);

  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", fixture->url);
  click_and_wait (page, "Test Webhook");
  g_assert_null (ltm_activity_get_message (page_activity (page)));

  g_assert_true (row_shows (page, "Reason", expected.reason));
  g_assert_true (row_shows (page, "Tested URL", fixture->url));
  g_assert_true (row_shows (page, "What it means", ltm_line_webhook_test_explain (&expected)));
  result = ltm_test_gui_find_text (ltm_test_gui_find_row (GTK_WIDGET (page), "Result"),
                                   success ? "Success" : "Failed");
  g_assert_nonnull (result);
  g_assert_true (gtk_widget_has_css_class (result, success ? "success" : "error"));
  g_assert_true (row_shows (page, "Status code", success ? "200" : "None: there was no answer"));
}

static void
test_webhook_could_not_connect (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* A port nothing listens on any more */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  fixture->url = g_strdup_printf ("https://127.0.0.1:%u/callback", port);

  fixture_issue_token (fixture);
  fixture_run (fixture, test_webhook_test_body);
}

static void
test_webhook_ok (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autofree char *pem = NULL;

  /* A bot over https that checks LINE's signature with the channel secret */
  fixture->receiver = ltm_test_server_new (LTM_TEST_SERVER_HTTPS, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->receiver, CHANNEL, SECRET);
  pem = ltm_test_server_get_certificate_pem (fixture->receiver);
  database = ltm_test_tls_database_new (pem);
  ltm_test_server_set_webhook_tls_database (fixture->server, database);
  fixture->url = g_strdup_printf ("%s/_receiver/ok",
                                  ltm_test_server_get_base_url (fixture->receiver));

  fixture_issue_token (fixture);
  fixture_run (fixture, test_webhook_test_body);
}

/* A token issued while the page is open (here by ltm) makes it usable. */
static void
test_token_arrives_body (LtmWindow     *window,
                         gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmWebhookPage *page = open_page (window);

  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "Issue a token first"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));

  fixture_issue_token (fixture);
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Issue a token first"));

  click_and_wait (page, "Check Bot");
  g_assert_null (ltm_activity_get_message (page_activity (page)));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Not checked yet"));
}

static void
test_token_arrives (Fixture       *fixture,
                    gconstpointer  data)
{
  fixture_run (fixture, test_token_arrives_body);
}

/* No token: the way to get one, and nothing that needs one. */
static void
test_no_token_body (LtmWindow     *window,
                    gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmWebhookPage *page = open_page (window);
  AdwViewStack *stack = ADW_VIEW_STACK (ltm_test_gui_find_type (GTK_WIDGET (window),
                                                                ADW_TYPE_VIEW_STACK));

  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "Issue a token first"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Webhook URL", "https://bot.example.com/cb");
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Save Webhook URL"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Test Webhook"));
  g_assert_cmpuint (fixture_new_requests (fixture), ==, 0);

  ltm_test_gui_click (GTK_WIDGET (page), "Go to Tokens Page");
  ltm_test_gui_wait_until (g_strcmp0 (adw_view_stack_get_visible_child_name (stack),
                                      "tokens") == 0);

  /* Back on the page, a token issued meanwhile (here by ltm) is used: the
   * bot is checked. */
  fixture_issue_token (fixture);
  ltm_test_gui_wait_until (ltm_channel_get_newest_usable (ltm_window_get_channel (window),
                                                          g_get_real_time () / G_USEC_PER_SEC));
  fixture->requests = ltm_test_server_get_request_count (fixture->server);
  open_page (window);
  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Issue a token first"));
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Not checked yet"));
}

static void
test_no_token (Fixture       *fixture,
               gconstpointer  data)
{
  fixture_run (fixture, test_no_token_body);
}

/* Choosing another channel with the page open cancels what runs, clears
 * what was shown and checks the other bot. */
static void
test_switch_channel_body (LtmWindow     *window,
                          gconstpointer  data)
{
  const Fixture *fixture = data;
  const char * const bot_args[] = { "bot", "info", "--channel", CHANNEL, NULL };
  const char * const other_args[] = { "bot", "info", "--channel", CHANNEL2, NULL };
  g_autoptr(JsonObject) bot = fixture_ltm_json (fixture, bot_args);
  g_autoptr(JsonObject) other = fixture_ltm_json (fixture, other_args);
  const char *name = json_object_get_string_member (bot, "displayName");
  const char *other_name = json_object_get_string_member (other, "displayName");
  LtmWebhookPage *page;
  guint requests;
  gint64 until;

  g_assert_cmpstr (name, !=, other_name);
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL);
  g_assert_true (ltm_window_show_channel (window, CHANNEL));
  page = open_page (window);
  wait_idle (page);
  g_assert_true (row_shows (page, "Display name", name));

  /* A slow LINE: the channel changes while each bot is being asked. */
  ltm_test_server_set_latency (fixture->server, 300);
  requests = fixture_new_requests (fixture);
  g_assert_true (ltm_window_show_channel (window, CHANNEL2));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), name));
  ltm_test_gui_wait_until (fixture_new_requests (fixture) == requests + 1);
  g_assert_true (ltm_window_show_channel (window, CHANNEL));
  ltm_test_gui_wait_until (fixture_new_requests (fixture) == requests + 2);
  g_assert_true (ltm_window_show_channel (window, CHANNEL2));
  wait_idle (page);
  g_assert_null (ltm_activity_get_message (page_activity (page)));
  g_assert_true (row_shows (page, "Display name", other_name));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), name));

  /* Cancel stops a check: what it would have asked next is never asked. */
  requests = fixture_new_requests (fixture);
  ltm_test_gui_click (GTK_WIDGET (page), "Check Bot");
  ltm_test_gui_wait_until (fixture_new_requests (fixture) == requests + 1);
  ltm_test_gui_click (GTK_WIDGET (page), "Cancel");
  wait_idle (page);
  until = g_get_monotonic_time () + G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    ltm_test_gui_iterate ();
  g_assert_cmpuint (fixture_new_requests (fixture), ==, requests + 1);
  g_assert_null (ltm_activity_get_message (page_activity (page)));
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));
}

static void
test_switch_channel (Fixture       *fixture,
                     gconstpointer  data)
{
  fixture_add_channel (fixture, CHANNEL2, "Cafe");
  fixture_issue_token (fixture);
  fixture_issue_token_for (fixture, CHANNEL2);
  fixture_run (fixture, test_switch_channel_body);
}

/* A token LINE revoked behind the store's back: LINE's own words, and
 * nothing left that the token seemed to show. */
static void
test_revoked_body (LtmWindow     *window,
                   gconstpointer  data)
{
  const Fixture *fixture = data;
  const char * const bot_args[] = { "bot", "info", "--channel", CHANNEL, NULL };
  g_autoptr(JsonObject) bot = fixture_ltm_json (fixture, bot_args);
  const char *name = json_object_get_string_member (bot, "displayName");
  LtmWebhookPage *page = open_page (window);
  LtmToken *token;
  const char *message;

  wait_idle (page);
  g_assert_true (row_shows (page, "Display name", name));

  token = ltm_channel_get_newest_usable (ltm_window_get_channel (window),
                                         g_get_real_time () / G_USEC_PER_SEC);
  g_assert_nonnull (token);
  g_assert_true (ltm_test_server_revoke_key_id (fixture->server, CHANNEL,
                                                ltm_token_get_key_id (token)));

  click_and_wait (page, "Check Bot");
  message = ltm_activity_get_message (page_activity (page));
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "Authentication failed"));
  /* (shown as the activity slides down) */
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (page),
                                                   "The bot could not be checked") != NULL);
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "The check failed"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), name));
  /* The user may try again. */
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Check Bot"));

  /* The token is no longer shown as good, and the way on is offered. */
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "Newest usable token"));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "LINE refused this token"));
  ltm_test_gui_click (GTK_WIDGET (page), "Go to Tokens Page");
  ltm_test_gui_wait_until (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (
                     ADW_VIEW_STACK (ltm_test_gui_find_type (GTK_WIDGET (window),
                                                             ADW_TYPE_VIEW_STACK))), ==, "tokens");
}

static void
test_revoked (Fixture       *fixture,
              gconstpointer  data)
{
  fixture_issue_token (fixture);
  fixture_run (fixture, test_revoked_body);
}

/* Inside Flatpak the Deploy group says the command runs on the host, and
 * how to give the permission that needs; outside it says nothing of it. */
static void
test_deploy_on_host (void)
{
  g_autofree char *info = g_build_filename (ltm_test_get_tmp_dir (), "flatpak-info", NULL);
  g_autofree char *old_info = g_strdup (g_getenv ("LTM_TEST_FLATPAK_INFO"));
  const char *override = "flatpak override --user --talk-name=org.freedesktop.Flatpak "
                         APPLICATION_ID;
  g_autoptr(GError) error = NULL;
  LtmDeployGroup *group;
  GtkWidget *window;
  GtkWidget *row;

  group = g_object_ref_sink (g_object_new (LTM_TYPE_DEPLOY_GROUP, NULL));
  g_assert_null (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                         "flatpak"));
  g_clear_object (&group);

  g_assert_true (g_file_set_contents (info, "[Application]\n", -1, &error));
  g_setenv ("LTM_TEST_FLATPAK_INFO", info, TRUE);
  group = g_object_ref_sink (g_object_new (LTM_TYPE_DEPLOY_GROUP, NULL));
  if (old_info != NULL)
    g_setenv ("LTM_TEST_FLATPAK_INFO", old_info, TRUE);
  else
    g_unsetenv ("LTM_TEST_FLATPAK_INFO");

  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                            override));
  /* Shown, as with a channel, in a window of its own. */
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (group));
  gtk_widget_set_visible (GTK_WIDGET (group), TRUE);
  gtk_window_present (GTK_WINDOW (window));
  ltm_test_gui_wait_until (gtk_widget_get_mapped (GTK_WIDGET (group)));

  row = ltm_test_gui_find_labelled (GTK_WIDGET (group), "Deploy command");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), "runs on the host"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (row), override));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (group);
}

/* The row under @root whose title starts with @prefix, or %NULL. */
static GtkWidget *
find_row_starting (GtkWidget  *root,
                   const char *prefix)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), prefix))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_starting (child, prefix);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Listen, an event arriving (a test event through the receiver), Resend
 * to Bot, Stop: the bot is the test server's, checking signatures as
 * LINE's SDKs do. */
static void
test_events_body (LtmWindow     *window,
                  gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmWebhookPage *page = open_page (window);
  g_autofree char *bot = g_strconcat (ltm_test_server_get_base_url (fixture->server),
                                      "/_receiver/sdk", NULL);
  g_autoptr(GBytes) body = NULL;
  GtkWindow *dialog;
  GtkWidget *row;

  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Listen"));
  g_assert_false (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Send Test Event"));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "No events yet"));

  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Port on This Computer", "0");
  ltm_test_gui_set_row_text (GTK_WIDGET (page),
                             "Forward to Bot (optional), like http://localhost:3000/callback", bot);
  ltm_test_gui_click (GTK_WIDGET (page), "Listen");
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Send Test Event"));
  row = find_row_starting (GTK_WIDGET (page), "Listening on http://127.0.0.1:");
  g_assert_nonnull (row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "Each event is forwarded to your bot at "));

  ltm_test_gui_click (GTK_WIDGET (page), "Send Test Event");
  dialog = ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG);
  ltm_test_gui_respond (ADW_MESSAGE_DIALOG (dialog), "send");

  /* The event arrives, verified, and the bot answers */
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (page), "message: Hello") != NULL);
  ltm_test_gui_wait_until (ltm_test_server_get_bot_count (fixture->server) == 1);
  row = ltm_test_gui_find_row (GTK_WIDGET (page), "message: Hello");
  ltm_test_gui_wait_until (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "bot answered 200") != NULL);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "signature verified"));

  ltm_test_gui_click (row, "Resend to Bot");
  ltm_test_gui_wait_until (ltm_test_server_get_bot_count (fixture->server) == 2);
  body = ltm_test_server_get_bot_body (fixture->server);
  g_assert_nonnull (memmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                            "\"isRedelivery\":true", 19));

  ltm_test_gui_click (GTK_WIDGET (page), "Stop");
  ltm_test_gui_wait_until (!ltm_test_gui_is_enabled (GTK_WIDGET (page), "Send Test Event"));
}

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *secret_file = g_build_filename (ltm_test_get_tmp_dir (), "secret", NULL);
  g_auto(LtmTestRun) run = { 0 };
  const char * const args[] = { "channel", "set", CHANNEL, "--secret-file", secret_file, NULL };

  g_assert_true (g_file_set_contents (secret_file, SECRET, -1, NULL));
  fixture_ltm (fixture, &run, args);
  g_assert_cmpint (run.status, ==, 0);

  fixture_run (fixture, test_events_body);
}

/* The channel secret in the store, as `ltm channel set` puts it. */
static void
fixture_store_secret (Fixture *fixture)
{
  g_autofree char *secret_file = g_build_filename (ltm_test_get_tmp_dir (), "secret", NULL);
  g_auto(LtmTestRun) run = { 0 };
  const char * const args[] = { "channel", "set", CHANNEL, "--secret-file", secret_file, NULL };

  g_assert_true (g_file_set_contents (secret_file, SECRET, -1, NULL));
  fixture_ltm (fixture, &run, args);
  g_assert_cmpint (run.status, ==, 0);
}

/* What the bot got last, as an object. */
static JsonObject *
fixture_bot_body (const Fixture *fixture)
{
  g_autoptr(GBytes) body = ltm_test_server_get_bot_body (fixture->server);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return ltm_test_parse_object (text);
}

/* The events recorded before, shown as the page opens; Resend to Bot
 * needs a bot, and then works without listening. */
static void
test_history_body (LtmWindow     *window,
                   gconstpointer  data)
{
  const Fixture *fixture = data;
  g_autofree char *bot = g_strconcat (ltm_test_server_get_base_url (fixture->server),
                                      "/_receiver/sdk", NULL);
  g_autoptr(JsonObject) sent = NULL;
  LtmWebhookPage *page = open_page (window);
  GtkWidget *row;
  GtkWidget *resend;

  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (page), "message: recorded") != NULL);
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "follow"));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (page), "No events yet"));
  row = ltm_test_gui_find_row (GTK_WIDGET (page), "message: recorded");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "bot answered 200"));

  /* No bot to resend to: the button says where to give one */
  g_assert_false (ltm_test_gui_is_enabled (row, "Resend to Bot"));
  resend = ltm_test_gui_find_labelled (row, "Resend to Bot");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (resend), "Forward to Bot"));

  ltm_test_gui_set_row_text (GTK_WIDGET (page),
                             "Forward to Bot (optional), like http://localhost:3000/callback",
                             "http://bot.example.com/callback");
  g_assert_false (ltm_test_gui_is_enabled (row, "Resend to Bot"));
  ltm_test_gui_set_row_text (GTK_WIDGET (page),
                             "Forward to Bot (optional), like http://localhost:3000/callback", bot);
  g_assert_true (ltm_test_gui_is_enabled (row, "Resend to Bot"));

  /* Signed with the stored secret: the SDK-like bot accepts it */
  ltm_test_gui_click (row, "Resend to Bot");
  ltm_test_gui_wait_until (ltm_test_server_get_bot_count (fixture->server) == 1);
  sent = fixture_bot_body (fixture);
  g_assert_true (json_object_get_boolean_member (
                   json_object_get_object_member (
                     json_array_get_object_element (json_object_get_array_member (sent, "events"), 0),
                     "deliveryContext"),
                   "isRedelivery"));
}

static void
test_history (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(LtmStore) store = ltm_store_new (NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_free);
  g_autoptr(GError) error = NULL;
  const LtmWebhookSynthType types[] = { LTM_WEBHOOK_SYNTH_FOLLOW, LTM_WEBHOOK_SYNTH_MESSAGE };

  fixture_store_secret (fixture);

  /* Recorded by an earlier listen, oldest first */
  g_assert_true (ltm_store_load (store, &error));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      LtmWebhookRecord *record = g_new0 (LtmWebhookRecord, 1);

      record->received_at = g_get_real_time ();
      record->index = 0;
      record->signature = LTM_WEBHOOK_SIGNATURE_VALID;
      record->bot_state = LTM_WEBHOOK_BOT_ANSWERED;
      record->bot_status = 200;
      record->bot_time = 3000;
      record->body = ltm_webhook_synth_body (types[i], "recorded", NULL, 1700000000000 + i);
      g_ptr_array_add (records, record);
    }
  g_assert_true (ltm_store_add_webhook_records (store, CHANNEL, records, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  fixture_run (fixture, test_history_body);
}

/* Test events go to the bot's user ID once the page checked the bot;
 * quitting while listening asks first, and Cancel goes on listening. */
static void
test_quit_listening_body (LtmWindow     *window,
                          gconstpointer  data)
{
  const Fixture *fixture = data;
  const char * const bot_args[] = { "bot", "info", "--channel", CHANNEL, NULL };
  g_autoptr(JsonObject) info = fixture_ltm_json (fixture, bot_args);
  g_autoptr(JsonObject) sent = NULL;
  g_autofree char *bot = g_strconcat (ltm_test_server_get_base_url (fixture->server),
                                      "/_receiver/sdk", NULL);
  GApplication *app = G_APPLICATION (ltm_application_get_default ());
  LtmWebhookPage *page = open_page (window);
  AdwMessageDialog *dialog;

  ltm_test_gui_wait_until (fixture_new_requests (fixture) > 0);
  wait_idle (page);
  g_assert_true (row_shows (page, "Display name", json_object_get_string_member (info, "displayName")));
  ltm_test_gui_set_row_text (GTK_WIDGET (page), "Port on This Computer", "0");
  ltm_test_gui_set_row_text (GTK_WIDGET (page),
                             "Forward to Bot (optional), like http://localhost:3000/callback", bot);
  ltm_test_gui_click (GTK_WIDGET (page), "Listen");
  ltm_test_gui_wait_until (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Send Test Event"));

  ltm_test_gui_click (GTK_WIDGET (page), "Send Test Event");
  ltm_test_gui_respond (ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG)),
                        "send");
  ltm_test_gui_wait_until (ltm_test_server_get_bot_count (fixture->server) == 1);
  sent = fixture_bot_body (fixture);
  g_assert_cmpstr (json_object_get_string_member (sent, "destination"), ==,
                   json_object_get_string_member (info, "userId"));

  /* Ctrl+Q asks; Cancel keeps listening */
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Stop Listening?");
  ltm_test_gui_respond (dialog, "cancel");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (ltm_test_gui_is_enabled (GTK_WIDGET (page), "Send Test Event"));

  /* Asked again, Stop and Close ends the application */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_respond (dialog, "close");
  ltm_test_gui_wait_until (window == NULL);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
}

static void
test_quit_listening (Fixture       *fixture,
                     gconstpointer  data)
{
  fixture_store_secret (fixture);
  fixture_issue_token (fixture);
  fixture_run (fixture, test_quit_listening_body);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);


#define ADD(path, func) \
  g_test_add ("/gui/webhook/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("quiet-start", test_quiet_start);
  ADD ("bot-info", test_bot_info);
  ADD ("refused-url", test_refused_url);
  ADD ("save", test_save);
  ADD ("prefilled", test_prefilled);
  ADD ("test-could-not-connect", test_webhook_could_not_connect);
  ADD ("test-ok", test_webhook_ok);
  ADD ("no-token", test_no_token);
  ADD ("token-arrives", test_token_arrives);
  ADD ("switch-channel", test_switch_channel);
  ADD ("revoked", test_revoked);
  ADD ("events", test_events);
  ADD ("history", test_history);
  ADD ("quit-listening", test_quit_listening);

#undef ADD

  g_test_add_func ("/gui/webhook/deploy-on-host", test_deploy_on_host);

  return g_test_run ();
}
