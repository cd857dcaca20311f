/* ltm-test-server-main.c: the LINE-compatible test server as a program
 *
 *   ltm-test-server [--https] [--latency-ms N] [--port N] [--cert-out FILE]
 *                   [--webhook-ca FILE] [--exit-on-eof]
 *
 * Prints the base URL as the first line of stdout, then serves until
 * SIGTERM or SIGINT, or until stdin reaches end of file with --exit-on-eof.
 * Channels, keys, faults and the clock are set through /_admin/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib-unix.h>

#include "ltm-test-server.h"

static gboolean
ltm_test_server_main_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

static gboolean
ltm_test_server_main_stdin_cb (int           fd,
                               GIOCondition  condition,
                               gpointer      user_data)
{
  char buffer[4096];
  gssize n = read (fd, buffer, sizeof buffer);

  if (n > 0)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmTestServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *cert_out = NULL;
  g_autofree char *webhook_ca = NULL;
  gboolean https = FALSE;
  gboolean exit_on_eof = FALSE;
  int latency_ms = 0;
  int port = 0;
  guint sigterm_id;
  guint sigint_id;
  guint stdin_id = 0;
  const GOptionEntry entries[] = {
    { "https", 0, 0, G_OPTION_ARG_NONE, &https,
      "Serve HTTPS with a self-signed certificate made at start-up", NULL },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency_ms,
      "Delay every answer by N milliseconds", "N" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Listen on 127.0.0.1:N (default: random)", "N" },
    { "cert-out", 0, 0, G_OPTION_ARG_FILENAME, &cert_out,
      "Write the HTTPS certificate (PEM) to FILE", "FILE" },
    { "webhook-ca", 0, 0, G_OPTION_ARG_FILENAME, &webhook_ca,
      "Trust only the CA certificates in FILE when testing webhooks", "FILE" },
    { "exit-on-eof", 0, 0, G_OPTION_ARG_NONE, &exit_on_eof,
      "Exit when stdin reaches end of file", NULL },
    { NULL }
  };

  context = g_option_context_new ("- LINE-compatible test server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ltm-test-server: %s\n", error->message);
      return 2;
    }

  if (port < 0 || port > G_MAXUINT16 || latency_ms < 0)
    {
      g_printerr ("ltm-test-server: --port takes 0 to 65535, --latency-ms a positive number\n");
      return 2;
    }

  if (cert_out != NULL && !https)
    {
      g_printerr ("ltm-test-server: --cert-out needs --https\n");
      return 2;
    }

  server = ltm_test_server_new_for_port (https ? LTM_TEST_SERVER_HTTPS : LTM_TEST_SERVER_PLAIN,
                                         port, &error);
  if (server == NULL)
    {
      g_printerr ("ltm-test-server: %s\n", error->message);
      return 1;
    }

  ltm_test_server_set_latency (server, latency_ms);

  if (webhook_ca != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (webhook_ca, &error);

      if (database == NULL)
        {
          g_printerr ("ltm-test-server: %s: %s\n", webhook_ca, error->message);
          return 1;
        }
      ltm_test_server_set_webhook_tls_database (server, database);
    }

  if (cert_out != NULL)
    {
      g_autofree char *pem = ltm_test_server_get_certificate_pem (server);

      if (!g_file_set_contents (cert_out, pem, -1, &error))
        {
          g_printerr ("ltm-test-server: %s\n", error->message);
          return 1;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, ltm_test_server_main_quit_cb, loop);
  sigint_id = g_unix_signal_add (SIGINT, ltm_test_server_main_quit_cb, loop);
  if (exit_on_eof)
    stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                              ltm_test_server_main_stdin_cb, loop);

  g_print ("%s\n", ltm_test_server_get_base_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  if (stdin_id != 0 && g_main_context_find_source_by_id (NULL, stdin_id) != NULL)
    g_source_remove (stdin_id);

  return EXIT_SUCCESS;
}
