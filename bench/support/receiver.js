// The delivery benchmarks' receiver: a loopback node:http server that verifies every delivery's Standard Webhooks
// signature (secrets given by the parent per path, with how long that path takes to answer) and remembers when each
// event arrived. The parent asks for the arrivals over IPC.
const http = require('node:http');
const { Webhook } = require('standardwebhooks');

const verifiers = new Map();
const delays = new Map(); // path → ms before answering (a slow receiver)
const arrivals = new Map(); // path → [[eventKey, arrivedAtMs]]
let rejected = 0;

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const verifier = verifiers.get(req.url);
    try {
      const payload = verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers);
      const list = arrivals.get(req.url) ?? [];
      list.push([payload.externalId ?? payload.id, Date.now()]);
      arrivals.set(req.url, list);
      const delayMs = delays.get(req.url);
      if (delayMs) setTimeout(() => res.writeHead(204).end(), delayMs);
      else res.writeHead(204).end();
    } catch {
      rejected += 1;
      res.writeHead(401).end();
    }
  });
});

process.on('message', (message) => {
  if (message.type === 'secret') {
    verifiers.set(message.path, new Webhook(message.secret));
    if (message.delayMs) delays.set(message.path, message.delayMs);
  }
  if (message.type === 'arrivals')
    process.send({ type: 'arrivals', arrivals: arrivals.get(message.path) ?? [], rejected });
  // Many endpoints at once (one path each): how many deliveries reached the paths under a prefix, and the last when.
  if (message.type === 'count') {
    let count = 0;
    let lastAt = 0;
    for (const [route, list] of arrivals) {
      if (!route.startsWith(message.prefix)) continue;
      count += list.length;
      for (const [, at] of list) lastAt = Math.max(lastAt, at);
    }
    process.send({ type: 'count', prefix: message.prefix, count, lastAt, rejected });
  }
});
server.keepAliveTimeout = 30_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
