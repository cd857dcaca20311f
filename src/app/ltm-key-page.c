/* ltm-key-page.c: the assertion signing key: generate or import, copy the public JWK, the kid
 *
 * The page holds the channel's credentials: the key (generated in a
 * thread or imported from a file, kept in the keyring), the steps that
 * register its public half in the LINE Developers Console, the kid the
 * console answers, and the channel secret.  What the page shows follows
 * the channel's properties; every keyring call goes through the activity.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-key-page.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-jwt.h"
#include "ltm-ui.h"

struct _LtmKeyPage
{
  LtmPage parent_instance;

  /* The stored kid the kid row was last filled with. */
  char *shown_kid;
  GtkFileChooserNative *chooser;

  LtmActivity *activity;
  AdwActionRow *no_key_row;
  AdwPreferencesRow *thumbprint_row;
  GtkLabel *thumbprint_label;
  AdwPreferencesRow *created_row;
  GtkLabel *created_label;
  GtkButton *generate_button;
  AdwActionRow *copy_step_row;
  AdwEntryRow *kid_row;
  GtkLabel *kid_message;
  AdwActionRow *secret_state_row;
  GtkImage *secret_state_icon;
  AdwPasswordEntryRow *secret_row;
};

G_DEFINE_FINAL_TYPE (LtmKeyPage, ltm_key_page, LTM_TYPE_PAGE)

/* One call of the page, from the activity's begin to its end.  A later
 * begin, Cancel or another channel cancels it; its callbacks then leave
 * the page alone. */
typedef struct {
  LtmKeyPage *self;
  LtmChannel *channel;
  GCancellable *cancellable;
  LtmKey *key;                  /* generated or imported, to be stored */
  char *file_name;              /* where an imported key came from */
  char *kid;                    /* the kid being saved; NULL clears it */
  const char *failed;           /* the heading if a store change fails */
  const char *done;             /* the toast once it is done */
  void (*then) (LtmKeyPage *self);  /* what else a store change updates */
} LtmKeyPageOp;

static LtmKeyPageOp *
ltm_key_page_op_new (LtmKeyPage *self,
                     const char *description)
{
  LtmKeyPageOp *op = g_new0 (LtmKeyPageOp, 1);

  op->self = g_object_ref (self);
  op->channel = g_object_ref (ltm_page_get_channel (LTM_PAGE (self)));
  op->cancellable = g_object_ref (ltm_activity_begin (self->activity, description));

  return op;
}

static void
ltm_key_page_op_free (LtmKeyPageOp *op)
{
  g_clear_object (&op->self);
  g_clear_object (&op->channel);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->key);
  g_clear_pointer (&op->file_name, g_free);
  g_clear_pointer (&op->kid, g_free);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmKeyPageOp, ltm_key_page_op_free)

/* Whether the page still waits for @op: not cancelled, same channel. */
static gboolean
ltm_key_page_op_is_current (LtmKeyPageOp *op)
{
  return !g_cancellable_is_cancelled (op->cancellable) &&
         ltm_page_get_channel (LTM_PAGE (op->self)) == op->channel;
}

/* The next step of @op, under a new description. */
static void
ltm_key_page_op_continue (LtmKeyPageOp *op,
                          const char   *description)
{
  g_set_object (&op->cancellable, ltm_activity_begin (op->self->activity, description));
}

static LtmStore *
ltm_key_page_get_store (void)
{
  return ltm_application_get_store (ltm_application_get_default ());
}

/* Everything the page shows and allows, from the channel and the activity. */
static void
ltm_key_page_update (LtmKeyPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  gboolean busy = ltm_activity_get_busy (self->activity);
  gboolean ready = channel != NULL && !busy;
  gboolean has_key = channel != NULL && ltm_channel_get_has_key (channel);
  gboolean has_secret = channel != NULL && ltm_channel_get_has_secret (channel);

  gtk_widget_action_set_enabled (widget, "key.generate", ready);
  gtk_widget_action_set_enabled (widget, "key.import", ready);
  gtk_widget_action_set_enabled (widget, "key.copy-public", ready && has_key);
  gtk_widget_action_set_enabled (widget, "key.copy-thumbprint", ready && has_key);
  gtk_widget_action_set_enabled (widget, "key.open-console", channel != NULL);
  gtk_widget_action_set_enabled (widget, "key.save-kid", ready && has_key);
  gtk_widget_action_set_enabled (widget, "key.save-secret", ready);
  /* The rows stay editable while busy (taking the focus from a row would
   * leave GtkText blinking without it); their Enter runs the actions above. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->kid_row), has_key);
  gtk_widget_set_sensitive (GTK_WIDGET (self->secret_row), channel != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->no_key_row), !has_key);
  gtk_widget_set_visible (GTK_WIDGET (self->thumbprint_row), has_key);
  gtk_widget_set_visible (GTK_WIDGET (self->created_row), has_key);

  /* Without a key, generating one is the way on. */
  if (has_key)
    gtk_widget_remove_css_class (GTK_WIDGET (self->generate_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->generate_button), "suggested-action");

  if (has_key)
    {
      gint64 created = ltm_channel_get_key_created (channel);
      g_autofree char *date = created > 0 ? ltm_ui_format_date (created) : NULL;

      gtk_label_set_text (self->thumbprint_label, ltm_channel_get_key_thumbprint (channel));
      gtk_label_set_text (self->created_label, date != NULL ? date : _("Unknown"));
    }
  else
    {
      gtk_label_set_text (self->thumbprint_label, "");
      gtk_label_set_text (self->created_label, "");
    }

  if (has_secret)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_state_row),
                                     _("A channel secret is stored"));
      adw_action_row_set_subtitle (self->secret_state_row,
                                   _("It is sealed in this computer's store. Paste a new one "
                                     "below to replace it."));
      gtk_image_set_from_icon_name (self->secret_state_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->secret_state_icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->secret_state_icon), "dim-label");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_state_row),
                                     _("No channel secret is stored"));
      adw_action_row_set_subtitle (self->secret_state_row,
                                   _("Paste it below if you revoke tokens or issue short-lived "
                                     "ones."));
      gtk_image_set_from_icon_name (self->secret_state_icon, "dialog-information-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->secret_state_icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->secret_state_icon), "dim-label");
    }
}

static void
ltm_key_page_update_cb (LtmKeyPage *self)
{
  ltm_key_page_update (self);
}

/* A call began or ended.  (A failure needs no scrolling to: the activity
 * floats over the page, in view.) */
static void
ltm_key_page_busy_cb (LtmKeyPage *self)
{
  ltm_key_page_update (self);
}

/* @text without the spaces and line breaks a paste brings along; a copy
 * (not g_strstrip(), which would leave bytes of a secret past its end). */
static char *
ltm_key_page_dup_stripped (const char *text)
{
  const char *end = text + strlen (text);

  while (g_ascii_isspace (*text))
    text++;
  while (end > text && g_ascii_isspace (end[-1]))
    end--;

  return g_strndup (text, (gsize) (end - text));
}

/* The kid as typed. */
static char *
ltm_key_page_dup_kid_text (LtmKeyPage *self)
{
  return ltm_key_page_dup_stripped (gtk_editable_get_text (GTK_EDITABLE (self->kid_row)));
}

/* Marks the kid row wrong, with why, as the kid is typed. */
static void
ltm_key_page_kid_changed_cb (LtmKeyPage *self)
{
  GtkWidget *row = GTK_WIDGET (self->kid_row);
  g_autofree char *kid = ltm_key_page_dup_kid_text (self);
  g_autoptr(GError) error = NULL;

  /* An empty row is not wrong: it is where a kid goes. */
  if (kid[0] == '\0' || ltm_jwt_check_kid (kid, &error))
    ltm_ui_set_row_error (row, self->kid_message, NULL);
  else
    ltm_ui_set_row_error (row, self->kid_message, error->message);
}

/* Puts what is stored in @row: not an edit, so no apply button (which
 * any change, even to the same text, shows while the row has the focus). */
static void
ltm_key_page_set_row_text (AdwEntryRow *row,
                           const char  *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), text) == 0)
    return;

  adw_entry_row_set_show_apply_button (row, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  adw_entry_row_set_show_apply_button (row, TRUE);
}

/* Fills the kid row with the stored kid. */
static void
ltm_key_page_show_kid (LtmKeyPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  const char *kid = channel != NULL ? ltm_channel_get_kid (channel) : NULL;

  g_free (self->shown_kid);
  self->shown_kid = g_strdup (kid != NULL ? kid : "");
  ltm_key_page_set_row_text (self->kid_row, self->shown_kid);
}

/* The stored kid changed (saved here, cleared by a new key, or set by
 * `ltm`): shown, unless the user is typing another one. */
static void
ltm_key_page_kid_notify_cb (LtmKeyPage *self)
{
  const char *kid = ltm_channel_get_kid (ltm_page_get_channel (LTM_PAGE (self)));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->kid_row));

  if (g_strcmp0 (text, self->shown_kid) == 0 || g_strcmp0 (text, kid) == 0)
    ltm_key_page_show_kid (self);
}

/* The end of every store change: the key, the kid, the channel secret. */
static void
ltm_key_page_changed_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LtmKeyPageOp) op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean changed = ltm_store_change_finish (LTM_STORE (source), result, &error);

  if (!ltm_key_page_op_is_current (op))
    return;

  if (!changed)
    {
      ltm_activity_fail (op->self->activity, op->failed, error);
      return;
    }

  ltm_activity_end (op->self->activity);
  if (op->then != NULL)
    op->then (op->self);
  ltm_ui_toast (GTK_WIDGET (op->self), op->done);
}

/* Puts @op's key in the keyring; the channel's thumbprint and date follow. */
static void
ltm_key_page_store_key (LtmKeyPageOp *op)
{
  ltm_key_page_op_continue (op, _("Sealing and storing the key…"));
  op->failed = _("The key was not stored");
  ltm_store_set_key_async (ltm_key_page_get_store (),
                           ltm_channel_get_channel_id (op->channel),
                           op->key, op->cancellable,
                           ltm_key_page_changed_cb, op);
}

static void
ltm_key_page_generated_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(LtmKeyPageOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_key_generate_finish (result, &error);

  if (!ltm_key_page_op_is_current (op))
    return;

  if (key == NULL)
    {
      ltm_activity_fail (op->self->activity, _("No key was generated"), error);
      return;
    }

  op->key = g_steal_pointer (&key);
  op->done = _("Key generated");
  ltm_key_page_store_key (g_steal_pointer (&op));
}

/* RSA key generation runs in a thread: the window stays responsive. */
static void
ltm_key_page_generate (LtmKeyPage *self)
{
  LtmKeyPageOp *op = ltm_key_page_op_new (self, _("Generating a key…"));

  ltm_key_generate_async (op->cancellable, ltm_key_page_generated_cb, op);
}

static void
ltm_key_page_replace_response_cb (AdwMessageDialog *dialog,
                                  const char       *response,
                                  LtmKeyPage       *self)
{
  LtmChannel *channel = g_object_get_data (G_OBJECT (dialog), "ltm-channel");
  LtmKeyPageOp *op = g_object_steal_data (G_OBJECT (dialog), "ltm-op");

  /* The channel may have changed under the dialog. */
  if (g_strcmp0 (response, "replace") != 0 || channel != ltm_page_get_channel (LTM_PAGE (self)) ||
      ltm_activity_get_busy (self->activity))
    {
      g_clear_pointer (&op, ltm_key_page_op_free);
      return;
    }

  if (op != NULL)
    ltm_key_page_store_key (op);
  else
    ltm_key_page_generate (self);
}

/* Asks before the channel's key is replaced.  @op holds an imported key,
 * or is %NULL for a key yet to be generated. */
static void
ltm_key_page_confirm_replace (LtmKeyPage   *self,
                              LtmKeyPageOp *op)
{
  AdwMessageDialog *dialog;

  dialog = ltm_ui_confirm_new (GTK_WIDGET (self), _("Replace the Key?"),
                               _("The new public key must be registered in the LINE Developers "
                                 "Console again, and the old key's kid can no longer be used "
                                 "for new tokens. Tokens already issued keep working until "
                                 "they expire."),
                               "replace", _("_Replace"));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);

  g_object_set_data_full (G_OBJECT (dialog), "ltm-channel",
                          g_object_ref (ltm_page_get_channel (LTM_PAGE (self))), g_object_unref);
  if (op != NULL)
    g_object_set_data_full (G_OBJECT (dialog), "ltm-op", op,
                            (GDestroyNotify) ltm_key_page_op_free);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (ltm_key_page_replace_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ltm_key_page_generate_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);

  if (ltm_channel_get_has_key (ltm_page_get_channel (LTM_PAGE (self))))
    ltm_key_page_confirm_replace (self, NULL);
  else
    ltm_key_page_generate (self);
}

static void
ltm_key_page_loaded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(LtmKeyPageOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = NULL;
  const char *old_thumbprint;
  char *contents = NULL;
  gsize len = 0;

  if (g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      key = ltm_key_new_from_data (contents, len, LTM_KEY_IMPORT_PRIVATE, &error);
      /* The file held a private key: nothing of it stays in memory. */
      ltm_secret_wipe (contents, len);
      g_free (contents);
    }

  if (!ltm_key_page_op_is_current (op))
    return;

  if (key == NULL)
    {
      g_autofree char *heading = NULL;

      /* Translators: %s is a file name */
      heading = g_strdup_printf (_("The key in “%s” was not imported"), op->file_name);
      ltm_activity_fail (op->self->activity, heading, error);
      return;
    }

  op->key = g_steal_pointer (&key);
  op->done = _("Key imported");

  /* The same key again replaces nothing. */
  old_thumbprint = ltm_channel_get_key_thumbprint (op->channel);
  if (old_thumbprint != NULL && g_strcmp0 (old_thumbprint, ltm_key_get_thumbprint (op->key)) != 0)
    {
      LtmKeyPage *self = op->self;

      ltm_activity_end (self->activity);
      ltm_key_page_confirm_replace (self, g_steal_pointer (&op));
      return;
    }

  ltm_key_page_store_key (g_steal_pointer (&op));
}

/**
 * ltm_key_page_import_file:
 * @self: a #LtmKeyPage
 * @file: a private key: a JWK (WebCrypto, jwcrypto, jwx, node-jose, an
 *   older console download) or a PKCS#1 or PKCS#8 PEM file
 *
 * Reads @file and makes its key the channel's, asking first when that
 * replaces another key.  What goes wrong shows in the page.
 */
void
ltm_key_page_import_file (LtmKeyPage *self,
                          GFile      *file)
{
  LtmKeyPageOp *op;

  g_return_if_fail (LTM_IS_KEY_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (ltm_page_get_channel (LTM_PAGE (self)) == NULL)
    return;

  op = ltm_key_page_op_new (self, _("Reading the key…"));
  op->file_name = g_file_get_basename (file);
  if (op->file_name == NULL || !g_utf8_validate (op->file_name, -1, NULL))
    {
      g_free (op->file_name);
      op->file_name = g_file_get_parse_name (file);
    }

  g_file_load_contents_async (file, op->cancellable, ltm_key_page_loaded_cb, op);
}

static void
ltm_key_page_chooser_response_cb (GtkNativeDialog *chooser,
                                  int              response,
                                  LtmKeyPage      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ltm_key_page_import_file (self, file);
    }

  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
ltm_key_page_import_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) keys = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  gtk_file_filter_set_name (keys, _("Private Keys (JWK, JSON, PEM)"));
  gtk_file_filter_add_suffix (keys, "json");
  gtk_file_filter_add_suffix (keys, "jwk");
  gtk_file_filter_add_suffix (keys, "pem");
  gtk_file_filter_add_suffix (keys, "key");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  self->chooser = gtk_file_chooser_native_new (_("Import Key"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), keys);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), keys);
  g_signal_connect (self->chooser, "response",
                    G_CALLBACK (ltm_key_page_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Step 1 says whether the public key is on the clipboard. */
static void
ltm_key_page_show_copied (LtmKeyPage *self,
                          gboolean    copied)
{
  adw_action_row_set_subtitle (self->copy_step_row,
                               copied ? _("Copied: paste it in the console, then save the kid it shows below.") : _("Only the public half, in the JSON form the "
                                                    "console accepts; it holds no secret."));
}

static void
ltm_key_page_got_key_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LtmKeyPageOp) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtmKey) key = ltm_store_get_key_finish (LTM_STORE (source), result, &error);
  g_autofree char *jwk = NULL;

  if (!ltm_key_page_op_is_current (op))
    return;

  if (key == NULL)
    {
      ltm_activity_fail (op->self->activity, _("The public key was not copied"), error);
      return;
    }

  ltm_activity_end (op->self->activity);
  jwk = ltm_key_to_public_jwk (key);
  /* Said in the step itself: a toast would cover the kid row, which is
   * what the user fills in next. */
  ltm_ui_copy (GTK_WIDGET (op->self), jwk, NULL);
  ltm_key_page_show_copied (op->self, TRUE);
}

static void
ltm_key_page_copy_public_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);
  LtmKeyPageOp *op = ltm_key_page_op_new (self, _("Opening the stored key…"));

  ltm_store_get_key_async (ltm_key_page_get_store (), ltm_channel_get_channel_id (op->channel),
                           op->cancellable, ltm_key_page_got_key_cb, op);
}

static void
ltm_key_page_copy_thumbprint_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);
  const char *thumbprint = ltm_channel_get_key_thumbprint (ltm_page_get_channel (LTM_PAGE (self)));

  if (thumbprint != NULL)
    ltm_ui_copy (widget, thumbprint, _("Thumbprint copied"));
}

static void
ltm_key_page_open_console_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  ltm_ui_open_console (widget);
}

static void
ltm_key_page_save_kid_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);
  g_autofree char *kid = ltm_key_page_dup_kid_text (self);
  LtmKeyPageOp *op;

  if (kid[0] == '\0' && ltm_channel_get_kid (ltm_page_get_channel (LTM_PAGE (self))) == NULL)
    return;

  /* The row already says what is wrong. */
  if (kid[0] != '\0' && !ltm_jwt_check_kid (kid, NULL))
    {
      gtk_widget_error_bell (widget);
      return;
    }

  op = ltm_key_page_op_new (self, _("Saving the kid…"));
  op->failed = _("The kid was not saved");
  op->then = ltm_key_page_show_kid;
  if (kid[0] != '\0')
    {
      op->kid = g_steal_pointer (&kid);
      op->done = _("kid saved");
    }
  else
    {
      op->done = _("kid removed");
    }

  ltm_store_set_kid_async (ltm_key_page_get_store (), ltm_channel_get_channel_id (op->channel),
                           op->kid, op->cancellable, ltm_key_page_changed_cb, op);
}

/* Apply, or Enter (also once Apply is gone, after a refusal). */
static void
ltm_key_page_kid_apply_cb (LtmKeyPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "key.save-kid", NULL);
}

/* Another key: what was copied was the old one's. */
static void
ltm_key_page_key_notify_cb (LtmKeyPage *self)
{
  ltm_key_page_show_copied (self, FALSE);
  ltm_key_page_update (self);
}

/* A kid pasted and left is meant to be kept, as if Enter was pressed:
 * when the focus leaves the row, and when the page goes (to the JWT page,
 * which needs it).  Only a good kid that differs from the stored one; an
 * emptied row removes the kid only on Enter or Apply. */
static void
ltm_key_page_save_edited_kid (LtmKeyPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  g_autofree char *kid = ltm_key_page_dup_kid_text (self);

  if (channel == NULL || kid[0] == '\0' || g_strcmp0 (kid, ltm_channel_get_kid (channel)) == 0 ||
      !ltm_jwt_check_kid (kid, NULL))
    return;

  gtk_widget_activate_action (GTK_WIDGET (self), "key.save-kid", NULL);
}

static void
ltm_key_page_kid_leave_cb (LtmKeyPage *self)
{
  ltm_key_page_save_edited_kid (self);
}

static void
ltm_key_page_unmap (GtkWidget *widget)
{
  ltm_key_page_save_edited_kid (LTM_KEY_PAGE (widget));

  GTK_WIDGET_CLASS (ltm_key_page_parent_class)->unmap (widget);
}

/* A saved secret leaves no trace in the entry. */
static void
ltm_key_page_clear_secret (LtmKeyPage *self)
{
  ltm_key_page_set_row_text (ADW_ENTRY_ROW (self->secret_row), "");
}

static void
ltm_key_page_save_secret_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  LtmKeyPage *self = LTM_KEY_PAGE (widget);
  g_autoptr(LtmSecret) secret = NULL;
  g_autoptr(GError) error = NULL;
  LtmKeyPageOp *op;

  secret = ltm_key_page_dup_stripped (gtk_editable_get_text (GTK_EDITABLE (self->secret_row)));
  if (secret[0] == '\0')
    return;

  /* A pasted key, or text with a line break in it, is not a secret. */
  if (!ltm_jwt_check_channel_secret (secret, &error))
    {
      ltm_activity_fail (self->activity, _("The channel secret was not saved"), error);
      return;
    }

  op = ltm_key_page_op_new (self, _("Saving the channel secret…"));
  op->failed = _("The channel secret was not saved");
  op->done = _("Channel secret saved");
  op->then = ltm_key_page_clear_secret;
  ltm_store_set_secret_async (ltm_key_page_get_store (),
                              ltm_channel_get_channel_id (op->channel), secret,
                              op->cancellable, ltm_key_page_changed_cb, op);
}

/* Apply, or Enter (also once Apply is gone, after a refusal). */
static void
ltm_key_page_secret_apply_cb (LtmKeyPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "key.save-secret", NULL);
}

static void
ltm_key_page_channel_changed (LtmPage    *page,
                              LtmChannel *old_channel)
{
  LtmKeyPage *self = LTM_KEY_PAGE (page);
  LtmChannel *channel = ltm_page_get_channel (page);

  if (old_channel != NULL)
    g_signal_handlers_disconnect_by_data (old_channel, self);

  if (channel != NULL)
    {
      g_signal_connect_swapped (channel, "notify::key-thumbprint",
                                G_CALLBACK (ltm_key_page_key_notify_cb), self);
      g_signal_connect_swapped (channel, "notify::key-created",
                                G_CALLBACK (ltm_key_page_update_cb), self);
      g_signal_connect_swapped (channel, "notify::has-secret",
                                G_CALLBACK (ltm_key_page_update_cb), self);
      g_signal_connect_swapped (channel, "notify::kid",
                                G_CALLBACK (ltm_key_page_kid_notify_cb), self);
    }

  /* Nothing typed for one channel goes to another, least of all a secret. */
  ltm_activity_clear (self->activity);
  ltm_key_page_show_copied (self, FALSE);
  ltm_key_page_set_row_text (ADW_ENTRY_ROW (self->secret_row), "");
  ltm_key_page_show_kid (self);
  ltm_key_page_update (self);
}

static void
ltm_key_page_dispose (GObject *object)
{
  LtmKeyPage *self = LTM_KEY_PAGE (object);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));

  if (channel != NULL)
    g_signal_handlers_disconnect_by_data (channel, self);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_KEY_PAGE);
  g_clear_pointer (&self->shown_kid, g_free);

  G_OBJECT_CLASS (ltm_key_page_parent_class)->dispose (object);
}

static void
ltm_key_page_class_init (LtmKeyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LtmPageClass *page_class = LTM_PAGE_CLASS (klass);

  object_class->dispose = ltm_key_page_dispose;

  widget_class->unmap = ltm_key_page_unmap;

  page_class->channel_changed = ltm_key_page_channel_changed;

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-key-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, no_key_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, thumbprint_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, thumbprint_label);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, created_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, created_label);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, generate_button);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, copy_step_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, kid_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, kid_message);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, secret_state_row);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, secret_state_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmKeyPage, secret_row);
  gtk_widget_class_bind_template_callback (widget_class, ltm_key_page_busy_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_key_page_kid_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_key_page_kid_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_key_page_kid_leave_cb);
  gtk_widget_class_bind_template_callback (widget_class, ltm_key_page_secret_apply_cb);

  gtk_widget_class_install_action (widget_class, "key.generate", NULL,
                                   ltm_key_page_generate_action);
  gtk_widget_class_install_action (widget_class, "key.import", NULL,
                                   ltm_key_page_import_action);
  gtk_widget_class_install_action (widget_class, "key.copy-public", NULL,
                                   ltm_key_page_copy_public_action);
  gtk_widget_class_install_action (widget_class, "key.copy-thumbprint", NULL,
                                   ltm_key_page_copy_thumbprint_action);
  gtk_widget_class_install_action (widget_class, "key.open-console", NULL,
                                   ltm_key_page_open_console_action);
  gtk_widget_class_install_action (widget_class, "key.save-kid", NULL,
                                   ltm_key_page_save_kid_action);
  gtk_widget_class_install_action (widget_class, "key.save-secret", NULL,
                                   ltm_key_page_save_secret_action);
}

static void
ltm_key_page_init (LtmKeyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));
  ltm_key_page_update (self);
}
