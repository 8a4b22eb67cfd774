import { ReplayRequest } from '../generated/prisma/client';

export function replayView(replay: ReplayRequest) {
  return {
    id: replay.id,
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
