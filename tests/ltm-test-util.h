/* ltm-test-util.h: what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ltm-async.h"
#include "ltm-key.h"

G_BEGIN_DECLS

/* tests/data (LTM_TEST_DATA, set by meson) */
char         *ltm_test_data_path            (const char         *name);
char         *ltm_test_read_data            (const char         *name,
                                             gsize              *out_len);
LtmKey       *ltm_test_load_key             (const char         *name,
                                             LtmKeyImportFlags   flags);

/* A folder of this process's own, removed when it exits. */
const char   *ltm_test_get_tmp_dir          (void);
void          ltm_test_remove_tree          (const char         *path);
/* The store in LTM_DATA_DIR (or that folder) removed: the next test starts empty. */
void          ltm_test_remove_store         (void);
/* libsecret's file backend in that folder, unless SECRET_BACKEND is set. */
void          ltm_test_use_file_keyring     (void);
JsonObject   *ltm_test_parse_object         (const char         *json);

/* Waiting in a test.  How long a wait may take is not the test's to
 * decide: under a sanitizer, valgrind or a busy CI machine the same wait
 * takes fifty times longer than on a laptop, and a deadline there fails a
 * test that is right.  A wait that never ends is ended by meson's timeout;
 * ltm_test_waiting(), called on each turn of a wait loop, says once what
 * the test is still waiting for after LTM_TEST_WAIT_NOTE_SECONDS, so that
 * the log of a test that timed out names it. */
#define LTM_TEST_WAIT_NOTE_SECONDS 30

typedef struct {
  gint64 start;
  gboolean said;
} LtmTestWait;

#define LTM_TEST_WAIT_INIT { 0, FALSE }

void          ltm_test_waiting              (LtmTestWait        *wait,
                                             const char         *file,
                                             int                 line,
                                             const char         *what);

/* Running _async calls to their end: ltm_async_wait() (ltm-async.h) */
void          ltm_test_assert_finalize_soon (gpointer            object);

GTlsDatabase *ltm_test_tls_database_new     (const char         *pem);

/* Running the built `ltm` (LTM_CLI) while this process's main loop turns,
 * so that a test server in this process answers it. */
typedef struct {
  int status;
  char *out;
  char *err;
} LtmTestRun;

void          ltm_test_run_clear            (LtmTestRun         *run);
GSubprocess  *ltm_test_spawn_ltm            (const char * const *env,
                                             const char * const *args);
void          ltm_test_run_ltm              (LtmTestRun         *run,
                                             const char         *input,
                                             const char * const *env,
                                             const char * const *args);
void          ltm_test_assert_failed_with   (LtmTestRun         *run,
                                             const char         *message_part);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtmTestRun, ltm_test_run_clear)

G_END_DECLS
