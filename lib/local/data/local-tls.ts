/**
 * TLS for the local data service, which the JS and Python SDKs only reach over https: a certificate authority
 * generated on the first run and kept in `.spaceport/tls/`, and a server certificate it signs for the loopback
 * names. The CA is never installed anywhere; micros trust it through their environment (`NODE_EXTRA_CA_CERTS`
 * for Node, `SSL_CERT_FILE` pointing at the public roots plus this CA for Python's ssl module).
 *
 * Certificates follow what strict verifiers (Python 3.13's `VERIFY_X509_STRICT`) require: critical basic
 * constraints and key usage on the CA, key identifiers on both, a subjectAltName on the server certificate.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import forge from 'node-forge';

export const TLS_DIR = 'tls';
const CA_CERT = 'ca.pem';
const CA_KEY = 'ca-key.pem';
const SERVER_CERT = 'data-host.pem';
const SERVER_KEY = 'data-host-key.pem';
const BUNDLE = 'ca-bundle.pem';

/** Loopback names the data host is reached by. */
export const DATA_HOST_NAMES = ['localhost'] as const;
export const DATA_HOST_ADDRESSES = ['127.0.0.1', '::1'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_LIFETIME_DAYS = 3650;
/** Browsers and strict clients reject server certificates valid for more than 398 days. */
const SERVER_LIFETIME_DAYS = 397;
/** Renew the server certificate when it expires within this many days. */
const RENEW_BEFORE_DAYS = 30;

export interface LocalTls {
  /** PEM of the server certificate and its key, for the HTTPS server. */
  readonly cert: string;
  readonly key: string;
  /** The CA certificate alone (`NODE_EXTRA_CA_CERTS`). */
  readonly caFile: string;
  readonly caPem: string;
  /** The public roots Node ships plus the local CA (`SSL_CERT_FILE`: it replaces OpenSSL's default roots). */
  readonly bundleFile: string;
}

/** The app's local CA and data-host certificate in `<stateDir>/tls`, created or renewed as needed. */
export function ensureLocalTls(stateDir: string, now: Date = new Date()): LocalTls {
  const dir = join(stateDir, TLS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, CA_CERT);
  const caKeyFile = join(dir, CA_KEY);
  if (!existsSync(caFile) || !existsSync(caKeyFile) || expiresSoon(readFileSync(caFile, 'utf8'), now)) {
    const ca = createCa(now);
    writePrivate(caKeyFile, ca.key);
    writePublic(caFile, ca.cert);
  }
  const caPem = readFileSync(caFile, 'utf8');
  const caKey = readFileSync(caKeyFile, 'utf8');
  const certFile = join(dir, SERVER_CERT);
  const keyFile = join(dir, SERVER_KEY);
  if (
    !existsSync(certFile) ||
    !existsSync(keyFile) ||
    expiresSoon(readFileSync(certFile, 'utf8'), now) ||
    !issuedBy(readFileSync(certFile, 'utf8'), caPem)
  ) {
    const server = createServerCertificate(caPem, caKey, now);
    writePrivate(keyFile, server.key);
    writePublic(certFile, server.cert);
  }
  const bundleFile = join(dir, BUNDLE);
  const bundle = [...rootCertificates, caPem.trim()].join('\n') + '\n';
  if (!existsSync(bundleFile) || readFileSync(bundleFile, 'utf8') !== bundle) writePublic(bundleFile, bundle);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caFile, caPem, bundleFile };
}

function createCa(now: Date): { cert: string; key: string } {
  const { privateKey, publicKey } = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + CA_LIFETIME_DAYS * DAY_MS);
  const subject = [
    { name: 'commonName', value: 'Spaceport local data CA' },
    { name: 'organizationName', value: 'Spaceport (local development only)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(privateKey) };
}

function createServerCertificate(caPem: string, caKeyPem: string, now: Date): { cert: string; key: string } {
  const ca = forge.pki.certificateFromPem(caPem);
  const { privateKey, publicKey } = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + SERVER_LIFETIME_DAYS * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: DATA_HOST_NAMES[0] }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...DATA_HOST_NAMES.map((value) => ({ type: 2, value })), ...DATA_HOST_ADDRESSES.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(caKeyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(privateKey) };
}

/** RSA keys from node:crypto (native, fast), handed to forge for signing. */
function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = forge.pki.privateKeyFromPem(pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  return { privateKey, publicKey };
}

/** A positive 128-bit serial number (the leading byte below 0x80 keeps the DER integer positive). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function expiresSoon(pem: string, now: Date): boolean {
  return new Date(new X509Certificate(pem).validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS;
}

function issuedBy(pem: string, caPem: string): boolean {
  return new X509Certificate(pem).verify(new X509Certificate(caPem).publicKey);
}

/** Written whole or not at all: a crash never leaves half a key. */
function writePrivate(file: string, text: string): void {
  writeFileSync(`${file}.new`, text, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

function writePublic(file: string, text: string): void {
  writeFileSync(`${file}.new`, text, { mode: 0o644 });
  renameSync(`${file}.new`, file);
}
