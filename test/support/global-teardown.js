// After the whole run: no log line of any test app may contain a secret that app was configured with.
const fs = require('node:fs');
const path = require('node:path');

module.exports = async function globalTeardown() {
  const dir = process.env.HOOKGATE_TEST_LOG_DIR;
  if (!dir || !fs.existsSync(dir)) return;
  const leaks = [];
  let lines = 0;
  for (const file of fs.readdirSync(dir)) {
    const { secrets, logs } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    lines += logs.length;
    for (const [index, record] of logs.entries()) {
      const text = JSON.stringify(record);
      for (const secret of secrets)
        if (text.includes(secret))
          leaks.push(`${file} line ${index + 1} contains a configured secret (${secret.slice(0, 4)}…)`);
    }
  }
  if (leaks.length) throw new Error(`Secrets found in logs:\n${leaks.slice(0, 20).join('\n')}`);
  console.log(
    `\nSecret scan: ${lines} log lines of ${fs.readdirSync(dir).length} test apps, no configured secret found.`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
};
