/* ltm-cli-webhook.c: `ltm webhook get|set|test` and `ltm bot info`
 *
 * Each needs a channel access token: --token-file (- for standard input),
 * LTM_ACCESS_TOKEN, or the newest usable token stored for --channel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ltm-cli.h"
#include "ltm-webhook-history.h"

typedef struct {
  char *channel;
  char *token_file;
} LtmCliBearer;

static void
ltm_cli_bearer_clear (LtmCliBearer *bearer)
{
  g_clear_pointer (&bearer->channel, g_free);
  g_clear_pointer (&bearer->token_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtmCliBearer, ltm_cli_bearer_clear)

#define LTM_CLI_BEARER_ENTRIES(bearer) \
  { "channel", 0, 0, G_OPTION_ARG_STRING, &(bearer).channel, \
    N_("Use the newest token stored for this channel"), N_("ID") }, \
  { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &(bearer).token_file, \
    N_("Read the channel access token from FILE (- for standard input; or set LTM_ACCESS_TOKEN)"), \
    N_("FILE") }

/* Parses the options and reads the token; %NULL means exit with @status. */
static LtmSecret *
ltm_cli_bearer_parse (LtmCli              *cli,
                      LtmCliBearer        *bearer,
                      const GOptionEntry  *entries,
                      int                 *argc,
                      char              ***argv,
                      int                  min_args,
                      int                  max_args,
                      LtmLineClient      **client,
                      int                 *status)
{
  g_autoptr(GError) error = NULL;
  LtmSecret *token;

  if (!ltm_cli_parse (cli, entries, argc, argv, min_args, max_args, status))
    return NULL;

  token = ltm_cli_access_token (cli, bearer->channel, NULL, bearer->token_file, &error);
  if (token == NULL || (*client = ltm_cli_get_client (cli, &error)) == NULL)
    {
      ltm_secret_free (token);
      *status = ltm_cli_fail (cli, error);
      return NULL;
    }

  return token;
}

static int
ltm_cli_webhook_get (LtmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_auto(LtmCliBearer) bearer = { 0 };
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmLineWebhook) webhook = NULL;
  LtmLineClient *client = NULL;
  const GOptionEntry entries[] = { LTM_CLI_BEARER_ENTRIES (bearer), G_OPTION_ENTRY_NULL };
  int status;

  if ((token = ltm_cli_bearer_parse (cli, &bearer, entries, &argc, &argv, 0, 0,
                                     &client, &status)) == NULL)
    return status;

  ltm_line_client_get_webhook_async (client, token, NULL, ltm_async_result_cb, &result);
  webhook = ltm_line_client_get_webhook_finish (client, ltm_async_wait (&result), &error);
  if (webhook == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "endpoint", webhook->endpoint);
      ltm_cli_json_set_bool (builder, "active", webhook->active);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      g_print (_("Webhook URL: %s\n"), webhook->endpoint);
      g_print (_("In use:      %s\n"),
               webhook->active ? _("yes") : _("no (turn on “Use webhook” in the console)"));
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_webhook_set (LtmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_auto(LtmCliBearer) bearer = { 0 };
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  LtmLineClient *client = NULL;
  const GOptionEntry entries[] = { LTM_CLI_BEARER_ENTRIES (bearer), G_OPTION_ENTRY_NULL };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 1, 1, &status))
    return status;

  /* Refuse what LINE would refuse before reading any secret. */
  if (!ltm_line_check_webhook_url (argv[1], &error))
    return ltm_cli_fail (cli, error);

  token = ltm_cli_access_token (cli, bearer.channel, NULL, bearer.token_file, &error);
  if (token == NULL || (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  ltm_line_client_set_webhook_async (client, token, argv[1], NULL, ltm_async_result_cb, &result);
  if (!ltm_line_client_set_webhook_finish (client, ltm_async_wait (&result), &error))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "endpoint", argv[1]);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    g_print (_("Webhook URL set to %s\n"), argv[1]);

  return LTM_CLI_OK;
}

static int
ltm_cli_webhook_test (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_auto(LtmCliBearer) bearer = { 0 };
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmLineWebhookTest) test = NULL;
  LtmLineClient *client = NULL;
  const GOptionEntry entries[] = { LTM_CLI_BEARER_ENTRIES (bearer), G_OPTION_ENTRY_NULL };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 1, &status))
    return status;

  if (argv[1] != NULL && !ltm_line_check_webhook_url (argv[1], &error))
    return ltm_cli_fail (cli, error);

  token = ltm_cli_access_token (cli, bearer.channel, NULL, bearer.token_file, &error);
  if (token == NULL || (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  ltm_line_client_test_webhook_async (client, token, argv[1], NULL, ltm_async_result_cb, &result);
  test = ltm_line_client_test_webhook_finish (client, ltm_async_wait (&result), &error);
  if (test == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_bool (builder, "success", test->success);
      ltm_cli_json_set_string (builder, "timestamp", test->timestamp);
      ltm_cli_json_set_int (builder, "statusCode", test->status_code);
      ltm_cli_json_set_string (builder, "reason", test->reason);
      ltm_cli_json_set_string (builder, "detail", test->detail);
      ltm_cli_json_set_string (builder, "explanation", ltm_line_webhook_test_explain (test));
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      g_print ("%s: %s\n", test->reason, ltm_line_webhook_test_explain (test));
      if (test->status_code != 0)
        g_print (_("Status code: %d\n"), test->status_code);
      if (test->detail[0] != '\0')
        g_print (_("Detail:      %s\n"), test->detail);
    }

  if (!test->success)
    {
      g_printerr (_("ltm: the webhook test failed: %s\n"), test->reason);
      return LTM_CLI_FAILED;
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_bot_info (LtmCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_auto(LtmCliBearer) bearer = { 0 };
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmLineBotInfo) info = NULL;
  LtmLineClient *client = NULL;
  LtmStore *store = NULL;
  const GOptionEntry entries[] = { LTM_CLI_BEARER_ENTRIES (bearer), G_OPTION_ENTRY_NULL };
  int status;

  if ((token = ltm_cli_bearer_parse (cli, &bearer, entries, &argc, &argv, 0, 0,
                                     &client, &status)) == NULL)
    return status;

  /* The bot's user ID is kept for a stored channel: the destination of
   * `ltm webhook send`. */
  if (bearer.channel != NULL && ltm_cli_get_channel (cli, bearer.channel, NULL) != NULL)
    store = cli->store;
  ltm_webhook_get_bot_info_async (client, store, bearer.channel, token, NULL,
                                  ltm_async_result_cb, &result);
  info = ltm_webhook_get_bot_info_finish (ltm_async_wait (&result), &error);
  if (info == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      const char *members[][2] = {
        { "userId", info->user_id },
        { "basicId", info->basic_id },
        { "displayName", info->display_name },
        { "chatMode", info->chat_mode },
        { "markAsReadMode", info->mark_as_read_mode },
        { "premiumId", info->premium_id },
        { "pictureUrl", info->picture_url },
      };

      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          if (members[i][1] != NULL)
            ltm_cli_json_set_string (builder, members[i][0], members[i][1]);
        }
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  g_print (_("Display name: %s\n"), info->display_name);
  g_print (_("Basic ID:     %s\n"), info->basic_id);
  if (info->premium_id != NULL)
    g_print (_("Premium ID:   %s\n"), info->premium_id);
  g_print (_("User ID:      %s\n"), info->user_id);
  g_print (_("Chat mode:    %s\n"), info->chat_mode);
  g_print (_("Mark as read: %s\n"), info->mark_as_read_mode);

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_webhook_commands[] = {
  {
    "webhook", "get", "", "[--channel ID] [--token-file F]",
    N_("Show the bot's webhook URL and whether it is in use"),
    NULL,
    ltm_cli_webhook_get,
  },
  {
    "webhook", "set", "URL", "URL [--channel ID] [--token-file F]",
    N_("Set the bot's webhook URL (https, at most 500 characters)"),
    NULL,
    ltm_cli_webhook_set,
  },
  {
    "webhook", "test", "[URL]", "[URL] [--channel ID] [--token-file F]",
    N_("Have LINE send a test event to the webhook; exit status 1 when it fails"),
    NULL,
    ltm_cli_webhook_test,
  },
  {
    "webhook", "listen", "",
    "--channel ID [--listen ADDR:PORT] [--path /callback] [--forward-to URL] [--public-url URL] "
    "[--no-record]",
    N_("Receive LINE's webhook on this computer: check, record and forward each event"),
    N_("Prints one line per event (JSON Lines with --json): time, type, source, text, whether "
       "the signature verified, and the bot's status and time. --public-url points LINE's "
       "webhook URL at your own tunnel (ngrok, cloudflared) to this receiver and puts the old "
       "one back on Ctrl-C or SIGTERM; after a kill, the next listen or “ltm webhook restore” "
       "does."),
    ltm_cli_webhook_listen,
  },
  {
    "webhook", "send", "",
    "--channel ID --to URL (--text TEXT | --event TYPE | --file BODY.json | --replay EVENT_ID)",
    N_("Sign an event as LINE does and post it to a bot; exit status 1 on a non-2xx answer"),
    N_("Events are made in LINE's own shapes: message (text, the default), follow, unfollow, "
       "postback, join and leave. --replay sends a recorded event again as a redelivery."),
    ltm_cli_webhook_send,
  },
  {
    "webhook", "events", "", "--channel ID [--clear]",
    N_("Show the events recorded for a channel (the last 500), or forget them"),
    NULL,
    ltm_cli_webhook_events,
  },
  {
    "webhook", "restore", "", "--channel ID [--token-file F]",
    N_("Put back the webhook URL that “listen --public-url” replaced"),
    NULL,
    ltm_cli_webhook_restore_command,
  },
  { NULL }
};

const LtmCliCommand ltm_cli_bot_commands[] = {
  {
    "bot", "info", "", "[--channel ID] [--token-file F]",
    N_("Show the bot's name, basic ID and chat mode: the simplest test of a token"),
    NULL,
    ltm_cli_bot_info,
  },
  { NULL }
};
