#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# encode-symbolic.sh ENCODER SVG SIZE OUTPUT: renders one symbolic icon to the PNG form GTK
# recolors itself (gtk4-encode-symbolic-svg names its output after the icon; the build needs
# one file per size).
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$1" -o "$dir" "$2" "${3}x${3}"
mv "$dir"/*.symbolic.png "$4"
