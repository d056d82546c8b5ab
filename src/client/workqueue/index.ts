// util/workqueue: deduplicating, delaying and rate-limited work queues, and the worker loop.
export { WorkQueue, type GetResult, type Queue, type QueueOptions } from './queue.js';
export { DelayingWorkQueue, type DelayingQueue } from './delaying-queue.js';
export {
  newRateLimitingQueue,
  RateLimitingWorkQueue,
  type RateLimitingQueue,
  type RateLimitingQueueOptions,
} from './rate-limiting-queue.js';
export {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  itemExponentialFailureRateLimiter,
  itemFastSlowRateLimiter,
  maxOfRateLimiter,
  type RateLimiter,
} from './rate-limiter.js';
export { TokenBucket } from './token-bucket.js';
export { noopQueueMetrics, prometheusQueueMetrics, type QueueMetrics } from './metrics.js';
export { runWorkers, type RunWorkersOptions } from './run-workers.js';
