// Three workers, not jest's default of one per spare core (one here): most of these tests wait on
// PostgreSQL servers, sockets and timers rather than compute, so files overlap (108 → 38 s of
// wall time on 2 vCPUs, with less CPU in all).
module.exports = { ...require("../../jest.preset.js"), displayName: "payment-lambda", rootDir: __dirname, maxWorkers: 3 };
