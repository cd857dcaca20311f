/* test-reminder.c: expiry reminders with a fake clock: who is due, said
 * once, in words, and what the notification's buttons do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ltm-reminder.h"
#include "ltm-test-util.h"

#define DAY (24 * 60 * 60)
#define T0 G_GINT64_CONSTANT (1800000000)

static LtmStore *
ltm_test_store_new (void)
{
  g_autofree char *dir = g_build_filename (ltm_test_get_tmp_dir (), "reminder-XXXXXX", NULL);
  LtmStore *store;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (g_mkdtemp (dir));
  store = ltm_store_new (dir);
  ltm_store_load (store, &error);
  g_assert_no_error (error);

  return store;
}

/* A channel whose one v2.1 token was issued at @issued_at for @lifetime. */
static void
ltm_test_add (LtmStore   *store,
              const char *channel_id,
              const char *name,
              const char *key_id,
              gint64      issued_at,
              gint64      lifetime)
{
  LtmLineToken token = { (char *) "not-a-real-token", lifetime, (char *) "Bearer",
                         (char *) key_id };
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  if (ltm_store_find_channel (store, channel_id) == NULL)
    {
      ltm_store_add_channel (store, channel_id, name, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  stored = ltm_store_add_token (store, channel_id, LTM_TOKEN_KIND_V21, &token, issued_at, &error);
  g_assert_no_error (error);
}

/* Nothing due: nothing said; one due: said once, in days rounded up. */
static void
test_one_channel (void)
{
  g_autoptr(LtmStore) store = ltm_test_store_new ();
  g_autoptr(LtmReminder) reminder = ltm_reminder_new (store);
  g_autoptr(LtmReminderNote) note = NULL;
  g_autoptr(LtmReminderNote) again = NULL;
  g_autoptr(GNotification) notification = NULL;
  gboolean any = TRUE;

  ltm_test_add (store, "1000000001", "Shop", "k1", T0, 30 * DAY);

  /* 10 days left, warning at 7: quiet. */
  g_assert_null (ltm_reminder_check (reminder, T0 + 20 * DAY, 7 * DAY, &any));
  g_assert_false (any);

  /* 6.5 days left. */
  note = ltm_reminder_check (reminder, T0 + 23 * DAY + DAY / 2, 7 * DAY, &any);
  g_assert_nonnull (note);
  g_assert_true (any);
  g_assert_cmpstr (note->title, ==, "The token of “Shop” expires within 7 days");
  g_assert_nonnull (strstr (note->body, "Rotate it"));
  g_assert_cmpuint (g_strv_length (note->channel_ids), ==, 1);
  g_assert_cmpstr (note->channel_ids[0], ==, "1000000001");
  notification = ltm_reminder_note_to_notification (note);
  g_assert_true (G_IS_NOTIFICATION (notification));

  /* Four hours later: still due, but already said. */
  again = ltm_reminder_check (reminder, T0 + 23 * DAY + DAY / 2 + 4 * 60 * 60, 7 * DAY, &any);
  g_assert_null (again);
  g_assert_true (any);
}

/* An expired token is said once more, as expired; a rotated channel is
 * quiet again. */
static void
test_expired_then_rotated (void)
{
  g_autoptr(LtmStore) store = ltm_test_store_new ();
  g_autoptr(LtmReminder) reminder = ltm_reminder_new (store);
  g_autoptr(LtmReminderNote) soon = NULL;
  g_autoptr(LtmReminderNote) expired = NULL;
  gboolean any = FALSE;

  ltm_test_add (store, "1000000002", NULL, "k1", T0, 30 * DAY);

  soon = ltm_reminder_check (reminder, T0 + 29 * DAY, 7 * DAY, NULL);
  g_assert_nonnull (soon);
  /* Without a name, the channel ID; a day means "1 day". */
  g_assert_cmpstr (soon->title, ==, "The token of “1000000002” expires within 1 day");

  expired = ltm_reminder_check (reminder, T0 + 31 * DAY, 7 * DAY, NULL);
  g_assert_nonnull (expired);
  g_assert_cmpstr (expired->title, ==, "The token of “1000000002” has expired");

  /* A new token, 30 days from now. */
  ltm_test_add (store, "1000000002", NULL, "k2", T0 + 31 * DAY, 30 * DAY);
  g_assert_null (ltm_reminder_check (reminder, T0 + 31 * DAY, 7 * DAY, &any));
  g_assert_false (any);
}

/* Several channels due at once: one notification naming them. */
static void
test_several_channels (void)
{
  g_autoptr(LtmStore) store = ltm_test_store_new ();
  g_autoptr(LtmReminder) reminder = ltm_reminder_new (store);
  g_autoptr(LtmReminderNote) note = NULL;
  g_autoptr(LtmReminderNote) later = NULL;

  ltm_test_add (store, "1000000003", "Alpha", "k1", T0, 30 * DAY);
  ltm_test_add (store, "1000000004", "Beta", "k1", T0 + DAY, 30 * DAY);
  ltm_test_add (store, "1000000005", "Gamma", "k1", T0 + 20 * DAY, 30 * DAY);

  note = ltm_reminder_check (reminder, T0 + 25 * DAY, 7 * DAY, NULL);
  g_assert_nonnull (note);
  g_assert_cmpstr (note->title, ==, "Tokens of 2 channels expire soon");
  g_assert_nonnull (strstr (note->body, "Alpha"));
  g_assert_nonnull (strstr (note->body, "Beta"));
  g_assert_null (strstr (note->body, "Gamma"));
  g_assert_cmpuint (g_strv_length (note->channel_ids), ==, 2);

  /* Two days later: nothing new. */
  g_assert_null (ltm_reminder_check (reminder, T0 + 27 * DAY, 7 * DAY, NULL));

  /* Gamma comes due; Alpha and Beta have expired since, which is news too. */
  later = ltm_reminder_check (reminder, T0 + 44 * DAY, 7 * DAY, NULL);
  g_assert_nonnull (later);
  g_assert_cmpuint (g_strv_length (later->channel_ids), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) later->channel_ids, "1000000005"));
}

/* A failed delivery is said once, in words, with what failed; a later
 * failure is said again. */
static void
test_deploy_failed (void)
{
  g_autoptr(LtmStore) store = ltm_test_store_new ();
  g_autoptr(LtmReminder) reminder = ltm_reminder_new (store);
  g_autoptr(LtmReminderNote) note = NULL;
  g_autoptr(LtmReminderNote) again = NULL;
  g_autoptr(LtmReminderNote) later = NULL;
  g_autoptr(GError) error = NULL;
  gboolean any = FALSE;

  ltm_test_add (store, "1000000001", "Shop", "k1", T0, 30 * DAY);
  g_assert_true (ltm_store_set_delivery (store, "1000000001", LTM_DELIVERY_FAILED, T0 + DAY,
                                         "The deploy command failed (exit status 3): no", &error));
  g_assert_no_error (error);

  /* Not due for expiry: said because the delivery failed. */
  note = ltm_reminder_check (reminder, T0 + DAY, 7 * DAY, &any);
  g_assert_nonnull (note);
  g_assert_true (any);
  g_assert_cmpstr (note->title, ==, "Deploy failed for “Shop”");
  g_assert_nonnull (strstr (note->body, "delivering it failed: The deploy command failed "
                                        "(exit status 3): no"));
  g_assert_cmpstr (note->channel_ids[0], ==, "1000000001");

  again = ltm_reminder_check (reminder, T0 + DAY + 1, 7 * DAY, &any);
  g_assert_null (again);
  g_assert_true (any);

  g_assert_true (ltm_store_set_delivery (store, "1000000001", LTM_DELIVERY_FAILED, T0 + 2 * DAY,
                                         "again", &error));
  later = ltm_reminder_check (reminder, T0 + 2 * DAY, 7 * DAY, &any);
  g_assert_nonnull (later);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ltm_test_use_file_keyring ();

  g_test_add_func ("/reminder/one-channel", test_one_channel);
  g_test_add_func ("/reminder/expired-then-rotated", test_expired_then_rotated);
  g_test_add_func ("/reminder/several-channels", test_several_channels);

  g_test_add_func ("/reminder/deploy-failed", test_deploy_failed);

  return g_test_run ();
}
