#!/usr/bin/env node
// Sends a correctly signed sample webhook to the local gateway with the development secrets of `npm start`:
//   node scripts/send-webhook.js acme|globex|github|stripe [baseUrl]
const crypto = require('node:crypto');
const fs = require('node:fs');
const { secretsFile } = require('./demo');

const [provider = 'acme', baseUrl = `http://127.0.0.1:${process.env.PORT || 3000}`] = process.argv.slice(2);
const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
const id = crypto.randomUUID();
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest('hex');

const samples = {
  acme: () => {
    const body = JSON.stringify({ id: `acme_${id}`, type: 'order.created', data: { orderId: 42, total: 1999 } });
    return { body, headers: { 'x-acme-signature': hmac(secrets.acme, body) } };
  },
  globex: () => {
    const body = JSON.stringify({ eventId: `gx_${id}`, eventType: 'shipment.dispatched', payload: { parcel: 'P-1' } });
    return { body, headers: { 'x-globex-token': secrets.globex } };
  },
  github: () => {
    const body = JSON.stringify({
      action: 'opened',
      issue: { number: 1, title: 'Hello from Hookgate' },
      repository: { full_name: 'acme/demo' },
    });
    return {
      body,
      headers: {
        'x-github-event': 'issues',
        'x-github-delivery': id,
        'x-hub-signature-256': `sha256=${hmac(secrets.github, body)}`,
      },
    };
  },
  stripe: () => {
    const body = JSON.stringify({
      id: `evt_${id.replace(/-/g, '')}`,
      object: 'event',
      type: 'invoice.paid',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'in_1' } },
    });
    const t = Math.floor(Date.now() / 1000);
    return { body, headers: { 'stripe-signature': `t=${t},v1=${hmac(secrets.stripe, `${t}.${body}`)}` } };
  },
};

if (!samples[provider]) {
  console.error(`unknown provider "${provider}"; use one of ${Object.keys(samples).join(', ')}`);
  process.exit(2);
}
const { body, headers } = samples[provider]();
fetch(`${baseUrl}/webhooks/${provider}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
})
  .then(async (response) => console.log(response.status, await response.text()))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
