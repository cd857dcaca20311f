/* ltm-test-server-webhook.c: the webhook test's POST to the bot
 *
 * Like LINE, the webhook test really POSTs {"destination":"<bot userId>",
 * "events":[]} (application/json, with x-line-signature) to the bot, with
 * a 5 s timeout and no proxy, and answers with what happened.  Only status
 * 200 counts as success, as LINE asks of bots; a TLS failure is reported
 * as COULD_NOT_CONNECT, statusCode 0.  It trusts the system store plus
 * this server's own certificate, or only the database given to
 * ltm_test_server_set_webhook_tls_database().
 *
 * The POST runs in a worker thread with its own main context and one
 * SoupSession per call.  A test often points the webhook at this very
 * server: were the client in the server's thread, finalizing the server
 * while its own client is in a TLS handshake would deadlock (closing a TLS
 * connection waits for its handshake, and the handshake for the blocked
 * thread).  In a thread of its own the client always makes progress.
 *
 * Threads: the worker only touches a call's request fields and result;
 * `self` and the server message are only touched in the server's thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-test-server-private.h"

#define LTM_TEST_WEBHOOK_TIMEOUT 5

struct _LtmTestWebhookWorker
{
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GPtrArray *calls;             /* worker thread only: LtmTestWebhookCall in flight */
  gboolean quitting;            /* worker thread only */
};

typedef struct {
  /* The server's thread only */
  LtmTestServer *self;          /* NULL once the server is gone */
  SoupServerMessage *msg;

  /* Set before the worker starts, read-only after */
  GMainContext *server_context;
  LtmTestWebhookWorker *worker;
  char *endpoint;
  GBytes *body;
  char *signature;
  GTlsDatabase *database;       /* NULL: the default */
  GTlsCertificate *own_certificate;
  GCancellable *cancellable;

  /* The worker's, until it hands the call back */
  SoupSession *session;
  SoupMessage *request;
  guint status;
  char *reason_phrase;
  GError *error;
} LtmTestWebhookCall;

static void
ltm_test_webhook_call_free (LtmTestWebhookCall *call)
{
  g_clear_object (&call->msg);
  g_clear_pointer (&call->server_context, g_main_context_unref);
  g_free (call->endpoint);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->signature);
  g_clear_object (&call->database);
  g_clear_object (&call->own_certificate);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->request);
  g_clear_object (&call->session);
  g_free (call->reason_phrase);
  g_clear_error (&call->error);
  g_free (call);
}

/* The worker thread */

static gpointer
ltm_test_webhook_worker_run (gpointer data)
{
  LtmTestWebhookWorker *worker = data;

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);

  return NULL;
}

static gboolean
ltm_test_webhook_worker_quit_cb (gpointer data)
{
  LtmTestWebhookWorker *worker = data;

  worker->quitting = TRUE;
  if (worker->calls->len == 0)
    g_main_loop_quit (worker->loop);

  /* Cancelled here, in the thread that runs the calls. */
  for (guint i = 0; i < worker->calls->len; i++)
    {
      LtmTestWebhookCall *call = g_ptr_array_index (worker->calls, i);

      g_cancellable_cancel (call->cancellable);
    }

  return G_SOURCE_REMOVE;
}

static char *
ltm_test_server_timestamp (LtmTestServer *self)
{
  gint64 usec = g_get_real_time () + self->clock_offset * G_USEC_PER_SEC;
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int) (usec % G_USEC_PER_SEC / 1000));
}

/* Back in the server's thread: answer the webhook test. */
static gboolean
ltm_test_webhook_call_finish_cb (gpointer data)
{
  LtmTestWebhookCall *call = data;
  LtmTestServer *self = call->self;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *timestamp = NULL;
  g_autofree char *detail = NULL;
  const GError *error = call->error;
  const char *reason;

  if (self == NULL)
    {
      ltm_test_webhook_call_free (call);
      return G_SOURCE_REMOVE;
    }

  g_ptr_array_remove_fast (self->webhook_calls, call);

  if (error == NULL && call->status == SOUP_STATUS_OK)
    {
      reason = "OK";
      detail = g_strdup ("200");
    }
  else if (error == NULL)
    {
      reason = "ERROR_STATUS_CODE";
      detail = g_strdup_printf ("%u %s", call->status, call->reason_phrase);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      reason = "REQUEST_TIMEOUT";
      detail = g_strdup (error->message);
    }
  else if (error->domain == G_TLS_ERROR ||
           error->domain == G_RESOLVER_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    {
      reason = "COULD_NOT_CONNECT";
      detail = g_strdup (error->message);
    }
  else
    {
      reason = "UNCLASSIFIED";
      detail = g_strdup (error->message);
    }

  timestamp = ltm_test_server_timestamp (self);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "success");
  json_builder_add_boolean_value (builder, error == NULL && call->status == SOUP_STATUS_OK);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  json_builder_set_member_name (builder, "statusCode");
  json_builder_add_int_value (builder, error == NULL ? call->status : 0);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  ltm_test_server_reply_json (call->msg, SOUP_STATUS_OK, node);
  ltm_test_server_release (call->msg);

  ltm_test_webhook_call_free (call);

  return G_SOURCE_REMOVE;
}

static void
ltm_test_webhook_call_done_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  LtmTestWebhookCall *call = user_data;
  LtmTestWebhookWorker *worker = call->worker;
  g_autoptr(GBytes) answer = NULL;

  answer = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &call->error);
  if (call->error == NULL)
    {
      call->status = soup_message_get_status (call->request);
      call->reason_phrase = g_strdup (soup_message_get_reason_phrase (call->request));
    }

  /* The session and the request belong to this thread. */
  g_clear_object (&call->request);
  g_clear_object (&call->session);

  g_main_context_invoke (call->server_context, ltm_test_webhook_call_finish_cb, call);

  g_ptr_array_remove_fast (worker->calls, call);
  if (worker->quitting && worker->calls->len == 0)
    g_main_loop_quit (worker->loop);
}

static gboolean
ltm_test_webhook_accept_own_certificate_cb (SoupMessage          *request,
                                            GTlsCertificate      *certificate,
                                            GTlsCertificateFlags  errors,
                                            gpointer              user_data)
{
  LtmTestWebhookCall *call = user_data;

  return g_tls_certificate_is_same (certificate, call->own_certificate);
}

static gboolean
ltm_test_webhook_call_start_cb (gpointer data)
{
  LtmTestWebhookCall *call = data;
  SoupMessageHeaders *headers;

  g_ptr_array_add (call->worker->calls, call);

  call->session = soup_session_new_with_options ("timeout", LTM_TEST_WEBHOOK_TIMEOUT,
                                                 "user-agent", "LineBotWebhook/2.0",
                                                 "proxy-resolver", NULL,
                                                 NULL);
  if (call->database != NULL)
    soup_session_set_tls_database (call->session, call->database);

  call->request = soup_message_new (SOUP_METHOD_POST, call->endpoint);
  headers = soup_message_get_request_headers (call->request);
  soup_message_headers_replace (headers, "x-line-signature", call->signature);
  soup_message_set_request_body_from_bytes (call->request, "application/json; charset=utf-8",
                                            call->body);

  if (call->database == NULL && call->own_certificate != NULL)
    g_signal_connect (call->request, "accept-certificate",
                      G_CALLBACK (ltm_test_webhook_accept_own_certificate_cb), call);

  soup_session_send_and_read_async (call->session, call->request, G_PRIORITY_DEFAULT,
                                    call->cancellable, ltm_test_webhook_call_done_cb, call);

  return G_SOURCE_REMOVE;
}

/* The server's thread */

static LtmTestWebhookWorker *
ltm_test_server_get_webhook_worker (LtmTestServer *self)
{
  if (self->webhook_worker == NULL)
    {
      LtmTestWebhookWorker *worker = g_new0 (LtmTestWebhookWorker, 1);

      worker->context = g_main_context_new ();
      worker->loop = g_main_loop_new (worker->context, FALSE);
      worker->calls = g_ptr_array_new ();
      worker->thread = g_thread_new ("ltm-test-webhook", ltm_test_webhook_worker_run, worker);
      self->webhook_worker = worker;
    }

  return self->webhook_worker;
}

/**
 * ltm_test_server_post_webhook:
 * @msg: the webhook test request; answered when the POST is done
 * @endpoint: the bot's URL, checked already
 * @body: what to POST
 * @signature: its x-line-signature
 */
void
ltm_test_server_post_webhook (LtmTestServer     *self,
                              SoupServerMessage *msg,
                              const char        *endpoint,
                              GBytes            *body,
                              const char        *signature)
{
  LtmTestWebhookCall *call = g_new0 (LtmTestWebhookCall, 1);

  call->self = self;
  call->msg = g_object_ref (msg);
  call->server_context = g_main_context_ref_thread_default ();
  call->worker = ltm_test_server_get_webhook_worker (self);
  call->endpoint = g_strdup (endpoint);
  call->body = g_bytes_ref (body);
  call->signature = g_strdup (signature);
  call->database = self->webhook_database != NULL ? g_object_ref (self->webhook_database) : NULL;
  call->own_certificate = self->certificate != NULL ? g_object_ref (self->certificate) : NULL;
  call->cancellable = g_cancellable_new ();

  g_ptr_array_add (self->webhook_calls, call);
  ltm_test_server_answer_later (msg);

  g_main_context_invoke (call->worker->context, ltm_test_webhook_call_start_cb, call);
}

/**
 * ltm_test_server_stop_webhooks:
 *
 * When the server goes away: cancels the webhook tests in flight and
 * stops the worker thread.  The calls are freed in the server's main
 * context, at its next iterations.
 */
void
ltm_test_server_stop_webhooks (LtmTestServer *self)
{
  LtmTestWebhookWorker *worker = g_steal_pointer (&self->webhook_worker);

  if (self->webhook_calls != NULL)
    {
      for (guint i = 0; i < self->webhook_calls->len; i++)
        {
          LtmTestWebhookCall *call = g_ptr_array_index (self->webhook_calls, i);

          call->self = NULL;
        }
      g_ptr_array_set_size (self->webhook_calls, 0);
    }

  if (worker == NULL)
    return;

  g_main_context_invoke (worker->context, ltm_test_webhook_worker_quit_cb, worker);
  g_thread_join (worker->thread);

  g_ptr_array_unref (worker->calls);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
  g_free (worker);
}
