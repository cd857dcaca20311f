/* bench-startup.c: from launch to the window on screen, and the memory
 * after start, for line-token-manager and for a minimal
 * AdwApplicationWindow, runs interleaved on the same X server.
 *
 *   bench-startup LTM APP MINIMAL [RUNS]   (under xvfb-run and a D-Bus session)
 *
 * The clock starts before posix_spawn and stops at the MapNotify of the
 * process's first top-level window; resident memory (VmRSS) is read one
 * second later, once the app has read its channels.  The app starts on a
 * store of 20 channels with tokens, made with `ltm` beforehand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <X11/Xlib.h>

extern char **environ;

#define N_CHANNELS 20

typedef struct {
  const char *name;
  const char *path;
  GArray *map_ms;
  GArray *rss_kb;
} Target;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median and the minimum of @values. */
static double
median (GArray *values,
        double *out_min)
{
  g_autoptr(GArray) sorted = g_array_copy (values);

  g_array_sort (sorted, compare_doubles);
  if (out_min != NULL)
    *out_min = g_array_index (sorted, double, 0);

  return g_array_index (sorted, double, sorted->len / 2);
}

static double
rss_kb (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;

  return g_ascii_strtod (line + strlen ("VmRSS:"), NULL);
}

static void
run_once (Display *display,
          Target  *target)
{
  char *argv[] = { (char *) target->path, NULL };
  gint64 start, mapped = 0;
  pid_t pid;
  XEvent event;

  XSelectInput (display, DefaultRootWindow (display), SubstructureNotifyMask);
  XSync (display, True);

  start = g_get_monotonic_time ();
  if (posix_spawn (&pid, target->path, NULL, NULL, argv, environ) != 0)
    g_error ("Could not start %s", target->path);

  while (mapped == 0)
    {
      XNextEvent (display, &event);
      if (event.type == MapNotify && !event.xmap.override_redirect)
        mapped = g_get_monotonic_time ();
    }

  g_usleep (G_USEC_PER_SEC);
  g_array_append_val (target->rss_kb, (double) { rss_kb (pid) });
  g_array_append_val (target->map_ms, (double) { (mapped - start) / 1000.0 });

  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  XSync (display, True);
}

/* A store like a user's: 20 channels with a token each (fake tokens are
 * fine: nothing is sent at start-up). */
static void
make_store (const char *ltm)
{
  g_autofree char *dir = g_dir_make_tmp ("ltm-bench-startup-XXXXXX", NULL);
  g_autofree char *keyring = g_build_filename (dir, "keyring", NULL);

  g_setenv ("LTM_DATA_DIR", dir, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "bench", TRUE);

  for (int i = 0; i < N_CHANNELS; i++)
    {
      g_autofree char *id = g_strdup_printf ("%d", 1500000000 + i);
      g_autofree char *name = g_strdup_printf ("Bench channel %d", i);
      const char *argv[] = { ltm, "channel", "add", id, "--name", name, NULL };
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                         NULL, NULL, &status, NULL) || status != 0)
        g_error ("ltm channel add failed");
    }
}

int
main (int   argc,
      char *argv[])
{
  Target targets[2];
  Display *display;
  int runs = argc > 4 ? atoi (argv[4]) : 10;
  double app_ms, minimal_ms, app_mb, minimal_mb;

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s LTM APP MINIMAL [RUNS]\n", argv[0]);
      return 2;
    }

  display = XOpenDisplay (NULL);
  if (display == NULL)
    g_error ("No X display: run under xvfb-run");

  make_store (argv[1]);
  /* The same for both: no accessibility bus, settings in memory. */
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  targets[0] = (Target) { "line-token-manager", argv[2], g_array_new (FALSE, FALSE, sizeof (double)),
                          g_array_new (FALSE, FALSE, sizeof (double)) };
  targets[1] = (Target) { "minimal AdwApplicationWindow", argv[3],
                          g_array_new (FALSE, FALSE, sizeof (double)),
                          g_array_new (FALSE, FALSE, sizeof (double)) };

  /* One warm-up each (page cache, fontconfig cache), then interleaved. */
  run_once (display, &targets[0]);
  run_once (display, &targets[1]);
  g_array_set_size (targets[0].map_ms, 0);
  g_array_set_size (targets[0].rss_kb, 0);
  g_array_set_size (targets[1].map_ms, 0);
  g_array_set_size (targets[1].rss_kb, 0);

  for (int i = 0; i < runs; i++)
    for (int t = 0; t < 2; t++)
      run_once (display, &targets[t]);

  for (int t = 0; t < 2; t++)
    {
      double min_ms;
      double ms = median (targets[t].map_ms, &min_ms);

      printf ("%-30s launch→mapped median %7.1f ms (min %.1f)   RSS after 1 s median %6.1f MB\n",
              targets[t].name, ms, min_ms, median (targets[t].rss_kb, NULL) / 1024.0);
    }

  app_ms = median (targets[0].map_ms, NULL);
  minimal_ms = median (targets[1].map_ms, NULL);
  app_mb = median (targets[0].rss_kb, NULL) / 1024.0;
  minimal_mb = median (targets[1].rss_kb, NULL) / 1024.0;
  printf ("%d runs each, %d channels: time ratio %.2f (target ≤ 1.5), memory +%.1f MB "
          "(target ≤ 40)\n", runs, N_CHANNELS, app_ms / minimal_ms, app_mb - minimal_mb);

  XCloseDisplay (display);

  return 0;
}
