/* test-cli.c: `ltm key` and `ltm jwt`, end to end, running the built binary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ltm-base64.h"
#include "ltm-jwt.h"
#include "ltm-test-util.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ltm-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ltm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

#define run_ltm(run, input, ...) \
  G_STMT_START { \
    const char *run_args[] = { __VA_ARGS__, NULL }; \
    ltm_test_run_ltm (run, input, NULL, run_args); \
  } G_STMT_END

static char *
fixture_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static void
test_cli_help (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(LtmTestRun) top = { 0 };
  g_auto(LtmTestRun) create = { 0 };
  g_auto(LtmTestRun) group = { 0 };
  g_auto(LtmTestRun) bare = { 0 };

  run_ltm (&top, NULL, "--help");
  g_assert_cmpint (top.status, ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      static const char * const commands[] = {
        "key generate", "key public", "key info", "jwt create", "jwt decode", "jwt verify",
      };
      g_assert_nonnull (strstr (top.out, commands[i]));
    }
  g_assert_nonnull (strstr (top.out, "--json"));

  run_ltm (&create, NULL, "jwt", "create", "--help");
  g_assert_cmpint (create.status, ==, 0);
  g_assert_nonnull (strstr (create.out, "ltm jwt create"));
  g_assert_nonnull (strstr (create.out, "--token-lifetime"));
  g_assert_nonnull (strstr (create.out, "--channel"));
  g_assert_nonnull (strstr (create.out, "--json"));

  run_ltm (&group, NULL, "key", "--help");
  g_assert_cmpint (group.status, ==, 0);
  g_assert_nonnull (strstr (group.out, "key public"));

  run_ltm (&bare, NULL, "--json");
  g_assert_cmpint (bare.status, ==, 2);
  g_assert_nonnull (strstr (bare.err, "Usage"));
}

static void
test_cli_version (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *libsoup = g_strdup_printf ("%u.%u.%u", soup_get_major_version (),
                                              soup_get_minor_version (),
                                              soup_get_micro_version ());
  /* What a bug report needs: the libraries that are loaded. */
  const struct {
    const char *member;
    const char *line;
    const char *version;
  } expected[] = {
    { "version", "ltm", PACKAGE_VERSION },
    { "gnutls", "GnuTLS", gnutls_check_version (NULL) },
    { "libsoup", "libsoup", libsoup },
    { "json_glib", "json-glib", NULL },
    { "libsecret", "libsecret", NULL },
    { "sqlite", "SQLite", sqlite3_libversion () },
  };
  static const char * const json_orders[][3] = {
    { "--version", "--json", NULL },
    { "--json", "--version", NULL },
  };
  g_auto(LtmTestRun) text = { 0 };
  g_auto(LtmTestRun) on_command = { 0 };
  g_auto(GStrv) lines = NULL;

  run_ltm (&text, NULL, "--version");
  g_assert_cmpint (text.status, ==, 0);
  g_assert_cmpstr (text.err, ==, "");
  lines = g_strsplit (text.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *prefix = g_strconcat (expected[i].line, " ", NULL);

      g_assert_true (g_str_has_prefix (lines[i], prefix));
      if (expected[i].version != NULL)
        g_assert_cmpstr (lines[i] + strlen (prefix), ==, expected[i].version);
    }

  for (guint i = 0; i < G_N_ELEMENTS (json_orders); i++)
    {
      g_auto(LtmTestRun) json = { 0 };
      g_autoptr(JsonNode) root = NULL;
      JsonObject *object;

      ltm_test_run_ltm (&json, NULL, NULL, json_orders[i]);
      g_assert_cmpint (json.status, ==, 0);
      root = json_from_string (json.out, NULL);
      g_assert_nonnull (root);
      object = json_node_get_object (root);
      g_assert_cmpuint (json_object_get_size (object), ==, G_N_ELEMENTS (expected));
      for (guint j = 0; j < G_N_ELEMENTS (expected); j++)
        {
          g_autofree char *line = g_strdup_printf ("%s %s", expected[j].line,
                                                   json_object_get_string_member (object, expected[j].member));

          /* The same as the text, as an object. */
          g_assert_cmpstr (line, ==, lines[j]);
        }
    }

  /* An option of ltm, not of each command. */
  run_ltm (&on_command, NULL, "key", "generate", "--version");
  g_assert_cmpint (on_command.status, ==, 2);
  g_assert_cmpstr (on_command.out, ==, "");
}

static void
test_cli_usage_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char * const cases[][6] = {
    { "frobnicate", NULL },
    { "key", NULL },
    { "key", "frobnicate", NULL },
    { "key", "generate", "--bogus", NULL },
    { "key", "public", "a", "b", NULL },
    { "jwt", "create", "--kid", "k", NULL },
    { "jwt", "create", "--channel", "1", "--kid", NULL },
    { "jwt", "verify", "xyz", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LtmTestRun) run = { 0 };

      ltm_test_run_ltm (&run, NULL, NULL, cases[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, !=, "");
    }
}

static void
test_cli_seed_flow (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *key_file = fixture_path (fixture, "channel-key.json");
  g_auto(LtmTestRun) generate = { 0 };
  g_auto(LtmTestRun) public = { 0 };
  g_auto(LtmTestRun) create = { 0 };
  g_auto(LtmTestRun) verify = { 0 };
  g_auto(LtmTestRun) verify_public = { 0 };
  g_auto(LtmTestRun) decode = { 0 };
  g_autofree char *public_file = fixture_path (fixture, "public.jwk");
  g_autoptr(JsonObject) jwk = NULL;
  GStatBuf st;

  /* 1. make a key */
  run_ltm (&generate, NULL, "key", "generate", "-o", key_file);
  g_assert_cmpint (generate.status, ==, 0);
  g_assert_nonnull (strstr (generate.out, "ltm key public"));
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* 2. the public JWK for the console: kty alg use e n, nothing else */
  run_ltm (&public, NULL, "key", "public", key_file);
  g_assert_cmpint (public.status, ==, 0);
  jwk = ltm_test_parse_object (public.out);
  g_assert_cmpuint (json_object_get_size (jwk), ==, 5);
  g_assert_true (json_object_has_member (jwk, "kty") && json_object_has_member (jwk, "alg") &&
                 json_object_has_member (jwk, "use") && json_object_has_member (jwk, "e") &&
                 json_object_has_member (jwk, "n"));
  g_file_set_contents (public_file, public.out, -1, NULL);

  /* 3. sign a JWT with the kid the console answered */
  run_ltm (&create, NULL, "jwt", "create", "--channel", "1234567890",
           "--kid", "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77", "--key", key_file,
           "--lifetime", "15m", "--token-lifetime", "7d");
  g_assert_cmpint (create.status, ==, 0);
  g_assert_cmpuint (strlen (g_strstrip (create.out)), >, 300);

  /* the JWT verifies with the private key file, with the public one, and from stdin */
  run_ltm (&verify, NULL, "jwt", "verify", "--key", key_file, create.out);
  g_assert_cmpint (verify.status, ==, 0);
  g_assert_nonnull (strstr (verify.out, "Signature:  valid"));
  g_assert_nonnull (strstr (verify.out, "LINE rules: met"));
  g_assert_nonnull (strstr (verify.out, "Token lifetime: 7 days"));

  run_ltm (&verify_public, create.out, "--json", "jwt", "verify", "--key", public_file, "-");
  g_assert_cmpint (verify_public.status, ==, 0);
  {
    g_autoptr(JsonObject) result = ltm_test_parse_object (verify_public.out);

    g_assert_true (json_object_get_boolean_member (result, "valid"));
    g_assert_true (json_object_get_boolean_member (result, "signature_valid"));
    g_assert_true (json_object_get_boolean_member (result, "claims_valid"));
  }

  run_ltm (&decode, create.out, "jwt", "decode");
  g_assert_cmpint (decode.status, ==, 0);
  g_assert_nonnull (strstr (decode.out, "\"kid\" : \"4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77\""));
  g_assert_nonnull (strstr (decode.out, "\"token_exp\" : 604800"));
  g_assert_nonnull (strstr (decode.out, "(in 15 minutes)"));
}

static void
test_cli_json_outputs (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *key_file = fixture_path (fixture, "key.json");
  g_autofree char *pem = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *jose = ltm_test_data_path ("node-jose.jwk");
  g_auto(LtmTestRun) generate = { 0 };
  g_auto(LtmTestRun) info = { 0 };
  g_auto(LtmTestRun) create = { 0 };
  g_auto(LtmTestRun) decode = { 0 };
  g_autoptr(JsonObject) generated = NULL;
  g_autoptr(JsonObject) described = NULL;
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) decoded = NULL;

  run_ltm (&generate, NULL, "key", "generate", "--json", "-o", key_file);
  g_assert_cmpint (generate.status, ==, 0);
  generated = ltm_test_parse_object (generate.out);
  g_assert_cmpint (json_object_get_int_member (generated, "bits"), ==, 2048);
  g_assert_cmpstr (json_object_get_string_member (generated, "file"), ==, key_file);

  run_ltm (&info, NULL, "--json", "key", "info", jose);
  g_assert_cmpint (info.status, ==, 0);
  described = ltm_test_parse_object (info.out);
  g_assert_true (json_object_get_boolean_member (described, "private"));
  /* node-jose's kid is the RFC 7638 thumbprint: an independent check of ours */
  g_assert_cmpstr (json_object_get_string_member (described, "thumbprint"), ==,
                   json_object_get_string_member (described, "kid"));

  run_ltm (&create, NULL, "--json", "jwt", "create", "--channel", "42", "--kid", "k", "--key", pem);
  g_assert_cmpint (create.status, ==, 0);
  created = ltm_test_parse_object (create.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (created, "payload"),
                                                  "aud"), ==, "https://api.line.me/");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (created, "payload"),
                                               "token_exp"), ==, 2592000);

  run_ltm (&decode, NULL, "jwt", "decode", "--json", json_object_get_string_member (created, "jwt"));
  g_assert_cmpint (decode.status, ==, 0);
  decoded = ltm_test_parse_object (decode.out);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (decoded, "header"),
                                                  "kid"), ==, "k");
}

static void
test_cli_stdin (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *jwk = ltm_test_read_data ("webcrypto.jwk", NULL);
  g_autofree char *expected = ltm_test_read_data ("thumbprint.txt", NULL);
  g_auto(LtmTestRun) public = { 0 };
  g_auto(LtmTestRun) info = { 0 };
  g_auto(LtmTestRun) create = { 0 };

  run_ltm (&public, jwk, "key", "public", "-");
  g_assert_cmpint (public.status, ==, 0);
  g_assert_true (g_str_has_prefix (public.out, "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"e\":\"AQAB\",\"n\":\""));

  run_ltm (&info, jwk, "key", "info");
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, g_strstrip (expected)));

  run_ltm (&create, jwk, "jwt", "create", "--channel", "1", "--kid", "k", "--key", "-");
  g_assert_cmpint (create.status, ==, 0);
}

static void
test_cli_never_overwrites (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *key_file = fixture_path (fixture, "key.json");
  g_autofree char *link = fixture_path (fixture, "link.json");
  g_autofree char *target = fixture_path (fixture, "target.json");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(LtmTestRun) first = { 0 };
  g_auto(LtmTestRun) second = { 0 };
  g_auto(LtmTestRun) via_link = { 0 };
  g_auto(LtmTestRun) to_stdout = { 0 };

  run_ltm (&first, NULL, "key", "generate", "-o", key_file);
  g_assert_cmpint (first.status, ==, 0);
  g_file_get_contents (key_file, &before, NULL, NULL);

  run_ltm (&second, NULL, "key", "generate", "-o", key_file);
  ltm_test_assert_failed_with (&second, "already exists");
  g_file_get_contents (key_file, &after, NULL, NULL);
  g_assert_cmpstr (before, ==, after);

  /* "-" is standard output, not a file named "-" */
  run_ltm (&to_stdout, NULL, "key", "generate", "-o", "-");
  g_assert_cmpint (to_stdout.status, ==, 0);
  g_assert_true (g_str_has_prefix (to_stdout.out, "{"));
  g_assert_nonnull (strstr (to_stdout.out, "\"d\""));
  g_assert_false (g_file_test ("-", G_FILE_TEST_EXISTS));

  /* A dangling symbolic link is not followed either. */
  g_assert_cmpint (symlink (target, link), ==, 0);
  run_ltm (&via_link, NULL, "key", "generate", "-o", link);
  ltm_test_assert_failed_with (&via_link, "already exists");
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
}

typedef struct {
  const char *file;
  const char *message_part;
} BadKeyFile;

static void
test_cli_bad_keys (Fixture       *fixture,
                   gconstpointer  data)
{
  static const BadKeyFile cases[] = {
    { "missing-d.jwk", "missing the member “d”" },
    { "missing-qi.jwk", "missing the member “qi”" },
    { "public.jwk", "“d”" },
    { "ec.jwk", "RSA" },
    { "oct.jwk", "RSA" },
    { "rsa1024.jwk", "LINE requires 2048-bit" },
    { "rsa4096.jwk", "LINE requires 2048-bit" },
    { "public.pem", "not a private key" },
    { "cert.pem", "not a private key" },
    { "encrypted.pem", "passphrase" },
    { "inconsistent.jwk", "damaged" },
  };
  g_autofree char *empty = fixture_path (fixture, "empty.json");
  g_autofree char *broken = fixture_path (fixture, "broken.json");
  g_autofree char *missing = fixture_path (fixture, "does-not-exist.json");

  g_file_set_contents (empty, "", 0, NULL);
  g_file_set_contents (broken, "{\"kty\": \"RSA\", \"n\": ", -1, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = ltm_test_data_path (cases[i].file);
      g_auto(LtmTestRun) run = { 0 };

      run_ltm (&run, NULL, "jwt", "create", "--channel", "1234567890", "--kid", "k", "--key", path);
      ltm_test_assert_failed_with (&run, cases[i].message_part);
      g_assert_nonnull (strstr (run.err, cases[i].file));
    }

  {
    g_auto(LtmTestRun) run = { 0 };

    run_ltm (&run, NULL, "key", "public", empty);
    ltm_test_assert_failed_with (&run, "empty");
  }
  {
    g_auto(LtmTestRun) run = { 0 };

    run_ltm (&run, NULL, "key", "info", broken);
    ltm_test_assert_failed_with (&run, "not valid JSON");
  }
  {
    g_auto(LtmTestRun) run = { 0 };

    run_ltm (&run, NULL, "key", "info", missing);
    ltm_test_assert_failed_with (&run, "does-not-exist.json");
  }
  {
    g_autofree char *ec = ltm_test_data_path ("ec.pem");
    g_auto(LtmTestRun) run = { 0 };

    run_ltm (&run, NULL, "key", "public", ec);
    ltm_test_assert_failed_with (&run, "RSA");
  }
}

static void
test_cli_bad_arguments (Fixture       *fixture,
                        gconstpointer  data)
{
  static const struct {
    const char *channel;
    const char *lifetime;
    const char *token_lifetime;
    const char *message_part;
  } cases[] = {
    { "my-channel", "30m", "30d", "not a channel ID" },
    { "1234567890", "31m", "30d", "--lifetime: A JWT may live from 1 second to 30 minutes" },
    { "1234567890", "0", "30d", "--lifetime: A JWT must live at least 1 second, not 0 seconds." },
    { "1234567890", "1h", "30d", "--lifetime" },
    { "1234567890", "30m", "31d", "--token-lifetime: A channel access token may live" },
    { "1234567890", "30m", "0", "--token-lifetime" },
    { "1234567890", "soon", "30d", "--lifetime: “soon” is not a duration" },
  };
  g_autofree char *pem = ltm_test_data_path ("pkcs8.pem");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LtmTestRun) run = { 0 };

      run_ltm (&run, NULL, "jwt", "create", "--channel", cases[i].channel, "--kid", "k",
               "--key", pem, "--lifetime", cases[i].lifetime,
               "--token-lifetime", cases[i].token_lifetime);
      ltm_test_assert_failed_with (&run, cases[i].message_part);
    }
}

/* A name is one printable line, checked before the store is opened. */
static void
test_cli_bad_names (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *message;
  } cases[] = {
    { "", "ltm: The name is empty.\n" },
    { "  ", "ltm: The name is empty.\n" },
    { "two\nlines", "ltm: The name holds a line break, a tab or another control character.\n" },
    { "\033]0;title\007", "ltm: The name holds a line break, a tab or another control character.\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LtmTestRun) add = { 0 };
      g_auto(LtmTestRun) set = { 0 };

      run_ltm (&add, NULL, "channel", "add", "1234567890", "--name", cases[i].name);
      g_assert_cmpint (add.status, ==, 1);
      g_assert_cmpstr (add.err, ==, cases[i].message);

      run_ltm (&set, NULL, "channel", "set", "1234567890", "--name", cases[i].name);
      g_assert_cmpint (set.status, ==, 1);
      g_assert_cmpstr (set.err, ==, cases[i].message);
    }
}

/* What ltm prints on stdout has control characters escaped too: a kid
 * with an 8-bit CSI, an OSC title and a bell, shown by "jwt decode". */
static void
test_cli_escapes_stdout (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char header[] = "{\"alg\":\"RS256\",\"kid\":\"\302\2332J\033]0;t\007\"}";
  g_autofree char *header64 = ltm_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *jwt = g_strconcat (header64, ".eyJpc3MiOiIxIn0.c2ln", NULL);
  g_auto(LtmTestRun) decode = { 0 };

  run_ltm (&decode, jwt, "jwt", "decode", "-");
  g_assert_cmpint (decode.status, ==, 0);
  g_assert_nonnull (strstr (decode.out, "\"kid\" : \"\\u009b2J\\u001b]0;t\\u0007\""));
  g_assert_null (strstr (decode.out, "\302\233"));
  g_assert_null (strchr (decode.out, '\033'));
}

static void
test_cli_bad_jwts (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct {
    const char *jwt;
    const char *message_part;
  } cases[] = {
    { "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UifQ", "2 parts" },
    { "eyJhbGciOiJSUzI1NiJ9.e30=.abc", "payload (the second part) is not valid base64url" },
    { "!!!.e30.abc", "header (the first part) is not valid base64url" },
    { "e30.e30.ab+c", "signature is not valid base64url" },
  };
  g_autofree char *pem = ltm_test_data_path ("pkcs8.pem");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(LtmTestRun) decode = { 0 };
      g_auto(LtmTestRun) verify = { 0 };

      run_ltm (&decode, NULL, "jwt", "decode", cases[i].jwt);
      ltm_test_assert_failed_with (&decode, cases[i].message_part);

      run_ltm (&verify, cases[i].jwt, "jwt", "verify", "--key", pem, "-");
      ltm_test_assert_failed_with (&verify, cases[i].message_part);
    }
}

static void
test_cli_verify_refuses (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(LtmKey) key = ltm_test_load_key ("pkcs8.pem", LTM_KEY_IMPORT_PRIVATE);
  g_autofree char *pem = ltm_test_data_path ("pkcs8.pem");
  g_autofree char *other = ltm_test_data_path ("rfc7515-a2.jwk");
  g_autoptr(GError) error = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *fresh = NULL;
  g_auto(LtmTestRun) run_expired = { 0 };
  g_auto(LtmTestRun) run_other = { 0 };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Made an hour ago with a 10-minute lifetime. */
  expired = ltm_jwt_create_assertion (key, "k", "1234567890", now - 3600, 600, 60, &error);
  g_assert_no_error (error);
  run_ltm (&run_expired, NULL, "jwt", "verify", "--key", pem, expired);
  g_assert_cmpint (run_expired.status, ==, 1);
  g_assert_nonnull (strstr (run_expired.out, "Signature:  valid"));
  g_assert_nonnull (strstr (run_expired.out, "NOT MET"));
  g_assert_nonnull (strstr (run_expired.err, "The JWT expired 50 minutes ago"));

  fresh = ltm_jwt_create_assertion (key, "k", "1234567890", now, 600, 60, &error);
  g_assert_no_error (error);
  run_ltm (&run_other, NULL, "jwt", "verify", "--key", other, fresh);
  g_assert_cmpint (run_other.status, ==, 1);
  g_assert_nonnull (strstr (run_other.out, "Signature:  INVALID"));
  g_assert_nonnull (strstr (run_other.err, "signature does not match"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/help", test_cli_help);
  ADD ("/cli/version", test_cli_version);
  ADD ("/cli/usage-errors", test_cli_usage_errors);
  ADD ("/cli/seed-flow", test_cli_seed_flow);
  ADD ("/cli/json-outputs", test_cli_json_outputs);
  ADD ("/cli/stdin", test_cli_stdin);
  ADD ("/cli/never-overwrites", test_cli_never_overwrites);
  ADD ("/cli/bad-keys", test_cli_bad_keys);
  ADD ("/cli/bad-arguments", test_cli_bad_arguments);
  ADD ("/cli/bad-names", test_cli_bad_names);
  ADD ("/cli/bad-jwts", test_cli_bad_jwts);
  ADD ("/cli/escapes-stdout", test_cli_escapes_stdout);
  ADD ("/cli/verify-refuses", test_cli_verify_refuses);

#undef ADD

  return g_test_run ();
}
