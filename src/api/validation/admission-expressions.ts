// The CEL side of validating an admission policy: each expression is compiled when the policy is
// written, as upstream does, and a failure is reported as Invalid at the expression's field with
// the compiler's reason ("compilation failed: …", "must evaluate to bool"). Compiling needs the
// CEL library, which the registry loads before it validates a policy; called before that (a
// validator used on its own) the compile step is skipped rather than failing the write.
import { policyExpressionError, type PolicyExpressionKind } from '../cel/admission-policy.js';
import { celLoaded } from '../cel/library.js';
import { invalid, type Errors } from './field.js';

/** A variable as the expressions after it see it: by name, typed by its expression. */
export interface PolicyVariable {
  name: string;
  expression: string;
}

/** What an expression may refer to besides object, oldObject, request and namespaceObject. */
export interface ExpressionScope {
  params: boolean;
  variables: readonly PolicyVariable[];
}

/**
 * Compiles `expression` as `kind` in `scope`. `reported` is the value the error quotes: upstream
 * compiles some expressions trimmed but quotes them as written.
 */
export function compileErrors(path: string, expression: string, kind: PolicyExpressionKind, scope: ExpressionScope, reported = expression): Errors {
  if (!celLoaded()) return [];
  const detail = policyExpressionError(expression, kind, scope);
  return detail === undefined ? [] : [invalid(path, reported, detail)];
}

// Go's unicode.IsSpace: ASCII space and controls, NEL, NBSP, and the Unicode White_Space
// separators. JavaScript's trim() differs (it trims U+FEFF and keeps U+0085).
const goSpace = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const edges = new RegExp(`^${goSpace}+|${goSpace}+$`, 'g');

/** strings.TrimSpace, which decides upstream whether an expression or message is blank. */
export const trimSpace = (s: string) => s.replace(edges, '');

/** Byte length, as Go's len() of a string measures it. */
export const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
