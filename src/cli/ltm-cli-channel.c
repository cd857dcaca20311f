/* ltm-cli-channel.c: `ltm channel add|set|list|show|remove|check|repair|export|import`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ltm-cli.h"
#include "ltm-jwt.h"
#include "ltm-duration.h"
#include "ltm-text.h"

typedef struct {
  char *name;
  char *kid;
  char *key_file;
  char *secret_file;
  gboolean generate_key;
} LtmCliChannelOptions;

static void
ltm_cli_channel_options_clear (LtmCliChannelOptions *options)
{
  g_clear_pointer (&options->name, g_free);
  g_clear_pointer (&options->kid, g_free);
  g_clear_pointer (&options->key_file, g_free);
  g_clear_pointer (&options->secret_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtmCliChannelOptions, ltm_cli_channel_options_clear)

#define LTM_CLI_CHANNEL_ENTRIES(options) \
  { "name", 0, 0, G_OPTION_ARG_STRING, &(options).name, N_("A name to show for the channel"), \
    N_("NAME") }, \
  { "kid", 0, 0, G_OPTION_ARG_STRING, &(options).kid, \
    N_("The kid the console showed when you registered the key"), N_("KID") }, \
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &(options).key_file, \
    N_("Import the private key from FILE into the store; the file is not needed afterwards"), \
    N_("FILE") }, \
  { "generate-key", 0, 0, G_OPTION_ARG_NONE, &(options).generate_key, \
    N_("Generate a new key straight into the store: it is never written in plain form"), NULL }, \
  { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &(options).secret_file, \
    N_("Read the channel secret from FILE (- for standard input) into the store"), N_("FILE") }

/* Reads what the options name: the key and the secret. */
static gboolean
ltm_cli_channel_read_options (LtmCli                *cli,
                              LtmCliChannelOptions  *options,
                              LtmKey               **out_key,
                              LtmSecret            **out_secret,
                              int                   *status)
{
  g_autoptr(GError) error = NULL;

  if (options->key_file != NULL && options->generate_key)
    {
      *status = ltm_cli_usage_error (cli, _("use either --key or --generate-key"));
      return FALSE;
    }

  if (options->name != NULL && !ltm_channel_check_name (options->name, &error))
    goto fail;

  if (options->kid != NULL && !ltm_jwt_check_kid (options->kid, &error))
    goto fail;

  if (options->key_file != NULL &&
      (*out_key = ltm_cli_load_key (options->key_file, LTM_KEY_IMPORT_PRIVATE, &error)) == NULL)
    goto fail;

  if (options->generate_key && (*out_key = ltm_key_generate (&error)) == NULL)
    goto fail;

  if (options->secret_file != NULL &&
      (*out_secret = ltm_cli_read_secret (options->secret_file, NULL, _("channel secret"),
                                          ltm_jwt_check_channel_secret, &error)) == NULL)
    goto fail;

  return TRUE;

fail:
  *status = ltm_cli_fail (cli, error);
  return FALSE;
}

/* After a new key: what the user does next, in the console. */
static void
ltm_cli_channel_print_next_step (LtmChannel *channel,
                                 LtmKey     *key)
{
  g_autofree char *jwk = NULL;

  if (key == NULL || ltm_channel_get_kid (channel) != NULL)
    return;

  jwk = ltm_key_to_public_jwk (key);
  g_print (_("Next: paste this public key into the LINE Developers Console (your channel → "
             "Basic settings → Assertion signing key → Register a public key):\n\n%s\n\n"
             "then save the kid it shows with “ltm channel set %s --kid KID”.\n"),
           jwk, ltm_channel_get_channel_id (channel));
}

static int
ltm_cli_channel_add (LtmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_auto(LtmCliChannelOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  const GOptionEntry entries[] = { LTM_CLI_CHANNEL_ENTRIES (options), G_OPTION_ENTRY_NULL };
  LtmStore *store;
  LtmChannel *channel;
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 1, 1, &status))
    return status;

  if (options.name == NULL)
    return ltm_cli_usage_error (cli, _("--name is required"));

  if (!ltm_jwt_check_channel_id (argv[1], &error))
    return ltm_cli_fail (cli, error);

  if (!ltm_cli_channel_read_options (cli, &options, &key, &secret, &status))
    return status;

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      !ltm_store_add_channel (store, argv[1], options.name, options.kid, key, secret, &error))
    return ltm_cli_fail (cli, error);

  channel = ltm_store_find_channel (store, argv[1]);
  if (cli->json)
    ltm_cli_print_status (cli, "stored", argv[1]);
  else
    {
      g_print (_("Stored channel %s (%s).\n"), argv[1], options.name);
      ltm_cli_channel_print_next_step (channel, key);
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_channel_set (LtmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_auto(LtmCliChannelOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autofree char *env_file = NULL;
  g_autofree char *env_name = NULL;
  g_autofree char *command = NULL;
  g_autofree char *grace_text = NULL;
  g_auto(LtmDeployTargets) targets = { 0 };
  gboolean no_env_file = FALSE;
  gboolean no_command = FALSE;
  gboolean deploy;
  gint64 grace = 0;
  const GOptionEntry entries[] = {
    LTM_CLI_CHANNEL_ENTRIES (options),
    { "env-file", 0, 0, G_OPTION_ARG_FILENAME, &env_file,
      N_("After each rotation, set the token in this env file (rewritten in place)"),
      N_("PATH") },
    { "env-name", 0, 0, G_OPTION_ARG_STRING, &env_name,
      N_("The env file's variable (default CHANNEL_ACCESS_TOKEN)"), N_("NAME") },
    { "no-env-file", 0, 0, G_OPTION_ARG_NONE, &no_env_file,
      N_("Stop writing the env file"), NULL },
    { "deploy-command", 0, 0, G_OPTION_ARG_STRING, &command,
      N_("After each rotation, run this with /bin/sh -c, the token on standard input"),
      N_("CMD") },
    { "no-deploy-command", 0, 0, G_OPTION_ARG_NONE, &no_command,
      N_("Stop running the deploy command"), NULL },
    { "grace", 0, 0, G_OPTION_ARG_STRING, &grace_text,
      N_("How long replaced tokens stay valid after a delivery (default 0)"), N_("DURATION") },
    G_OPTION_ENTRY_NULL
  };
  LtmChannel *channel;
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 1, 1, &status))
    return status;

  deploy = env_file != NULL || env_name != NULL || no_env_file || command != NULL ||
           no_command || grace_text != NULL;
  if (options.name == NULL && options.kid == NULL && options.key_file == NULL &&
      !options.generate_key && options.secret_file == NULL && !deploy)
    return ltm_cli_usage_error (cli, _("nothing to set: give --name, --kid, --key, "
                                       "--generate-key, --secret-file, --env-file, "
                                       "--deploy-command or --grace"));
  if (env_file != NULL && no_env_file)
    return ltm_cli_usage_error (cli, _("use either --env-file or --no-env-file"));
  if (command != NULL && no_command)
    return ltm_cli_usage_error (cli, _("use either --deploy-command or --no-deploy-command"));

  if (grace_text != NULL && !ltm_cli_parse_duration ("--grace", grace_text, NULL, &grace, &error))
    return ltm_cli_fail (cli, error);

  if (!ltm_cli_channel_read_options (cli, &options, &key, &secret, &status))
    return status;

  if ((channel = ltm_cli_get_channel (cli, argv[1], &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (deploy)
    {
      /* What is not given stays as it is. */
      ltm_channel_get_deploy_targets (channel, &targets);
      if (env_file != NULL)
        {
          g_free (targets.env_file);
          targets.env_file = g_canonicalize_filename (env_file, NULL);
        }
      if (no_env_file)
        g_clear_pointer (&targets.env_file, g_free);
      if (env_name != NULL)
        {
          g_free (targets.env_name);
          targets.env_name = g_strdup (env_name);
        }
      if (command != NULL)
        {
          g_free (targets.command);
          targets.command = g_strdup (command);
        }
      if (no_command)
        g_clear_pointer (&targets.command, g_free);
      if (grace_text != NULL)
        targets.grace = grace;

      if (!ltm_store_set_deploy_targets (cli->store, argv[1], &targets, &error))
        return ltm_cli_fail (cli, error);
    }

  /* The key before the kid: a new key clears the old key's kid. */
  if ((key != NULL && !ltm_store_set_key (cli->store, argv[1], key, &error)) ||
      (options.kid != NULL && !ltm_store_set_kid (cli->store, argv[1], options.kid, &error)) ||
      (options.name != NULL && !ltm_store_set_name (cli->store, argv[1], options.name, &error)) ||
      (secret != NULL && !ltm_store_set_secret (cli->store, argv[1], secret, &error)))
    return ltm_cli_fail (cli, error);

  if (!cli->json)
    {
      g_print (_("Updated channel %s.\n"), argv[1]);
      ltm_cli_channel_print_next_step (channel, key);
    }
  else
    ltm_cli_print_status (cli, "stored", argv[1]);

  return LTM_CLI_OK;
}

static void
ltm_cli_channel_to_json (JsonBuilder *builder,
                         LtmChannel  *channel,
                         gint64       now)
{
  LtmToken *newest = ltm_channel_get_newest_usable (channel, now);

  json_builder_begin_object (builder);
  ltm_cli_json_set_string (builder, "channel_id", ltm_channel_get_channel_id (channel));
  ltm_cli_json_set_string (builder, "name", ltm_channel_get_name (channel));
  ltm_cli_json_set_string (builder, "kid", ltm_channel_get_kid (channel));
  ltm_cli_json_set_string (builder, "key_thumbprint", ltm_channel_get_key_thumbprint (channel));
  ltm_cli_json_set_bool (builder, "has_key", ltm_channel_get_has_key (channel));
  ltm_cli_json_set_bool (builder, "has_secret", ltm_channel_get_has_secret (channel));
  ltm_cli_json_set_int (builder, "valid_v21_tokens", ltm_channel_count_usable_v21 (channel, now));
  ltm_cli_json_set_string (builder, "env_file", ltm_channel_get_env_file (channel));
  ltm_cli_json_set_string (builder, "env_name", ltm_channel_get_env_file (channel) == NULL ? NULL
                           : ltm_channel_get_env_name (channel) != NULL
                           ? ltm_channel_get_env_name (channel) : LTM_DEPLOY_DEFAULT_ENV_NAME);
  ltm_cli_json_set_string (builder, "deploy_command", ltm_channel_get_deploy_command (channel));
  ltm_cli_json_set_int (builder, "grace", ltm_channel_get_grace (channel));
  ltm_cli_json_set_string (builder, "delivery",
                           ltm_delivery_status_to_string (ltm_channel_get_delivery (channel)));
  ltm_cli_json_set_string (builder, "delivery_message", ltm_channel_get_delivery_message (channel));
  json_builder_set_member_name (builder, "delivered_at");
  if (ltm_channel_get_delivery (channel) != LTM_DELIVERY_NONE)
    json_builder_add_int_value (builder, ltm_channel_get_delivered_at (channel));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "next_expiry");
  if (newest != NULL)
    json_builder_add_int_value (builder, ltm_token_get_expires_at (newest));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
}

static int
ltm_cli_channel_list (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autoptr(GError) error = NULL;
  int widths[] = { 12, 20, 4, 6, 6 };
  const char *yes_no_headers[] = { _("KEY"), _("KID"), _("SECRET") };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GListModel *channels;
  LtmStore *store;
  guint n;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 0, &status))
    return status;

  if ((store = ltm_cli_get_store (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  channels = ltm_store_get_channels (store);
  n = g_list_model_get_n_items (channels);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "channels");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);
          ltm_cli_channel_to_json (builder, channel, now);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  if (n == 0)
    {
      g_print ("%s\n", _("No channels yet: add one with “ltm channel add ID --name NAME "
                         "--generate-key”."));
      return LTM_CLI_OK;
    }

  /* The yes/no columns are as wide as their header and the words in them
   * are in the user's language ("KUNCI", "tidak"), so the rows line up. */
  for (guint i = 0; i < G_N_ELEMENTS (yes_no_headers); i++)
    widths[i + 2] = MAX ((guint) widths[i + 2],
                         MAX (ltm_cli_display_width (yes_no_headers[i]),
                              MAX (ltm_cli_display_width (_("yes")),
                                   ltm_cli_display_width (_("no")))));

  ltm_cli_print_row (widths, _("CHANNEL"), _("NAME"), yes_no_headers[0], yes_no_headers[1],
                     yes_no_headers[2], _("TOKENS"), NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);
      g_autofree char *tokens = g_strdup_printf ("%u", ltm_channel_count_usable_v21 (channel, now));
      const char *name = ltm_channel_get_name (channel);

      ltm_cli_print_row (widths, ltm_channel_get_channel_id (channel),
                         name != NULL ? name : "",
                         ltm_channel_get_has_key (channel) ? _("yes") : _("no"),
                         ltm_channel_get_kid (channel) != NULL ? _("yes") : _("no"),
                         ltm_channel_get_has_secret (channel) ? _("yes") : _("no"),
                         tokens, NULL);
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_channel_show (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  LtmChannel *channel;
  LtmToken *newest;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 1, 1, &status))
    return status;

  if ((channel = ltm_cli_get_channel (cli, argv[1], &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      ltm_cli_channel_to_json (builder, channel, now);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  newest = ltm_channel_get_newest_usable (channel, now);
  g_print (_("Channel:        %s\n"), ltm_channel_get_channel_id (channel));
  if (ltm_channel_get_name (channel) != NULL)
    g_print (_("Name:           %s\n"), ltm_channel_get_name (channel));
  g_print (_("Key:            %s\n"), ltm_channel_get_has_key (channel)
           ? ltm_channel_get_key_thumbprint (channel) : _("none"));
  g_print (_("Kid:            %s\n"), ltm_channel_get_kid (channel) != NULL
           ? ltm_channel_get_kid (channel) : _("none: register the public key and save its kid"));
  g_print (_("Channel secret: %s\n"), ltm_channel_get_has_secret (channel)
           ? _("stored") : _("none"));
  g_print (_("Valid tokens:   %u of LINE's 30\n"), ltm_channel_count_usable_v21 (channel, now));
  if (newest != NULL)
    {
      g_autofree char *when = ltm_cli_format_time (ltm_token_get_expires_at (newest), now);
      g_print (_("Newest token:   %s, expires %s\n"), ltm_token_get_key_id (newest), when);
    }

  /* Where rotations deliver the new token. */
  if (ltm_channel_get_env_file (channel) != NULL)
    g_print (_("Env file:       %s (%s)\n"), ltm_channel_get_env_file (channel),
             ltm_channel_get_env_name (channel) != NULL
             ? ltm_channel_get_env_name (channel) : LTM_DEPLOY_DEFAULT_ENV_NAME);
  if (ltm_channel_get_deploy_command (channel) != NULL)
    {
      g_autofree char *shown = ltm_text_escape_controls (ltm_channel_get_deploy_command (channel),
                                                         NULL);
      g_print (_("Deploy command: %s\n"), shown);
    }
  if (!ltm_channel_has_deploy_target (channel))
    g_print (_("Deploy:         no target: replaced tokens stay valid until they expire\n"));
  if (ltm_channel_get_grace (channel) > 0)
    {
      g_autofree char *grace = ltm_duration_format (ltm_channel_get_grace (channel));
      g_print (_("Grace period:   %s\n"), grace);
    }
  if (ltm_channel_get_delivery (channel) != LTM_DELIVERY_NONE)
    {
      g_autofree char *when = ltm_cli_format_time (ltm_channel_get_delivered_at (channel), now);
      g_autofree char *message = ltm_text_escape_controls (
        ltm_channel_get_delivery_message (channel) != NULL
        ? ltm_channel_get_delivery_message (channel) : "", NULL);

      g_print (_("Last delivery:  %s, %s: %s\n"),
               ltm_channel_get_delivery (channel) == LTM_DELIVERY_DELIVERED
               ? _("delivered") : _("failed"), when, message);
    }

  /* The public key, for the console: it needs the master key. */
  if (ltm_channel_get_has_key (channel))
    {
      g_autofree char *jwk = NULL;

      if ((key = ltm_store_get_key (cli->store, argv[1], &error)) == NULL)
        return ltm_cli_fail (cli, error);
      jwk = ltm_key_to_public_jwk (key);
      g_print (_("Public key:     %s\n"), jwk);
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_channel_remove (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  g_autoptr(GError) error = NULL;
  LtmStore *store;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 1, 1, &status))
    return status;

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      !ltm_store_remove_channel (store, argv[1], &error))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    ltm_cli_print_status (cli, "removed", argv[1]);
  else
    g_print (_("Removed channel %s and every secret stored for it. Its tokens were not revoked "
               "at LINE.\n"), argv[1]);

  return LTM_CLI_OK;
}

static int
ltm_cli_channel_check_or_repair (LtmCli   *cli,
                                 int       argc,
                                 char    **argv,
                                 gboolean  repair)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  LtmStore *store;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 0, &status))
    return status;

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      (problems = ltm_store_check (store, &error)) == NULL ||
      (repair && problems->len > 0 && !ltm_store_repair (store, &error)))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "problems");
      json_builder_begin_array (builder);
      for (guint i = 0; i < problems->len; i++)
        {
          LtmStoreProblem *problem = g_ptr_array_index (problems, i);
          json_builder_add_string_value (builder, problem->description);
        }
      json_builder_end_array (builder);
      ltm_cli_json_set_bool (builder, "repaired", repair && problems->len > 0);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      for (guint i = 0; i < problems->len; i++)
        g_print ("%s\n", ((LtmStoreProblem *) g_ptr_array_index (problems, i))->description);

      if (problems->len == 0)
        g_print ("%s\n", _("The store is sound: every sealed secret opens."));
      else if (repair)
        g_print ("%s\n", _("Repaired: what did not open was dropped; everything else is as it was."));
      else
        g_print ("%s\n", _("Run “ltm channel repair” to drop what does not open."));
    }

  return (problems->len == 0 || repair) ? LTM_CLI_OK : LTM_CLI_FAILED;
}

static int
ltm_cli_channel_check (LtmCli  *cli,
                       int      argc,
                       char   **argv)
{
  return ltm_cli_channel_check_or_repair (cli, argc, argv, FALSE);
}

static int
ltm_cli_channel_repair (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  return ltm_cli_channel_check_or_repair (cli, argc, argv, TRUE);
}

static int
ltm_cli_channel_export (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) document = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the channel to FILE (mode 0600; never overwritten), or - for standard output"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  LtmStore *store;
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 1, 1, &status))
    return status;

  if (output == NULL)
    return ltm_cli_usage_error (cli, _("-o FILE is required"));

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      (document = ltm_store_export_channel (store, argv[1], &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (g_str_equal (output, "-"))
    {
      fputs (document, stdout);
      return LTM_CLI_OK;
    }

  if (!ltm_cli_write_new_file (output, document, strlen (document), &error))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    ltm_cli_print_status (cli, "exported", argv[1]);
  else
    g_print (_("Wrote channel %s, its key and its channel secret to “%s” (readable only by you). "
               "Import it with “ltm channel import %s”, then delete it.\n"),
             argv[1], output, output);

  return LTM_CLI_OK;
}

static int
ltm_cli_channel_import (LtmCli  *cli,
                        int      argc,
                        char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmSecret) document = NULL;
  g_autofree char *channel_id = NULL;
  LtmStore *store;
  gsize len = 0;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 1, 1, &status))
    return status;

  if ((document = ltm_cli_read_input (argv[1], &len, &error)) == NULL ||
      (store = ltm_cli_get_store (cli, &error)) == NULL ||
      (channel_id = ltm_store_import_channel (store, document, len, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    ltm_cli_print_status (cli, "stored", channel_id);
  else
    g_print (_("Stored channel %s from “%s”.\n"), channel_id,
             g_str_equal (argv[1], "-") ? _("standard input") : argv[1]);

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_channel_commands[] = {
  {
    "channel", "add", "ID",
    "ID --name NAME [--kid KID] [--key FILE | --generate-key] [--secret-file F]",
    N_("Keep a channel, its key and its channel secret in the store"),
    N_("Example:\n  ltm channel add 1234567890 --name \"My bot\" --generate-key "
       "--secret-file secret.txt"),
    ltm_cli_channel_add,
  },
  {
    "channel", "set", "ID",
    "ID [--name NAME] [--kid KID] [--key FILE | --generate-key] [--secret-file F] "
    "[--env-file PATH [--env-name NAME] | --no-env-file] "
    "[--deploy-command CMD | --no-deploy-command] [--grace DURATION]",
    N_("Change a stored channel: its name, kid, key, channel secret or deploy targets"),
    N_("A new key replaces the old one only once it is stored, and clears the kid: "
       "register the new public key and save its kid.\n\n"
       "Deploy targets get each new token after a rotation: --env-file rewrites one line of "
       "the file in place (mode and owner kept); --deploy-command runs with /bin/sh -c and "
       "reads the token on standard input, with LTM_CHANNEL_ID, LTM_TOKEN_KEY_ID and "
       "LTM_TOKEN_EXPIRES_AT in its environment, for at most 120 seconds. The replaced "
       "tokens are revoked once every target took the new one, after --grace.\n\n"
       "Example:\n  ltm channel set 1234567890 --env-file ~/bot/.env "
       "--deploy-command 'systemctl --user restart bot'"),
    ltm_cli_channel_set,
  },
  {
    "channel", "list", "", "",
    N_("List the stored channels"),
    NULL,
    ltm_cli_channel_list,
  },
  {
    "channel", "show", "ID", "ID",
    N_("Show a stored channel, with the public key to paste into the console"),
    NULL,
    ltm_cli_channel_show,
  },
  {
    "channel", "remove", "ID", "ID",
    N_("Forget a channel and remove all its secrets from the store"),
    NULL,
    ltm_cli_channel_remove,
  },
  {
    "channel", "check", "", "",
    N_("Check the database and open every sealed secret; exit status 1 if anything is wrong"),
    NULL,
    ltm_cli_channel_check,
  },
  {
    "channel", "repair", "", "",
    N_("Drop the sealed secrets that do not open, and the tokens whose secret is gone"),
    NULL,
    ltm_cli_channel_repair,
  },
  {
    "channel", "export", "ID", "ID -o FILE",
    N_("Write a channel, its key and its channel secret to FILE, to import on another machine"),
    N_("FILE holds the private key and the channel secret in plain form: it is made readable "
       "only by you, and is best deleted once imported.\n\n"
       "Example, from the desktop to a server:\n"
       "  ltm channel export 1234567890 -o - | ssh server ltm channel import -"),
    ltm_cli_channel_export,
  },
  {
    "channel", "import", "FILE", "FILE|-",
    N_("Add a channel from a file “ltm channel export” wrote"),
    NULL,
    ltm_cli_channel_import,
  },
  { NULL }
};
