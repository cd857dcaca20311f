/* ltm-cli-key.c: `ltm key generate|public|info`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ltm-cli.h"

static int
ltm_cli_key_generate (LtmCli  *cli,
                      int      argc,
                      char   **argv)
{
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmSecret) jwk = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the private key to FILE, readable only by you; an existing FILE is never "
         "overwritten"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  /* "-" is standard output, as everywhere else in ltm; not a file named "-". */
  if (g_strcmp0 (output, "-") == 0)
    g_clear_pointer (&output, g_free);

  /* Say so before spending the time on a key. */
  if (output != NULL && g_file_test (output, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (&error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   _("“%s” already exists, and a key file is never overwritten; "
                     "choose another name."), output);
      return ltm_cli_fail (cli, error);
    }

  if ((key = ltm_key_generate (&error)) == NULL ||
      (jwk = ltm_key_to_private_jwk (key, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (output == NULL)
    {
      g_print ("%s", jwk);
      return LTM_CLI_OK;
    }

  if (!ltm_cli_write_new_file (output, jwk, strlen (jwk), &error))
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "file", output);
      ltm_cli_json_set_int (builder, "bits", ltm_key_get_bits (key));
      ltm_cli_json_set_string (builder, "thumbprint", ltm_key_get_thumbprint (key));
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      g_print (_("Wrote a new %u-bit RSA private key to “%s” (readable only by you).\n"),
               ltm_key_get_bits (key), output);
      g_print (_("Thumbprint: %s\n"), ltm_key_get_thumbprint (key));
      g_print (_("Next: run “ltm key public %s”, paste its output into the LINE Developers "
                 "Console (your channel → Basic settings → Assertion signing key), and keep "
                 "the kid it shows.\n"), output);
    }

  return LTM_CLI_OK;
}

static int
ltm_cli_key_public (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  g_autofree char *jwk = NULL;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 1, &status))
    return status;

  if ((key = ltm_cli_load_key (argv[1], LTM_KEY_IMPORT_ALLOW_PUBLIC, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  /* Already JSON: the same for people and for --json. */
  jwk = ltm_key_to_public_jwk (key);
  g_print ("%s\n", jwk);

  return LTM_CLI_OK;
}

static int
ltm_cli_key_info (LtmCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 1, &status))
    return status;

  if ((key = ltm_cli_load_key (argv[1], LTM_KEY_IMPORT_ALLOW_PUBLIC, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "kty", "RSA");
      ltm_cli_json_set_int (builder, "bits", ltm_key_get_bits (key));
      ltm_cli_json_set_bool (builder, "private", ltm_key_has_private (key));
      ltm_cli_json_set_string (builder, "thumbprint", ltm_key_get_thumbprint (key));
      ltm_cli_json_set_string (builder, "kid", ltm_key_get_kid (key));
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  g_print (_("Key:         RSA, %u bits\n"), ltm_key_get_bits (key));
  g_print (_("Private key: %s\n"), ltm_key_has_private (key) ? _("yes") : _("no (public key only)"));
  g_print (_("Thumbprint:  %s (RFC 7638, SHA-256)\n"), ltm_key_get_thumbprint (key));
  if (ltm_key_get_kid (key) != NULL)
    g_print (_("Carried kid: %s (the kid that counts is the one the console shows)\n"),
             ltm_key_get_kid (key));

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_key_commands[] = {
  {
    "key", "generate", "", "[-o FILE]",
    N_("Generate a new RSA-2048 assertion signing key (a private JWK)"),
    N_("Without -o the private JWK is printed on standard output.\n\n"
       "Example:\n  ltm key generate -o channel-key.json\n  ltm key public channel-key.json"),
    ltm_cli_key_generate,
  },
  {
    "key", "public", "[FILE|-]", "[FILE|-]",
    N_("Print the public JWK to paste into the LINE Developers Console"),
    N_("Reads a private JWK (WebCrypto, jwcrypto, jwx, node-jose, an older console "
       "download) or a PEM key, and prints kty, alg, use, e and n: never a kid, which "
       "the console refuses."),
    ltm_cli_key_public,
  },
  {
    "key", "info", "[FILE|-]", "[FILE|-]",
    N_("Show a key's size, RFC 7638 thumbprint and carried kid"),
    NULL,
    ltm_cli_key_info,
  },
  { NULL }
};
