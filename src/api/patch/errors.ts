// The errors the patch algorithms raise, with upstream's wording (k8s.io/apimachinery
// pkg/util/mergepatch/errors.go and the API server's patch handler).
//
// Codes follow the API server's handler: malformed patches are 400; the few failures upstream
// maps to 422 (a JSON patch that does not apply, lists of lists) answer with the generic
// "the server rejected our request..." message and empty details, exactly as upstream's
// NewGenericServerResponse does. Upstream lets some strategic-merge errors escape untyped
// (they surface as 500 with reason Unknown); we answer those with 400 and the same message,
// because they are caused by the request, not the server.
import { StatusError, badRequest } from '../status.js';
import { goFormat, goTypeName } from './json-value.js';

/** The 422 upstream returns when a patch cannot be applied; the detail is kept off the wire. */
export function patchNotApplicable(detail: string): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  // Not sent to clients (upstream sends nothing either) but useful in logs and tests.
  (err as Error).cause = detail;
  return err;
}

// Upstream's sentinel errors (mergepatch.Err*), all answered with 400.
export const errBadJSONDoc = () => badRequest('invalid JSON document');
export const errBadPatchFormatForPrimitiveList = () => badRequest('invalid patch format of primitive list');
export const errBadPatchFormatForRetainKeys = () => badRequest('invalid patch format of retainKeys');
export const errBadPatchFormatForSetElementOrderList = () => badRequest('invalid patch format of setElementOrder list');

/** mergepatch.ErrNoListOfLists: upstream answers 422 with the generic message. */
export const errNoListOfLists = () => patchNotApplicable('lists of lists are not supported');

export const errNoMergeKey = (m: unknown, key: string) =>
  badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);

/** mergepatch.ErrBadArgType: "expected a []interface {}, but received a string". */
export const errBadArgType = (expected: string, actual: unknown) =>
  badRequest(`expected a ${expected}, but received a ${goTypeName(actual)}`);

export const errBadPatchType = (directive: unknown, m: unknown) =>
  badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(m)}`);

/** Any other strategic-merge failure: upstream's message, answered as a bad request. */
export const patchError = (message: string) => badRequest(message);
