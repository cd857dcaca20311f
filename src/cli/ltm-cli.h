/* ltm-cli.h: what every `ltm` command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ltm-async.h"
#include "ltm-key.h"
#include "ltm-line-client.h"
#include "ltm-secret.h"
#include "ltm-store.h"

G_BEGIN_DECLS

/* Exit status (design.md): 0 success, 1 the operation failed, 2 wrong usage. */
enum {
  LTM_CLI_OK = 0,
  LTM_CLI_FAILED = 1,
  LTM_CLI_USAGE = 2,
};

typedef struct _LtmCli LtmCli;
typedef struct _LtmCliCommand LtmCliCommand;

typedef int (*LtmCliRunFunc) (LtmCli *cli,
                              int     argc,
                              char  **argv);

struct _LtmCliCommand
{
  const char *group;            /* "key" */
  const char *name;             /* "generate" */
  const char *parameters;       /* "[FILE|-]": the positional arguments */
  const char *synopsis;         /* options and arguments, for the command list */
  const char *summary;          /* N_(): one line */
  const char *description;      /* N_() or NULL: examples and notes for --help */
  LtmCliRunFunc run;
};

struct _LtmCli
{
  gboolean json;
  char *api_base;
  const LtmCliCommand *command;
  char *command_line;           /* "ltm key generate", for messages */
  LtmLineClient *client;        /* made on first use: one per process */
  LtmStore *store;              /* loaded on first use */
  JsonBuilder *describe;        /* `ltm __describe`: ltm_cli_parse() writes the
                                 * command's options here and runs nothing */
};

int          ltm_cli_main              (int                  argc,
                                        char               **argv);

gboolean     ltm_cli_parse             (LtmCli              *cli,
                                        const GOptionEntry  *entries,
                                        int                 *argc,
                                        char              ***argv,
                                        int                  min_args,
                                        int                  max_args,
                                        int                 *status);
int          ltm_cli_usage_error       (LtmCli              *cli,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void         ltm_cli_advise            (GError              *error,
                                        const char          *format,
                                        ...) G_GNUC_PRINTF (2, 3);
int          ltm_cli_fail              (LtmCli              *cli,
                                        const GError        *error);
int          ltm_cli_fail_prefixed     (LtmCli              *cli,
                                        const char          *prefix,
                                        const GError        *error);

LtmSecret   *ltm_cli_read_input        (const char          *path,
                                        gsize               *out_len,
                                        GError             **error);
char        *ltm_cli_read_text_input   (const char          *text_or_dash,
                                        GError             **error);
gboolean     ltm_cli_write_new_file    (const char          *path,
                                        const char          *data,
                                        gsize                len,
                                        GError             **error);
LtmKey      *ltm_cli_load_key          (const char          *path,
                                        LtmKeyImportFlags    flags,
                                        GError             **error);
typedef gboolean (*LtmCliDurationCheck) (gint64   seconds,
                                         GError **error);

gboolean     ltm_cli_parse_duration    (const char          *option,
                                        const char          *text,
                                        LtmCliDurationCheck  check,
                                        gint64              *out_seconds,
                                        GError             **error);

LtmKey      *ltm_cli_find_signer       (LtmCli              *cli,
                                        const char          *channel_id,
                                        const char          *kid,
                                        const char          *key_file,
                                        char               **out_kid,
                                        GError             **error);
char        *ltm_cli_sign_assertion    (LtmCli              *cli,
                                        const char          *channel_id,
                                        const char          *kid,
                                        const char          *key_file,
                                        gint64               lifetime,
                                        gint64               token_lifetime,
                                        GError             **error);
LtmSecret   *ltm_cli_channel_secret    (LtmCli              *cli,
                                        const char          *channel_id,
                                        const char          *secret_file,
                                        GError             **error);
void         ltm_cli_advise_token      (GError              *error,
                                        const char          *channel_id,
                                        const char          *key_id);
gboolean     ltm_cli_access_token_given (const char         *token_file);
LtmSecret   *ltm_cli_access_token      (LtmCli              *cli,
                                        const char          *channel_id,
                                        const char          *key_id,
                                        const char          *token_file,
                                        GError             **error);

LtmStore    *ltm_cli_get_store         (LtmCli              *cli,
                                        GError             **error);
LtmChannel  *ltm_cli_get_channel       (LtmCli              *cli,
                                        const char          *channel_id,
                                        GError             **error);
typedef gboolean (*LtmCliSecretCheck) (const char  *value,
                                       GError     **error);

LtmSecret   *ltm_cli_read_secret       (const char          *file,
                                        const char          *env_var,
                                        const char          *what,
                                        LtmCliSecretCheck    check,
                                        GError             **error);

LtmLineClient *ltm_cli_get_client      (LtmCli              *cli,
                                        GError             **error);
guint        ltm_cli_display_width     (const char          *text);
void         ltm_cli_print_row         (const int           *widths,
                                        const char          *first,
                                        ...) G_GNUC_NULL_TERMINATED;
void         ltm_cli_print_json        (JsonNode            *node);
void         ltm_cli_print_builder     (JsonBuilder         *builder);
void         ltm_cli_print_status      (LtmCli              *cli,
                                        const char          *what,
                                        const char          *channel_id);
void         ltm_cli_json_set_string   (JsonBuilder         *builder,
                                        const char          *name,
                                        const char          *value);
void         ltm_cli_json_set_int      (JsonBuilder         *builder,
                                        const char          *name,
                                        gint64               value);
void         ltm_cli_json_set_bool     (JsonBuilder         *builder,
                                        const char          *name,
                                        gboolean             value);
char        *ltm_cli_format_time       (gint64               unix_seconds,
                                        gint64               now);

/* ltm-cli-webhook-bot.c */
int          ltm_cli_webhook_listen          (LtmCli *cli, int argc, char **argv);
int          ltm_cli_webhook_send            (LtmCli *cli, int argc, char **argv);
int          ltm_cli_webhook_events          (LtmCli *cli, int argc, char **argv);
int          ltm_cli_webhook_restore_command (LtmCli *cli, int argc, char **argv);

extern const LtmCliCommand ltm_cli_key_commands[];
extern const LtmCliCommand ltm_cli_jwt_commands[];
extern const LtmCliCommand ltm_cli_channel_commands[];
extern const LtmCliCommand ltm_cli_token_commands[];
extern const LtmCliCommand ltm_cli_webhook_commands[];
extern const LtmCliCommand ltm_cli_store_commands[];
extern const LtmCliCommand ltm_cli_bot_commands[];

G_END_DECLS
