#!/usr/bin/env bash
# The bash completion completes options, values and syscall names.
#   completion_test.sh COMPLETION_SCRIPT SYSCALLMON
set -euo pipefail
source "$1"
PATH="$(dirname "$2"):$PATH"
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _syscallmon syscallmon "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  echo "${COMPREPLY[*]}"
}
expect() {
  local want=$1
  shift
  local got
  got=$(complete_words "$@")
  if [[ " $got " != *" $want "* ]]; then
    echo "completing '$*': expected '$want' in '$got'" >&2
    exit 1
  fi
}
expect write syscallmon -e wri
expect read,%file syscallmon -e read,%fi
expect '!close' syscallmon -e '!clos'
expect --affinity syscallmon --affi
expect --stats-file syscallmon --stats
expect --live syscallmon --liv
expect json syscallmon -f js
expect same-cpu syscallmon --affinity sa
expect openmetrics syscallmon --format open
expect --system syscallmon --sys
expect openmetrics: syscallmon --stats-file open
expect text:/etc syscallmon --stats-file text:/et
expect /etc syscallmon --stats-file /et
echo "completion ok"
