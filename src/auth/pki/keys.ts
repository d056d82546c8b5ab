// Key pairs for the cluster PKI: generated as ECDSA P-256 (milliseconds to make; accepted by Go's
// crypto/tls, so kubectl and client libraries take them), or loaded from any PEM private key the
// operator put in the data dir (PKCS#1, SEC1 or PKCS#8; RSA or ECDSA).
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';

const subtle = webcrypto.subtle;

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** PKCS#8 ("PRIVATE KEY") unless loaded from a file in another encoding, then as it was. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo ("PUBLIC KEY"). */
  publicKeyPem: string;
  /** The WebCrypto algorithm to sign certificates with, matching the key type. */
  signingAlgorithm: EcdsaParams | RsaHashedImportParams;
}

const P256: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };

export async function generateKeyPair(): Promise<KeyPair> {
  const pair = (await subtle.generateKey(P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', pair.privateKey));
  const spki = Buffer.from(await subtle.exportKey('spki', pair.publicKey));
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateKeyPem: toPem('PRIVATE KEY', pkcs8),
    publicKeyPem: toPem('PUBLIC KEY', spki),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  };
}

// Node's curve names → WebCrypto's, and the hash each curve is conventionally paired with.
const curves: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** Loads a PEM private key. Throws a message naming `label` when the key is unusable. */
export async function loadKeyPair(privateKeyPem: string, label = 'private key'): Promise<KeyPair> {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new Error(`${label}: not a PEM private key (${(err as Error).message})`);
  }
  const pub = createPublicKey(key);
  let importAlg: EcKeyImportParams | RsaHashedImportParams;
  let signingAlgorithm: EcdsaParams | RsaHashedImportParams;
  if (key.asymmetricKeyType === 'ec') {
    const curve = curves[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`${label}: unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve}`);
    importAlg = { name: 'ECDSA', namedCurve: curve.namedCurve };
    signingAlgorithm = { name: 'ECDSA', hash: curve.hash };
  } else if (key.asymmetricKeyType === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    signingAlgorithm = importAlg;
  } else {
    throw new Error(`${label}: unsupported key type ${key.asymmetricKeyType} (use RSA or ECDSA)`);
  }
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const spki = pub.export({ type: 'spki', format: 'der' });
  return {
    privateKey: await subtle.importKey('pkcs8', pkcs8, importAlg, false, ['sign']),
    publicKey: await subtle.importKey('spki', spki, importAlg, true, ['verify']),
    privateKeyPem,
    publicKeyPem: toPem('PUBLIC KEY', spki),
    signingAlgorithm,
  };
}

export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
