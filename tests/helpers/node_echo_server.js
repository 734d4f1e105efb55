#!/usr/bin/node
// Echo server built on Node's `ws` (Debian node-ws, NODE_PATH=/usr/share/nodejs),
// a peer nobody on the team wrote. Binds 127.0.0.1 on port 0 (or --port),
// prints "listening on ws://127.0.0.1:PORT" once ready and echoes every
// message unchanged: text stays text, binary stays binary.
//
// On stdout it also logs one line per event so a test can check what the
// server saw: "connection subprotocol=NAME|-", "message text|binary N",
// "closed CODE".
//
//   --tls CERT KEY            serve wss:// with this certificate and key
//   --close-with CODE REASON  on the first message, close with CODE REASON
//                             instead of echoing
//   --subprotocols a,b        subprotocols supported; the first one the
//                             client offers that is in this list is selected
//   --deflate                 accept permessage-deflate (off by default in ws)
// SIGTERM or SIGINT: close every client with 1001 and exit 0.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const WebSocket = require('ws');

function usage(msg) {
	process.stderr.write(`node_echo_server: ${msg}\n`);
	process.exit(2);
}

const opts = { host: '127.0.0.1', port: 0, tls: null, closeWith: null, subprotocols: [], deflate: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const a = argv[i];
	const need = (k) => {
		if (i + k >= argv.length) usage(`${a} needs ${k} argument(s)`);
		const v = argv.slice(i + 1, i + 1 + k);
		i += k;
		return v;
	};
	if (a === '--host') opts.host = need(1)[0];
	else if (a === '--port') opts.port = Number(need(1)[0]);
	else if (a === '--tls') opts.tls = need(2);
	else if (a === '--close-with') {
		const [code, reason] = need(2);
		opts.closeWith = { code: Number(code), reason };
	} else if (a === '--deflate') opts.deflate = true;
	else if (a === '--subprotocols') opts.subprotocols = need(1)[0].split(',').filter(Boolean);
	else usage(`unknown option ${a}`);
}

const log = (line) => process.stdout.write(line + '\n');

const server = opts.tls
	? https.createServer({ cert: fs.readFileSync(opts.tls[0]), key: fs.readFileSync(opts.tls[1]) })
	: http.createServer();

const wss = new WebSocket.Server({
	server,
	maxPayload: 64 * 1024 * 1024,
	perMessageDeflate: opts.deflate,
	handleProtocols: (offered /* Set, in the client's order */) => {
		for (const p of offered) if (opts.subprotocols.includes(p)) return p;
		return false;
	},
});

wss.on('connection', (ws) => {
	log(`connection subprotocol=${ws.protocol || '-'}`);
	let closing = false;
	ws.on('message', (data, isBinary) => {
		log(`message ${isBinary ? 'binary' : 'text'} ${data.length}`);
		if (closing) return;
		if (opts.closeWith) {
			closing = true;
			ws.close(opts.closeWith.code, opts.closeWith.reason);
			return;
		}
		ws.send(data, { binary: isBinary });
	});
	ws.on('close', (code) => log(`closed ${code}`));
	ws.on('error', (err) => log(`error ${err.message}`));
});

server.listen(opts.port, opts.host, () => {
	const { port } = server.address();
	log(`listening on ${opts.tls ? 'wss' : 'ws'}://${opts.host}:${port}`);
});

function shutdown() {
	for (const ws of wss.clients) ws.close(1001, 'server shutting down');
	wss.close();
	server.close(() => process.exit(0));
	// Clients that never answer the close: do not hang around for them.
	setTimeout(() => {
		for (const ws of wss.clients) ws.terminate();
		process.exit(0);
	}, 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
