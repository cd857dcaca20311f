/* test-text.c: control characters escaped visibly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-text.h"

static void
test_text_escape (void)
{
  static const struct { const char *text; const char *keep; const char *escaped; } cases[] = {
    { "plain text, お知らせ", NULL, "plain text, お知らせ" },
    { "\033]0;title\007", NULL, "\\u001b]0;title\\u0007" },
    { "\033[2J", "\n", "\\u001b[2J" },
    { "a\nb\tc\rd", NULL, "a\\u000ab\\u0009c\\u000dd" },
    { "a\nb\tc\rd", "\n\t", "a\nb\tc\\u000dd" },
    { "del\177 csi\302\233", "\n", "del\\u007f csi\\u009b" },
    { "rtl\342\200\256", NULL, "rtl\\u202e" },
    { "bad\377", NULL, "bad\357\277\275" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = ltm_text_escape_controls (cases[i].text, cases[i].keep);

      g_assert_cmpstr (escaped, ==, cases[i].escaped);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/escape", test_text_escape);

  return g_test_run ();
}
