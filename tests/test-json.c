/* test-json.c: the nesting limit before json-glib reads anything
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ltm-base64.h"
#include "ltm-json.h"
#include "ltm-jwt.h"
#include "ltm-key.h"
#include "ltm-line-error.h"

/* 100,000 levels: json-glib ran out of stack at about 75,000. */
#define BOMB_DEPTH 100000

static char *
make_bomb (const char *prefix)
{
  GString *text = g_string_new (prefix);

  for (guint i = 0; i < BOMB_DEPTH; i++)
    g_string_append_c (text, i % 2 ? '[' : '{');

  return g_string_free (text, FALSE);
}

static void
test_json_depth (void)
{
  static const struct { const char *text; guint max_depth; gboolean ok; } cases[] = {
    { "", 0, TRUE },
    { "1", 0, TRUE },
    { "[]", 0, FALSE },
    { "[]", 1, TRUE },
    { "[[]]", 1, FALSE },
    { "[][][]", 1, TRUE },
    { "{\"a\":{\"b\":[1]}}", 3, TRUE },
    { "{\"a\":{\"b\":[1]}}", 2, FALSE },
    /* brackets in strings are text, escaped quotes do not end them */
    { "[\"[[[{{{\"]", 1, TRUE },
    { "[\"\\\"[[[\"]", 1, TRUE },
    { "[\"\\\\\",[]]", 1, FALSE },
    /* closing more than was opened does not buy depth later */
    { "]]]]][[", 1, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_test_message ("%s within %u", cases[i].text, cases[i].max_depth);
      ok = ltm_json_check_depth (cases[i].text, strlen (cases[i].text), cases[i].max_depth,
                                 &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        g_assert_no_error (error);
      else
        g_assert_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_TOO_DEEP);
    }
}

static void
test_json_parse (void)
{
  g_autofree char *bomb = make_bomb ("");
  g_autoptr(GString) deepest = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  /* LTM_JSON_MAX_DEPTH levels are fine, one more is not. */
  for (guint i = 0; i < LTM_JSON_MAX_DEPTH; i++)
    g_string_prepend_c (g_string_append_c (deepest, ']'), '[');
  node = ltm_json_parse (deepest->str, deepest->len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_clear_pointer (&node, json_node_unref);

  g_string_prepend_c (g_string_append_c (deepest, ']'), '[');
  node = ltm_json_parse (deepest->str, -1, &error);
  g_assert_null (node);
  g_assert_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_TOO_DEEP);
  g_assert_cmpstr (error->message, ==, "nested more than 64 levels deep");
  g_clear_error (&error);

  node = ltm_json_parse (bomb, -1, &error);
  g_assert_null (node);
  g_assert_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);

  node = ltm_json_parse ("{\"a\":", -1, &error);
  g_assert_null (node);
  g_assert_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_INVALID);
  g_clear_error (&error);

  node = ltm_json_parse ("  ", -1, &error);
  g_assert_null (node);
  g_assert_error (error, LTM_JSON_ERROR, LTM_JSON_ERROR_INVALID);
}

/* Each reader of someone else's JSON refuses the bomb with its own error. */
static void
test_json_bomb_readers (void)
{
  g_autofree char *key_bomb = make_bomb ("{\"kty\":\"RSA\",\"n\":");
  g_autofree char *line_bomb = make_bomb ("{\"message\":");
  g_autofree char *header = make_bomb ("{\"alg\":");
  g_autofree char *header64 = ltm_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *jwt = g_strconcat (header64, ".e30.c2ln", NULL);
  g_autoptr(GBytes) body = g_bytes_new_static (line_bomb, strlen (line_bomb));
  g_autoptr(LtmKey) key = NULL;
  g_autoptr(LtmJwt) decoded = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;

  key = ltm_key_new_from_data (key_bomb, strlen (key_bomb), LTM_KEY_IMPORT_ALLOW_PUBLIC, &error);
  g_assert_null (key);
  g_assert_error (error, LTM_KEY_ERROR, LTM_KEY_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "nested more than 64 levels deep"));
  g_clear_error (&error);

  decoded = ltm_jwt_decode (jwt, &error);
  g_assert_null (decoded);
  g_assert_error (error, LTM_JWT_ERROR, LTM_JWT_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "nested more than 64 levels deep"));
  g_clear_error (&error);

  answer = ltm_line_parse_json_answer (200, "req", "application/json", body, &error);
  g_assert_null (answer);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_UNEXPECTED);
  g_assert_nonnull (strstr (error->message, "nested more than 64 levels deep"));
  g_clear_error (&error);

  /* A refusal too deep to read is still a refusal, without LINE's words. */
  error = ltm_line_error_new_from_response (400, "req", "application/json", body);
  g_assert_error (error, LTM_LINE_ERROR, LTM_LINE_ERROR_REFUSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/depth", test_json_depth);
  g_test_add_func ("/json/parse", test_json_parse);
  g_test_add_func ("/json/bomb-readers", test_json_bomb_readers);

  return g_test_run ();
}
