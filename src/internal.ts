/**
 * Switches for pyfence's own tests. Not exported from `mod.ts`.
 *
 * @module
 */

/**
 * A `Sandbox` option key: when set to true, scripts run with no Python guard
 * at all, so tests can show what the Deno layer alone still denies.
 */
export const UNGUARDED_FOR_TESTS: unique symbol = Symbol("pyfence.unguardedForTests");
