/* ltm-jwt-page.c: the signed JWT assertion: create, decode, check
 *
 * The page makes the assertion LINE's v2.1 token endpoint takes, so that
 * the user can read it, check it and use it elsewhere.  The private key is
 * read from the keyring only for signing and verifying, and dropped right
 * after; what stays is the JWT itself, until the channel changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-jwt-page.h"

#include <glib/gi18n.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-ui.h"

#define LTM_JWT_PAGE_DAY (24 * 60 * 60)

struct _LtmJwtPage
{
  LtmPage parent_instance;

  LtmJwt *jwt;
  char *signature_error;        /* NULL when the signature verified */
  guint tick_id;

  LtmActivity *activity;
  AdwActionRow *missing_row;
  GtkSpinButton *lifetime_spin;
  GtkSpinButton *token_lifetime_spin;
  GtkWidget *result_box;
  GtkLabel *jwt_label;
  AdwActionRow *expiry_row;
  GtkImage *expiry_icon;
  AdwActionRow *signature_row;
  AdwActionRow *kid_check_row;
  GtkImage *signature_icon;
  AdwActionRow *claims_row;
  GtkImage *claims_icon;
  AdwActionRow *subject_row;
  AdwActionRow *audience_row;
  AdwActionRow *expires_row;
  AdwActionRow *token_exp_row;
  GtkLabel *header_label;
  GtkLabel *payload_label;
};

G_DEFINE_FINAL_TYPE (LtmJwtPage, ltm_jwt_page, LTM_TYPE_PAGE)

static gint64
ltm_jwt_page_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
ltm_jwt_page_has_kid (LtmJwtPage *self)
{
  const char *kid = ltm_channel_get_kid (ltm_page_get_channel (LTM_PAGE (self)));

  return kid != NULL && kid[0] != '\0';
}

/* Create needs a channel with a key and a kid, and nothing running; the
 * row above the lifetimes says what is missing. */
static void
ltm_jwt_page_update_actions (LtmJwtPage *self)
{
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  gboolean busy = ltm_activity_get_busy (self->activity);
  gboolean has_key = channel != NULL && ltm_channel_get_has_key (channel);
  gboolean has_kid = channel != NULL && ltm_jwt_page_has_kid (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jwt.create",
                                 channel != NULL && !busy && has_key && has_kid);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "jwt.copy", self->jwt != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lifetime_spin), channel != NULL && !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_lifetime_spin), channel != NULL && !busy);

  if (channel == NULL || (has_key && has_kid))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->missing_row), FALSE);
      return;
    }

  if (!has_key)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->missing_row),
                                     _("The channel has no assertion signing key"));
      adw_action_row_set_subtitle (self->missing_row,
                                   _("Create or import one on the Key page, register its public "
                                     "key in the LINE Developers Console and enter the kid the "
                                     "console shows."));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->missing_row),
                                     _("The channel has no kid"));
      adw_action_row_set_subtitle (self->missing_row,
                                   _("Register the public key in the LINE Developers Console, "
                                     "then enter the kid the console shows on the Key page."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->missing_row), TRUE);
}

static void
ltm_jwt_page_set_check (AdwActionRow *row,
                        GtkImage     *icon,
                        gboolean      ok,
                        const char   *message)
{
  gtk_image_set_from_icon_name (icon, ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (icon), ok ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (icon), ok ? "success" : "error");
  adw_action_row_set_subtitle (row, message);
}

/* What changes with time: the countdown and whether LINE would still
 * take the claims. */
static void
ltm_jwt_page_update_time (LtmJwtPage *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now = ltm_jwt_page_now ();
  gint64 exp;
  gboolean has_exp;
  gboolean claims_ok;

  if (self->jwt == NULL)
    return;

  has_exp = ltm_jwt_get_expiry (self->jwt, &exp);
  if (has_exp)
    {
      g_autofree char *expiry = ltm_ui_format_expiry (exp, now);

      adw_action_row_set_subtitle (self->expiry_row, expiry);
    }
  else
    {
      adw_action_row_set_subtitle (self->expiry_row, _("The JWT has no expiry time."));
    }

  if (!has_exp || exp <= now)
    gtk_widget_add_css_class (GTK_WIDGET (self->expiry_icon), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->expiry_icon), "error");

  /* What is checked here: the claims against LINE's rules.  Whether LINE
   * knows the kid it cannot say (kid_check_row). */
  claims_ok = ltm_jwt_check_line_claims (self->jwt, now, &error);
  ltm_jwt_page_set_check (self->claims_row, self->claims_icon, claims_ok,
                          claims_ok ? _("The claims follow LINE’s rules.") : error->message);
}

/* Only LINE knows which kids it registered for the channel. */
static void
ltm_jwt_page_show_kid_check (LtmJwtPage *self)
{
  const char *kid = ltm_json_object_get_string (ltm_jwt_get_header (self->jwt), "kid");
  g_autofree char *subtitle = NULL;

  /* Translators: %s is the kid in the JWT's header */
  subtitle = g_strdup_printf (_("Not checked here: only LINE knows whether it registered the "
                                "kid %s for this channel. Issuing a token tells."),
                              kid != NULL ? kid : "");
  adw_action_row_set_subtitle (self->kid_check_row, subtitle);
}

static gboolean
ltm_jwt_page_tick_cb (gpointer user_data)
{
  LtmJwtPage *self = user_data;

  ltm_jwt_page_update_time (self);

  return G_SOURCE_CONTINUE;
}

/* Counts down every second while the JWT is shown on screen. */
static void
ltm_jwt_page_update_timer (LtmJwtPage *self)
{
  gboolean wanted = self->jwt != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (wanted && self->tick_id == 0)
    {
      ltm_jwt_page_update_time (self);
      self->tick_id = g_timeout_add (1000, ltm_jwt_page_tick_cb, self);
    }
  else if (!wanted)
    {
      g_clear_handle_id (&self->tick_id, g_source_remove);
    }
}

static char *
ltm_jwt_page_format_json (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, TRUE);
}

static void
ltm_jwt_page_show_claims (LtmJwtPage *self)
{
  JsonObject *payload = ltm_jwt_get_payload (self->jwt);
  const char *iss = ltm_json_object_get_string (payload, "iss");
  const char *sub = ltm_json_object_get_string (payload, "sub");
  const char *aud = ltm_json_object_get_string (payload, "aud");
  const char *channel_id = ltm_channel_get_channel_id (ltm_page_get_channel (LTM_PAGE (self)));
  g_autofree char *subject = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *token_lifetime = NULL;
  gint64 exp;
  gint64 token_exp;

  if (iss == NULL || sub == NULL)
    subject = g_strdup (_("Missing"));
  else if (g_strcmp0 (iss, sub) == 0 && g_strcmp0 (iss, channel_id) == 0)
    /* Translators: %s is a channel ID, a number like 1234567890 */
    subject = g_strdup_printf (_("%s, this channel’s ID"), iss);
  else
    /* Translators: the two claims of a JWT; %s are their values */
    subject = g_strdup_printf (_("iss %s, sub %s"), iss, sub);
  adw_action_row_set_subtitle (self->subject_row, subject);

  if (aud == NULL)
    adw_action_row_set_subtitle (self->audience_row, _("Missing"));
  else if (g_strcmp0 (aud, LTM_JWT_AUDIENCE) == 0)
    {
      /* Translators: %s is LINE's address, https://api.line.me/ */
      g_autofree char *audience = g_strdup_printf (_("%s, LINE’s API"), aud);

      adw_action_row_set_subtitle (self->audience_row, audience);
    }
  else
    adw_action_row_set_subtitle (self->audience_row, aud);

  if (ltm_json_object_get_int (payload, "exp", &exp))
    expires = ltm_ui_format_date (exp);
  else
    expires = g_strdup (_("Missing"));
  adw_action_row_set_subtitle (self->expires_row, expires);

  if (!ltm_json_object_get_int (payload, "token_exp", &token_exp))
    token_lifetime = g_strdup (_("Missing"));
  else if (token_exp > 0 && token_exp % LTM_JWT_PAGE_DAY == 0)
    {
      int days = (int) MIN (token_exp / LTM_JWT_PAGE_DAY, G_MAXINT);

      /* Translators: the lifetime asked for the token; the second number is
       * the same in seconds */
      token_lifetime = g_strdup_printf (ngettext ("%d day (%lld seconds)",
                                                  "%d days (%lld seconds)", days),
                                        days, (long long) token_exp);
    }
  else
    {
      g_autofree char *span = ltm_ui_format_remaining (token_exp);

      /* Translators: %s is a span of time like "5 hours"; the number is
       * the same in seconds */
      token_lifetime = g_strdup_printf (_("%s (%lld seconds)"), span, (long long) token_exp);
    }
  adw_action_row_set_subtitle (self->token_exp_row, token_lifetime);
}

static void
ltm_jwt_page_show_jwt (LtmJwtPage *self)
{
  g_autofree char *header = NULL;
  g_autofree char *payload = NULL;

  if (self->jwt == NULL)
    {
      gtk_widget_set_visible (self->result_box, FALSE);
      gtk_label_set_text (self->jwt_label, "");
      gtk_label_set_text (self->header_label, "");
      gtk_label_set_text (self->payload_label, "");
      return;
    }

  header = ltm_jwt_page_format_json (ltm_jwt_get_header (self->jwt));
  payload = ltm_jwt_page_format_json (ltm_jwt_get_payload (self->jwt));

  gtk_label_set_text (self->jwt_label, ltm_jwt_get_compact (self->jwt));
  gtk_label_set_text (self->header_label, header);
  gtk_label_set_text (self->payload_label, payload);

  ltm_jwt_page_show_claims (self);
  ltm_jwt_page_show_kid_check (self);
  ltm_jwt_page_set_check (self->signature_row, self->signature_icon,
                          self->signature_error == NULL,
                          self->signature_error == NULL
                            ? _("The signature verifies with the channel’s key.")
                            : self->signature_error);
  ltm_jwt_page_update_time (self);

  gtk_widget_set_visible (self->result_box, TRUE);
}

static void
ltm_jwt_page_set_jwt (LtmJwtPage *self,
                      LtmJwt     *jwt,
                      const char *signature_error)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_set_object (&self->jwt, jwt);
  g_free (self->signature_error);
  self->signature_error = g_strdup (signature_error);

  ltm_jwt_page_show_jwt (self);
  ltm_jwt_page_update_actions (self);
  ltm_jwt_page_update_timer (self);
}

static void
ltm_jwt_page_get_key_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(LtmJwtPage) self = user_data;
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmJwt) jwt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) signature_error = NULL;
  g_autofree char *compact = NULL;
  gint64 lifetime;
  gint64 token_lifetime;

  key = ltm_store_get_key_finish (LTM_STORE (source), result, &error);

  /* Cancelled: the channel changed or the page went away; whoever
   * cancelled has dealt with the activity. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (key == NULL)
    {
      ltm_activity_fail (self->activity, _("The JWT was not created"), error);
      return;
    }

  if (channel == NULL || !ltm_jwt_page_has_kid (self))
    {
      ltm_activity_end (self->activity);
      return;
    }

  lifetime = gtk_spin_button_get_value_as_int (self->lifetime_spin) * (gint64) 60;
  token_lifetime = gtk_spin_button_get_value_as_int (self->token_lifetime_spin) *
                   (gint64) LTM_JWT_PAGE_DAY;

  compact = ltm_jwt_create_assertion (key, ltm_channel_get_kid (channel),
                                      ltm_channel_get_channel_id (channel),
                                      ltm_jwt_page_now (), lifetime, token_lifetime, &error);
  if (compact == NULL || (jwt = ltm_jwt_decode (compact, &error)) == NULL)
    {
      ltm_activity_fail (self->activity, _("The JWT was not created"), error);
      return;
    }

  ltm_jwt_verify_signature (jwt, key, &signature_error);

  /* Nothing secret is kept beyond the JWT itself. */
  g_clear_object (&key);

  ltm_activity_end (self->activity);
  ltm_jwt_page_set_jwt (self, jwt, signature_error != NULL ? signature_error->message : NULL);
}

static void
ltm_jwt_page_create_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  LtmJwtPage *self = LTM_JWT_PAGE (widget);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));
  LtmStore *store = ltm_application_get_store (ltm_application_get_default ());
  GCancellable *cancellable;

  if (channel == NULL)
    return;

  cancellable = ltm_activity_begin (self->activity, _("Reading the channel’s key…"));
  ltm_store_get_key_async (store, ltm_channel_get_channel_id (channel), cancellable,
                           ltm_jwt_page_get_key_cb, g_object_ref (self));
}

static void
ltm_jwt_page_copy_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LtmJwtPage *self = LTM_JWT_PAGE (widget);

  if (self->jwt == NULL)
    return;

  ltm_ui_copy (widget, ltm_jwt_get_compact (self->jwt), _("JWT copied"));
}

/* A JWT made with another key or kid no longer says what the channel has. */
static void
ltm_jwt_page_channel_key_notify_cb (LtmJwtPage *self)
{
  /* An error about the old key or kid no longer holds. */
  ltm_activity_dismiss (self->activity);
  ltm_jwt_page_set_jwt (self, NULL, NULL);
}

static void
ltm_jwt_page_busy_notify_cb (LtmJwtPage *self)
{
  ltm_jwt_page_update_actions (self);
}

/* A JWT belongs to one channel: changing channel drops it. */
static void
ltm_jwt_page_channel_changed (LtmPage    *page,
                              LtmChannel *old_channel)
{
  LtmJwtPage *self = LTM_JWT_PAGE (page);
  LtmChannel *channel = ltm_page_get_channel (page);

  if (old_channel != NULL)
    g_signal_handlers_disconnect_by_data (old_channel, self);

  if (channel != NULL)
    {
      g_signal_connect_object (channel, "notify::kid",
                               G_CALLBACK (ltm_jwt_page_channel_key_notify_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (channel, "notify::key-thumbprint",
                               G_CALLBACK (ltm_jwt_page_channel_key_notify_cb), self,
                               G_CONNECT_SWAPPED);
    }

  ltm_activity_clear (self->activity);
  ltm_jwt_page_set_jwt (self, NULL, NULL);
}

static void
ltm_jwt_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ltm_jwt_page_parent_class)->map (widget);

  ltm_jwt_page_update_timer (LTM_JWT_PAGE (widget));
}

static void
ltm_jwt_page_unmap (GtkWidget *widget)
{
  LtmJwtPage *self = LTM_JWT_PAGE (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (ltm_jwt_page_parent_class)->unmap (widget);
}

static void
ltm_jwt_page_dispose (GObject *object)
{
  LtmJwtPage *self = LTM_JWT_PAGE (object);
  LtmChannel *channel = ltm_page_get_channel (LTM_PAGE (self));

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (channel != NULL)
    g_signal_handlers_disconnect_by_data (channel, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LTM_TYPE_JWT_PAGE);
  g_clear_object (&self->jwt);
  g_clear_pointer (&self->signature_error, g_free);

  G_OBJECT_CLASS (ltm_jwt_page_parent_class)->dispose (object);
}

static void
ltm_jwt_page_class_init (LtmJwtPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LtmPageClass *page_class = LTM_PAGE_CLASS (klass);

  object_class->dispose = ltm_jwt_page_dispose;

  widget_class->map = ltm_jwt_page_map;
  widget_class->unmap = ltm_jwt_page_unmap;

  page_class->channel_changed = ltm_jwt_page_channel_changed;

  gtk_widget_class_install_action (widget_class, "jwt.create", NULL, ltm_jwt_page_create_action);
  gtk_widget_class_install_action (widget_class, "jwt.copy", NULL, ltm_jwt_page_copy_action);

  g_type_ensure (LTM_TYPE_ACTIVITY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ltm/LineTokenManager/ltm-jwt-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, activity);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, missing_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, lifetime_spin);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, token_lifetime_spin);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, result_box);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, jwt_label);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, expiry_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, signature_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, kid_check_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, signature_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, claims_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, claims_icon);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, subject_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, audience_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, expires_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, token_exp_row);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, header_label);
  gtk_widget_class_bind_template_child (widget_class, LtmJwtPage, payload_label);
}

static void
ltm_jwt_page_init (LtmJwtPage *self)
{
  LtmApplication *app = ltm_application_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));
  ltm_ui_setup_rows (GTK_WIDGET (self));

  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->lifetime_spin),
                            LTM_JWT_MAX_LIFETIME / 60);
  gtk_spin_button_set_value (self->lifetime_spin, LTM_JWT_MAX_LIFETIME / 60);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->token_lifetime_spin),
                            LTM_JWT_MAX_TOKEN_LIFETIME / LTM_JWT_PAGE_DAY);

  /* The default follows Preferences; a value chosen here is this page's own. */
  if (app != NULL)
    g_settings_bind (ltm_application_get_settings (app), "token-lifetime-days",
                     self->token_lifetime_spin, "value",
                     G_SETTINGS_BIND_GET | G_SETTINGS_BIND_NO_SENSITIVITY);

  g_signal_connect_object (self->activity, "notify::busy",
                           G_CALLBACK (ltm_jwt_page_busy_notify_cb), self, G_CONNECT_SWAPPED);

  ltm_jwt_page_update_actions (self);
}
