/* test-gui-key.c: the Key page, driven in the real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ltm-activity.h"
#include "ltm-jwt.h"
#include "ltm-key-page.h"
#include "ltm-test-gui.h"
#include "ltm-test-util.h"

/* Each test has channels of its own: the data folder and the keyring
 * last for the whole program. */
#define KID "d3a1c0f2-5b7e-4c6a-9e8d-1f2a3b4c5d6e"
#define SECRET "0123456789abcdef0123456789abcdef"
#define COPIED "Copied: paste it in the console, then save the kid it shows below."

/* `ltm channel add ID`, with the key in tests/data @key_file and @kid if given. */
static void
ltm_test_add_channel (const char *channel_id,
                      const char *key_file,
                      const char *kid)
{
  g_auto(LtmTestRun) run = { 0 };
  g_autofree char *key_path = key_file != NULL ? ltm_test_data_path (key_file) : NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "channel");
  g_ptr_array_add (args, (char *) "add");
  g_ptr_array_add (args, (char *) channel_id);
  g_ptr_array_add (args, (char *) "--name");
  g_ptr_array_add (args, (char *) "Key Test");
  if (key_path != NULL)
    {
      g_ptr_array_add (args, (char *) "--key");
      g_ptr_array_add (args, key_path);
    }
  if (kid != NULL)
    {
      g_ptr_array_add (args, (char *) "--kid");
      g_ptr_array_add (args, (char *) kid);
    }
  g_ptr_array_add (args, NULL);

  ltm_test_run_ltm (&run, NULL, NULL, (const char * const *) args->pdata);
  g_assert_cmpint (run.status, ==, 0);
}

/* What `ltm --json channel show ID` says. */
static JsonObject *
ltm_test_show_channel (const char *channel_id)
{
  g_auto(LtmTestRun) run = { 0 };
  const char * const show[] = { "--json", "channel", "show", channel_id, NULL };

  ltm_test_run_ltm (&run, NULL, NULL, show);
  g_assert_cmpint (run.status, ==, 0);

  return ltm_test_parse_object (run.out);
}

/* A string member of `ltm channel show`, or %NULL when it is null. */
static char *
ltm_test_show_channel_string (const char *channel_id,
                              const char *member)
{
  g_autoptr(JsonObject) object = ltm_test_show_channel (channel_id);
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static char *
ltm_test_expected_thumbprint (void)
{
  g_autofree char *text = ltm_test_read_data ("thumbprint.txt", NULL);

  return g_strdup (g_strstrip (text));
}

/* Chooses @channel_id and its Key page. */
static LtmKeyPage *
ltm_test_show_key_page (LtmWindow  *window,
                        const char *channel_id)
{
  LtmKeyPage *page;

  ltm_test_gui_wait_until (ltm_window_show_channel (window, channel_id));
  ltm_test_gui_wait_until (ltm_window_get_channel (window) != NULL &&
                           g_strcmp0 (ltm_channel_get_channel_id (ltm_window_get_channel (window)),
                                      channel_id) == 0);
  page = LTM_KEY_PAGE (ltm_test_gui_show_page (window, "key"));
  g_assert_true (ltm_page_get_channel (LTM_PAGE (page)) == ltm_window_get_channel (window));

  return page;
}

static gboolean
ltm_test_is_busy (LtmKeyPage *page)
{
  return ltm_activity_get_busy (ltm_test_gui_get_activity (GTK_WIDGET (page)));
}

/* Types @text into the entry row titled @title and presses Enter, as a
 * user does: the row has the focus while it is typed into. */
static void
ltm_test_enter_row_text (GtkWidget  *root,
                         const char *title,
                         const char *text)
{
  GtkWidget *row = ltm_test_gui_find_row (root, title);

  g_assert_true (gtk_widget_is_sensitive (row));
  g_assert_true (gtk_widget_grab_focus (row));
  ltm_test_gui_set_row_text (root, title, text);
  /* What the Enter key does in a GtkText. */
  g_signal_emit_by_name (ltm_test_gui_find_type (row, GTK_TYPE_TEXT), "activate");
}

/* Whether a label under @root reads @text, shown yet or not (a revealer
 * shows its child only on the next frame). */
static gboolean
ltm_test_has_label (GtkWidget  *root,
                    const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ltm_test_has_label (child, text))
      return TRUE;

  return FALSE;
}

/* What the page looked like when it became busy the first time. */
typedef struct {
  gboolean seen;
  gboolean described;           /* "Generating a key…" shown */
  gboolean disabled;            /* the page's buttons disabled */
} LtmTestBusy;

static void
ltm_test_busy_cb (LtmActivity *activity,
                  GParamSpec  *pspec,
                  LtmTestBusy *busy)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (activity), LTM_TYPE_KEY_PAGE);

  if (busy->seen || !ltm_activity_get_busy (activity))
    return;

  busy->seen = TRUE;
  busy->described = ltm_test_has_label (GTK_WIDGET (activity), "Generating a key…");
  busy->disabled = TRUE;
  for (guint i = 0; i < 3; i++)
    {
      static const char * const names[] = { "Generate Key", "Import Key…", "Copy Public Key" };

      if (gtk_widget_is_sensitive (ltm_test_gui_find_labelled (page, names[i])))
        busy->disabled = FALSE;
    }
}

/* Generate Key: in a thread, with the page busy meanwhile; the key goes
 * to the keyring, and `ltm` sees the thumbprint the page shows.  Copy
 * Public Key puts exactly what the console accepts on the clipboard. */
static void
test_generate_and_copy_body (LtmWindow     *window,
                             gconstpointer  data)
{
  const char *channel_id = data;
  LtmKeyPage *page = ltm_test_show_key_page (window, channel_id);
  LtmChannel *channel = ltm_window_get_channel (window);
  GtkWidget *root = GTK_WIDGET (page);
  g_autofree char *stored_thumbprint = NULL;
  g_autofree char *clipboard = NULL;
  g_autoptr(JsonObject) jwk = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(LtmKey) public_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  LtmTestBusy busy = { FALSE, FALSE, FALSE };
  const char *thumbprint;

  /* No key yet: nothing to copy, no kid to give. */
  g_assert_nonnull (ltm_test_gui_find_text (root, "No key yet"));
  g_assert_false (gtk_widget_is_sensitive (ltm_test_gui_find_labelled (root, "Copy Public Key")));
  g_assert_false (gtk_widget_is_sensitive (ltm_test_gui_find_labelled (root, "Key ID (kid)")));

  /* No key to replace: no question, straight to work, and the page waits. */
  g_signal_connect (ltm_test_gui_get_activity (GTK_WIDGET (page)), "notify::busy",
                    G_CALLBACK (ltm_test_busy_cb), &busy);
  ltm_test_gui_click (root, "Generate Key");
  ltm_test_gui_wait_for_toast (window, "Key generated");
  g_signal_handlers_disconnect_by_data (ltm_test_gui_get_activity (GTK_WIDGET (page)), &busy);
  g_assert_null (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_true (busy.seen);
  g_assert_true (busy.described);
  g_assert_true (busy.disabled);
  g_assert_false (ltm_test_is_busy (page));
  g_assert_true (ltm_channel_get_has_key (channel));
  thumbprint = ltm_channel_get_key_thumbprint (channel);
  g_assert_nonnull (thumbprint);
  g_assert_null (ltm_test_gui_find_text (root, "No key yet"));

  /* The page shows the thumbprint `ltm` reads from the store. */
  shown = ltm_test_show_channel (channel_id);
  g_assert_true (json_object_get_boolean_member (shown, "has_key"));
  stored_thumbprint = g_strdup (json_object_get_string_member (shown, "key_thumbprint"));
  g_assert_cmpstr (stored_thumbprint, ==, thumbprint);
  g_assert_nonnull (ltm_test_gui_find_text (root, stored_thumbprint));
  g_assert_true (gtk_widget_is_sensitive (ltm_test_gui_find_labelled (root, "Key ID (kid)")));

  ltm_test_gui_click (root, "Copy Thumbprint");
  ltm_test_gui_wait_for_toast (window, "Thumbprint copied");
  clipboard = ltm_test_gui_read_clipboard (root);
  g_assert_cmpstr (clipboard, ==, stored_thumbprint);
  g_clear_pointer (&clipboard, g_free);

  /* The public JWK: exactly kty, alg, use, e and n, of the stored key. */
  ltm_test_gui_click (root, "Copy Public Key");
  /* Said in step 1, not in a toast over the kid row. */
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, COPIED) != NULL);
  g_assert_null (ltm_test_gui_find_text (GTK_WIDGET (window), "Public key copied"));
  clipboard = ltm_test_gui_read_clipboard (root);
  jwk = ltm_test_parse_object (clipboard);
  members = json_object_get_members (jwk);
  g_assert_cmpuint (g_list_length (members), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (jwk, "kty"), ==, "RSA");
  g_assert_cmpstr (json_object_get_string_member (jwk, "alg"), ==, "RS256");
  g_assert_cmpstr (json_object_get_string_member (jwk, "use"), ==, "sig");
  g_assert_cmpstr (json_object_get_string_member (jwk, "e"), ==, "AQAB");
  g_assert_true (json_object_has_member (jwk, "n"));
  public_key = ltm_key_new_from_data (clipboard, strlen (clipboard),
                                      LTM_KEY_IMPORT_ALLOW_PUBLIC, &error);
  g_assert_no_error (error);
  g_assert_false (ltm_key_has_private (public_key));
  g_assert_cmpuint (ltm_key_get_bits (public_key), ==, 2048);
  g_assert_cmpstr (ltm_key_get_thumbprint (public_key), ==, stored_thumbprint);
}

static void
test_generate_and_copy (void)
{
  ltm_test_add_channel ("2000000101", NULL, NULL);
  ltm_test_gui_run (test_generate_and_copy_body, "2000000101");
}

/* The kid row refuses what cannot be a kid as it is typed, and saves
 * a good one. */
static void
test_kid_body (LtmWindow     *window,
               gconstpointer  data)
{
  const char *channel_id = data;
  LtmKeyPage *page = ltm_test_show_key_page (window, channel_id);
  LtmChannel *channel = ltm_window_get_channel (window);
  GtkWidget *root = GTK_WIDGET (page);
  GtkWidget *row = ltm_test_gui_find_row (root, "kid");
  g_autoptr(GError) error = NULL;
  g_autofree char *kid = NULL;

  g_assert_true (row == ltm_test_gui_find_labelled (root, "Key ID (kid)"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");

  /* A space: marked, with the core's reason, and not saved on Enter. */
  g_assert_false (ltm_jwt_check_kid ("not a kid", &error));
  ltm_test_enter_row_text (root, "kid", "not a kid");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  g_assert_nonnull (ltm_test_gui_find_text (root, error->message));
  for (int i = 0; i < 50; i++)
    ltm_test_gui_iterate ();
  g_assert_false (ltm_test_is_busy (page));
  g_assert_null (ltm_activity_get_message (ltm_test_gui_get_activity (GTK_WIDGET (page))));
  g_assert_null (ltm_channel_get_kid (channel));
  kid = ltm_test_show_channel_string (channel_id, "kid");
  g_assert_null (kid);

  /* A good one: no longer marked, saved, and `ltm` has it. */
  ltm_test_enter_row_text (root, "kid", KID);
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_assert_null (ltm_test_gui_find_text (root, error->message));
  ltm_test_gui_wait_for_toast (window, "kid saved");
  g_assert_cmpstr (ltm_channel_get_kid (channel), ==, KID);
  kid = ltm_test_show_channel_string (channel_id, "kid");
  g_assert_cmpstr (kid, ==, KID);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, KID);
}

static void
test_kid (void)
{
  ltm_test_add_channel ("2000000102", "pkcs8.pem", NULL);
  ltm_test_gui_run (test_kid_body, "2000000102");
}

/* A pasted kid is saved when the focus leaves the row, by Tab or by
 * going straight to the JWT page: no Enter or ✓ needed. */
static void
test_kid_saved_on_leave_body (LtmWindow     *window,
                              gconstpointer  data)
{
  const char *channel_id = data;
  LtmKeyPage *page = ltm_test_show_key_page (window, channel_id);
  LtmChannel *channel = ltm_window_get_channel (window);
  GtkWidget *root = GTK_WIDGET (page);
  GtkWidget *row = ltm_test_gui_find_row (root, "kid");
  GtkWidget *jwt_page;
  g_autofree char *kid = NULL;

  g_assert_true (gtk_widget_grab_focus (row));
  ltm_test_gui_set_row_text (root, "kid", KID);
  ltm_test_gui_move_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
  ltm_test_gui_wait_for_toast (window, "kid saved");
  g_assert_cmpstr (ltm_channel_get_kid (channel), ==, KID);
  kid = ltm_test_show_channel_string (channel_id, "kid");
  g_assert_cmpstr (kid, ==, KID);

  /* Another kid, and on to the JWT page with the focus still in the row. */
  g_assert_true (gtk_widget_grab_focus (row));
  ltm_test_gui_set_row_text (root, "kid", "k2-" KID);
  jwt_page = ltm_test_gui_show_page (window, "jwt");
  ltm_test_gui_wait_until (g_strcmp0 (ltm_channel_get_kid (channel), "k2-" KID) == 0);
  ltm_test_gui_wait_until (!ltm_test_is_busy (page));
  g_assert_null (ltm_test_gui_find_text (jwt_page, "The channel has no kid"));
}

static void
test_kid_saved_on_leave (void)
{
  ltm_test_add_channel ("2000000112", "pkcs8.pem", NULL);
  ltm_test_gui_run (test_kid_saved_on_leave_body, "2000000112");
}

static gboolean
ltm_test_chooser_has_file (GtkFileChooser *chooser,
                           GFile          *file)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (chooser);

  return chosen != NULL && g_file_equal (chosen, file);
}

/* Import Key…, @file chosen in the file chooser (which answers only once
 * it shows the file), Import. */
static void
ltm_test_import_with_chooser (LtmKeyPage *page,
                              GFile      *file)
{
  GtkWindow *chooser = NULL;

  ltm_test_gui_click (GTK_WIDGET (page), "Import Key…");
  ltm_test_gui_wait_until ((chooser = ltm_test_gui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG))
                           != NULL && gtk_widget_get_mapped (GTK_WIDGET (chooser)));
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
  ltm_test_gui_wait_until (ltm_test_chooser_has_file (GTK_FILE_CHOOSER (chooser), file));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  ltm_test_gui_wait_until (ltm_test_gui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL);
}

static const char * const good_key_files[] = {
  "webcrypto.jwk", "jwcrypto.jwk", "jwx.jwk", "node-jose.jwk", "console-wrapped.json",
  "pkcs1.pem", "pkcs8.pem",
};

static const char * const bad_key_files[] = {
  "missing-qi.jwk", "public.jwk", "public.pem", "rsa1024.pem", "ec.jwk", "inconsistent.jwk",
};

/* Every format users have imports to the same key; a broken file says
 * what is wrong with it, in the core's words, and changes nothing. */
static void
test_import_body (LtmWindow     *window,
                  gconstpointer  data)
{
  g_autofree char *expected = ltm_test_expected_thumbprint ();
  LtmKeyPage *page = NULL;
  LtmChannel *channel = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good_key_files); i++)
    {
      g_autofree char *channel_id = g_strdup_printf ("20000002%02u", i);
      g_autofree char *path = ltm_test_data_path (good_key_files[i]);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *stored = NULL;

      g_test_message ("importing %s", good_key_files[i]);
      page = ltm_test_show_key_page (window, channel_id);
      channel = ltm_page_get_channel (LTM_PAGE (page));
      g_assert_false (ltm_channel_get_has_key (channel));

      /* The first through Import Key…, the way a user imports. */
      if (i == 0)
        ltm_test_import_with_chooser (page, file);
      else
        ltm_key_page_import_file (page, file);
      ltm_test_gui_wait_until (ltm_channel_get_has_key (channel) && !ltm_test_is_busy (page));
      g_assert_null (ltm_activity_get_message (ltm_test_gui_get_activity (GTK_WIDGET (page))));
      g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, expected);
      g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), expected));
      stored = ltm_test_show_channel_string (channel_id, "key_thumbprint");
      g_assert_cmpstr (stored, ==, expected);
    }
  ltm_test_gui_wait_for_toast (window, "Key imported");

  /* The last channel has a key: the broken files leave it alone. */
  for (guint i = 0; i < G_N_ELEMENTS (bad_key_files); i++)
    {
      g_autofree char *path = ltm_test_data_path (bad_key_files[i]);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autofree char *contents = ltm_test_read_data (bad_key_files[i], NULL);
      g_autofree char *heading = g_strdup_printf ("The key in “%s” was not imported",
                                                  bad_key_files[i]);
      g_autofree char *stored = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LtmKey) key = NULL;
      LtmActivity *activity = ltm_test_gui_get_activity (GTK_WIDGET (page));

      g_test_message ("importing %s", bad_key_files[i]);
      key = ltm_key_new_from_data (contents, strlen (contents), LTM_KEY_IMPORT_PRIVATE, &error);
      g_assert_null (key);
      g_assert_nonnull (error);

      ltm_key_page_import_file (page, file);
      ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
      g_assert_cmpstr (ltm_activity_get_message (activity), ==, error->message);
      ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (page), heading) != NULL);
      g_assert_null (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG));
      g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, expected);
      stored = ltm_test_show_channel_string (ltm_channel_get_channel_id (channel),
                                             "key_thumbprint");
      g_assert_cmpstr (stored, ==, expected);
    }

  /* Specific: the member that is missing is named. */
  {
    g_autofree char *path = ltm_test_data_path ("missing-qi.jwk");
    g_autoptr(GFile) file = g_file_new_for_path (path);
    LtmActivity *activity = ltm_test_gui_get_activity (GTK_WIDGET (page));

    ltm_key_page_import_file (page, file);
    ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
    g_assert_nonnull (strstr (ltm_activity_get_message (activity), "“qi”"));
  }

  /* A file that is not there either. */
  {
    g_autofree char *path = g_build_filename (ltm_test_get_tmp_dir (), "no-such-key.jwk", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    LtmActivity *activity = ltm_test_gui_get_activity (GTK_WIDGET (page));

    ltm_key_page_import_file (page, file);
    ltm_test_gui_wait_until (ltm_activity_get_message (activity) != NULL);
    ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (page),
                                                     "The key in “no-such-key.jwk” was not "
                                                     "imported") != NULL);
    g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, expected);
  }
}

static void
test_import (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_key_files); i++)
    {
      g_autofree char *channel_id = g_strdup_printf ("20000002%02u", i);

      ltm_test_add_channel (channel_id, NULL, NULL);
    }

  ltm_test_gui_run (test_import_body, NULL);
}

/* Replacing a key asks first: Cancel keeps it, Replace replaces it and
 * forgets the old key's kid, for a generated key and an imported one. */
static void
test_replace_body (LtmWindow     *window,
                   gconstpointer  data)
{
  const char *channel_id = data;
  LtmKeyPage *page = ltm_test_show_key_page (window, channel_id);
  LtmChannel *channel = ltm_window_get_channel (window);
  GtkWidget *root = GTK_WIDGET (page);
  GtkWidget *kid_row = ltm_test_gui_find_row (root, "kid");
  g_autofree char *original = ltm_test_expected_thumbprint ();
  g_autofree char *generated = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *path = ltm_test_data_path ("pkcs1.pem");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AdwMessageDialog *dialog;

  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, original);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (kid_row)), ==, KID);

  /* Generate Key asks; Cancel changes nothing. */
  ltm_test_gui_click (root, "Generate Key");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Replace the Key?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "registered"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "until they expire"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "replace"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  ltm_test_gui_respond (dialog, "cancel");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_false (ltm_test_is_busy (page));
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, original);
  g_assert_cmpstr (ltm_channel_get_kid (channel), ==, KID);

  /* Replace: a new key, and the kid, which named the old one, is gone. */
  ltm_test_gui_click (root, "Generate Key");
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_respond (dialog, "replace");
  ltm_test_gui_wait_for_toast (window, "Key generated");
  generated = g_strdup (ltm_channel_get_key_thumbprint (channel));
  g_assert_cmpstr (generated, !=, original);
  g_assert_null (ltm_channel_get_kid (channel));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (kid_row)), ==, "");
  g_assert_nonnull (ltm_test_gui_find_text (root, generated));
  stored = ltm_test_show_channel_string (channel_id, "key_thumbprint");
  g_assert_cmpstr (stored, ==, generated);
  g_clear_pointer (&stored, g_free);
  stored = ltm_test_show_channel_string (channel_id, "kid");
  g_assert_null (stored);

  /* Importing asks as well, once the file is read. */
  ltm_key_page_import_file (page, file);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_respond (dialog, "cancel");
  ltm_test_gui_wait_until (ltm_test_gui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_false (ltm_test_is_busy (page));
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, generated);

  ltm_key_page_import_file (page, file);
  dialog = ADW_MESSAGE_DIALOG (ltm_test_gui_wait_for_window (ADW_TYPE_MESSAGE_DIALOG));
  ltm_test_gui_respond (dialog, "replace");
  ltm_test_gui_wait_for_toast (window, "Key imported");
  g_assert_cmpstr (ltm_channel_get_key_thumbprint (channel), ==, original);
  stored = ltm_test_show_channel_string (channel_id, "key_thumbprint");
  g_assert_cmpstr (stored, ==, original);
}

static void
test_replace (void)
{
  ltm_test_add_channel ("2000000301", "pkcs8.pem", KID);
  ltm_test_gui_run (test_replace_body, "2000000301");
}

/* The channel secret goes to the keyring and leaves the entry; what is
 * typed for one channel never stays for another. */
static void
test_secret_body (LtmWindow     *window,
                  gconstpointer  data)
{
  LtmKeyPage *page = ltm_test_show_key_page (window, "2000000401");
  LtmChannel *channel = ltm_window_get_channel (window);
  LtmStore *store = ltm_application_get_store (ltm_application_get_default ());
  GtkWidget *root = GTK_WIDGET (page);
  GtkWidget *row = ltm_test_gui_find_row (root, "Channel Secret");
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (row == ltm_test_gui_find_labelled (root, "Channel Secret"));
  g_assert_false (ltm_channel_get_has_secret (channel));
  g_assert_nonnull (ltm_test_gui_find_text (root, "No channel secret is stored"));

  /* A pasted key is not a secret: refused, and nothing stored. */
  ltm_test_enter_row_text (root, "Channel Secret", "{\"kty\":\"RSA\",\"d\":\"private\"}");
  ltm_test_gui_wait_until (ltm_test_gui_find_text (root, "This is a key file (a JWK or a PEM "
                                                         "key), not a channel secret.") != NULL);
  g_assert_false (ltm_channel_get_has_secret (channel));

  ltm_test_enter_row_text (root, "Channel Secret", SECRET);
  ltm_test_gui_wait_for_toast (window, "Channel secret saved");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  g_assert_true (ltm_channel_get_has_secret (channel));
  g_assert_nonnull (ltm_test_gui_find_text (root, "A channel secret is stored"));
  shown = ltm_test_show_channel ("2000000401");
  g_assert_true (json_object_get_boolean_member (shown, "has_secret"));
  secret = ltm_store_get_secret (store, "2000000401", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, SECRET);

  /* Typed, not saved, another channel chosen: gone. */
  ltm_test_gui_set_row_text (root, "Channel Secret", "typed but not saved");
  page = ltm_test_show_key_page (window, "2000000402");
  row = ltm_test_gui_find_row (GTK_WIDGET (page), "Channel Secret");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  g_assert_nonnull (ltm_test_gui_find_text (GTK_WIDGET (page), "No channel secret is stored"));
}

static void
test_secret (void)
{
  ltm_test_add_channel ("2000000401", NULL, NULL);
  ltm_test_add_channel ("2000000402", NULL, NULL);
  ltm_test_gui_run (test_secret_body, NULL);
}

int
main (int   argc,
      char *argv[])
{
  ltm_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/key/generate-and-copy", test_generate_and_copy);
  g_test_add_func ("/gui/key/kid", test_kid);
  g_test_add_func ("/gui/key/kid-saved-on-leave", test_kid_saved_on_leave);
  g_test_add_func ("/gui/key/import", test_import);
  g_test_add_func ("/gui/key/replace", test_replace);
  g_test_add_func ("/gui/key/secret", test_secret);

  return g_test_run ();
}
