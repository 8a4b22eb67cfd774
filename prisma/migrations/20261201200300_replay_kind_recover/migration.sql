-- Endpoint controls (issue 15): POST /endpoints/:id/recover is recorded as a replay of its own kind.

-- AlterEnum
ALTER TYPE "ReplayKind" ADD VALUE 'recover';
