#!/usr/bin/node
// The broadcast server of Node's `ws` documentation, with rooms by URL path
// like `wsx serve --broadcast`: each message goes to every other open client
// of its room, with its type. Used by scripts/bench-broadcast as the peer to
// compare with. Binds 127.0.0.1 on a free port, prints
// "listening on ws://127.0.0.1:PORT", and exits by itself after 300 s.
'use strict';

const WebSocket = require('ws');

const wss = new WebSocket.Server({ host: '127.0.0.1', port: 0, maxPayload: 16 << 20 });
wss.on('listening', () => console.log(`listening on ws://127.0.0.1:${wss.address().port}`));
wss.on('connection', (ws, req) => {
	ws.room = req.url.split('?')[0];
	ws.on('message', (data, isBinary) => {
		for (const client of wss.clients)
			if (client !== ws && client.room === ws.room &&
			    client.readyState === WebSocket.OPEN)
				client.send(data, { binary: isBinary });
	});
});
setTimeout(() => process.exit(0), 300 * 1000).unref();
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
