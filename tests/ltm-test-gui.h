/* ltm-test-gui.h: driving the real window under Xvfb
 *
 * The tests find widgets the way a screen reader does, by their accessible
 * name, and press them the way a user does (gtk_widget_activate), so a
 * missing name or a disabled button fails the test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ltm-activity.h"
#include "ltm-application.h"
#include "ltm-test-server.h"
#include "ltm-test-util.h"
#include "ltm-window.h"

G_BEGIN_DECLS

void            ltm_test_gui_init            (int          *argc,
                                              char       ***argv);
typedef void (*LtmTestGuiFunc) (LtmWindow     *window,
                                gconstpointer  data);

void            ltm_test_gui_run             (LtmTestGuiFunc  func,
                                              gconstpointer   data);

GtkWidget      *ltm_test_gui_lookup_labelled (GtkWidget  *root,
                                              const char *label);
GtkWidget      *ltm_test_gui_find_labelled   (GtkWidget  *root,
                                              const char *label);
GtkWidget      *ltm_test_gui_find_row        (GtkWidget  *root,
                                              const char *title);
GtkWidget      *ltm_test_gui_find_type       (GtkWidget  *root,
                                              GType       type);
GtkWindow      *ltm_test_gui_find_window     (GType       type);
GtkWindow      *ltm_test_gui_wait_for_window (GType       type);
GtkWidget      *ltm_test_gui_show_page       (LtmWindow  *window,
                                              const char *name);
LtmActivity    *ltm_test_gui_get_activity    (GtkWidget  *page);
gboolean        ltm_test_gui_is_enabled      (GtkWidget  *root,
                                              const char *label);
void            ltm_test_gui_click           (GtkWidget  *root,
                                              const char *label);
void            ltm_test_gui_click_row       (GtkWidget  *row);
void            ltm_test_gui_move_focus      (GtkWidget        *window,
                                              GtkDirectionType  direction);
GtkWidget      *ltm_test_gui_find_button     (GtkWidget  *root,
                                              const char *label);
void            ltm_test_gui_respond         (AdwMessageDialog *dialog,
                                              const char       *response);
void            ltm_test_gui_set_row_text    (GtkWidget  *root,
                                              const char *title,
                                              const char *text);
GtkWidget      *ltm_test_gui_find_text       (GtkWidget  *root,
                                              const char *text);
char           *ltm_test_gui_read_clipboard  (GtkWidget  *widget);
GPtrArray      *ltm_test_gui_get_notifications (void);
void            ltm_test_gui_iterate         (void);

/* Turns the main loop until @condition holds, however long that takes
 * (ltm_test_waiting() says what it waits for when it is long). */
#define ltm_test_gui_wait_until(condition) \
  G_STMT_START { \
    LtmTestWait ltm_wait__ = LTM_TEST_WAIT_INIT; \
    while (!(condition)) \
      { \
        ltm_test_waiting (&ltm_wait__, __FILE__, __LINE__, #condition); \
        ltm_test_gui_iterate (); \
      } \
  } G_STMT_END

/* Channels set up the way a user would, with `ltm` and the test server. */
char           *ltm_test_gui_add_channel     (LtmTestServer *server,
                                              const char    *channel_id,
                                              const char    *name,
                                              const char    *secret);
void            ltm_test_gui_issue_token     (LtmTestServer *server,
                                              const char    *channel_id,
                                              const char    *lifetime);

/* Toasts show as labels in the window's AdwToastOverlay for a few seconds. */
#define ltm_test_gui_wait_for_toast(window, title) \
  ltm_test_gui_wait_until (ltm_test_gui_find_text (GTK_WIDGET (window), (title)) != NULL)

G_END_DECLS
