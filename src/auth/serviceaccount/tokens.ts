// Service account tokens: signed JWTs with upstream's claims (TokenRequest, the bound tokens
// pods get), and their verification for bearer authentication and TokenReview.
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface BoundObject {
  kind: 'Pod' | 'Secret' | 'Node';
  name: string;
  uid: string;
}

export interface TokenRequestInput {
  namespace: string;
  serviceAccountName: string;
  serviceAccountUID: string;
  audiences: string[];
  expirationSeconds: number;
  boundObject?: BoundObject;
  now: Date;
}

/** The private claim upstream puts under "kubernetes.io". */
interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  node?: { name: string; uid: string };
}

export interface VerifiedToken {
  namespace: string;
  serviceAccountName: string;
  serviceAccountUID: string;
  audiences: string[];
  boundObject?: BoundObject;
}

function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ec') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType}`);
}

export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly alg: string;

  constructor(
    privateKeyPem: string,
    readonly issuer = defaultIssuer,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.alg = algorithmFor(this.privateKey);
  }

  async issue(input: TokenRequestInput): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(input.now.getTime() / 1000);
    const exp = iat + input.expirationSeconds;
    const k8s: KubernetesClaims = {
      namespace: input.namespace,
      serviceaccount: { name: input.serviceAccountName, uid: input.serviceAccountUID },
    };
    const b = input.boundObject;
    if (b?.kind === 'Pod') k8s.pod = { name: b.name, uid: b.uid };
    if (b?.kind === 'Secret') k8s.secret = { name: b.name, uid: b.uid };
    if (b?.kind === 'Node') k8s.node = { name: b.name, uid: b.uid };
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: this.alg })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${input.namespace}:${input.serviceAccountName}`)
      .setAudience(input.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies signature, issuer, time and (if given) audience; undefined for anything else. */
  async verify(token: string, audiences?: string[]): Promise<VerifiedToken | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, audience: audiences?.length ? audiences : undefined, clockTolerance: 60 });
      const k8s = payload['kubernetes.io'] as KubernetesClaims | undefined;
      if (!k8s?.serviceaccount?.name || !k8s.namespace) return undefined;
      const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const bound = k8s.pod ? { kind: 'Pod' as const, ...k8s.pod } : k8s.secret ? { kind: 'Secret' as const, ...k8s.secret } : k8s.node ? { kind: 'Node' as const, ...k8s.node } : undefined;
      return { namespace: k8s.namespace, serviceAccountName: k8s.serviceaccount.name, serviceAccountUID: k8s.serviceaccount.uid, audiences: aud, boundObject: bound };
    } catch {
      return undefined;
    }
  }
}
