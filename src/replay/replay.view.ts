import { ReplayRequest } from '../generated/prisma/client';

/** `application`: the uid of the application it was made for; null for a global key's across every application. */
export function replayView(replay: ReplayRequest, application: string | null) {
  return {
    id: replay.id,
    application,
    kind: replay.kind,
    actor: replay.actor,
    reason: replay.reason,
    filter: replay.filter,
    endpointId: replay.endpointId,
    matched: replay.matched,
    enqueued: replay.enqueued,
    completed: replay.completed,
    status: replay.status,
    error: replay.error,
    createdAt: replay.createdAt.toISOString(),
    finishedAt: replay.finishedAt?.toISOString() ?? null,
  };
}

export type ReplayView = ReturnType<typeof replayView>;
