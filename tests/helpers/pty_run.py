#!/usr/bin/python3
"""Run a command on a pseudo-terminal of its own, as a person at a terminal
would, and report what a user would notice: everything it showed, how it
exited, and whether it left the terminal's file status flags (O_NONBLOCK,
shared with the shell) as they were.

  pty_run.py [options] -- COMMAND ARGS...

  --out FILE         write everything the terminal showed to FILE
  --when TEXT --do ACTION
                     once TEXT has been shown (counted from the end of the
                     previous trigger), do ACTION; pairs run in order:
                       keys:STRING      type STRING (\\x04 is Ctrl-D)
                       signal:NAME      send signal NAME (TERM, INT) to it
                       move:SRC:DST     rename file SRC to DST
                       block            stop reading the terminal (a user
                                        who pressed Ctrl-S, a stuck screen)
                       sleep:SECS       wait
                       hangup           close the terminal (its window
                                        went away): SIGHUP, then EOF/EIO
                     an empty TEXT matches at once
  --slow SECS        sleep SECS between reads of at most --chunk bytes
  --chunk N          read at most N bytes at a time (default 65536)
  --timeout SECS     kill the command after SECS (default 20)

Prints to stdout: "status N" (the exit status, 128+N for a signal, or
"timeout"), "flags-before HEX", "flags-after HEX", "termios same" (or
"termios changed": the terminal's modes after the exit against before)
and "seconds S" (time from the last action to the exit).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import sys
import termios
import time


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--out")
    p.add_argument("--when", action="append", default=[])
    p.add_argument("--do", action="append", default=[])
    p.add_argument("--slow", type=float, default=0)
    p.add_argument("--chunk", type=int, default=65536)
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("command", nargs="+")
    a = p.parse_args()
    if len(a.when) != len(a.do):
        p.error("--when and --do go in pairs")
    return a


def act(action, pid, master):
    kind, _, arg = action.partition(":")
    if kind == "keys":
        return arg.encode().decode("unicode_escape").encode()
    if kind == "signal":
        os.kill(pid, getattr(signal, "SIG" + arg))
    elif kind == "sleep":
        time.sleep(float(arg))
    elif kind == "move":
        src, dst = arg.split(":", 1)
        os.rename(src, dst)
    elif kind == "hangup":
        os.close(master)
    elif kind != "block":
        sys.exit("pty_run: unknown action " + action)
    return b""


def main():
    a = parse_args()
    master, slave = pty.openpty()
    before = fcntl.fcntl(slave, fcntl.F_GETFL)
    modes = termios.tcgetattr(slave)
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(a.command[0], a.command)
    shown = bytearray()
    mark = 0  # triggers look at what came after the previous one
    steps = list(zip(a.when, a.do))
    blocked = False
    deadline = time.monotonic() + a.timeout
    last_action = time.monotonic()
    status = None
    while status is None:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "timeout"
            break
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            if status < 0:
                status = 128 - status
            break
        if blocked:
            time.sleep(0.02)
        elif select.select([master], [], [], 0.05)[0]:
            try:
                data = os.read(master, a.chunk)
            except OSError:
                data = b""
            shown += data
            if a.slow:
                time.sleep(a.slow)
        while steps and steps[0][0].encode() in shown[mark:]:
            when, do = steps.pop(0)
            mark = shown.index(when.encode(), mark) + len(when.encode())
            keys = act(do, pid, master)
            if keys:
                os.write(master, keys)
            blocked = blocked or do in ("block", "hangup")
            last_action = time.monotonic()
    took = time.monotonic() - last_action
    # what is still on the terminal, once the command is gone
    while not blocked:
        r, _, _ = select.select([master], [], [], 0.2)
        if not r:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    after = fcntl.fcntl(slave, fcntl.F_GETFL)
    if a.out:
        with open(a.out, "wb") as f:
            f.write(shown)
    print("status", status)
    print("flags-before %x" % before)
    print("flags-after %x" % after)
    print("termios", "same" if termios.tcgetattr(slave) == modes
          else "changed")
    print("seconds %.2f" % took)
    if steps:
        print("never shown:", steps[0][0])


if __name__ == "__main__":
    main()
