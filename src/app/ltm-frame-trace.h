/* ltm-frame-trace.h: a window's start-up, phase by phase, for bench-startup
 *
 * ltm_frame_trace() logs, as g_debug lines of the caller's log domain, when
 * the window was made and realized, and when each of its first
 * LTM_FRAME_TRACE_FRAMES frames started, was laid out (styles, sizes,
 * allocation) and was painted (snapshot and render), in µs of
 * g_get_monotonic_time(), which is the same clock in every process:
 *
 *   Window made at T µs
 *   Window realized at T µs
 *   Frame N started at T µs / laid out at T µs / painted at T µs
 *
 * Header-only so that bench-minimal-window, the yardstick, traces its
 * window with the same code and no more of the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#define LTM_FRAME_TRACE_FRAMES 8

static inline void
ltm_frame_trace_log (GdkFrameClock *clock,
                     const char    *phase)
{
  g_debug ("Frame %" G_GINT64_FORMAT " %s at %" G_GINT64_FORMAT " µs",
           gdk_frame_clock_get_frame_counter (clock), phase, g_get_monotonic_time ());
}

static inline void
ltm_frame_trace_started_cb (GdkFrameClock *clock,
                            gpointer       unused)
{
  ltm_frame_trace_log (clock, "started");
}

static inline void
ltm_frame_trace_laid_out_cb (GdkFrameClock *clock,
                             gpointer       unused)
{
  ltm_frame_trace_log (clock, "laid out");
}

static inline void
ltm_frame_trace_painted_cb (GdkFrameClock *clock,
                            gpointer       user_data)
{
  guint *frames = user_data;

  ltm_frame_trace_log (clock, "painted");
  if (++*frames < LTM_FRAME_TRACE_FRAMES)
    return;

  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_started_cb, NULL);
  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_laid_out_cb, NULL);
  g_signal_handlers_disconnect_by_func (clock, ltm_frame_trace_painted_cb, frames);
  g_free (frames);
}

/* After the window's own realize: its frame clock's handlers, which lay
 * out and paint, are connected by then, and these run after them. */
static inline void
ltm_frame_trace_realized_cb (GtkWidget *window,
                             gpointer   unused)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_debug ("Window realized at %" G_GINT64_FORMAT " µs", g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (window, ltm_frame_trace_realized_cb, NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (ltm_frame_trace_started_cb), NULL);
  g_signal_connect (clock, "layout", G_CALLBACK (ltm_frame_trace_laid_out_cb), NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (ltm_frame_trace_painted_cb),
                    g_new0 (guint, 1));
}

/* Call first thing when @window is made. */
static inline void
ltm_frame_trace (GtkWidget *window)
{
  g_debug ("Window made at %" G_GINT64_FORMAT " µs", g_get_monotonic_time ());
  g_signal_connect_after (window, "realize", G_CALLBACK (ltm_frame_trace_realized_cb), NULL);
}
