import type { WireFormat } from '../mesos-http/codec/codec.ts';

/**
 * The master's Accept negotiation for SUBSCRIBE: JSON if the header allows `application/json`
 * (a missing header, `*\/*` and `application/*` all do), otherwise protobuf if it allows
 * `application/x-protobuf`, otherwise undefined (406). A `q=0` entry excludes its type.
 */
export function negotiate(accept: string | undefined): WireFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  const entries = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q === undefined ? 1 : Number(q.slice(2)) };
  });
  const allows = (type: string) => {
    const [major] = type.split('/');
    const match = entries.filter((e) => e.type === type || e.type === `${major}/*` || e.type === '*/*');
    if (match.length === 0) return false;
    const exact =
      match.find((e) => e.type === type) ?? match.find((e) => e.type === `${major}/*`) ?? match[0];
    return (exact?.q ?? 0) > 0;
  };
  if (allows('application/json')) return 'json';
  if (allows('application/x-protobuf')) return 'protobuf';
  return undefined;
}
