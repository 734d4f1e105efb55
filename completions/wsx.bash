# bash completion for wsx. Commands and options come from the binary itself
# (wsx --list-commands, wsx CMD --list-options), so they cannot drift from
# what it accepts.

_wsx_arg_kind() { # OPTION: the placeholder it takes, or nothing
	local line
	while read -r line; do
		case " $line " in
		*" $1 "*) set -- $line; shift; [ "${1#-}" != "$1" ] && shift; echo "$*"; return ;;
		esac
	done
}

_wsx() {
	local cur prev cmd i words_list kind list
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	case ${COMP_WORDS[0]##*/} in
	wsx-*) # a wsx-CMD link runs CMD itself
		cmd=${COMP_WORDS[0]##*/wsx-}
		list=("${COMP_WORDS[0]}" --list-options)
		i=0
		;;
	*)
		if [ "$COMP_CWORD" -eq 1 ]; then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W '--help --version' -- "$cur"))
			else
				COMPREPLY=($(compgen -W "help $("${COMP_WORDS[0]}" --list-commands 2>/dev/null)" -- "$cur"))
			fi
			return
		fi
		cmd=${COMP_WORDS[1]}
		list=("${COMP_WORDS[0]}" "$cmd" --list-options)
		i=1
		;;
	esac
	if [ "$cmd" = help ]; then
		COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --list-commands 2>/dev/null)" -- "$cur"))
		return
	fi

	words_list=$("${list[@]}" 2>/dev/null) || return
	if [[ $prev == -* ]] && [ "$COMP_CWORD" -gt $((i + 1)) ]; then
		kind=$(_wsx_arg_kind "$prev" <<<"$words_list")
		case $kind in
		FILE) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
		DIR) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return ;;
		*\|*) COMPREPLY=($(compgen -W "${kind//|/ }" -- "$cur")); return ;;
		?*) COMPREPLY=(); return ;;
		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$words_list" | tr ' ' '\n' | grep '^-')" -- "$cur"))
	elif [ "$cmd" = relay ]; then
		# endpoint specs: their prefixes, then file names after unix:
		case $cur in
		unix:* | unix-l:*) COMPREPLY=($(compgen -f -P "${cur%%:*}:" -- "${cur#*:}")) ;;
		*) compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W 'ws:// wss:// ws+unix: ws-l: wss-l: tcp: tcp-l: unix: unix-l: exec: sh: -' -- "$cur")) ;;
		esac
	fi
}

complete -F _wsx wsx wsx-bench wsx-check wsx-connect wsx-pipe wsx-relay wsx-serve
