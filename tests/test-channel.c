/* test-channel.c: LtmChannel's name, and what may be one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-channel.h"

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* The getter returns the property; "name or ID" has its own name. */
static void
test_channel_name (void)
{
  g_autoptr(LtmChannel) channel = ltm_channel_new ("1234567890", NULL);
  g_autofree char *unnamed = NULL;
  g_autofree char *named = NULL;
  g_autofree char *property = NULL;
  guint notified = 0;

  g_signal_connect (channel, "notify::name", G_CALLBACK (notify_cb), &notified);

  g_assert_null (ltm_channel_get_name (channel));
  g_object_get (channel, "name", &property, NULL);
  g_assert_null (property);
  unnamed = ltm_channel_dup_display_name (channel);
  g_assert_cmpstr (unnamed, ==, "1234567890");

  ltm_channel_set_name (channel, "My bot");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (ltm_channel_get_name (channel), ==, "My bot");
  named = ltm_channel_dup_display_name (channel);
  g_assert_cmpstr (named, ==, "My bot");

  ltm_channel_set_name (channel, "My bot");
  g_assert_cmpuint (notified, ==, 1);
}

static void
test_channel_check_name (void)
{
  static const struct { const char *name; gboolean ok; } cases[] = {
    { "My bot", TRUE },
    { "お知らせボット", TRUE },
    { "a", TRUE },
    { NULL, FALSE },
    { "", FALSE },
    { " \u3000 ", FALSE },
    { "two\nlines", FALSE },
    { "tab\there", FALSE },
    { "\033]0;title\007", FALSE },
    { "csi\302\233", FALSE },
    { "del\177", FALSE },
    { "rtl\342\200\256override", FALSE },
    { "bad\377utf8", FALSE },
  };
  g_autofree char *long_name = g_strnfill (LTM_CHANNEL_MAX_NAME + 1, 'n');

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = ltm_channel_check_name (cases[i].name, &error);

      g_test_message ("case %u", i);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_no_error (error);
      else
        g_assert_error (error, LTM_CHANNEL_ERROR, LTM_CHANNEL_ERROR_INVALID_NAME);
    }

  g_assert_false (ltm_channel_check_name (long_name, NULL));
  long_name[LTM_CHANNEL_MAX_NAME] = '\0';
  g_assert_true (ltm_channel_check_name (long_name, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/name", test_channel_name);
  g_test_add_func ("/channel/check-name", test_channel_check_name);

  return g_test_run ();
}
