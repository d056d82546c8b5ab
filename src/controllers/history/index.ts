// Shared ControllerRevision helpers for the StatefulSet and DaemonSet controllers.
export { canonicalJSON, controllerRevisionName, fnv32, hashRevisionData, safeEncodeString } from './hash.js';
export {
  controllerRevisionHashLabel,
  controllerRevisions,
  createControllerRevision,
  ensureUpdateRevision,
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  sortRevisions,
  truncateHistory,
  updateRevisionNumber,
  type RevisionObject,
} from './revisions.js';
