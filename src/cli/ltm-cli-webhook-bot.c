/* ltm-cli-webhook-bot.c: `ltm webhook listen|send|events|restore`, the
 * bot's side of the webhook
 *
 * listen receives on this computer (src/core/webhook/), prints one line
 * per event (JSON Lines with --json) and, with --public-url, points
 * LINE's webhook URL at the user's own tunnel until Ctrl-C or SIGTERM.
 * send signs a body (new, from a file, or recorded) and posts it to a
 * bot.  The channel secret comes from the store, --secret-file or
 * LTM_CHANNEL_SECRET, never from argv.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "ltm-cli.h"
#include "ltm-store-webhook.h"
#include "ltm-text.h"
#include "ltm-webhook-divert.h"
#include "ltm-webhook-history.h"
#include "ltm-webhook-post.h"
#include "ltm-webhook-receiver.h"
#include "ltm-webhook-signature.h"
#include "ltm-webhook-synth.h"

/* Printing events */

static char *
ltm_cli_webhook_format_clock (gint64 unix_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_us / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static const char *
ltm_cli_webhook_describe_signature (LtmWebhookSignature signature)
{
  switch (signature)
    {
    case LTM_WEBHOOK_SIGNATURE_VALID:
      return _("signature ok");
    case LTM_WEBHOOK_SIGNATURE_INVALID:
      return _("SIGNATURE WRONG");
    case LTM_WEBHOOK_SIGNATURE_MISSING:
      return _("NO SIGNATURE");
    case LTM_WEBHOOK_SIGNATURE_UNCHECKED:
    default:
      return _("signature not checked");
    }
}

static char *
ltm_cli_webhook_describe_bot (LtmWebhookEvent *event)
{
  gint64 ms = ltm_webhook_event_get_bot_time (event) / 1000;
  const char *late = ltm_webhook_event_get_bot_late (event)
                     ? _(" (late: LINE counts request_timeout)") : "";

  switch (ltm_webhook_event_get_bot_state (event))
    {
    case LTM_WEBHOOK_BOT_ANSWERED:
      /* TRANSLATORS: the bot's HTTP status, how long it took, and maybe "(late: …)" */
      return g_strdup_printf (_("bot %u in %d ms%s"),
                              ltm_webhook_event_get_bot_status (event), (int) ms, late);
    case LTM_WEBHOOK_BOT_FAILED:
      return g_strdup_printf (_("bot failed: %s"), ltm_webhook_event_get_bot_message (event));
    case LTM_WEBHOOK_BOT_REFUSED:
      return g_strdup (_("not forwarded"));
    case LTM_WEBHOOK_BOT_WAITING:
      return g_strdup (_("bot has not answered"));
    case LTM_WEBHOOK_BOT_NONE:
    default:
      return g_strdup (_("not forwarded (no --forward-to)"));
    }
}

static void
ltm_cli_webhook_print_event (LtmCli          *cli,
                             LtmWebhookEvent *event)
{
  g_autofree char *summary = ltm_webhook_event_dup_summary (event);
  const char *type = ltm_webhook_event_get_event_type (event);
  const char *chat = ltm_webhook_event_get_chat_id (event);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;
      GBytes *body = ltm_webhook_event_get_body (event);
      g_autofree char *body_text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      json_builder_begin_object (builder);
      if (ltm_webhook_event_get_record_id (event) > 0)
        ltm_cli_json_set_int (builder, "record", ltm_webhook_event_get_record_id (event));
      ltm_cli_json_set_int (builder, "receivedAt", ltm_webhook_event_get_received_at (event) / 1000);
      ltm_cli_json_set_string (builder, "type", type);
      ltm_cli_json_set_string (builder, "webhookEventId", ltm_webhook_event_get_webhook_event_id (event));
      ltm_cli_json_set_string (builder, "sourceType", ltm_webhook_event_get_source_type (event));
      ltm_cli_json_set_string (builder, "source", chat);
      ltm_cli_json_set_string (builder, "summary", summary);
      ltm_cli_json_set_bool (builder, "isRedelivery", ltm_webhook_event_get_is_redelivery (event));
      ltm_cli_json_set_string (builder, "signature",
                               ltm_webhook_signature_to_string (ltm_webhook_event_get_signature (event)));
      if (ltm_webhook_event_get_bot_status (event) != 0)
        ltm_cli_json_set_int (builder, "botStatus", ltm_webhook_event_get_bot_status (event));
      if (ltm_webhook_event_get_bot_time (event) >= 0)
        ltm_cli_json_set_int (builder, "botMilliseconds", ltm_webhook_event_get_bot_time (event) / 1000);
      ltm_cli_json_set_bool (builder, "botLate", ltm_webhook_event_get_bot_late (event));
      ltm_cli_json_set_string (builder, "botError", ltm_webhook_event_get_bot_message (event));
      ltm_cli_json_set_string (builder, "body", g_utf8_validate (body_text, -1, NULL) ? body_text : NULL);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      g_print ("%s\n", line);
    }
  else
    {
      g_autofree char *received = ltm_cli_webhook_format_clock (ltm_webhook_event_get_received_at (event));
      g_autofree char *bot = ltm_cli_webhook_describe_bot (event);
      g_autofree char *record = ltm_webhook_event_get_record_id (event) > 0
                                ? g_strdup_printf ("#%" G_GINT64_FORMAT "  ",
                                                   ltm_webhook_event_get_record_id (event))
                                : g_strdup ("");

      g_print ("%s%s  %s  %s  %s%s%s  %s  %s\n", record, received,
               type != NULL ? type : _("(no events: the console's Verify)"),
               chat != NULL ? chat : "-",
               summary[0] != '\0' ? "“" : "", summary, summary[0] != '\0' ? "”" : "",
               ltm_cli_webhook_describe_signature (ltm_webhook_event_get_signature (event)), bot);
    }
}

/* listen */

typedef struct {
  LtmCli *cli;
  GMainLoop *loop;
  int signal;
} LtmCliListen;

static void
ltm_cli_listen_finished_cb (LtmWebhookReceiver *receiver,
                            LtmWebhookEvent    *event,
                            LtmCliListen       *listen)
{
  ltm_cli_webhook_print_event (listen->cli, event);
}

static void
ltm_cli_listen_refused_cb (LtmWebhookReceiver *receiver,
                           guint               status,
                           const char         *reason,
                           LtmCliListen       *listen)
{
  /* The events of a body whose signature failed are printed with it. */
  g_printerr (_("ltm: refused a request (%u): %s\n"), status, reason);
}

static void
ltm_cli_listen_record_failed_cb (LtmWebhookReceiver *receiver,
                                 const char         *message,
                                 LtmCliListen       *listen)
{
  g_printerr (_("ltm: events not recorded: %s\n"), message);
}

static gboolean
ltm_cli_listen_sigint_cb (gpointer user_data)
{
  LtmCliListen *listen = user_data;

  listen->signal = SIGINT;
  g_main_loop_quit (listen->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
ltm_cli_listen_sigterm_cb (gpointer user_data)
{
  LtmCliListen *listen = user_data;

  listen->signal = SIGTERM;
  g_main_loop_quit (listen->loop);

  return G_SOURCE_CONTINUE;
}

/* Puts LINE's URL back; FALSE when that failed (it stays pending). */
static gboolean
ltm_cli_webhook_restore (LtmCli      *cli,
                         const char  *channel_id,
                         const char  *token,
                         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmWebhookRestore) restore = NULL;
  g_autoptr(GError) local_error = NULL;

  ltm_webhook_restore_async (cli->client, cli->store, channel_id, token, NULL,
                             ltm_async_result_cb, &result);
  restore = ltm_webhook_restore_finish (ltm_async_wait (&result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (restore == NULL)
    g_printerr (_("ltm: no webhook URL to put back for channel %s\n"), channel_id);
  else if (restore->endpoint != NULL)
    g_printerr (_("ltm: LINE's webhook URL is back to %s\n"), restore->endpoint);
  else
    g_printerr (_("ltm: LINE had no webhook URL before; it stays %s (LINE cannot unset one: "
                  "set yours with “ltm webhook set”)\n"), restore->public_url);

  return TRUE;
}

static gboolean
ltm_cli_webhook_divert (LtmCli      *cli,
                        const char  *channel_id,
                        const char  *token,
                        const char  *public_url,
                        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) tested = NULL;
  g_autoptr(LtmWebhookRestore) restore = NULL;
  g_autoptr(LtmLineWebhookTest) test = NULL;
  g_autoptr(GError) test_error = NULL;

  ltm_webhook_divert_async (cli->client, cli->store, channel_id, token, public_url, NULL,
                            ltm_async_result_cb, &result);
  restore = ltm_webhook_divert_finish (ltm_async_wait (&result), error);
  if (restore == NULL)
    return FALSE;

  if (restore->endpoint != NULL)
    g_printerr (_("ltm: LINE's webhook URL is %s until this stops (it was %s)\n"),
                public_url, restore->endpoint);
  else
    g_printerr (_("ltm: LINE's webhook URL is %s until this stops (there was none)\n"), public_url);

  /* LINE's own test, through the tunnel to this receiver */
  ltm_line_client_test_webhook_async (cli->client, token, NULL, NULL, ltm_async_result_cb, &tested);
  test = ltm_line_client_test_webhook_finish (cli->client, ltm_async_wait (&tested), &test_error);
  if (test == NULL)
    g_printerr (_("ltm: LINE's webhook test could not run: %s\n"), test_error->message);
  else
    g_printerr (_("ltm: LINE's webhook test: %s: %s\n"), test->reason,
                ltm_line_webhook_test_explain (test));

  return TRUE;
}

int
ltm_cli_webhook_listen (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *address = NULL;
  g_autofree char *path = NULL;
  g_autofree char *forward_to = NULL;
  g_autofree char *public_url = NULL;
  gboolean no_record = FALSE;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(LtmWebhookReceiver) receiver = NULL;
  g_autoptr(LtmWebhookRestore) pending = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  LtmCliListen listen = { cli, NULL, 0 };
  gboolean diverted = FALSE;
  gboolean stored;
  guint sigint_id;
  guint sigterm_id;
  int status;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("The channel whose events to receive (required)"), N_("ID") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Read the channel secret from FILE instead of the store (or set LTM_CHANNEL_SECRET)"),
      N_("FILE") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &address,
      N_("Listen on this address and port (default 127.0.0.1:8000; only this computer)"),
      N_("ADDR:PORT") },
    { "path", 0, 0, G_OPTION_ARG_STRING, &path,
      N_("The path LINE posts to (default /callback)"), N_("PATH") },
    { "forward-to", 0, 0, G_OPTION_ARG_STRING, &forward_to,
      N_("Forward each delivery, byte for byte, to the bot at URL"), N_("URL") },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
      N_("Point LINE's webhook URL at your tunnel to this receiver until this stops"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the channel access token for --public-url from FILE (or set LTM_ACCESS_TOKEN)"),
      N_("FILE") },
    { "no-record", 0, 0, G_OPTION_ARG_NONE, &no_record,
      N_("Keep no event in the store"), NULL },
    G_OPTION_ENTRY_NULL
  };

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  /* What can be refused is refused before anything changes. */
  if (public_url != NULL && !ltm_line_check_webhook_url (public_url, &error))
    return ltm_cli_fail (cli, error);

  if ((secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  stored = ltm_cli_get_channel (cli, channel, NULL) != NULL;
  if ((!no_record || public_url != NULL) && !stored)
    {
      g_set_error (&error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                   _("The channel %s is not in the store, where events are recorded and LINE's "
                     "webhook URL is kept to put back; add it with “ltm channel add”, or use "
                     "--no-record (and no --public-url)"), channel);
      return ltm_cli_fail (cli, error);
    }

  receiver = ltm_webhook_receiver_new (channel, secret);
  if ((path != NULL && !ltm_webhook_receiver_set_path (receiver, path, &error)) ||
      !ltm_webhook_receiver_set_forward_to (receiver, forward_to, &error))
    return ltm_cli_fail (cli, error);
  if (!no_record)
    ltm_webhook_receiver_set_store (receiver, cli->store);

  if (!ltm_webhook_receiver_listen (receiver, address, &error))
    return ltm_cli_fail (cli, error);

  /* A run that was killed left LINE's URL pointing at its tunnel. */
  if (stored && (pending = ltm_store_get_webhook_restore (cli->store, channel, NULL)) != NULL &&
      public_url == NULL)
    {
      if ((token = ltm_cli_access_token (cli, channel, NULL, token_file, &error)) == NULL ||
          ltm_cli_get_client (cli, &error) == NULL ||
          !ltm_cli_webhook_restore (cli, channel, token, &error))
        {
          g_printerr (_("ltm: a killed run left LINE's webhook URL at %s, and it could not be put "
                        "back: %s\n"), pending->public_url, error->message);
          g_clear_error (&error);
        }
    }

  if (public_url != NULL)
    {
      if ((token = ltm_cli_access_token (cli, channel, NULL, token_file, &error)) == NULL ||
          ltm_cli_get_client (cli, &error) == NULL ||
          !ltm_cli_webhook_divert (cli, channel, token, public_url, &error))
        return ltm_cli_fail (cli, error);
      diverted = TRUE;
    }

  g_signal_connect (receiver, "event-finished", G_CALLBACK (ltm_cli_listen_finished_cb), &listen);
  g_signal_connect (receiver, "refused", G_CALLBACK (ltm_cli_listen_refused_cb), &listen);
  g_signal_connect (receiver, "record-failed", G_CALLBACK (ltm_cli_listen_record_failed_cb), &listen);

  /* Ctrl-C and SIGTERM are caught before the line that says so. */
  loop = listen.loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, ltm_cli_listen_sigint_cb, &listen);
  sigterm_id = g_unix_signal_add (SIGTERM, ltm_cli_listen_sigterm_cb, &listen);

  url = ltm_webhook_receiver_dup_url (receiver);
  if (forward_to != NULL)
    g_printerr (_("ltm: listening on %s for channel %s, forwarding to %s; Ctrl-C stops\n"),
                url, channel, forward_to);
  else
    g_printerr (_("ltm: listening on %s for channel %s; Ctrl-C stops\n"), url, channel);

  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  ltm_webhook_receiver_stop (receiver);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (diverted && !ltm_cli_webhook_restore (cli, channel, token, &error))
    {
      ltm_cli_advise (error, _("It is kept: “ltm webhook restore --channel %s” tries again."),
                      channel);
      return ltm_cli_fail (cli, error);
    }

  return LTM_CLI_OK;
}

/* restore */

int
ltm_cli_webhook_restore_command (LtmCli  *cli,
                                 int      argc,
                                 char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *token_file = NULL;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("The channel whose webhook URL to put back (required)"), N_("ID") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the channel access token from FILE (- for standard input; or set LTM_ACCESS_TOKEN)"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if (ltm_cli_get_channel (cli, channel, &error) == NULL ||
      (token = ltm_cli_access_token (cli, channel, NULL, token_file, &error)) == NULL ||
      ltm_cli_get_client (cli, &error) == NULL ||
      !ltm_cli_webhook_restore (cli, channel, token, &error))
    return ltm_cli_fail (cli, error);

  return LTM_CLI_OK;
}

/* send */

int
ltm_cli_webhook_send (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *to = NULL;
  g_autofree char *text = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *file = NULL;
  g_autofree char *replay = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *signature = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmWebhookAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer_text = NULL;
  LtmWebhookSynthType type = LTM_WEBHOOK_SYNTH_MESSAGE;
  gboolean ok;
  int status;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("The channel whose secret signs the body (required)"), N_("ID") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      N_("The bot's webhook URL (required; http only to this computer)"), N_("URL") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Read the channel secret from FILE instead of the store (or set LTM_CHANNEL_SECRET)"),
      N_("FILE") },
    { "text", 0, 0, G_OPTION_ARG_STRING, &text,
      N_("Send a text message event with TEXT"), N_("TEXT") },
    { "event", 0, 0, G_OPTION_ARG_STRING, &type_name,
      N_("Send an event of TYPE: message, follow, unfollow, postback, join or leave"), N_("TYPE") },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file,
      N_("Send the webhook body in FILE as it is (- for standard input)"), N_("FILE") },
    { "replay", 0, 0, G_OPTION_ARG_STRING, &replay,
      N_("Send a recorded event again, as LINE redelivers it"), N_("EVENT_ID") },
    G_OPTION_ENTRY_NULL
  };

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL || to == NULL)
    return ltm_cli_usage_error (cli, _("--channel and --to are required"));
  if ((text != NULL) + (type_name != NULL) + (file != NULL) + (replay != NULL) > 1)
    return ltm_cli_usage_error (cli, _("Give at most one of --text, --event, --file or --replay"));
  if (type_name != NULL && !ltm_webhook_synth_type_from_string (type_name, &type))
    return ltm_cli_usage_error (cli, _("Unknown event type “%s”: use message, follow, unfollow, "
                                       "postback, join or leave"), type_name);

  if (!ltm_webhook_check_bot_url (to, &error) ||
      (secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (file != NULL)
    {
      gsize len = 0;
      g_autoptr(LtmSecret) data = ltm_cli_read_input (file, &len, &error);

      if (data == NULL)
        return ltm_cli_fail (cli, error);
      body = g_bytes_new (data, len);
    }
  else if (replay != NULL)
    {
      g_autoptr(LtmWebhookRecord) record = NULL;

      if (ltm_cli_get_channel (cli, channel, &error) == NULL ||
          (record = ltm_store_find_webhook_record (cli->store, channel, replay, &error)) == NULL ||
          (body = ltm_webhook_redelivery_body (record->body, record->index, &error)) == NULL)
        return ltm_cli_fail (cli, error);
    }
  else
    {
      if (ltm_cli_get_channel (cli, channel, NULL) != NULL)
        destination = ltm_webhook_dup_destination (cli->store, channel);
      body = ltm_webhook_synth_body (type, text, destination, g_get_real_time () / 1000);
    }

  signature = ltm_webhook_sign (secret, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  session = ltm_webhook_session_new ();
  ltm_webhook_post_async (session, to, body, NULL, NULL, signature, NULL,
                          ltm_async_result_cb, &result);
  answer = ltm_webhook_post_finish (ltm_async_wait (&result), &error);
  if (answer == NULL)
    return ltm_cli_fail (cli, error);

  ok = SOUP_STATUS_IS_SUCCESSFUL (answer->status);
  answer_text = g_bytes_get_size (answer->body) > 0
                ? g_strndup (g_bytes_get_data (answer->body, NULL), g_bytes_get_size (answer->body))
                : g_strdup ("");
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *sent = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      json_builder_begin_object (builder);
      ltm_cli_json_set_int (builder, "status", answer->status);
      ltm_cli_json_set_int (builder, "milliseconds", answer->time_us / 1000);
      ltm_cli_json_set_string (builder, "answer",
                               g_utf8_validate (answer_text, -1, NULL) ? answer_text : NULL);
      ltm_cli_json_set_string (builder, "body", g_utf8_validate (sent, -1, NULL) ? sent : NULL);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      g_autofree char *shown = ltm_text_escape_controls (answer_text, "\n");

      /* The bot's time is bounded by its timeout: an int of milliseconds. */
      g_print (_("The bot answered %u in %d ms\n"), answer->status,
               (int) (answer->time_us / 1000));
      if (shown[0] != '\0')
        g_print ("%s\n", shown);
    }

  if (!ok)
    {
      g_printerr (_("ltm: the bot answered %u, not 2xx\n"), answer->status);
      return LTM_CLI_FAILED;
    }

  return LTM_CLI_OK;
}

/* events */

int
ltm_cli_webhook_events (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  g_autofree char *channel = NULL;
  gboolean clear = FALSE;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("The channel whose recorded events to show (required)"), N_("ID") },
    { "clear", 0, 0, G_OPTION_ARG_NONE, &clear,
      N_("Forget the channel's recorded events"), NULL },
    G_OPTION_ENTRY_NULL
  };

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if (ltm_cli_get_channel (cli, channel, &error) == NULL)
    return ltm_cli_fail (cli, error);

  if (clear)
    {
      guint cleared = 0;

      if (!ltm_store_clear_webhook_records (cli->store, channel, &cleared, &error))
        return ltm_cli_fail (cli, error);

      if (cli->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          ltm_cli_json_set_int (builder, "cleared", cleared);
          json_builder_end_object (builder);
          ltm_cli_print_builder (builder);
        }
      else
        g_print (g_dngettext (GETTEXT_PACKAGE, "Forgot %u recorded event of channel %s\n",
                              "Forgot %u recorded events of channel %s\n", cleared),
                 cleared, channel);
      return LTM_CLI_OK;
    }

  if ((records = ltm_store_list_webhook_records (cli->store, channel, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* Oldest first, as a log reads; JSON Lines, one event a line */
  for (guint i = records->len; i > 0; i--)
    {
      g_autoptr(LtmWebhookEvent) event = NULL;

      event = ltm_webhook_record_to_event (g_ptr_array_index (records, i - 1), &error);
      if (event == NULL)
        return ltm_cli_fail (cli, error);
      ltm_cli_webhook_print_event (cli, event);
    }

  if (records->len == 0 && !cli->json)
    g_printerr (_("ltm: no events recorded for channel %s yet\n"), channel);

  return LTM_CLI_OK;
}
