#!/usr/bin/python3
"""Test data for bytes.bats: messages of the given sizes, and the exact
bytes each framing mode writes for them.

  bytes_gen.py DIR SIZE...

writes into DIR:
  msgs-text, msgs-binary, msgs-mixed   the messages, for the push servers
      (py_push_server.py, node_push_server.js): records of one type byte
      ("t" or "b"), a 4-byte big-endian length and the payload; -mixed is
      every text size, then every binary size
  lines   the text messages, each followed by a newline (--lines)
  null    the text messages, each followed by a NUL (-0/--null)
  raw     the binary messages, one after the other (--raw)
  len32   the binary messages, each after its 4-byte length (--len32)
  base64  the binary messages, one line of base64 each (--base64)
  jsonl   the mixed messages as wsx --jsonl writes them, without the
          "time" member: {"type":"text","data":"..."} (strip it from wsx's
          output to compare; wsx also reads these lines as input)
  connect the mixed messages, each followed by a newline (what wsx connect
          -x writes when stdout is not a terminal)
Each file is both what wsx must write for those messages and, sent through
an echo, the input that makes them.

Text is valid UTF-8 of exactly the given length, mixing ASCII with 2-, 3-
and 4-byte characters, tabs, quotes and backslashes (JSON escapes), never a
newline or a NUL (so --lines and --null can carry it). Binary is random
bytes, newlines and NULs included. Every message is different, and nothing
repeats at a period a lost or doubled block could hide behind.
"""
import base64
import os
import random
import struct
import sys

TOKENS = ["wsx", "pipe", "relay", "byte", "Zz9", "\u00e9", "\u00df", "\u0416",
          "\u20ac", "\u4e2d\u6587", "\U0001f600", "\U0001f389", "\t", '"',
          "\\", "{}", "[]", " ", " ", " ", ".", ","]


def base_text():
    """About 1 MiB of random tokens, as str."""
    rng = random.Random(14)
    return "".join(rng.choices(TOKENS, k=400000))


def gen_text(base, n, seed):
    """Exactly n bytes of valid UTF-8 (bytes): base rotated by a seeded
    offset, with a numbered marker before each repetition."""
    if not n:
        return b""
    rng = random.Random(seed)
    off = rng.randrange(len(base))
    parts, size, k = [], 0, 0
    while size < n:
        piece = ("<%d.%d>" % (seed, k) + base[off:] + base[:off]).encode()
        parts.append(piece)
        size += len(piece)
        k += 1
    b = b"".join(parts)[:n]
    # a character cut at the end: drop what is left of it, pad with ASCII
    i = len(b)
    while i > 0 and (b[i - 1] & 0xC0) == 0x80:
        i -= 1
    if i > 0 and b[i - 1] >= 0xC0:
        b = b[: i - 1]
    b += b"x" * (n - len(b))
    b.decode("utf-8")  # valid, or this raises
    return b


def gen_binary(n, seed):
    return random.Random(seed).randbytes(n)


def json_string(b):
    """As wsx's --jsonl writes text: only '"', '\\' and controls escaped."""
    out = b.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    for c in range(0x20):
        if bytes([c]) in out:
            out = out.replace(bytes([c]), b"\\u%04x" % c)
    return b'"' + out + b'"'


def write(path, chunks):
    with open(path + ".tmp", "wb") as f:
        for c in chunks:
            f.write(c)
    os.replace(path + ".tmp", path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    sizes = [int(s) for s in sys.argv[2:]]
    os.makedirs(out, exist_ok=True)
    base = base_text()
    text = [gen_text(base, n, 100 + i) for i, n in enumerate(sizes)]
    binary = [gen_binary(n, 200 + i) for i, n in enumerate(sizes)]
    mixed = [(b"t", m) for m in text] + [(b"b", m) for m in binary]

    def records(msgs):
        return (t + struct.pack("!I", len(m)) + m for t, m in msgs)

    write(os.path.join(out, "msgs-text"), records((b"t", m) for m in text))
    write(os.path.join(out, "msgs-binary"), records((b"b", m) for m in binary))
    write(os.path.join(out, "msgs-mixed"), records(mixed))
    write(os.path.join(out, "lines"), (m + b"\n" for m in text))
    write(os.path.join(out, "null"), (m + b"\0" for m in text))
    write(os.path.join(out, "raw"), binary)
    write(os.path.join(out, "len32"), (struct.pack("!I", len(m)) + m for m in binary))
    write(os.path.join(out, "base64"), (base64.b64encode(m) + b"\n" for m in binary))
    write(os.path.join(out, "jsonl"),
          (b'{"type":"text","data":' + json_string(m) + b"}\n" if t == b"t"
           else b'{"type":"binary","data":"' + base64.b64encode(m) + b'"}\n'
           for t, m in mixed))
    write(os.path.join(out, "connect"), (m + b"\n" for _, m in mixed))


if __name__ == "__main__":
    main()
