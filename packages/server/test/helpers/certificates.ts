/** Test certificates made with openssl: self-signed ones, and a CA that signs servers (for 127.0.0.1) and clients. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  certificate: string;
  privateKey: string;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function inTemp<T>(work: (path: (name: string) => string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-certs-'));
  try {
    return work((name) => join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** A certificate that signs itself, for `commonName`. */
export function selfSigned(commonName: string): Pem {
  return inTemp((path) => {
    openssl(['req', '-x509', ...KEY, '-days', '1', '-subj', `/CN=${commonName}`, '-keyout', path('k'), '-out', path('c')]);
    return { certificate: readFileSync(path('c'), 'utf8'), privateKey: readFileSync(path('k'), 'utf8') };
  });
}

export interface Authority extends Pem {
  /** A certificate this CA signs: a server's for 127.0.0.1 and localhost, or a client's. */
  issue(commonName: string, use: 'server' | 'client'): Pem;
}

export function certificateAuthority(commonName = 'hookd test CA'): Authority {
  const ca = selfSigned(commonName);
  return {
    ...ca,
    issue: (name, use) =>
      inTemp((path) => {
        writeFileSync(path('ca.crt'), ca.certificate);
        writeFileSync(path('ca.key'), ca.privateKey);
        writeFileSync(
          path('ext'),
          use === 'server'
            ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
            : 'extendedKeyUsage=clientAuth\n',
        );
        openssl(['req', ...KEY, '-subj', `/CN=${name}`, '-keyout', path('k'), '-out', path('csr')]);
        openssl(
          ['x509', '-req', '-in', path('csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial'].concat([
            '-days',
            '1',
            '-extfile',
            path('ext'),
            '-out',
            path('c'),
          ]),
        );
        return { certificate: readFileSync(path('c'), 'utf8'), privateKey: readFileSync(path('k'), 'utf8') };
      }),
  };
}
