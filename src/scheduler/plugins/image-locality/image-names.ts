// The names under which a node may report a container's image. Upstream's normalizedImageName
// only appends ":latest" to an untagged reference, so "nginx" in a pod never matches a node
// reporting "docker.io/library/nginx:latest" (a TODO upstream). We look an image up under the
// upstream name first, then its fully-qualified Docker form and its short ("familiar") form, so
// the runtime's naming style does not matter.

/** Upstream normalizedImageName: append ":latest" when the last path component has no tag. */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

const DOCKER_HUB = 'docker.io';

/** Splits a reference into registry domain and path the way Docker's reference.ParseNormalizedNamed does. */
function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  let domain = DOCKER_HUB;
  let path = name;
  if (i >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first === 'index.docker.io' ? DOCKER_HUB : first;
    path = name.slice(i + 1);
  }
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

/** "nginx" → "docker.io/library/nginx:latest"; "gcr.io/x/y" → "gcr.io/x/y:latest". */
export function fullyQualifiedImageName(name: string): string {
  const { domain, path } = splitDomain(name);
  return normalizedImageName(`${domain}/${path}`);
}

/** "docker.io/library/nginx:1" → "nginx:1"; "docker.io/bitnami/redis" → "bitnami/redis:latest". */
export function familiarImageName(name: string): string {
  const { domain, path } = splitDomain(name);
  if (domain !== DOCKER_HUB) return normalizedImageName(`${domain}/${path}`);
  return normalizedImageName(path.startsWith('library/') ? path.slice('library/'.length) : path);
}

/** Names to try, most specific first (upstream's own name first), without duplicates. */
export function imageNameCandidates(image: string): string[] {
  const out = [normalizedImageName(image)];
  for (const n of [fullyQualifiedImageName(image), familiarImageName(image)]) if (!out.includes(n)) out.push(n);
  return out;
}
