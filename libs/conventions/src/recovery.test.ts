import { RECOVERY_TARGETS } from "./recovery";

describe("RECOVERY_TARGETS", () => {
  it("are DESIGN §9's promises and aims: the alarms, dashboards, preflight, drill and managedRpoSeconds' bound follow them, so a change here must be a decision", () => {
    expect(RECOVERY_TARGETS).toEqual({ rpoSeconds: 60, rtoSeconds: 300, aimRpoSeconds: 1, aimRtoSeconds: 90, s3ReplicationMinutes: 15 });
  });
});
