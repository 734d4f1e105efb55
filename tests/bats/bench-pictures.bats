#!/usr/bin/env bats
# wsx bench --html and --hdr: the HdrHistogram table read back as the
# plotter would (rows of four numbers, the #[...] footer), the page's two
# charts read back with Python's HTML and XML parsers, a headless Chromium
# screenshot of the page that must not be blank, and paths that cannot be
# written refused before the run.

load helpers

teardown() {
	stop_servers
}

# check_hdr FILE: the HdrHistogram percentile distribution text
check_hdr() {
	"$PYTHON" - "$1" <<'EOF'
import math, re, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[0] == "       Value   Percentile   TotalCount 1/(1-Percentile)", lines[0]
assert lines[1] == "", lines[1]
assert lines[-1] == "", "ends with a newline"
rows = []
for line in lines[2:-4]:
    f = line.split()
    assert len(f) == 4, line
    rows.append((float(f[0]), float(f[1]), int(f[2]), float(f[3])))
foot = lines[-4:-1]
m0 = re.fullmatch(r"#\[Mean    = +([0-9.]+), StdDeviation   = +([0-9.]+)\]", foot[0])
m1 = re.fullmatch(r"#\[Max     = +([0-9.]+), Total count    = +([0-9]+)\]", foot[1])
m2 = re.fullmatch(r"#\[Buckets = +([0-9]+), SubBuckets     = +([0-9]+)\]", foot[2])
assert m0 and m1 and m2, foot
total = int(m1.group(2))
assert total > 0 and len(rows) >= 2, (total, len(rows))
assert rows[0][1] == 0 and rows[-1][1] == 1 and math.isinf(rows[-1][3]), rows
assert rows[-1][2] == total, (rows[-1], total)
# (six decimals, as HdrHistogram prints them: ticks a millionth apart
# near 100% can print the same)
for a, b in zip(rows, rows[1:]):
    assert a[1] <= b[1] and a[0] <= b[0] and a[2] <= b[2], (a, b)
assert rows[0][0] <= float(m0.group(1)) <= rows[-1][0] + 0.001
assert abs(rows[-1][0] - float(m1.group(1))) <= 0.001
EOF
}

# check_html FILE SECONDS: both charts, well-formed SVG, SECONDS points
check_html() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import html.parser, re, sys
import xml.etree.ElementTree as ET
page = open(sys.argv[1], encoding="utf-8").read()
assert page.startswith("<!DOCTYPE html>\n"), page[:40]
assert "<script" not in page.lower()
assert "http://" not in page and "https://" not in page

class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svgs, self.lines = [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs.append(a.get("id"))
        if tag == "polyline":
            self.lines[a["class"]] = [tuple(map(float, p.split(",")))
                                      for p in a["points"].split()]
p = Page()
p.feed(page)
assert p.svgs == ["throughput", "latency"], p.svgs
# each chart is well-formed XML too
for svg in re.findall(r"<svg .*?</svg>", page, re.S):
    ET.fromstring(svg)
n = len(p.lines["series throughput"])
assert n == int(sys.argv[2]), f"{n} throughput points"
lat = p.lines["series latency"]
assert len(lat) >= 10, lat
assert all(a[0] < b[0] and a[1] >= b[1] for a, b in zip(lat, lat[1:])), lat
EOF
}

# check_png FILE: a PNG (8-bit RGB or RGBA) that is not blank: over 1% of
# its pixels differ from the most common colour, and it has 3+ colours
check_png() {
	"$PYTHON" - "$1" <<'EOF'
import collections, struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6) and not interlace, (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(h):
    ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if ftype == 1:
            line[x] = (line[x] + a) & 255
        elif ftype == 2:
            line[x] = (line[x] + b) & 255
        elif ftype == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif ftype == 4:
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
            pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[x] = (line[x] + pr) & 255
    rows.append(bytes(line))
    prev = line
colours = collections.Counter()
for line in rows:
    for x in range(0, stride, bpp):
        colours[line[x:x + 3]] += 1
bg, nbg = colours.most_common(1)[0]
other = w * h - nbg
print(f"{w}x{h}, {len(colours)} colours, {100 * other / (w * h):.1f}% "
      f"not the background {bg.hex()}")
assert other > w * h / 100, "blank"
assert len(colours) >= 3, "fewer than 3 colours"
EOF
}

@test "bench --html --hdr: against the embedded server, a table the HdrHistogram plotter reads and a page with a point for each second" {
	local f="$BATS_TEST_TMPDIR/bench.html" hdr="$BATS_TEST_TMPDIR/bench.hdr"
	run --separate-stderr "$WSX" bench -c 2 -d 2 --warmup 0.5 \
		--html "$f" --hdr "$hdr"
	assert_success
	assert_line --regexp '^wsx bench ws://127\.0\.0\.1:[0-9]+ \(embedded echo server\)'
	run check_hdr "$hdr"
	assert_success
	run check_html "$f" 2
	assert_success
	run grep -c '(embedded echo server)' "$f"
	assert_output 1
}

@test "bench --html --hdr: against wsx serve, the same" {
	start_wsx_echo
	local f="$BATS_TEST_TMPDIR/bench.html" hdr="$BATS_TEST_TMPDIR/bench.hdr"
	run --separate-stderr "$WSX" bench -c 2 -d 2 --warmup 0.5 \
		--html "$f" --hdr "$hdr" "$URL"
	assert_success
	run check_hdr "$hdr"
	assert_success
	run check_html "$f" 2
	assert_success
	run grep -cF "$URL" "$f"
	assert_success
}

@test "bench --html: headless Chromium draws the page, and the picture is not blank" {
	command -v chromium >/dev/null ||
		skip "chromium is not installed (scripts/bootstrap installs it when it can)"
	local f="$BATS_TEST_TMPDIR/bench.html" png="$BATS_TEST_TMPDIR/bench.png"
	run --separate-stderr "$WSX" bench -c 2 -d 2 --warmup 0.5 --html "$f"
	assert_success
	local try
	# a loaded machine can make Chromium give up: up to 3 tries
	for try in 1 2 3; do
		rm -f "$png"
		timeout 120 chromium --headless --no-sandbox --disable-gpu \
			--disable-background-networking \
			--user-data-dir="$BATS_TEST_TMPDIR/chromium-$try" \
			--screenshot="$png" --window-size=1000,1400 \
			"file://$f" >/dev/null 2>&1 || true
		[ -s "$png" ] && break
	done
	[ -s "$png" ]
	run check_png "$png"
	assert_success
}

@test "bench --html, --hdr: a path that cannot be written fails before the run, exit 2" {
	run --separate-stderr "$WSX" bench -d 30 --html /nonexistent/dir/x.html
	assert_failure 2
	assert_output ''
	[ "$stderr" = 'wsx: --html: cannot write /nonexistent/dir/x.html: No such file or directory' ]
	run --separate-stderr "$WSX" bench -d 30 --hdr /nonexistent/dir/x.hdr
	assert_failure 2
	assert_output ''
	[ "$stderr" = 'wsx: --hdr: cannot write /nonexistent/dir/x.hdr: No such file or directory' ]
}
