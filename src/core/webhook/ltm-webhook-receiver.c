/* ltm-webhook-receiver.c: LINE's webhook received on this computer,
 * checked, recorded and forwarded to the bot
 *
 * A SoupServer on one address (loopback unless told otherwise) and one
 * path, its connections accepted by a GSocketService of its own (see
 * ltm_webhook_receiver_listen()).  What it takes: POST only (405), at most LTM_WEBHOOK_MAX_BODY
 * bytes (413: refused from Content-Length before the body is read, or
 * as a chunked body passes the limit, without keeping it), the path it
 * was given (404).  Each answer closes its connection (see
 * ltm_webhook_receiver_early_cb()).  The signature is checked over the bytes as received
 * with the channel secret: missing or wrong gives 401, the reason told
 * through "refused" and g_info (never the secret, nor the signature
 * expected), and nothing is forwarded.  A body that is not a webhook
 * delivery in JSON gives 400.  The events of a body whose signature failed
 * are still shown and recorded, marked so: that is how a developer sees
 * that the secret they deployed is not the channel's.
 *
 * Forwarding: the body byte for byte, with LINE's X-Line-Signature,
 * Content-Type and User-Agent, to the bot (ltm-webhook-post.c).  LINE is
 * answered with the bot's status as soon as it has one; a bot still
 * silent after half of LINE's timeout (so also within the 1 second of
 * LINE's older documentation) gets LINE answered 200 for it, and the
 * receiver waits on for the bot's own answer and time.  A bot that took
 * LINE's whole timeout or longer is marked late: LINE would have counted
 * request_timeout.  A bot that cannot be reached gets LINE answered 502.
 *
 * Recording: once the bot's answer is known, each event goes to a worker
 * thread that writes what has queued up in one transaction
 * (ltm-store-webhook.c), so that neither the disk nor the master key
 * holds up the next delivery.  The row's ID comes back to the event in
 * the receiver's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ltm-webhook-receiver.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "ltm-store-webhook.h"
#include "ltm-webhook-error.h"
#include "ltm-webhook-post.h"
#include "ltm-webhook-signature.h"

/* What one transaction of the recorder writes at most. */
#define RECORD_BATCH 256

struct _LtmWebhookReceiver
{
  GObject parent_instance;

  char *channel_id;
  char *secret;                 /* LtmSecret: wiped when freed */
  char *path;
  char *forward_to;
  guint line_timeout;           /* milliseconds */

  GMainContext *context;
  GSocketService *service;      /* accepts the connections SoupServer serves */
  GSocketAddress *address;      /* where it listens, port included */
  SoupServer *server;
  SoupSession *session;
  GCancellable *cancellable;
  GPtrArray *deliveries;        /* LtmWebhookDelivery waiting for the bot */

  LtmStore *store;              /* NULL: nothing is recorded */
  GThread *recorder;
  GAsyncQueue *records;         /* LtmWebhookRecordItem, then a NULL-store end mark */
};

G_DEFINE_FINAL_TYPE (LtmWebhookReceiver, ltm_webhook_receiver, G_TYPE_OBJECT)

enum {
  EVENT_RECEIVED,
  EVENT_FINISHED,
  REFUSED,
  RECORD_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A body received, while the bot has it. */
typedef struct {
  LtmWebhookReceiver *self;     /* NULL once the receiver stopped */
  SoupServerMessage *msg;       /* NULL once LINE is answered */
  GPtrArray *events;
  GSource *deadline;
  gint64 started;
  gboolean late;                /* LINE was answered for the bot */
} LtmWebhookDelivery;

/* What the recorder thread is handed. */
typedef struct {
  LtmStore *store;              /* NULL: the end */
  char *channel_id;
  LtmWebhookRecord *record;
  LtmWebhookEvent *event;       /* given back to the main context only */
} LtmWebhookRecordItem;

/* What it hands back. */
typedef struct {
  GWeakRef receiver;
  GPtrArray *items;
  char *message;
} LtmWebhookRecordResult;

static void
ltm_webhook_record_item_free (LtmWebhookRecordItem *item)
{
  g_clear_object (&item->store);
  g_free (item->channel_id);
  ltm_webhook_record_free (item->record);
  g_clear_object (&item->event);
  g_free (item);
}

static void
ltm_webhook_record_result_free (LtmWebhookRecordResult *result)
{
  g_weak_ref_clear (&result->receiver);
  g_ptr_array_unref (result->items);
  g_free (result->message);
  g_free (result);
}

static void
ltm_webhook_delivery_free (LtmWebhookDelivery *delivery)
{
  if (delivery->deadline != NULL)
    {
      g_source_destroy (delivery->deadline);
      g_source_unref (delivery->deadline);
    }
  g_clear_object (&delivery->msg);
  g_ptr_array_unref (delivery->events);
  g_free (delivery);
}

/* Recording */

static gboolean
ltm_webhook_receiver_recorded_cb (gpointer user_data)
{
  LtmWebhookRecordResult *result = user_data;
  g_autoptr(LtmWebhookReceiver) self = g_weak_ref_get (&result->receiver);

  for (guint i = 0; i < result->items->len; i++)
    {
      LtmWebhookRecordItem *item = g_ptr_array_index (result->items, i);

      if (item->record->id != 0)
        ltm_webhook_event_set_record_id (item->event, item->record->id);
    }

  if (result->message != NULL && self != NULL)
    g_signal_emit (self, signals[RECORD_FAILED], 0, result->message);

  return G_SOURCE_REMOVE;
}

static gpointer
ltm_webhook_receiver_recorder_thread (gpointer data)
{
  LtmWebhookReceiver *self = data;
  gboolean done = FALSE;

  while (!done)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) ltm_webhook_record_item_free);
      g_autoptr(GPtrArray) records = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      LtmWebhookRecordItem *item = g_async_queue_pop (self->records);
      LtmWebhookRecordResult *result;

      /* What has queued up meanwhile goes in the same transaction. */
      while (item != NULL)
        {
          if (item->store == NULL)
            {
              ltm_webhook_record_item_free (item);
              done = TRUE;
              break;
            }
          g_ptr_array_add (items, item);
          g_ptr_array_add (records, item->record);
          item = items->len < RECORD_BATCH ? g_async_queue_try_pop (self->records) : NULL;
        }

      if (items->len == 0)
        continue;

      item = g_ptr_array_index (items, 0);
      if (!ltm_store_add_webhook_records (item->store, item->channel_id, records, &error))
        g_info ("The webhook events of channel %s were not recorded: %s",
                item->channel_id, error->message);

      result = g_new0 (LtmWebhookRecordResult, 1);
      g_weak_ref_init (&result->receiver, self);
      result->items = g_steal_pointer (&items);
      result->message = error != NULL ? g_strdup (error->message) : NULL;
      g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                                  ltm_webhook_receiver_recorded_cb, result,
                                  (GDestroyNotify) ltm_webhook_record_result_free);
    }

  return NULL;
}

/* What the recorder thread is handed for @event: the queue owns it. */
static LtmWebhookRecordItem *
ltm_webhook_record_item_new (LtmWebhookReceiver *self,
                             LtmWebhookEvent    *event)
{
  LtmWebhookRecordItem *item = g_new0 (LtmWebhookRecordItem, 1);

  item->store = g_object_ref (self->store);
  item->channel_id = g_strdup (self->channel_id);
  item->record = ltm_webhook_record_new_for_event (event);
  item->event = g_object_ref (event);

  return item;
}

static void
ltm_webhook_receiver_record (LtmWebhookReceiver *self,
                             LtmWebhookEvent    *event)
{
  if (self->store == NULL)
    return;

  if (self->recorder == NULL)
    self->recorder = g_thread_new ("ltm-webhook-recorder",
                                   ltm_webhook_receiver_recorder_thread, self);

  g_async_queue_push (self->records, ltm_webhook_record_item_new (self, event));
}

/* Waits for what is queued to be written. */
static void
ltm_webhook_receiver_stop_recorder (LtmWebhookReceiver *self)
{
  if (self->recorder == NULL)
    return;

  g_async_queue_push (self->records, g_new0 (LtmWebhookRecordItem, 1));
  g_thread_join (g_steal_pointer (&self->recorder));
}

/* Deliveries */

static void
ltm_webhook_receiver_finish_events (LtmWebhookReceiver *self,
                                    GPtrArray          *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      LtmWebhookEvent *event = g_ptr_array_index (events, i);

      ltm_webhook_receiver_record (self, event);
      g_signal_emit (self, signals[EVENT_FINISHED], 0, event);
    }
}

static void
ltm_webhook_delivery_answer (LtmWebhookDelivery *delivery,
                             guint               status)
{
  g_autoptr(SoupServerMessage) msg = g_steal_pointer (&delivery->msg);

  if (msg == NULL)
    return;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_unpause (msg);
}

static gboolean
ltm_webhook_delivery_deadline_cb (gpointer user_data)
{
  LtmWebhookDelivery *delivery = user_data;

  /* LINE hears "OK" for a bot that is still thinking. */
  delivery->late = TRUE;
  ltm_webhook_delivery_answer (delivery, SOUP_STATUS_OK);
  g_clear_pointer (&delivery->deadline, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
ltm_webhook_delivery_forwarded_cb (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  LtmWebhookDelivery *delivery = user_data;
  LtmWebhookReceiver *self = delivery->self;
  g_autoptr(LtmWebhookAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookBotState state = LTM_WEBHOOK_BOT_ANSWERED;
  guint status = 0;
  gint64 time_us;
  gboolean late;

  answer = ltm_webhook_post_finish (result, &error);
  time_us = answer != NULL ? answer->time_us : g_get_monotonic_time () - delivery->started;

  /* Stopped meanwhile: the receiver said what became of it. */
  if (self == NULL)
    {
      ltm_webhook_delivery_free (delivery);
      return;
    }

  g_ptr_array_remove_fast (self->deliveries, delivery);
  if (delivery->deadline != NULL)
    g_source_destroy (delivery->deadline);

  if (answer != NULL)
    {
      status = answer->status;
      ltm_webhook_delivery_answer (delivery, SOUP_STATUS_IS_SUCCESSFUL (status) ||
                                             (status >= 300 && status < 600)
                                             ? status : SOUP_STATUS_BAD_GATEWAY);
    }
  else
    {
      state = LTM_WEBHOOK_BOT_FAILED;
      ltm_webhook_delivery_answer (delivery, SOUP_STATUS_BAD_GATEWAY);
    }

  late = delivery->late || time_us >= (gint64) self->line_timeout * 1000;
  for (guint i = 0; i < delivery->events->len; i++)
    ltm_webhook_event_set_bot_answer (g_ptr_array_index (delivery->events, i), state, status,
                                      time_us, late, error != NULL ? error->message : NULL);

  ltm_webhook_receiver_finish_events (self, delivery->events);
  ltm_webhook_delivery_free (delivery);
}

static void
ltm_webhook_receiver_forward (LtmWebhookReceiver *self,
                              SoupServerMessage  *msg,
                              GBytes             *body,
                              GPtrArray          *events)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  LtmWebhookDelivery *delivery = g_new0 (LtmWebhookDelivery, 1);

  delivery->self = self;
  delivery->msg = g_object_ref (msg);
  delivery->events = g_ptr_array_ref (events);
  delivery->started = g_get_monotonic_time ();
  g_ptr_array_add (self->deliveries, delivery);

  for (guint i = 0; i < events->len; i++)
    ltm_webhook_event_set_bot_answer (g_ptr_array_index (events, i), LTM_WEBHOOK_BOT_WAITING,
                                      0, -1, FALSE, NULL);

  soup_server_message_pause (msg);

  delivery->deadline = g_timeout_source_new (MAX (self->line_timeout / 2, 1));
  g_source_set_callback (delivery->deadline, ltm_webhook_delivery_deadline_cb, delivery, NULL);
  g_source_attach (delivery->deadline, self->context);

  ltm_webhook_post_async (self->session, self->forward_to, body,
                          soup_message_headers_get_one (headers, "Content-Type"),
                          soup_message_headers_get_one (headers, "User-Agent"),
                          soup_message_headers_get_one (headers, LTM_WEBHOOK_SIGNATURE_HEADER),
                          self->cancellable, ltm_webhook_delivery_forwarded_cb, delivery);
}

/* Requests */

static GQuark ltm_webhook_body_quark (void);
G_DEFINE_QUARK (ltm-webhook-receiver-body, ltm_webhook_body)

/* The body as it comes, kept only up to the limit. */
typedef struct {
  GByteArray *bytes;
  gboolean too_large;
} LtmWebhookBody;

static void
ltm_webhook_body_free (gpointer data)
{
  LtmWebhookBody *body = data;

  g_byte_array_unref (body->bytes);
  g_free (body);
}

static void
ltm_webhook_receiver_refuse (LtmWebhookReceiver *self,
                             SoupServerMessage  *msg,
                             guint               status,
                             const char         *reason)
{
  g_autofree char *text = g_strconcat (reason, "\n", NULL);

  g_info ("Webhook request from %s refused (%u): %s",
          soup_server_message_get_remote_host (msg), status, reason);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
  if (status == SOUP_STATUS_METHOD_NOT_ALLOWED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "POST");

  g_signal_emit (self, signals[REFUSED], 0, status, reason);
}

static void
ltm_webhook_receiver_got_chunk_cb (SoupServerMessage *msg,
                                   GBytes            *chunk,
                                   gpointer           user_data)
{
  LtmWebhookBody *body = g_object_get_qdata (G_OBJECT (msg), ltm_webhook_body_quark ());
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (body->too_large)
    return;

  if (len > LTM_WEBHOOK_MAX_BODY - body->bytes->len)
    {
      body->too_large = TRUE;
      g_byte_array_set_size (body->bytes, 0);
      return;
    }

  g_byte_array_append (body->bytes, data, len);
}

static void
ltm_webhook_receiver_early_cb (SoupServer        *server,
                               SoupServerMessage *msg,
                               const char        *path,
                               GHashTable        *query,
                               gpointer           user_data)
{
  LtmWebhookReceiver *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  LtmWebhookBody *body;

  /* Each answer closes its connection.  libsoup 3.2's SoupServer never
   * closes a kept-alive connection that the client closes while it is
   * idle (later versions do), and a client makes a new connection for
   * each POST anyway: kept alive, every delivery would leave a socket
   * open until the receiver ran out of file descriptors. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");

  if (strcmp (path, self->path) != 0)
    {
      ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_NOT_FOUND,
                                   _("Not the webhook's path"));
      return;
    }

  if (strcmp (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    {
      ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                   _("LINE only POSTs to a webhook"));
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > LTM_WEBHOOK_MAX_BODY)
    {
      ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                   _("The body is larger than 1 MiB"));
      return;
    }

  body = g_new0 (LtmWebhookBody, 1);
  body->bytes = g_byte_array_new ();
  g_object_set_qdata_full (G_OBJECT (msg), ltm_webhook_body_quark (), body, ltm_webhook_body_free);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (ltm_webhook_receiver_got_chunk_cb), NULL);
}

static gboolean
ltm_webhook_receiver_is_json (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

static void
ltm_webhook_receiver_handler_cb (SoupServer        *server,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           user_data)
{
  LtmWebhookReceiver *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  LtmWebhookBody *body = g_object_get_qdata (G_OBJECT (msg), ltm_webhook_body_quark ());
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  LtmWebhookSignature signature;
  const char *reason = NULL;

  if (body == NULL)
    return;

  if (body->too_large)
    {
      ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                                   _("The body is larger than 1 MiB"));
      return;
    }

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&body->bytes));
  body->bytes = g_byte_array_new ();

  signature = ltm_webhook_check_signature (self->secret, g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes),
                                           soup_message_headers_get_one (headers,
                                                                         LTM_WEBHOOK_SIGNATURE_HEADER));
  if (signature == LTM_WEBHOOK_SIGNATURE_MISSING)
    reason = _("No X-Line-Signature: not from LINE");
  else if (signature == LTM_WEBHOOK_SIGNATURE_INVALID)
    reason = _("X-Line-Signature does not match the body and the channel secret");

  if (ltm_webhook_receiver_is_json (msg))
    events = ltm_webhook_event_parse (bytes, g_get_real_time (), signature, &error);
  else
    g_set_error_literal (&error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_BODY,
                         _("The body is not JSON (Content-Type: application/json)"));

  if (events == NULL)
    {
      if (reason != NULL)
        ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_UNAUTHORIZED, reason);
      else
        ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  for (guint i = 0; i < events->len; i++)
    g_signal_emit (self, signals[EVENT_RECEIVED], 0, g_ptr_array_index (events, i));

  if (reason != NULL)
    {
      for (guint i = 0; i < events->len; i++)
        ltm_webhook_event_set_bot_answer (g_ptr_array_index (events, i), LTM_WEBHOOK_BOT_REFUSED,
                                          0, -1, FALSE, reason);
      ltm_webhook_receiver_refuse (self, msg, SOUP_STATUS_UNAUTHORIZED, reason);
      ltm_webhook_receiver_finish_events (self, events);
      return;
    }

  if (self->forward_to != NULL)
    {
      ltm_webhook_receiver_forward (self, msg, bytes, events);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  ltm_webhook_receiver_finish_events (self, events);
}

/* A connection, served by the SoupServer from here on. */
static gboolean
ltm_webhook_receiver_incoming_cb (GSocketService    *service,
                                  GSocketConnection *connection,
                                  GObject           *source_object,
                                  gpointer           user_data)
{
  LtmWebhookReceiver *self = user_data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (self->server, G_IO_STREAM (connection), local, remote, &error))
    g_info ("A webhook connection was not served: %s", error->message);

  return TRUE;
}

/* The object */

/**
 * ltm_webhook_receiver_stop:
 * @self: a receiver
 *
 * Stops listening.  LINE is answered for every body still with the bot
 * (503), each of its events finished as %LTM_WEBHOOK_BOT_FAILED, and
 * what is queued for the store is written before this returns.
 */
void
ltm_webhook_receiver_stop (LtmWebhookReceiver *self)
{
  g_return_if_fail (LTM_IS_WEBHOOK_RECEIVER (self));

  g_cancellable_cancel (self->cancellable);

  while (self->deliveries->len > 0)
    {
      LtmWebhookDelivery *delivery = g_ptr_array_steal_index (self->deliveries, 0);
      g_autoptr(GPtrArray) events = g_ptr_array_ref (delivery->events);

      delivery->self = NULL;
      ltm_webhook_delivery_answer (delivery, SOUP_STATUS_SERVICE_UNAVAILABLE);
      for (guint i = 0; i < events->len; i++)
        ltm_webhook_event_set_bot_answer (g_ptr_array_index (events, i), LTM_WEBHOOK_BOT_FAILED,
                                          0, g_get_monotonic_time () - delivery->started,
                                          delivery->late, _("Stopped before the bot answered"));
      ltm_webhook_receiver_finish_events (self, events);
    }

  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
    }
  if (self->server != NULL)
    soup_server_disconnect (self->server);

  ltm_webhook_receiver_stop_recorder (self);
}

static void
ltm_webhook_receiver_dispose (GObject *object)
{
  LtmWebhookReceiver *self = (LtmWebhookReceiver *)object;

  ltm_webhook_receiver_stop (self);
  g_clear_object (&self->service);
  g_clear_object (&self->address);
  g_clear_object (&self->server);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ltm_webhook_receiver_parent_class)->dispose (object);
}

static void
ltm_webhook_receiver_finalize (GObject *object)
{
  LtmWebhookReceiver *self = (LtmWebhookReceiver *)object;

  g_free (self->channel_id);
  ltm_secret_free (self->secret);
  g_free (self->path);
  g_free (self->forward_to);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->deliveries);
  g_async_queue_unref (self->records);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (ltm_webhook_receiver_parent_class)->finalize (object);
}

static void
ltm_webhook_receiver_class_init (LtmWebhookReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ltm_webhook_receiver_dispose;
  object_class->finalize = ltm_webhook_receiver_finalize;

  /**
   * LtmWebhookReceiver::event-received:
   * @event: an event, as it came
   *
   * Before it is forwarded.
   */
  signals[EVENT_RECEIVED] =
    g_signal_new ("event-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LTM_TYPE_WEBHOOK_EVENT);

  /**
   * LtmWebhookReceiver::event-finished:
   * @event: an event, with what the bot answered, if anything
   *
   * Once LINE is answered and the bot's answer is known; then the event
   * is queued for the store.
   */
  signals[EVENT_FINISHED] =
    g_signal_new ("event-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LTM_TYPE_WEBHOOK_EVENT);

  /**
   * LtmWebhookReceiver::refused:
   * @status: the HTTP status answered
   * @reason: why, in words
   */
  signals[REFUSED] =
    g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * LtmWebhookReceiver::record-failed:
   * @message: why events could not be recorded
   */
  signals[RECORD_FAILED] =
    g_signal_new ("record-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ltm_webhook_receiver_init (LtmWebhookReceiver *self)
{
  self->path = g_strdup (LTM_WEBHOOK_DEFAULT_PATH);
  self->line_timeout = LTM_WEBHOOK_LINE_TIMEOUT_MS;
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->deliveries = g_ptr_array_new ();
  self->records = g_async_queue_new ();
}

/**
 * ltm_webhook_receiver_new:
 * @channel_id: the channel whose events it receives
 * @channel_secret: the channel secret, to check signatures with
 *
 * Returns: (transfer full): a receiver; it listens once told where, and
 *   uses the main context that is the thread's default now
 */
LtmWebhookReceiver *
ltm_webhook_receiver_new (const char *channel_id,
                          const char *channel_secret)
{
  LtmWebhookReceiver *self;

  g_return_val_if_fail (channel_id != NULL && channel_secret != NULL, NULL);

  self = g_object_new (LTM_TYPE_WEBHOOK_RECEIVER, NULL);
  self->channel_id = g_strdup (channel_id);
  self->secret = g_strdup (channel_secret);

  return self;
}

const char *
ltm_webhook_receiver_get_channel_id (LtmWebhookReceiver *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), NULL);

  return self->channel_id;
}

/**
 * ltm_webhook_receiver_set_path:
 * @self: a receiver
 * @path: the path LINE posts to, like /callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @path is an absolute path
 */
gboolean
ltm_webhook_receiver_set_path (LtmWebhookReceiver  *self,
                               const char          *path,
                               GError             **error)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (path[0] != '/' || strpbrk (path, "?# \t\r\n") != NULL)
    {
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a path like /callback"), path);
      return FALSE;
    }

  g_free (self->path);
  self->path = g_strdup (path);

  return TRUE;
}

/**
 * ltm_webhook_receiver_set_forward_to:
 * @self: a receiver
 * @url: (nullable): the bot's URL; %NULL to forward nothing
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @url may be used (ltm_webhook_check_bot_url())
 */
gboolean
ltm_webhook_receiver_set_forward_to (LtmWebhookReceiver  *self,
                                     const char          *url,
                                     GError             **error)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), FALSE);

  if (url != NULL && !ltm_webhook_check_bot_url (url, error))
    return FALSE;

  g_free (self->forward_to);
  self->forward_to = g_strdup (url);
  if (url != NULL && self->session == NULL)
    self->session = ltm_webhook_session_new ();

  return TRUE;
}

const char *
ltm_webhook_receiver_get_forward_to (LtmWebhookReceiver *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), NULL);

  return self->forward_to;
}

/**
 * ltm_webhook_receiver_set_store:
 * @self: a receiver
 * @store: (nullable): where to record the events; %NULL records nothing
 */
void
ltm_webhook_receiver_set_store (LtmWebhookReceiver *self,
                                LtmStore           *store)
{
  g_return_if_fail (LTM_IS_WEBHOOK_RECEIVER (self));
  g_return_if_fail (self->recorder == NULL);

  g_set_object (&self->store, store);
}

/**
 * ltm_webhook_receiver_set_line_timeout:
 * @self: a receiver
 * @milliseconds: how long LINE waits for an answer
 *
 * LINE is answered for a silent bot after half of it, and a bot that
 * takes all of it is marked late.  %LTM_WEBHOOK_LINE_TIMEOUT_MS unless
 * set (tests shorten it).
 */
void
ltm_webhook_receiver_set_line_timeout (LtmWebhookReceiver *self,
                                       guint               milliseconds)
{
  g_return_if_fail (LTM_IS_WEBHOOK_RECEIVER (self));
  g_return_if_fail (milliseconds > 0);

  self->line_timeout = milliseconds;
}

/**
 * ltm_webhook_parse_listen_address:
 * @address: "PORT", "HOST", "HOST:PORT" or "[IPv6]:PORT", where HOST is
 *   an IP address or localhost; port 0 picks a free one, none is
 *   %LTM_WEBHOOK_DEFAULT_PORT
 * @out_address: (out): the address
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @address is one
 */
gboolean
ltm_webhook_parse_listen_address (const char       *address,
                                  GSocketAddress  **out_address,
                                  GError          **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autofree char *with_host = NULL;
  const char *host;
  guint64 port;

  g_return_val_if_fail (address != NULL, FALSE);

  if (g_ascii_string_to_unsigned (address, 10, 0, 65535, &port, NULL))
    address = with_host = g_strconcat ("127.0.0.1:", address, NULL);

  parsed = g_network_address_parse (address, LTM_WEBHOOK_DEFAULT_PORT, NULL);
  if (parsed == NULL)
    goto invalid;

  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (parsed));
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    host = "127.0.0.1";

  *out_address = g_inet_socket_address_new_from_string (host, port);
  if (*out_address == NULL)
    goto invalid;

  return TRUE;

invalid:
  g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_INVALID_ARGUMENT,
               _("“%s” is not an address to listen on, like 127.0.0.1:8000"), address);
  return FALSE;
}

/**
 * ltm_webhook_receiver_listen:
 * @self: a receiver
 * @address: (nullable): where, as for ltm_webhook_parse_listen_address();
 *   %NULL for %LTM_WEBHOOK_DEFAULT_LISTEN
 * @error: return location for a #GError
 *
 * Returns: %TRUE when it listens
 */
gboolean
ltm_webhook_receiver_listen (LtmWebhookReceiver  *self,
                             const char          *address,
                             GError             **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  if (address == NULL)
    address = LTM_WEBHOOK_DEFAULT_LISTEN;

  if (!ltm_webhook_parse_listen_address (address, &socket_address, error))
    return FALSE;

  self->server = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_early_handler (self->server, NULL, ltm_webhook_receiver_early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, ltm_webhook_receiver_handler_cb, self, NULL);

  /* The connections are accepted here and handed to the server:
   * soup_server_listen() of libsoup 3.2 leaks the GSocket of each one. */
  self->service = g_socket_service_new ();
  /* GLib's default backlog is 10: connections LINE opens at once beyond it
   * would have their SYNs dropped and sent again only a second later. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 128);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &self->address, &local_error))
    {
      g_clear_object (&self->service);
      g_clear_object (&self->server);
      g_set_error (error, LTM_WEBHOOK_ERROR, LTM_WEBHOOK_ERROR_LISTEN,
                   _("Could not listen on %s: %s"), address, local_error->message);
      return FALSE;
    }
  g_signal_connect (self->service, "incoming", G_CALLBACK (ltm_webhook_receiver_incoming_cb),
                    self);
  g_socket_service_start (self->service);

  return TRUE;
}

/**
 * ltm_webhook_receiver_dup_url:
 * @self: a receiver
 *
 * Returns: (transfer full) (nullable): where it listens, path included,
 *   like http://127.0.0.1:8000/callback; %NULL before it listens
 */
char *
ltm_webhook_receiver_dup_url (LtmWebhookReceiver *self)
{
  g_autoptr(GInetAddress) host = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), NULL);

  if (self->address == NULL)
    return NULL;

  host = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->address)));
  text = g_inet_address_to_string (host);

  return g_strdup_printf ("http://%s%s%s:%u%s",
                          g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6 ? "[" : "",
                          text,
                          g_inet_address_get_family (host) == G_SOCKET_FAMILY_IPV6 ? "]" : "",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (self->address)),
                          self->path);
}

/**
 * ltm_webhook_receiver_get_port:
 * @self: a receiver
 *
 * Returns: the port it listens on; 0 before it listens
 */
guint
ltm_webhook_receiver_get_port (LtmWebhookReceiver *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), 0);

  if (self->address == NULL)
    return 0;

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (self->address));
}

/**
 * ltm_webhook_receiver_get_n_pending:
 * @self: a receiver
 *
 * Returns: how many bodies the bot has not answered yet
 */
guint
ltm_webhook_receiver_get_n_pending (LtmWebhookReceiver *self)
{
  g_return_val_if_fail (LTM_IS_WEBHOOK_RECEIVER (self), 0);

  return self->deliveries->len;
}
