import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey, keyRefusal, looksLikeApiKey } from './api-keys.js';
import { checkIpEntry, ipAllowed } from './ip-allow.js';

describe('API keys', () => {
  it('are random, recognisable, and stored as a hash that is not the key', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    assert.notEqual(a.key, b.key);
    assert.notEqual(a.id, b.id);
    assert.ok(looksLikeApiKey(a.key));
    assert.match(hashApiKey(a.key), /^[0-9a-f]{64}$/);
    assert.ok(!hashApiKey(a.key).includes(a.key));
  });

  const key = { revokedAtMs: null, expiresAtMs: 2_000, ips: ['10.0.0.0/8', '2001:db8::1'] };
  const cases: Array<[string, Parameters<typeof keyRefusal>[0], number, string, ReturnType<typeof keyRefusal>]> = [
    ['usable inside its block', key, 1_000, '10.1.2.3', undefined],
    ['usable from an IPv4-mapped address', key, 1_000, '::ffff:10.1.2.3', undefined],
    ['usable from its exact IPv6 address', key, 1_000, '2001:db8::1', undefined],
    ['refused outside its allowlist', key, 1_000, '192.168.1.1', 'ip'],
    ['refused at its expiry', key, 2_000, '10.1.2.3', 'expired'],
    ['refused once revoked', { ...key, revokedAtMs: 500 }, 1_000, '10.1.2.3', 'revoked'],
    ['usable from anywhere with no allowlist', { ...key, ips: [] }, 1_000, '203.0.113.9', undefined],
  ];
  for (const [name, record, nowMs, ip, expected] of cases) {
    it(name, () => assert.equal(keyRefusal(record, nowMs, ip), expected));
  }

  it('checks allowlist entries, naming the field', () => {
    assert.equal(checkIpEntry('10.0.0.0/8', 'ips[0]'), '10.0.0.0/8');
    assert.throws(() => checkIpEntry('10.0.0.0/33', 'ips[1]'), /^VigilError: ips\[1\]: expected an IP address or CIDR/);
    assert.throws(() => checkIpEntry('example.com', 'ips[2]'), /ips\[2\]/);
    assert.equal(ipAllowed('not an ip', ['10.0.0.0/8']), false);
  });
});
