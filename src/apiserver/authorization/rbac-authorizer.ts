// The RBAC authorizer (upstream: plugin/pkg/auth/authorizer/rbac): a request is allowed when a
// rule of a role bound to its user, or to one of its groups, allows it; RBAC never denies, it
// only has no opinion. The allowed reason names the binding, as upstream's does.
import { ruleAllows } from '../../auth/rbac/rules.js';
import { aggregateText } from '../../api/status.js';
import type { Authorizer, Decision } from '../filters/authorization.js';
import type { RuleResolver, RuleSource } from './rule-resolver.js';

const noOpinion: Decision = Object.freeze({ allowed: false, reason: '' });

export function rbacAuthorizer(resolver: RuleResolver): Authorizer {
  return {
    authorize(a) {
      let allowedBy: RuleSource | undefined;
      let errors: string[] | undefined;
      resolver.visitRulesFor(a.user, a.namespace, (source, rule, err) => {
        if (rule !== undefined && ruleAllows(a, rule)) {
          allowedBy = source;
          return false;
        }
        if (err !== undefined) (errors ??= []).push(err);
        return true;
      });
      if (allowedBy !== undefined) {
        const source = allowedBy;
        // The reason is read by access reviews only: it is not built for every request.
        return {
          allowed: true,
          get reason() {
            return `RBAC: allowed by ${source()}`;
          },
        };
      }
      return errors ? { allowed: false, reason: `RBAC: ${aggregateText(errors)}` } : noOpinion;
    },
  };
}
