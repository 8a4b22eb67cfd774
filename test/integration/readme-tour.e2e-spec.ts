import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { adminApi } from '../support/management';
import { TestReceiver } from '../support/receiver';
import { startTestApp, TEST_ADMIN_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const root = join(__dirname, '..', '..');
const ACME_SECRET = 'acme-readme-tour-secret';

/** The shell block between the README's tour markers, exactly as a reader copies it. */
function tourScript(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /<!-- tour:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- tour:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no tour between <!-- tour:begin --> and <!-- tour:end -->');
  return block[1];
}

/** The README's five-minute tour, run as written against a started gateway, so the docs cannot rot (issue 28). */
describe("the README's five-minute tour", () => {
  let app: TestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    app = await startTestApp({ role: 'all', env: { ACME_WEBHOOK_SECRET: ACME_SECRET } });
    // What npm start's demo endpoint is: a receiver subscribed to everything.
    await adminApi(app.url!)
      .post('/endpoints', { url: receiver.url('/demo') })
      .expect(201);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('sends a webhook, sees it delivered, reads it, replays it and names the console', async () => {
    const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', tourScript()], {
      cwd: root,
      env: { ...process.env, HOOKGATE: app.url!, ADMIN_API_KEY: TEST_ADMIN_KEY, ACME_WEBHOOK_SECRET: ACME_SECRET },
      timeout: 60_000,
    });
    expect(stdout).toContain('"status":"accepted"');
    expect(stdout).toMatch(/"status":"delivered".*"status":"succeeded"/);
    expect(stdout).toContain('"replayRequestId"');
    expect(stdout).toContain(`console: ${app.url}/console`);
    const eventId = /"eventId":"([0-9a-f-]{36})"/.exec(stdout)![1];
    // The replay reached the receiver too: the same event, twice.
    await waitFor(
      () =>
        receiver.requestsTo('/demo').filter((request) => (JSON.parse(request.body) as { id: string }).id === eventId)
          .length === 2,
      { timeoutMs: 15_000, what: 'the replayed delivery' },
    );
  });
});
