// Both ends of the traffic: a provider sending Stripe-signed webhooks at a steady rate (and, like Stripe, sending
// again whatever was not acknowledged), and a receiver that verifies every delivery's Standard Webhooks signature
// and answers as each endpoint's behaviour says (200, 500, slow, or hanging until Hookgate gives up).
const http = require('node:http');
const Stripe = require('stripe');
const { Webhook } = require('standardwebhooks');

const stripe = new Stripe('sk_test_chaos');

class Receiver {
  constructor() {
    /** path → { secret, behave(request) → { status, delayMs } | 'hang' } */
    this.endpoints = new Map();
    /** Every request: { path, webhookId, eventId, at, answeredAt, status, verified } (status null while hanging). */
    this.requests = [];
    this.inFlight = 0;
    /** path → requests being answered now. */
    this.inFlightByPath = new Map();
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async listen() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  url(path) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  define(path, secret, behave) {
    this.endpoints.set(path, { secret, behave });
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const endpoint = this.endpoints.get(req.url);
      const record = {
        path: req.url,
        webhookId: String(req.headers['webhook-id']),
        eventId: null,
        at: Date.now(),
        status: null,
        verified: false,
      };
      this.requests.push(record);
      if (!endpoint) return res.writeHead(404).end();
      try {
        record.eventId = new Webhook(endpoint.secret).verify(body, req.headers).id;
        record.verified = true;
      } catch {
        record.status = 400;
        return res.writeHead(400).end('bad signature');
      }
      const answer = endpoint.behave(record);
      if (answer === 'hang') return; // Hookgate's timeout ends it
      this.inFlight += 1;
      this.inFlightByPath.set(req.url, (this.inFlightByPath.get(req.url) ?? 0) + 1);
      const send = () => {
        this.inFlight -= 1;
        this.inFlightByPath.set(req.url, this.inFlightByPath.get(req.url) - 1);
        record.answeredAt = Date.now();
        if (res.destroyed) return;
        record.status = answer.status;
        res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.status < 300 ? 'ok' : 'try again');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Sends `rate` webhooks a second until `stop()`; a webhook not answered 2xx (503, connection refused while the api
 * is down, a timeout) is sent again every `retryMs` until acknowledged or `giveUpAfterMs` after its first send.
 */
class Provider {
  /** `orderingKeys`: the events' objects (their ordering keys, §7.5) cycle over this many; 0: one object each. */
  constructor({ baseUrl, secret, prefix, type, rate, retryMs = 500, giveUpAfterMs = 120_000, orderingKeys = 0 }) {
    Object.assign(this, { baseUrl, secret, prefix, type, rate, retryMs, giveUpAfterMs, orderingKeys });
    this.sent = 0;
    /** externalId → { eventId, ackedAt } */
    this.acknowledged = new Map();
    this.pending = new Set();
    this.gaveUp = 0;
    /** Answers other than 2xx, by status ('error' when no answer came). */
    this.answers = {};
  }

  start() {
    const started = Date.now();
    this.running = true;
    const tick = () => {
      if (!this.running) return;
      const due = Math.floor(((Date.now() - started) / 1000) * this.rate);
      while (this.sent < due) {
        this.sent += 1;
        const object = this.orderingKeys ? `in_${this.prefix}_key${this.sent % this.orderingKeys}` : undefined;
        this.send(`${this.prefix}_${this.sent}`, Date.now(), object);
      }
      this.timer = setTimeout(tick, 20);
    };
    tick();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
  }

  get idle() {
    return !this.running && this.pending.size === 0;
  }

  async send(externalId, firstSentAt, object = `in_${externalId}`) {
    this.pending.add(externalId);
    const payload = JSON.stringify({
      id: externalId,
      object: 'event',
      type: this.type,
      created: Math.floor(firstSentAt / 1000),
      data: { object: { id: object } },
    });
    for (;;) {
      let status = 'error';
      try {
        const response = await fetch(`${this.baseUrl}/webhooks/stripe`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: this.secret }),
          },
          body: payload,
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          if (!this.acknowledged.has(externalId))
            this.acknowledged.set(externalId, { eventId: body.eventId, ackedAt: Date.now(), status });
          break;
        }
      } catch {
        // connection refused or reset: the api is down; send again
      }
      this.answers[status] = (this.answers[status] ?? 0) + 1;
      if (Date.now() - firstSentAt > this.giveUpAfterMs) {
        this.gaveUp += 1;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
    this.pending.delete(externalId);
  }
}

module.exports = { Receiver, Provider };
