/**
 * The schema library, pinned in one place. Specifiers are fully qualified
 * (no import map): a package imported by URL resolves nothing through its
 * own deno.json.
 *
 * @module
 */
export { z } from "npm:zod@4.6.7";
