/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locks are flock(2) locks on the config file itself. A writer that replaced the file by
 * rename leaves readers of the old inode undisturbed; a second writer that locked the old
 * inode notices the replacement and locks the new one. */
#include "kvmrt-config-file.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* How long a reader waits for a writer to finish (writes take milliseconds). */
#define READ_LOCK_WAIT_MS 3000

static void
set_io_error (GError **error, int errsv, const char *what, const char *path)
{
  int code = errsv == ENOENT ? KVMRT_CONFIG_ERROR_NOT_FOUND : KVMRT_CONFIG_ERROR_IO;
  const char *hint = errsv == EACCES || errsv == EPERM || errsv == EROFS
                       ? _("; run as root or choose a file you may write with -f")
                       : "";

  g_set_error (error, KVMRT_CONFIG_ERROR, code, _("cannot %s %s: %s%s"), what, path,
               g_strerror (errsv), hint);
}

/* Who else holds a lock on the file, from /proc/locks: "kvmrt (PID 1234)". */
static char *
describe_holders (int fd)
{
  g_autofree char *locks = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) who = g_string_new (NULL);
  g_autofree char *needle = NULL;
  struct stat st;

  if (fstat (fd, &st) != 0 || !g_file_get_contents ("/proc/locks", &locks, NULL, NULL))
    return NULL;
  needle = g_strdup_printf ("%02x:%02x:%lu", major (st.st_dev), minor (st.st_dev),
                            (unsigned long) st.st_ino);
  lines = g_strsplit (locks, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
      GPtrArray *words = g_ptr_array_new ();
      g_autofree char *comm_path = NULL;
      g_autofree char *comm = NULL;
      int pid;

      for (guint f = 0; fields[f] != NULL; f++)
        if (fields[f][0] != '\0')
          g_ptr_array_add (words, fields[f]);
      /* "1: FLOCK ADVISORY READ 1234 08:01:5678 0 EOF" */
      if (words->len < 6 || !g_str_equal (words->pdata[5], needle))
        {
          g_ptr_array_unref (words);
          continue;
        }
      pid = atoi (words->pdata[4]);
      g_ptr_array_unref (words);
      if (pid <= 0 || pid == getpid ())
        continue;
      comm_path = g_strdup_printf ("/proc/%d/comm", pid);
      if (g_file_get_contents (comm_path, &comm, NULL, NULL))
        g_strchomp (comm);
      g_string_append_printf (who, "%s%s (PID %d)", who->len ? ", " : "",
                              comm ? comm : "?", pid);
    }
  return who->len ? g_strdup (who->str) : NULL;
}

static void
set_locked_error (GError **error, int fd, const char *path)
{
  g_autofree char *who = describe_holders (fd);

  if (who != NULL)
    g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
                 _("%s is in use by %s; close that program (or its configuration) and try "
                   "again"), path, who);
  else
    g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
                 _("%s is in use by another kvmrt program; close it and try again"), path);
}

static gboolean
lock_shared (int fd, const char *path, GError **error)
{
  for (int waited = 0; ; waited += 10)
    {
      if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        return TRUE;
      if (errno != EWOULDBLOCK || waited >= READ_LOCK_WAIT_MS)
        break;
      g_usleep (10 * 1000);
    }
  if (errno == EWOULDBLOCK)
    set_locked_error (error, fd, path);
  else
    set_io_error (error, errno, _("lock"), path);
  return FALSE;
}

gboolean
kvmrt_config_file_read (const char  *path,
                        char       **out_data,
                        gsize       *out_length,
                        GError     **error)
{
  g_autoptr(GString) data = g_string_new (NULL);
  char buffer[16384];
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      set_io_error (error, errno, _("read"), path);
      return FALSE;
    }
  if (!lock_shared (fd, path, error))
    {
      close (fd);
      return FALSE;
    }
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (data, buffer, n);
  if (n < 0)
    {
      set_io_error (error, errno, _("read"), path);
      close (fd);
      return FALSE;
    }
  close (fd);   /* releases the lock */
  *out_length = data->len;
  *out_data = g_string_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}

int
kvmrt_config_file_hold (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      set_io_error (error, errno, _("open"), path);
      return -1;
    }
  if (!lock_shared (fd, path, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gboolean
same_file (int fd, const char *path)
{
  struct stat a, b;

  return fstat (fd, &a) == 0 && stat (path, &b) == 0
         && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Locks the current file at @path exclusively. Returns the descriptor that holds the lock
 * (which may be @held_fd), -1 with @error on failure, or -2 if there is no file yet. */
static int
lock_exclusive (const char *path, int held_fd, GError **error)
{
  for (int attempt = 0; attempt < 5; attempt++)
    {
      int fd;

      if (held_fd >= 0 && same_file (held_fd, path))
        fd = held_fd;
      else
        {
          fd = open (path, O_RDONLY | O_CLOEXEC);
          if (fd < 0 && errno == ENOENT)
            return -2;
          if (fd < 0)
            {
              set_io_error (error, errno, _("open"), path);
              return -1;
            }
        }
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          int errsv = errno;

          if (errsv == EWOULDBLOCK)
            set_locked_error (error, fd, path);
          else
            set_io_error (error, errsv, _("lock"), path);
          if (fd != held_fd)
            close (fd);
          else
            flock (held_fd, LOCK_SH);
          return -1;
        }
      if (same_file (fd, path))
        return fd;
      /* Replaced by another writer between open and lock: lock the new file instead. */
      if (fd != held_fd)
        close (fd);
    }
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
               _("%s keeps being replaced by another program; try again"), path);
  return -1;
}

static gboolean
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

static void
fsync_directory (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Keeps the current file as PATH.bak: a hard link (no copy, same content) renamed into place,
 * so an old .bak is replaced atomically too. */
static gboolean
keep_backup (const char *path, const char *dir, GError **error)
{
  g_autofree char *backup = g_strconcat (path, ".bak", NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temp = g_strdup_printf ("%s/.%s.bak.%d", dir, base, (int) getpid ());

  g_unlink (temp);
  if (link (path, temp) != 0)
    {
      /* A filesystem without hard links: copy instead. */
      g_autofree char *content = NULL;
      gsize length;
      int fd;

      if (!g_file_get_contents (path, &content, &length, NULL))
        {
          set_io_error (error, errno, _("back up"), path);
          return FALSE;
        }
      fd = open (temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 || !write_all (fd, content, length) || fsync (fd) != 0)
        {
          set_io_error (error, errno, _("write"), backup);
          if (fd >= 0)
            close (fd);
          g_unlink (temp);
          return FALSE;
        }
      close (fd);
    }
  if (rename (temp, backup) != 0)
    {
      set_io_error (error, errno, _("write"), backup);
      g_unlink (temp);
      return FALSE;
    }
  return TRUE;
}

gboolean
kvmrt_config_file_write (const char  *path,
                         const char  *data,
                         gsize        length,
                         int          held_fd,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  struct stat st;
  gboolean exists;
  int lock_fd;
  int fd;

  lock_fd = lock_exclusive (path, held_fd, error);
  if (lock_fd == -1)
    return FALSE;
  exists = lock_fd >= 0;

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_io_error (error, errno, _("write to the directory of"), path);
      goto fail;
    }
  if (exists && fstat (lock_fd, &st) == 0)
    {
      fchmod (fd, st.st_mode & 07777);
      if (fchown (fd, st.st_uid, st.st_gid) != 0 && geteuid () == 0)
        {
          set_io_error (error, errno, _("keep the owner of"), path);
          goto fail;
        }
    }
  else
    fchmod (fd, 0644);

  if (!write_all (fd, data, length) || fsync (fd) != 0)
    {
      set_io_error (error, errno, _("write"), temp);
      goto fail;
    }
  close (fd);
  fd = -1;

  if (exists && !keep_backup (path, dir, error))
    goto fail;
  if (rename (temp, path) != 0)
    {
      set_io_error (error, errno, _("replace"), path);
      goto fail;
    }
  fsync_directory (dir);

  if (lock_fd >= 0 && lock_fd != held_fd)
    close (lock_fd);
  else if (lock_fd >= 0)
    flock (held_fd, LOCK_SH);
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (temp);
  if (lock_fd >= 0 && lock_fd != held_fd)
    close (lock_fd);
  else if (lock_fd >= 0)
    flock (held_fd, LOCK_SH);
  return FALSE;
}
