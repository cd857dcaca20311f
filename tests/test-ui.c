/* test-ui.c: times in words, as every page shows them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ltm-store.h"
#include "ltm-ui.h"

#define HOUR (60 * 60)
#define DAY (24 * HOUR)

static void
assert_remaining (gint64      seconds,
                  const char *expected)
{
  g_autofree char *text = ltm_ui_format_remaining (seconds);

  g_assert_cmpstr (text, ==, expected);
}

/* The larger unit that fits, to the nearest. */
static void
test_remaining (void)
{
  assert_remaining (30 * DAY - 60, "30 days");
  assert_remaining (29 * DAY + 11 * HOUR, "29 days");
  assert_remaining (2 * DAY, "2 days");
  assert_remaining (2 * DAY - 1, "48 hours");
  assert_remaining (2 * HOUR, "2 hours");
  assert_remaining (2 * HOUR - 1, "120 minutes");
  assert_remaining (14 * 60 + 31, "15 minutes");
  assert_remaining (90, "90 seconds");
  assert_remaining (1, "1 second");
  assert_remaining (-5, "0 seconds");
}

static void
test_expiry (void)
{
  g_autofree char *future = ltm_ui_format_expiry (1000 + 5 * DAY, 1000);
  g_autofree char *past = ltm_ui_format_expiry (1000, 1000 + 3 * HOUR);
  g_autofree char *unknown = ltm_ui_format_expiry (0, 1000);

  g_assert_cmpstr (future, ==, "Expires in 5 days");
  g_assert_cmpstr (past, ==, "Expired 3 hours ago");
  /* a token moved from 0.1's keyring without its times: not 1970 */
  g_assert_cmpstr (unknown, ==, "Expiry unknown");
}

/* A date early in the month starts with its day, not with %e's padding
 * ("Created  5 Dec 2026"). */
static void
test_date (void)
{
  /* 5 Dec 2026, 12:00 UTC: the 4th, 5th or 6th in any time zone. */
  g_autoptr(GDateTime) noon = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
  g_autofree char *text = ltm_ui_format_date (g_date_time_to_unix (noon));

  g_assert_true (g_ascii_isdigit (text[0]));
  g_assert_false (g_ascii_isdigit (text[1]));
  g_assert_nonnull (strstr (text, "Dec 2026, "));
}

/* What a Thai user sees: the Thai catalog's format, the month as th_TH's
 * LC_TIME names it, and the Gregorian year, as ltm, LINE and the JWT give
 * it; never the Buddhist era's 2569, unmarked (GLib 2.74 formats no era:
 * %E… and th_TH's own %c and %x give nothing at all). */
static void
test_date_thai (void)
{
  g_autoptr(GDateTime) noon = g_date_time_new_utc (2026, 12, 5, 12, 0, 0);
  g_autofree char *text = NULL;

  g_setenv ("LANGUAGE", "th", TRUE);
  if (setlocale (LC_ALL, "th_TH.UTF-8") == NULL)
    {
      g_setenv ("LANGUAGE", "en", TRUE);
      /* In flatpak-builder's sandbox the runtime decides which locales
       * exist; everywhere else .ci/deps makes this one. */
      if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
        g_test_skip ("the runtime has no th_TH.UTF-8");
      else
        g_test_fail_printf ("the locale th_TH.UTF-8 is not there (.ci/deps generates it)");
      return;
    }

  text = ltm_ui_format_date (g_date_time_to_unix (noon));
  g_test_message ("%s", text);

  g_setenv ("LANGUAGE", "en", TRUE);
  setlocale (LC_ALL, "C.UTF-8");

  g_assert_true (g_str_has_prefix (text, "5 ธ.ค. 2026 "));
  g_assert_null (strstr (text, "2569"));
}

/* The window's words for the store's errors: what a person can do. */
static void
test_store_advice (void)
{
  g_autoptr(GError) locked = g_error_new_literal (LTM_STORE_ERROR, LTM_STORE_ERROR_KEYRING_LOCKED,
                                                  "locked");
  g_autoptr(GError) other = g_error_new_literal (LTM_STORE_ERROR, LTM_STORE_ERROR_EXISTS, "there");
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "no");

  g_assert_nonnull (strstr (ltm_ui_store_advice (locked), "Unlock the keyring"));
  g_assert_null (ltm_ui_store_advice (other));
  g_assert_null (ltm_ui_store_advice (io));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* The catalogs of the build tree, as the window binds them. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("LTM_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/ui/remaining", test_remaining);
  g_test_add_func ("/ui/expiry", test_expiry);
  g_test_add_func ("/ui/store-advice", test_store_advice);
  g_test_add_func ("/ui/date", test_date);
  g_test_add_func ("/ui/date/th", test_date_thai);

  return g_test_run ();
}
