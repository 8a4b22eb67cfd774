import { normalizeEndpointHeaders } from '../endpoints/endpoint-headers';

/** What a transformation gets and may return changed (contract §7.4). */
export interface OutgoingWebhook {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: unknown;
}

/** A transformation's verdict on one delivery. */
export type TransformationResult =
  { kind: 'send'; webhook: OutgoingWebhook } | { kind: 'cancel' } | { kind: 'error'; error: string };

/** The endpoint field, as stored. */
export interface Transformation {
  code: string;
  enabled: boolean;
}

/** Methods a receiver of a webhook can be sent: the ones with a body. */
const METHODS = new Set(['POST', 'PUT', 'PATCH']);
const MAX_URL_LENGTH = 2048;

/**
 * The handler's return value (parsed from the JSON it returned), checked before anything is sent: `{"cancel": true}`,
 * or the webhook with an allowed method, an http(s) URL, headers an endpoint could have set itself, and a payload.
 */
export function interpretHandlerResult(value: unknown): TransformationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(
      `handler returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object`,
    );
  const result = value as Record<string, unknown>;
  if (result.cancel === true) return { kind: 'cancel' };
  const method = result.method ?? 'POST';
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase()))
    return invalid('method must be POST, PUT or PATCH');
  if (typeof result.url !== 'string' || result.url.length > MAX_URL_LENGTH || !isHttpUrl(result.url))
    return invalid(`url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  if (!('payload' in result) || result.payload === undefined) return invalid('payload is missing');
  const headers = result.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    return invalid('headers must be an object of strings');
  try {
    return {
      kind: 'send',
      webhook: {
        method: method.toUpperCase(),
        url: result.url,
        headers: normalizeEndpointHeaders(headers as Record<string, unknown>),
        payload: result.payload,
      },
    };
  } catch (error) {
    return invalid((error as Error).message);
  }
}

function invalid(reason: string): TransformationResult {
  return { kind: 'error', error: `invalid result: ${reason}` };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
