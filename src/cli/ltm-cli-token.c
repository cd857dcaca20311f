/* ltm-cli-token.c: `ltm token issue|verify|kids|revoke|stateless|short-lived`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>

#include "ltm-cli.h"
#include "ltm-deploy.h"
#include "ltm-duration.h"
#include "ltm-jwt.h"
#include "ltm-lifecycle.h"

/* A token argument may only be "-": the token itself on the command line
 * could be read by every user on the machine. */
static gboolean
ltm_cli_token_check_argument (LtmCli      *cli,
                              const char  *argument,
                              char       **token_file,
                              int         *status)
{
  if (argument == NULL)
    return TRUE;

  if (!g_str_equal (argument, "-"))
    {
      *status = ltm_cli_usage_error (cli, _("an access token is never taken from the command line, "
                                            "where other users can read it; give “-” and pipe it "
                                            "in, use --token-file, or set LTM_ACCESS_TOKEN"));
      return FALSE;
    }

  g_free (*token_file);
  *token_file = g_strdup ("-");

  return TRUE;
}

/* @key_id: what names the token: LINE's key ID, or the store's for a
 * kept short-lived token (for `ltm token revoke --key-id`). */
static void
ltm_cli_token_print (LtmCli       *cli,
                     LtmLineToken *token,
                     const char   *key_id)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!cli->json)
    {
      /* Bare, so that TOKEN=$(ltm token issue …) works. */
      g_print ("%s\n", token->access_token);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  ltm_cli_json_set_string (builder, "access_token", token->access_token);
  ltm_cli_json_set_int (builder, "expires_in", token->expires_in);
  ltm_cli_json_set_string (builder, "token_type", token->token_type);
  if (key_id != NULL)
    ltm_cli_json_set_string (builder, "key_id", key_id);
  json_builder_end_object (builder);
  ltm_cli_print_builder (builder);
}

/* Prints what was issued whatever happens, so that the token is never
 * lost; a store that could not keep it makes the exit status 1. */
static int
ltm_cli_token_print_issuance (LtmCli       *cli,
                              LtmIssuance  *issuance,
                              const GError *store_error)
{
  ltm_cli_token_print (cli, issuance->token, issuance->key_id);

  if (issuance->store_error != NULL || store_error != NULL)
    return ltm_cli_fail_prefixed (cli, _("the token was issued but not stored"),
                                  issuance->store_error != NULL ? issuance->store_error
                                                                : store_error);

  return LTM_CLI_OK;
}

static int
ltm_cli_token_issue (LtmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *token_lifetime_text = NULL;
  g_autofree char *signer_kid = NULL;
  char *found_kid = NULL;                       /* (gcc's analyzer: no g_autofree address) */
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) issuance = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(LtmKey) key = NULL;
  gint64 token_lifetime = LTM_JWT_MAX_TOKEN_LIFETIME;
  gboolean no_store = FALSE;
  LtmLineClient *client;
  LtmStore *store = NULL;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    { "kid", 0, 0, G_OPTION_ARG_STRING, &kid,
      N_("The kid the console showed for the key (default: the stored kid)"), N_("KID") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("The private key file (JWK or PEM), or - for standard input (default: the stored key)"),
      N_("FILE") },
    { "token-lifetime", 0, 0, G_OPTION_ARG_STRING, &token_lifetime_text,
      N_("How long the token lives, at most 30d (default 30d)"), N_("DURATION") },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store,
      N_("Do not keep the token in the store, even for a stored channel"), NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if (token_lifetime_text != NULL &&
      !ltm_cli_parse_duration ("--token-lifetime", token_lifetime_text,
                               ltm_jwt_check_token_lifetime, &token_lifetime, &error))
    return ltm_cli_fail (cli, error);

  if ((client = ltm_cli_get_client (cli, &error)) == NULL ||
      (key = ltm_cli_find_signer (cli, channel, kid, key_file, &found_kid, &error)) == NULL)
    return ltm_cli_fail (cli, error);
  signer_kid = found_kid;

  /* The store keeps it for a stored channel; a store that cannot be read
   * is said after the token is printed. */
  if (!no_store)
    store = ltm_cli_get_store (cli, &store_error);

  ltm_lifecycle_issue_async (store, client, channel, key, signer_kid, token_lifetime,
                             no_store ? LTM_ISSUE_NO_STORE : LTM_ISSUE_FLAGS_NONE, NULL,
                             ltm_async_result_cb, &result);
  issuance = ltm_lifecycle_issue_finish (ltm_async_wait (&result), &error);
  if (issuance == NULL)
    return ltm_cli_fail (cli, error);

  return ltm_cli_token_print_issuance (cli, issuance, store_error);
}

static int
ltm_cli_token_verify (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *token_file = NULL;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmLineTokenInfo) info = NULL;
  gboolean short_lived = FALSE;
  LtmLineClient *client;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("Verify a token stored for this channel (the newest, or --key-id)"), N_("ID") },
    { "key-id", 0, 0, G_OPTION_ARG_STRING, &key_id,
      N_("Which stored token"), N_("KEYID") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the token from FILE (- for standard input)"), N_("FILE") },
    { "short-lived", 0, 0, G_OPTION_ARG_NONE, &short_lived,
      N_("The token given is short-lived or long-lived: use LINE's v2 endpoint (a stored "
         "token's own kind decides)"), NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 1, &status))
    return status;

  if (!ltm_cli_token_check_argument (cli, argv[1], &token_file, &status))
    return status;

  if ((client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* A stored token: the workflow the window runs, at its kind's endpoint. */
  if (channel != NULL && !ltm_cli_access_token_given (token_file))
    {
      if ((key_id != NULL && !ltm_jwt_check_key_id (key_id, &error)) ||
          ltm_cli_get_channel (cli, channel, &error) == NULL)
        return ltm_cli_fail (cli, error);

      ltm_lifecycle_verify_async (cli->store, client, channel, key_id, NULL,
                                  ltm_async_result_cb, &result);
      info = ltm_lifecycle_verify_finish (ltm_async_wait (&result), &error);
      if (info == NULL)
        ltm_cli_advise_token (error, channel, key_id);
    }
  else if ((token = ltm_cli_access_token (cli, NULL, NULL, token_file, &error)) == NULL)
    return ltm_cli_fail (cli, error);
  else if (short_lived)
    {
      ltm_line_client_verify_short_lived_token_async (client, token, NULL,
                                                      ltm_async_result_cb, &result);
      info = ltm_line_client_verify_short_lived_token_finish (client, ltm_async_wait (&result),
                                                              &error);
    }
  else
    {
      ltm_line_client_verify_token_async (client, token, NULL, ltm_async_result_cb, &result);
      info = ltm_line_client_verify_token_finish (client, ltm_async_wait (&result), &error);
    }

  if (info == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "client_id", info->client_id);
      ltm_cli_json_set_int (builder, "expires_in", info->expires_in);
      ltm_cli_json_set_string (builder, "scope", info->scope);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      g_autofree char *when = ltm_cli_format_time (now + info->expires_in, now);

      g_print (_("Valid for channel %s\n"), info->client_id);
      g_print (_("Expires: %s\n"), when);
      if (info->scope != NULL && info->scope[0] != '\0')
        g_print (_("Scope:   %s\n"), info->scope);
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_token_kids (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *jwt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) key_ids = NULL;
  LtmLineClient *client;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    { "kid", 0, 0, G_OPTION_ARG_STRING, &kid,
      N_("The kid the console showed for the key (default: the stored kid)"), N_("KID") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("The private key file (JWK or PEM), or - for standard input (default: the stored key)"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  /* The token_exp of this JWT asks for nothing; LINE only reads who signed it. */
  if ((client = ltm_cli_get_client (cli, &error)) == NULL ||
      (jwt = ltm_cli_sign_assertion (cli, channel, kid, key_file, LTM_JWT_ASSERTION_LIFETIME,
                                     LTM_JWT_MAX_TOKEN_LIFETIME, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  ltm_line_client_get_key_ids_async (client, jwt, NULL, ltm_async_result_cb, &result);
  key_ids = ltm_line_client_get_key_ids_finish (client, ltm_async_wait (&result), &error);
  if (key_ids == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kids");
      json_builder_begin_array (builder);
      for (guint i = 0; key_ids[i] != NULL; i++)
        json_builder_add_string_value (builder, key_ids[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  for (guint i = 0; key_ids[i] != NULL; i++)
    g_print ("%s\n", key_ids[i]);

  g_printerr (g_dngettext (GETTEXT_PACKAGE,
                           "%u valid v2.1 token (LINE allows 30 at once)\n",
                           "%u valid v2.1 tokens (LINE allows 30 at once)\n",
                           g_strv_length (key_ids)),
              g_strv_length (key_ids));

  return LTM_CLI_OK;
}

static int
ltm_cli_token_revoke (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *key_id = NULL;
  g_autoptr(LtmSecret) token = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gboolean short_lived = FALSE;
  LtmLineClient *client;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Read the channel secret from FILE (default: LTM_CHANNEL_SECRET, or the stored one)"),
      N_("FILE") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the token from FILE (- for standard input)"), N_("FILE") },
    { "key-id", 0, 0, G_OPTION_ARG_STRING, &key_id,
      N_("Revoke the stored token with this key ID, and mark it revoked"), N_("KEYID") },
    { "short-lived", 0, 0, G_OPTION_ARG_NONE, &short_lived,
      N_("The token given is short-lived or long-lived: use LINE's v2 endpoint (a stored "
         "token's own kind decides)"), NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 1, &status))
    return status;

  if (!ltm_cli_token_check_argument (cli, argv[1], &token_file, &status))
    return status;

  if (channel == NULL && (key_id != NULL || !short_lived))
    return ltm_cli_usage_error (cli, _("--channel is required"));
  if (key_id == NULL && token_file == NULL && g_getenv ("LTM_ACCESS_TOKEN") == NULL)
    return ltm_cli_usage_error (cli, _("say which token: --key-id KEYID, - (standard input), "
                                       "--token-file or LTM_ACCESS_TOKEN"));

  /* A stored token: the revoke workflow of core, as the window and
   * rotations use it; a short-lived one needs no channel secret. */
  if (key_id != NULL)
    {
      const char *key_ids[] = { key_id, NULL };
      g_autoptr(LtmRevocation) revocation = NULL;
      LtmToken *stored_token;

      if (!ltm_jwt_check_key_id (key_id, &error) ||
          ltm_cli_get_channel (cli, channel, &error) == NULL ||
          (client = ltm_cli_get_client (cli, &error)) == NULL)
        return ltm_cli_fail (cli, error);

      stored_token = ltm_store_lookup_token (cli->store, channel, key_id, 0, &error);
      if (stored_token == NULL)
        {
          ltm_cli_advise_token (error, channel, key_id);
          return ltm_cli_fail (cli, error);
        }

      if (ltm_token_get_kind (stored_token) != LTM_TOKEN_KIND_SHORT_LIVED &&
          (secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL)
        return ltm_cli_fail (cli, error);

      ltm_lifecycle_revoke_async (cli->store, client, channel, key_ids, secret, NULL,
                                  ltm_async_result_cb, &result);
      revocation = ltm_lifecycle_revoke_finish (ltm_async_wait (&result), &error);
      if (revocation == NULL)
        return ltm_cli_fail (cli, error);
      if (revocation->error != NULL)
        return ltm_cli_fail (cli, revocation->error);
      if (revocation->mark_error != NULL)
        return ltm_cli_fail_prefixed (cli, _("LINE revoked the token, but the store could not "
                                             "mark it"), revocation->mark_error);

      if (cli->json)
        ltm_cli_print_status (cli, "revoked", NULL);
      else
        g_print ("%s\n", _("Revoked. LINE answers the same for a token it did not know."));

      return LTM_CLI_OK;
    }

  if ((token = ltm_cli_access_token (cli, NULL, NULL, token_file, &error)) == NULL ||
      (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (short_lived)
    {
      ltm_line_client_revoke_short_lived_token_async (client, token, NULL,
                                                      ltm_async_result_cb, &result);
      if (!ltm_line_client_revoke_short_lived_token_finish (client, ltm_async_wait (&result),
                                                            &error))
        return ltm_cli_fail (cli, error);
    }
  else
    {
      if ((secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL)
        return ltm_cli_fail (cli, error);

      ltm_line_client_revoke_token_async (client, channel, secret, token, NULL,
                                          ltm_async_result_cb, &result);
      if (!ltm_line_client_revoke_token_finish (client, ltm_async_wait (&result), &error))
        return ltm_cli_fail (cli, error);
    }

  if (cli->json)
    ltm_cli_print_status (cli, "revoked", NULL);
  else
    g_print ("%s\n", _("Revoked. LINE answers the same for a token it did not know."));

  return LTM_CLI_OK;
}

static int
ltm_cli_token_stateless (LtmCli  *cli,
                         int      argc,
                         char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *signer_kid = NULL;
  char *found_kid = NULL;                       /* (gcc's analyzer: no g_autofree address) */
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) issuance = NULL;
  LtmLineClient *client;
  LtmChannel *stored;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    { "kid", 0, 0, G_OPTION_ARG_STRING, &kid,
      N_("The kid the console showed for the key (default: the stored kid)"), N_("KID") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("The private key file (JWK or PEM), or - for standard input (default: the stored key)"),
      N_("FILE") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Use the channel secret from FILE instead of a key (or set LTM_CHANNEL_SECRET)"),
      N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));
  if (key_file != NULL && secret_file != NULL)
    return ltm_cli_usage_error (cli, _("use either --kid and --key, or --secret-file"));

  if (!ltm_jwt_check_channel_id (channel, &error) ||
      (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* A key when one is given or stored; otherwise the channel secret. */
  stored = ltm_cli_get_channel (cli, channel, NULL);
  if (key_file != NULL || (secret_file == NULL && stored != NULL &&
                           ltm_channel_get_has_key (stored)))
    {
      if ((key = ltm_cli_find_signer (cli, channel, kid, key_file, &found_kid, &error)) == NULL)
        return ltm_cli_fail (cli, error);
      signer_kid = found_kid;
    }
  else if ((secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* Never stored: it lives 15 minutes and cannot be revoked. */
  ltm_lifecycle_issue_stateless_async (cli->store, client, channel, key, signer_kid, secret, NULL,
                                       ltm_async_result_cb, &result);
  issuance = ltm_lifecycle_issue_finish (ltm_async_wait (&result), &error);
  if (issuance == NULL)
    return ltm_cli_fail (cli, error);

  ltm_cli_token_print (cli, issuance->token, NULL);

  return LTM_CLI_OK;
}

static int
ltm_cli_token_short_lived (LtmCli  *cli,
                           int      argc,
                           char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *secret_file = NULL;
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmIssuance) issuance = NULL;
  gboolean no_store = FALSE;
  LtmLineClient *client;
  LtmStore *store = NULL;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    { "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file,
      N_("Read the channel secret from FILE (default: LTM_CHANNEL_SECRET, or the stored one)"),
      N_("FILE") },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store,
      N_("Do not keep the token in the store, even for a stored channel"), NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if (!ltm_jwt_check_channel_id (channel, &error) ||
      (secret = ltm_cli_channel_secret (cli, channel, secret_file, &error)) == NULL ||
      (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* Kept for a stored channel, as `ltm token issue` keeps it. */
  if (!no_store)
    store = ltm_cli_get_store (cli, &store_error);

  ltm_lifecycle_issue_short_lived_async (store, client, channel, secret,
                                         no_store ? LTM_ISSUE_NO_STORE : LTM_ISSUE_FLAGS_NONE,
                                         NULL, ltm_async_result_cb, &result);
  issuance = ltm_lifecycle_issue_finish (ltm_async_wait (&result), &error);
  if (issuance == NULL)
    return ltm_cli_fail (cli, error);

  return ltm_cli_token_print_issuance (cli, issuance, store_error);
}

/* CHANNEL, KEY ID, KIND, STATUS, then EXPIRES */
static const int token_list_widths[] = { 12, 24, 11, 8 };

static void
ltm_cli_token_list_add (JsonBuilder *builder,
                        LtmChannel  *channel,
                        gint64       now)
{
  GListModel *tokens = ltm_channel_get_tokens (channel);

  for (guint i = 0; i < g_list_model_get_n_items (tokens); i++)
    {
      g_autoptr(LtmToken) token = g_list_model_get_item (tokens, i);
      const char *status;
      const char *retirement = ltm_token_retirement_to_string (ltm_token_get_retirement (token));

      ltm_token_update_status (token, now, LTM_TOKEN_DEFAULT_WARNING);
      status = ltm_token_status_to_string (ltm_token_get_status (token));
      /* A valid token a rotation replaced says so. */
      if (retirement != NULL && ltm_token_is_usable (token, now))
        status = retirement;

      if (builder != NULL)
        {
          json_builder_begin_object (builder);
          ltm_cli_json_set_string (builder, "channel_id", ltm_channel_get_channel_id (channel));
          ltm_cli_json_set_string (builder, "key_id", ltm_token_get_key_id (token));
          ltm_cli_json_set_string (builder, "kind",
                                   ltm_token_kind_to_string (ltm_token_get_kind (token)));
          ltm_cli_json_set_int (builder, "issued_at", ltm_token_get_issued_at (token));
          ltm_cli_json_set_int (builder, "expires_at", ltm_token_get_expires_at (token));
          ltm_cli_json_set_string (builder, "status",
                                   ltm_token_status_to_string (ltm_token_get_status (token)));
          ltm_cli_json_set_string (builder, "retirement", retirement);
          if (retirement != NULL)
            ltm_cli_json_set_int (builder, "retire_at", ltm_token_get_retire_at (token));
          json_builder_end_object (builder);
        }
      else
        {
          /* A token found without its times (moved from 0.1's keyring
           * without a listing) has none to show until LINE is asked. */
          g_autofree char *expires = ltm_token_get_expires_at (token) > 0
            ? ltm_cli_format_time (ltm_token_get_expires_at (token), now)
            : g_strdup (_("unknown"));

          ltm_cli_print_row (token_list_widths, ltm_channel_get_channel_id (channel),
                             ltm_token_get_key_id (token),
                             ltm_token_kind_to_string (ltm_token_get_kind (token)),
                             status, expires, NULL);
        }
    }
}

static int
ltm_cli_token_list (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *channel_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GListModel *channels;
  LtmStore *store;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel_id,
      N_("Only this channel's tokens"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      (channel_id != NULL && ltm_cli_get_channel (cli, channel_id, &error) == NULL))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "tokens");
      json_builder_begin_array (builder);
    }
  else
    ltm_cli_print_row (token_list_widths, _("CHANNEL"), _("KEY ID"), _("KIND"), _("STATUS"),
                       _("EXPIRES"), NULL);

  channels = ltm_store_get_channels (store);
  for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);

      if (channel_id == NULL || g_str_equal (channel_id, ltm_channel_get_channel_id (channel)))
        ltm_cli_token_list_add (builder, channel, now);
    }

  if (builder != NULL)
    {

      json_builder_end_array (builder);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }

  return LTM_CLI_OK;
}

static void
ltm_cli_token_rotation_progress (guint    done,
                                 guint    total,
                                 gpointer user_data)
{
  gboolean *interactive = user_data;

  if (*interactive)
    {
      /* Over the line before: a counter, not a scrolling log. */
      g_printerr ("\r");
      g_printerr (_("Rotated %u of %u channels"), done, total);
    }
}

/* Revokes the retiring tokens whose time has come, of every channel but
 * those in @skip (a rotation just did theirs). */
static void
ltm_cli_token_retire_all (LtmCli        *cli,
                          LtmStore      *store,
                          LtmLineClient *client,
                          GPtrArray     *skip)
{
  GListModel *channels = ltm_store_get_channels (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < g_list_model_get_n_items (channels); i++)
    {
      g_autoptr(LtmChannel) channel = g_list_model_get_item (channels, i);
      const char *id = ltm_channel_get_channel_id (channel);
      g_auto(GStrv) due = ltm_lifecycle_find_retired (channel, now);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(LtmRevocation) revocation = NULL;
      g_autoptr(GError) error = NULL;

      if (due[0] == NULL || (skip != NULL && g_ptr_array_find_with_equal_func (skip, id,
                                                                                g_str_equal, NULL)))
        continue;

      ltm_lifecycle_retire_async (store, client, id, now, NULL, ltm_async_result_cb, &result);
      revocation = ltm_lifecycle_retire_finish (ltm_async_wait (&result), &error);
      if (revocation == NULL)
        g_printerr (_("ltm: the replaced tokens of channel %s could not be revoked: %s\n"), id,
                    error->message);
      else if (revocation->not_revoked > 0)
        g_printerr (_("ltm: %u replaced tokens of channel %s could not be revoked:%s\n"),
                    revocation->not_revoked, id, revocation->problems);
    }
}

static int
ltm_cli_token_deploy (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  LtmChannel *stored;
  LtmToken *newest;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if ((stored = ltm_cli_get_channel (cli, channel, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (!ltm_channel_has_deploy_target (stored))
    {
      g_set_error (&error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_NO_TARGET,
                   _("Channel %s has no deploy target: set one with “ltm channel set %s "
                     "--env-file PATH” or “--deploy-command CMD”"), channel, channel);
      return ltm_cli_fail (cli, error);
    }

  newest = ltm_store_lookup_token (cli->store, channel, NULL, g_get_real_time () / G_USEC_PER_SEC,
                                   &error);
  if (newest == NULL)
    {
      ltm_cli_advise_token (error, channel, NULL);
      return ltm_cli_fail (cli, error);
    }

  ltm_deploy_async (cli->store, channel, ltm_token_get_key_id (newest), NULL,
                    ltm_async_result_cb, &result);
  if (!ltm_deploy_finish (ltm_async_wait (&result), &error))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "channel_id", channel);
      ltm_cli_json_set_string (builder, "key_id", ltm_token_get_key_id (newest));
      ltm_cli_json_set_string (builder, "delivery", "delivered");
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    g_print (_("Delivered token %s to the deploy targets of channel %s.\n"),
             ltm_token_get_key_id (newest), channel);

  return LTM_CLI_OK;
}

static int
ltm_cli_token_rotate (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *within_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) channel_ids = NULL;
  g_autoptr(GPtrArray) rotations = NULL;
  gint64 within = 7 * 24 * 60 * 60;
  g_autofree char *grace_text = NULL;
  gint64 grace = -1;
  gboolean revoke_old = FALSE;
  gboolean all = FALSE;
  gboolean interactive = isatty (STDERR_FILENO) && !cli->json;
  int jobs = LTM_LIFECYCLE_DEFAULT_JOBS;
  guint failed = 0;
  LtmLineClient *client;
  LtmStore *store;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("Rotate this stored channel now"), N_("ID") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Rotate every stored channel whose newest token expires soon"), NULL },
    { "within", 0, 0, G_OPTION_ARG_STRING, &within_text,
      N_("With --all, how soon counts (default 7d)"), N_("DURATION") },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs,
      N_("How many channels rotate at once, 1 to 64 (default 16)"), N_("N") },
    { "revoke-old", 0, 0, G_OPTION_ARG_NONE, &revoke_old,
      N_("Revoke the replaced tokens now, even with no deploy target"), NULL },
    { "grace", 0, 0, G_OPTION_ARG_STRING, &grace_text,
      N_("How long replaced tokens stay valid after a delivery (default: the channel's)"),
      N_("DURATION") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (grace_text != NULL && !ltm_cli_parse_duration ("--grace", grace_text, NULL, &grace, &error))
    return ltm_cli_fail (cli, error);

  if ((channel == NULL) == !all)
    return ltm_cli_usage_error (cli, _("give either --channel ID or --all"));
  if (jobs < 1 || jobs > 64)
    return ltm_cli_usage_error (cli, _("--jobs takes a number from 1 to 64"));

  if ((within_text != NULL &&
       !ltm_cli_parse_duration ("--within", within_text, NULL, &within, &error)) ||
      (store = ltm_cli_get_store (cli, &error)) == NULL ||
      (channel != NULL && ltm_cli_get_channel (cli, channel, &error) == NULL) ||
      (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (channel != NULL)
    {
      channel_ids = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (channel_ids, g_strdup (channel));
    }
  else
    channel_ids = ltm_lifecycle_find_expiring (store, g_get_real_time () / G_USEC_PER_SEC, within);

  ltm_lifecycle_rotate_many_async (store, client, channel_ids, jobs,
                                   revoke_old ? LTM_ROTATE_REVOKE_OLD : LTM_ROTATE_FLAGS_NONE,
                                   grace,
                                   ltm_cli_token_rotation_progress, &interactive, NULL,
                                   ltm_async_result_cb, &result);
  rotations = ltm_lifecycle_rotate_many_finish (ltm_async_wait (&result), &error);
  if (rotations == NULL)
    return ltm_cli_fail (cli, error);
  if (interactive && rotations->len > 0)
    g_printerr ("\n");

  /* The other channels' tokens whose grace period is over go too. */
  if (all)
    ltm_cli_token_retire_all (cli, store, client, channel_ids);

  for (guint i = 0; i < rotations->len; i++)
    if (((LtmRotation *) g_ptr_array_index (rotations, i))->outcome != LTM_ROTATION_ROTATED)
      failed++;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "rotations");
      json_builder_begin_array (builder);
      for (guint i = 0; i < rotations->len; i++)
        {
          LtmRotation *rotation = g_ptr_array_index (rotations, i);

          json_builder_begin_object (builder);
          ltm_cli_json_set_string (builder, "channel_id", rotation->channel_id);
          ltm_cli_json_set_string (builder, "outcome",
                                   ltm_rotation_outcome_to_string (rotation->outcome));
          ltm_cli_json_set_string (builder, "new_key_id", rotation->new_key_id);
          ltm_cli_json_set_int (builder, "revoked", rotation->revoked);
          ltm_cli_json_set_int (builder, "not_revoked", rotation->not_revoked);
          ltm_cli_json_set_string (builder, "message", rotation->message);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else if (rotations->len == 0)
    g_print (_("No stored channel has a token that expires within %s.\n"),
             within_text != NULL ? within_text : "7d");
  else
    {
      static const int widths[] = { 12, 8 };

      ltm_cli_print_row (widths, _("CHANNEL"), _("OUTCOME"), _("WHAT HAPPENED"), NULL);
      for (guint i = 0; i < rotations->len; i++)
        {
          LtmRotation *rotation = g_ptr_array_index (rotations, i);

          ltm_cli_print_row (widths, rotation->channel_id,
                             ltm_rotation_outcome_to_string (rotation->outcome), rotation->message,
                             NULL);
        }
    }

  if (failed > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "ltm: %u channel was not fully rotated\n",
                               "ltm: %u channels were not fully rotated\n", failed), failed);
      return LTM_CLI_FAILED;
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_token_sync (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmReconciliation) reconciliation = NULL;
  LtmLineClient *client;
  LtmStore *store;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if ((store = ltm_cli_get_store (cli, &error)) == NULL ||
      ltm_cli_get_channel (cli, channel, &error) == NULL ||
      (client = ltm_cli_get_client (cli, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  ltm_lifecycle_reconcile_async (store, client, channel, NULL, ltm_async_result_cb, &result);
  reconciliation = ltm_lifecycle_reconcile_finish (ltm_async_wait (&result), &error);
  if (reconciliation == NULL)
    return ltm_cli_fail (cli, error);


  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "channel_id", channel);
      ltm_cli_json_set_int (builder, "known", reconciliation->known);
      ltm_cli_json_set_int (builder, "gone", reconciliation->gone);
      ltm_cli_json_set_int (builder, "elsewhere", reconciliation->elsewhere);
      ltm_cli_json_set_int (builder, "line_total", reconciliation->line_total);
      ltm_cli_json_set_int (builder, "retired", reconciliation->retired);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  g_print (_("Stored and valid at LINE:      %u\n"), reconciliation->known);
  g_print (_("Gone at LINE, marked revoked:  %u\n"), reconciliation->gone);
  g_print (_("Issued elsewhere, not stored:  %u\n"), reconciliation->elsewhere);
  g_print (_("Valid at LINE, of its 30:      %u\n"), reconciliation->line_total);
  if (reconciliation->retired > 0)
    g_print (_("Past their grace, revoked:     %u\n"), reconciliation->retired);
  if (reconciliation->line_total >= LTM_LINE_MAX_V21_TOKENS)
    g_print ("%s\n", _("The channel is at LINE's limit: a new token will be refused until one is "
                       "revoked or expires."));

  return LTM_CLI_OK;
}

static int
ltm_cli_token_env (LtmCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autofree char *channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LtmBotEnv) env = NULL;
  g_autoptr(LtmSecret) lines = NULL;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("The channel ID"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  /* From the store only: a deploy takes what the store holds. */
  if (ltm_cli_get_channel (cli, channel, &error) == NULL)
    return ltm_cli_fail (cli, error);

  ltm_lifecycle_read_env_async (cli->store, channel, NULL, ltm_async_result_cb, &result);
  if ((env = ltm_lifecycle_read_env_finish (ltm_async_wait (&result), &error)) == NULL)
    {
      ltm_cli_advise_token (error, channel, NULL);
      return ltm_cli_fail (cli, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "CHANNEL_ACCESS_TOKEN", env->access_token);
      ltm_cli_json_set_string (builder, "CHANNEL_SECRET", env->channel_secret);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  lines = ltm_lifecycle_format_env (env->access_token, env->channel_secret);
  g_print ("%s", lines);

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_token_commands[] = {
  {
    "token", "issue", "",
    "--channel ID [--kid KID --key FILE] [--token-lifetime 30d] [--no-store]",
    N_("Issue a channel access token v2.1, print it and keep it in the keyring"),
    N_("Prints the bare token, so that TOKEN=$(ltm token issue …) works; --json prints "
       "LINE's whole answer, with the key_id. For a stored channel the token is kept in "
       "the keyring, and the key and kid come from the store unless given.\n\n"
       "Example:\n  ltm token issue --channel 1234567890"),
    ltm_cli_token_issue,
  },
  {
    "token", "verify", "[-]",
    "[--channel ID [--key-id KEYID] | --token-file FILE | -] [--short-lived]",
    N_("Ask LINE whether a token is valid, for which channel and how long"),
    N_("The token comes from --token-file, standard input (-), LTM_ACCESS_TOKEN or the "
       "store, never from the command line."),
    ltm_cli_token_verify,
  },
  {
    "token", "kids", "", "--channel ID [--kid KID --key FILE]",
    N_("List the key IDs of the channel's valid v2.1 tokens"),
    NULL,
    ltm_cli_token_kids,
  },
  {
    "token", "revoke", "[-]",
    "--channel ID [--secret-file F] [--key-id KEYID | --token-file F | -] [--short-lived]",
    N_("Revoke a token"),
    N_("A v2.1 token needs the channel secret: --secret-file, LTM_CHANNEL_SECRET or the "
       "stored one. With --key-id, the stored token is revoked at the endpoint of its kind (a "
       "short-lived one needs no secret) and marked revoked."),
    ltm_cli_token_revoke,
  },
  {
    "token", "stateless", "", "--channel ID [--kid KID --key FILE | --secret-file F]",
    N_("Issue a stateless token (15 minutes, cannot be revoked)"),
    N_("Signed with the key when one is given or stored, else with the channel secret. "
       "Stateless tokens are not kept in the keyring."),
    ltm_cli_token_stateless,
  },
  {
    "token", "short-lived", "", "--channel ID [--secret-file F] [--no-store]",
    N_("Issue a short-lived token (30 days; the 31st revokes the oldest)"),
    NULL,
    ltm_cli_token_short_lived,
  },
  {
    "token", "list", "", "[--channel ID]",
    N_("List the tokens kept in the store, with their status and expiry"),
    NULL,
    ltm_cli_token_list,
  },
  {
    "token", "rotate", "",
    "(--channel ID | --all) [--within 7d] [--jobs N] [--revoke-old] [--grace DURATION]",
    N_("Replace tokens before they expire: issue, verify, store, deliver, then revoke the old"),
    N_("The new token is delivered to the channel's deploy targets (ltm channel set "
       "--env-file, --deploy-command); the old tokens are revoked only once every target took "
       "it, after the grace period. With no target they stay valid until they expire, unless "
       "--revoke-old. A channel that fails keeps its old tokens. Exit status 1 if any channel "
       "was not fully rotated or its delivery failed.\n\n"
       "Run it daily, for example from a systemd user timer (see the README):\n"
       "  ltm token rotate --all --within 7d"),
    ltm_cli_token_rotate,
  },
  {
    "token", "deploy", "", "--channel ID",
    N_("Deliver the newest token to the channel's deploy targets now"),
    N_("After changing the targets with ltm channel set. Exit status 1 if a target did not "
       "take it."),
    ltm_cli_token_deploy,
  },
  {
    "token", "sync", "", "--channel ID",
    N_("Compare the stored tokens with LINE's list; mark the ones LINE no longer knows"),
    NULL,
    ltm_cli_token_sync,
  },
  {
    "token", "env", "", "--channel ID",
    N_("Print CHANNEL_ACCESS_TOKEN= and CHANNEL_SECRET= lines for deploying a bot"),
    N_("From the store: the newest usable token and the channel secret."),
    ltm_cli_token_env,
  },
  { NULL }
};
