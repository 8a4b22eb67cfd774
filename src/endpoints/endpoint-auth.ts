import { InvalidRequestError } from '../common/errors/domain-errors';

/** How Hookgate authenticates to an endpoint (contract §6.6). Stored sealed; the secrets never leave the worker. */
export type EndpointAuth =
  | { type: 'bearer'; token: string }
  | { type: 'oauth2_client_credentials'; tokenUrl: string; clientId: string; clientSecret: string; scope?: string };

/** What reads show of an endpoint's auth: its kind and the non-secret parts. */
export type EndpointAuthView =
  { type: 'bearer' } | { type: 'oauth2_client_credentials'; tokenUrl: string; clientId: string; scope?: string };

/** The request body's `auth`: `type` decides which fields are required; `none` removes the auth. */
export interface EndpointAuthInput {
  type: 'bearer' | 'oauth2_client_credentials' | 'none';
  token?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
}

function required(input: EndpointAuthInput, field: keyof EndpointAuthInput): string {
  const value = input[field];
  if (!value) throw new InvalidRequestError(`auth.${field} is required for auth type ${input.type}`);
  return value;
}

function refuseExtra(input: EndpointAuthInput, allowed: (keyof EndpointAuthInput)[]): void {
  const extra = Object.keys(input).filter(
    (field) =>
      input[field as keyof EndpointAuthInput] !== undefined && !allowed.includes(field as keyof EndpointAuthInput),
  );
  if (extra.length) throw new InvalidRequestError(`auth: ${extra.join(', ')} not allowed for auth type ${input.type}`);
}

/** The auth to store (null = none), checked: the fields its type needs, an http(s) token URL without credentials. */
export function toEndpointAuth(input: EndpointAuthInput): EndpointAuth | null {
  switch (input.type) {
    case 'none':
      refuseExtra(input, ['type']);
      return null;
    case 'bearer':
      refuseExtra(input, ['type', 'token']);
      return { type: 'bearer', token: required(input, 'token') };
    case 'oauth2_client_credentials': {
      refuseExtra(input, ['type', 'tokenUrl', 'clientId', 'clientSecret', 'scope']);
      const tokenUrl = required(input, 'tokenUrl');
      let url: URL;
      try {
        url = new URL(tokenUrl);
      } catch {
        throw new InvalidRequestError('auth.tokenUrl must be an absolute http or https URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new InvalidRequestError('auth.tokenUrl must use http or https');
      if (url.username || url.password) throw new InvalidRequestError('auth.tokenUrl must not contain credentials');
      return {
        type: input.type,
        tokenUrl,
        clientId: required(input, 'clientId'),
        clientSecret: required(input, 'clientSecret'),
        ...(input.scope ? { scope: input.scope } : {}),
      };
    }
  }
}

export function authView(auth: EndpointAuth | null): EndpointAuthView | null {
  if (!auth) return null;
  if (auth.type === 'bearer') return { type: 'bearer' };
  return {
    type: auth.type,
    tokenUrl: auth.tokenUrl,
    clientId: auth.clientId,
    ...(auth.scope ? { scope: auth.scope } : {}),
  };
}
