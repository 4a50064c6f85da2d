import { loadProbeSettings } from "../config/settings";
import { createLogger } from "../observability/logger";
import { cloudWatchPublisher } from "../probe/cloudwatch-publisher";
import { createProbeHandler } from "../probe/health-probe";

const settings = loadProbeSettings(process.env);

/**
 * Entry of the health probe (bundle `probe/index.js`, handler `index.handler`), invoked every
 * minute by a schedule in the DR region: probes the primary region's `/health` from outside
 * us-east-1, so that an outage of all of us-east-1 still pages through the DR region.
 */
export const handler = createProbeHandler({
  settings,
  logger: createLogger(settings.observability),
  publish: cloudWatchPublisher(),
});
