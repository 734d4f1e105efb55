#!/usr/bin/node
// A `wsx serve --compress` client on Node's `ws` (Debian node-ws,
// NODE_PATH=/usr/share/nodejs), for serve-engine.bats.
//
//   node_deflate_client.js [--timeout SECS] URL PMD-JSON MSG...
//
// PMD-JSON is ws's perMessageDeflate option: true, or an object such as
// {"clientNoContextTakeover":true,"serverNoContextTakeover":true} or
// {"serverMaxWindowBits":10} (threshold 0 is added to an object, so even a
// 1-byte message goes compressed). MSG is TYPE:SIZE[:KIND], TYPE text or
// binary, SIZE in bytes (k and M suffixes), KIND random (the default),
// zeros (one repeated character or byte) or periodic (a random 4 KiB block
// repeated: a compressor with a window over 4 KiB reaches back 4096 bytes,
// which an inflater with a 1 KiB window refuses). The same MSG twice is
// the same message. Messages go one at a time on one connection, each echo
// awaited.
//
// Prints, in order:
//   extensions HEADER       the 101's Sec-WebSocket-Extensions, or "-"
//   negotiated NAMES        ws.extensions (the extensions in use), or "-"
//   ok TYPE SIZE KIND       for each echo identical in type and bytes (or
//                           FAIL ... saying what differed)
//   compressed N of M       how many of the M echoes came compressed (RSV1)
//   closed CODE
// Exit: 0 every echo identical and closed with 1000, 1 otherwise, 3 could
// not connect.
'use strict';

const path = require('path');
const WebSocket = require('ws');
// not exported by the package: the file the WebSocket class itself uses
const PerMessageDeflate = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'permessage-deflate.js'));

const args = process.argv.slice(2);
let timeout = 30;
if (args[0] === '--timeout') {
	timeout = Number(args[1]);
	args.splice(0, 2);
}
const [url, pmdJson, ...specs] = args;
if (!url || !pmdJson) {
	process.stderr.write('usage: node_deflate_client.js [--timeout SECS] URL PMD-JSON MSG...\n');
	process.exit(2);
}
let pmd = JSON.parse(pmdJson);
if (pmd && typeof pmd === 'object') pmd = { threshold: 0, ...pmd };

// each compressed message the server sent ends in a decompress with fin
let compressed = 0;
let received = 0;
const decompress = PerMessageDeflate.prototype.decompress;
PerMessageDeflate.prototype.decompress = function (data, fin, cb) {
	if (fin) compressed++;
	return decompress.call(this, data, fin, cb);
};

function parseSize(s) {
	const m = /^(\d+)([kKmM]?)$/.exec(s);
	return Number(m[1]) * { '': 1, k: 1024, K: 1024, m: 1 << 20, M: 1 << 20 }[m[2]];
}

// mulberry32: small, seedable, so the same MSG twice is the same message
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

function randomBytes(n, rnd, text) {
	const b = Buffer.allocUnsafe(n);
	for (let i = 0; i < n; i++) b[i] = text ? 0x20 + ((rnd() * 95) | 0) : (rnd() * 256) | 0;
	return b;
}

function make(type, size, kind) {
	const text = type === 'text';
	const rnd = prng(size * 2 + (text ? 1 : 0));
	if (kind === 'zeros') return Buffer.alloc(size, text ? 'a' : 0);
	if (kind !== 'periodic') return randomBytes(size, rnd, text);
	const blk = randomBytes(4096, rnd, text);
	const b = Buffer.alloc(size);
	for (let i = 0; i < size; i += blk.length) blk.copy(b, i, 0, Math.min(blk.length, size - i));
	return b;
}

const timer = setTimeout(() => {
	console.log(`FAIL timed out after ${timeout} s`);
	process.exit(1);
}, timeout * 1000);

const ws = new WebSocket(url, { perMessageDeflate: pmd, maxPayload: 64 << 20, handshakeTimeout: 10000 });
let opened = false;
let extHeader = '-';
const inbox = [];
let waiter = null;
let closeCode = null;
const wake = () => {
	if (waiter) {
		const w = waiter;
		waiter = null;
		w();
	}
};
ws.on('upgrade', (res) => {
	extHeader = res.headers['sec-websocket-extensions'] || '-';
});
ws.on('message', (data, isBinary) => {
	received++;
	inbox.push({ data, isBinary });
	wake();
});
ws.on('close', (code) => {
	closeCode = code;
	wake();
});
ws.on('error', (err) => {
	if (!opened) {
		console.log(`FAIL could not connect: ${err.message}`);
		process.exit(3);
	}
	console.log(`error ${err.message}`);
});
const next = () => new Promise((r) => { waiter = r; });

async function main() {
	await new Promise((r) => ws.once('open', r));
	opened = true;
	console.log(`extensions ${extHeader}`);
	console.log(`negotiated ${ws.extensions || '-'}`);
	let failures = 0;
	for (const spec of specs) {
		const [type, sz, kind = 'random'] = spec.split(':');
		const size = parseSize(sz);
		const sent = make(type, size, kind);
		const label = `${type} ${size} ${kind}`;
		ws.send(sent, { binary: type === 'binary' });
		while (!inbox.length && closeCode === null) await next();
		if (!inbox.length) {
			console.log(`FAIL ${label}: closed with ${closeCode} before the echo`);
			failures++;
			break;
		}
		const got = inbox.shift();
		if (got.isBinary !== (type === 'binary')) {
			console.log(`FAIL ${label}: came back as ${got.isBinary ? 'binary' : 'text'}`);
			failures++;
		} else if (!sent.equals(got.data)) {
			console.log(`FAIL ${label}: ${got.data.length} bytes back, not the same`);
			failures++;
		} else {
			console.log(`ok ${label}`);
		}
	}
	console.log(`compressed ${compressed} of ${received}`);
	if (closeCode === null) ws.close(1000);
	while (closeCode === null) await next();
	console.log(`closed ${closeCode}`);
	if (closeCode !== 1000) failures++;
	clearTimeout(timer);
	process.exit(failures ? 1 : 0);
}

main().catch((err) => {
	console.log(`FAIL ${err.stack || err}`);
	process.exit(1);
});
