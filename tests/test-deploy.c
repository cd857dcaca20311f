/* test-deploy.c: env files rewritten in place and deploy commands fed on
 * standard input, as a bot's host would see them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ltm-deploy.h"
#include "ltm-test-util.h"

#define TOKEN "eyJhbGciOiJIUzI1NiJ9.eyJ0ZXN0Ijp0cnVlfQ.c2lnbmF0dXJl"

static char *
tmp_path (const char *name)
{
  return g_build_filename (ltm_test_get_tmp_dir (), name, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);

  return st.st_mode & 07777;
}

/* The variable's line replaced; every other byte kept, and the mode. */
static void
test_env_file_replace (void)
{
  g_autofree char *path = tmp_path ("replace.env");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *before = "# the bot's settings\r\n"
                       "CHANNEL_SECRET=abc  \n"
                       "export CHANNEL_ACCESS_TOKEN = old-token\n"
                       "\n"
                       "OTHER_CHANNEL_ACCESS_TOKEN=keep\n"
                       "PORT=8080";

  g_assert_true (g_file_set_contents (path, before, -1, &error));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);

  g_assert_true (ltm_deploy_write_env_file (path, NULL, TOKEN, &error));
  g_assert_no_error (error);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "# the bot's settings\r\n"
                                 "CHANNEL_SECRET=abc  \n"
                                 "export CHANNEL_ACCESS_TOKEN =" TOKEN "\n"
                                 "\n"
                                 "OTHER_CHANNEL_ACCESS_TOKEN=keep\n"
                                 "PORT=8080");
  g_assert_cmpuint (file_mode (path), ==, 0640);
}

/* A variable not there yet is added after a last line without its end. */
static void
test_env_file_add (void)
{
  g_autofree char *path = tmp_path ("add.env");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, "PORT=8080", -1, &error));
  g_assert_true (ltm_deploy_write_env_file (path, "LINE_TOKEN", TOKEN, &error));
  g_assert_no_error (error);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "PORT=8080\nLINE_TOKEN=" TOKEN "\n");
}

/* A new file is 0600 whatever the umask; no temporary file is left. */
static void
test_env_file_new (void)
{
  g_autofree char *dir = tmp_path ("new-env");
  g_autofree char *path = g_build_filename (dir, ".env", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  mode_t old_umask = umask (0);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (ltm_deploy_write_env_file (path, NULL, TOKEN, &error));
  umask (old_umask);
  g_assert_no_error (error);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "CHANNEL_ACCESS_TOKEN=" TOKEN "\n");
  g_assert_cmpuint (file_mode (path), ==, 0600);

  listing = g_dir_open (dir, 0, &error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, ".env");
  g_assert_null (g_dir_read_name (listing));
}

/* A link is followed: its target changes, the link stays a link. */
static void
test_env_file_symlink (void)
{
  g_autofree char *target = tmp_path ("target.env");
  g_autofree char *link = tmp_path ("link.env");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (target, "A=1\n", -1, &error));
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_true (ltm_deploy_write_env_file (link, NULL, TOKEN, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  contents = read_file (target);
  g_assert_cmpstr (contents, ==, "A=1\nCHANNEL_ACCESS_TOKEN=" TOKEN "\n");
}

/* What a run killed before its rename left beside the file, holding a
 * token (".NAME.ltm-" and six letters), goes with the next write; a link
 * of that name and other files stay. */
static void
test_env_file_leftovers (void)
{
  g_autofree char *dir = tmp_path ("leftovers");
  g_autofree char *path = g_build_filename (dir, "env", NULL);
  g_autofree char *leftover = g_build_filename (dir, ".env.ltm-abc123", NULL);
  g_autofree char *link = g_build_filename (dir, ".env.ltm-xyz789", NULL);
  g_autofree char *other = g_build_filename (dir, ".env.ltm-notes", NULL);
  g_autofree char *target = g_build_filename (dir, "kept", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "PORT=8080\nCHANNEL_ACCESS_TOKEN=old\n", -1, &error));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  g_assert_true (g_file_set_contents (leftover, "CHANNEL_ACCESS_TOKEN=crashed\n", -1, &error));
  g_assert_true (g_file_set_contents (other, "mine\n", -1, &error));
  g_assert_true (g_file_set_contents (target, "linked\n", -1, &error));
  g_assert_cmpint (symlink (target, link), ==, 0);

  g_assert_true (ltm_deploy_write_env_file (path, NULL, TOKEN, &error));
  g_assert_no_error (error);

  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_REGULAR));
  contents = read_file (target);
  g_assert_cmpstr (contents, ==, "linked\n");
  g_clear_pointer (&contents, g_free);

  contents = read_file (path);
  g_assert_cmpstr (contents, ==, "PORT=8080\nCHANNEL_ACCESS_TOKEN=" TOKEN "\n");
  g_assert_cmpuint (file_mode (path), ==, 0640);
}

static gboolean
run_command (const char  *command,
             guint        timeout,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ltm_deploy_run_command_async (command, TOKEN, "1234567890", "keyid123", 1800000000, timeout,
                                NULL, ltm_async_result_cb, &result);

  return ltm_deploy_run_command_finish (ltm_async_wait (&result), error);
}

/* What the command run by run_command() wrote to @got (its standard
 * input) and @env (its environment): exactly the token, and the token
 * nowhere in the environment but the channel, key ID and expiry. */
static void
assert_command_got (const char *got,
                    const char *env)
{
  g_autofree char *token = read_file (got);
  g_autofree char *environment = read_file (env);

  g_assert_cmpstr (token, ==, TOKEN);
  g_assert_null (strstr (environment, TOKEN));
  g_assert_nonnull (strstr (environment, "LTM_CHANNEL_ID=1234567890\n"));
  g_assert_nonnull (strstr (environment, "LTM_TOKEN_KEY_ID=keyid123\n"));
  g_assert_nonnull (strstr (environment, "LTM_TOKEN_EXPIRES_AT=2027-01-15T08:00:00Z\n"));
}

/* The token on standard input, exactly; not in argv or the environment;
 * the channel, key ID and expiry in the environment. */
static void
test_command_stdin (void)
{
  g_autofree char *got = tmp_path ("got-token");
  g_autofree char *env = tmp_path ("got-env");
  g_autofree char *command = g_strdup_printf ("cat > '%s'; env > '%s'", got, env);
  g_autoptr(GError) error = NULL;

  g_setenv ("LTM_ACCESS_TOKEN", TOKEN, TRUE);
  g_assert_true (run_command (command, 10, &error));
  g_unsetenv ("LTM_ACCESS_TOKEN");
  g_assert_no_error (error);

  assert_command_got (got, env);
}

/* Not 0: the last lines of standard error say why. */
static void
test_command_fails (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (run_command ("cat > /dev/null; echo one >&2; echo 'gh: HTTP 403' >&2; exit 3",
                               10, &error));
  g_assert_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "The deploy command failed (exit status 3): one / gh: HTTP 403");
}

/* A command that never reads its standard input (it closed it) still
 * delivers by its exit status; ltm is not killed by a broken pipe. */
static void
test_command_ignores_stdin (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (run_command ("exec 0<&-; sleep 0.2; exit 0", 10, &error));
  g_assert_no_error (error);
  g_assert_true (run_command ("exit 0", 10, &error));
  g_assert_no_error (error);
}

/* Past the timeout the command and what it started are killed. */
static void
test_command_timeout (void)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (run_command ("echo waiting >&2; sleep 600 & sleep 600; wait", 1, &error));
  g_assert_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==,
                   "The deploy command ran longer than 1 seconds and was stopped: waiting");
  /* Not the 600 seconds of either sleep: both were killed. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 300 * G_USEC_PER_SEC);
}

/* A SIGTERM it ignores: SIGKILL after the grace, to what it started too. */
static void
test_command_timeout_kill (void)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (run_command ("trap '' TERM; echo deaf >&2; sleep 600 & sleep 600; wait", 1,
                               &error));
  g_assert_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==,
                   "The deploy command ran longer than 1 seconds and was stopped: deaf");
  g_assert_cmpint (g_get_monotonic_time () - start, <, 300 * G_USEC_PER_SEC);
}

/* Inside Flatpak (LTM_TEST_FLATPAK_INFO standing in for /.flatpak-info),
 * with a flatpak-spawn of the test's first in PATH: @script is its body
 * after it wrote its arguments, one a line, to @argv_file. */
typedef struct {
  char *old_path;
  char *old_info;
} FakeFlatpak;

static void
fake_flatpak_begin (FakeFlatpak *fake,
                    const char  *name,
                    const char  *argv_file,
                    const char  *script)
{
  g_autofree char *bin = tmp_path (name);
  g_autofree char *spawn = g_build_filename (bin, "flatpak-spawn", NULL);
  g_autofree char *info = g_build_filename (bin, ".flatpak-info", NULL);
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  text = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s'\n%s", argv_file, script);
  g_assert_true (g_file_set_contents (spawn, text, -1, &error));
  g_assert_cmpint (g_chmod (spawn, 0755), ==, 0);
  g_assert_true (g_file_set_contents (info, "[Application]\nname=" APPLICATION_ID "\n", -1,
                                      &error));

  fake->old_path = g_strdup (g_getenv ("PATH"));
  fake->old_info = g_strdup (g_getenv ("LTM_TEST_FLATPAK_INFO"));
  path = g_strconcat (bin, ":", fake->old_path, NULL);
  g_setenv ("PATH", path, TRUE);
  g_setenv ("LTM_TEST_FLATPAK_INFO", info, TRUE);
  g_assert_true (ltm_deploy_runs_on_host ());
}

static void
fake_flatpak_end (FakeFlatpak *fake)
{
  g_setenv ("PATH", fake->old_path, TRUE);
  if (fake->old_info != NULL)
    g_setenv ("LTM_TEST_FLATPAK_INFO", fake->old_info, TRUE);
  else
    g_unsetenv ("LTM_TEST_FLATPAK_INFO");
  g_clear_pointer (&fake->old_path, g_free);
  g_clear_pointer (&fake->old_info, g_free);
}

/* Runs the command as the host would: with the --env= values. */
#define FAKE_HOST \
  "while [ $# -gt 0 ]; do\n" \
  "  case \"$1\" in\n" \
  "    --host|--watch-bus) ;;\n" \
  "    --env=*) export \"${1#--env=}\" ;;\n" \
  "    -*) echo \"flatpak-spawn: unknown option $1\" >&2; exit 1 ;;\n" \
  "    *) break ;;\n" \
  "  esac\n" \
  "  shift\n" \
  "done\n" \
  "exec \"$@\"\n"

/* What flatpak-spawn says where the app may not talk to org.freedesktop.Flatpak. */
#define FAKE_DENIED \
  "echo 'Portal call failed: The name org.freedesktop.Flatpak was not provided by any " \
  ".service files' >&2\n" \
  "echo 'Hint: --host only works when the Flatpak is allowed to talk to " \
  "org.freedesktop.Flatpak' >&2\n" \
  "exit 1\n"

/* Inside Flatpak the command runs on the host through flatpak-spawn: the
 * token still on its standard input only, not among flatpak-spawn's
 * arguments; the three variables given with --env=. */
static void
test_command_on_host (void)
{
  g_autofree char *argv_file = tmp_path ("host-argv");
  g_autofree char *got = tmp_path ("host-token");
  g_autofree char *env = tmp_path ("host-env");
  g_autofree char *command = g_strdup_printf ("cat > '%s'; env > '%s'", got, env);
  g_autofree char *expected_argv = NULL;
  g_autofree char *spawn_argv = NULL;
  g_autoptr(GError) error = NULL;
  FakeFlatpak fake = { 0 };

  fake_flatpak_begin (&fake, "fake-host", argv_file, FAKE_HOST);
  g_assert_true (run_command (command, 10, &error));
  fake_flatpak_end (&fake);
  g_assert_no_error (error);

  spawn_argv = read_file (argv_file);
  expected_argv = g_strdup_printf ("--host\n"
                                   "--watch-bus\n"
                                   "--env=LTM_CHANNEL_ID=1234567890\n"
                                   "--env=LTM_TOKEN_KEY_ID=keyid123\n"
                                   "--env=LTM_TOKEN_EXPIRES_AT=2027-01-15T08:00:00Z\n"
                                   "/bin/sh\n"
                                   "-c\n"
                                   "%s\n", command);
  g_assert_cmpstr (spawn_argv, ==, expected_argv);
  g_assert_null (strstr (spawn_argv, TOKEN));

  assert_command_got (got, env);
}

/* Without the permission flatpak-spawn cannot reach the host: the message
 * says so, and how to give it. */
static void
test_command_host_denied (void)
{
  g_autofree char *argv_file = tmp_path ("denied-argv");
  g_autoptr(GError) error = NULL;
  FakeFlatpak fake = { 0 };

  fake_flatpak_begin (&fake, "fake-denied", argv_file, FAKE_DENIED);
  g_assert_false (run_command ("cat > /dev/null", 10, &error));
  fake_flatpak_end (&fake);

  g_assert_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_HOST_DENIED);
  g_assert_cmpstr (error->message, ==,
                   "The deploy command could not be started on the host (The name "
                   "org.freedesktop.Flatpak was not provided by any .service files). Inside "
                   "Flatpak it runs there only with the permission to talk to "
                   "org.freedesktop.Flatpak, given with: flatpak override --user "
                   "--talk-name=org.freedesktop.Flatpak " APPLICATION_ID);
}

/* The same words from a command that ran are its own failure. */
static void
test_command_not_denied_outside (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ltm_deploy_runs_on_host ());
  g_assert_false (run_command ("cat > /dev/null; echo 'Portal call failed: no' >&2; exit 1", 10,
                               &error));
  g_assert_error (error, LTM_DEPLOY_ERROR, LTM_DEPLOY_ERROR_COMMAND_FAILED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deploy/env-file/replace", test_env_file_replace);
  g_test_add_func ("/deploy/env-file/add", test_env_file_add);
  g_test_add_func ("/deploy/env-file/new", test_env_file_new);
  g_test_add_func ("/deploy/env-file/symlink", test_env_file_symlink);
  g_test_add_func ("/deploy/env-file/leftovers", test_env_file_leftovers);
  g_test_add_func ("/deploy/command/stdin", test_command_stdin);
  g_test_add_func ("/deploy/command/fails", test_command_fails);
  g_test_add_func ("/deploy/command/timeout", test_command_timeout);
  g_test_add_func ("/deploy/command/ignores-stdin", test_command_ignores_stdin);
  g_test_add_func ("/deploy/command/timeout-kill", test_command_timeout_kill);
  g_test_add_func ("/deploy/command/on-host", test_command_on_host);
  g_test_add_func ("/deploy/command/host-denied", test_command_host_denied);
  g_test_add_func ("/deploy/command/not-denied-outside", test_command_not_denied_outside);

  return g_test_run ();
}
