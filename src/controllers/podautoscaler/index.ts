// Scales workloads from resource, pods, object and external metrics (HorizontalPodAutoscaler, autoscaling/v2).
export { newHorizontalController, horizontalPodAutoscalerController, horizontalPodAutoscalerControllerWith, hpaResource, DEFAULT_HPA_SYNC_PERIOD_MS, type HorizontalControllerOptions } from './horizontal.js';
