#!/bin/sh
# `make run`: the main job. Imports the committed series again from its
# archive copies (proving it reproduces) and shows the kernel matrix.
set -e
cd "$(dirname "$0")/.."
S=backports/ext4-dio-shared-lock
./kbackport series import "$S"/archive/001_2e31d047427a21b3.txt "$S"/archive/000_90e44bd725056204.txt -o "$S"
echo
./kbackport kernels
