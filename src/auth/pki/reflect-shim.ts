// The smallest Reflect metadata API that @peculiar/x509 needs. Its dependency injection
// container (tsyringe) refuses to load unless Reflect.getMetadata exists, and reads constructor
// parameter types through it. We do not want the reflect-metadata package as a runtime
// dependency for four functions, so this installs them only when nothing else has.
type MetadataMap = Map<unknown, unknown>;

const store = new WeakMap<object, Map<string | symbol | undefined, MetadataMap>>();

function own(target: object, property: string | symbol | undefined, create: boolean): MetadataMap | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let map = byProperty.get(property);
  if (!map && create) {
    map = new Map();
    byProperty.set(property, map);
  }
  return map;
}

function getOwnMetadata(key: unknown, target: object, property?: string | symbol): unknown {
  return own(target, property, false)?.get(key);
}

// Looks up the prototype chain, as reflect-metadata does.
function getMetadata(key: unknown, target: object, property?: string | symbol): unknown {
  for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
    const map = own(t, property, false);
    if (map?.has(key)) return map.get(key);
  }
  return undefined;
}

function defineMetadata(key: unknown, value: unknown, target: object, property?: string | symbol): void {
  own(target, property, true)!.set(key, value);
}

function hasMetadata(key: unknown, target: object, property?: string | symbol): boolean {
  return getMetadata(key, target, property) !== undefined;
}

// Used by TypeScript's emitted `__metadata(...)` decorators.
function metadata(key: unknown, value: unknown) {
  return (target: object, property?: string | symbol): void => defineMetadata(key, value, target, property);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  Object.assign(reflect, { getMetadata, getOwnMetadata, defineMetadata, hasMetadata, metadata });
}
