/**
 * Switches for pyfence's own tests. Not exported from `mod.ts`, and not part
 * of any public type: a caller cannot turn the guard off by passing an option.
 *
 * @module
 */

const unguarded = new WeakSet<object>();

/**
 * Mark a `SandboxOptions` object so the sandbox built from it runs scripts
 * with no Python guard at all, letting tests show what the Deno layer alone
 * still denies.
 */
export function unguardedForTests<T extends object>(options: T): T {
  unguarded.add(options);
  return options;
}

/** Whether `options` was marked by {@link unguardedForTests}. */
export function isUnguarded(options: object): boolean {
  return unguarded.has(options);
}
