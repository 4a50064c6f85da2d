import { MAX_MANAGED_RPO_SECONDS } from "@payments-dr/conventions";
import { RECOVERY_TARGETS } from "./targets";

describe("RECOVERY_TARGETS", () => {
  it("are DESIGN §9's promises and aims: the alarms, dashboards, preflight and drill follow them, so a change here must be a decision", () => {
    expect(RECOVERY_TARGETS).toEqual({ rpoSeconds: 60, rtoSeconds: 300, aimRpoSeconds: 1, aimRtoSeconds: 90, s3ReplicationMinutes: 15 });
  });

  it("bound managedRpoSeconds: a hard bound on data loss looser than the promised RPO would not keep it", () => {
    expect(MAX_MANAGED_RPO_SECONDS).toBe(RECOVERY_TARGETS.rpoSeconds);
  });
});
