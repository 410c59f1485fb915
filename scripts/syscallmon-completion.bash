# bash completion for syscallmon: options, values, and syscall names and
# classes for -e (asked of syscallmon itself, so they match its libseccomp).
_syscallmon() {
  local cur prev words cword
  _init_completion || return

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
      compopt -o nospace
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
      _pids
      return
      ;;
    -u | --user)
      _allowed_users
      return
      ;;
    -o | --output | --stats-file)
      _filedir
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
      _command_offset $((i + 1))
      return
    fi
  done

  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$("$1" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u) -e -p -o -f -u -v -q -h -V" -- "$cur"))
    return
  fi
  _command_offset 1
}
complete -F _syscallmon syscallmon
