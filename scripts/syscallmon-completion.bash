# bash completion for syscallmon: options, values, and syscall names and
# classes for -e (asked of syscallmon itself, so they match its libseccomp).
# Works with or without the bash-completion package.
_syscallmon_command() {
  # Completes a command line that starts at word $1.
  if declare -F _command_offset >/dev/null; then
    _command_offset "$1"
  elif [[ $cword -eq $1 ]]; then
    COMPREPLY=($(compgen -c -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

_syscallmon() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local -a words=("${COMP_WORDS[@]}")
  local cword=$COMP_CWORD

  case "$prev" in
    -e | --syscalls)
      local prefix="" item="$cur"
      if [[ "$cur" == *,* ]]; then
        prefix="${cur%,*},"
        item="${cur##*,}"
      fi
      local neg=""
      if [[ "$item" == '!'* ]]; then
        neg='!'
        item="${item#!}"
      fi
      local names
      names="all %file %desc %network %process %signal %ipc %memory %creds $("$1" --list-syscalls 2>/dev/null)"
      COMPREPLY=($(compgen -P "$prefix$neg" -W "$names" -- "$item"))
      compopt -o nospace 2>/dev/null
      return
      ;;
    -f | --format)
      COMPREPLY=($(compgen -W "text json csv openmetrics" -- "$cur"))
      return
      ;;
    --sort)
      COMPREPLY=($(compgen -W "calls name errors time" -- "$cur"))
      return
      ;;
    --affinity)
      COMPREPLY=($(compgen -W "auto same-cpu off" -- "$cur"))
      return
      ;;
    --by)
      COMPREPLY=($(compgen -W "image,uid image,uid,pid" -- "$cur"))
      return
      ;;
    -p | --pid)
      COMPREPLY=($(compgen -W "$(ls /proc | grep -E '^[0-9]+$')" -- "$cur"))
      return
      ;;
    -u | --user)
      COMPREPLY=($(compgen -u -- "$cur"))
      return
      ;;
    -o | --output)
      COMPREPLY=($(compgen -f -- "$cur"))
      return
      ;;
    --stats-file)
      # [FORMAT:]PATH: a format prefix, then a file after it.
      local format=""
      if [[ "$cur" =~ ^(text|json|csv|openmetrics): ]]; then
        format=${BASH_REMATCH[0]}
      fi
      COMPREPLY=($(compgen -P "$format" -f -- "${cur#"$format"}"))
      if [[ -z "$format" ]]; then
        COMPREPLY+=($(compgen -W "text: json: csv: openmetrics:" -- "$cur"))
        compopt -o nospace 2>/dev/null
      fi
      return
      ;;
    --max-syscalls | --max-entries | --bar-width | --top | --interval)
      return
      ;;
    --list-syscalls)
      COMPREPLY=($(compgen -W "%file %desc %network %process %signal %ipc %memory %creds" -- "$cur"))
      return
      ;;
  esac

  # After "--" or the first operand: complete the command and its args.
  local i
  for ((i = 1; i < cword; i++)); do
    if [[ "${words[i]}" == "--" ]]; then
      _syscallmon_command $((i + 1))
      return
    fi
  done

  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u) -e -p -o -f -u -v -q -h -V" -- "$cur"))
    return
  fi
  _syscallmon_command 1
}
complete -F _syscallmon syscallmon
