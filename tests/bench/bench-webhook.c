/* bench-webhook.c: receive + verify + record + forward, on loopback
 *
 * Prints numbers, asserts nothing:
 *   - the latency LINE sees, p50 and p99, posting to the bot directly and
 *     through the receiver (signature checked, event recorded sealed in a
 *     store, body forwarded); the difference is what the receiver adds;
 *   - events per second through the receiver, 8 in flight, for 30 s;
 *   - the resident memory after 1,000 and after 100,000 events.
 * The receiver runs in a thread with a main context of its own, as it
 * would in a process of its own (`ltm webhook listen`, the window); the
 * client that plays LINE and the bot share the main thread, and the
 * recorder has its thread.  Every loop is bounded in count and time.  A
 * bot that fails is printed with why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ltm-store.h"
#include "ltm-webhook-receiver.h"
#include "ltm-webhook-signature.h"
#include "ltm-webhook-synth.h"

#define CHANNEL "1234567890"
#define SECRET "8c1b1fb5e2d13a3c1f0e5b1d9a4c7e21"
#define IN_FLIGHT 8
#define SUSTAIN_SECONDS 30
#define LATENCY_SAMPLES 2000

static SoupSession *session;
static GBytes *body;
static char *signature;

/* The bot closes each connection too: a SoupServer of libsoup 3.2 keeps
 * those its client closes while idle (see ltm-webhook-receiver.c). */
static void
bot_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

/* A bot that failed is said once, with why. */
static void
finished_cb (LtmWebhookReceiver *receiver, LtmWebhookEvent *event, gpointer user_data)
{
  if (ltm_webhook_event_get_bot_state (event) == LTM_WEBHOOK_BOT_FAILED)
    g_printerr ("bot failed: %s\n", ltm_webhook_event_get_bot_message (event));
}

/* The bot's connections are accepted here, as the receiver's are:
 * soup_server_listen() of libsoup 3.2 leaks a GSocket for each, which
 * would count in this process's memory. */
static gboolean
bot_incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
                 gpointer user_data)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  if (!soup_server_accept_iostream (user_data, G_IO_STREAM (connection), local, remote, &error))
    g_error ("%s", error->message);

  return TRUE;
}

static char *
bot_listen (SoupServer      *bot,
            GSocketService **out_service)
{
  GSocketService *service;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), any, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &address, &error))
    g_error ("%s", error->message);
  g_signal_connect (service, "incoming", G_CALLBACK (bot_incoming_cb), bot);
  *out_service = service;

  return g_strdup_printf ("http://127.0.0.1:%u/callback",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

/* The receiver, in a thread of its own. */
typedef struct {
  LtmStore *store;
  const char *bot_url;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  char *url;                    /* set once it listens */
} Receiver;

static gpointer
receiver_thread (gpointer data)
{
  Receiver *run = data;
  g_autoptr(LtmWebhookReceiver) receiver = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (run->context);
  receiver = ltm_webhook_receiver_new (CHANNEL, SECRET);
  ltm_webhook_receiver_set_store (receiver, run->store);
  if (!ltm_webhook_receiver_set_forward_to (receiver, run->bot_url, &error) ||
      !ltm_webhook_receiver_listen (receiver, "127.0.0.1:0", &error))
    g_error ("%s", error->message);
  g_signal_connect (receiver, "event-finished", G_CALLBACK (finished_cb), NULL);

  g_mutex_lock (&run->lock);
  run->url = ltm_webhook_receiver_dup_url (receiver);
  g_cond_signal (&run->cond);
  g_mutex_unlock (&run->lock);

  g_main_loop_run (run->loop);

  /* What is queued for the store is written before this returns. */
  ltm_webhook_receiver_stop (receiver);
  while (g_main_context_iteration (run->context, FALSE))
    ;
  g_clear_object (&receiver);
  g_main_context_pop_thread_default (run->context);

  return NULL;
}

typedef struct {
  const char *url;
  guint sent;
  guint done;
  guint limit;
  gint64 deadline;
  GArray *latencies;            /* gint64 µs, or NULL */
} Run;

static void post_one (Run *run);

typedef struct {
  Run *run;
  SoupMessage *message;
  gint64 started;
} Post;

static void
posted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Post *post = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (session, result, &error);
  gint64 elapsed = g_get_monotonic_time () - post->started;

  if (soup_message_get_status (post->message) != 200)
    g_error ("%s: status %u after %u posts: %s", post->run->url,
             soup_message_get_status (post->message), post->run->done,
             error != NULL ? error->message : "");
  if (post->run->latencies != NULL)
    g_array_append_val (post->run->latencies, elapsed);
  post->run->done++;
  g_object_unref (post->message);
  post_one (post->run);
  g_free (post);
}

static void
post_one (Run *run)
{
  Post *post;

  if (run->sent >= run->limit || g_get_monotonic_time () > run->deadline)
    return;

  post = g_new0 (Post, 1);
  post->run = run;
  post->message = soup_message_new ("POST", run->url);
  soup_message_headers_replace (soup_message_get_request_headers (post->message),
                                "X-Line-Signature", signature);
  soup_message_set_request_body_from_bytes (post->message, "application/json; charset=utf-8", body);
  post->started = g_get_monotonic_time ();
  run->sent++;
  soup_session_send_and_read_async (session, post->message, G_PRIORITY_DEFAULT, NULL, posted_cb, post);
}

static guint
run_posts (const char *url, guint limit, guint in_flight, int seconds, GArray *latencies)
{
  Run run = { url, 0, 0, limit, g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC, latencies };

  for (guint i = 0; i < in_flight; i++)
    post_one (&run);
  while (run.done < run.sent)
    g_main_context_iteration (NULL, TRUE);

  return run.done;
}

static int
compare (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
percentiles (GArray *latencies, double *p50, double *p99)
{
  g_array_sort (latencies, compare);
  *p50 = g_array_index (latencies, gint64, latencies->len / 2) / 1000.0;
  *p99 = g_array_index (latencies, gint64, latencies->len * 99 / 100) / 1000.0;
}

static long
rss_kib (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return -1;
  if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose (f);

  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ltm-bench-webhook-XXXXXX", &error);
  g_autofree char *key = g_build_filename (dir, "master-key", NULL);
  g_autofree char *bot_url = NULL;
  g_autofree char *url = NULL;        /* the receiver's */
  g_autoptr(SoupServer) bot = soup_server_new (NULL, NULL);
  g_autoptr(GSocketService) bot_service = NULL;
  g_autoptr(LtmStore) store = NULL;
  Receiver receiver = { 0 };
  GThread *receiver_thread_handle;
  g_autoptr(GArray) direct = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) through = g_array_new (FALSE, FALSE, sizeof (gint64));
  double d50, d99, t50, t99;
  gint64 started;
  guint n;
  long rss_1k, rss_100k;

  g_setenv ("LTM_MASTER_KEY_FILE", key, TRUE);
  store = ltm_store_new (dir);
  if (!ltm_store_init_master_key_file (store, key, &error) ||
      !ltm_store_load (store, &error) ||
      !ltm_store_add_channel (store, CHANNEL, "Bench", NULL, NULL, SECRET, &error))
    g_error ("%s", error->message);

  soup_server_add_handler (bot, NULL, bot_cb, NULL, NULL);
  bot_url = bot_listen (bot, &bot_service);

  receiver.store = store;
  receiver.bot_url = bot_url;
  receiver.context = g_main_context_new ();
  receiver.loop = g_main_loop_new (receiver.context, FALSE);
  g_mutex_init (&receiver.lock);
  g_cond_init (&receiver.cond);
  receiver_thread_handle = g_thread_new ("receiver", receiver_thread, &receiver);
  g_mutex_lock (&receiver.lock);
  while (receiver.url == NULL)
    g_cond_wait (&receiver.cond, &receiver.lock);
  g_mutex_unlock (&receiver.lock);
  url = receiver.url;

  /* The client plays LINE's platform, which asks no desktop proxy
   * settings: libproxy's lookup for each of its connections took a third
   * of the CPU the receiver has on two cores. */
  session = soup_session_new_with_options ("max-conns-per-host", IN_FLIGHT * 2,
                                           "proxy-resolver", NULL, NULL);
  body = ltm_webhook_synth_body (LTM_WEBHOOK_SYNTH_MESSAGE, "hello 😀", NULL, g_get_real_time () / 1000);
  signature = ltm_webhook_sign (SECRET, g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  /* Memory after the first 1,000 events */
  run_posts (bot_url, 200, 1, 60, NULL);
  run_posts (url, 1000, IN_FLIGHT, 60, NULL);
  rss_1k = rss_kib ();

  /* Latency, one at a time: what LINE waits for */
  run_posts (bot_url, LATENCY_SAMPLES, 1, 60, direct);
  run_posts (url, LATENCY_SAMPLES, 1, 60, through);
  percentiles (direct, &d50, &d99);
  percentiles (through, &t50, &t99);
  printf ("latency, bot alone:       p50 %.3f ms  p99 %.3f ms  (%u posts)\n", d50, d99, direct->len);
  printf ("latency, through receiver: p50 %.3f ms  p99 %.3f ms  (%u posts)\n", t50, t99, through->len);
  printf ("added by the receiver:     p50 %.3f ms  p99 %.3f ms\n", t50 - d50, t99 - d99);

  /* Sustained */
  started = g_get_monotonic_time ();
  n = run_posts (url, G_MAXUINT, IN_FLIGHT, SUSTAIN_SECONDS, NULL);
  printf ("sustained: %u events in %.1f s: %.0f events/s (%d in flight)\n", n,
          (g_get_monotonic_time () - started) / 1e6,
          n / ((g_get_monotonic_time () - started) / 1e6), IN_FLIGHT);

  /* Up to 100,000 events in all */
  run_posts (url, MAX (0, 100000 - (int) (n + 1000 + LATENCY_SAMPLES)), IN_FLIGHT, 300, NULL);
  g_main_loop_quit (receiver.loop);
  g_thread_join (receiver_thread_handle);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  rss_100k = rss_kib ();
  printf ("memory: %ld KiB after 1,000 events, %ld KiB after 100,000: %+ld KiB\n",
          rss_1k, rss_100k, rss_100k - rss_1k);

  g_object_unref (session);
  g_bytes_unref (body);
  g_free (signature);
  g_main_loop_unref (receiver.loop);
  g_main_context_unref (receiver.context);
  g_mutex_clear (&receiver.lock);
  g_cond_clear (&receiver.cond);
  g_clear_object (&store);
  for (guint i = 0; i < 4; i++)
    {
      const char *names[] = { "store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm", "master-key" };
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);

  return 0;
}
