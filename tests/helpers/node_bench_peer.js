#!/usr/bin/node
// Misbehaving and special-purpose servers for the `wsx bench` tests, built on
// Node's `ws` (node-ws). Binds 127.0.0.1 on a free port and prints
// "listening on ws://127.0.0.1:PORT" once ready.
//
//   --corrupt         echo every message with its first byte changed
//   --push SIZE       send SIZE-byte binary messages to every client, as
//                     fast as its socket drains; read nothing
//   --close-after N   echo N messages on each connection, then close 1011
// Exits by itself after 120 s so it cannot outlive a test run.
'use strict';

const WebSocket = require('ws');

const argv = process.argv.slice(2);
const mode = argv[0];
const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20 });

wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}`));
wss.on('connection', (ws) => {
	if (mode === '--corrupt') {
		ws.on('message', (data, isBinary) => {
			const b = Buffer.from(data);
			if (b.length) b[0] = b[0] === 0x41 ? 0x42 : 0x41;
			ws.send(b, { binary: isBinary });
		});
	} else if (mode === '--push') {
		const msg = Buffer.alloc(Number(argv[1]), 7);
		// a bounded batch per turn keeps the event loop free for other
		// clients' handshakes and for reading closes
		const pump = () => {
			for (let i = 0; i < 64 && ws.readyState === WebSocket.OPEN &&
			     ws.bufferedAmount < (1 << 20); i++)
				ws.send(msg);
			if (ws.readyState === WebSocket.OPEN)
				ws.bufferedAmount < (1 << 20) ? setImmediate(pump) : setTimeout(pump, 1);
		};
		pump();
	} else if (mode === '--close-after') {
		let left = Number(argv[1]);
		ws.on('message', (data, isBinary) => {
			if (left-- > 0) ws.send(data, { binary: isBinary });
			else ws.close(1011, 'enough');
		});
	} else {
		process.stderr.write(`node_bench_peer: unknown mode ${mode}\n`);
		process.exit(2);
	}
});
setTimeout(() => process.exit(0), 120000).unref();
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
