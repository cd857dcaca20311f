/* fuzz-json.h: what the JSON harnesses share
 *
 * json-glib 1.6 (Debian 12) reads a document such as "{}{}" as its first
 * value and leaks every later top-level object or array: its parser builds
 * them, then has nowhere to keep them.  That leak is json-glib's, not
 * ours (json-glib 1.10 reads such a document as an array of its values),
 * and no LeakSanitizer suppression could tell it from a leak of ours: both
 * are JsonNodes made under json_parser_load_from_data().  So the harnesses
 * ask json-glib itself how many top-level values it reads, and only for a
 * document with several does LeakSanitizer look away.  Every other check,
 * and every other document, is untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ltm-json.h"

#ifdef __SANITIZE_ADDRESS__
# define FUZZ_HAVE_LSAN 1
#elif defined (__has_feature)
# if __has_feature (address_sanitizer)
#  define FUZZ_HAVE_LSAN 1
# endif
#endif

#ifdef FUZZ_HAVE_LSAN
# include <sanitizer/lsan_interface.h>
#endif

typedef struct {
  int depth;
  int values;                   /* objects and arrays begun at the top */
} FuzzJsonCount;

static void
fuzz_json_start_cb (JsonParser    *parser,
                    FuzzJsonCount *count)
{
  if (count->depth++ == 0)
    count->values++;
}

static void
fuzz_json_end_cb (JsonParser    *parser,
                  gpointer       container,
                  FuzzJsonCount *count)
{
  count->depth--;
}

static inline void
fuzz_lsan_disable (void)
{
#ifdef FUZZ_HAVE_LSAN
  __lsan_disable ();
#endif
}

static inline void
fuzz_lsan_enable (void)
{
#ifdef FUZZ_HAVE_LSAN
  __lsan_enable ();
#endif
}

/* Returns whether json-glib reads more than one top-level value from
 * @data, the case where it leaks.  The look itself leaks the same way, so
 * it is made with LeakSanitizer looking away. */
static inline gboolean
fuzz_json_has_many_values (const char *data,
                           gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  FuzzJsonCount count = { 0, 0 };
  JsonNode *root;

  /* Too deep for json-glib's stack: the code under test refuses it unread. */
  if (!ltm_json_check_depth (data, len, LTM_JSON_MAX_DEPTH, NULL))
    return FALSE;

  g_signal_connect (parser, "object-start", G_CALLBACK (fuzz_json_start_cb), &count);
  g_signal_connect (parser, "array-start", G_CALLBACK (fuzz_json_start_cb), &count);
  g_signal_connect (parser, "object-end", G_CALLBACK (fuzz_json_end_cb), &count);
  g_signal_connect (parser, "array-end", G_CALLBACK (fuzz_json_end_cb), &count);

  fuzz_lsan_disable ();
  json_parser_load_from_data (parser, data, len, NULL);
  fuzz_lsan_enable ();

  /* A first value that is a number or a string counts too: "1{}" leaks. */
  root = json_parser_get_root (parser);
  if (root != NULL && !JSON_NODE_HOLDS_OBJECT (root) && !JSON_NODE_HOLDS_ARRAY (root))
    count.values++;

  return count.values > 1;
}
