/* test-gui-jwt.c: the JWT page, driven in the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-store.h"
#include "ltm-test-gui.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define OTHER_CHANNEL "2345678901"
#define KID "8c4e1f2a-93b7-4d6e-a1c0-5f2e7d9b3a61"
#define DAY (24 * 60 * 60)

static gint64
ltm_test_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Each test starts from an empty store (keyring included). */
static void
ltm_test_remove_channels (void)
{
  const char *channels[] = { CHANNEL, OTHER_CHANNEL };

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_auto(LtmTestRun) run = { 0 };
      const char * const args[] = { "channel", "remove", channels[i], NULL };

      ltm_test_run_ltm (&run, NULL, NULL, args);
    }
}

static void
ltm_test_add_channel (const char *channel_id,
                      const char *kid,
                      gboolean    with_key)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "channel");
  g_ptr_array_add (args, (char *) "add");
  g_ptr_array_add (args, (char *) channel_id);
  g_ptr_array_add (args, (char *) "--name");
  g_ptr_array_add (args, (char *) "Test");
  if (with_key)
    g_ptr_array_add (args, (char *) "--generate-key");
  if (kid != NULL)
    {
      g_ptr_array_add (args, (char *) "--kid");
      g_ptr_array_add (args, (char *) kid);
    }
  g_ptr_array_add (args, NULL);

  ltm_test_run_ltm (&run, NULL, NULL, (const char * const *) args->pdata);
  g_assert_cmpint (run.status, ==, 0);
}

static GtkSpinButton *
ltm_test_find_spin (LtmWindow  *window,
                    const char *label)
{
  GtkWidget *spin = ltm_test_gui_find_labelled (GTK_WIDGET (window), label);

  g_assert_true (GTK_IS_SPIN_BUTTON (spin));
  return GTK_SPIN_BUTTON (spin);
}

static int
ltm_test_spin_value (LtmWindow  *window,
                     const char *label)
{
  return gtk_spin_button_get_value_as_int (ltm_test_find_spin (window, label));
}

static const char *
ltm_test_row_subtitle (LtmWindow  *window,
                       const char *title)
{
  GtkWidget *row = ltm_test_gui_find_row (GTK_WIDGET (window), title);

  g_assert_true (ADW_IS_ACTION_ROW (row));
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Presses Create JWT, then Copy JWT: returns the JWT the clipboard got,
 * after checking that it is what the page shows. */
static char *
ltm_test_create_and_copy (LtmWindow *window)
{
  g_autofree char *copied = NULL;

  g_assert_null (ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Copy JWT"));
  ltm_test_gui_click (GTK_WIDGET (window), "Create JWT");
  ltm_test_gui_wait_until (ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Copy JWT") != NULL);

  ltm_test_gui_click (GTK_WIDGET (window), "Copy JWT");
  ltm_test_gui_wait_for_toast (window, "JWT copied");
  copied = ltm_test_gui_read_clipboard (GTK_WIDGET (window));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), copied));

  return g_steal_pointer (&copied);
}

static char *
ltm_test_format_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, TRUE);
}

/* The JWT says what it should, and the page shows its decoded parts. */
static LtmJwt *
ltm_test_check_jwt (LtmWindow  *window,
                    const char *compact,
                    gint64      before,
                    gint64      after,
                    gint64      lifetime,
                    gint64      token_lifetime)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmJwt) jwt = ltm_jwt_decode (compact, &error);
  g_autofree char *header_text = NULL;
  g_autofree char *payload_text = NULL;
  JsonObject *header;
  JsonObject *payload;
  gint64 exp;
  gint64 token_exp;

  g_assert_no_error (error);
  header = ltm_jwt_get_header (jwt);
  payload = ltm_jwt_get_payload (jwt);

  g_assert_cmpstr (ltm_json_object_get_string (header, "alg"), ==, "RS256");
  g_assert_cmpstr (ltm_json_object_get_string (header, "kid"), ==, KID);
  g_assert_cmpstr (ltm_json_object_get_string (payload, "iss"), ==, CHANNEL);
  g_assert_cmpstr (ltm_json_object_get_string (payload, "sub"), ==, CHANNEL);
  g_assert_cmpstr (ltm_json_object_get_string (payload, "aud"), ==, "https://api.line.me/");
  g_assert_true (ltm_json_object_get_int (payload, "exp", &exp));
  g_assert_cmpint (exp, >=, before + lifetime);
  g_assert_cmpint (exp, <=, after + lifetime);
  g_assert_true (ltm_json_object_get_int (payload, "token_exp", &token_exp));
  g_assert_cmpint (token_exp, ==, token_lifetime);

  header_text = ltm_test_format_json (header);
  payload_text = ltm_test_format_json (payload);
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), header_text));
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (window), payload_text));

  g_assert_cmpstr (ltm_test_row_subtitle (window, "Signature"), ==,
                   "The signature verifies with the channel’s key.");
  /* What was checked here, and what only LINE can check. */
  g_assert_cmpstr (ltm_test_row_subtitle (window, "LINE’s Rules"), ==,
                   "The claims follow LINE’s rules.");
  g_assert_cmpstr (ltm_test_row_subtitle (window, "Registered kid"), ==,
                   "Not checked here: only LINE knows whether it registered the kid " KID
                   " for this channel. Issuing a token tells.");
  g_assert_cmpstr (ltm_test_row_subtitle (window, "Issuer and Subject (iss, sub)"), ==,
                   CHANNEL ", this channel’s ID");

  return g_steal_pointer (&jwt);
}

/* Create JWT with the token lifetime of Preferences: the JWT the page shows
 * and copies is signed by the channel's key, for the channel, with its kid. */
static void
test_create_body (LtmWindow     *window,
                  gconstpointer  data)
{
  GSettings *settings = ltm_application_get_settings (ltm_application_get_default ());
  g_auto(LtmTestRun) show = { 0 };
  const char * const show_args[] = { "--json", "channel", "show", CHANNEL, NULL };
  g_autoptr(LtmStore) store = ltm_store_new (NULL);
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  g_autoptr(JsonObject) channel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *compact = NULL;
  gint64 before;
  gint64 after;

  ltm_test_gui_show_page (window, "jwt");

  /* The defaults: LINE's longest JWT, the token lifetime of Preferences. */
  g_assert_cmpint (ltm_test_spin_value (window, "JWT lifetime in minutes"), ==, 30);
  g_settings_set_uint (settings, "token-lifetime-days", 12);
  g_assert_cmpint (ltm_test_spin_value (window, "Token lifetime in days"), ==, 12);

  /* Nothing explains a missing key or kid: nothing is missing. */
  g_assert_null (ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Go to Key Page"));

  before = ltm_test_now ();
  compact = ltm_test_create_and_copy (window);
  after = ltm_test_now ();
  jwt = ltm_test_check_jwt (window, compact, before, after, 30 * 60, 12 * DAY);

  /* The stored key, the channel's (same thumbprint), verifies it. */
  g_assert_true (ltm_store_load (store, &error));
  g_assert_no_error (error);
  key = ltm_store_get_key (store, CHANNEL, &error);
  g_assert_no_error (error);
  ltm_test_run_ltm (&show, NULL, NULL, show_args);
  g_assert_cmpint (show.status, ==, 0);
  channel = ltm_test_parse_object (show.out);
  g_assert_cmpstr (ltm_key_get_thumbprint (key), ==,
                   ltm_json_object_get_string (channel, "key_thumbprint"));
  g_assert_true (ltm_jwt_verify_signature (jwt, key, &error));
  g_assert_no_error (error);

  /* The claims in words. */
  g_assert_cmpstr (ltm_test_row_subtitle (window, "Audience (aud)"), ==,
                   "https://api.line.me/, LINE’s API");
  g_assert_cmpstr (ltm_test_row_subtitle (window, "Requested Token Lifetime (token_exp)"), ==,
                   "12 days (1036800 seconds)");
  g_assert_true (g_str_has_prefix (ltm_test_row_subtitle (window, "Expiry"), "Expires in "));

  /* Settings live as long as the process: the next test starts afresh. */
  g_settings_reset (settings, "token-lifetime-days");
}

static void
test_create (void)
{
  ltm_test_remove_channels ();
  ltm_test_add_channel (CHANNEL, KID, TRUE);
  ltm_test_gui_run (test_create_body, NULL);
}

/* 5 minutes and 7 days go into exp and token_exp; `ltm jwt verify` with
 * the key file the channel was made from accepts the result. */
static void
test_lifetimes_body (LtmWindow     *window,
                     gconstpointer  data)
{
  const char *key_path = data;
  g_auto(LtmTestRun) verify = { 0 };
  const char * const verify_args[] = { "jwt", "verify", "--key", key_path, "-", NULL };
  g_autoptr(LtmJwt) jwt = NULL;
  g_autofree char *compact = NULL;
  gint64 before;
  gint64 after;

  ltm_test_gui_show_page (window, "jwt");

  gtk_spin_button_set_value (ltm_test_find_spin (window, "JWT lifetime in minutes"), 5);
  gtk_spin_button_set_value (ltm_test_find_spin (window, "Token lifetime in days"), 7);

  before = ltm_test_now ();
  compact = ltm_test_create_and_copy (window);
  after = ltm_test_now ();
  jwt = ltm_test_check_jwt (window, compact, before, after, 5 * 60, 7 * DAY);
  g_assert_cmpstr (ltm_test_row_subtitle (window, "Requested Token Lifetime (token_exp)"), ==,
                   "7 days (604800 seconds)");

  ltm_test_run_ltm (&verify, compact, NULL, verify_args);
  g_assert_cmpint (verify.status, ==, 0);

  /* LINE's limits are the spin buttons' limits. */
  gtk_spin_button_set_value (ltm_test_find_spin (window, "JWT lifetime in minutes"), 31);
  g_assert_cmpint (ltm_test_spin_value (window, "JWT lifetime in minutes"), ==, 30);
  gtk_spin_button_set_value (ltm_test_find_spin (window, "Token lifetime in days"), 31);
  g_assert_cmpint (ltm_test_spin_value (window, "Token lifetime in days"), ==, 30);
}

static void
test_lifetimes (void)
{
  g_autofree char *key_path = g_build_filename (ltm_test_get_tmp_dir (), "jwt-page-key.json",
                                                NULL);
  g_auto(LtmTestRun) generate = { 0 };
  g_auto(LtmTestRun) add = { 0 };
  const char * const generate_args[] = { "key", "generate", "-o", key_path, NULL };
  const char * const add_args[] = { "channel", "add", CHANNEL, "--name", "Test",
                                    "--kid", KID, "--key", key_path, NULL };

  ltm_test_remove_channels ();
  ltm_test_run_ltm (&generate, NULL, NULL, generate_args);
  g_assert_cmpint (generate.status, ==, 0);
  ltm_test_run_ltm (&add, NULL, NULL, add_args);
  g_assert_cmpint (add.status, ==, 0);

  ltm_test_gui_run (test_lifetimes_body, key_path);
}

static void
ltm_test_assert_create_disabled (LtmWindow  *window,
                                 const char *missing)
{
  GtkWidget *create;

  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window), missing) != NULL);
  create = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Create JWT");
  g_assert_false (gtk_widget_is_sensitive (create));
  ltm_test_gui_find_labelled (GTK_WIDGET (window), "Go to Key Page");
}

/* Without a kid, or without a key, Create JWT is disabled, the page says
 * what is missing and Go to Key Page goes there. */
static void
test_missing_body (LtmWindow     *window,
                   gconstpointer  data)
{
  AdwViewStack *stack = ADW_VIEW_STACK (ltm_test_gui_find_type (GTK_WIDGET (window),
                                                                ADW_TYPE_VIEW_STACK));

  ltm_test_gui_show_page (window, "jwt");

  g_assert_true (ltm_window_show_channel (window, CHANNEL));
  ltm_test_assert_create_disabled (window, "The channel has no kid");
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window),
                                         "The channel has no assertion signing key"));

  g_assert_true (ltm_window_show_channel (window, OTHER_CHANNEL));
  ltm_test_assert_create_disabled (window, "The channel has no assertion signing key");
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window), "The channel has no kid"));

  ltm_test_gui_click (GTK_WIDGET (window), "Go to Key Page");
  ltm_test_gui_wait_until (g_strcmp0 (adw_view_stack_get_visible_child_name (stack), "key") == 0);
}

static void
test_missing (void)
{
  ltm_test_remove_channels ();
  ltm_test_add_channel (CHANNEL, NULL, TRUE);
  ltm_test_add_channel (OTHER_CHANNEL, NULL, FALSE);
  ltm_test_gui_run (test_missing_body, NULL);
}

/* A JWT belongs to its channel: choosing another one drops it. */
static void
test_channel_change_body (LtmWindow     *window,
                          gconstpointer  data)
{
  g_autofree char *compact = NULL;

  ltm_test_gui_show_page (window, "jwt");
  g_assert_true (ltm_window_show_channel (window, CHANNEL));
  compact = ltm_test_create_and_copy (window);

  g_assert_true (ltm_window_show_channel (window, OTHER_CHANNEL));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window), compact) == NULL);
  g_assert_null (ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Copy JWT"));

  g_assert_true (ltm_window_show_channel (window, CHANNEL));
  ltm_test_gui_iterate ();
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window), compact));
  g_assert_null (ltm_test_gui_lookup_labelled (GTK_WIDGET (window), "Copy JWT"));
}

static void
test_channel_change (void)
{
  ltm_test_remove_channels ();
  ltm_test_add_channel (CHANNEL, KID, TRUE);
  ltm_test_add_channel (OTHER_CHANNEL, KID, TRUE);
  ltm_test_gui_run (test_channel_change_body, NULL);
}

/* The expiry counts down while the page is shown. */
static void
test_countdown_body (LtmWindow     *window,
                     gconstpointer  data)
{
  g_autofree char *compact = NULL;
  g_autofree char *first = NULL;

  ltm_test_gui_show_page (window, "jwt");
  gtk_spin_button_set_value (ltm_test_find_spin (window, "JWT lifetime in minutes"), 1);
  compact = ltm_test_create_and_copy (window);

  first = g_strdup (ltm_test_row_subtitle (window, "Expiry"));
  g_assert_true (g_str_has_prefix (first, "Expires in "));
  g_assert_true (g_str_has_suffix (first, " seconds"));

  ltm_test_gui_wait_until (g_strcmp0 (ltm_test_row_subtitle (window, "Expiry"), first) != 0);
  g_assert_true (g_str_has_prefix (ltm_test_row_subtitle (window, "Expiry"), "Expires in "));
  g_assert_cmpstr (ltm_test_row_subtitle (window, "LINE’s Rules"), ==,
                   "The claims follow LINE’s rules.");
}

static void
test_countdown (void)
{
  ltm_test_remove_channels ();
  ltm_test_add_channel (CHANNEL, KID, TRUE);
  ltm_test_gui_run (test_countdown_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/jwt/create", test_create);
  g_test_add_func ("/gui/jwt/lifetimes", test_lifetimes);
  g_test_add_func ("/gui/jwt/missing", test_missing);
  g_test_add_func ("/gui/jwt/channel-change", test_channel_change);
  g_test_add_func ("/gui/jwt/countdown", test_countdown);

  return g_test_run ();
}
