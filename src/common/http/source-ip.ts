import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** Decides whether an address is a trusted proxy (TRUST_PROXY); the same rule for Express and the webhook route. */
export type ProxyTrust = (address: string, hop: number) => boolean;

export function proxyTrust(trusted: string[]): ProxyTrust {
  return proxyAddr.compile(trusted);
}

/** The client address: the peer, or the X-Forwarded-For entry left by the last trusted proxy. */
export function sourceIpOf(request: IncomingMessage, trust: ProxyTrust): string | null {
  try {
    return proxyAddr(request, trust);
  } catch {
    return request.socket.remoteAddress ?? null;
  }
}
