import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { writeFileAtomic } from '../adapters/local/files.ts';

export interface TlsPair {
  cert: string;
  key: string;
}

/**
 * The given certificate, or a self-signed pair made on first start and kept in
 * `DATA_DIR/tls` (valid for localhost, 127.0.0.1, ::1 and the configured host).
 */
export async function loadTls(
  dataDir: string,
  host: string,
  files?: { certFile: string; keyFile: string },
): Promise<TlsPair> {
  if (files) return { cert: await readFile(files.certFile, 'utf8'), key: await readFile(files.keyFile, 'utf8') };
  const certFile = join(dataDir, 'tls', 'self-signed-cert.pem');
  const keyFile = join(dataDir, 'tls', 'self-signed-key.pem');
  try {
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const names = new Set(['localhost', '127.0.0.1', '::1', host]);
  const altNames = [...names].map((name) =>
    isIP(name) ? { type: 7 as const, ip: name } : { type: 2 as const, value: name },
  );
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: 'Stratus (self-signed)' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  } as Parameters<typeof generate>[1]);
  await writeFileAtomic(keyFile, pems.private, 0o600);
  await writeFileAtomic(certFile, pems.cert);
  return { cert: pems.cert, key: pems.private };
}
