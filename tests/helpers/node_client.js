#!/usr/bin/node
// Client built on Node's `ws` (Debian node-ws, NODE_PATH=/usr/share/nodejs),
// a peer nobody on the team wrote. Connects to URL, sends one message per
// size in --sizes of each --type, and checks that each echo comes back
// identical in type and bytes. Prints one line per check ("ok text 65536",
// or "FAIL ..." saying what differed) and exits 0 only if every check passed.
//
// Payloads are deterministic pseudo-random: binary is random bytes; text is
// valid UTF-8 mixing ASCII with 2-, 3- and 4-byte characters, exactly the
// requested number of bytes long.
//
//   --sizes 0,1,125,...      message sizes in bytes (suffixes k, M allowed)
//   --type text|binary|both  message type(s) to send (default both)
//   --fragmented             send each message as several frames, cut at
//                            pseudo-random byte offsets (a text message may be
//                            cut inside a multi-byte character, which RFC 6455
//                            allows), with an empty frame in the middle
//   --expect-close CODE      the server is expected to close with CODE: stop
//                            checking echoes once it does, and pass only if the
//                            close code is CODE (waits up to --timeout)
//   --subprotocol NAME       offer this subprotocol (repeatable)
//   --timeout SECS           give up after SECS (default 60)
// Exit: 0 all checks passed, 1 a check failed, 2 usage, 3 could not connect.
'use strict';

const WebSocket = require('ws');

function usage(msg) {
	process.stderr.write(`node_client: ${msg}\n`);
	process.exit(2);
}

const opts = {
	url: null,
	sizes: '0,1,125,126,65535,65536',
	type: 'both',
	fragmented: false,
	expectClose: null,
	subprotocols: [],
	timeout: 60,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	const val = () => {
		if (i + 1 >= argv.length) usage(`${a} needs an argument`);
		return argv[++i];
	};
	if (a === '--sizes') opts.sizes = val();
	else if (a === '--type') opts.type = val();
	else if (a === '--fragmented') opts.fragmented = true;
	else if (a === '--expect-close') opts.expectClose = Number(val());
	else if (a === '--subprotocol') opts.subprotocols.push(val());
	else if (a === '--timeout') opts.timeout = Number(val());
	else if (a.startsWith('-')) usage(`unknown option ${a}`);
	else if (opts.url === null) opts.url = a;
	else usage(`unexpected argument ${a}`);
}
if (opts.url === null) usage('usage: node_client.js URL [options]');
if (!['text', 'binary', 'both'].includes(opts.type)) usage(`bad --type ${opts.type}`);

function parseSize(s) {
	const m = /^\s*(\d+)([kKmM]?)\s*$/.exec(s);
	if (!m) usage(`bad size ${s}`);
	const mult = { '': 1, k: 1024, K: 1024, m: 1 << 20, M: 1 << 20 }[m[2]];
	return Number(m[1]) * mult;
}

// mulberry32: small, seedable, deterministic.
function prng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function genBinary(n, seed) {
	const rnd = prng(seed);
	const b = Buffer.allocUnsafe(n);
	for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
	return b;
}

// Valid UTF-8, exactly n bytes: ASCII with 2-, 3- and 4-byte characters.
const MULTI = ['é', 'ß', 'ñ', 'Ж', 'λ', '€', '中', '文', '😀', '🎉'].map((c) => Buffer.from(c, 'utf8'));
const ASCII = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;-\n', 'latin1');
function genText(n, seed) {
	const rnd = prng(seed);
	const b = Buffer.allocUnsafe(n);
	let i = 0;
	while (i < n) {
		if (rnd() < 0.2) {
			const c = MULTI[(rnd() * MULTI.length) | 0];
			if (i + c.length <= n) {
				c.copy(b, i);
				i += c.length;
				continue;
			}
		}
		b[i++] = ASCII[(rnd() * ASCII.length) | 0];
	}
	return b;
}

// Cut points for a fragmented send: [a, b] with 0 < a <= b < n when possible.
function cuts(n, seed) {
	const rnd = prng(seed ^ 0x5eed);
	if (n < 2) return [n, n];
	const a = 1 + ((rnd() * (n - 1)) | 0);
	const b = a + ((rnd() * (n - a)) | 0);
	return [a, b];
}

function firstDifference(a, b) {
	const n = Math.min(a.length, b.length);
	for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
	return n;
}

const kinds = opts.type === 'both' ? ['text', 'binary'] : [opts.type];
const sizes = opts.sizes.split(',').filter((s) => s.trim() !== '').map(parseSize);
let failures = 0;
let connected = false;
let closeInfo = null; // { code, reason } once closed
const inbox = []; // received { data, isBinary }
let waiter = null; // resolve() of whoever waits for the next event

const timer = setTimeout(() => {
	console.log(`FAIL timed out after ${opts.timeout} s`);
	process.exit(1);
}, opts.timeout * 1000);

const ws = new WebSocket(opts.url, opts.subprotocols, {
	maxPayload: 64 * 1024 * 1024,
	handshakeTimeout: 10000,
});
const wake = () => {
	if (waiter) {
		const w = waiter;
		waiter = null;
		w();
	}
};
ws.on('message', (data, isBinary) => {
	inbox.push({ data, isBinary });
	wake();
});
ws.on('close', (code, reason) => {
	closeInfo = { code, reason: reason.toString() };
	wake();
});
ws.on('error', (err) => {
	if (!connected) {
		console.log(`FAIL could not connect to ${opts.url}: ${err.message}`);
		process.exit(3);
	}
	console.log(`error ${err.message}`);
});

const nextEvent = () => new Promise((resolve) => { waiter = resolve; });

async function recv() {
	for (;;) {
		if (inbox.length) return inbox.shift();
		if (closeInfo) return null;
		await nextEvent();
	}
}

function send(buf, binary, seed) {
	if (!opts.fragmented) {
		ws.send(buf, { binary });
		return;
	}
	let [a, b] = cuts(buf.length, seed);
	if (!binary) {
		// Make the first cut fall inside a multi-byte character, if any.
		let i = a;
		while (i < buf.length && (buf[i] & 0xc0) !== 0x80) i++;
		if (i === buf.length) {
			i = a;
			while (i > 0 && (buf[i] & 0xc0) !== 0x80) i--;
		}
		if (i > 0 && i < buf.length) a = i;
		b = Math.max(a, b);
	}
	ws.send(buf.subarray(0, a), { binary, fin: false });
	ws.send(buf.subarray(a, b), { binary, fin: false });
	ws.send(buf.subarray(b, b), { binary, fin: false });
	ws.send(buf.subarray(b), { binary, fin: true });
}

async function main() {
	await new Promise((resolve) => ws.once('open', resolve));
	connected = true;
	if (opts.subprotocols.length) console.log(`subprotocol ${ws.protocol || '-'}`);
	outer: for (const kind of kinds) {
		for (const n of sizes) {
			const seed = n * 2 + (kind === 'text' ? 1 : 0);
			const sent = kind === 'text' ? genText(n, seed) : genBinary(n, seed);
			const label = `${kind} ${n}${opts.fragmented ? ' fragmented' : ''}`;
			if (!closeInfo) send(sent, kind === 'binary', seed);
			const got = await recv();
			if (got === null) {
				if (opts.expectClose === null) {
					console.log(`FAIL ${label}: connection closed before the echo (code ${closeInfo.code} ${JSON.stringify(closeInfo.reason)})`);
					failures++;
				} else {
					console.log(`closed ${label}: no echo`);
				}
				break outer;
			}
			const gotKind = got.isBinary ? 'binary' : 'text';
			if (gotKind !== kind) {
				console.log(`FAIL ${label}: sent ${kind} of ${n} bytes, got ${gotKind} of ${got.data.length} bytes`);
				failures++;
			} else if (!sent.equals(got.data)) {
				console.log(`FAIL ${label}: sent ${n} bytes, got ${got.data.length} bytes, first difference at byte ${firstDifference(sent, got.data)}`);
				failures++;
			} else {
				console.log(`ok ${label}`);
			}
		}
	}
	if (opts.expectClose === null) {
		if (!closeInfo) ws.close(1000);
		while (!closeInfo) await nextEvent();
		if (closeInfo.code !== 1000) {
			console.log(`FAIL close: expected 1000 back, got ${closeInfo.code} ${JSON.stringify(closeInfo.reason)}`);
			failures++;
		}
	} else {
		while (!closeInfo) {
			await nextEvent();
			inbox.length = 0;
		}
		if (closeInfo.code === opts.expectClose) {
			console.log(`ok close ${closeInfo.code} ${JSON.stringify(closeInfo.reason)}`);
		} else {
			console.log(`FAIL close: expected ${opts.expectClose}, got ${closeInfo.code} ${JSON.stringify(closeInfo.reason)}`);
			failures++;
		}
	}
	clearTimeout(timer);
	process.exit(failures ? 1 : 0);
}

main().catch((err) => {
	console.log(`FAIL ${err.stack || err}`);
	process.exit(1);
});
