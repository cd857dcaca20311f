/* ltm-webhook-post.c: a webhook body posted to a bot, as LINE posts it
 *
 * One path for both what the receiver forwards (LINE's bytes and LINE's
 * signature, unchanged) and what `ltm webhook send` signs itself: POST,
 * the body byte for byte, Content-Type, User-Agent and X-Line-Signature.
 * The bot is this computer over plain http, or anyone over https with
 * its certificate verified (the session's default, the system's CAs).
 * Redirects are not followed: LINE does not follow them either.  A bot
 * on this computer is reached directly; for any other, the desktop's
 * proxy settings are asked, once per connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-post.h"

#include <glib/gi18n-lib.h>

#include "ltm-line-client.h"
#include "ltm-webhook-error.h"
#include "ltm-webhook-signature.h"

/* Socket I/O: a bot that says nothing for this long is given up on. */
#define LTM_WEBHOOK_BOT_TIMEOUT 30
#define LTM_WEBHOOK_READ_CHUNK 8192

/**
 * ltm_webhook_check_bot_url:
 * @url: where a bot listens
 * @error: return location for a #GError
 *
 * Returns: %TRUE for an https URL, or an http URL to this computer: the
 *   bodies hold what people wrote, and travel unencrypted nowhere else
 */
gboolean
ltm_webhook_check_bot_url (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = ltm_line_parse_secure_url (url, "http://localhost:3000/callback", LTM_WEBHOOK_ERROR,
                                   LTM_WEBHOOK_ERROR_INVALID_URL, error);

  return uri != NULL;
}

/* A proxy resolver that asks nothing for this computer */

#define LTM_TYPE_LOOPBACK_PROXY_RESOLVER (ltm_loopback_proxy_resolver_get_type ())
G_DECLARE_FINAL_TYPE (LtmLoopbackProxyResolver, ltm_loopback_proxy_resolver,
                      LTM, LOOPBACK_PROXY_RESOLVER, GObject)

struct _LtmLoopbackProxyResolver {
  GObject parent_instance;
};

static void ltm_loopback_proxy_resolver_iface_init (GProxyResolverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtmLoopbackProxyResolver, ltm_loopback_proxy_resolver,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_PROXY_RESOLVER,
                                                      ltm_loopback_proxy_resolver_iface_init))

/* The bot on this computer: no proxy, and no lookup (libproxy's takes a
 * thread, and a quarter of the receiver's throughput with it). */
static gboolean
ltm_loopback_proxy_resolver_is_direct (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  return parsed != NULL && g_uri_get_host (parsed) != NULL &&
         ltm_line_host_is_loopback (g_uri_get_host (parsed));
}

static char **
ltm_loopback_proxy_resolver_direct (void)
{
  char **direct = g_new0 (char *, 2);

  direct[0] = g_strdup ("direct://");

  return direct;
}

static gboolean
ltm_loopback_proxy_resolver_is_supported (GProxyResolver *resolver)
{
  return TRUE;
}

static char **
ltm_loopback_proxy_resolver_lookup (GProxyResolver  *resolver,
                                    const char      *uri,
                                    GCancellable    *cancellable,
                                    GError         **error)
{
  if (ltm_loopback_proxy_resolver_is_direct (uri))
    return ltm_loopback_proxy_resolver_direct ();

  return g_proxy_resolver_lookup (g_proxy_resolver_get_default (), uri, cancellable, error);
}

static void
ltm_loopback_proxy_resolver_lookup_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char **proxies = g_proxy_resolver_lookup_finish (G_PROXY_RESOLVER (source), result, &error);

  if (proxies != NULL)
    g_task_return_pointer (task, proxies, (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

static void
ltm_loopback_proxy_resolver_lookup_async (GProxyResolver      *resolver,
                                          const char          *uri,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  g_task_set_source_tag (task, ltm_loopback_proxy_resolver_lookup_async);
  if (ltm_loopback_proxy_resolver_is_direct (uri))
    {
      g_task_return_pointer (task, ltm_loopback_proxy_resolver_direct (),
                             (GDestroyNotify) g_strfreev);
      return;
    }

  g_proxy_resolver_lookup_async (g_proxy_resolver_get_default (), uri, cancellable,
                                 ltm_loopback_proxy_resolver_lookup_cb,
                                 g_steal_pointer (&task));
}

static char **
ltm_loopback_proxy_resolver_lookup_finish (GProxyResolver  *resolver,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
ltm_loopback_proxy_resolver_iface_init (GProxyResolverInterface *iface)
{
  iface->is_supported = ltm_loopback_proxy_resolver_is_supported;
  iface->lookup = ltm_loopback_proxy_resolver_lookup;
  iface->lookup_async = ltm_loopback_proxy_resolver_lookup_async;
  iface->lookup_finish = ltm_loopback_proxy_resolver_lookup_finish;
}

static void
ltm_loopback_proxy_resolver_class_init (LtmLoopbackProxyResolverClass *klass)
{
}

static void
ltm_loopback_proxy_resolver_init (LtmLoopbackProxyResolver *self)
{
}

/**
 * ltm_webhook_session_new:
 *
 * Returns: (transfer full): a session for posting to bots: no proxy for
 *   this computer, TLS verified, a bounded wait
 */
SoupSession *
ltm_webhook_session_new (void)
{
  g_autoptr(GProxyResolver) resolver = g_object_new (LTM_TYPE_LOOPBACK_PROXY_RESOLVER, NULL);

  return soup_session_new_with_options ("timeout", LTM_WEBHOOK_BOT_TIMEOUT,
                                        "max-conns-per-host", 16,
                                        "proxy-resolver", resolver,
                                        NULL);
}

typedef struct {
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *answer;
  gint64 started;
} LtmWebhookPost;

static void
ltm_webhook_post_free (LtmWebhookPost *post)
{
  g_clear_object (&post->message);
  g_clear_object (&post->stream);
  g_clear_pointer (&post->answer, g_byte_array_unref);
  g_free (post);
}

void
ltm_webhook_answer_free (LtmWebhookAnswer *answer)
{
  if (answer == NULL)
    return;

  g_clear_pointer (&answer->body, g_bytes_unref);
  g_free (answer);
}

static void
ltm_webhook_post_fail (GTask  *task,
                       GError *cause)
{
  LtmWebhookPost *post = g_task_get_task_data (task);
  GUri *uri = soup_message_get_uri (post->message);
  g_autofree char *url = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, cause);
      return;
    }

  g_task_return_new_error (task, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_BOT,
                           _("The bot at %s could not be reached: %s"), url, cause->message);
  g_error_free (cause);
}

static void
ltm_webhook_post_done (GTask *task)
{
  LtmWebhookPost *post = g_task_get_task_data (task);
  LtmWebhookAnswer *answer = g_new0 (LtmWebhookAnswer, 1);

  answer->status = soup_message_get_status (post->message);
  answer->time_us = g_get_monotonic_time () - post->started;
  answer->body = g_byte_array_free_to_bytes (g_steal_pointer (&post->answer));

  g_task_return_pointer (task, answer, (GDestroyNotify) ltm_webhook_answer_free);
}

static void ltm_webhook_post_read_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);

static void
ltm_webhook_post_read (GTask *task)
{
  LtmWebhookPost *post = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (post->stream, LTM_WEBHOOK_READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task),
                                   ltm_webhook_post_read_cb, task);
}

static void
ltm_webhook_post_read_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmWebhookPost *post = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *data;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      ltm_webhook_post_fail (task, error);
      return;
    }

  data = g_bytes_get_data (chunk, &len);
  if (len == 0)
    {
      ltm_webhook_post_done (task);
      return;
    }

  /* The rest is read and dropped: the answer is done only when it ends. */
  if (post->answer->len < LTM_WEBHOOK_MAX_ANSWER)
    g_byte_array_append (post->answer, data,
                         MIN (len, LTM_WEBHOOK_MAX_ANSWER - post->answer->len));

  ltm_webhook_post_read (g_steal_pointer (&task));
}

static void
ltm_webhook_post_sent_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LtmWebhookPost *post = g_task_get_task_data (task);
  GError *error = NULL;

  post->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (post->stream == NULL)
    {
      ltm_webhook_post_fail (task, error);
      return;
    }

  ltm_webhook_post_read (g_steal_pointer (&task));
}

/**
 * ltm_webhook_post_async:
 * @session: a session from ltm_webhook_session_new()
 * @url: the bot's URL, checked with ltm_webhook_check_bot_url()
 * @body: the body, sent byte for byte
 * @content_type: (nullable): its type; %NULL for LINE's
 * @user_agent: (nullable): the User-Agent; %NULL for LINE's
 * @signature: (nullable): the X-Line-Signature to send with it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: for @callback
 */
void
ltm_webhook_post_async (SoupSession         *session,
                        const char          *url,
                        GBytes              *body,
                        const char          *content_type,
                        const char          *user_agent,
                        const char          *signature,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookPost *post;
  SoupMessageHeaders *headers;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (url != NULL && body != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, ltm_webhook_post_async);

  if (!ltm_webhook_check_bot_url (url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  post = g_new0 (LtmWebhookPost, 1);
  post->message = soup_message_new (SOUP_METHOD_POST, url);
  post->answer = g_byte_array_new ();
  g_task_set_task_data (task, post, (GDestroyNotify) ltm_webhook_post_free);

  soup_message_add_flags (post->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (post->message);
  soup_message_headers_replace (headers, "User-Agent",
                                user_agent != NULL ? user_agent : LTM_WEBHOOK_USER_AGENT);
  if (signature != NULL)
    soup_message_headers_replace (headers, LTM_WEBHOOK_SIGNATURE_HEADER, signature);
  soup_message_set_request_body_from_bytes (post->message,
                                            content_type != NULL ? content_type
                                                                 : LTM_WEBHOOK_CONTENT_TYPE,
                                            body);

  post->started = g_get_monotonic_time ();
  soup_session_send_async (session, post->message, G_PRIORITY_DEFAULT, cancellable,
                           ltm_webhook_post_sent_cb, g_steal_pointer (&task));
}

/**
 * ltm_webhook_post_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the bot's answer, whatever its status; %NULL
 *   with %LTM_WEBHOOK_ERROR_INVALID_URL or %LTM_WEBHOOK_ERROR_BOT when
 *   there was none
 */
LtmWebhookAnswer *
ltm_webhook_post_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ltm_webhook_post_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
