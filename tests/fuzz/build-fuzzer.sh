#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer target with clang (ASan and UBSan too) from the core's sources: the
# project's own build uses gcc, which has no libFuzzer.
#   build-fuzzer.sh CLANG OUTPUT CORE_DIR SOURCE...
set -eu
clang=$1 output=$2 core=$3
shift 3
# shellcheck disable=SC2046
exec "$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -std=gnu11 -D_FILE_OFFSET_BITS=64 -DGETTEXT_PACKAGE='"kvmrt"' -DKVMRT_VERSION='"fuzz"' \
  -DKVMRT_DATADIR='"/usr/share/kvmrt"' -DKVMRT_LOCALEDIR='"/usr/share/locale"' \
  -DKVMRT_LIBEXECDIR='"/usr/libexec/kvmrt"' -DKVMRT_PCI_IDS='"/usr/share/misc/pci.ids"' \
  -I"$core" $(pkg-config --cflags glib-2.0 gobject-2.0 zlib) \
  -o "$output" "$@" $(pkg-config --libs glib-2.0 gobject-2.0 zlib) -lcrypt
