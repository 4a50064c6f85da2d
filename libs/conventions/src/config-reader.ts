import * as pulumi from "@pulumi/pulumi";
import { readsSetting } from "./config-keys";
import { CONFIG_NAMESPACE, ConfigError } from "./errors";

/**
 * Typed, validated access to the `payments-dr:*` stack config. Every failure is a
 * {@link ConfigError} that names the key, so a bad value stops the preview with one line.
 */
export class ConfigReader {
  private readonly config = new pulumi.Config(CONFIG_NAMESPACE);

  /** A setting's raw value; reading one CONFIG_KEYS does not list for this stack is a programming error. */
  private get(key: string): string | undefined {
    const project = pulumi.getProject();
    if (!readsSetting(project, key)) {
      throw new Error(`${CONFIG_NAMESPACE}:${key} is read by the ${project} stack, but CONFIG_KEYS (libs/conventions/src/config-keys.ts) does not list it for that stack: add it there, and to the README's Configuration table`);
    }
    return this.config.get(key);
  }

  string(key: string, opts: { default: string; pattern?: RegExp; hint?: string }): string;
  string(key: string, opts?: { pattern?: RegExp; hint?: string }): string | undefined;
  string(key: string, opts: { default?: string; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const value = this.get(key) ?? opts.default;
    if (value !== undefined && opts.pattern && !opts.pattern.test(value)) {
      throw new ConfigError(key, `"${value}" is not valid: ${opts.hint ?? `must match ${opts.pattern}`}.`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.get(key);
    if (raw === undefined) return fallback;
    if (raw === "true" || raw === "false") return raw === "true";
    throw new ConfigError(key, `"${raw}" is not valid: use true or false.`);
  }

  /** A structured value (a YAML mapping in the stack file): an object of numbers by name. */
  numbers(key: string): Record<string, number> {
    const raw = this.get(key);
    if (raw === undefined) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConfigError(key, "is not a mapping of names to numbers.");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ConfigError(key, "is not a mapping of names to numbers.");
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(key, `${name} must be a positive number, not ${JSON.stringify(value)}.`);
    }
    return parsed as Record<string, number>;
  }

  integer(key: string, opts: { default: number; min?: number; max?: number }): number;
  integer(key: string, opts: { min?: number; max?: number }): number | undefined;
  integer(key: string, opts: { default?: number; min?: number; max?: number }): number | undefined {
    const raw = this.get(key);
    if (raw === undefined) return opts.default;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new ConfigError(key, `"${raw}" is not an integer.`);
    if (opts.min !== undefined && value < opts.min) throw new ConfigError(key, `${value} is below the minimum of ${opts.min}.`);
    if (opts.max !== undefined && value > opts.max) throw new ConfigError(key, `${value} is above the maximum of ${opts.max}.`);
    return value;
  }
}
