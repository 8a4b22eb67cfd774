import { Injectable } from '@nestjs/common';
import { EndpointAuth } from '../endpoints/endpoint-auth';

/** The `Authorization` header an attempt carries for its endpoint's auth (none without one). */
@Injectable()
export class EndpointAuthorizer {
  async authorization(endpointId: string, storedAuth: string | null): Promise<string | undefined> {
    if (!storedAuth) return undefined;
    const auth = JSON.parse(storedAuth) as EndpointAuth;
    switch (auth.type) {
      case 'bearer':
        return `Bearer ${auth.token}`;
      default:
        throw new Error(`endpoint ${endpointId} has auth of unsupported type ${auth.type}`);
    }
  }
}
