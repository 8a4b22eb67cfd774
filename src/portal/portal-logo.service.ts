import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { AppConfig } from '../config/app-config';
import { assertAllowedLiteral, guardedLookup } from '../delivery/ssrf-guard';

const MAX_LOGO_BYTES = 256 * 1024;
const CACHE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|svg\+xml)$/;

export interface Logo {
  contentType: string;
  body: Buffer;
}

/**
 * An application's `portal.logoUrl`, fetched by the gateway and served from /portal/logo, so a portal page loads
 * nothing from elsewhere (contract §7.2) and the customer's browser never calls the logo's host. Fetched like a
 * delivery (private addresses refused unless deliveries may reach them), images only, at most 256 KiB, kept for
 * ten minutes per URL; a logo that cannot be fetched is simply left out.
 */
@Injectable()
export class PortalLogoService implements OnModuleDestroy {
  private readonly cache = new Map<string, { logo: Logo | null; until: number }>();
  private readonly agent: Agent;

  constructor(private readonly config: AppConfig) {
    this.agent = new Agent({ connect: config.delivery.allowPrivateNetworks ? {} : { lookup: guardedLookup } });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async logo(url: string): Promise<Logo | null> {
    const cached = this.cache.get(url);
    if (cached && cached.until > Date.now()) return cached.logo;
    const logo = await this.fetch(url).catch(() => null);
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(url, { logo, until: Date.now() + CACHE_MS });
    return logo;
  }

  private async fetch(url: string): Promise<Logo | null> {
    if (!this.config.delivery.allowPrivateNetworks) assertAllowedLiteral(new URL(url).hostname);
    const response = await request(url, {
      dispatcher: this.agent,
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
    });
    const contentType = String(response.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    if (response.statusCode !== 200 || !IMAGE_TYPES.test(contentType)) {
      await response.body.dump();
      return null;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_LOGO_BYTES) {
        response.body.destroy();
        return null;
      }
      chunks.push(chunk as Buffer);
    }
    return { contentType, body: Buffer.concat(chunks) };
  }
}
