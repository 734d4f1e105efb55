#!/usr/bin/node
// Push server built on Node's `ws` (Debian node-ws, NODE_PATH=/usr/share/nodejs),
// a peer nobody on the team wrote. A client of ws://127.0.0.1:PORT/NAME gets
// the messages of DIR/NAME (NAME may have directories, never "..") (records of a type byte "t" or "b", a 4-byte
// big-endian length and the payload; see bytes_gen.py) in order, text as
// text and binary as binary, then a close with 1000.
//
// With ?echo in the URL it then reads as many messages back and checks each
// is the one it sent (type and bytes): close 1000 if all are, else 4000.
// ?id=TAG goes into its log lines.
//
//   node_push_server.js DIR
//
// Binds 127.0.0.1 on port 0, prints "listening on ws://127.0.0.1:PORT" once
// ready and logs "TAG: connection NAME", "TAG: sent N", "TAG: echo ok N" or
// "TAG: echo differs: ...", and "TAG: closed CODE". Exits on SIGTERM or
// after 600 s.
'use strict';

const fs = require('fs');
const path = require('path');
const WebSocket = require('ws');

if (process.argv.length !== 3) {
	process.stderr.write('usage: node_push_server.js DIR\n');
	process.exit(2);
}
const top = process.argv[2];

function readMsgs(file) {
	const data = fs.readFileSync(file);
	const msgs = [];
	for (let i = 0; i < data.length; ) {
		const n = data.readUInt32BE(i + 1);
		msgs.push({ binary: data[i] === 0x62 /* b */, payload: data.subarray(i + 5, i + 5 + n) });
		i += 5 + n;
	}
	return msgs;
}

const log = (line) => process.stdout.write(line + '\n');

const wss = new WebSocket.Server({
	host: '127.0.0.1',
	port: 0,
	maxPayload: 64 * 1024 * 1024,
	perMessageDeflate: false,
});

wss.on('listening', () => log(`listening on ws://127.0.0.1:${wss.address().port}`));

wss.on('connection', (ws, req) => {
	const url = new URL(req.url, 'ws://localhost');
	const tag = url.searchParams.get('id') || '-';
	const name = url.pathname.replace(/^\/+/, '');
	const file = path.join(top, name);
	ws.on('close', (code) => log(`${tag}: closed ${code}`));
	ws.on('error', (err) => log(`${tag}: error ${err.message}`));
	log(`${tag}: connection ${name}`);
	if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/.test(name) || !fs.existsSync(file)) {
		ws.close(4004, 'no such message file');
		return;
	}
	const msgs = readMsgs(file);
	const echo = url.searchParams.has('echo');
	const bad = [];
	let got = 0;
	ws.on('message', (payload, isBinary) => {
		if (!echo || got >= msgs.length) return;
		const m = msgs[got];
		if (isBinary !== m.binary || !m.payload.equals(payload))
			bad.push(`message ${got} (${m.binary ? 'binary' : 'text'}, ${m.payload.length}): ` +
				`got ${isBinary ? 'binary' : 'text'} of ${payload.length}`);
		if (++got < msgs.length) return;
		log(bad.length ? `${tag}: echo differs: ${bad.join('; ')}` : `${tag}: echo ok ${msgs.length}`);
		ws.close(bad.length ? 4000 : 1000);
	});
	for (const m of msgs) ws.send(m.payload, { binary: m.binary });
	log(`${tag}: sent ${msgs.length}`);
	if (!echo) ws.close(1000);
});

const stop = () => {
	for (const ws of wss.clients) ws.terminate();
	wss.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
setTimeout(stop, 600 * 1000).unref();
