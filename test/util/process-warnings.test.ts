import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createLogger } from '../../src/util/log.js';
import { logProcessWarnings } from '../../src/util/process-warnings.js';

test('process warnings are logged as JSON lines through the logger instead of printed as text; the gRPC client\'s IP server name warning at debug', async () => {
  const lines: string[] = [];
  const log = createLogger('k8ts', { destination: { write: (s: string) => void lines.push(s) } as never, format: 'json', level: 'debug' });
  logProcessWarnings(log);
  assert.equal(process.listenerCount('warning'), 1, 'Node\'s own printer is gone');
  const emitted = once(process, 'warning');
  process.emitWarning('something odd', { code: 'K8TS_TEST_WARNING' });
  await emitted;
  const quiet = once(process, 'warning');
  process.emitWarning('Setting the TLS ServerName to an IP address is not permitted by RFC 6066.', { type: 'DeprecationWarning', code: 'DEP0123' });
  await quiet;
  const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; code: string; detail: string; warning: string });
  assert.deepEqual(
    logged.map((l) => [l.level, l.msg, l.code, l.warning, l.detail]),
    [
      ['warn', 'node warning', 'K8TS_TEST_WARNING', 'Warning', 'something odd'],
      ['debug', 'node warning', 'DEP0123', 'DeprecationWarning', 'Setting the TLS ServerName to an IP address is not permitted by RFC 6066.'],
    ],
  );
});
