import { createSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as forge from 'node-forge';
import request from 'supertest';
import { adminApi } from '../support/management';
import { startTestApp, TestApp } from '../support/test-app';

// A test CA and leaf certificates like PayPal's, served from loopback; PAYPAL_CERT_CA_FILE trusts the test CA.
const WEBHOOK_ID = 'WH-TEST-0123456789';

function keyPair() {
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
}

function certificate(options: {
  cn: string;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  keys: forge.pki.rsa.KeyPair;
  ca?: boolean;
  expired?: boolean;
  serial: string;
}) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = options.keys.publicKey;
  cert.serialNumber = options.serial;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - (options.expired ? 3 : 1) * 86_400_000);
  cert.validity.notAfter = new Date(now + (options.expired ? -86_400_000 : 365 * 86_400_000));
  const subject = [{ name: 'commonName', value: options.cn }];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject);
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, digitalSignature: true },
        ]
      : [{ name: 'basicConstraints', cA: false }],
  );
  cert.sign(options.issuer?.key ?? options.keys.privateKey, forge.md.sha256.create());
  return cert;
}

describe('ingress: PayPal certificate verification', () => {
  const caKeys = keyPair();
  const ca = certificate({ cn: 'Hookgate Test CA', keys: caKeys, ca: true, serial: '01' });
  const otherCaKeys = keyPair();
  const otherCa = certificate({ cn: 'Untrusted CA', keys: otherCaKeys, ca: true, serial: '02' });
  const leafKeys = keyPair();
  const leaves: Record<string, forge.pki.Certificate> = {
    good: certificate({
      cn: 'messageverificationcerts.paypal.com',
      keys: leafKeys,
      issuer: { cert: ca, key: caKeys.privateKey },
      serial: '03',
    }),
    untrusted: certificate({
      cn: 'messageverificationcerts.paypal.com',
      keys: leafKeys,
      issuer: { cert: otherCa, key: otherCaKeys.privateKey },
      serial: '04',
    }),
    subject: certificate({
      cn: 'evil.example.com',
      keys: leafKeys,
      issuer: { cert: ca, key: caKeys.privateKey },
      serial: '05',
    }),
    expired: certificate({
      cn: 'messageverificationcerts.paypal.com',
      keys: leafKeys,
      issuer: { cert: ca, key: caKeys.privateKey },
      expired: true,
      serial: '06',
    }),
  };
  let certServer: Server;
  let certPort: number;
  const certFetches: string[] = [];
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookgate-paypal-'));
    writeFileSync(join(dir, 'ca.pem'), forge.pki.certificateToPem(ca));
    certServer = createServer((req, res) => {
      certFetches.push(req.url ?? '');
      const leaf = leaves[(req.url ?? '').slice(1).replace('.pem', '')];
      if (!leaf) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(forge.pki.certificateToPem(leaf));
    });
    await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', () => resolve()));
    certPort = (certServer.address() as { port: number }).port;
    app = await startTestApp({
      role: 'api',
      env: {
        PAYPAL_WEBHOOK_ID: WEBHOOK_ID,
        PAYPAL_CERT_ALLOW_HTTP_LOOPBACK: 'true',
        PAYPAL_CERT_CA_FILE: join(dir, 'ca.pem'),
      },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => certServer?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function send(
    id: string,
    options: {
      cert?: string;
      certUrl?: string;
      webhookId?: string;
      tamper?: boolean;
      transmissionId?: string;
      amount?: string;
      sentAt?: Date;
    } = {},
  ) {
    const body = JSON.stringify({
      id,
      event_type: 'PAYMENT.CAPTURE.COMPLETED',
      create_time: '2026-11-01T10:00:00Z',
      resource: { id: `CAPTURE-${id}`, amount: options.amount ?? '10.00' },
    });
    const transmissionId = options.transmissionId ?? `tx-${id}`;
    const time = (options.sentAt ?? new Date()).toISOString();
    const signer = createSign('sha256');
    signer.update(`${transmissionId}|${time}|${options.webhookId ?? WEBHOOK_ID}|${crc32(Buffer.from(body)) >>> 0}`);
    const signature = signer.sign(forge.pki.privateKeyToPem(leafKeys.privateKey), 'base64');
    return request(app.url!)
      .post('/webhooks/paypal')
      .set('paypal-transmission-id', transmissionId)
      .set('paypal-transmission-time', time)
      .set('paypal-transmission-sig', signature)
      .set('paypal-cert-url', options.certUrl ?? `http://127.0.0.1:${certPort}/${options.cert ?? 'good'}.pem`)
      .set('paypal-auth-algo', 'SHA256withRSA')
      .send(options.tamper ? body.replace('10.00', '99.00') : body);
  }

  it('accepts a signature made with a trusted PayPal-subject certificate', async () => {
    const response = await send('WH-EVT-1').expect(202);
    expect(response.body.status).toBe('accepted');
    // Ordered per resource (§7.5).
    const event = (await adminApi(app.url!).get(`/events/${response.body.eventId}`).expect(200)).body;
    expect(event.orderingKey).toBe('CAPTURE-WH-EVT-1');
  });

  it('refuses a tampered body and a signature over another webhook id', async () => {
    await send('WH-EVT-2', { tamper: true }).expect(401);
    await send('WH-EVT-3', { webhookId: 'WH-OTHER' }).expect(401);
  });

  it.each(['untrusted', 'subject', 'expired'])('refuses a %s certificate', async (cert) => {
    await send(`WH-EVT-${cert}`, { cert }).expect(401);
  });

  it('refuses a certificate URL on a host that is not allowed', async () => {
    await send('WH-EVT-host', { certUrl: 'https://evil.example.com/cert.pem' }).expect(401);
  });

  it('answers 503 with Retry-After when the certificate cannot be fetched, so PayPal retries', async () => {
    const response = await send('WH-EVT-down', { certUrl: `http://127.0.0.1:${certPort}/missing.pem` }).expect(503);
    expect(response.headers['retry-after']).toBeDefined();
    expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
  });

  it('refuses a transmission time outside the tolerance, before fetching any certificate (contract §6.2)', async () => {
    const certUrl = `http://127.0.0.1:${certPort}/never-fetched.pem`;
    const stale = await send('WH-EVT-stale', { sentAt: new Date(Date.now() - 10 * 60_000), certUrl }).expect(401);
    expect(stale.body.message).toMatch(/tolerance/);
    await send('WH-EVT-future', { sentAt: new Date(Date.now() + 10 * 60_000), certUrl }).expect(401);
    expect(certFetches).not.toContain('/never-fetched.pem');
  });

  it('refuses a transmission id seen before with another body; the same body again is a duplicate', async () => {
    const first = await send('WH-EVT-replay', { transmissionId: 'tx-captured' }).expect(202);
    // Signed again for the test; a real attacker keeps the signature and forges a body with the same CRC32.
    const replayed = await send('WH-EVT-replay', { transmissionId: 'tx-captured', amount: '9999.00' }).expect(401);
    expect(replayed.body.message).toMatch(/seen before/);
    const retried = await send('WH-EVT-replay', { transmissionId: 'tx-captured' }).expect(200);
    expect(retried.body).toMatchObject({ eventId: first.body.eventId, duplicate: true });
  });

  it('caches a certificate by its URL without query or fragment', async () => {
    await send('WH-EVT-q0').expect(202);
    const before = certFetches.length;
    for (let index = 1; index <= 5; index += 1)
      await send(`WH-EVT-q${index}`, { certUrl: `http://127.0.0.1:${certPort}/good.pem?n=${index}#x` }).expect(202);
    expect(certFetches.length).toBe(before);
  });
});
