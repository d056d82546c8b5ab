// Deletes finished Jobs ttlSecondsAfterFinished after they finished.
export { newTTLAfterFinishedController, ttlAfterFinishedController, ttlAfterFinishedControllerWith, type TTLAfterFinishedOptions } from './ttl-after-finished-controller.js';
export { isJobFinished, jobFinishTime, needsCleanup, timeLeft } from './job-finish.js';
