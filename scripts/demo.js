// The demo half of `npm start`: once the gateway is ready, run a small receiver that verifies Hookgate's
// signatures, subscribe it as an endpoint (once), and print where everything is.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const { localDir, log } = require('./services');

const RECEIVER_PORT = Number(process.env.DEMO_RECEIVER_PORT || 3001);
const secretsFile = path.join(localDir, 'dev-secrets.json');

async function waitUntilReady(baseUrl, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the gateway did not become ready at ${baseUrl} within ${timeoutMs / 1000}s`);
}

function startReceiver(getSecret) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const event = new Webhook(getSecret()).verify(body, req.headers);
        log(
          `demo receiver: ${event.type} ${event.id} from ${event.integration} (signature valid, webhook-id ${req.headers['webhook-id']})`,
        );
        res.writeHead(204).end();
      } catch (error) {
        log(`demo receiver: REJECTED a delivery: ${error.message}`);
        res.writeHead(401).end();
      }
    });
  });
  server.listen(RECEIVER_PORT, '127.0.0.1');
  return server;
}

async function api(baseUrl, key, method, route, body) {
  const response = await fetch(`${baseUrl}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Subscribes the demo receiver once; keeps its signing secret in .local/dev-secrets.json. */
async function ensureDemoEndpoint(baseUrl, key, secrets) {
  const url = `http://127.0.0.1:${RECEIVER_PORT}/webhooks`;
  const list = await api(baseUrl, key, 'GET', '/endpoints?limit=500');
  if (list.status !== 200) throw new Error(`listing endpoints answered ${list.status}`);
  let endpoint = list.body.data.find((item) => item.url === url);
  if (!endpoint) {
    const created = await api(baseUrl, key, 'POST', '/endpoints', {
      url,
      description: 'Demo receiver started by npm start',
    });
    if (created.status !== 201)
      throw new Error(`creating the demo endpoint answered ${created.status}: ${JSON.stringify(created.body)}`);
    endpoint = created.body;
    secrets.demoEndpointSecret = created.body.secret;
  } else if (!secrets.demoEndpointSecret) {
    const rotated = await api(baseUrl, key, 'POST', `/endpoints/${endpoint.id}/rotate-secret`);
    secrets.demoEndpointSecret = rotated.body.secret;
  }
  fs.writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { id: endpoint.id, url };
}

function printSummary(baseUrl, env, endpoint) {
  const lines = [
    '',
    'Hookgate is running (role all):',
    `  Ops console        ${baseUrl}/console   (sign in with the admin key, the Bearer value on the next line)`,
    `  Webhook ingress    ${baseUrl}/webhooks/<integration>   (stripe, github, paypal, acme, globex)`,
    `  Management API     ${baseUrl}/api/v1   (Authorization: Bearer ${env.ADMIN_API_KEY})`,
    `  API docs           ${baseUrl}/docs`,
    `  Queues (Bull Board) ${baseUrl}/admin/queues`,
    `  Health             ${baseUrl}/health/ready   Metrics ${baseUrl}/metrics`,
    `  Demo endpoint      ${endpoint ? `${endpoint.url} (id ${endpoint.id}) — deliveries are printed here` : 'not created (see above)'}`,
    '',
    'Development secrets (kept in .local/dev-secrets.json):',
    `  STRIPE_WEBHOOK_SECRET=${env.STRIPE_WEBHOOK_SECRET}`,
    `  GITHUB_WEBHOOK_SECRET=${env.GITHUB_WEBHOOK_SECRET}`,
    `  PAYPAL_WEBHOOK_ID=${env.PAYPAL_WEBHOOK_ID}`,
    `  ACME_WEBHOOK_SECRET=${env.ACME_WEBHOOK_SECRET}`,
    `  GLOBEX_WEBHOOK_TOKEN=${env.GLOBEX_WEBHOOK_TOKEN}`,
    '',
    'Send a signed test webhook:  node scripts/send-webhook.js acme   (or stripe, github, globex)',
    '',
  ];
  console.log(lines.join('\n'));
}

async function seedDemo({ baseUrl, env, secrets }) {
  await waitUntilReady(baseUrl);
  const receiver = startReceiver(() => secrets.demoEndpointSecret);
  receiver.unref();
  let endpoint;
  try {
    endpoint = await ensureDemoEndpoint(baseUrl, env.ADMIN_API_KEY, secrets);
  } catch (error) {
    log(`could not create the demo endpoint: ${error.message}`);
  }
  printSummary(baseUrl, env, endpoint);
}

module.exports = { seedDemo, secretsFile };
