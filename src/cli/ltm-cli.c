/* ltm-cli.c: what every `ltm` command shares
 *
 * `ltm [--json] [--api-base URL] GROUP COMMAND [OPTION…] [ARGUMENT…]`.
 * This file finds the command, parses options with GOptionContext, and
 * holds the helpers every command uses: reading keys and input, writing
 * new files safely, printing errors in one line and JSON for programs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ltm-duration.h"
#include "ltm-jwt.h"
#include "ltm-lifecycle.h"
#include "ltm-text.h"

/* Nothing this tool reads (a key, a JWT, a token) comes near this size. */
#define LTM_CLI_MAX_INPUT (1024 * 1024)

typedef struct {
  const char *name;
  const char *summary;
  const LtmCliCommand *commands;
} LtmCliGroup;

static const LtmCliGroup groups[] = {
  { "key", N_("Make and inspect the assertion signing key"), ltm_cli_key_commands },
  { "channel", N_("Keep channels, their keys and secrets in the store"), ltm_cli_channel_commands },
  { "jwt", N_("Create, decode and verify JWT assertions"), ltm_cli_jwt_commands },
  { "token", N_("Issue, verify, list and revoke channel access tokens"), ltm_cli_token_commands },
  { "webhook", N_("Show, set and test the bot's webhook URL; receive, send and replay its events"), ltm_cli_webhook_commands },
  { "bot", N_("Show the bot's profile"), ltm_cli_bot_commands },
  { "store", N_("Make the store for a server, and show where it is"), ltm_cli_store_commands },
};

static void
ltm_cli_append_commands (GString           *out,
                         const LtmCliGroup *group)
{
  for (const LtmCliCommand *c = group->commands; c->name != NULL; c++)
    {
      g_string_append_printf (out, "  %s %s%s%s\n", group->name, c->name,
                              c->synopsis[0] != '\0' ? " " : "", c->synopsis);
      g_string_append_printf (out, "        %s\n", _(c->summary));
    }
}

static char *
ltm_cli_describe_commands (void)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    ltm_cli_append_commands (out, &groups[i]);

  g_string_append_printf (out, "\n%s\n%s\n%s\n",
                          _("Run “ltm GROUP COMMAND --help” for the options of one command."),
                          _("Exit status: 0 success, 1 the operation failed, 2 wrong usage."),
                          _("Secrets are never taken from arguments: keys, channel secrets "
                            "and tokens come from files, standard input or LTM_CHANNEL_SECRET "
                            "and LTM_ACCESS_TOKEN."));

  return g_string_free (out, FALSE);
}

static int
ltm_cli_print_group (const LtmCliGroup *group,
                     FILE              *stream,
                     int                status)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_string_append_printf (out, _("Usage: ltm %s COMMAND [OPTION…]"), group->name);
  g_string_append_printf (out, "\n\n%s\n\n%s\n", _(group->summary), _("Commands:"));
  ltm_cli_append_commands (out, group);
  g_string_append_printf (out, "\n%s\n", _("Run “ltm GROUP COMMAND --help” for the options of one command."));

  fputs (out->str, stream);

  return status;
}

/* What ltm is for: the top of --help and the manual page's DESCRIPTION. */
static const char ltm_cli_summary[] =
  N_("Make the assertion signing key for a LINE channel, sign JWT "
     "assertions, and issue and manage channel access tokens.");

static GOptionEntry *
ltm_cli_global_entries (LtmCli *cli)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print one JSON document for programs instead of text for people"), NULL },
    { "api-base", 0, 0, G_OPTION_ARG_STRING, &cli->api_base,
      N_("Talk to URL instead of https://api.line.me (http only for loopback)"), N_("URL") },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

/* Everything ltm prints goes through these: line breaks (and on stderr the
 * carriage return of the rotation progress) pass, other control
 * characters in LINE's or a person's text reach the terminal escaped. */
static void
ltm_cli_print_cb (const char *text)
{
  g_autofree char *escaped = ltm_text_escape_controls (text, "\n\t");

  /* a bare token goes this way: the copy is wiped like the original */
  fputs (escaped, stdout);
  ltm_secret_wipe (escaped, strlen (escaped));
}

static void
ltm_cli_printerr_cb (const char *text)
{
  g_autofree char *escaped = ltm_text_escape_controls (text, "\n\t\r");

  fputs (escaped, stderr);
  ltm_secret_wipe (escaped, strlen (escaped));
}

/* GOption's own message for an unknown option repeats the argument, and
 * an argument that starts with "-" may be a pasted token. */
static const char *
ltm_cli_option_error_message (const GError *error)
{
  if (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION))
    return _("an argument that starts with “-” is not one of the options");

  return error->message;
}

/* `ltm --version`: what a bug report needs.  GnuTLS, libsoup and SQLite
 * say which version is loaded; json-glib and libsecret have no such call,
 * so theirs is the version ltm was built with. */
static int
ltm_cli_print_version (LtmCli *cli)
{
  g_autofree char *libsoup = g_strdup_printf ("%u.%u.%u", soup_get_major_version (),
                                              soup_get_minor_version (),
                                              soup_get_micro_version ());
  g_autofree char *json_glib = g_strdup_printf ("%d.%d.%d", JSON_MAJOR_VERSION,
                                                JSON_MINOR_VERSION, JSON_MICRO_VERSION);
  g_autofree char *libsecret = g_strdup_printf ("%d.%d.%d", SECRET_MAJOR_VERSION,
                                                SECRET_MINOR_VERSION, SECRET_MICRO_VERSION);
  const struct {
    const char *member;
    const char *name;
    const char *version;
  } versions[] = {
    { "version", "ltm", PACKAGE_VERSION },
    { "gnutls", "GnuTLS", gnutls_check_version (NULL) },
    { "libsoup", "libsoup", libsoup },
    { "json_glib", "json-glib", json_glib },
    { "libsecret", "libsecret", libsecret },
    { "sqlite", "SQLite", sqlite3_libversion () },
  };

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
        ltm_cli_json_set_string (builder, versions[i].member, versions[i].version);
      json_builder_end_object (builder);
      ltm_cli_print_builder (builder);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
        g_print ("%s %s\n", versions[i].name, versions[i].version);
    }

  return fflush (stdout) == 0 ? LTM_CLI_OK : LTM_CLI_FAILED;
}

static const char *
ltm_cli_describe_arg (GOptionArg arg,
                      int        flags)
{
  switch (arg)
    {
    case G_OPTION_ARG_NONE:
      return "none";
    case G_OPTION_ARG_FILENAME:
    case G_OPTION_ARG_FILENAME_ARRAY:
      return "filename";
    case G_OPTION_ARG_INT:
    case G_OPTION_ARG_INT64:
    case G_OPTION_ARG_DOUBLE:
      return "number";
    case G_OPTION_ARG_CALLBACK:
      return (flags & G_OPTION_FLAG_NO_ARG) != 0 ? "none" : "string";
    case G_OPTION_ARG_STRING:
    case G_OPTION_ARG_STRING_ARRAY:
    default:
      return "string";
    }
}

/* Each option as GOptionContext sees it, with the untranslated text. */
static void
ltm_cli_describe_options (JsonBuilder        *builder,
                          const char         *member,
                          const GOptionEntry *entries)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      char short_name[2] = { e->short_name, '\0' };

      /* G_OPTION_REMAINING, and what --help does not show either. */
      if (e->long_name[0] == '\0' || (e->flags & G_OPTION_FLAG_HIDDEN) != 0)
        continue;

      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "long_name", e->long_name);
      ltm_cli_json_set_string (builder, "short_name", e->short_name != '\0' ? short_name : NULL);
      ltm_cli_json_set_string (builder, "arg", ltm_cli_describe_arg (e->arg, e->flags));
      ltm_cli_json_set_bool (builder, "repeatable",
                             e->arg == G_OPTION_ARG_STRING_ARRAY ||
                             e->arg == G_OPTION_ARG_FILENAME_ARRAY);
      ltm_cli_json_set_string (builder, "arg_description", e->arg_description);
      ltm_cli_json_set_string (builder, "description", e->description);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* `ltm __describe`: the command table and every option, as JSON, for the
 * generator of the manual pages and the shell completion.  Each command
 * runs with cli->describe set: its first call, ltm_cli_parse(), writes its
 * options and stops it before it does anything.  A command that does
 * something first shows up without "options", and the build's check fails. */
static int
ltm_cli_describe (LtmCli             *cli,
                  const GOptionEntry *global_entries,
                  const GOptionEntry *version_entries)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  int status = LTM_CLI_OK;

  json_builder_begin_object (builder);
  ltm_cli_json_set_string (builder, "program", "ltm");
  ltm_cli_json_set_string (builder, "version", PACKAGE_VERSION);
  ltm_cli_json_set_string (builder, "summary", ltm_cli_summary);
  ltm_cli_describe_options (builder, "global_options", global_entries);
  ltm_cli_describe_options (builder, "top_options", version_entries);

  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      json_builder_begin_object (builder);
      ltm_cli_json_set_string (builder, "name", groups[i].name);
      ltm_cli_json_set_string (builder, "summary", groups[i].summary);
      json_builder_set_member_name (builder, "commands");
      json_builder_begin_array (builder);
      for (const LtmCliCommand *c = groups[i].commands; c->name != NULL; c++)
        {
          g_autofree char *command_line = g_strdup_printf ("ltm %s %s", groups[i].name, c->name);
          char *argv[] = { command_line, NULL };
          int run_status;

          json_builder_begin_object (builder);
          ltm_cli_json_set_string (builder, "group", c->group);
          ltm_cli_json_set_string (builder, "name", c->name);
          ltm_cli_json_set_string (builder, "parameters", c->parameters);
          ltm_cli_json_set_string (builder, "synopsis", c->synopsis);
          ltm_cli_json_set_string (builder, "summary", c->summary);
          ltm_cli_json_set_string (builder, "description", c->description);

          cli->command = c;
          cli->describe = builder;
          run_status = c->run (cli, 1, argv);
          cli->describe = NULL;
          if (run_status != LTM_CLI_OK)
            status = LTM_CLI_FAILED;

          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  ltm_cli_print_builder (builder);
  cli->command = NULL;

  return status;
}

/**
 * ltm_cli_main:
 * @argc: from main()
 * @argv: from main()
 *
 * Returns: the exit status
 */
int
ltm_cli_main (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *global_entries = NULL;
  g_autofree char *description = NULL;
  g_autofree char **sub_argv = NULL;
  const LtmCliGroup *group = NULL;
  const LtmCliCommand *command = NULL;
  LtmCli cli = { 0 };
  gboolean version = FALSE;
  const GOptionEntry version_entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version of ltm and of the libraries it runs with"), NULL },
    G_OPTION_ENTRY_NULL
  };
  int status;

  g_set_prgname ("ltm");
  g_set_print_handler (ltm_cli_print_cb);
  g_set_printerr_handler (ltm_cli_printerr_cb);

  global_entries = ltm_cli_global_entries (&cli);

  /* For the build only: the manual pages and the shell completion are
   * made from what this prints.  Not an option, so that --help, the manual
   * and the completion never show it. */
  if (argc == 2 && g_str_equal (argv[1], "__describe"))
    return ltm_cli_describe (&cli, global_entries, version_entries);
  description = ltm_cli_describe_commands ();

  context = g_option_context_new (_("GROUP COMMAND [OPTION…] [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(ltm_cli_summary));
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr (_("ltm: %s (see “ltm --help”)\n"), ltm_cli_option_error_message (error));
      return LTM_CLI_USAGE;
    }

  if (version)
    {
      status = ltm_cli_print_version (&cli);
      g_free (cli.api_base);
      return status;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return LTM_CLI_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    if (g_str_equal (argv[1], groups[i].name))
      group = &groups[i];

  if (group == NULL)
    {
      g_printerr (_("ltm: there is no command “%s” (see “ltm --help”)\n"), argv[1]);
      return LTM_CLI_USAGE;
    }

  if (argc < 3)
    return ltm_cli_print_group (group, stderr, LTM_CLI_USAGE);

  if (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h"))
    return ltm_cli_print_group (group, stdout, LTM_CLI_OK);

  for (const LtmCliCommand *c = group->commands; c->name != NULL; c++)
    if (g_str_equal (argv[2], c->name))
      command = c;

  if (command == NULL)
    {
      g_printerr (_("ltm: there is no command “%s %s” (see “ltm %s --help”)\n"),
                  group->name, argv[2], group->name);
      return LTM_CLI_USAGE;
    }

  cli.command = command;
  cli.command_line = g_strdup_printf ("ltm %s %s", group->name, command->name);
  g_set_prgname (cli.command_line);

  /* The command sees itself as argv[0]. */
  sub_argv = g_new0 (char *, argc - 1);
  sub_argv[0] = cli.command_line;
  for (int i = 3; i < argc; i++)
    sub_argv[i - 2] = argv[i];

  status = command->run (&cli, argc - 2, sub_argv);

  if (fflush (stdout) != 0 || ferror (stdout))
    {
      g_printerr (_("ltm: could not write the output: %s\n"), g_strerror (errno));
      status = LTM_CLI_FAILED;
    }

  g_clear_object (&cli.client);
  g_clear_object (&cli.store);
  g_free (cli.command_line);
  g_free (cli.api_base);

  return status;
}

/**
 * ltm_cli_parse:
 * @cli: the command line
 * @entries: (nullable): the command's own options
 * @argc: (inout): arguments, argv[0] being the command
 * @argv: (inout): arguments; options are removed
 * @min_args: how many positional arguments are needed
 * @max_args: how many are allowed
 * @status: (out): the exit status when this returns %FALSE
 *
 * Parses the command's options and the global ones (which may also come
 * after the command).
 *
 * Returns: %TRUE to go on; %FALSE when the command should exit with @status
 */
gboolean
ltm_cli_parse (LtmCli              *cli,
               const GOptionEntry  *entries,
               int                 *argc,
               char              ***argv,
               int                  min_args,
               int                  max_args,
               int                 *status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *global_entries = ltm_cli_global_entries (cli);
  g_autofree char *api_base = g_steal_pointer (&cli->api_base);
  int n_args;

  if (cli->describe != NULL)
    {
      ltm_cli_describe_options (cli->describe, "options", entries);
      ltm_cli_json_set_int (cli->describe, "min_args", min_args);
      ltm_cli_json_set_int (cli->describe, "max_args", max_args);
      *status = LTM_CLI_OK;
      return FALSE;
    }

  context = g_option_context_new (cli->command->parameters);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, global_entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(cli->command->summary));
  if (cli->command->description != NULL)
    g_option_context_set_description (context, _(cli->command->description));

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = ltm_cli_usage_error (cli, "%s", ltm_cli_option_error_message (error));
      return FALSE;
    }

  /* A later --api-base wins over one given before the command. */
  if (cli->api_base == NULL)
    cli->api_base = g_steal_pointer (&api_base);

  n_args = *argc - 1;
  if (n_args < min_args)
    {
      *status = ltm_cli_usage_error (cli, _("missing argument %s"), cli->command->parameters);
      return FALSE;
    }

  if (n_args > max_args)
    {
      /* Not repeated: it may be a pasted secret. */
      *status = ltm_cli_usage_error (cli, g_dngettext (GETTEXT_PACKAGE,
                                                       "more than %d argument",
                                                       "more than %d arguments", max_args),
                                     max_args);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_cli_usage_error:
 * @cli: the command line
 * @format: a printf() format for the message
 *
 * Prints a usage error in one line on stderr.
 *
 * Returns: %LTM_CLI_USAGE
 */
int
ltm_cli_usage_error (LtmCli     *cli,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr (_("%s: %s (see “%s --help”)\n"), cli->command_line, message, cli->command_line);

  return LTM_CLI_USAGE;
}

/**
 * ltm_cli_advise:
 * @error: an error whose message states the facts
 * @format: what to do about it, for the person at the terminal
 * @...: its arguments
 *
 * Adds the advice to @error's message: the core says what is wrong, the
 * command line what to type.
 */
void
ltm_cli_advise (GError     *error,
                const char *format,
                ...)
{
  g_autofree char *advice = NULL;
  char *message;
  va_list args;

  va_start (args, format);
  advice = g_strdup_vprintf (format, args);
  va_end (args);

  message = g_strconcat (error->message, " ", advice, NULL);
  g_free (error->message);
  error->message = message;
}

/* What to type about what a workflow lacks, whichever command ran it. */
static const char *
ltm_cli_lifecycle_advice (const GError *error)
{
  switch (error->code)
    {
    case LTM_LIFECYCLE_ERROR_NEEDS_KEY:
      return _("Keep a key with “ltm channel set CHANNEL --key FILE” (or --generate-key).");
    case LTM_LIFECYCLE_ERROR_NEEDS_KID:
      return _("Register the public key (“ltm channel show CHANNEL” prints it) and keep the kid "
               "the console answers with “ltm channel set CHANNEL --kid KID”.");
    case LTM_LIFECYCLE_ERROR_NEEDS_SECRET:
      return _("Keep it with “ltm channel set CHANNEL --secret-file FILE”.");
    default:
      return NULL;
    }
}

/* What to type about the store's errors, and the workflows', that need
 * the same advice from every command. */
static const char *
ltm_cli_store_advice (const GError *error)
{
  if (error->domain == LTM_LIFECYCLE_ERROR)
    return ltm_cli_lifecycle_advice (error);

  if (error->domain != LTM_STORE_ERROR)
    return NULL;

  switch (error->code)
    {
    case LTM_STORE_ERROR_KEYRING_UNAVAILABLE:
      return _("On a machine without a desktop keyring, make a store with “ltm store init "
               "--master-key-file FILE” and set LTM_MASTER_KEY_FILE=FILE.");
    case LTM_STORE_ERROR_KEYRING_LOCKED:
      return _("Unlock the keyring (for example in Passwords and Keys) and try again.");
    case LTM_STORE_ERROR_WRONG_MASTER_KEY:
      return _("Set LTM_MASTER_KEY_FILE to the key file this store was made with.");
    case LTM_STORE_ERROR_SEALED:
      return _("“ltm channel check” lists what does not open; “ltm channel repair” drops it.");
    case LTM_STORE_ERROR_DAMAGED:
      return _("Move it away to start a new store, or put back a copy of it.");
    default:
      return NULL;
    }
}

/**
 * ltm_cli_fail_prefixed:
 * @cli: the command line
 * @prefix: (nullable): what the error is about, such as a file name
 * @error: what went wrong
 *
 * Prints @error in one line on stderr.
 *
 * Returns: %LTM_CLI_FAILED
 */
int
ltm_cli_fail_prefixed (LtmCli       *cli,
                       const char   *prefix,
                       const GError *error)
{
  const char *advice = ltm_cli_store_advice (error);
  g_autofree char *message = advice != NULL ? g_strconcat (error->message, " ", advice, NULL)
                                            : g_strdup (error->message);

  g_strdelimit (message, "\r\n", ' ');

  if (prefix != NULL)
    g_printerr ("ltm: %s: %s\n", prefix, message);
  else
    g_printerr ("ltm: %s\n", message);

  return LTM_CLI_FAILED;
}

/**
 * ltm_cli_fail:
 * @cli: the command line
 * @error: what went wrong
 *
 * Returns: %LTM_CLI_FAILED
 */
int
ltm_cli_fail (LtmCli       *cli,
              const GError *error)
{
  return ltm_cli_fail_prefixed (cli, NULL, error);
}

static const char *
ltm_cli_input_name (const char *path)
{
  return path == NULL || g_str_equal (path, "-") ? _("standard input") : path;
}

/**
 * ltm_cli_read_input:
 * @path: (nullable): a file, or %NULL or "-" for standard input
 * @out_len: (out): the number of bytes read
 * @error: return location for a #GError
 *
 * Reads all of @path.  What is read may be a private key: the buffer never
 * leaves a copy behind when it grows, and the caller frees it with
 * ltm_secret_free().
 *
 * Returns: (transfer full): the bytes, nul-terminated
 */
LtmSecret *
ltm_cli_read_input (const char  *path,
                    gsize       *out_len,
                    GError     **error)
{
  gboolean is_stdin = path == NULL || g_str_equal (path, "-");
  gsize allocated = 4096;
  gsize len = 0;
  char *buffer;
  int fd;

  if (is_stdin)
    fd = STDIN_FILENO;
  else if ((fd = g_open (path, O_RDONLY | O_CLOEXEC, 0)) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  buffer = g_malloc (allocated);

  for (;;)
    {
      gssize n;

      if (len + 1 == allocated)
        {
          char *bigger;

          if (allocated >= LTM_CLI_MAX_INPUT)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                           _("%s is larger than 1 MiB; that is not a key, a JWT or a token."),
                           ltm_cli_input_name (path));
              goto fail;
            }

          bigger = g_malloc (allocated * 2);
          memcpy (bigger, buffer, len);
          ltm_secret_wipe (buffer, allocated);
          g_free (buffer);
          buffer = bigger;
          allocated *= 2;
        }

      n = read (fd, buffer + len, allocated - 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Could not read %s: %s"), ltm_cli_input_name (path),
                       g_strerror (saved_errno));
          goto fail;
        }
      if (n == 0)
        break;
      len += n;
    }

  if (!is_stdin)
    close (fd);

  buffer[len] = '\0';
  *out_len = len;

  return buffer;

fail:
  if (!is_stdin)
    close (fd);
  ltm_secret_wipe (buffer, allocated);
  g_free (buffer);

  return NULL;
}

/**
 * ltm_cli_read_text_input:
 * @text_or_dash: (nullable): the text itself, or %NULL or "-" for stdin
 * @error: return location for a #GError
 *
 * For arguments such as a JWT that may be given inline or piped in.
 *
 * Returns: (transfer full): the text without surrounding white space
 */
char *
ltm_cli_read_text_input (const char  *text_or_dash,
                         GError     **error)
{
  g_autoptr(LtmSecret) input = NULL;
  gsize len;

  if (text_or_dash != NULL && !g_str_equal (text_or_dash, "-"))
    return g_strstrip (g_strdup (text_or_dash));

  if ((input = ltm_cli_read_input (NULL, &len, error)) == NULL)
    return NULL;

  if (strlen (input) != len || !g_utf8_validate (input, len, NULL))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           _("Standard input is not text."));
      return NULL;
    }

  return g_strstrip (g_strdup (input));
}

/**
 * ltm_cli_write_new_file:
 * @path: where to write
 * @data: (array length=len): what to write
 * @len: size of @data
 * @error: return location for a #GError
 *
 * Writes a new file readable only by its owner (mode 0600).  An existing
 * file, or a symbolic link, is never overwritten or followed.
 *
 * Returns: %TRUE if the whole of @data is on disk
 */
gboolean
ltm_cli_write_new_file (const char  *path,
                        const char  *data,
                        gsize        len,
                        GError     **error)
{
  gsize written = 0;
  int fd;
  int saved_errno;

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      saved_errno = errno;

      if (saved_errno == EEXIST)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                     _("“%s” already exists, and a key file is never overwritten; "
                       "choose another name."), path);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                     _("Could not create “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  /* The umask may only take bits away, but make the mode exact. */
  if (fchmod (fd, 0600) != 0)
    goto fail;

  while (written < len)
    {
      gssize n = write (fd, data + written, len - written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      written += n;
    }

  if (fsync (fd) != 0)
    goto fail;

  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }

  return TRUE;

fail:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not write “%s”: %s"), path, g_strerror (saved_errno));

  return FALSE;
}

/**
 * ltm_cli_load_key:
 * @path: (nullable): a key file, or %NULL or "-" for standard input
 * @flags: whether a public key will do
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key, or %NULL with @error naming the file
 */
LtmKey *
ltm_cli_load_key (const char         *path,
                  LtmKeyImportFlags   flags,
                  GError            **error)
{
  g_autoptr(LtmSecret) data = NULL;
  gsize len = 0;
  LtmKey *key;

  if ((data = ltm_cli_read_input (path, &len, error)) == NULL)
    return NULL;

  key = ltm_key_new_from_data (data, len, flags, error);
  if (key == NULL)
    g_prefix_error (error, "%s: ", ltm_cli_input_name (path));

  /* The buffer may hold NUL bytes before its end: wipe all of it. */
  ltm_secret_wipe (data, len);

  return key;
}

/**
 * ltm_cli_parse_duration:
 * @option: the option's name, for the message
 * @text: the duration as given
 * @check: (nullable): LINE's limit for it, such as ltm_jwt_check_lifetime()
 * @out_seconds: (out): the duration in seconds
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a duration within the limit
 */
gboolean
ltm_cli_parse_duration (const char          *option,
                        const char          *text,
                        LtmCliDurationCheck  check,
                        gint64              *out_seconds,
                        GError             **error)
{
  if (!ltm_duration_parse (text, out_seconds, error) ||
      (check != NULL && !check (*out_seconds, error)))
    {
      g_prefix_error (error, "%s: ", option);
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_cli_get_store:
 * @cli: the command line
 * @error: return location for a #GError
 *
 * Returns: (transfer none): the store, loaded (nothing unsealed: the
 *   master key is read when a secret is needed)
 */
LtmStore *
ltm_cli_get_store (LtmCli  *cli,
                   GError **error)
{
  if (cli->store == NULL)
    {
      g_autoptr(LtmStore) store = ltm_store_new (NULL);

      if (!ltm_store_load (store, error))
        return NULL;
      cli->store = g_steal_pointer (&store);
    }

  return cli->store;
}

/**
 * ltm_cli_get_channel:
 * @cli: the command line
 * @channel_id: a channel ID
 * @error: return location for a #GError
 *
 * Returns: (transfer none): the stored channel, or %NULL with @error set
 */
LtmChannel *
ltm_cli_get_channel (LtmCli      *cli,
                     const char  *channel_id,
                     GError     **error)
{
  LtmStore *store = ltm_cli_get_store (cli, error);
  LtmChannel *channel;

  if (store == NULL)
    return NULL;

  channel = ltm_store_find_channel (store, channel_id);
  if (channel == NULL)
    g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                 _("The channel %s is not stored: add it with “ltm channel add %s --name NAME”"),
                 channel_id, channel_id);

  return channel;
}

/**
 * ltm_cli_find_signer:
 * @cli: the command line
 * @channel_id: the channel ID
 * @kid: (nullable): the kid; %NULL for the stored one
 * @key_file: (nullable): the private key file, or "-"; %NULL for the stored key
 * @out_kid: (out) (transfer full): the kid to sign with
 * @error: return location for a #GError
 *
 * Flags and files win; what they leave out comes from the store; what is
 * missing is said with the command that adds it.
 *
 * Returns: (transfer full): the private key to sign with
 */
LtmKey *
ltm_cli_find_signer (LtmCli      *cli,
                     const char  *channel_id,
                     const char  *kid,
                     const char  *key_file,
                     char       **out_kid,
                     GError     **error)
{
  g_autoptr(LtmKey) key = NULL;

  if (!ltm_jwt_check_channel_id (channel_id, error))
    return NULL;

  if (kid == NULL || key_file == NULL)
    {
      LtmChannel *channel = ltm_cli_get_channel (cli, channel_id, error);

      if (channel == NULL)
        {
          if (g_error_matches (*error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
            {
              g_clear_error (error);
              g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                           _("The channel %s is not stored: give --kid and --key, or add it with "
                             "“ltm channel add %s --name NAME --kid KID --key FILE”"),
                           channel_id, channel_id);
            }
          return NULL;
        }

      if (kid == NULL && (kid = ltm_channel_get_kid (channel)) == NULL)
        {
          g_set_error (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND,
                       _("No kid is stored for channel %s: register the public key (“ltm channel "
                         "show %s” prints it) and save the kid the console answers with "
                         "“ltm channel set %s --kid KID”"), channel_id, channel_id, channel_id);
          return NULL;
        }
    }

  /* Everything LINE would refuse is refused before the key is read. */
  if (!ltm_jwt_check_kid (kid, error))
    return NULL;

  if (key_file != NULL)
    key = ltm_cli_load_key (key_file, LTM_KEY_IMPORT_PRIVATE, error);
  else if ((key = ltm_store_get_key (cli->store, channel_id, error)) == NULL &&
           g_error_matches (*error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    ltm_cli_advise (*error, _("Give --key FILE, or keep a key with “ltm channel set %s --key "
                              "FILE” (or --generate-key)."), channel_id);

  if (key == NULL)
    return NULL;

  *out_kid = g_strdup (kid);

  return g_steal_pointer (&key);
}

/**
 * ltm_cli_sign_assertion:
 * @cli: the command line
 * @channel_id: the channel ID
 * @kid: (nullable): the kid; %NULL for the stored one
 * @key_file: (nullable): the private key file, or "-"; %NULL for the stored key
 * @lifetime: seconds the JWT lives
 * @token_lifetime: seconds the token it asks for should live
 * @error: return location for a #GError
 *
 * As ltm_cli_find_signer() finds them.
 *
 * Returns: (transfer full): a signed assertion for LINE
 */
char *
ltm_cli_sign_assertion (LtmCli      *cli,
                        const char  *channel_id,
                        const char  *kid,
                        const char  *key_file,
                        gint64       lifetime,
                        gint64       token_lifetime,
                        GError     **error)
{
  g_autoptr(LtmKey) key = NULL;
  g_autofree char *signer_kid = NULL;

  if ((key = ltm_cli_find_signer (cli, channel_id, kid, key_file, &signer_kid, error)) == NULL)
    return NULL;

  return ltm_jwt_create_assertion (key, signer_kid, channel_id,
                                   g_get_real_time () / G_USEC_PER_SEC, lifetime, token_lifetime,
                                   error);
}

/**
 * ltm_cli_channel_secret:
 * @cli: the command line
 * @channel_id: the channel ID
 * @secret_file: (nullable): --secret-file
 * @error: return location for a #GError
 *
 * The channel secret from --secret-file, LTM_CHANNEL_SECRET or the store,
 * in that order.
 *
 * Returns: (transfer full): the channel secret
 */
LtmSecret *
ltm_cli_channel_secret (LtmCli      *cli,
                        const char  *channel_id,
                        const char  *secret_file,
                        GError     **error)
{
  const char *env = g_getenv ("LTM_CHANNEL_SECRET");
  LtmSecret *secret;

  if (secret_file != NULL || (env != NULL && env[0] != '\0'))
    return ltm_cli_read_secret (secret_file, "LTM_CHANNEL_SECRET", _("channel secret"),
                                ltm_jwt_check_channel_secret, error);

  if (ltm_cli_get_channel (cli, channel_id, NULL) == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("No channel secret given: use --secret-file FILE, set LTM_CHANNEL_SECRET, or "
                     "store it with “ltm channel set %s --secret-file FILE”"), channel_id);
      return NULL;
    }

  secret = ltm_store_get_secret (cli->store, channel_id, error);
  if (secret == NULL && g_error_matches (*error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    ltm_cli_advise (*error, _("Use --secret-file FILE, set LTM_CHANNEL_SECRET, or keep it with "
                              "“ltm channel set %s --secret-file FILE”."), channel_id);

  return secret;
}

/**
 * ltm_cli_advise_token:
 * @error: an error of the store's lookup of a token
 * @channel_id: the channel
 * @key_id: (nullable): the token asked for; %NULL for the newest usable one
 *
 * Adds what to type when the stored token is not there.
 */
void
ltm_cli_advise_token (GError     *error,
                      const char *channel_id,
                      const char *key_id)
{
  if (!g_error_matches (error, LTM_STORE_ERROR, LTM_STORE_ERROR_NOT_FOUND))
    return;

  if (key_id != NULL)
    ltm_cli_advise (error, _("“ltm token list --channel %s” lists the stored tokens."),
                    channel_id);
  else
    ltm_cli_advise (error, _("Issue one with “ltm token issue --channel %s”."), channel_id);
}

/**
 * ltm_cli_access_token_given:
 * @token_file: (nullable): --token-file or "-"
 *
 * Whether the token comes from the command's user (--token-file, standard
 * input or LTM_ACCESS_TOKEN) rather than from the store.
 *
 * Returns: %TRUE if it does
 */
gboolean
ltm_cli_access_token_given (const char *token_file)
{
  const char *env = g_getenv ("LTM_ACCESS_TOKEN");

  return token_file != NULL || (env != NULL && env[0] != '\0');
}

/**
 * ltm_cli_access_token:
 * @cli: the command line
 * @channel_id: (nullable): the channel ID, for the store
 * @key_id: (nullable): which stored token; %NULL for the newest usable one
 * @token_file: (nullable): --token-file or "-"
 * @error: return location for a #GError
 *
 * An access token from --token-file (or standard input), LTM_ACCESS_TOKEN
 * or the store, in that order.
 *
 * Returns: (transfer full): the access token
 */
LtmSecret *
ltm_cli_access_token (LtmCli      *cli,
                      const char  *channel_id,
                      const char  *key_id,
                      const char  *token_file,
                      GError     **error)
{
  LtmChannel *channel;

  if (ltm_cli_access_token_given (token_file) || channel_id == NULL)
    return ltm_cli_read_secret (token_file, "LTM_ACCESS_TOKEN", _("access token"),
                                ltm_jwt_check_access_token, error);

  if (key_id != NULL && !ltm_jwt_check_key_id (key_id, error))
    return NULL;

  if ((channel = ltm_cli_get_channel (cli, channel_id, error)) == NULL)
    return NULL;

  if (key_id == NULL)
    {
      LtmToken *newest = ltm_store_lookup_token (cli->store, channel_id, NULL,
                                                 g_get_real_time () / G_USEC_PER_SEC, error);

      if (newest == NULL)
        {
          ltm_cli_advise_token (*error, channel_id, NULL);
          return NULL;
        }
      key_id = ltm_token_get_key_id (newest);
    }

  return ltm_store_get_token (cli->store, channel_id, key_id, error);
}

/**
 * ltm_cli_read_secret:
 * @file: (nullable): a file holding the secret, or "-" for standard input
 * @env_var: (nullable): the environment variable to use without @file
 * @what: what the secret is, for the message: "channel secret"
 * @check: ltm_jwt_check_access_token() or ltm_jwt_check_channel_secret()
 * @error: return location for a #GError
 *
 * Secrets never come from arguments, where other users can read them.  One
 * of the wrong shape is refused, named by where it came from: "key.json:
 * This is a key file (…), not an access token."
 *
 * Returns: (transfer full): the secret, without surrounding white space
 */
LtmSecret *
ltm_cli_read_secret (const char           *file,
                     const char           *env_var,
                     const char           *what,
                     LtmCliSecretCheck     check,
                     GError              **error)
{
  g_autoptr(LtmSecret) data = NULL;
  g_autoptr(GError) shape_error = NULL;
  gsize len = 0;

  if (file == NULL)
    {
      const char *value = env_var != NULL ? g_getenv (env_var) : NULL;

      if (value == NULL || value[0] == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("No %s given: use a file (or - for standard input), or set %s"),
                       what, env_var);
          return NULL;
        }

      data = g_strstrip (g_strdup (value));
    }
  else
    {
      if ((data = ltm_cli_read_input (file, &len, error)) == NULL)
        return NULL;

      g_strstrip (data);
      if (data[0] == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("%s holds no %s"), ltm_cli_input_name (file), what);
          return NULL;
        }
    }

  if (!check (data, &shape_error))
    {
      g_set_error (error, shape_error->domain, shape_error->code, "%s: %s",
                   file != NULL ? ltm_cli_input_name (file) : env_var, shape_error->message);
      return NULL;
    }

  return g_steal_pointer (&data);
}

/**
 * ltm_cli_get_client:
 * @cli: the command line
 * @error: return location for a #GError
 *
 * Returns: (transfer none): the process's one LINE client
 */
LtmLineClient *
ltm_cli_get_client (LtmCli  *cli,
                    GError **error)
{
  if (cli->client == NULL)
    cli->client = ltm_line_client_new (cli->api_base, error);

  return cli->client;
}

/* Columns on a terminal: a wide (CJK) character takes two. */
guint
ltm_cli_display_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }

  return width;
}

/**
 * ltm_cli_print_row:
 * @widths: the width of each column but the last, in terminal columns
 * @first: the first cell, then the others, then %NULL
 *
 * Prints a row of a table, padded by what a terminal shows rather than by
 * bytes, so that translated headers line up.
 */
void
ltm_cli_print_row (const int  *widths,
                   const char *first,
                   ...)
{
  g_autoptr(GString) row = g_string_new (NULL);
  const char *cell = first;
  va_list args;

  va_start (args, first);
  for (guint i = 0; cell != NULL; i++)
    {
      const char *next = va_arg (args, const char *);
      /* one cell, one line: a name with a line break in it stays in its row */
      g_autofree char *escaped = ltm_text_escape_controls (cell, NULL);

      g_string_append (row, escaped);
      if (next != NULL)
        {
          guint width = ltm_cli_display_width (escaped);

          for (guint pad = width; pad < (guint) widths[i]; pad++)
            g_string_append_c (row, ' ');
          g_string_append_c (row, ' ');
        }
      cell = next;
    }
  va_end (args);

  g_print ("%s\n", row->str);
}

/**
 * ltm_cli_print_json:
 * @node: a JSON document
 *
 * Prints @node, indented, on stdout.
 */
void
ltm_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);

  g_print ("%s\n", text);
}

/**
 * ltm_cli_print_builder:
 * @builder: a #JsonBuilder holding a whole document
 *
 * Prints the document, indented, on stdout.
 */
void
ltm_cli_print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  ltm_cli_print_json (root);
}

/**
 * ltm_cli_print_status:
 * @cli: the command line
 * @what: what happened: "stored", "removed", "revoked"
 * @channel_id: (nullable): to which channel
 *
 * For --json: `{"channel_id": …, "<what>": true}`.
 */
void
ltm_cli_print_status (LtmCli     *cli,
                      const char *what,
                      const char *channel_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (channel_id != NULL)
    ltm_cli_json_set_string (builder, "channel_id", channel_id);
  ltm_cli_json_set_bool (builder, what, TRUE);
  json_builder_end_object (builder);
  ltm_cli_print_builder (builder);
}

/**
 * ltm_cli_json_set_string:
 * @builder: a #JsonBuilder inside an object
 * @name: the member's name
 * @value: (nullable): its value; %NULL is JSON null
 */
void
ltm_cli_json_set_string (JsonBuilder *builder,
                         const char  *name,
                         const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/**
 * ltm_cli_json_set_int:
 * @builder: a #JsonBuilder inside an object
 * @name: the member's name
 * @value: its value
 */
void
ltm_cli_json_set_int (JsonBuilder *builder,
                      const char  *name,
                      gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/**
 * ltm_cli_json_set_bool:
 * @builder: a #JsonBuilder inside an object
 * @name: the member's name
 * @value: its value
 */
void
ltm_cli_json_set_bool (JsonBuilder *builder,
                       const char  *name,
                       gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

/**
 * ltm_cli_format_time:
 * @unix_seconds: a point in time
 * @now: the current time
 *
 * Returns: (transfer full): "2026-11-30 14:05:00 JST (in 29 minutes)"
 */
char *
ltm_cli_format_time (gint64 unix_seconds,
                     gint64 now)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);
  g_autofree char *absolute = NULL;
  g_autofree char *relative = NULL;

  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_seconds);

  absolute = g_date_time_format (time, "%Y-%m-%d %H:%M:%S %Z");
  relative = ltm_duration_format_rounded (unix_seconds - now);

  if (unix_seconds >= now)
    /* TRANSLATORS: a date, then how long until it, "(in 29 minutes)" */
    return g_strdup_printf (_("%s (in %s)"), absolute, relative);
  else
    /* TRANSLATORS: a date, then how long ago it was, "(3 minutes ago)" */
    return g_strdup_printf (_("%s (%s ago)"), absolute, relative);
}
