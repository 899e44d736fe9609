/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmrt-gs: the Guest Services calls from a guest's shell (kvmrt-gs(1)). Several commands
 * may follow one another; they run in order and the first that fails ends the run. libc
 * only, so it can be linked statically into a minimal guest. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmrt-gs.h"

#ifndef KVMRT_VERSION
#define KVMRT_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static int verbose;

typedef struct {
  const char *name;
  int         takes_argument;
  int       (*run) (const char *name, const char *argument);
} Command;

static void
usage (FILE *stream)
{
  fprintf (stream,
           "Usage: kvmrt-gs [OPTION...] COMMAND [ARGUMENT] [COMMAND [ARGUMENT]...]\n"
           "Use KVM-RT Guest Services from inside a guest: log to the host's trace and\n"
           "journal. Commands run in order; the first that fails ends the run.\n\n"
           "Commands:\n"
           "  available                   the host serves Guest Services to this guest\n"
           "  ping_available              the host serves ping\n"
           "  ping COOKIE                 ping the host with an unsigned integer (0x for hex)\n"
           "  log_msg_available           the host serves log_msg\n"
           "  log_msg MESSAGE             log MESSAGE in the host's journal (0x... for hex)\n"
           "  xtrace_flush_available      the host serves xtrace_flush\n"
           "  xtrace_flush SCOPE          flush the host's trace: 0 this vCPU's host CPU,\n"
           "                              1 the VM's host CPUs, 2 every host CPU\n"
           "  xtrace_log_data_available   the host serves xtrace_log_data\n"
           "  xtrace_log_data DATA        log DATA in the host's trace (0x... for hex)\n\n"
           "Options:\n"
           "  -t, --timeout MS            wait at most MS milliseconds per command\n"
           "  -v, --verbose               say what each command did\n"
           "  -h, --help                  show this help\n"
           "  -V, --version               show the version\n\n"
           "Exit status: 0 when every command succeeded, 1 when one failed (an *_available\n"
           "command fails when the function is not available), 2 on bad usage.\n");
}

/* ARGUMENT as bytes: "0x" and an even number of hex digits, else the text itself. Returns
 * the length, or -1 when the hex is malformed. @out has room for strlen(argument) bytes. */
static long
decode_argument (const char *argument, unsigned char *out)
{
  size_t length = strlen (argument);

  if (length < 2 || argument[0] != '0' || (argument[1] != 'x' && argument[1] != 'X'))
    {
      memcpy (out, argument, length);
      return (long) length;
    }
  argument += 2;
  length -= 2;
  if (length % 2 != 0)
    return -1;
  for (size_t i = 0; i < length / 2; i++)
    {
      char pair[3] = { argument[2 * i], argument[2 * i + 1], '\0' };
      char *end;

      out[i] = (unsigned char) strtoul (pair, &end, 16);
      if (*end != '\0' || pair[0] == '+' || pair[0] == '-' || pair[0] == ' ')
        return -1;
    }
  return (long) (length / 2);
}

static int
report (const char *name, long result)
{
  if (result < 0)
    {
      fprintf (stderr, "kvmrt-gs: %s failed: %s%s\n", name, strerror (errno),
               errno == ENODEV ? " (this guest has no org.kvmrt.gs.0 port: enable "
                                 "guest_services for the VM on the host)"
               : errno == ENOTCONN ? " (kvmrtd does not serve this VM's channel; is it "
                                     "running on the host?)" : "");
      return EXIT_FAILED;
    }
  if (verbose)
    printf ("%s: ok (%ld)\n", name, result);
  return EXIT_OK;
}

static int
run_available (const char *name, const char *argument)
{
  static const struct { const char *name; bool (*probe) (void); } probes[] = {
    { "available", kvmrt_gs_available },
    { "ping_available", kvmrt_gs_ping_available },
    { "log_msg_available", kvmrt_gs_log_msg_available },
    { "xtrace_flush_available", kvmrt_gs_xtrace_flush_available },
    { "xtrace_log_data_available", kvmrt_gs_xtrace_log_data_available },
  };

  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
    if (strcmp (probes[i].name, name) == 0)
      {
        bool yes = probes[i].probe ();

        if (verbose)
          printf ("%s: %s\n", name, yes ? "yes" : "no");
        return yes ? EXIT_OK : EXIT_FAILED;
      }
  return EXIT_USAGE;
}

static int
run_ping (const char *name, const char *argument)
{
  char *end;
  unsigned long cookie;

  errno = 0;
  cookie = strtoul (argument, &end, 0);
  if (errno != 0 || *end != '\0' || end == argument || argument[0] == '-')
    {
      fprintf (stderr, "kvmrt-gs: ping: \"%s\" is not an unsigned integer (write a decimal "
               "number, or hex after 0x)\n", argument);
      return EXIT_USAGE;
    }
  return report (name, kvmrt_gs_ping (cookie));
}

static int
run_bytes (const char *name, const char *argument)
{
  unsigned char *bytes = malloc (strlen (argument) + 1);
  long length = bytes != NULL ? decode_argument (argument, bytes) : -1;
  int status;

  if (length < 0)
    {
      fprintf (stderr, "kvmrt-gs: %s: \"%s\" is not a hex byte sequence (0x followed by an "
               "even number of hex digits)\n", name, argument);
      free (bytes);
      return EXIT_USAGE;
    }
  if (strcmp (name, "log_msg") == 0)
    {
      bytes[length] = '\0';   /* a message ends at its first NUL */
      status = report (name, kvmrt_gs_log_msg ((char *) bytes));
    }
  else
    status = report (name, kvmrt_gs_xtrace_log_data (bytes, length));
  free (bytes);
  return status;
}

static int
run_flush (const char *name, const char *argument)
{
  static const char *const scopes[] = { "0", "1", "2" };

  for (unsigned long scope = 0; scope < 3; scope++)
    if (strcmp (argument, scopes[scope]) == 0)
      return report (name, kvmrt_gs_xtrace_flush (scope));
  fprintf (stderr, "kvmrt-gs: xtrace_flush: scope \"%s\" is not 0 (this CPU), 1 (the VM's "
           "CPUs) or 2 (all host CPUs)\n", argument);
  return EXIT_USAGE;
}

static const Command commands[] = {
  { "available", 0, run_available },
  { "ping_available", 0, run_available },
  { "ping", 1, run_ping },
  { "log_msg_available", 0, run_available },
  { "log_msg", 1, run_bytes },
  { "xtrace_flush_available", 0, run_available },
  { "xtrace_flush", 1, run_flush },
  { "xtrace_log_data_available", 0, run_available },
  { "xtrace_log_data", 1, run_bytes },
};

static const Command *
find_command (const char *name)
{
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Checks the whole command line before running anything, so a typo does not leave half of
 * the commands done. */
static int
check_commands (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    {
      const Command *command = find_command (argv[i]);

      if (command == NULL)
        {
          fprintf (stderr, "kvmrt-gs: unknown command \"%s\" (see kvmrt-gs --help)\n", argv[i]);
          return 0;
        }
      if (command->takes_argument && ++i >= argc)
        {
          fprintf (stderr, "kvmrt-gs: %s needs an argument (see kvmrt-gs --help)\n",
                   command->name);
          return 0;
        }
    }
  return 1;
}

int
main (int argc, char **argv)
{
  static const struct option options[] = {
    { "timeout", required_argument, NULL, 't' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
  };
  int option;

  /* "+": options only before the first command, whose arguments may start with '-'. */
  while ((option = getopt_long (argc, argv, "+t:vhV", options, NULL)) != -1)
    switch (option)
      {
      case 't':
        if (atol (optarg) <= 0)
          {
            fprintf (stderr, "kvmrt-gs: --timeout wants a number of milliseconds above 0\n");
            return EXIT_USAGE;
          }
        setenv ("KVMRT_GS_TIMEOUT_MS", optarg, 1);
        break;
      case 'v':
        verbose = 1;
        break;
      case 'h':
        usage (stdout);
        return EXIT_OK;
      case 'V':
        printf ("kvmrt-gs %s\n", KVMRT_VERSION);
        return EXIT_OK;
      default:
        usage (stderr);
        return EXIT_USAGE;
      }
  argc -= optind;
  argv += optind;
  if (argc == 0)
    {
      fprintf (stderr, "kvmrt-gs: no command given (see kvmrt-gs --help)\n");
      return EXIT_USAGE;
    }
  if (!check_commands (argc, argv))
    return EXIT_USAGE;
  for (int i = 0; i < argc; i++)
    {
      const Command *command = find_command (argv[i]);
      int status = command->run (command->name, command->takes_argument ? argv[++i] : NULL);

      if (status != EXIT_OK)
        return status;
    }
  return EXIT_OK;
}
