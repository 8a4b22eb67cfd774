import { listField, traceLink } from './console-http';

describe('console forms and links', () => {
  it('links an event to its trace in Jaeger only when both the UI and a valid traceparent are known', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceLink('http://localhost:16686', traceparent)).toBe(
      'http://localhost:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceLink(undefined, traceparent)).toBeNull();
    expect(traceLink('http://localhost:16686', null)).toBeNull();
    expect(traceLink('http://localhost:16686', '00-<script>-x-01')).toBeNull();
  });

  it('reads a comma- or newline-separated list field, absent when empty', () => {
    expect(listField('stripe, github\nacme-*')).toEqual(['stripe', 'github', 'acme-*']);
    expect(listField('  ')).toBeUndefined();
    expect(listField(undefined)).toBeUndefined();
  });
});
