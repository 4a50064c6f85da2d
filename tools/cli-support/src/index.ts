export { AWS_CALL_LIMITS, perRegion } from "./clients";
export { CliError, EXIT_CODES, FailedError, isAwsError, messageOf, oneLine, RefusedError, TimedOutError, type ExitCode } from "./errors";
export { orDash, table } from "./format";
export { siteNamed } from "./sites";
export {
  PulumiNotInstalledError,
  readStackOutputs,
  runPulumi,
  type PulumiRunner,
  type ReadStackOutputsOptions,
  type StackOutputsSource,
} from "./stack-outputs";
