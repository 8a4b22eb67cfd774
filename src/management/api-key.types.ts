import { ApiKeyScope } from '../generated/prisma/enums';

export { ApiKeyScope };

/** Who is calling the management API: the key's id, name (the audit actor), scope and application (null: global). */
export interface Actor {
  keyId: string;
  name: string;
  scope: ApiKeyScope;
  applicationId: string | null;
}

const RANK: Record<ApiKeyScope, number> = { read: 1, ops: 2, admin: 3 };

/** `admin` can do everything, `ops` reads and replays, `read` only reads. */
export function scopeAllows(granted: ApiKeyScope, required: ApiKeyScope): boolean {
  return RANK[granted] >= RANK[required];
}
