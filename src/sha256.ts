/**
 * SHA-256 as hex: the audit trail's code hashes and the cache directory's
 * content-addressed names.
 *
 * @module
 */

/** SHA-256 of the UTF-8 bytes of `text`, as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
