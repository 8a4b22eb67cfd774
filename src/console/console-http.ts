import type { Response } from 'express';
import { RequestValidationPipe } from '../common/http/request-validation.pipe';

const validation = new RequestValidationPipe();

/**
 * A submitted form as the API's own DTO, validated by the API's own pipe (unknown fields refused, types checked):
 * empty fields are left out, the CSRF field is the guard's business.
 */
export async function formAs<T extends object>(type: new () => T, fields: Record<string, unknown>): Promise<T> {
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== ''));
  return (await validation.transform(given, { type: 'body', metatype: type })) as T;
}

/** The Post/Redirect/Get answer of a form, with a notice for the next page. */
export function seeOther(response: Response, path: string, notice?: string): void {
  response.redirect(
    303,
    notice ? `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : path,
  );
}

/** A comma- or newline-separated form field as a list (absent when empty). */
export function listField(value: unknown): string[] | undefined {
  const items =
    typeof value === 'string'
      ? value
          .split(/[\n,]/)
          .map((item) => item.trim())
          .filter(Boolean)
      : [];
  return items.length ? items : undefined;
}

/** A query-string notice, only as plain text of a sane length. */
export function noticeOf(query: Record<string, unknown>): string | undefined {
  return typeof query.notice === 'string' ? query.notice.slice(0, 300) : undefined;
}

/** Jaeger's page of a trace, from W3C `traceparent` (`00-<traceId>-<spanId>-<flags>`); null without either. */
export function traceLink(jaegerUiUrl: string | undefined, traceparent: string | null): string | null {
  const traceId = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent ?? '')?.[1];
  return jaegerUiUrl && traceId ? `${jaegerUiUrl}/trace/${traceId}` : null;
}

/** The transformation form (console and portal) as UpdateEndpointDto's field: an unticked box is absent. */
export function transformationFields(body: Record<string, unknown>) {
  return {
    transformation: {
      code: typeof body.code === 'string' ? body.code.trim() : body.code,
      enabled: body.enabled === 'on',
    },
  };
}
