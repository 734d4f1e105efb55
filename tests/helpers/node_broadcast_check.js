#!/usr/bin/node
// The Node `ws` side of py_broadcast_check.py's roster mode (see there):
//   node_broadcast_check.js URL READYFILE ROOM:NPY:NNODE [...]
// connects the NNODE clients "ROOM-node-i" of each room, writes READYFILE,
// waits for "go", sends its name, and checks that each client receives
// exactly the names of the other members of its room. Prints "ok ..." or
// "FAIL ..." per client; exit 0 only when every check held.
'use strict';

const fs = require('fs');
const WebSocket = require('ws');

const [url, readyFile, ...specs] = process.argv.slice(2);
const clients = [];

for (const spec of specs) {
	const [room, npy, nnode] = spec.split(':');
	const everyone = [];
	for (let i = 0; i < Number(npy); i++) everyone.push(`${room}-py-${i}`);
	for (let i = 0; i < Number(nnode); i++) everyone.push(`${room}-node-${i}`);
	for (let i = 0; i < Number(nnode); i++) {
		const name = `${room}-node-${i}`;
		clients.push({
			name,
			room,
			want: everyone.filter((n) => n !== name).sort(),
		});
	}
}

function run(c) {
	return new Promise((resolve) => {
		const ws = new WebSocket(`${url}/${c.room}`);
		const got = [];
		let started = false;
		let settle = null;
		const finish = (why) => {
			clearTimeout(settle);
			clearTimeout(limit);
			ws.terminate();
			const ok = !why &&
				JSON.stringify(got.sort()) === JSON.stringify(c.want);
			resolve(ok ? `ok ${c.name} got ${got.length}`
				: `FAIL ${c.name} got ${got.length}, wanted ${c.want.length}${why ? ': ' + why : ''}`);
		};
		const limit = setTimeout(() => finish('timed out'), 30000);
		ws.on('open', () => c.onopen());
		ws.on('error', (e) => finish(e.message));
		ws.on('message', (data) => {
			const text = data.toString();
			if (!started) {
				if (text !== 'go') return finish('the first message was not go');
				started = true;
				ws.send(c.name);
				if (c.want.length === 0)
					settle = setTimeout(() => finish(null), 500);
				return;
			}
			got.push(text);
			// then wait a little for anything that should not come
			if (got.length >= c.want.length) {
				clearTimeout(settle);
				settle = setTimeout(() => finish(null), 500);
			}
		});
	});
}

let open = 0;
const results = clients.map((c) => {
	c.onopen = () => {
		if (++open === clients.length) fs.writeFileSync(readyFile, 'ready\n');
	};
	return run(c);
});
if (clients.length === 0) fs.writeFileSync(readyFile, 'ready\n');
Promise.all(results).then((lines) => {
	for (const l of lines) console.log(l);
	process.exit(lines.some((l) => l.startsWith('FAIL')) ? 1 : 0);
});
