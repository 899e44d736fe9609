/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one place that turns host paths ("sys/...", "proc/...") into file names below the
 * sysroot, and reads the small text files the kernel exposes there. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "kvmrt-host-private.h"
#include "kvmrt-i18n.h"
#include "kvmrt-sysroot.h"

/* sysfs and procfs text files are at most a page; /proc/interrupts and /proc/cpuinfo are
 * larger, so the buffer grows as needed. */
#define READ_CHUNK 4096

const char *
kvmrt_sysroot_choose (const char *option)
{
  const char *env;

  if (option != NULL && *option != '\0')
    return option;
  env = g_getenv ("KVMRT_SYSROOT");
  if (env != NULL && *env != '\0')
    return env;
  return "/";
}

char *
kvmrt_sysroot_path (const char *root, const char *relative)
{
  if (root == NULL || *root == '\0')
    root = "/";
  while (*relative == '/')
    relative++;
  if (*relative == '\0')
    return g_strdup (root);
  return g_build_filename (root, relative, NULL);
}

gboolean
kvmrt_sysroot_is_live (const char *root)
{
  g_autofree char *canonical = NULL;

  if (root == NULL || *root == '\0' || g_str_equal (root, "/"))
    return TRUE;
  /* "/.", "/tmp/..": and "//", which GLib keeps as it is. */
  canonical = g_canonicalize_filename (root, "/");
  return canonical[strspn (canonical, "/")] == '\0';
}

/* Reads a whole file from @fd; NULL with errno set on failure. @length gets the byte count.
 * With @small, a short first read is taken as the whole file: sysfs attributes, the small
 * /proc files and regular files all come whole in one read, and each system call counts
 * when a host has thousands of such files. */
static char *
read_fd (int fd, gboolean small, gsize *length)
{
  gsize size = READ_CHUNK;
  gsize used = 0;
  char *buf;

  if (small)
    {
      /* The usual case: one read into the stack, a copy of what came. */
      char first[READ_CHUNK];
      ssize_t n;

      do
        n = read (fd, first, sizeof first);
      while (n < 0 && errno == EINTR);
      if (n < 0)
        return NULL;
      if ((gsize) n < sizeof first)
        {
          if (length != NULL)
            *length = n;
          return g_strndup (first, n);
        }
      buf = g_malloc (size * 2 + 1);
      memcpy (buf, first, n);
      used = n;
      size *= 2;
    }
  else
    {
      struct stat info;

      /* Regular files say their size (/proc files say 0): one read instead of a doubling
       * buffer for a large fixture's /proc/interrupts. */
      if (fstat (fd, &info) == 0 && S_ISREG (info.st_mode) && info.st_size > 0)
        size = MAX (size, (gsize) info.st_size + 1);
      buf = g_malloc (size + 1);
    }

  for (;;)
    {
      ssize_t n = read (fd, buf + used, size - used);

      if (n < 0)
        {
          int saved;

          if (errno == EINTR)
            continue;
          saved = errno;
          g_free (buf);
          errno = saved;
          return NULL;
        }
      if (n == 0)
        break;
      used += n;
      if (small && used < size)
        break;
      if (used == size)
        {
          size *= 2;
          buf = g_realloc (buf, size + 1);
        }
    }
  buf[used] = '\0';
  if (length != NULL)
    *length = used;
  return buf;
}

static char *
read_file_at (int dir_fd, const char *relative, gboolean small, gsize *length,
              int *error_number)
{
  int fd = openat (dir_fd, relative, O_RDONLY | O_CLOEXEC);
  char *contents;
  int saved;

  if (fd < 0)
    {
      if (error_number != NULL)
        *error_number = errno;
      return NULL;
    }
  contents = read_fd (fd, small, length);
  saved = errno;
  close (fd);
  if (contents == NULL && error_number != NULL)
    *error_number = saved;
  return contents;
}

char *
kvmrt_sysroot_read_fd_at (int dir_fd, const char *relative, gsize *length, int *error_number)
{
  return read_file_at (dir_fd, relative, FALSE, length, error_number);
}

char *
kvmrt_sysroot_read_at (int dir_fd, const char *relative)
{
  gsize length = 0;
  char *contents = read_file_at (dir_fd, relative, TRUE, &length, NULL);

  if (contents != NULL && length > 0 && contents[length - 1] == '\n')
    contents[length - 1] = '\0';
  return contents;
}

char *
kvmrt_sysroot_read (const char *root, const char *relative, GError **error)
{
  g_autofree char *path = kvmrt_sysroot_path (root, relative);
  gsize length = 0;
  int error_number = 0;
  char *contents = read_file_at (AT_FDCWD, path, FALSE, &length, &error_number);

  if (contents == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (error_number),
                   _("Cannot read “%s”: %s"), path, g_strerror (error_number));
      return NULL;
    }
  if (length > 0 && contents[length - 1] == '\n')
    contents[length - 1] = '\0';
  return contents;
}

char *
kvmrt_sysroot_read_optional (const char *root, const char *relative)
{
  g_autofree char *path = kvmrt_sysroot_path (root, relative);
  gsize length = 0;
  char *contents = read_file_at (AT_FDCWD, path, FALSE, &length, NULL);

  if (contents != NULL && length > 0 && contents[length - 1] == '\n')
    contents[length - 1] = '\0';
  return contents;
}

int
kvmrt_sysroot_open_dir (const char *root, const char *relative)
{
  g_autofree char *path = kvmrt_sysroot_path (root, relative);

  return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}
