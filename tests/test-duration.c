/* test-duration.c: "900", "15m", "12h", "30d"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-duration.h"

static void
test_duration_parse (void)
{
  static const struct { const char *text; gint64 seconds; } cases[] = {
    { "0", 0 },
    { "900", 900 },
    { "45s", 45 },
    { "15m", 900 },
    { "30m", 1800 },
    { "12h", 43200 },
    { "30d", 2592000 },
    { "1h30m", 5400 },
    { "1d12h", 129600 },
    { "007m", 420 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 seconds = -1;

      g_assert_true (ltm_duration_parse (cases[i].text, &seconds, &error));
      g_assert_no_error (error);
      g_assert_cmpint (seconds, ==, cases[i].seconds);
    }
}

static void
test_duration_invalid (void)
{
  static const char * const bad[] = {
    "", "m", "30x", "-5", "+5", "1.5h", "30 d", " 30d", "30d ", "30M", "h30", "1h30",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 seconds = -1;

      g_test_message ("parsing “%s”", bad[i]);
      g_assert_false (ltm_duration_parse (bad[i], &seconds, &error));
      g_assert_error (error, LTM_DURATION_ERROR, LTM_DURATION_ERROR_INVALID);
      g_assert_nonnull (g_strstr_len (error->message, -1, "30d"));
      g_assert_cmpint (seconds, ==, -1);
    }
}

static void
test_duration_too_large (void)
{
  static const char * const huge[] = {
    "99999999999999999999", "9223372036854775807", "40000d", "999999999999h",
  };

  for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 seconds = -1;

      g_assert_false (ltm_duration_parse (huge[i], &seconds, &error));
      g_assert_error (error, LTM_DURATION_ERROR, LTM_DURATION_ERROR_TOO_LARGE);
    }
}

static void
test_duration_format (void)
{
  static const struct { gint64 seconds; const char *text; } cases[] = {
    { 0, "0 seconds" },
    { 1, "1 second" },
    { 59, "59 seconds" },
    { 60, "1 minute" },
    { 90, "1 minute 30 seconds" },
    { 1800, "30 minutes" },
    { 3600, "1 hour" },
    { 5400, "1 hour 30 minutes" },
    { 86400, "1 day" },
    { 86401, "1 day" },
    { 2592000, "30 days" },
    { 2592000 - 1, "29 days 23 hours" },
    { -300, "5 minutes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ltm_duration_format (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_duration_format_rounded (void)
{
  static const struct { gint64 seconds; const char *text; } cases[] = {
    { 59, "59 seconds" },
    { 119, "1 minute 59 seconds" },
    { 120, "2 minutes" },
    { 14 * 60 + 58, "15 minutes" },
    { 50 * 60 + 2, "50 minutes" },
    { 7 * 86400 - 5, "7 days" },
    { -(30 * 60 - 1), "30 minutes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ltm_duration_format_rounded (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/duration/parse", test_duration_parse);
  g_test_add_func ("/duration/invalid", test_duration_invalid);
  g_test_add_func ("/duration/too-large", test_duration_too_large);
  g_test_add_func ("/duration/format", test_duration_format);
  g_test_add_func ("/duration/format-rounded", test_duration_format_rounded);

  return g_test_run ();
}
