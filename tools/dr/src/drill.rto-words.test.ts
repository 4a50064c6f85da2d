import { describeRto, rtoVerdict } from "./drill";

// What the drill's timeline, report and output say of its RTO.
it("says payments that never recovered are not recovered, over the promise", () => {
  expect(describeRto({ observedRtoSeconds: null, rto: rtoVerdict(null) })).toBe("not recovered, over the promised 300 s");
});
