/** Client IP checks for API keys and play tokens: exact addresses or CIDR blocks, IPv4 and IPv6. */
import { BlockList, isIP } from 'node:net';
import { invalidArgument } from '../../errors.js';

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped?.[1] ?? ip;
}

/** Checks one allowlist entry (`10.0.0.5`, `10.0.0.0/8`, `2001:db8::/32`); throws naming `field`. */
export function checkIpEntry(entry: string, field: string): string {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  const maxPrefix = family === 4 ? 32 : 128;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
  if (family === 0 || extra !== undefined || !prefixOk) {
    throw invalidArgument(
      field,
      `expected an IP address or CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32), got ${JSON.stringify(entry)}`,
    );
  }
  return entry;
}

/** True when `ip` is one of the entries (entries already checked by checkIpEntry). */
export function ipAllowed(ip: string, entries: readonly string[]): boolean {
  const client = normalizeIp(ip);
  const family = isIP(client);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(normalizeIp(address), isIP(normalizeIp(address)) === 6 ? 'ipv6' : 'ipv4');
    else list.addSubnet(address, Number(prefix), type);
  }
  return list.check(client, family === 6 ? 'ipv6' : 'ipv4');
}
