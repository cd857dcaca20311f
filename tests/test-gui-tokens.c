/* test-gui-tokens.c: the Tokens page, driven in the real window against
 * the LINE-compatible test server in this process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ltm-activity.h"
#include "ltm-store.h"
#include "ltm-test-gui.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"

#define CHANNEL "1234567890"
#define SECRET "0123456789abcdef0123456789abcdef"
#define DAY (24 * 60 * 60)

typedef enum {
  SETUP_KEY = 1 << 0,           /* a key made straight into the keyring */
  SETUP_KID = 1 << 1,           /* its public key registered, the kid stored */
  SETUP_SECRET = 1 << 2,        /* the channel secret stored */
  SETUP_WRONG_KID = 1 << 3,     /* a kid the server does not know */
} SetupFlags;

typedef struct {
  LtmTestServer *server;
  char *kid;
} Fixture;

/* Runs `ltm` against the fixture's server; @input goes to its stdin. */
static void
run_ltmv (Fixture            *fixture,
          LtmTestRun         *run,
          const char         *input,
          const char * const *args)
{
  const char * const env[] = { "LTM_API_BASE", ltm_test_server_get_base_url (fixture->server),
                               NULL };

  ltm_test_run_ltm (run, input, env, args);
}

#define run_ltm(fixture, run, input, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    run_ltmv (fixture, run, input, run_args); \
  } G_STMT_END

static char *
public_jwk_from_store (void)
{
  g_autoptr(LtmStore) store = ltm_store_new (NULL);
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ltm_store_load (store, &error));
  g_assert_no_error (error);
  key = ltm_store_get_key (store, CHANNEL, &error);
  g_assert_no_error (error);

  return ltm_key_to_public_jwk (key);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  SetupFlags flags = GPOINTER_TO_UINT (data);
  g_autofree char *secret_file = g_build_filename (ltm_test_get_tmp_dir (), "secret", NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) add = NULL;
  g_auto(LtmTestRun) run = { 0 };

  fixture->server = ltm_test_server_new (LTM_TEST_SERVER_PLAIN, &error);
  g_assert_no_error (error);
  ltm_test_server_add_channel (fixture->server, CHANNEL, SECRET);
  /* The window's client is made per run, from this. */
  g_setenv ("LTM_API_BASE", ltm_test_server_get_base_url (fixture->server), TRUE);

  ltm_test_remove_store ();
  g_assert_true (g_file_set_contents (secret_file, SECRET "\n", -1, NULL));

  g_strv_builder_add_many (builder, "channel", "add", CHANNEL, "--name", "Tokens Test", NULL);
  if (flags & SETUP_KEY)
    g_strv_builder_add (builder, "--generate-key");
  if (flags & SETUP_SECRET)
    g_strv_builder_add_many (builder, "--secret-file", secret_file, NULL);
  add = g_strv_builder_end (builder);
  run_ltmv (fixture, &run, NULL, (const char * const *) add);
  g_assert_cmpint (run.status, ==, 0);
  g_unlink (secret_file);

  if (flags & SETUP_KID)
    {
      g_autofree char *jwk = public_jwk_from_store ();
      g_auto(LtmTestRun) set = { 0 };

      /* The console's step: the public key in, the kid out. */
      fixture->kid = ltm_test_server_register_key (fixture->server, CHANNEL, jwk, &error);
      g_assert_no_error (error);
      run_ltm (fixture, &set, NULL, "channel", "set", CHANNEL, "--kid",
               (flags & SETUP_WRONG_KID) ? "not-a-kid-the-server-knows" : fixture->kid);
      g_assert_cmpint (set.status, ==, 0);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(LtmTestRun) run = { 0 };

  /* Its secrets go from the keyring too. */
  run_ltm (fixture, &run, NULL, "channel", "remove", CHANNEL);
  g_assert_cmpint (run.status, ==, 0);

  g_unsetenv ("LTM_API_BASE");
  g_free (fixture->kid);
  g_assert_finalize_object (fixture->server);
}

/* Issues a v2.1 token with `ltm`, which keeps it; returns its key_id. */
static char *
issue_with_ltm (Fixture *fixture)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  run_ltm (fixture, &run, NULL, "--json", "token", "issue", "--channel", CHANNEL);
  g_assert_cmpint (run.status, ==, 0);
  answer = ltm_test_parse_object (run.out);

  return g_strdup (json_object_get_string_member (answer, "key_id"));
}

/* What `ltm token list --json` says of the channel's token @key_id, or
 * NULL when it lists no such token; also counts them all. */
static JsonObject *
listed_token (Fixture    *fixture,
              const char *key_id,
              guint      *out_count)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autoptr(JsonObject) list = NULL;
  JsonArray *tokens;

  run_ltm (fixture, &run, NULL, "--json", "token", "list", "--channel", CHANNEL);
  g_assert_cmpint (run.status, ==, 0);
  list = ltm_test_parse_object (run.out);
  tokens = json_object_get_array_member (list, "tokens");

  if (out_count != NULL)
    *out_count = json_array_get_length (tokens);

  for (guint i = 0; i < json_array_get_length (tokens); i++)
    {
      JsonObject *token = json_array_get_object_element (tokens, i);

      if (g_strcmp0 (json_object_get_string_member (token, "key_id"), key_id) == 0)
        return json_object_ref (token);
    }

  return NULL;
}

static const char *
listed_status (Fixture    *fixture,
               const char *key_id)
{
  g_autoptr(JsonObject) token = listed_token (fixture, key_id, NULL);
  static char status[32];

  g_assert_nonnull (token);
  g_strlcpy (status, json_object_get_string_member (token, "status"), sizeof status);

  return status;
}

/* Whether LINE (the server) takes @token: `ltm token verify` says so. */
static gboolean
server_accepts (Fixture    *fixture,
                const char *token,
                gboolean    short_lived)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autofree char *input = g_strconcat (token, "\n", NULL);

  if (short_lived)
    run_ltm (fixture, &run, input, "token", "verify", "--short-lived", "-");
  else
    run_ltm (fixture, &run, input, "token", "verify", "-");

  return run.status == 0 && strstr (run.out, CHANNEL) != NULL;
}

static gboolean
match_label_part (GtkWidget  *widget,
                  const char *part)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL;
}

/* A shown label under @root whose text contains @part, or NULL. */
static GtkWidget *
find_text_part (GtkWidget  *root,
                const char *part)
{
  if (match_label_part (root, part))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text_part (child, part);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Shows the Tokens page; returns its activity. */
static LtmActivity *
show_tokens_page (LtmWindow *window)
{
  return ltm_test_gui_get_activity (ltm_test_gui_show_page (window, "tokens"));
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static guint
count_tokens (LtmWindow *window)
{
  return g_list_model_get_n_items (ltm_channel_get_tokens (ltm_window_get_channel (window)));
}

static void
respond_and_wait (AdwMessageDialog *dialog,
                  const char       *response)
{
  ltm_test_gui_respond (dialog, response);
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
}

/* Without a key, nothing can be issued: Issue Token is there but disabled,
 * the page says why, and Go to Key Page goes there. */
static void
test_needs_key_body (LtmWindow     *window,
                     gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (window);
  AdwViewStack *view_stack = ADW_VIEW_STACK (ltm_test_gui_find_type (root, ADW_TYPE_VIEW_STACK));

  show_tokens_page (window);
  g_assert_nonnull (ltm_test_gui_find_text (root, "No Tokens Yet"));
  g_assert_nonnull (ltm_test_gui_find_text (root, "The Channel Needs a Key and Its Kid"));
  g_assert_false (ltm_test_gui_is_enabled (root, "Issue Token"));
  g_assert_false (ltm_test_gui_is_enabled (root, "Rotate Token"));
  g_assert_false (ltm_test_gui_is_enabled (root, "Sync with LINE"));
  g_assert_false (ltm_test_gui_is_enabled (root, "Copy as Environment Variables"));
  /* The channel secret is enough for these two. */
  g_assert_true (ltm_test_gui_is_enabled (root, "Issue Stateless Token"));
  g_assert_true (ltm_test_gui_is_enabled (root, "Issue Short-Lived Token"));

  ltm_test_gui_click (root, "Go to Key Page");
  ltm_test_gui_wait_until (g_strcmp0 (adw_view_stack_get_visible_child_name (view_stack),
                                      "key") == 0);
}

static void
test_needs_key (Fixture       *fixture,
                gconstpointer  data)
{
  ltm_test_gui_run (test_needs_key_body, fixture);
}

/* The issue's flow: Issue Token, the list and `ltm` show it, Copy Token
 * gives a token LINE takes, Verify Token says so, Revoke Token asks first. */
static void
test_issue_flow_body (LtmWindow     *window,
                      gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  GSettings *settings = ltm_application_get_settings (ltm_application_get_default ());
  g_autoptr(LtmToken) token = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *tooltip = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *lifetime;
  const char *key_id;
  guint count;

  show_tokens_page (window);
  g_assert_nonnull (ltm_test_gui_find_text (root, "No Tokens Yet"));
  g_assert_null (ltm_test_gui_find_text (root, "The Channel Needs a Key and Its Kid"));

  /* The Preferences' lifetime to start with; then 20 days, well before
   * the expiry warning. */
  lifetime = ltm_test_gui_find_labelled (root, "Token Lifetime in Days");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (lifetime)), ==,
                     g_settings_get_uint (settings, "token-lifetime-days"));
  g_assert_cmpuint (g_settings_get_uint (settings, "token-lifetime-days"), !=, 20);
  g_assert_cmpuint (g_settings_get_uint (settings, "expiry-warning-days"), <, 20);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lifetime), 20);

  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  /* In the list, and in `ltm token list`. */
  g_assert_cmpuint (count_tokens (window), ==, 1);
  token = g_list_model_get_item (ltm_channel_get_tokens (ltm_window_get_channel (window)), 0);
  key_id = ltm_token_get_key_id (token);
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, key_id) != NULL);
  g_assert_nonnull (ltm_test_gui_find_text (root, "Valid"));
  g_assert_null (ltm_test_gui_find_text (root, "No Tokens Yet"));
  /* The string shown is said to be the key ID, not the token Copy copies;
   * Revoke is not a trash can. */
  g_assert_nonnull (ltm_test_gui_find_text (root, "Key ID"));
  tooltip = g_strdup_printf ("Copy the access token whose key ID is %s", key_id);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ltm_test_gui_find_labelled (root, "Copy Token")),
                   ==, tooltip);
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (ltm_test_gui_find_labelled (root,
                                                                                   "Revoke Token"))),
                   !=, "user-trash-symbolic");
  listed = listed_token (fixture, key_id, &count);
  g_assert_nonnull (listed);
  g_assert_cmpuint (count, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (listed, "kind"), ==, "v2.1");
  g_assert_cmpstr (json_object_get_string_member (listed, "status"), ==, "valid");
  g_assert_cmpint (json_object_get_int_member (listed, "expires_at") -
                   json_object_get_int_member (listed, "issued_at"), ==, 20 * DAY);

  /* Copy Token: LINE takes what is on the clipboard. */
  ltm_test_gui_click (root, "Copy Token");
  ltm_test_gui_wait_for_toast (window, "Token copied");
  copied = ltm_test_gui_read_clipboard (root);
  g_assert_true (server_accepts (fixture, copied, FALSE));

  /* Verify Token: LINE's answer on the row. */
  ltm_test_gui_click (root, "Verify Token");
  ltm_test_gui_wait_until (find_text_part (root, "Valid, expires in ") != NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (find_text_part (root,
                                                                           "Valid, expires in "))),
                            "days"));

  /* Revoke Token asks first; Cancel keeps the token. */
  ltm_test_gui_click (root, "Revoke Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Revoke the Token?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), key_id));
  /* The secret is stored: nothing to ask for. */
  g_assert_null (adw_message_dialog_get_extra_child (dialog));
  respond_and_wait (dialog, "cancel");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
  g_assert_true (server_accepts (fixture, copied, FALSE));
  g_assert_false (ltm_token_get_revoked (token));

  /* Revoke revokes it, at LINE and in the store. */
  ltm_test_gui_click (root, "Revoke Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  respond_and_wait (dialog, "revoke");
  ltm_test_gui_wait_for_toast (window, "Token revoked");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);
  g_assert_false (server_accepts (fixture, copied, FALSE));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, "Revoked") != NULL);
  g_assert_cmpstr (listed_status (fixture, key_id), ==, "revoked");
  /* No expiry for a revoked token. */
  g_assert_null (find_text_part (root, "Expires"));
  g_assert_nonnull (find_text_part (root, "Issued "));
  /* Nothing left to copy. */
  g_assert_false (ltm_test_gui_is_enabled (root, "Copy Token"));
}

static void
test_issue_flow (Fixture       *fixture,
                 gconstpointer  data)
{
  ltm_test_gui_run (test_issue_flow_body, fixture);
}

/* A token that expires within the Preferences' warning is marked so. */
static void
test_expiring_body (LtmWindow     *window,
                    gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (window);
  GSettings *settings = ltm_application_get_settings (ltm_application_get_default ());
  GtkWidget *lifetime;
  GtkWidget *status;

  show_tokens_page (window);
  lifetime = ltm_test_gui_find_labelled (root, "Token Lifetime in Days");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (lifetime),
                             g_settings_get_uint (settings, "expiry-warning-days"));
  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  ltm_test_gui_wait_until ((status = ltm_test_gui_find_text (root, "Expiring soon")) != NULL);
  g_assert_true (gtk_widget_has_css_class (status, "warning"));
  g_assert_null (ltm_test_gui_find_text (root, "Valid"));

  /* A shorter warning: the same token is valid again. */
  g_settings_set_uint (settings, "expiry-warning-days",
                       g_settings_get_uint (settings, "expiry-warning-days") - 1);
  ltm_test_gui_wait_until ((status = ltm_test_gui_find_text (root, "Valid")) != NULL);
  g_assert_false (gtk_widget_has_css_class (status, "warning"));
  g_settings_reset (settings, "expiry-warning-days");
}

static void
test_expiring (Fixture       *fixture,
               gconstpointer  data)
{
  ltm_test_gui_run (test_expiring_body, fixture);
}

/* Where @widget is in @window now, once its layout is done. */
static double
window_y (LtmWindow *window,
          GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  gint64 target = gdk_frame_clock_get_frame_counter (clock) + 2;
  graphene_point_t point;

  /* Two frames drawn from now: what was queued is laid out. */
  ltm_test_gui_wait_until ((gtk_widget_queue_draw (GTK_WIDGET (window)),
                            gdk_frame_clock_get_frame_counter (clock) >= target));
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  return point.y;
}

/* The failure shown in full, its slide over. */
static void
wait_for_failure_shown (LtmActivity *activity)
{
  GtkWidget *revealer = ltm_test_gui_find_type (GTK_WIDGET (activity), GTK_TYPE_REVEALER);

  ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL &&
                           gtk_revealer_get_child_revealed (GTK_REVEALER (revealer)));
}

/* A kid LINE does not know: LINE's own message, in view, moving nothing
 * under the pointer, and nothing stored; once the kid is corrected, the
 * message goes. */
static void
test_wrong_kid_body (LtmWindow     *window,
                     gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmActivity *activity = show_tokens_page (window);
  GtkWidget *issue = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Issue Token");
  GtkWidget *key_page;
  GtkWidget *kid_row;
  double issue_y = window_y (window, issue);
  guint count;

  ltm_test_gui_click (GTK_WIDGET (window), "Issue Token");
  wait_for_failure_shown (activity);
  g_assert_nonnull (strstr (ltm_activity_get_message (activity),
                            "Cannot find channel key that satisfies the conditions"));
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window),
                                                   "The token was not issued") != NULL);
  g_assert_cmpuint (count_tokens (window), ==, 0);
  g_assert_null (listed_token (fixture, NULL, &count));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpfloat (window_y (window, issue), ==, issue_y);

  /* The right kid, on the Key page: the refusal no longer holds. */
  key_page = ltm_test_gui_show_page (window, "key");
  kid_row = ltm_test_gui_find_row (key_page, "kid");
  g_assert_true (gtk_widget_grab_focus (kid_row));
  gtk_editable_set_text (GTK_EDITABLE (kid_row), fixture->kid);
  g_signal_emit_by_name (ltm_test_gui_find_type (kid_row, GTK_TYPE_TEXT), "activate");
  ltm_test_gui_wait_for_toast (window, "kid saved");
  show_tokens_page (window);
  g_assert_null (ltm_activity_get_message (activity));
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window), "The token was not issued"));
}

static void
test_wrong_kid (Fixture       *fixture,
                gconstpointer  data)
{
  ltm_test_gui_run (test_wrong_kid_body, fixture);
}

/* LINE failing (500) shows why; a stalled call is cancelled; neither
 * stores anything, and the page works again afterwards. */
static void
test_network_failure_body (LtmWindow     *window,
                           gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  LtmActivity *activity = show_tokens_page (window);
  guint count;

  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STATUS_500);
  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
  g_assert_nonnull (strstr (ltm_activity_get_message (activity), "Internal server error"));
  g_assert_cmpuint (count_tokens (window), ==, 0);

  /* Stalled: busy, the actions wait, Cancel ends it. */
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_STALL);
  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_until (ltm_activity_get_busy (activity));
  g_assert_false (ltm_test_gui_is_enabled (root, "Issue Token"));
  g_assert_false (ltm_test_gui_is_enabled (root, "Sync with LINE"));
  ltm_test_gui_click (root, "Cancel");
  ltm_test_gui_wait_until (!ltm_activity_get_busy (activity));
  g_assert_null (ltm_activity_get_message (activity));
  g_assert_cmpuint (count_tokens (window), ==, 0);
  g_assert_null (listed_token (fixture, NULL, &count));
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);

  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/token", LTM_TEST_FAULT_NONE);
  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  g_assert_cmpuint (count_tokens (window), ==, 1);
}

static void
test_network_failure (Fixture       *fixture,
                      gconstpointer  data)
{
  ltm_test_gui_run (test_network_failure_body, fixture);
}

/* No answer from LINE is not LINE's verdict: it says LINE was not
 * reached, and Try Again asks again. */
static void
test_verify_no_answer_body (LtmWindow     *window,
                            gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  LtmActivity *activity = show_tokens_page (window);
  g_autofree char *key_id = issue_with_ltm (fixture);

  ltm_test_gui_wait_until (count_tokens (window) == 1);
  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/verify", LTM_TEST_FAULT_RESET);
  ltm_test_gui_click (root, "Verify Token");
  ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
  g_assert_nonnull (strstr (ltm_activity_get_message (activity), "Could not reach 127.0.0.1"));
  /* shown once the card's revealer has drawn it, however slow the machine */
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, "LINE could not be reached") != NULL);
  g_assert_null (ltm_test_gui_find_text (root, "LINE did not verify the token"));

  ltm_test_server_set_fault (fixture->server, "/oauth2/v2.1/verify", LTM_TEST_FAULT_NONE);
  ltm_test_gui_click (root, "Try Again");
  ltm_test_gui_wait_until (find_text_part (root, "Valid, expires in") != NULL);
  g_assert_null (ltm_activity_get_message (activity));
}

static void
test_verify_no_answer (Fixture       *fixture,
                       gconstpointer  data)
{
  ltm_test_gui_run (test_verify_no_answer_body, fixture);
}

/* No channel secret stored: Revoke asks for it; LINE refuses a wrong one
 * (the token stays, the secret is not kept); the right one revokes the
 * token and is kept. */
static void
test_revoke_asks_secret_body (LtmWindow     *window,
                              gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  LtmActivity *activity = show_tokens_page (window);
  LtmChannel *channel = ltm_window_get_channel (window);
  g_autofree char *key_id = NULL;
  AdwMessageDialog *dialog;

  g_assert_false (ltm_channel_get_has_secret (channel));
  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  key_id = g_strdup (ltm_token_get_key_id (ltm_channel_get_newest_usable (channel, now ())));

  ltm_test_gui_click (root, "Revoke Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "channel secret"));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "revoke"));
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel Secret", "not-the-secret");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "revoke"));
  respond_and_wait (dialog, "revoke");
  ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
  g_assert_nonnull (strstr (ltm_activity_get_message (activity), "invalid client_secret"));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
  g_assert_cmpstr (listed_status (fixture, key_id), ==, "valid");
  g_assert_false (ltm_channel_get_has_secret (channel));

  ltm_test_gui_click (root, "Revoke Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_set_row_text (GTK_WIDGET (dialog), "Channel Secret", SECRET);
  respond_and_wait (dialog, "revoke");
  ltm_test_gui_wait_for_toast (window, "Token revoked");
  g_assert_null (ltm_activity_get_message (activity));
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 0);
  g_assert_cmpstr (listed_status (fixture, key_id), ==, "revoked");
  /* Kept, as the switch offered. */
  ltm_test_gui_wait_until (ltm_channel_get_has_secret (channel));
}

static void
test_revoke_asks_secret (Fixture       *fixture,
                         gconstpointer  data)
{
  ltm_test_gui_run (test_revoke_asks_secret_body, fixture);
}

/* 30 valid v2.1 tokens: the page warns, Issue stays enabled, and LINE's
 * refusal of the 31st shows. */
static void
test_limit_body (LtmWindow     *window,
                 gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (window);
  LtmActivity *activity = show_tokens_page (window);
  const char *warning = "LINE allows 30 valid v2.1 tokens per channel; "
                        "revoke one before issuing another";

  ltm_test_gui_wait_until (count_tokens (window) == 29);
  g_assert_null (ltm_test_gui_find_text (root, warning));

  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, warning) != NULL);

  ltm_test_gui_click (root, "Issue Token");
  ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
  g_assert_nonnull (strstr (ltm_activity_get_message (activity),
                            "The maximum number of access tokens has already been issued"));
  g_assert_cmpuint (count_tokens (window), ==, 30);
}

static void
test_limit (Fixture       *fixture,
            gconstpointer  data)
{
  for (guint i = 0; i < 29; i++)
    g_free (issue_with_ltm (fixture));

  ltm_test_gui_run (test_limit_body, fixture);
}

/* Copy as Environment Variables copies what `ltm token env` prints. */
static void
test_env_body (LtmWindow     *window,
               gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  g_auto(LtmTestRun) env = { 0 };
  g_autofree char *copied = NULL;
  gboolean with_secret = ltm_channel_get_has_secret (ltm_window_get_channel (window));

  show_tokens_page (window);
  ltm_test_gui_click (root, "Copy as Environment Variables");
  ltm_test_gui_wait_for_toast (window, with_secret
                                       ? "Environment variables copied"
                                       : "Token copied; no channel secret is stored for this "
                                         "channel");
  copied = ltm_test_gui_read_clipboard (root);

  run_ltm (fixture, &env, NULL, "token", "env", "--channel", CHANNEL);
  g_assert_cmpint (env.status, ==, 0);
  g_assert_cmpstr (copied, ==, env.out);
  g_assert_true (g_str_has_prefix (copied, "CHANNEL_ACCESS_TOKEN="));
  g_assert_true ((strstr (copied, "\nCHANNEL_SECRET=" SECRET "\n") != NULL) == with_secret);
}

static void
test_env (Fixture       *fixture,
          gconstpointer  data)
{
  g_free (issue_with_ltm (fixture));
  ltm_test_gui_run (test_env_body, fixture);
}

/* Sync with LINE: a token LINE no longer lists is marked revoked, one
 * issued elsewhere is counted. */
static void
test_sync_body (LtmWindow     *window,
                gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  LtmChannel *channel = ltm_window_get_channel (window);
  LtmToken *gone;
  LtmToken *kept;
  GtkWidget *report;
  g_autofree char *elsewhere_key_id = NULL;
  g_autofree char *elsewhere = NULL;
  g_autofree char *gone_key_id = NULL;
  g_autofree char *kept_key_id = NULL;

  show_tokens_page (window);
  gone_key_id = issue_with_ltm (fixture);
  kept_key_id = issue_with_ltm (fixture);
  ltm_test_gui_wait_until (count_tokens (window) == 2);
  gone = ltm_channel_find_token (channel, gone_key_id);
  kept = ltm_channel_find_token (channel, kept_key_id);

  g_assert_true (ltm_test_server_revoke_key_id (fixture->server, CHANNEL, gone_key_id));
  elsewhere = ltm_test_server_issue_token_elsewhere (fixture->server, CHANNEL, DAY,
                                                     &elsewhere_key_id);
  g_assert_nonnull (elsewhere);

  ltm_test_gui_click (root, "Sync with LINE");
  ltm_test_gui_wait_for_toast (window, "Synced with LINE");
  g_assert_true (ltm_token_get_revoked (gone));
  g_assert_false (ltm_token_get_revoked (kept));
  g_assert_cmpstr (listed_status (fixture, gone_key_id), ==, "revoked");
  g_assert_cmpstr (listed_status (fixture, kept_key_id), ==, "valid");

  report = find_text_part (root, "Stored and valid at LINE: ");
  g_assert_nonnull (report);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (report)), ==,
                   "Stored and valid at LINE: 1. Gone at LINE, marked revoked: 1. "
                   "Issued elsewhere, not stored: 1. Valid at LINE: 2 of 30.");
}

static void
test_sync (Fixture       *fixture,
           gconstpointer  data)
{
  ltm_test_gui_run (test_sync_body, fixture);
}

/* The label of the item of @model (and its sections) that runs @action. */
static char *
menu_label (GMenuModel *model,
            const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *item_action = NULL;
      char *label = NULL;

      if (section != NULL && (label = menu_label (section, action)) != NULL)
        return label;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &item_action) &&
          g_strcmp0 (item_action, action) == 0 &&
          g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        return label;
    }

  return NULL;
}

/* Rotate Token asks first (Cancel changes nothing); then a new token
 * stored and valid; with no deploy target the old one stays valid at LINE,
 * replaced (the bot may still use it). */
static void
test_rotate_body (LtmWindow     *window,
                  gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmChannel *channel = ltm_window_get_channel (window);
  g_autofree char *old_key_id = issue_with_ltm (fixture);
  g_autofree char *item = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *menu_button;
  GtkWidget *revoke_switch;
  GtkWidget *report;
  LtmActivity *activity;
  LtmToken *newest;

  activity = show_tokens_page (window);
  ltm_test_gui_wait_until (count_tokens (window) == 1);

  /* The menu item says that more follows (the menu is built when it opens). */
  menu_button = ltm_test_gui_find_labelled (GTK_WIDGET (window), "Channel Menu");
  g_assert_null (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)));
  gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
  item = menu_label (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)),
                     "win.rotate-channel");
  g_assert_cmpstr (item, ==, "Ro_tate Token…");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));

  /* Cancel changes nothing. */
  ltm_test_gui_click (GTK_WIDGET (window), "Rotate Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Rotate the Token?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "no deploy target"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  ltm_test_gui_respond (dialog, "cancel");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_cmpuint (count_tokens (window), ==, 1);
  g_assert_cmpstr (listed_status (fixture, old_key_id), ==, "valid");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  /* The channel menu asks the same; the old tokens stay unless asked. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.rotate-channel", NULL);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  revoke_switch = ltm_test_gui_find_labelled (GTK_WIDGET (dialog), "Revoke the old tokens now");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (revoke_switch)));
  respond_and_wait (dialog, "rotate");
  ltm_test_gui_wait_for_toast (window, "Token rotated");
  g_assert_cmpuint (count_tokens (window), ==, 2);
  g_assert_cmpstr (listed_status (fixture, old_key_id), ==, "valid");
  g_assert_cmpint (ltm_token_get_retirement (ltm_channel_find_token (channel, old_key_id)), ==,
                   LTM_TOKEN_RETIREMENT_REPLACED);
  newest = ltm_channel_get_newest_usable (channel, now ());
  g_assert_nonnull (newest);
  g_assert_cmpstr (ltm_token_get_key_id (newest), !=, old_key_id);
  g_assert_cmpstr (listed_status (fixture, ltm_token_get_key_id (newest)), ==, "valid");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 2);
  /* What the rotation did, in words, on the page. */
  report = find_text_part (GTK_WIDGET (window), "New token ");
  g_assert_nonnull (report);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (report)),
                            ltm_token_get_key_id (newest)));

  /* Asked to: both replaced tokens are revoked now. */
  ltm_test_gui_click (GTK_WIDGET (window), "Rotate Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  revoke_switch = ltm_test_gui_find_labelled (GTK_WIDGET (dialog), "Revoke the old tokens now");
  gtk_switch_set_active (GTK_SWITCH (revoke_switch), TRUE);
  respond_and_wait (dialog, "rotate");
  ltm_test_gui_wait_until (count_tokens (window) == 3);
  /* The rotation ends once both replaced tokens are revoked. */
  ltm_test_gui_wait_until (!ltm_activity_get_busy (activity));
  g_assert_cmpstr (listed_status (fixture, old_key_id), ==, "revoked");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);
}

static void
test_rotate (Fixture       *fixture,
             gconstpointer  data)
{
  ltm_test_gui_run (test_rotate_body, fixture);
}

/* The Deploy group: every control named; a command set there gets the
 * new token when Rotate Token runs, the old one is revoked, and the last
 * delivery is shown. */
static void
test_deploy_body (LtmWindow     *window,
                  gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  LtmChannel *channel = ltm_window_get_channel (window);
  g_autofree char *old_key_id = issue_with_ltm (fixture);
  g_autofree char *got = g_build_filename (ltm_test_get_tmp_dir (), "deployed-token", NULL);
  g_autofree char *command = g_strdup_printf ("cat > '%s'", got);
  g_autofree char *received = NULL;
  g_autoptr(LtmSecret) stored = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page = ltm_test_gui_show_page (window, "webhook");
  GtkWidget *command_row;
  GtkWidget *delivery_row;
  AdwMessageDialog *dialog;
  const char *names[] = { "Choose Env File", "Stop Writing the Env File", "Variable name",
                          "Deploy command", "Grace period", "Deploy Now" };
  LtmToken *newest;

  /* The page checks the bot when it shows: let that end first. */
  ltm_test_gui_wait_until (!ltm_activity_get_busy (ltm_test_gui_get_activity (page)));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (ltm_test_gui_find_labelled (page, names[i]));
  /* Nothing to deliver to yet. */
  g_assert_false (ltm_test_gui_is_enabled (page, "Deploy Now"));
  delivery_row = ltm_test_gui_find_row (page, "Last delivery");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (delivery_row)), ==,
                   "Nothing delivered yet");

  command_row = ltm_test_gui_find_labelled (page, "Deploy command");
  gtk_editable_set_text (GTK_EDITABLE (command_row), command);
  g_signal_emit_by_name (command_row, "apply");
  ltm_test_gui_wait_for_toast (window, "Deploy targets saved");
  g_assert_cmpstr (ltm_channel_get_deploy_command (channel), ==, command);
  g_assert_true (ltm_test_gui_is_enabled (page, "Deploy Now"));

  show_tokens_page (window);
  ltm_test_gui_click (GTK_WIDGET (window), "Rotate Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "delivered to the deploy"));
  respond_and_wait (dialog, "rotate");
  ltm_test_gui_wait_for_toast (window, "Token rotated");

  newest = ltm_channel_get_newest_usable (channel, now ());
  g_assert_cmpstr (ltm_token_get_key_id (newest), !=, old_key_id);
  stored = ltm_store_get_token (ltm_application_get_store (ltm_application_get_default ()),
                                CHANNEL, ltm_token_get_key_id (newest), &error);
  g_assert_no_error (error);
  g_file_get_contents (got, &received, NULL, &error);
  g_assert_cmpstr (received, ==, stored);
  /* Every target took it: the old one is revoked. */
  g_assert_cmpstr (listed_status (fixture, old_key_id), ==, "revoked");
  g_assert_cmpuint (ltm_test_server_count_valid_tokens (fixture->server, CHANNEL), ==, 1);

  page = ltm_test_gui_show_page (window, "webhook");
  ltm_test_gui_wait_until (!ltm_activity_get_busy (ltm_test_gui_get_activity (page)));
  delivery_row = ltm_test_gui_find_row (page, "Last delivery");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (delivery_row)),
                                   "Delivered, "));
}

static void
test_deploy (Fixture       *fixture,
             gconstpointer  data)
{
  ltm_test_gui_run (test_deploy_body, fixture);
}

/* The other kinds: a stateless token goes to the clipboard and is not
 * kept; a short-lived one is kept, and verified on LINE's v2 endpoint. */
static void
test_other_kinds_body (LtmWindow     *window,
                       gconstpointer  data)
{
  Fixture *fixture = (Fixture *) data;
  GtkWidget *root = GTK_WIDGET (window);
  g_autofree char *stateless = NULL;
  g_autofree char *short_lived = NULL;
  g_autoptr(LtmToken) token = NULL;
  AdwMessageDialog *dialog;

  show_tokens_page (window);

  ltm_test_gui_click (root, "Issue Stateless Token");
  ltm_test_gui_wait_for_toast (window, "Stateless token copied");
  stateless = ltm_test_gui_read_clipboard (root);
  g_assert_true (server_accepts (fixture, stateless, FALSE));
  g_assert_cmpuint (count_tokens (window), ==, 0);

  ltm_test_gui_click (root, "Issue Short-Lived Token");
  ltm_test_gui_wait_for_toast (window, "Token issued");
  g_assert_cmpuint (count_tokens (window), ==, 1);
  token = g_list_model_get_item (ltm_channel_get_tokens (ltm_window_get_channel (window)), 0);
  g_assert_cmpint (ltm_token_get_kind (token), ==, LTM_TOKEN_KIND_SHORT_LIVED);
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, "Short-lived") != NULL);

  ltm_test_gui_click (root, "Copy Token");
  ltm_test_gui_wait_for_toast (window, "Token copied");
  short_lived = ltm_test_gui_read_clipboard (root);
  g_assert_true (server_accepts (fixture, short_lived, TRUE));

  ltm_test_gui_click (root, "Verify Token");
  ltm_test_gui_wait_until (find_text_part (root, "Valid, expires in ") != NULL);

  /* Revoked at LINE's v2 endpoint: no channel secret is asked for. */
  ltm_test_gui_click (root, "Revoke Token");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), "channel secret"));
  respond_and_wait (dialog, "revoke");
  ltm_test_gui_wait_for_toast (window, "Token revoked");
  g_assert_false (server_accepts (fixture, short_lived, TRUE));
  g_assert_true (ltm_token_get_revoked (token));
}

static void
test_other_kinds (Fixture       *fixture,
                  gconstpointer  data)
{
  ltm_test_gui_run (test_other_kinds_body, fixture);
}

#define add_test(path, flags, func) \
  g_test_add (path, Fixture, GUINT_TO_POINTER (flags), fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);

  add_test ("/gui/tokens/needs-key", SETUP_SECRET, test_needs_key);
  add_test ("/gui/tokens/issue-flow", SETUP_KEY | SETUP_KID | SETUP_SECRET, test_issue_flow);
  add_test ("/gui/tokens/expiring", SETUP_KEY | SETUP_KID, test_expiring);
  add_test ("/gui/tokens/wrong-kid", SETUP_KEY | SETUP_KID | SETUP_WRONG_KID, test_wrong_kid);
  add_test ("/gui/tokens/network-failure", SETUP_KEY | SETUP_KID, test_network_failure);
  add_test ("/gui/tokens/verify-no-answer", SETUP_KEY | SETUP_KID, test_verify_no_answer);
  add_test ("/gui/tokens/revoke-asks-secret", SETUP_KEY | SETUP_KID, test_revoke_asks_secret);
  add_test ("/gui/tokens/limit", SETUP_KEY | SETUP_KID, test_limit);
  add_test ("/gui/tokens/env", SETUP_KEY | SETUP_KID | SETUP_SECRET, test_env);
  add_test ("/gui/tokens/env-no-secret", SETUP_KEY | SETUP_KID, test_env);
  add_test ("/gui/tokens/sync", SETUP_KEY | SETUP_KID, test_sync);
  add_test ("/gui/tokens/rotate", SETUP_KEY | SETUP_KID | SETUP_SECRET, test_rotate);
  add_test ("/gui/tokens/deploy", SETUP_KEY | SETUP_KID | SETUP_SECRET, test_deploy);
  add_test ("/gui/tokens/other-kinds", SETUP_KEY | SETUP_KID | SETUP_SECRET, test_other_kinds);

  return g_test_run ();
}
