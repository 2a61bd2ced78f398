/**
 * Command-line parsing shared by the `pyfence` commands, on top of
 * `node:util`'s `parseArgs`, turning its errors into {@link UsageError}s that
 * name the flag, with the closest known flag for a misspelt one.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";

/** Parse `args` strictly; unknown flags and missing values become UsageErrors. */
export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, unknown>, positionals };
  } catch (err) {
    const message = (err as Error).message;
    const flag = /'(-{1,2}[^'\s=]+)/.exec(message)?.[1];
    if (!flag) throw new UsageError("arguments", message);
    const known = Object.keys(options).map((name) => `--${name}`);
    if (/^Unknown option/.test(message)) {
      throw new UsageError(
        flag,
        `unknown option${didYouMean(flag, known)}; options here: ${known.join(", ") || "none"}`,
      );
    }
    if (/argument missing/.test(message)) throw new UsageError(flag, "needs a value");
    if (/does not take an argument/.test(message)) throw new UsageError(flag, "takes no value");
    throw new UsageError(flag, message);
  }
}

/** A positive integer flag value, or undefined when absent. */
export function positiveInt(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^[1-9][0-9]{0,9}$/.test(text)) {
    throw new UsageError(flag, `must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

/** Exactly one positional argument, named `name` in errors. */
export function onePositional(positionals: string[], name: string): string {
  if (positionals.length === 0) throw new UsageError(name, "missing");
  if (positionals.length > 1) {
    throw new UsageError(
      name,
      `give exactly one, got ${positionals.length}: ${positionals.join(" ")}`,
    );
  }
  return positionals[0];
}

/** No positional arguments at all. */
export function noPositionals(positionals: string[]): void {
  if (positionals.length) throw new UsageError(positionals[0], "unexpected argument");
}
