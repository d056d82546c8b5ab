// The CEL extension libraries kube-apiserver 1.32 offers in its base environment (k8s.io/apiserver/
// pkg/cel/environment/base.go), where cel-js lacks them: Kubernetes' lists, regex, URLs, quantity,
// IP, CIDR and format libraries, and cel-go's strings (version 2) and sets extensions. Not here:
// the authorizer (admission only, and it needs the authorizer), semver and two-variable
// comprehensions (later versions), and the cost limits.
import type { Environment } from '@marcbachmann/cel-js';
import { registerCIDR } from './cidr.js';
import { registerFormat } from './format.js';
import { registerIP } from './ip.js';
import { registerLists } from './lists.js';
import { registerQuantity } from './quantity.js';
import { registerRegex } from './regex.js';
import { registerSets } from './sets.js';
import { registerStrings } from './strings.js';
import { registerURLs } from './url.js';

/** Adds the libraries to an environment (before it is cloned or used). Needs loadCEL(). */
export function registerKubernetesLibraries(env: Environment): Environment {
  registerStrings(env);
  registerSets(env);
  registerLists(env);
  registerRegex(env);
  registerURLs(env);
  registerQuantity(env);
  registerIP(env);
  registerCIDR(env);
  registerFormat(env);
  // `net.IP` and `net.CIDR` name the types, as in type(ip('::1')) == net.IP. cel-js makes the type
  // values when the types are registered and hands them out only through type().
  env.registerConstant('net', 'map<string, type>', { IP: env.evaluate('type(ip("0.0.0.0"))'), CIDR: env.evaluate('type(cidr("0.0.0.0/0"))') });
  return env;
}
