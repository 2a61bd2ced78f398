/**
 * SHA-256 as hex: the audit trail's code hashes, the cache directory's
 * content-addressed names and the check of downloaded packages.
 *
 * @module
 */

/** SHA-256 of `data` (a string is hashed as its UTF-8 bytes), as lowercase hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
