import { TransformationSandbox } from './transformation-sandbox';
import { OutgoingWebhook } from './transformation.types';

const webhook: OutgoingWebhook = {
  method: 'POST',
  url: 'https://receiver.example/hooks',
  headers: { 'x-team': 'billing' },
  payload: { type: 'invoice.paid', data: { amount: 1200 } },
};

/** The sandbox is QuickJS compiled to WebAssembly, run for real: these are its limits as a user meets them. */
describe('TransformationSandbox', () => {
  const sandbox = new TransformationSandbox();
  afterAll(() => sandbox.onModuleDestroy());

  it('returns the changed webhook', async () => {
    const code = `function handler(webhook) {
      webhook.payload = { kind: webhook.payload.type, cents: webhook.payload.data.amount };
      webhook.headers['x-kind'] = webhook.payload.kind;
      webhook.method = 'put';
      return webhook;
    }`;
    await expect(sandbox.run('a', code, webhook)).resolves.toEqual({
      kind: 'send',
      webhook: {
        method: 'PUT',
        url: webhook.url,
        headers: { 'x-team': 'billing', 'x-kind': 'invoice.paid' },
        payload: { kind: 'invoice.paid', cents: 1200 },
      },
    });
  });

  it('gives a handler its 16 MiB: 8 MiB of strings fit', async () => {
    const code = `function handler(w) {
      const parts = []; for (let i = 0; i < 128; i++) parts.push('x'.repeat(65536) + i);
      w.payload = { kept: parts.length }; return w;
    }`;
    await expect(sandbox.run('roomy', code, webhook)).resolves.toMatchObject({
      kind: 'send',
      webhook: { payload: { kept: 128 } },
    });
  });

  it('cancels when the handler says so', async () => {
    await expect(sandbox.run('a', 'function handler() { return { cancel: true }; }', webhook)).resolves.toEqual({
      kind: 'cancel',
    });
  });

  it.each([
    ['an infinite loop', 'function handler(w) { for (;;) {} }', /^exceeded 50 ms of CPU$/],
    [
      'a memory bomb',
      'function handler(w) { const a = []; for (;;) a.push("x".repeat(1 << 16) + a.length); }',
      /^exceeded 16 MiB of memory$/,
    ],
    ['require', 'function handler(w) { return require("fs").readFileSync("/etc/passwd"); }', /ReferenceError.*require/],
    ['process', 'function handler(w) { process.exit(1); }', /ReferenceError.*process/],
    ['fetch', 'function handler(w) { fetch("http://127.0.0.1/"); return w; }', /ReferenceError.*fetch/],
    ['a timer', 'function handler(w) { setTimeout(() => 0, 1); return w; }', /ReferenceError.*setTimeout/],
    ['a throw', 'function handler(w) { throw new Error("no currency"); }', /^threw Error: no currency$/],
    ['deep recursion', 'function f(n) { return f(n + 1) + 1; } function handler(w) { return f(0); }', /stack/],
    ['a promise', 'function handler(w) { return Promise.resolve(w); }', /not a promise/],
    ['no object', 'function handler(w) { return 42; }', /^invalid result: handler returned number/],
    ['nothing', 'function handler(w) {}', /^invalid result: handler returned undefined$/],
    ['a non-http url', 'function handler(w) { w.url = "file:///etc/passwd"; return w; }', /^invalid result: url/],
    ['a Hookgate header', 'function handler(w) { w.headers["webhook-id"] = "x"; return w; }', /set by Hookgate/],
  ])('fails only the run with %s, with an error naming the cause', async (_, code, error) => {
    const result = await sandbox.run('bad', code, webhook);
    expect(result).toEqual({ kind: 'error', error: expect.stringMatching(error) as unknown });
    // The next run of another handler is unharmed.
    await expect(sandbox.run('good', 'function handler(w) { return w; }', webhook)).resolves.toEqual({
      kind: 'send',
      webhook,
    });
  });

  it('keeps no state between scopes, and starts a failed handler afresh', async () => {
    const code = `let runs = 0; function handler(w) { runs += 1; if (w.payload.fail) throw new Error('asked'); w.payload = { runs }; return w; }`;
    const payloadOf = async (scope: string, payload: unknown) => {
      const result = await sandbox.run(scope, code, { ...webhook, payload });
      return result.kind === 'send' ? result.webhook.payload : result;
    };
    expect(await payloadOf('one', {})).toEqual({ runs: 1 });
    expect(await payloadOf('one', {})).toEqual({ runs: 2 });
    expect(await payloadOf('two', {})).toEqual({ runs: 1 });
    expect(await payloadOf('one', { fail: true })).toEqual({ kind: 'error', error: 'threw Error: asked' });
    expect(await payloadOf('one', {})).toEqual({ runs: 1 });
  });

  it('refuses code that does not compile or defines no handler', async () => {
    await expect(sandbox.check('function handler(w) { return w; }')).resolves.toBeUndefined();
    await expect(sandbox.check('function handler(w) {')).resolves.toMatch(/^code threw SyntaxError/);
    await expect(sandbox.check('const x = 1;')).resolves.toBe('code must define function handler(webhook)');
    await expect(sandbox.check('for (;;) {}')).resolves.toBe('code exceeded 50 ms of CPU');
  });
});
