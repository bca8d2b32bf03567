import type { Random } from '../../src/core/random.ts';

/** A UUID-shaped id (8-4-4-4-12 hex) drawn from a seeded generator. */
export function uuidFrom(random: Random): string {
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += random.int(0, 16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + random.int(0, 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 16 seeded random bytes in standard base64 (24 characters, "==" padded), like a status update uuid. */
export function uuidBytesBase64(random: Random): string {
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) bytes.push(random.int(0, 256));
  let out = '';
  for (let i = 0; i < 15; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += B64[(n >> 18) & 63] as string;
    out += B64[(n >> 12) & 63] as string;
    out += B64[(n >> 6) & 63] as string;
    out += B64[n & 63] as string;
  }
  const last = bytes[15] as number;
  out += `${B64[last >> 2] as string}${B64[(last & 3) << 4] as string}==`;
  return out;
}
