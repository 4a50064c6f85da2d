export { CrossRegionDashboard, type CrossRegionDashboardArgs } from "./cross-region-dashboard";
export {
  type DashboardBody,
  type DashboardInput,
  type HorizontalAnnotation,
  type MetricLine,
  type MetricOptions,
  type MetricStat,
  type MetricWidget,
  type MetricWidgetProperties,
  type RegionResources,
} from "./dashboard-types";
