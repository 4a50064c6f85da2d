// The DR CLI's test harness: a fake AWS (FakeWorld, one file per service it fakes), each region's
// sessions replica, fetch and the regions' APIs, a clock that moves only when the code sleeps, and
// a way to run `dr` against them all. Tests import this file only.
export { outputsDir, runDr, type DrOptions } from "./cli";
export { FakeClock } from "./clock";
export { DR, HOME, outputs } from "./deployment";
export { FakeWorld } from "./fake-world";
export { answersAfter, bothApisUp, fakeFetch, hangs, healthy } from "./fetch";
export { LocalSessionReplicas } from "./session-replicas";
