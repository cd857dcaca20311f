/* ltm-cli-store.c: `ltm store init|info`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ltm-cli.h"

static int
ltm_cli_store_init (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autofree char *key_file = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmStore) store = NULL;
  const GOptionEntry entries[] = {
    { "master-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_("Write the store's new master key to FILE (mode 0600; never overwritten)"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  int status;

  if (!ltm_cli_parse (cli, entries, &argc, &argv, 0, 0, &status))
    return status;

  if (key_file == NULL)
    return ltm_cli_usage_error (cli, _("--master-key-file is required"));

  /* Named in full: the variable must find it from any folder. */
  key_path = g_canonicalize_filename (key_file, NULL);
  store = ltm_store_new (NULL);
  if (!ltm_store_init_master_key_file (store, key_path, &error))
    {
      if (g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS))
        ltm_cli_advise (error, _("Give this machine the key it was made with in "
                                 "LTM_MASTER_KEY_FILE."));
      return ltm_cli_fail (cli, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "store", ltm_store_get_path (store));
      ltm_cli_json_set_string (builder, "master_key_file", key_path);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    g_print (_("Made the store %s, sealed with a new master key in %s (readable only by you).\n"
               "Every command on this machine needs it: set LTM_MASTER_KEY_FILE=%s, or give it "
               "to a systemd service as the credential ltm-master-key.\n"),
             ltm_store_get_path (store), key_path, key_path);

  return LTM_CLI_OK;
}

static int
ltm_cli_store_info (LtmCli  *cli,
                    int      argc,
                    char   **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmStoreInfo) info = NULL;
  g_autoptr(LtmStore) store = NULL;
  int status;

  if (!ltm_cli_parse (cli, NULL, &argc, &argv, 0, 0, &status))
    return status;

  store = ltm_store_new (NULL);
  if ((info = ltm_store_get_info (store, &error)) == NULL)
    return ltm_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "path", info->path);
      ltm_cli_json_set_string (builder, "store_id", info->store_id);
      ltm_cli_json_set_int (builder, "schema_version", info->schema_version);
      ltm_cli_json_set_string (builder, "master_key", info->master_key_source);
      ltm_cli_json_set_bool (builder, "sealed", info->sealed);
      ltm_cli_json_set_int (builder, "channels", info->n_channels);
      ltm_cli_json_set_int (builder, "tokens", info->n_tokens);
      ltm_cli_json_set_int (builder, "valid_tokens", info->n_valid_tokens);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
      return LTM_CLI_OK;
    }

  g_print (_("Database:    %s\n"), info->path);
  if (info->store_id == NULL)
    {
      g_print ("%s\n", _("Not made yet: the first channel added makes it."));
      return LTM_CLI_OK;
    }
  g_print (_("Schema:      version %d\n"), info->schema_version);
  g_print (_("Master key:  %s\n"), info->master_key_source);
  g_print (_("Channels:    %u\n"), info->n_channels);
  g_print (_("Tokens:      %u, of which %u valid\n"), info->n_tokens, info->n_valid_tokens);

  return LTM_CLI_OK;
}

const LtmCliCommand ltm_cli_store_commands[] = {
  {
    "store", "init", "", "--master-key-file FILE",
    N_("Make a store for a machine without a desktop keyring, its master key in FILE"),
    N_("The store is sealed with a new master key, written to FILE and nowhere else. "
       "Every later command on this machine finds it through LTM_MASTER_KEY_FILE=FILE, or "
       "through systemd's credential ltm-master-key (LoadCredentialEncrypted=).\n\n"
       "Example:\n  ltm store init --master-key-file ~/.config/ltm-master-key"),
    ltm_cli_store_init,
  },
  {
    "store", "info", "", "",
    N_("Show the store: its database, schema, master key and what it holds"),
    NULL,
    ltm_cli_store_info,
  },
  { NULL }
};
