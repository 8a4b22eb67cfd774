import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { LoadingCache } from '../../common/caching/loading-cache';
import { AppConfig } from '../../config/app-config';
import { IngressRejection } from '../ingress-rejection';

const ALLOWED_SUBJECTS = new Set([
  'messageverificationcerts.paypal.com',
  'messageverificationcerts.sandbox.paypal.com',
]);
const FETCH_TIMEOUT_MS = 3_000;
const MAX_CERT_BYTES = 64 * 1024;
const CACHE_TTL_MS = 60 * 60 * 1000;
/** Certificate locations remembered at once; PayPal uses a handful. */
const MAX_CACHED_URLS = 100;
/** A location that failed is not fetched again for this long (a forged URL cannot make us fetch in a loop). */
const FAILURE_TTL_MS = 30_000;

function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function commonName(certificate: X509Certificate): string | undefined {
  return certificate.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
}

function withinValidity(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}

/**
 * Fetches, validates and caches PayPal's message-signing certificates. A certificate is trusted only when its URL
 * is https on an allowed host, its chain leads to a trust anchor, its subject is PayPal's verification CN and it
 * is within its validity dates. The cache is keyed by the normalized URL (no query or fragment), bounded, with one
 * fetch in flight per URL; a failure is remembered briefly.
 */
@Injectable()
export class PaypalCertificates {
  private readonly cache = new LoadingCache((url) => this.fetchTrusted(url), CACHE_TTL_MS, MAX_CACHED_URLS);
  private readonly failures = new LoadingCache<IngressRejection | null>(
    async () => null,
    FAILURE_TTL_MS,
    MAX_CACHED_URLS,
  );
  private readonly anchors: X509Certificate[];

  constructor(private readonly config: AppConfig) {
    const extra = config.paypal.caFile ? readFileSync(config.paypal.caFile, 'utf8') : '';
    this.anchors = [...rootCertificates.flatMap(splitPem), ...splitPem(extra)];
  }

  async publicKeyFor(rawUrl: string, now: Date) {
    const url = this.allowedUrl(rawUrl);
    const failed = await this.failures.get(url, now.getTime());
    if (failed) throw failed;
    try {
      const certificate = await this.cache.get(url, now.getTime());
      if (!withinValidity(certificate, now)) {
        this.cache.delete(url); // fetched again next time: PayPal may have renewed it
        throw new IngressRejection('verification_failed', 'PayPal certificate is expired or not yet valid');
      }
      return certificate.publicKey;
    } catch (error) {
      if (error instanceof IngressRejection) this.failures.set(url, error, now.getTime());
      throw error;
    }
  }

  private async fetchTrusted(url: string): Promise<X509Certificate> {
    const [leaf, ...intermediates] = splitPem(await this.fetchPem(url));
    if (!leaf) throw new IngressRejection('verification_failed', 'PAYPAL-CERT-URL did not return a certificate');
    this.assertTrusted(leaf, intermediates, new Date());
    return leaf;
  }

  /** The certificate location as a cache key and fetch target: https on an allowed host, without query or fragment. */
  private allowedUrl(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new IngressRejection('verification_failed', 'PAYPAL-CERT-URL is not a URL');
    }
    const httpsAllowed =
      parsed.protocol === 'https:' && this.config.paypal.certHosts.includes(parsed.hostname.toLowerCase());
    const loopbackAllowed =
      this.config.paypal.allowHttpLoopback && parsed.protocol === 'http:' && parsed.hostname === '127.0.0.1';
    if (!httpsAllowed && !loopbackAllowed)
      throw new IngressRejection(
        'verification_failed',
        'PAYPAL-CERT-URL is not an allowed PayPal certificate location',
      );
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname}`;
  }

  /** A host that does not answer is PayPal's problem, not the sender's: 503, so PayPal retries later. */
  private async fetchPem(url: string): Promise<string> {
    try {
      const response = await request(url, {
        method: 'GET',
        headersTimeout: FETCH_TIMEOUT_MS,
        bodyTimeout: FETCH_TIMEOUT_MS,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_CERT_BYTES) throw new Error('certificate response too large');
        chunks.push(chunk);
      }
      if (response.statusCode !== 200) throw new Error(`certificate host answered ${response.statusCode}`);
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      throw new IngressRejection(
        'dependency_unavailable',
        `Could not fetch the PayPal signing certificate: ${(error as Error).message}`,
        30,
      );
    }
  }

  private assertTrusted(leaf: X509Certificate, intermediates: X509Certificate[], now: Date): void {
    const name = commonName(leaf);
    if (!name || !ALLOWED_SUBJECTS.has(name))
      throw new IngressRejection(
        'verification_failed',
        "PayPal certificate subject is not PayPal's message verification CN",
      );
    let current = leaf;
    for (let depth = 0; depth < 6; depth += 1) {
      if (!withinValidity(current, now))
        throw new IngressRejection('verification_failed', 'PayPal certificate chain is expired or not yet valid');
      const anchor = this.anchors.find(
        (candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey),
      );
      if (anchor) {
        if (!withinValidity(anchor, now))
          throw new IngressRejection('verification_failed', 'PayPal certificate trust anchor is expired');
        return;
      }
      const issuer = intermediates.find(
        (candidate) => candidate.ca && current.checkIssued(candidate) && current.verify(candidate.publicKey),
      );
      if (!issuer) break;
      current = issuer;
    }
    throw new IngressRejection('verification_failed', 'PayPal certificate does not chain to a trusted authority');
  }
}
