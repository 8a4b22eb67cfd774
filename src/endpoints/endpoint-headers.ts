import { InvalidRequestError } from '../common/errors/domain-errors';

/** Headers Hookgate sets itself (contract §6.6): an endpoint cannot override them. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'host']);
/** Connection-level headers: sending them would break the request rather than inform the receiver. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);
/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** Visible ASCII and spaces/tabs: no CR/LF, so a value cannot smuggle another header. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const MAX_HEADERS = 20;
const MAX_VALUE_LENGTH = 1_000;

/** An endpoint's static headers, validated and with lower-case names; throws a 400 naming the bad header. */
export function normalizeEndpointHeaders(headers: Record<string, unknown>): Record<string, string> {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw new InvalidRequestError(`headers: at most ${MAX_HEADERS} headers`);
  const normalized: Record<string, string> = {};
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) throw new InvalidRequestError(`headers: "${rawName}" is not a valid header name`);
    if (name.startsWith('webhook-') || OWN_HEADERS.has(name))
      throw new InvalidRequestError(`headers: "${rawName}" is set by Hookgate and cannot be overridden`);
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-'))
      throw new InvalidRequestError(`headers: "${rawName}" is a connection header and cannot be set`);
    if (typeof value !== 'string' || !FIELD_VALUE.test(value) || value.length > MAX_VALUE_LENGTH) {
      throw new InvalidRequestError(
        `headers: the value of "${rawName}" must be a string of printable ASCII, at most ${MAX_VALUE_LENGTH} characters`,
      );
    }
    if (name in normalized) throw new InvalidRequestError(`headers: "${rawName}" is listed twice`);
    normalized[name] = value;
  }
  return normalized;
}
