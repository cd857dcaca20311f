/* ltm-line-client.c: every LINE endpoint this project uses, on libsoup 3
 *
 * This file holds the client, the one path every request takes, and the
 * channel access token endpoints; the Messaging API's, which take a token,
 * are ltm-line-client-bot.c.
 *
 * One LtmLineClient, and so one SoupSession, per process: the window and
 * `ltm` each make one and keep it, so that calls reuse one connection.
 * Every endpoint is an _async/_finish pair that goes through one path,
 * ltm_line_client_send(): it adds the whole-request timeout, retries a GET
 * once after a network failure (never a call that creates something),
 * reads at most LTM_LINE_MAX_ANSWER bytes, and turns the answer into a
 * typed result or an LTM_LINE_ERROR with LINE's own words.
 *
 * Every message is sent again with its whole body: libsoup 3.2 resends a
 * message on a fresh connection when a reused one is reset, and so do we
 * after a network failure, but it cannot rewind the body stream it has
 * read.  Each body is kept as GBytes and set again before each resend.
 * No redirect is followed: LINE's API never redirects, and a token in a
 * query string must not travel to another origin.
 *
 * Tokens and secrets travel in request bodies (and, for v2.1 verify, in the
 * query string, as LINE defines it); nothing here logs them: debug output
 * names the method and path only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-line-client.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-line-client-private.h"
#include "ltm-secret.h"

/* LINE's answers are a few hundred bytes; anything near this is not LINE. */
#define LTM_LINE_MAX_ANSWER (1024 * 1024)
#define LTM_LINE_READ_CHUNK 16384
/* Socket I/O, including connecting; and the whole request, retry included. */
#define LTM_LINE_IO_TIMEOUT 15
#define LTM_LINE_REQUEST_TIMEOUT 30
/* Requests in flight to LINE at once, at most. */
#define LTM_LINE_MAX_CONNECTIONS 16
/* A GET that failed on the network goes once more, after this pause. */
#define LTM_LINE_RETRY_DELAY_MS 250

#define JWT_BEARER "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct _LtmLineClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;               /* no trailing slash */
  guint timeout;                /* the whole request, retry included */
  guint io_timeout;             /* connecting, or waiting for the next bytes */
};

G_DEFINE_FINAL_TYPE (LtmLineClient, ltm_line_client, G_TYPE_OBJECT)

typedef struct {
  SoupMessage *message;
  LtmLineParseFunc parse;       /* NULL: success is all there is to know */
  GDestroyNotify result_free;
  gboolean idempotent;
  guint attempts;
  GCancellable *cancellable;    /* the caller's */
  GCancellable *request_cancellable;
  gulong cancelled_id;
  GSource *timeout_source;
  gboolean timed_out;
  GInputStream *stream;
  GByteArray *answer;
} LtmLineRequest;

static void ltm_line_client_start (GTask *task);

/* A request body, kept so that the message can be sent again. */
typedef struct {
  char *content_type;
  GBytes *bytes;
} LtmLineBody;

static GQuark ltm_line_body_quark (void);
G_DEFINE_QUARK (ltm-line-body, ltm_line_body)

static void
ltm_line_body_free (gpointer data)
{
  LtmLineBody *body = data;

  g_free (body->content_type);
  g_bytes_unref (body->bytes);
  g_free (body);
}

/* Gives @message its body again from the start, before a resend. */
static void
ltm_line_message_rewind_body (SoupMessage *message)
{
  LtmLineBody *body = g_object_get_qdata (G_OBJECT (message), ltm_line_body_quark ());

  if (body != NULL)
    soup_message_set_request_body_from_bytes (message, body->content_type, body->bytes);
}

static void
ltm_line_message_restarted_cb (SoupMessage *message,
                               gpointer     user_data)
{
  ltm_line_message_rewind_body (message);
}

static void
ltm_line_message_set_body (SoupMessage *message,
                           const char  *content_type,
                           GBytes      *bytes)
{
  LtmLineBody *body = g_new0 (LtmLineBody, 1);

  body->content_type = g_strdup (content_type);
  body->bytes = g_bytes_ref (bytes);
  g_object_set_qdata_full (G_OBJECT (message), ltm_line_body_quark (), body, ltm_line_body_free);
  g_signal_connect (message, "restarted", G_CALLBACK (ltm_line_message_restarted_cb), NULL);

  ltm_line_message_rewind_body (message);
}

static void
ltm_line_request_free (LtmLineRequest *request)
{
  if (request->cancelled_id != 0)
    g_cancellable_disconnect (request->cancellable, request->cancelled_id);
  if (request->timeout_source != NULL)
    {
      g_source_destroy (request->timeout_source);
      g_source_unref (request->timeout_source);
    }
  g_clear_object (&request->cancellable);
  g_clear_object (&request->request_cancellable);
  g_clear_object (&request->stream);
  g_clear_object (&request->message);
  if (request->answer != NULL)
    {
      /* Answers carry access tokens. */
      ltm_secret_wipe (request->answer->data, request->answer->len);
      g_byte_array_unref (request->answer);
    }
  g_free (request);
}

static void
ltm_line_client_finalize (GObject *object)
{
  LtmLineClient *self = (LtmLineClient *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);

  G_OBJECT_CLASS (ltm_line_client_parent_class)->finalize (object);
}

static void
ltm_line_client_class_init (LtmLineClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ltm_line_client_finalize;
}

static void
ltm_line_client_init (LtmLineClient *self)
{
  self->timeout = LTM_LINE_REQUEST_TIMEOUT;
  self->io_timeout = LTM_LINE_IO_TIMEOUT;
  /* Enough connections for rotating many channels at once (8 by default)
   * over this one session; libsoup's default is 6 per host. */
  self->session = soup_session_new_with_options ("user-agent", "line-token-manager/" PACKAGE_VERSION,
                                                 "timeout", LTM_LINE_IO_TIMEOUT,
                                                 "max-conns", 2 * LTM_LINE_MAX_CONNECTIONS,
                                                 "max-conns-per-host", LTM_LINE_MAX_CONNECTIONS,
                                                 NULL);
}

/**
 * ltm_line_host_is_loopback:
 * @host: a URL's host
 *
 * Returns: %TRUE for localhost and the loopback addresses: this computer
 */
gboolean
ltm_line_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * ltm_line_parse_secure_url:
 * @url: where to send something
 * @example: a URL of the kind expected, for the message
 * @domain: the error domain to fail in
 * @code: the error code to fail with
 * @error: return location for a #GError
 *
 * The one rule for every URL this program sends to: https, or plain http
 * only to this computer (127.0.0.1, ::1 or localhost), so that tokens,
 * secrets and what people wrote never travel unencrypted over a network.
 *
 * Returns: (transfer full) (nullable): @url parsed, or %NULL with
 *   @domain and @code
 */
GUri *
ltm_line_parse_secure_url (const char  *url,
                           const char  *example,
                           GQuark       domain,
                           int          code,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL || host[0] == '\0')
    {
      g_set_error (error, domain, code, _("“%s” is not a URL like %s"), url, example);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0 ||
      (g_ascii_strcasecmp (scheme, "http") == 0 && ltm_line_host_is_loopback (host)))
    return g_steal_pointer (&uri);

  if (g_ascii_strcasecmp (scheme, "http") == 0)
    g_set_error (error, domain, code,
                 _("Plain http is only allowed to this computer (127.0.0.1, ::1 or localhost); "
                   "use https for “%s”"), url);
  else
    g_set_error (error, domain, code,
                 _("“%s” must start with https://, or http:// to this computer"), url);

  return NULL;
}

/**
 * ltm_line_check_base_url:
 * @base_url: where LINE's API is
 * @error: return location for a #GError
 *
 * A URL as ltm_line_parse_secure_url() wants it (an http one is the test
 * server), with no user, query or fragment.
 *
 * Returns: %TRUE if @base_url may be used
 */
gboolean
ltm_line_check_base_url (const char  *base_url,
                         GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, FALSE);

  uri = ltm_line_parse_secure_url (base_url, "https://api.line.me", LTM_LINE_ERROR,
                                   LTM_LINE_ERROR_INVALID_BASE, error);
  if (uri == NULL)
    return FALSE;

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_INVALID_BASE,
                                                    _("The API base URL “%s” may not have a user, "
                                                      "a query or a fragment"), base_url));
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_line_check_webhook_url:
 * @url: a webhook URL
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE would accept @url: https, at most 500 characters,
 *   no white space or control characters
 */
gboolean
ltm_line_check_webhook_url (const char  *url,
                            GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  glong length;

  g_return_val_if_fail (url != NULL, FALSE);

  if (!g_utf8_validate (url, -1, NULL))
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_INVALID_ARGUMENT,
                                                    _("The webhook URL is not valid text")));
      return FALSE;
    }

  for (const char *p = url; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_INVALID_ARGUMENT,
                                                        _("A webhook URL cannot contain spaces, "
                                                          "line breaks or control characters; "
                                                          "write a space in a path as %%20")));
          return FALSE;
        }
    }

  length = g_utf8_strlen (url, -1);
  if (length > LTM_LINE_WEBHOOK_MAX_LENGTH)
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_INVALID_ARGUMENT,
                                                    _("A webhook URL may have at most 500 characters; "
                                                      "this one has %ld"), length));
      return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_propagate_error (error, ltm_line_error_new (LTM_LINE_ERROR_INVALID_ARGUMENT,
                                                    _("A webhook URL must be an https:// URL, like "
                                                      "https://bot.example.com/callback; LINE only "
                                                      "calls bots over HTTPS")));
      return FALSE;
    }

  return TRUE;
}

/**
 * ltm_line_client_new:
 * @base_url: (nullable): where LINE's API is; %NULL for `LTM_API_BASE` or,
 *   without it, https://api.line.me
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a client, or %NULL if the base URL is refused
 */
LtmLineClient *
ltm_line_client_new (const char  *base_url,
                     GError     **error)
{
  LtmLineClient *self;
  g_autofree char *base = NULL;

  if (base_url == NULL)
    base_url = g_getenv ("LTM_API_BASE");
  if (base_url == NULL || base_url[0] == '\0')
    base_url = LTM_LINE_DEFAULT_BASE_URL;

  if (!ltm_line_check_base_url (base_url, error))
    return NULL;

  base = g_strdup (base_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  self = g_object_new (LTM_TYPE_LINE_CLIENT, NULL);
  self->base_url = g_steal_pointer (&base);

  return self;
}

/**
 * ltm_line_client_get_base_url:
 * @self: a #LtmLineClient
 *
 * Returns: the base URL, without a trailing slash
 */
const char *
ltm_line_client_get_base_url (LtmLineClient *self)
{
  g_return_val_if_fail (LTM_IS_LINE_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * ltm_line_client_set_tls_database:
 * @self: a #LtmLineClient
 * @database: (nullable): the certificates to trust, %NULL for the system's
 *
 * For tests against a server with its own certificate authority.
 * Certificates are always verified; there is no way to turn that off.
 */
void
ltm_line_client_set_tls_database (LtmLineClient *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (database == NULL)
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  else
    g_object_ref (database);

  soup_session_set_tls_database (self->session, database);
  g_clear_object (&database);
}

/**
 * ltm_line_client_set_timeout:
 * @self: a #LtmLineClient
 * @seconds: the most a whole request may take, retry included
 */
void
ltm_line_client_set_timeout (LtmLineClient *self,
                             guint          seconds)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
  self->io_timeout = MIN (seconds, LTM_LINE_IO_TIMEOUT);
  soup_session_set_timeout (self->session, self->io_timeout);
}

static char *
ltm_line_client_host (LtmLineClient *self)
{
  g_autoptr(GUri) uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL ? g_uri_get_host (uri) : self->base_url);
}

static GError *
ltm_line_client_network_error (LtmLineClient  *self,
                               LtmLineRequest *request,
                               const GError   *cause)
{
  g_autofree char *host = ltm_line_client_host (self);
  const char *reason;

  if (request->timed_out || g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return ltm_line_error_new (LTM_LINE_ERROR_NETWORK,
                               _("%s did not answer within %u seconds; check your network "
                                 "connection and try again"),
                               host, request->timed_out ? self->timeout : self->io_timeout);

  if (cause->domain == G_TLS_ERROR)
    {
      GTlsCertificateFlags flaws = soup_message_get_tls_peer_certificate_errors (request->message);
      const char *why = cause->message;

      if (flaws & G_TLS_CERTIFICATE_EXPIRED)
        why = _("its certificate has expired");
      else if (flaws & G_TLS_CERTIFICATE_NOT_ACTIVATED)
        why = _("its certificate is not valid yet; check this computer's clock");
      else if (flaws & G_TLS_CERTIFICATE_BAD_IDENTITY)
        why = _("its certificate is for another host name");
      else if (flaws & G_TLS_CERTIFICATE_UNKNOWN_CA)
        why = _("its certificate is not signed by an authority this computer trusts");
      else if (flaws & G_TLS_CERTIFICATE_REVOKED)
        why = _("its certificate has been revoked");

      return ltm_line_error_new (LTM_LINE_ERROR_NETWORK,
                                 _("Could not make a secure connection to %s: %s"), host, why);
    }

  /* GIO's own words often name the host again ("Could not connect to
   * HOST: Connection refused"): say it once. */
  if (strstr (cause->message, host) != NULL && (reason = g_strrstr (cause->message, ": ")) != NULL)
    reason += 2;
  else
    reason = cause->message;

  return ltm_line_error_new (LTM_LINE_ERROR_NETWORK, _("Could not reach %s: %s"), host, reason);
}

static gboolean
ltm_line_client_retry_cb (gpointer user_data)
{
  ltm_line_client_start (G_TASK (user_data));

  return G_SOURCE_REMOVE;
}

/* A failed attempt: cancelled, timed out, or the network said no. */
static void
ltm_line_client_fail (GTask        *task,
                      const GError *cause)
{
  LtmLineClient *self = g_task_get_source_object (task);
  LtmLineRequest *request = g_task_get_task_data (task);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !request->timed_out)
    {
      g_task_return_error (task, g_error_copy (cause));
      return;
    }

  /* A GET may go once more: it changes nothing at LINE. */
  if (request->idempotent && request->attempts < 2 && !request->timed_out &&
      cause->domain != G_TLS_ERROR && !g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_debug ("Retrying %s %s after: %s", soup_message_get_method (request->message),
               g_uri_get_path (soup_message_get_uri (request->message)), cause->message);
      g_clear_object (&request->stream);
      g_byte_array_set_size (request->answer, 0);
      /* libsoup lets go of the message only after this callback. */
      g_timeout_add_full (G_PRIORITY_DEFAULT, LTM_LINE_RETRY_DELAY_MS,
                          ltm_line_client_retry_cb, g_object_ref (task), g_object_unref);
      return;
    }

  g_task_return_error (task, ltm_line_client_network_error (self, request, cause));
}

/* Where a 3xx pointed, without a query that might hold a token. */
static GError *
ltm_line_client_redirect_error (SoupMessage *message,
                                const char  *request_id)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char *location = soup_message_headers_get_one (headers, "Location");
  guint status = soup_message_get_status (message);
  g_autoptr(GUri) target = NULL;
  g_autofree char *shown = NULL;

  if (location != NULL)
    target = g_uri_parse_relative (soup_message_get_uri (message), location,
                                   G_URI_FLAGS_NONE, NULL);

  if (target == NULL)
    return ltm_line_error_new_unexpected (status, request_id,
                                          _("The server answered with a redirect (HTTP %u) "
                                            "to no valid place; LINE's API never redirects, "
                                            "so it was not followed"), status);

  shown = g_uri_to_string_partial (target, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY |
                                           G_URI_HIDE_FRAGMENT);

  return ltm_line_error_new_unexpected (status, request_id,
                                        _("The server answered with a redirect (HTTP %u) to "
                                          "%s; LINE's API never redirects, so it was not "
                                          "followed"), status, shown);
}

static void
ltm_line_client_complete (GTask *task)
{
  LtmLineRequest *request = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (request->message);
  guint status = soup_message_get_status (request->message);
  const char *request_id = soup_message_headers_get_one (headers, "X-Line-Request-Id");
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = g_bytes_new_static (request->answer->data, request->answer->len);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  gpointer result;

  g_debug ("%s %s → %u", soup_message_get_method (request->message),
           g_uri_get_path (soup_message_get_uri (request->message)), status);

  if (SOUP_STATUS_IS_REDIRECTION (status))
    {
      g_task_return_error (task, ltm_line_client_redirect_error (request->message, request_id));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      GError *refusal = ltm_line_error_new_from_response (status, request_id, content_type, body);
      const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");

      if (status == 429 && retry_after != NULL &&
          g_ascii_string_to_unsigned (retry_after, 10, 0, 86400, NULL, NULL))
        {
          char *message = g_strdup_printf (_("%s. LINE asks to wait %s seconds before trying "
                                             "again."), refusal->message, retry_after);

          g_free (refusal->message);
          refusal->message = message;
        }

      g_task_return_error (task, refusal);
      return;
    }

  if (request->parse == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  object = ltm_line_parse_json_answer (status, request_id, content_type, body, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = request->parse (object, &error);
  if (result == NULL)
    {
      g_task_return_error (task, ltm_line_error_new_unexpected (status, request_id, "%s",
                                                                error->message));
      return;
    }

  g_task_return_pointer (task, result, request->result_free);
}

static void
ltm_line_client_read_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmLineRequest *request = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      ltm_line_client_fail (task, error);
      return;
    }

  len = g_bytes_get_size (chunk);
  if (len == 0)
    {
      g_input_stream_close (request->stream, NULL, NULL);
      ltm_line_client_complete (task);
      return;
    }

  if (request->answer->len + len > LTM_LINE_MAX_ANSWER)
    {
      g_input_stream_close (request->stream, NULL, NULL);
      g_task_return_error (task, ltm_line_error_new_unexpected (
        soup_message_get_status (request->message),
        soup_message_headers_get_one (soup_message_get_response_headers (request->message),
                                      "X-Line-Request-Id"),
        _("LINE's answer is larger than 1 MiB, which LINE never sends; the rest was not read")));
      return;
    }

  g_byte_array_append (request->answer, g_bytes_get_data (chunk, NULL), len);
  ltm_secret_wipe ((gpointer) g_bytes_get_data (chunk, NULL), len);

  g_input_stream_read_bytes_async (request->stream, LTM_LINE_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->request_cancellable, ltm_line_client_read_cb,
                                   g_steal_pointer (&task));
}

static void
ltm_line_client_send_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmLineRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      ltm_line_client_fail (task, error);
      return;
    }

  g_input_stream_read_bytes_async (request->stream, LTM_LINE_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->request_cancellable, ltm_line_client_read_cb,
                                   g_steal_pointer (&task));
}

static void
ltm_line_client_start (GTask *task)
{
  LtmLineClient *self = g_task_get_source_object (task);
  LtmLineRequest *request = g_task_get_task_data (task);

  if (request->attempts++ > 0)
    ltm_line_message_rewind_body (request->message);

  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->request_cancellable, ltm_line_client_send_cb,
                           g_object_ref (task));
}

static gboolean
ltm_line_client_timeout_cb (gpointer user_data)
{
  LtmLineRequest *request = user_data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->request_cancellable);
  g_clear_pointer (&request->timeout_source, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
ltm_line_client_cancelled_cb (GCancellable *cancellable,
                              gpointer      user_data)
{
  GCancellable *request_cancellable = user_data;

  g_cancellable_cancel (request_cancellable);
}

/* Takes @message; the task's result is what @parse makes of the answer. */
void
ltm_line_client_send (LtmLineClient       *self,
                      SoupMessage         *message,
                      LtmLineParseFunc     parse,
                      GDestroyNotify       result_free,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data,
                      gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  LtmLineRequest *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  /* LINE's API never redirects (line-api.md): a 3xx is an error. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);

  request = g_new0 (LtmLineRequest, 1);
  request->message = message;
  request->parse = parse;
  request->result_free = result_free;
  request->idempotent = (soup_message_get_flags (message) & SOUP_MESSAGE_IDEMPOTENT) ||
                        g_str_equal (soup_message_get_method (message), SOUP_METHOD_GET) ||
                        g_str_equal (soup_message_get_method (message), SOUP_METHOD_PUT);
  request->answer = g_byte_array_new ();
  request->request_cancellable = g_cancellable_new ();
  g_task_set_task_data (task, request, (GDestroyNotify) ltm_line_request_free);

  if (cancellable != NULL)
    {
      request->cancellable = g_object_ref (cancellable);
      request->cancelled_id = g_cancellable_connect (cancellable,
                                                     G_CALLBACK (ltm_line_client_cancelled_cb),
                                                     g_object_ref (request->request_cancellable),
                                                     g_object_unref);
    }

  request->timeout_source = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (request->timeout_source, ltm_line_client_timeout_cb, request, NULL);
  g_source_attach (request->timeout_source, g_main_context_get_thread_default ());

  g_debug ("%s %s", soup_message_get_method (message), g_uri_get_path (soup_message_get_uri (message)));

  ltm_line_client_start (task);
}

gpointer
ltm_line_client_finish (LtmLineClient  *self,
                        GAsyncResult   *result,
                        gpointer        source_tag,
                        GError        **error)
{
  g_return_val_if_fail (LTM_IS_LINE_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ltm_line_client_finish_boolean (LtmLineClient  *self,
                                GAsyncResult   *result,
                                gpointer        source_tag,
                                GError        **error)
{
  g_return_val_if_fail (LTM_IS_LINE_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A token or a secret of the wrong shape (a key file, a line break) never
 * reaches a header or a form. */
gboolean
ltm_line_client_check_credentials (LtmLineClient       *self,
                                   const char          *access_token,
                                   const char          *channel_secret,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data,
                                   gpointer             source_tag)
{
  g_autoptr(GError) error = NULL;

  if ((access_token == NULL || ltm_jwt_check_access_token (access_token, &error)) &&
      (channel_secret == NULL || ltm_jwt_check_channel_secret (channel_secret, &error)))
    return TRUE;

  g_task_report_error (self, callback, user_data, source_tag,
                       ltm_line_error_new (LTM_LINE_ERROR_INVALID_ARGUMENT, "%s", error->message));

  return FALSE;
}

static void
ltm_line_form_body_free (gpointer data)
{
  ltm_secret_free (data);
}

/* A form POST; the encoded body holds secrets and is wiped when sent. */
static SoupMessage *
ltm_line_client_new_form_post (LtmLineClient *self,
                               const char    *path,
                               const char    *first_field,
                               ...)
{
  g_autofree char *uri = g_strconcat (self->base_url, path, NULL);
  g_autoptr(GBytes) body = NULL;
  SoupMessage *message;
  char *form;
  va_list args;

  va_start (args, first_field);
  form = soup_form_encode_valist (first_field, args);
  va_end (args);

  body = g_bytes_new_with_free_func (form, strlen (form), ltm_line_form_body_free, form);
  message = soup_message_new (SOUP_METHOD_POST, uri);
  ltm_line_message_set_body (message, SOUP_FORM_MIME_TYPE_URLENCODED, body);

  return message;
}

/* For a POST that may safely go twice (a verify, a revoke): libsoup then
 * reuses an idle connection for it, and a network failure retries it once. */
static SoupMessage *
ltm_line_message_idempotent (SoupMessage *message)
{
  soup_message_add_flags (message, SOUP_MESSAGE_IDEMPOTENT);

  return message;
}

/* A GET with a query; the query may hold a token. */
static SoupMessage *
ltm_line_client_new_get (LtmLineClient *self,
                         const char    *path,
                         const char    *first_field,
                         ...)
{
  g_autoptr(LtmSecret) query = NULL;
  g_autoptr(LtmSecret) uri = NULL;
  va_list args;

  if (first_field == NULL)
    {
      g_autofree char *plain = g_strconcat (self->base_url, path, NULL);

      return soup_message_new (SOUP_METHOD_GET, plain);
    }

  va_start (args, first_field);
  query = soup_form_encode_valist (first_field, args);
  va_end (args);

  uri = g_strconcat (self->base_url, path, "?", query, NULL);

  return soup_message_new (SOUP_METHOD_GET, uri);
}

/* A request to the Messaging API, with the channel access token. */
SoupMessage *
ltm_line_client_new_bearer (LtmLineClient *self,
                            const char    *method,
                            const char    *path,
                            const char    *access_token,
                            const char    *json_body)
{
  g_autofree char *uri = g_strconcat (self->base_url, path, NULL);
  g_autoptr(LtmSecret) authorization = g_strconcat ("Bearer ", access_token, NULL);
  SoupMessage *message = soup_message_new (method, uri);

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Authorization", authorization);

  if (json_body != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (json_body, strlen (json_body));

      ltm_line_message_set_body (message, "application/json", body);
    }

  return message;
}

static gpointer
ltm_line_parse_v21_token (JsonObject  *object,
                          GError     **error)
{
  return ltm_line_token_new_from_json (object, TRUE, error);
}

static gpointer
ltm_line_parse_token (JsonObject  *object,
                      GError     **error)
{
  return ltm_line_token_new_from_json (object, FALSE, error);
}

/**
 * ltm_line_client_issue_token_async:
 * @self: a #LtmLineClient
 * @jwt: a signed assertion (ltm_jwt_create_assertion())
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * Issues a channel access token v2.1.  Never retried: a second attempt
 * could leave a token at LINE that nobody knows.
 */
void
ltm_line_client_issue_token_async (LtmLineClient       *self,
                                   const char          *jwt,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (jwt != NULL);

  ltm_line_client_send (self,
                        ltm_line_client_new_form_post (self, "/oauth2/v2.1/token",
                                                       "grant_type", "client_credentials",
                                                       "client_assertion_type", JWT_BEARER,
                                                       "client_assertion", jwt,
                                                       NULL),
                        ltm_line_parse_v21_token, (GDestroyNotify) ltm_line_token_free,
                        cancellable, callback, user_data, ltm_line_client_issue_token_async);
}

/**
 * ltm_line_client_issue_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token with its key_id, or %NULL
 */
LtmLineToken *
ltm_line_client_issue_token_finish (LtmLineClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_issue_token_async, error);
}

/**
 * ltm_line_client_verify_token_async:
 * @self: a #LtmLineClient
 * @access_token: a v2.1 or stateless token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 */
void
ltm_line_client_verify_token_async (LtmLineClient       *self,
                                    const char          *access_token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_verify_token_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_client_new_get (self, "/oauth2/v2.1/verify",
                                                 "access_token", access_token, NULL),
                        (LtmLineParseFunc) ltm_line_token_info_new_from_json,
                        (GDestroyNotify) ltm_line_token_info_free,
                        cancellable, callback, user_data, ltm_line_client_verify_token_async);
}

/**
 * ltm_line_client_verify_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel and remaining lifetime, or %NULL
 */
LtmLineTokenInfo *
ltm_line_client_verify_token_finish (LtmLineClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_verify_token_async, error);
}

/**
 * ltm_line_client_get_key_ids_async:
 * @self: a #LtmLineClient
 * @jwt: a fresh assertion for the channel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * Lists the key IDs of the channel's valid v2.1 tokens.
 */
void
ltm_line_client_get_key_ids_async (LtmLineClient       *self,
                                   const char          *jwt,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (jwt != NULL);

  ltm_line_client_send (self,
                        ltm_line_client_new_get (self, "/oauth2/v2.1/tokens/kid",
                                                 "client_assertion_type", JWT_BEARER,
                                                 "client_assertion", jwt,
                                                 NULL),
                        (LtmLineParseFunc) ltm_line_key_ids_new_from_json,
                        (GDestroyNotify) g_strfreev,
                        cancellable, callback, user_data, ltm_line_client_get_key_ids_async);
}

/**
 * ltm_line_client_get_key_ids_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the key IDs, possibly none, or %NULL on error
 */
GStrv
ltm_line_client_get_key_ids_finish (LtmLineClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_get_key_ids_async, error);
}

/**
 * ltm_line_client_revoke_token_async:
 * @self: a #LtmLineClient
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @access_token: the v2.1 token to revoke
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * LINE answers success for an unknown token too.
 */
void
ltm_line_client_revoke_token_async (LtmLineClient       *self,
                                    const char          *channel_id,
                                    const char          *channel_secret,
                                    const char          *access_token,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (channel_id != NULL);
  g_return_if_fail (channel_secret != NULL);
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, channel_secret, callback, user_data,
                                          ltm_line_client_revoke_token_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_message_idempotent (
                          ltm_line_client_new_form_post (self, "/oauth2/v2.1/revoke",
                                                         "client_id", channel_id,
                                                         "client_secret", channel_secret,
                                                         "access_token", access_token,
                                                         NULL)),
                        NULL, NULL,
                        cancellable, callback, user_data, ltm_line_client_revoke_token_async);
}

/**
 * ltm_line_client_revoke_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE revoked the token (or never knew it)
 */
gboolean
ltm_line_client_revoke_token_finish (LtmLineClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return ltm_line_client_finish_boolean (self, result, ltm_line_client_revoke_token_async, error);
}

/**
 * ltm_line_client_issue_stateless_token_async:
 * @self: a #LtmLineClient
 * @jwt: (nullable): a signed assertion; or %NULL to use the secret
 * @channel_id: (nullable): the channel ID, when @jwt is %NULL
 * @channel_secret: (nullable): the channel secret, when @jwt is %NULL
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * Issues a stateless token: 15 minutes, cannot be revoked.
 */
void
ltm_line_client_issue_stateless_token_async (LtmLineClient       *self,
                                             const char          *jwt,
                                             const char          *channel_id,
                                             const char          *channel_secret,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  SoupMessage *message;

  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (jwt != NULL || (channel_id != NULL && channel_secret != NULL));

  if (!ltm_line_client_check_credentials (self, NULL, jwt == NULL ? channel_secret : NULL,
                                          callback, user_data,
                                          ltm_line_client_issue_stateless_token_async))
    return;

  if (jwt != NULL)
    message = ltm_line_client_new_form_post (self, "/oauth2/v3/token",
                                             "grant_type", "client_credentials",
                                             "client_assertion_type", JWT_BEARER,
                                             "client_assertion", jwt,
                                             NULL);
  else
    message = ltm_line_client_new_form_post (self, "/oauth2/v3/token",
                                             "grant_type", "client_credentials",
                                             "client_id", channel_id,
                                             "client_secret", channel_secret,
                                             NULL);

  ltm_line_client_send (self, message,
                        ltm_line_parse_token, (GDestroyNotify) ltm_line_token_free,
                        cancellable, callback, user_data,
                        ltm_line_client_issue_stateless_token_async);
}

/**
 * ltm_line_client_issue_stateless_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token (no key_id), or %NULL
 */
LtmLineToken *
ltm_line_client_issue_stateless_token_finish (LtmLineClient  *self,
                                              GAsyncResult   *result,
                                              GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_issue_stateless_token_async, error);
}

/**
 * ltm_line_client_issue_short_lived_token_async:
 * @self: a #LtmLineClient
 * @channel_id: the channel ID
 * @channel_secret: the channel secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 *
 * Issues a short-lived token (30 days).  LINE keeps 30; the 31st silently
 * revokes the oldest.
 */
void
ltm_line_client_issue_short_lived_token_async (LtmLineClient       *self,
                                               const char          *channel_id,
                                               const char          *channel_secret,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (channel_id != NULL);
  g_return_if_fail (channel_secret != NULL);

  if (!ltm_line_client_check_credentials (self, NULL, channel_secret, callback, user_data,
                                          ltm_line_client_issue_short_lived_token_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_client_new_form_post (self, "/v2/oauth/accessToken",
                                                       "grant_type", "client_credentials",
                                                       "client_id", channel_id,
                                                       "client_secret", channel_secret,
                                                       NULL),
                        ltm_line_parse_token, (GDestroyNotify) ltm_line_token_free,
                        cancellable, callback, user_data,
                        ltm_line_client_issue_short_lived_token_async);
}

/**
 * ltm_line_client_issue_short_lived_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the token, or %NULL
 */
LtmLineToken *
ltm_line_client_issue_short_lived_token_finish (LtmLineClient  *self,
                                                GAsyncResult   *result,
                                                GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_issue_short_lived_token_async,
                                 error);
}

/**
 * ltm_line_client_verify_short_lived_token_async:
 * @self: a #LtmLineClient
 * @access_token: a short-lived or long-lived token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 */
void
ltm_line_client_verify_short_lived_token_async (LtmLineClient       *self,
                                                const char          *access_token,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_verify_short_lived_token_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_message_idempotent (
                          ltm_line_client_new_form_post (self, "/v2/oauth/verify",
                                                         "access_token", access_token, NULL)),
                        (LtmLineParseFunc) ltm_line_token_info_new_from_json,
                        (GDestroyNotify) ltm_line_token_info_free,
                        cancellable, callback, user_data,
                        ltm_line_client_verify_short_lived_token_async);
}

/**
 * ltm_line_client_verify_short_lived_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the channel and remaining lifetime, or %NULL
 */
LtmLineTokenInfo *
ltm_line_client_verify_short_lived_token_finish (LtmLineClient  *self,
                                                 GAsyncResult   *result,
                                                 GError        **error)
{
  return ltm_line_client_finish (self, result, ltm_line_client_verify_short_lived_token_async,
                                 error);
}

/**
 * ltm_line_client_revoke_short_lived_token_async:
 * @self: a #LtmLineClient
 * @access_token: a short-lived or long-lived token
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when LINE answered
 * @user_data: data for @callback
 */
void
ltm_line_client_revoke_short_lived_token_async (LtmLineClient       *self,
                                                const char          *access_token,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_return_if_fail (LTM_IS_LINE_CLIENT (self));
  g_return_if_fail (access_token != NULL);

  if (!ltm_line_client_check_credentials (self, access_token, NULL, callback, user_data,
                                          ltm_line_client_revoke_short_lived_token_async))
    return;

  ltm_line_client_send (self,
                        ltm_line_message_idempotent (
                          ltm_line_client_new_form_post (self, "/v2/oauth/revoke",
                                                         "access_token", access_token, NULL)),
                        NULL, NULL,
                        cancellable, callback, user_data,
                        ltm_line_client_revoke_short_lived_token_async);
}

/**
 * ltm_line_client_revoke_short_lived_token_finish:
 * @self: a #LtmLineClient
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: %TRUE if LINE revoked the token
 */
gboolean
ltm_line_client_revoke_short_lived_token_finish (LtmLineClient  *self,
                                                 GAsyncResult   *result,
                                                 GError        **error)
{
  return ltm_line_client_finish_boolean (self, result,
                                         ltm_line_client_revoke_short_lived_token_async, error);
}
