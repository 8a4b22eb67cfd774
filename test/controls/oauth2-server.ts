import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * A real OAuth2 authorization server on loopback for the client-credentials grant (RFC 6749 §4.4): it checks the
 * client by HTTP Basic, issues opaque tokens with an expiry, and answers whether a token is valid, as the resource
 * server (the test's receiver) asks it.
 */
export class OAuth2TestServer {
  /** Every token request, accepted or not. */
  readonly requests: { clientId: string; grantType: string | null; scope: string | null; at: number }[] = [];
  private readonly tokens = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly clients: Map<string, string>,
    public lifetimeSeconds: number,
  ) {}

  static async start(clients: Record<string, string>, lifetimeSeconds = 3600): Promise<OAuth2TestServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    const instance = new OAuth2TestServer(
      server,
      typeof address === 'object' && address ? address.port : 0,
      new Map(Object.entries(clients)),
      lifetimeSeconds,
    );
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        instance.answer(
          req.headers.authorization,
          req.headers['content-type'],
          Buffer.concat(chunks).toString('utf8'),
          res,
        ),
      );
    });
    return instance;
  }

  get tokenUrl(): string {
    return `http://127.0.0.1:${this.port}/oauth/token`;
  }

  /** True when `authorization` carries a token this server issued and that has neither expired nor been revoked. */
  accepts(authorization: string | undefined): boolean {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    const expiresAt = token ? this.tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  /** Tokens issued so far that have now expired (for waiting until one has). */
  hasExpired(token: string): boolean {
    return (this.tokens.get(token) ?? 0) <= Date.now();
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(
    authorization: string | undefined,
    contentType: string | undefined,
    body: string,
    res: import('node:http').ServerResponse,
  ): void {
    const form = new URLSearchParams(body);
    const [clientId, clientSecret] = authorization?.startsWith('Basic ')
      ? Buffer.from(authorization.slice('Basic '.length), 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [form.get('client_id') ?? '', form.get('client_secret') ?? ''];
    this.requests.push({ clientId, grantType: form.get('grant_type'), scope: form.get('scope'), at: Date.now() });
    const json = (status: number, payload: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(payload));
    };
    if (!contentType?.startsWith('application/x-www-form-urlencoded')) return json(400, { error: 'invalid_request' });
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    if (this.clients.get(clientId) !== clientSecret) return json(401, { error: 'invalid_client' });
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, Date.now() + this.lifetimeSeconds * 1000);
    json(200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.lifetimeSeconds,
      ...(form.get('scope') ? { scope: form.get('scope') } : {}),
    });
  }
}
