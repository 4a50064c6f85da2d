import * as aws from "@pulumi/aws";
import { loadStackConfig, StackConfig } from "./config";
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
 */
export class StackContext {
  readonly config: StackConfig;
  readonly tags: Record<string, string>;
  private readonly scopes = new Map<string, RegionScope>();

  constructor(config: StackConfig = loadStackConfig()) {
    this.config = config;
    this.tags = stackTags(config);
  }

  /** The scope of a region; its provider is named after the region and created once. */
  region(region: string): RegionScope {
    let scope = this.scopes.get(region);
    if (!scope) {
      scope = {
        region,
        provider: new aws.Provider(region, regionProviderArgs(region, this.tags)),
        namer: new ResourceNamer({ environmentSuffix: this.config.environmentSuffix, region }),
      };
      this.scopes.set(region, scope);
    }
    return scope;
  }
}
