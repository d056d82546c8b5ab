// retryOnConflict (client-go util/retry): which errors are retried, how often, and the waits between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/client/rest/errors.js';
import { retryOnConflict } from '../../src/client/retry.js';

const conflict = () => new ApiError({ code: 409, reason: 'Conflict', message: 'the object has been modified' });

test('a conflict is retried with a wait before each retry, and the attempt number tells fn it is a retry', async () => {
  const seen: number[] = [];
  let waits = 0;
  const result = await retryOnConflict({ steps: 5, wait: async () => void waits++ }, async (attempt) => {
    seen.push(attempt);
    if (attempt < 2) throw conflict();
    return 'written';
  });
  assert.equal(result, 'written');
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(waits, 2);
});

test('after `steps` tries the last conflict is thrown; other errors are thrown at once', async () => {
  let tries = 0;
  await assert.rejects(
    retryOnConflict({ steps: 3 }, async () => {
      tries++;
      throw conflict();
    }),
    (err: ApiError) => err.status.reason === 'Conflict',
  );
  assert.equal(tries, 3);

  tries = 0;
  const gone = new ApiError({ code: 404, reason: 'NotFound', message: 'gone' });
  await assert.rejects(
    retryOnConflict({ steps: 3 }, async () => {
      tries++;
      throw gone;
    }),
    (err) => err === gone,
  );
  assert.equal(tries, 1);
  // AlreadyExists is a 409 too, but not a lost race: not retried.
  tries = 0;
  await assert.rejects(
    retryOnConflict({ steps: 3 }, async () => {
      tries++;
      throw new ApiError({ code: 409, reason: 'AlreadyExists', message: 'exists' });
    }),
  );
  assert.equal(tries, 1);
});
