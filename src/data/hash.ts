import { createHash } from 'node:crypto';

/** SHA-256 (lowercase hex) of bytes, or of a string's UTF-8 encoding. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
