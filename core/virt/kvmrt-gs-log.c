/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvmrt-gs-log.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

struct _KvmrtGsLog {
  int       fd;
  gboolean  journal;
  char     *path;
  char     *description;
};

char *
kvmrt_gs_escape (const guint8 *data, gsize length, gsize max_bytes)
{
  GString *text = g_string_sized_new (MIN (length, max_bytes) + 16);

  for (gsize i = 0; i < length && i < max_bytes; i++)
    {
      if (data[i] == '\\')
        g_string_append (text, "\\\\");
      else if (data[i] >= 0x20 && data[i] < 0x7f)
        g_string_append_c (text, (char) data[i]);
      else
        g_string_append_printf (text, "\\x%02x", data[i]);
    }
  return g_string_free (text, FALSE);
}

char *
kvmrt_gs_word (const char *text)
{
  char *word = g_strdup (text != NULL && *text != '\0' ? text : "-");

  for (char *p = word; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || !g_ascii_isprint (*p))
      *p = '_';
  return word;
}

KvmrtGsLog *
kvmrt_gs_log_new (const char *sysroot, const char *target, GError **error)
{
  g_autoptr(KvmrtGsLog) log = g_new0 (KvmrtGsLog, 1);

  log->fd = -1;
  if (target != NULL && g_str_has_prefix (target, "journal:"))
    log->journal = TRUE, log->path = g_strdup (target + strlen ("journal:"));
  else if (target != NULL && g_str_has_prefix (target, "syslog:"))
    log->path = g_strdup (target + strlen ("syslog:"));
  else if (target != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("\"%s\" names no log receiver: write journal:SOCKET or syslog:SOCKET"),
                   target);
      return NULL;
    }
  else
    {
      log->path = kvmrt_sysroot_path (sysroot, "run/systemd/journal/socket");
      log->journal = g_file_test (log->path, G_FILE_TEST_EXISTS);
      if (!log->journal)
        {
          g_free (log->path);
          log->path = kvmrt_sysroot_path (sysroot, "dev/log");
        }
    }
  if (strlen (log->path) >= sizeof ((struct sockaddr_un *) NULL)->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("the log socket path %s is too long"), log->path);
      return NULL;
    }
  log->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (log->fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("cannot make a socket for the log: %s"), g_strerror (errno));
      return NULL;
    }
  log->description = g_strdup_printf ("%s:%s", log->journal ? "journal" : "syslog", log->path);
  return g_steal_pointer (&log);
}

void
kvmrt_gs_log_free (KvmrtGsLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log->path);
  g_free (log->description);
  g_free (log);
}

const char *
kvmrt_gs_log_describe (KvmrtGsLog *log)
{
  return log->description;
}

gboolean
kvmrt_gs_log_send (KvmrtGsLog *log, const char *name, const char *uuid, guint vcpu,
                   const char *text, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GString) datagram = g_string_new (NULL);

  if (log->journal)
    g_string_append_printf (datagram,
                            "MESSAGE=%s: %s\nPRIORITY=6\nSYSLOG_IDENTIFIER=kvmrtd\n"
                            "KVMRT_VM=%s\nKVMRT_VM_UUID=%s\nKVMRT_GS_VCPU=%u\n",
                            name, text, name, uuid, vcpu);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%b %e %H:%M:%S");

      /* <30>: facility daemon, severity info. */
      g_string_append_printf (datagram, "<30>%s kvmrtd[%d]: %s: %s", stamp, (int) getpid (),
                              name, text);
    }
  strcpy (address.sun_path, log->path);
  if (sendto (log->fd, datagram->str, datagram->len, MSG_NOSIGNAL,
              (struct sockaddr *) &address, sizeof address) == (gssize) datagram->len)
    return TRUE;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("cannot log a message of %s to %s: %s"), name, log->description,
               g_strerror (errno));
  return FALSE;
}
