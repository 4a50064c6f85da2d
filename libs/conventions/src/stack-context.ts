import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, StackConfig } from "./config";
import { checkCreateTimeConfig, CREATE_TIME_CONFIG_OUTPUT, type CreateTimeConfig } from "./create-time-config";
import { ResourceNamer } from "./names";
import { regionProviderArgs } from "./providers";
import { stackTags } from "./tags";

/** Everything a program needs to create resources in one region. */
export interface RegionScope {
  region: string;
  /** The explicit provider for the region, carrying the stack's tags. */
  provider: aws.Provider;
  /** Builds this region's physical names. */
  namer: ResourceNamer;
}

/**
 * Where every program starts: the validated config, the stack's tags, and one explicit
 * provider (plus namer) per region it touches. Creating the context validates the config, so
 * a bad value fails before any resource is registered.
 *
 * It also keeps a deployed stack's create-time values (suffix, regions, and what a program adds
 * with {@link fixAtCreation}): the providers wait until this stack's last deploy (its
 * `createTimeConfig` output, read through a StackReference to itself) is known to agree, so a
 * changed value stops the preview before any resource is touched.
 */
export class StackContext {
  readonly config: StackConfig;
  readonly tags: Record<string, string>;
  private readonly scopes = new Map<string, RegionScope>();
  private readonly createTime: CreateTimeConfig;
  private readonly checks: pulumi.Output<unknown>[] = [];
  private checkedSuffix?: pulumi.Output<string>;
  private deployed?: pulumi.StackReference;

  constructor(config: StackConfig = loadStackConfig()) {
    this.config = config;
    this.tags = stackTags(config);
    this.createTime = { environmentSuffix: config.environmentSuffix, primaryRegion: config.primaryRegion, drRegion: config.drRegion };
  }

  /** Adds values that cannot change once the stack is deployed (e.g. a VPC's range); before the first {@link region}. */
  fixAtCreation(values: CreateTimeConfig): void {
    if (this.scopes.size > 0) throw new Error("fixAtCreation must come before the first region(): the providers wait for the check of these values");
    Object.assign(this.createTime, values);
  }

  /**
   * Adds a check of config against what only another stack knows (an Output that throws a
   * `ConfigError`); before the first {@link region}: the providers wait for it as for the create-time values.
   */
  checkBeforeResources(check: pulumi.Output<unknown>): void {
    if (this.scopes.size > 0) throw new Error("checkBeforeResources must come before the first region(): the providers wait for the checks");
    this.checks.push(check);
  }

  /** The values to export as the stack's `createTimeConfig` output: the next deploy is checked against them. */
  get createTimeConfig(): CreateTimeConfig {
    return { ...this.createTime };
  }

  /** The scope of a region; its provider is named after the region and created once. */
  region(region: string): RegionScope {
    let scope = this.scopes.get(region);
    if (!scope) {
      scope = {
        region,
        // The suffix tag comes out of the check: no resource of this provider is registered before it passes.
        provider: new aws.Provider(region, regionProviderArgs(region, { ...this.tags, EnvironmentSuffix: this.suffixAfterCheck() })),
        namer: new ResourceNamer({ environmentSuffix: this.config.environmentSuffix, region }),
      };
      this.scopes.set(region, scope);
    }
    return scope;
  }

  /**
   * An output of this stack as its last deploy left it (undefined on a first deploy, or if that
   * deploy did not export it), through the same StackReference to itself as the create-time check.
   */
  deployedOutput(name: string): pulumi.Output<unknown> {
    const { project, stack } = this.config;
    this.deployed ??= new pulumi.StackReference("deployed-config", { name: `${pulumi.getOrganization()}/${project}/${stack}` });
    return this.deployed.getOutput(name);
  }

  private suffixAfterCheck(): pulumi.Output<string> {
    const { stack, environmentSuffix } = this.config;
    if (!this.checkedSuffix) {
      const deployed = this.deployedOutput(CREATE_TIME_CONFIG_OUTPUT);
      this.checkedSuffix = pulumi.all([deployed, ...this.checks]).apply(([deployedConfig]) => {
        checkCreateTimeConfig(deployedConfig, this.createTime, stack);
        return environmentSuffix;
      });
    }
    return this.checkedSuffix;
  }
}
