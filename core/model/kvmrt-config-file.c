/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locks are flock(2) locks on the config file itself. A writer that replaced the file by
 * rename leaves readers of the old inode undisturbed; a second writer that locked the old
 * inode notices the replacement and locks the new one. */
#include "kvmrt-config-file.h"

#include "kvmrt-error.h"
#include "kvmrt-i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* How long a reader waits for a writer to finish (writes take milliseconds). */
#define READ_LOCK_WAIT_MS 3000
/* How long a writer waits for another writer (which may be talking to libvirt meanwhile). */
#define WRITE_LOCK_WAIT_MS 15000

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

/* Who else holds a lock on the file, from /proc/locks: "kvmrt (PID 1234)". @out_writer tells
 * whether one of them holds it exclusively (a writer, as opposed to a reader or a GUI that
 * keeps the file open). */
static char *
describe_holders (int fd, gboolean *out_writer)
{
  g_autofree char *locks = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) who = g_string_new (NULL);
  g_autofree char *needle = NULL;
  struct stat st;

  if (out_writer != NULL)
    *out_writer = FALSE;
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
      gboolean write;
      int pid;

      for (guint f = 0; fields[f] != NULL; f++)
        if (fields[f][0] != '\0')
          g_ptr_array_add (words, fields[f]);
      /* "1: FLOCK ADVISORY READ 1234 08:01:5678 0 EOF" (a waiter's line starts "1: ->") */
      if (words->len < 6 || !g_str_equal (words->pdata[5], needle))
        {
          g_ptr_array_unref (words);
          continue;
        }
      pid = atoi (words->pdata[4]);
      write = g_str_equal (words->pdata[3], "WRITE");
      g_ptr_array_unref (words);
      if (pid <= 0 || pid == getpid ())
        continue;
      if (write && out_writer != NULL)
        *out_writer = TRUE;
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
  g_autofree char *who = describe_holders (fd, NULL);

  if (who != NULL)
    g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
                 _("%s is in use by %s; close that program (or its configuration) and try "
                   "again"), path, who);
  else
    g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
                 _("%s is in use by another kvmrt program; close it and try again"), path);
}

/* Takes @operation (LOCK_SH or LOCK_EX) on @fd, waiting up to READ_LOCK_WAIT_MS for other
 * holders, and up to @wait_ms while one of them is a writer (which finishes by itself). */
static gboolean
lock_waiting (int fd, int operation, int wait_ms, const char *path, GError **error)
{
  gboolean writer = FALSE;
  int errsv;

  for (int waited = 0; ; waited += 10)
    {
      if (flock (fd, operation | LOCK_NB) == 0)
        return TRUE;
      errsv = errno;
      if (errsv != EWOULDBLOCK)
        break;
      if (waited >= READ_LOCK_WAIT_MS && waited % 500 == 0)
        g_free (describe_holders (fd, &writer));
      if (waited >= READ_LOCK_WAIT_MS && (!writer || waited >= wait_ms))
        break;
      g_usleep (10 * 1000);
    }
  if (errsv == EWOULDBLOCK)
    set_locked_error (error, fd, path);
  else
    set_io_error (error, errsv, _("lock"), path);
  return FALSE;
}

/* Opens @path for reading without blocking on a FIFO or a device, and refuses anything that
 * is not a regular file (or /dev/null): a configuration is text on disk, and read() of a FIFO
 * would wait for a writer forever, of /dev/zero never end. */
static int
open_regular (const char *path, const char *what, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;

  if (fd < 0)
    {
      set_io_error (error, errno, what, path);
      return -1;
    }
  if (fstat (fd, &st) != 0)
    {
      set_io_error (error, errno, what, path);
      close (fd);
      return -1;
    }
  /* /dev/null stands for an empty configuration, as it does for any file; it never blocks. */
  if (!S_ISREG (st.st_mode)
      && !(S_ISCHR (st.st_mode) && major (st.st_rdev) == 1 && minor (st.st_rdev) == 3))
    {
      g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_IO,
                   _("%s is not a regular file (%s); name a configuration file"), path,
                   S_ISFIFO (st.st_mode) ? _("a FIFO")
                   : S_ISDIR (st.st_mode) ? _("a directory")
                   : S_ISSOCK (st.st_mode) ? _("a socket") : _("a device"));
      close (fd);
      return -1;
    }
  /* Regular files never block; reads go on as usual. */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

static gboolean
read_fd (int fd, const char *path, char **out_data, gsize *out_length, GError **error)
{
  struct stat st;
  g_autoptr(GString) data = g_string_sized_new (fstat (fd, &st) == 0 && st.st_size > 0
                                                ? (gsize) st.st_size + 1 : 0);
  char buffer[65536];
  ssize_t n;

  while ((n = pread (fd, buffer, sizeof buffer, data->len)) > 0
         || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (data, buffer, n);
  if (n < 0)
    {
      set_io_error (error, errno, _("read"), path);
      return FALSE;
    }
  *out_length = data->len;
  *out_data = g_string_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}

gboolean
kvmrt_config_file_read (const char  *path,
                        char       **out_data,
                        gsize       *out_length,
                        GError     **error)
{
  int fd = open_regular (path, _("read"), error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = lock_waiting (fd, LOCK_SH, READ_LOCK_WAIT_MS, path, error)
       && read_fd (fd, path, out_data, out_length, error);
  close (fd);   /* releases the lock */
  return ok;
}

int
kvmrt_config_file_hold (const char *path, GError **error)
{
  int fd = open_regular (path, _("open"), error);

  if (fd < 0)
    return -1;
  if (!lock_waiting (fd, LOCK_SH, READ_LOCK_WAIT_MS, path, error))
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

gboolean
kvmrt_config_file_read_for_update (const char  *path,
                                   char       **out_data,
                                   gsize       *out_length,
                                   int         *out_fd,
                                   GError     **error)
{
  for (int attempt = 0; attempt < 20; attempt++)
    {
      int fd = open_regular (path, _("read"), error);

      if (fd < 0)
        return FALSE;
      if (!lock_waiting (fd, LOCK_EX, WRITE_LOCK_WAIT_MS, path, error))
        {
          close (fd);
          return FALSE;
        }
      /* The writer we waited for replaced the file: read (and lock) the new one. */
      if (!same_file (fd, path))
        {
          close (fd);
          continue;
        }
      if (!read_fd (fd, path, out_data, out_length, error))
        {
          close (fd);
          return FALSE;
        }
      *out_fd = fd;
      return TRUE;
    }
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_LOCKED,
               _("%s keeps being replaced by another program; try again"), path);
  return FALSE;
}

/* Locks the current file at @path exclusively. Returns the descriptor that holds the lock
 * (which may be @held_fd), -1 with @error on failure, or -2 if there is no file yet. */
static int
lock_exclusive (const char *path, int held_fd, GError **error)
{
  for (int attempt = 0; attempt < 20; attempt++)
    {
      int fd;

      if (held_fd >= 0 && same_file (held_fd, path))
        fd = held_fd;
      else
        {
          g_autoptr(GError) open_error = NULL;

          fd = open_regular (path, _("open"), &open_error);
          if (fd < 0 && g_error_matches (open_error, KVMRT_CONFIG_ERROR,
                                         KVMRT_CONFIG_ERROR_NOT_FOUND))
            return -2;
          if (fd < 0)
            {
              g_propagate_error (error, g_steal_pointer (&open_error));
              return -1;
            }
        }
      if (!lock_waiting (fd, LOCK_EX, WRITE_LOCK_WAIT_MS, path, error))
        {
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

/* Whether the file (locked as @lock_fd, -2 for none) holds what @expect says. */
static gboolean
check_expected (const char *path, int lock_fd, const KvmrtConfigFileExpect *expect,
                GError **error)
{
  g_autofree char *now = NULL;
  gsize now_length = 0;
  gboolean same;

  if (expect == NULL || !expect->check)
    return TRUE;
  if (lock_fd < 0)
    same = expect->content == NULL;
  else if (expect->content == NULL)
    same = FALSE;
  else
    {
      if (!read_fd (lock_fd, path, &now, &now_length, error))
        return FALSE;
      same = now_length == g_bytes_get_size (expect->content)
             && memcmp (now, g_bytes_get_data (expect->content, NULL), now_length) == 0;
    }
  if (!same)
    g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_CHANGED,
                 _("%s was changed by another program since it was read; nothing was "
                   "written (that program's change is kept). Run the command again to "
                   "apply yours on top of it"), path);
  return same;
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

static gboolean
fsync_directory (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0 || errno == EINVAL;
  close (fd);
  return ok;
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

/* Whether @name is one of the temporary files a save of @base makes: ".BASE.XXXXXX" (the new
 * text) or ".BASE.bak.PID" (the backup link). */
static gboolean
is_save_leftover (const char *name, const char *base)
{
  gsize base_length = strlen (base);
  const char *rest;

  if (name[0] != '.' || strncmp (name + 1, base, base_length) != 0
      || name[1 + base_length] != '.')
    return FALSE;
  rest = name + base_length + 2;
  if (g_str_has_prefix (rest, "bak."))
    {
      rest += 4;
      if (*rest == '\0')
        return FALSE;
      for (; *rest != '\0'; rest++)
        if (!g_ascii_isdigit (*rest))
          return FALSE;
      return TRUE;
    }
  if (strlen (rest) != 6)
    return FALSE;
  for (; *rest != '\0'; rest++)
    if (!g_ascii_isalnum (*rest))
      return FALSE;
  return TRUE;
}

/* Removes what a save killed half-way left in @dir. Only called while this process holds the
 * exclusive lock on the current file: every other writer is then either done or waiting, so
 * no temporary file of @base belongs to a save in progress. */
static void
remove_leftovers (const char *dir, const char *base)
{
  DIR *d = opendir (dir);
  struct dirent *entry;

  if (d == NULL)
    return;
  while ((entry = readdir (d)) != NULL)
    {
      struct stat st;

      if (!is_save_leftover (entry->d_name, base)
          || fstatat (dirfd (d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
          || !S_ISREG (st.st_mode) || st.st_uid != geteuid ())
        continue;
      unlinkat (dirfd (d), entry->d_name, 0);
    }
  closedir (d);
}

/* The file a save replaces: @path itself, or the end of its chain of symbolic links (an
 * operator who links /etc/kvmrt.cfg into a managed directory wants that file updated, and the
 * link kept). */
static char *
resolve_target (const char *path, GError **error)
{
  g_autofree char *current = g_strdup (path);

  for (int depth = 0; depth < 40; depth++)
    {
      g_autofree char *link = NULL;
      struct stat st;

      if (lstat (current, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&current);
      link = g_file_read_link (current, NULL);
      if (link == NULL)
        return g_steal_pointer (&current);
      if (!g_path_is_absolute (link))
        {
          g_autofree char *dir = g_path_get_dirname (current);
          char *joined = g_build_filename (dir, link, NULL);

          g_free (g_steal_pointer (&link));
          link = joined;
        }
      g_free (current);
      current = g_steal_pointer (&link);
    }
  g_set_error (error, KVMRT_CONFIG_ERROR, KVMRT_CONFIG_ERROR_IO,
               _("%s is a loop of symbolic links; point it at a file"), path);
  return NULL;
}

gboolean
kvmrt_config_file_write (const char                  *link_path,
                         const char                  *data,
                         gsize                        length,
                         int                          held_fd,
                         const KvmrtConfigFileExpect *expect,
                         GError                     **error)
{
  g_autofree char *path = resolve_target (link_path, error);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *temp = NULL;
  struct stat st;
  gboolean exists;
  int lock_fd;
  int fd = -1;

  if (path == NULL)
    return FALSE;
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  temp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);

  lock_fd = lock_exclusive (path, held_fd, error);
  if (lock_fd == -1)
    return FALSE;
  exists = lock_fd >= 0;
  if (!check_expected (link_path, lock_fd, expect, error))
    goto fail;
  if (exists)
    remove_leftovers (dir, base);

  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      set_io_error (error, errno, _("write to the directory of"), link_path);
      goto fail;
    }
  if (exists && fstat (lock_fd, &st) == 0)
    {
      fchmod (fd, st.st_mode & 07777);
      if (fchown (fd, st.st_uid, st.st_gid) != 0 && geteuid () == 0)
        {
          set_io_error (error, errno, _("keep the owner of"), link_path);
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
  if (close (fd) != 0)
    {
      fd = -1;
      set_io_error (error, errno, _("write"), temp);
      goto fail;
    }
  fd = -1;

  if (exists && !keep_backup (path, dir, error))
    goto fail;
  if (rename (temp, path) != 0)
    {
      set_io_error (error, errno, _("replace"), link_path);
      goto fail;
    }
  /* The rename is only durable once the directory is on disk: a crash before that could bring
   * back the old file after "saved" was said. */
  if (!fsync_directory (dir))
    {
      set_io_error (error, errno, _("write the directory of"), link_path);
      if (lock_fd >= 0 && lock_fd != held_fd)
        close (lock_fd);
      return FALSE;
    }

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
