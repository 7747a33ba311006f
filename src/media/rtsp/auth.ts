/**
 * RTSP authentication (RFC 2326 §D, RFC 7826 §19): Basic, and Digest with MD5
 * (RFC 2617/7616, with or without qop=auth) as cameras ask for it in a 401's
 * WWW-Authenticate. The credentials come from the source URL and never
 * appear in a message or log line.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: 'basic' | 'digest';
  params: Map<string, string>;
}

/** The challenges of one or more WWW-Authenticate header values; Digest is preferred by `pickChallenge`. */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    const match = /^\s*(\w+)\s*(.*)$/.exec(value);
    if (match === null) continue;
    const scheme = (match[1] ?? '').toLowerCase();
    if (scheme !== 'basic' && scheme !== 'digest') continue;
    const params = new Map<string, string>();
    const re = /(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g;
    for (let m = re.exec(match[2] ?? ''); m !== null; m = re.exec(match[2] ?? '')) {
      params.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? '');
    }
    out.push({ scheme, params });
  }
  return out;
}

export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'digest') ?? challenges.find((c) => c.scheme === 'basic');
}

/** Computes Authorization header values for requests after a challenge; the nonce count grows per request. */
export class Authenticator {
  private nonceCount = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly challenge: Challenge,
    private readonly cnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  header(method: string, uri: string): string {
    const { username, password } = this.credentials;
    if (this.challenge.scheme === 'basic') {
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const p = this.challenge.params;
    const realm = p.get('realm') ?? '';
    const nonce = p.get('nonce') ?? '';
    const ha1 = md5(`${username}:${realm}:${password}`);
    const ha2 = md5(`${method}:${uri}`);
    const qop = (p.get('qop') ?? '')
      .split(',')
      .map((q) => q.trim())
      .includes('auth');
    const fields = [`username="${username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`];
    if (qop) {
      this.nonceCount++;
      const nc = this.nonceCount.toString(16).padStart(8, '0');
      const cnonce = this.cnonce();
      fields.push(`response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`);
      fields.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
    } else {
      fields.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
    }
    const opaque = p.get('opaque');
    if (opaque !== undefined) fields.push(`opaque="${opaque}"`);
    if (p.has('algorithm')) fields.push(`algorithm=${p.get('algorithm')}`);
    return `Digest ${fields.join(', ')}`;
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
