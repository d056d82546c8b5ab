// $(VAR) expansion for env values, command and args (upstream third_party/forked/golang/expansion).
// `$(NAME)` is replaced by NAME's value when NAME is known and left as written when it is not;
// `$$` is an escaped `$`; any other `$x` stays as it is. An unterminated `$(` is kept verbatim.
import type { KeyValue } from '../runtime/types.js';

export type Mapping = (name: string) => string;

/** Looks NAME up in each context in turn; an unknown name maps to its own `$(NAME)` text. */
export function mappingFor(...contexts: ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const vars of contexts) {
      const v = vars.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') {
      out += '$';
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      } else {
        out += '$(';
      }
    } else {
      out += '$' + rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** Expands container.command or args against the container's final environment (upstream ExpandContainerCommandAndArgs). */
export function expandCommand(cmd: string[], env: KeyValue[]): string[] {
  const vars = new Map<string, string>();
  for (const e of env) vars.set(e.name, e.value);
  const mapping = mappingFor(vars);
  return cmd.map((c) => expand(c, mapping));
}
