/* ltm-reminder.h: which channels to remind about, and the notification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ltm-store.h"

G_BEGIN_DECLS

/* How often a running app looks again. */
#define LTM_REMINDER_INTERVAL_SECONDS (4 * 60 * 60)

/* What to tell the user: the notification's words and whom it is about. */
typedef struct {
  char *title;
  char *body;
  GStrv channel_ids;            /* the channels newly due, the first one foremost */
} LtmReminderNote;

#define LTM_TYPE_REMINDER (ltm_reminder_get_type ())

G_DECLARE_FINAL_TYPE (LtmReminder, ltm_reminder, LTM, REMINDER, GObject)

LtmReminder     *ltm_reminder_new                  (LtmStore        *store);
LtmReminderNote *ltm_reminder_check                (LtmReminder     *self,
                                                    gint64           now,
                                                    gint64           within,
                                                    gboolean        *out_any);
GNotification   *ltm_reminder_note_to_notification (LtmReminderNote *note);
void             ltm_reminder_note_free            (LtmReminderNote *note);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtmReminderNote, ltm_reminder_note_free)

G_END_DECLS
