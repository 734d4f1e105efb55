# fish completion for wsx. Commands and options come from the binary itself
# (wsx --list-commands, wsx CMD --list-options), so they cannot drift from
# what it accepts. Installed as wsx.fish and, for the wsx-CMD links, as
# wsx-CMD.fish.

# the endpoint specs wsx relay takes, then file names after unix:
function __wsx_endpoints
    set -l cur $argv[1]
    switch $cur
        case 'unix:*' 'unix-l:*'
            set -l pre (string replace -r ':.*' ':' -- $cur)
            for f in (__fish_complete_path (string replace -r '^[^:]*:' '' -- $cur))
                echo $pre$f
            end
        case '*'
            printf '%s\n' ws:// wss:// ws+unix: ws-l: wss-l: tcp: tcp-l: \
                unix: unix-l: exec: sh: -
    end
end

function __wsx_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l wsx $words[1]
    set -l cmd
    set -l list
    set -l first
    switch (string replace -r '.*/' '' -- $wsx)
        case 'wsx-*'
            set cmd (string replace -r '.*/wsx-' '' -- $wsx)
            set list $wsx --list-options
            set first 2
        case '*'
            if test (count $words) -eq 1
                if string match -q -- '-*' $cur
                    printf '%s\n' --help --version
                else
                    echo help
                    $wsx --list-commands 2>/dev/null
                end
                return
            end
            set cmd $words[2]
            set list $wsx $cmd --list-options
            set first 3
    end
    if test "$cmd" = help
        test (count $words) -eq 2; and $wsx --list-commands 2>/dev/null
        return
    end

    command -q $list[1]; or return
    set -l lines ($list 2>/dev/null); or return
    # the argument of the option before the cursor
    set -l prev $words[-1]
    if test (count $words) -ge $first; and string match -q -- '-*' $prev
        for line in $lines
            set -l parts (string split ' ' -- $line)
            contains -- $prev $parts; or continue
            set -l arg (string replace -r '^(-[^-] )?--\S+ ?' '' -- $line)
            switch $arg
                case ''
                    break
                case FILE PATH
                    __fish_complete_path $cur
                case DIR
                    __fish_complete_directories $cur
                case '*|*'
                    string split '|' -- $arg
            end
            test -n "$arg"; and return
        end
    end
    if string match -q -- '-*' $cur
        for line in $lines
            for w in (string split ' ' -- $line)
                string match -q -- '--list-options' $w; and continue
                string match -qr -- '^--?[a-zA-Z0-9]' $w; and echo $w
            end
        end
    else if test "$cmd" = relay
        __wsx_endpoints $cur
    end
end

for c in wsx wsx-bench wsx-check wsx-connect wsx-pipe wsx-relay wsx-serve
    complete -c $c -f -a '(__wsx_complete)'
end
