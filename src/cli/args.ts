/**
 * Command-line parsing shared by the `pyfence` subcommands, on top of
 * `node:util`'s `parseArgs`, turning its errors into {@link UsageError}s that
 * name the argument.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors.ts";

/** Parse `args` strictly; unknown flags and missing values become UsageErrors. */
export function parse<T extends ParseArgsConfig["options"]>(
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
    const flag = /'(-{1,2}[\w-]+)/.exec(message)?.[1] ?? "arguments";
    throw new UsageError(flag, message.replace(/\. To specify.*$/s, ""));
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
