#!/bin/sh
# `make run`: the main job. Imports the committed series again from its
# archive copies (proving it reproduces), then runs the whole matrix on
# every kernel in kernels/ (both Debian trees): import, port, build base and
# patched, vendor-config check, boot, the DIO workload; every step reuses
# its stored result when its inputs did not change. Ends with the table and
# where the report is; the exit status is the matrix's.
set -e
cd "$(dirname "$0")/.."
S=backports/ext4-dio-shared-lock
# the same sign-off as the tests, so the ported commits (and the builds keyed by them) are the same
export KBACKPORT_SIGNOFF="${KBACKPORT_SIGNOFF:-kbackport <kbackport@localhost>}"
./kbackport series import "$S"/archive/001_2e31d047427a21b3.txt "$S"/archive/000_90e44bd725056204.txt -o "$S"
echo
set +e
./kbackport matrix --series "$S" --kernels all "$@"
rc=$?
echo
echo "report: ${KBACKPORT_WORK:-work}/report/index.html (also report.txt, report.json); 'kbackport report' shows it again"
exit $rc
