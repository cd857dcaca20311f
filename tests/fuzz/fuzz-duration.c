/* fuzz-duration.c: typed durations into ltm_duration_parse()
 *
 * Feeds the input, as the text of a --lifetime or --token-lifetime option,
 * to ltm_duration_parse(), and what it parses to ltm_duration_format().  A
 * parsed duration is never negative nor past the century the parser
 * allows, and its bare number of seconds parses to the same value.  The
 * first eight bytes, read as any gint64 at all, go to ltm_duration_format()
 * too, whose sign is ignored.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ltm-duration.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* ltm-duration.c's own limit: a century. */
#define FUZZ_DURATION_MAX ((gint64) 100 * 365 * 24 * 3600)

static void
fuzz_duration_check_format (gint64 seconds)
{
  g_autofree char *text = ltm_duration_format (seconds);

  g_assert_nonnull (text);
  g_assert_cmpstr (text, !=, "");
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  gint64 seconds = -1;

  if (ltm_duration_parse (text, &seconds, &error))
    {
      g_autofree char *bare = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
      g_autofree char *formatted = NULL;
      g_autofree char *negated = NULL;
      gint64 again = -1;

      g_assert_no_error (error);
      g_assert_cmpint (seconds, >=, 0);
      g_assert_cmpint (seconds, <=, FUZZ_DURATION_MAX);

      g_assert_true (ltm_duration_parse (bare, &again, &error));
      g_assert_no_error (error);
      g_assert_cmpint (again, ==, seconds);

      /* The sign is ignored: callers phrase "in …" and "… ago". */
      formatted = ltm_duration_format (seconds);
      negated = ltm_duration_format (-seconds);
      g_assert_cmpstr (formatted, ==, negated);
      fuzz_duration_check_format (seconds);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == LTM_DURATION_ERROR);
      g_assert_true (error->code == LTM_DURATION_ERROR_INVALID ||
                     error->code == LTM_DURATION_ERROR_TOO_LARGE);
    }

  if (size >= sizeof (gint64))
    {
      gint64 raw;

      memcpy (&raw, data, sizeof raw);
      fuzz_duration_check_format (raw);
    }

  return 0;
}
