// The DR CLI's test harness: a fake AWS (FakeWorld, one file per service it fakes), each region's
// sessions replica, fetch and the regions' APIs, and a clock that moves only when the code sleeps.
// Tests import this file only.
export { FakeClock } from "./clock";
export { DR, globalOutputs, HOME } from "./deployment";
export { FakeWorld } from "./fake-world";
export { answersAfter, fakeFetch, hangs, healthy } from "./fetch";
export { LocalSessionReplicas } from "./session-replicas";
