import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError } from "./errors";

/**
 * Typed, validated access to the `payments-dr:*` stack config. Every failure is a
 * {@link ConfigError} that names the key, so a bad value stops the preview with one line.
 */
export class ConfigReader {
  private readonly config = new pulumi.Config(CONFIG_NAMESPACE);

  string(key: string, opts: { default: string; pattern?: RegExp; hint?: string }): string;
  string(key: string, opts?: { pattern?: RegExp; hint?: string }): string | undefined;
  string(key: string, opts: { default?: string; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const value = this.config.get(key) ?? opts.default;
    if (value !== undefined && opts.pattern && !opts.pattern.test(value)) {
      throw new ConfigError(key, `"${value}" is not valid: ${opts.hint ?? `must match ${opts.pattern}`}.`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.config.get(key);
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    throw new ConfigError(key, `"${raw}" is not valid: use true or false.`);
  }

  integer(key: string, opts: { default: number; min?: number; max?: number }): number;
  integer(key: string, opts: { min?: number; max?: number }): number | undefined;
  integer(key: string, opts: { default?: number; min?: number; max?: number }): number | undefined {
    const raw = this.config.get(key);
    if (raw === undefined) return opts.default;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new ConfigError(key, `"${raw}" is not an integer.`);
    if (opts.min !== undefined && value < opts.min) throw new ConfigError(key, `${value} is below the minimum of ${opts.min}.`);
    if (opts.max !== undefined && value > opts.max) throw new ConfigError(key, `${value} is above the maximum of ${opts.max}.`);
    return value;
  }
}
