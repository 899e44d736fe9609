/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private: gettext macros for the core library's messages. */
#pragma once

#include <glib/gi18n-lib.h>
