/**
 * After SIGTERM/SIGINT, in-flight jobs and requests get this long to finish; then the process exits regardless.
 * Deployments give a stopping process more than this (compose's stop_grace_period, the chart's grace period).
 */
export const SHUTDOWN_DEADLINE_MS = 30_000;
