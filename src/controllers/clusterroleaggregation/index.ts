// Aggregated ClusterRoles: the rules of every ClusterRole their aggregationRule selects.
export {
  clusterRoleAggregationController,
  clusterRoleAggregationControllerName,
  clusterRoleAggregationControllerWith,
  clusterRoleAggregationFieldManager,
  newClusterRoleAggregationController,
  type ClusterRoleAggregationOptions,
} from './controller.js';
export { aggregatedRules, applyIntent, ruleEquals, rulesEqual, toApplyRule, type ClusterRole } from './aggregate.js';
