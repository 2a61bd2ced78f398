/**
 * Pyodide fetches its standard library by URL. The worker may not read files
 * and should not touch the network for this, so the bytes are posted to it and
 * served from memory for one fixed URL; every other request goes to the real
 * `fetch` (and so to Deno's net permission).
 *
 * @module
 */

/** The URL Pyodide is told to load `python_stdlib.zip` from. */
export const STDLIB_URL = "https://pyfence.invalid/python_stdlib.zip";

/** Wrap `realFetch` so {@link STDLIB_URL} is answered with `stdlib`. */
export function fetchFromAssets(
  realFetch: typeof fetch,
  stdlib: Uint8Array,
): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === STDLIB_URL) return Promise.resolve(new Response(stdlib as BodyInit));
    return realFetch(input, init);
  };
}
