import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { AppConfig } from '../../config/app-config';
import { IngressRejection } from '../ingress-rejection';

const ALLOWED_SUBJECTS = new Set(['messageverificationcerts.paypal.com', 'messageverificationcerts.sandbox.paypal.com']);
const FETCH_TIMEOUT_MS = 3_000;
const MAX_CERT_BYTES = 64 * 1024;
const CACHE_TTL_MS = 60 * 60 * 1000;

function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function commonName(certificate: X509Certificate): string | undefined {
  return certificate.subject.split('\n').find((line) => line.startsWith('CN='))?.slice(3);
}

function withinValidity(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}

/**
 * Fetches, validates and caches PayPal's message-signing certificates. A certificate is trusted only when its URL
 * is https on an allowed host, its chain leads to a trust anchor, its subject is PayPal's verification CN and it
 * is within its validity dates.
 */
@Injectable()
export class PaypalCertificates {
  private readonly cache = new Map<string, { certificate: X509Certificate; until: number }>();
  private readonly anchors: X509Certificate[];

  constructor(private readonly config: AppConfig) {
    const extra = config.paypal.caFile ? readFileSync(config.paypal.caFile, 'utf8') : '';
    this.anchors = [...rootCertificates.flatMap(splitPem), ...splitPem(extra)];
  }

  async publicKeyFor(url: string, now: Date) {
    const cached = this.cache.get(url);
    if (cached && cached.until > now.getTime() && withinValidity(cached.certificate, now)) return cached.certificate.publicKey;
    this.assertAllowedUrl(url);
    const [leaf, ...intermediates] = splitPem(await this.fetchPem(url));
    if (!leaf) throw new IngressRejection('verification_failed', 'PAYPAL-CERT-URL did not return a certificate');
    this.assertTrusted(leaf, intermediates, now);
    this.cache.set(url, { certificate: leaf, until: Math.min(now.getTime() + CACHE_TTL_MS, new Date(leaf.validTo).getTime()) });
    return leaf.publicKey;
  }

  private assertAllowedUrl(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new IngressRejection('verification_failed', 'PAYPAL-CERT-URL is not a URL');
    }
    const httpsAllowed = parsed.protocol === 'https:' && this.config.paypal.certHosts.includes(parsed.hostname.toLowerCase());
    const loopbackAllowed = this.config.paypal.allowHttpLoopback && parsed.protocol === 'http:' && parsed.hostname === '127.0.0.1';
    if (!httpsAllowed && !loopbackAllowed) throw new IngressRejection('verification_failed', 'PAYPAL-CERT-URL is not an allowed PayPal certificate location');
  }

  /** A host that does not answer is PayPal's problem, not the sender's: 503, so PayPal retries later. */
  private async fetchPem(url: string): Promise<string> {
    try {
      const response = await request(url, { method: 'GET', headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > MAX_CERT_BYTES) throw new Error('certificate response too large');
        chunks.push(chunk as Buffer);
      }
      if (response.statusCode !== 200) throw new Error(`certificate host answered ${response.statusCode}`);
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      throw new IngressRejection('dependency_unavailable', `Could not fetch the PayPal signing certificate: ${(error as Error).message}`, 30);
    }
  }

  private assertTrusted(leaf: X509Certificate, intermediates: X509Certificate[], now: Date): void {
    const name = commonName(leaf);
    if (!name || !ALLOWED_SUBJECTS.has(name)) throw new IngressRejection('verification_failed', 'PayPal certificate subject is not PayPal\'s message verification CN');
    let current = leaf;
    for (let depth = 0; depth < 6; depth += 1) {
      if (!withinValidity(current, now)) throw new IngressRejection('verification_failed', 'PayPal certificate chain is expired or not yet valid');
      const anchor = this.anchors.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
      if (anchor) {
        if (!withinValidity(anchor, now)) throw new IngressRejection('verification_failed', 'PayPal certificate trust anchor is expired');
        return;
      }
      const issuer = intermediates.find((candidate) => candidate.ca && current.checkIssued(candidate) && current.verify(candidate.publicKey));
      if (!issuer) break;
      current = issuer;
    }
    throw new IngressRejection('verification_failed', 'PayPal certificate does not chain to a trusted authority');
  }
}
