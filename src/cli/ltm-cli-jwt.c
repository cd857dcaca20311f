/* ltm-cli-jwt.c: `ltm jwt create|decode|verify`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ltm-cli.h"
#include "ltm-duration.h"
#include "ltm-json.h"
#include "ltm-jwt.h"

static gint64
ltm_cli_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static JsonNode *
ltm_cli_jwt_to_json (LtmJwt *jwt)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  ltm_cli_json_set_string (builder, "jwt", ltm_jwt_get_compact (jwt));
  json_builder_set_member_name (builder, "header");
  json_builder_add_value (builder, json_node_init_object (json_node_alloc (),
                                                          ltm_jwt_get_header (jwt)));
  json_builder_set_member_name (builder, "payload");
  json_builder_add_value (builder, json_node_init_object (json_node_alloc (),
                                                          ltm_jwt_get_payload (jwt)));
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
ltm_cli_jwt_print_object (const char *title,
                          JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, TRUE);

  g_print ("%s\n%s\n", title, text);
}

static void
ltm_cli_jwt_print_times (LtmJwt *jwt,
                         gint64  now)
{
  JsonObject *payload = ltm_jwt_get_payload (jwt);
  gint64 value;

  if (ltm_json_object_get_int (payload, "exp", &value))
    {
      g_autofree char *when = ltm_cli_format_time (value, now);

      g_print (_("JWT expires:    %s\n"), when);
    }

  if (ltm_json_object_get_int (payload, "token_exp", &value))
    {
      g_autofree char *lifetime = ltm_duration_format (value);

      g_print (_("Token lifetime: %s\n"), lifetime);
    }
}

static int
ltm_cli_jwt_create (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *lifetime_text = NULL;
  g_autofree char *token_lifetime_text = NULL;
  g_autofree char *compact = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  gint64 lifetime = LTM_JWT_MAX_LIFETIME;
  gint64 token_lifetime = LTM_JWT_MAX_TOKEN_LIFETIME;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("The channel ID (iss and sub)"), N_("ID") },
    { "kid", 0, 0, G_OPTION_ARG_STRING, &kid,
      N_("The kid the console showed when you registered the public key (default: the stored kid)"),
      N_("KID") },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("The private key file (JWK or PEM), or - for standard input (default: the stored key)"),
      N_("FILE") },
    { "lifetime", 0, 0, G_OPTION_ARG_STRING, &lifetime_text,
      N_("How long the JWT is valid, at most 30m (default 30m)"), N_("DURATION") },
    { "token-lifetime", 0, 0, G_OPTION_ARG_STRING, &token_lifetime_text,
      N_("How long the access token should live, at most 30d (default 30d)"), N_("DURATION") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (channel == NULL)
    return ltm_cli_usage_error (cli, _("--channel is required"));

  if ((lifetime_text != NULL &&
       !ltm_cli_parse_duration ("--lifetime", lifetime_text, ltm_jwt_check_lifetime,
                                &lifetime, &error)) ||
      (token_lifetime_text != NULL &&
       !ltm_cli_parse_duration ("--token-lifetime", token_lifetime_text,
                                ltm_jwt_check_token_lifetime, &token_lifetime, &error)))
    return ltm_cli_fail (cli, error);

  compact = ltm_cli_sign_assertion (cli, channel, kid, key_file, lifetime, token_lifetime, &error);
  if (compact == NULL)
    return ltm_cli_fail (cli, error);

  if (!cli->json)
    {
      g_print ("%s\n", compact);
      return LTM_CLI_OK;
    }

  if ((jwt = ltm_jwt_decode (compact, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  {
    g_autoptr(JsonNode) root = ltm_cli_jwt_to_json (jwt);
    ltm_cli_print_json (root);
  }

  return LTM_CLI_OK;
}

static int
ltm_cli_jwt_decode (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  g_autofree char *text = NULL;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 1, &status))
    return status;

  if ((text = ltm_cli_read_text_input (argv[1], &error)) == NULL ||
      (jwt = ltm_jwt_decode (text, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = ltm_cli_jwt_to_json (jwt);

      ltm_cli_print_json (root);
      return LTM_CLI_OK;
    }

  ltm_cli_jwt_print_object (_("Header:"), ltm_jwt_get_header (jwt));
  ltm_cli_jwt_print_object (_("Payload:"), ltm_jwt_get_payload (jwt));
  ltm_cli_jwt_print_times (jwt, ltm_cli_now ());
  g_print ("%s\n", _("The signature was not checked; use “ltm jwt verify --key FILE”."));

  return LTM_CLI_OK;
}

static int
ltm_cli_jwt_verify (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *key_file = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) signature_error = NULL;
  g_autoptr(GError) claims_error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  const GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("The key that signed it: a public or private JWK, or PEM"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  gint64 now = ltm_cli_now ();
  gboolean signature_ok;
  gboolean claims_ok;
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 1, &status))
    return status;

  if (key_file == NULL)
    return ltm_cli_usage_error (cli, _("--key is required"));

  if (g_strcmp0 (key_file, "-") == 0 && (argc < 2 || g_str_equal (argv[1], "-")))
    return ltm_cli_usage_error (cli, _("the key and the JWT cannot both come from standard input"));

  if ((key = ltm_cli_load_key (key_file, LTM_KEY_IMPORT_ALLOW_PUBLIC, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if ((text = ltm_cli_read_text_input (argv[1], &error)) == NULL ||
      (jwt = ltm_jwt_decode (text, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  signature_ok = ltm_jwt_verify_signature (jwt, key, &signature_error);
  claims_ok = ltm_jwt_check_line_claims (jwt, now, &claims_error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_bool (builder, "valid", signature_ok && claims_ok);
      ltm_cli_json_set_bool (builder, "signature_valid", signature_ok);
      ltm_cli_json_set_string (builder, "signature_error",
                               signature_error != NULL ? signature_error->message : NULL);
      ltm_cli_json_set_bool (builder, "claims_valid", claims_ok);
      ltm_cli_json_set_string (builder, "claims_error",
                               claims_error != NULL ? claims_error->message : NULL);
      ltm_cli_json_set_string (builder, "key_thumbprint", ltm_key_get_thumbprint (key));
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      if (signature_ok)
        g_print (_("Signature:  valid (key %s)\n"), ltm_key_get_thumbprint (key));
      else
        g_print (_("Signature:  INVALID: %s\n"), signature_error->message);

      if (claims_ok)
        g_print ("%s\n", _("LINE rules: met"));
      else
        g_print (_("LINE rules: NOT MET: %s\n"), claims_error->message);

      ltm_cli_jwt_print_times (jwt, now);
    }

  if (!signature_ok)
    return ltm_cli_fail (cli, signature_error);
  if (!claims_ok)
    return ltm_cli_fail (cli, claims_error);

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_jwt_commands[] = {
  {
    "jwt", "create", "",
    "--channel ID [--kid KID --key FILE] [--lifetime 30m] [--token-lifetime 30d]",
    N_("Create and sign the JWT assertion LINE exchanges for a channel access token"),
    N_("Durations are written 900, 15m, 12h or 30d.\n\n"
       "Example:\n  ltm jwt create --channel 1234567890 --kid KID --key channel-key.json"),
    ltm_cli_jwt_create,
  },
  {
    "jwt", "decode", "[JWT|-]", "[JWT|-]",
    N_("Show a JWT's header and payload, with readable times; nothing is verified"),
    NULL,
    ltm_cli_jwt_decode,
  },
  {
    "jwt", "verify", "[JWT|-]", "--key FILE [JWT|-]",
    N_("Check a JWT's signature and LINE's rules; exit status 1 when it is not valid"),
    N_("LINE's rules: alg RS256, typ JWT and a kid in the header; iss and sub the same "
       "channel ID; aud https://api.line.me/; exp in the future and at most 30 minutes "
       "ahead; token_exp from 1 second to 30 days."),
    ltm_cli_jwt_verify,
  },
  { NULL }
};
