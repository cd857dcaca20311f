/* ltm-ui.c: what every page does the same way: toasts, the clipboard,
 * dates and expiry in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-ui.h"

#include <glib/gi18n.h>

#include "ltm-resources.h"
#include "ltm-store.h"

/* Once per process, before the first template is looked up. */
void
ltm_ui_register_resources (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      ltm_register_resource ();
      g_once_init_leave (&done, 1);
    }
}

static void
ltm_ui_add_toast (GtkWidget *widget,
                  AdwToast  *toast)
{
  GtkWidget *overlay;

  /* From a page, the overlay is above; from the window, it is its content. */
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL && ADW_IS_APPLICATION_WINDOW (widget))
    overlay = adw_application_window_get_content (ADW_APPLICATION_WINDOW (widget));
  if (overlay == NULL || !ADW_IS_TOAST_OVERLAY (overlay))
    {
      g_object_unref (toast);
      return;
    }

  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

/**
 * ltm_ui_toast:
 * @widget: the window, or a widget inside its #AdwToastOverlay
 * @title: what happened, short
 */
void
ltm_ui_toast (GtkWidget  *widget,
              const char *title)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* A toast's title is Pango markup; this one is text, maybe with a name. */
  markup = g_markup_escape_text (title, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 3);
  ltm_ui_add_toast (widget, toast);
}

static void
ltm_ui_copy_console_url_cb (AdwToast  *toast,
                            GtkWidget *widget)
{
  ltm_ui_copy (widget, LTM_UI_CONSOLE_URL, _("Address copied"));
}

static void
ltm_ui_console_shown_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GtkWidget) widget = user_data;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* No browser (or none that would start): the address, to open elsewhere. */
  g_debug ("Could not open %s: %s", LTM_UI_CONSOLE_URL, error->message);
  toast = adw_toast_new (_("No browser could open the LINE Developers Console"));
  adw_toast_set_button_label (toast, _("_Copy Address"));
  adw_toast_set_timeout (toast, 0);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (ltm_ui_copy_console_url_cb),
                           widget, 0);
  ltm_ui_add_toast (widget, toast);
}

/**
 * ltm_ui_open_console:
 * @widget: the widget the user asked from, in a window
 *
 * Opens the LINE Developers Console in the browser; without one, a toast
 * offers to copy its address.
 */
void
ltm_ui_open_console (GtkWidget *widget)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  root = gtk_widget_get_root (widget);
  g_return_if_fail (GTK_IS_WINDOW (root));

  gtk_show_uri_full (GTK_WINDOW (root), LTM_UI_CONSOLE_URL, GDK_CURRENT_TIME, NULL,
                     ltm_ui_console_shown_cb, g_object_ref (widget));
}

/**
 * ltm_ui_copy:
 * @widget: the widget the user copied from
 * @text: what goes on the clipboard
 * @toast: (nullable): the toast that says so, unless the widget says it
 */
void
ltm_ui_copy (GtkWidget  *widget,
             const char *text,
             const char *toast)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (text != NULL);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  if (toast != NULL)
    ltm_ui_toast (widget, toast);
}

/**
 * ltm_ui_confirm_new:
 * @widget: the window, or a widget in it
 * @heading: the question, as in "Revoke the Token?"
 * @body: (nullable): what happens, and what cannot be undone
 * @response: the response ID of going ahead
 * @label: its button, with a mnemonic, as in "_Revoke"
 *
 * The question before something that cannot be undone: Cancel (the
 * default, and what Escape answers) or @label, styled destructive.
 * Connect to "response", then present it.
 *
 * Returns: (transfer none): the dialog, transient for @widget's window
 */
AdwMessageDialog *
ltm_ui_confirm_new (GtkWidget  *widget,
                    const char *heading,
                    const char *body,
                    const char *response,
                    const char *label)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                            : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    response, label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, response, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  return dialog;
}

static void
ltm_ui_name_toggle (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Show Text"), -1);
      ltm_ui_name_toggle (child);
    }
}

/**
 * ltm_ui_set_row_error:
 * @row: an entry row
 * @label: the caption under it that says what is wrong
 * @message: (nullable): what is wrong; %NULL when nothing is
 *
 * Marks @row wrong, or right again, the one way every form here does:
 * red, the reason under it, and both to a screen reader (its invalid
 * state and description).
 */
void
ltm_ui_set_row_error (GtkWidget  *row,
                      GtkLabel   *label,
                      const char *message)
{
  g_return_if_fail (GTK_IS_WIDGET (row));
  g_return_if_fail (label == NULL || GTK_IS_LABEL (label));

  /* Under the row when it has a place for it, else in its tooltip. */
  if (label != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
      gtk_label_set_text (label, message != NULL ? message : "");
    }
  else
    gtk_widget_set_tooltip_text (row, message);

  if (message == NULL)
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }

  gtk_widget_add_css_class (row, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                  -1);
}

/**
 * ltm_ui_setup_rows:
 * @root: a page, dialog or window, once its template is built
 *
 * What libadwaita 1.2's rows leave to the app, for the keyboard and a
 * screen reader: a row that does nothing on activation is no Tab stop of
 * its own (its buttons still are), and the show/hide button of a
 * password row has a name ("GtkImage" otherwise).
 */
void
ltm_ui_setup_rows (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (ADW_IS_ACTION_ROW (root) && !gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (root)))
    gtk_widget_set_focusable (root, FALSE);
  else if (ADW_IS_PASSWORD_ENTRY_ROW (root))
    ltm_ui_name_toggle (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ltm_ui_setup_rows (child);
}

static void
ltm_ui_build_menu_cb (GtkMenuButton *button,
                      gpointer       user_data)
{
  if (gtk_menu_button_get_popover (button) == NULL)
    gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

/**
 * ltm_ui_defer_menu:
 * @button: a menu button without a menu
 * @model: its menu
 *
 * Gives @button its menu when it first opens (by click, Enter or F10): a
 * menu button given a model builds the whole popover at once, some
 * milliseconds each before the window's first frame.
 */
void
ltm_ui_defer_menu (GtkMenuButton *button,
                   GMenuModel    *model)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (G_IS_MENU_MODEL (model));

  gtk_menu_button_set_create_popup_func (button, ltm_ui_build_menu_cb,
                                         g_object_ref (model), g_object_unref);
}

/* A date and time in the user's locale. */
char *
ltm_ui_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;
  const char *start;

  if (utc == NULL)
    return g_strdup (_("Unknown"));

  local = g_date_time_to_local (utc);
  /* Translators: a date and time, see g_date_time_format(); for example "30 Nov 2026, 14:05" */
  text = g_date_time_format (local, _("%e %b %Y, %H:%M"));

  if (text == NULL)
    return g_strdup (_("Unknown"));

  /* %e pads the first nine days with a (figure) space: "Created  5 Dec". */
  start = text;
  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  return g_strdup (start);
}

/* "5 days", "3 hours", "12 minutes", "40 seconds": the larger unit that
 * fits, rounded to the nearest (a token issued for 30 days a minute ago
 * expires in 30 days, not 29). */
char *
ltm_ui_format_remaining (gint64 seconds)
{
  if (seconds >= 2 * 24 * 60 * 60)
    {
      int days = (int) MIN ((seconds + 12 * 60 * 60) / (24 * 60 * 60), G_MAXINT);
      return g_strdup_printf (ngettext ("%d day",
                                           "%d days", days), days);
    }
  if (seconds >= 2 * 60 * 60)
    {
      int hours = (int) ((seconds + 30 * 60) / (60 * 60));
      return g_strdup_printf (ngettext ("%d hour",
                                           "%d hours", hours), hours);
    }
  if (seconds >= 2 * 60)
    {
      int minutes = (int) ((seconds + 30) / 60);
      return g_strdup_printf (ngettext ("%d minute",
                                           "%d minutes", minutes), minutes);
    }

  int secs = (int) MAX (seconds, 0);
  return g_strdup_printf (ngettext ("%d second", "%d seconds", secs), secs);
}

/* "Expires in 5 days" or "Expired 2 hours ago". */
char *
ltm_ui_format_expiry (gint64 expires_at,
                      gint64 now)
{
  g_autofree char *span = ltm_ui_format_remaining (ABS (expires_at - now));

  /* A token moved from 0.1's keyring without a listing: LINE knows when. */
  if (expires_at <= 0)
    return g_strdup (_("Expiry unknown"));

  if (expires_at > now)
    /* Translators: %s is a span of time, like "5 days" */
    return g_strdup_printf (_("Expires in %s"), span);

  /* Translators: %s is a span of time, like "5 days" */
  return g_strdup_printf (_("Expired %s ago"), span);
}

/**
 * ltm_ui_store_advice:
 * @error: an error
 *
 * The store says what is wrong; this says what a person at the desktop
 * can do about it (`ltm` gives its own advice, for a terminal).
 *
 * Returns: (nullable): advice for @error, or %NULL
 */
const char *
ltm_ui_store_advice (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != LTM_STORE_ERROR)
    return NULL;

  switch (error->code)
    {
    case LTM_STORE_ERROR_KEYRING_UNAVAILABLE:
      return _("The keyring keeps the key that opens your secrets: log in to a desktop session "
               "with GNOME Keyring (or another keyring) running, then try again.");
    case LTM_STORE_ERROR_KEYRING_LOCKED:
      return _("Unlock the keyring (for example in Passwords and Keys) and try again.");
    case LTM_STORE_ERROR_WRONG_MASTER_KEY:
      return _("If these channels came from another computer, its master key must come too: "
               "move them with “ltm channel export” there and “ltm channel import” here.");
    case LTM_STORE_ERROR_SEALED:
      return _("Add it again to replace it.");
    case LTM_STORE_ERROR_DAMAGED:
      return _("Move the file away to start with no channels, or put back a copy of it.");
    default:
      return NULL;
    }
}
