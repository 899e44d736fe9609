/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest Services building blocks, without a guest: the wire format (round trip, and a
 * decoder fed garbage, bad and huge lengths, broken CRCs and frames cut at every byte, which
 * must find every good frame and never hold more than one frame's bytes), the token bucket,
 * the escaping of guest text, the host trace instance on a fixture tree with and without a
 * snapshot buffer, the counters file, and the journal and syslog datagrams. */
#include <kvmrt.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kvmrt-gs-frame.h"
#include "kvmrt-gs-host-trace.h"
#include "kvmrt-gs-log.h"
#include "kvmrt-gs-rate.h"
#include "kvmrt-gs-stats.h"
#include "kvmrt-json-writer.h"

/* Feeds @data to @decoder in pieces of @step bytes; appends each frame's seq to @seqs. */
static void
feed (KvmrtGsDecoder *decoder, const guint8 *data, gsize length, gsize step, GArray *seqs)
{
  gsize done = 0;

  while (done < length)
    {
      KvmrtGsFrame frame;
      gsize n = MIN (step, length - done);

      n = kvmrt_gs_decoder_push (decoder, data + done, n);
      g_assert_cmpuint (decoder->used, <=, KVMRT_GS_MAX_FRAME);
      done += n;
      while (kvmrt_gs_decoder_next (decoder, &frame))
        {
          g_assert_cmpuint (frame.length, <=, KVMRT_GS_MAX_PAYLOAD);
          g_array_append_val (seqs, frame.seq);
        }
    }
}

static void
test_round_trip (void)
{
  guint8 buffer[KVMRT_GS_MAX_FRAME + 1];
  guint8 payload[KVMRT_GS_MAX_PAYLOAD + 1];
  KvmrtGsDecoder decoder;
  KvmrtGsFrame frame;
  gsize size;

  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) i;
  g_assert_cmpuint (kvmrt_gs_frame_encode (buffer, KVMRT_GS_FRAME_LOG_DATA, 0, 1, payload,
                                           KVMRT_GS_MAX_PAYLOAD + 1), ==, 0);
  for (gsize length = 0; length <= KVMRT_GS_MAX_PAYLOAD; length += 97)
    {
      size = kvmrt_gs_frame_encode (buffer, KVMRT_GS_FRAME_LOG_DATA, 3, 0xdeadbeef, payload,
                                    length);
      g_assert_cmpuint (size, ==, KVMRT_GS_HEADER_SIZE + length);
      kvmrt_gs_decoder_init (&decoder);
      g_assert_cmpuint (kvmrt_gs_decoder_push (&decoder, buffer, size), ==, size);
      g_assert_true (kvmrt_gs_decoder_next (&decoder, &frame));
      g_assert_cmpuint (frame.type, ==, KVMRT_GS_FRAME_LOG_DATA);
      g_assert_cmpuint (frame.vcpu, ==, 3);
      g_assert_cmpuint (frame.seq, ==, 0xdeadbeef);
      g_assert_cmpmem (frame.payload, frame.length, payload, length);
      g_assert_false (kvmrt_gs_decoder_next (&decoder, &frame));
      g_assert_cmpuint (decoder.malformed, ==, 0);
    }
  g_assert_cmpuint (kvmrt_gs_get_u64 ((guint8[]) { 1, 2, 3, 4, 5, 6, 7, 8 }), ==,
                    G_GUINT64_CONSTANT (0x0807060504030201));
  /* The CRC is the common one: "123456789" gives 0xCBF43926. */
  g_assert_cmphex (kvmrt_gs_crc32 (0, "123456789", 9), ==, 0xCBF43926);
}

/* Hostile input of every kind the flooding guest of the end-to-end test sends, between good
 * frames, fed in pieces of every size: each good frame is found, in order. */
static void
test_fuzzed_decoder (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);

  for (guint round = 0; round < 300; round++)
    {
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint32));
      KvmrtGsDecoder decoder;
      guint8 frame[KVMRT_GS_MAX_FRAME];
      guint8 payload[KVMRT_GS_MAX_PAYLOAD];
      gsize step = 1 + g_rand_int_range (rand, 0, 5000);

      for (guint part = 0; part < 20; part++)
        {
          guint32 seq = round * 100 + part;
          gsize length = g_rand_int_range (rand, 0, KVMRT_GS_MAX_PAYLOAD + 1);
          gsize size;

          for (gsize i = 0; i < length; i++)
            payload[i] = g_rand_boolean (rand) ? 0xFF : (guint8) g_rand_int (rand);
          size = kvmrt_gs_frame_encode (frame, KVMRT_GS_FRAME_LOG_DATA, 0, seq, payload, length);
          switch (g_rand_int_range (rand, 0, 6))
            {
            case 0:   /* garbage full of sync bytes */
              for (gsize i = 0; i < length; i++)
                g_byte_array_append (stream, &payload[i], 1);
              break;
            case 1:   /* a header claiming a huge frame */
              frame[4] = 0xFF, frame[5] = 0xFF;
              g_byte_array_append (stream, frame, KVMRT_GS_HEADER_SIZE);
              break;
            case 2:   /* a bad CRC */
              frame[12] ^= 1;
              g_byte_array_append (stream, frame, size);
              break;
            case 3:   /* a frame cut short, its rest never sent */
              g_byte_array_append (stream, frame, size / 2);
              break;
            default:  /* a good frame */
              g_byte_array_append (stream, frame, size);
              g_array_append_val (expected, seq);
            }
        }
      /* The decoder may still be waiting inside a cut frame at the end: a last good frame
       * after the largest possible frame's worth of zeros always gets through. */
      {
        guint32 seq = G_MAXUINT32;
        guint8 zeros[KVMRT_GS_MAX_FRAME] = { 0 };
        gsize size = kvmrt_gs_frame_encode (frame, KVMRT_GS_FRAME_PING, 0, seq, zeros, 8);

        g_byte_array_append (stream, zeros, sizeof zeros);
        g_byte_array_append (stream, frame, size);
        g_array_append_val (expected, seq);
      }
      kvmrt_gs_decoder_init (&decoder);
      feed (&decoder, stream->data, stream->len, step, found);
      /* Garbage may happen to hold a good frame (it never does with a 32-bit CRC in practice);
       * every expected frame must be there, in order. */
      for (guint i = 0, j = 0; i < expected->len; i++, j++)
        {
          while (j < found->len && g_array_index (found, guint32, j)
                                   != g_array_index (expected, guint32, i))
            j++;
          if (j >= found->len)
            g_error ("round %u (pieces of %zu): frame %u lost", round, step,
                     g_array_index (expected, guint32, i));
        }
    }
}

static void
test_garbage_counts (void)
{
  KvmrtGsDecoder decoder;
  KvmrtGsFrame frame;
  guint8 garbage[10000];

  memset (garbage, 0xFF, sizeof garbage);
  kvmrt_gs_decoder_init (&decoder);
  for (gsize done = 0; done < sizeof garbage;)
    {
      done += kvmrt_gs_decoder_push (&decoder, garbage + done, sizeof garbage - done);
      while (kvmrt_gs_decoder_next (&decoder, &frame))
        g_assert_not_reached ();
    }
  /* One run of garbage, all of it skipped but the last byte (it may start a frame). */
  g_assert_cmpuint (decoder.malformed, ==, 1);
  g_assert_cmpuint (decoder.garbage_bytes, ==, sizeof garbage - 1);
}

static void
test_rate (void)
{
  KvmrtGsRate bucket;

  kvmrt_gs_rate_init (&bucket, 100, 10, 0);
  kvmrt_gs_rate_charge (&bucket, 10, 0);
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 0), ==, 0);
  kvmrt_gs_rate_charge (&bucket, 5, 0);
  /* 5 tokens of debt at 100 per second: 50 ms. */
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 0), >=, 50000);
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 0), <=, 50001);
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 50001), ==, 0);
  /* Refill stops at the burst, and a clock going back gives nothing. */
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 100 * G_USEC_PER_SEC), ==, 0);
  g_assert_cmpfloat (bucket.tokens, ==, 10);
  kvmrt_gs_rate_charge (&bucket, 11, 0);
  g_assert_cmpint (kvmrt_gs_rate_wait_us (&bucket, 0), >, 0);
  /* Over a long run the bucket admits its rate, whatever the work comes in. */
  kvmrt_gs_rate_init (&bucket, 1000, 100, 0);
  {
    gint64 now = 0;
    double work = 0;

    while (now < 10 * G_USEC_PER_SEC)
      {
        gint64 wait = kvmrt_gs_rate_wait_us (&bucket, now);

        if (wait > 0)
          {
            now += wait;
            continue;
          }
        kvmrt_gs_rate_charge (&bucket, kvmrt_gs_rate_cost (1, 4096), now);
        work += kvmrt_gs_rate_cost (1, 4096);
      }
    g_assert_cmpfloat (work, <=, 1000 * 10 + 100 + 17);
    g_assert_cmpfloat (work, >=, 1000 * 10 - 17);
  }
  g_assert_cmpfloat (kvmrt_gs_rate_cost (2, 257), ==, 4);
}

static void
test_escape (void)
{
  g_autofree char *text = kvmrt_gs_escape ((const guint8 *) "ok \\ \n\x01\xff", 8, 100);
  g_autofree char *cut = kvmrt_gs_escape ((const guint8 *) "abcdef", 6, 3);
  g_autofree char *word = kvmrt_gs_word ("my vm\tname");

  g_assert_cmpstr (text, ==, "ok \\\\ \\x0a\\x01\\xff");
  g_assert_cmpstr (cut, ==, "abc");
  g_assert_cmpstr (word, ==, "my_vm_name");
}

/* A tracefs instance as the kernel lays it out, with or without the snapshot files. */
static char *
make_tracefs (gboolean snapshot, gboolean per_cpu)
{
  char *root = g_dir_make_tmp ("kvmrt-gs-tracefs-XXXXXX", NULL);
  g_autofree char *instance = g_build_filename (root, "instances", "gs", NULL);
  g_autofree char *marker = g_build_filename (root, "trace_marker", NULL);

  g_assert_true (g_file_set_contents (marker, "", 0, NULL));
  g_assert_cmpint (g_mkdir_with_parents (instance, 0755), ==, 0);
  for (const char *const *file = (const char *const[]) { "trace_marker", "tracing_on", NULL };
       *file != NULL; file++)
    {
      g_autofree char *path = g_build_filename (instance, *file, NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  if (snapshot)
    {
      g_autofree char *path = g_build_filename (instance, "snapshot", NULL);

      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  for (int cpu = 0; per_cpu && cpu < 4; cpu++)
    {
      g_autofree char *name = g_strdup_printf ("cpu%d", cpu);
      g_autofree char *dir = g_build_filename (instance, "per_cpu", name, NULL);
      g_autofree char *path = g_build_filename (dir, "snapshot", NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, "", 0, NULL));
    }
  return root;
}

static char *
read_file (const char *root, const char *relative)
{
  g_autofree char *path = g_build_filename (root, "instances", "gs", relative, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
test_host_trace (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmrtIdSet) cpus = kvmrt_id_set_parse ("1-2", NULL);
  g_autoptr(KvmrtIdSet) other = kvmrt_id_set_parse ("7", NULL);

  /* No snapshot buffer (Debian's kernel): the flush stops the instance. */
  {
    g_autofree char *root = make_tracefs (FALSE, FALSE);
    g_autoptr(KvmrtGsHostTrace) trace = kvmrt_gs_host_trace_open (root, "gs", &error);
    g_autofree char *marker = NULL, *on = NULL;

    g_assert_no_error (error);
    g_assert_false (kvmrt_gs_host_trace_has_snapshot (trace));
    g_assert_true (kvmrt_gs_host_trace_write (trace, "KVMRT_GS_PING_HOST vm=a", &error));
    g_assert_cmpint (kvmrt_gs_host_trace_flush_method (trace, cpus), ==, KVMRT_GS_FLUSH_STOP);
    g_assert_true (kvmrt_gs_host_trace_flush (trace, cpus, &error));
    g_assert_no_error (error);
    marker = read_file (root, "trace_marker");
    on = read_file (root, "tracing_on");
    g_assert_cmpstr (marker, ==, "KVMRT_GS_PING_HOST vm=a\n");
    g_assert_cmpstr (on, ==, "0");
  }
  /* A snapshot buffer without per-CPU swaps: the whole instance. */
  {
    g_autofree char *root = make_tracefs (TRUE, FALSE);
    g_autoptr(KvmrtGsHostTrace) trace = kvmrt_gs_host_trace_open (root, "gs", &error);
    g_autofree char *snapshot = NULL, *on = NULL;

    g_assert_true (kvmrt_gs_host_trace_has_snapshot (trace));
    g_assert_cmpint (kvmrt_gs_host_trace_flush_method (trace, cpus), ==,
                     KVMRT_GS_FLUSH_SNAPSHOT);
    g_assert_true (kvmrt_gs_host_trace_flush (trace, cpus, &error));
    snapshot = read_file (root, "snapshot");
    on = read_file (root, "tracing_on");
    g_assert_cmpstr (snapshot, ==, "1");
    g_assert_cmpstr (on, ==, "");
  }
  /* Per-CPU snapshots: only the scope's CPUs; a CPU without one falls back to the instance. */
  {
    g_autofree char *root = make_tracefs (TRUE, TRUE);
    g_autoptr(KvmrtGsHostTrace) trace = kvmrt_gs_host_trace_open (root, "gs", &error);
    g_autofree char *cpu0 = NULL, *cpu1 = NULL, *cpu2 = NULL, *whole = NULL;

    g_assert_cmpint (kvmrt_gs_host_trace_flush_method (trace, cpus), ==,
                     KVMRT_GS_FLUSH_SNAPSHOT_PER_CPU);
    g_assert_cmpint (kvmrt_gs_host_trace_flush_method (trace, other), ==,
                     KVMRT_GS_FLUSH_SNAPSHOT);
    g_assert_cmpint (kvmrt_gs_host_trace_flush_method (trace, NULL), ==,
                     KVMRT_GS_FLUSH_SNAPSHOT);
    g_assert_true (kvmrt_gs_host_trace_flush (trace, cpus, &error));
    cpu0 = read_file (root, "per_cpu/cpu0/snapshot");
    cpu1 = read_file (root, "per_cpu/cpu1/snapshot");
    cpu2 = read_file (root, "per_cpu/cpu2/snapshot");
    whole = read_file (root, "snapshot");
    g_assert_cmpstr (cpu0, ==, "");
    g_assert_cmpstr (cpu1, ==, "1");
    g_assert_cmpstr (cpu2, ==, "1");
    g_assert_cmpstr (whole, ==, "");
  }
  /* No tracefs: a clear error. */
  {
    g_autoptr(KvmrtGsHostTrace) trace = kvmrt_gs_host_trace_open ("/nonexistent/tracefs", "gs",
                                                                  &error);

    g_assert_null (trace);
    g_assert_nonnull (strstr (error->message, "tracefs mounted"));
    g_clear_error (&error);
  }
}

static void
test_stats_round_trip (void)
{
  g_autoptr(KvmrtGsStats) stats = kvmrt_gs_stats_new ();
  g_autoptr(KvmrtGsStats) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *root = g_dir_make_tmp ("kvmrt-gs-stats-XXXXXX", NULL);
  KvmrtGsVmStats *vm = g_new0 (KvmrtGsVmStats, 1);
  const KvmrtGsVmStats *found;

  vm->uuid = g_strdup ("3f2e1d0c-4b5a-4c6d-9e8f-7a6b5c4d3e2f");
  vm->name = g_strdup ("gs-guest");
  vm->connected = TRUE;
  vm->pings = 7;
  vm->garbage_bytes = G_GUINT64_CONSTANT (5000000000);
  vm->log_failures = 3;
  g_ptr_array_add (stats->vms, vm);
  stats->flush = g_strdup ("stop");
  g_assert_true (kvmrt_gs_stats_save (stats, root, &error));
  back = kvmrt_gs_stats_load (root, &error);
  g_assert_no_error (error);
  found = kvmrt_gs_stats_lookup (back, "3F2E1D0C-4B5A-4C6D-9E8F-7A6B5C4D3E2F");
  g_assert_nonnull (found);
  g_assert_true (found->connected);
  for (guint i = 0; i < kvmrt_gs_counter_count (); i++)
    g_assert_cmpuint (kvmrt_gs_vm_stats_counter (found, i), ==,
                      kvmrt_gs_vm_stats_counter (vm, i));
  g_assert_cmpstr (back->flush, ==, "stop");
  /* A file whose writer is gone (no proc/PID below the sysroot) is not believed. */
  stats->pid = 4242;
  g_assert_true (kvmrt_gs_stats_save (stats, root, &error));
  g_assert_null (kvmrt_gs_stats_load (root, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  {
    g_autofree char *proc = g_build_filename (root, "proc", "4242", NULL);

    g_assert_cmpint (g_mkdir_with_parents (proc, 0755), ==, 0);
    g_clear_pointer (&back, kvmrt_gs_stats_free);
    back = kvmrt_gs_stats_load (root, &error);
    g_assert_no_error (error);
    g_assert_cmpint (back->pid, ==, 4242);
  }
  kvmrt_gs_stats_remove (root);
  g_assert_null (kvmrt_gs_stats_load (root, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_null (kvmrt_gs_stats_parse ("{\"vms\": 3}", &error));
  g_assert_nonnull (error);
}

static int
bind_datagram (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  strcpy (address.sun_path, path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  return fd;
}

static void
test_log (void)
{
  g_autofree char *dir = g_dir_make_tmp ("kvmrt-gs-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "log", NULL);
  g_autofree char *journal_target = g_strconcat ("journal:", path, NULL);
  g_autofree char *syslog_target = g_strconcat ("syslog:", path, NULL);
  g_autoptr(GError) error = NULL;
  int fd = bind_datagram (path);
  char datagram[4096];
  gssize n;

  {
    g_autoptr(KvmrtGsLog) log = kvmrt_gs_log_new ("/", journal_target, &error);

    g_assert_no_error (error);
    g_assert_true (kvmrt_gs_log_send (log, "vm1", "uuid-1", 2, "about to start A", &error));
    n = recv (fd, datagram, sizeof datagram - 1, 0);
    datagram[MAX (n, 0)] = '\0';
    g_assert_nonnull (strstr (datagram, "MESSAGE=vm1: about to start A\n"));
    g_assert_nonnull (strstr (datagram, "\nKVMRT_VM=vm1\nKVMRT_VM_UUID=uuid-1\n"));
  }
  {
    g_autoptr(KvmrtGsLog) log = kvmrt_gs_log_new ("/", syslog_target, &error);

    g_assert_true (kvmrt_gs_log_send (log, "vm1", "uuid-1", 0, "done", &error));
    n = recv (fd, datagram, sizeof datagram - 1, 0);
    datagram[MAX (n, 0)] = '\0';
    g_assert_true (g_str_has_prefix (datagram, "<30>"));
    g_assert_true (g_str_has_suffix (datagram, "]: vm1: done"));
  }
  g_assert_null (kvmrt_gs_log_new ("/", "udp:1.2.3.4", &error));
  g_assert_nonnull (strstr (error->message, "journal:SOCKET"));
  close (fd);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gs/frame/round-trip", test_round_trip);
  g_test_add_func ("/gs/frame/fuzzed-decoder", test_fuzzed_decoder);
  g_test_add_func ("/gs/frame/garbage-counts", test_garbage_counts);
  g_test_add_func ("/gs/rate", test_rate);
  g_test_add_func ("/gs/escape", test_escape);
  g_test_add_func ("/gs/host-trace", test_host_trace);
  g_test_add_func ("/gs/stats", test_stats_round_trip);
  g_test_add_func ("/gs/log", test_log);
  return g_test_run ();
}
