// The jest environment of the workspace: Node's, plus a handle on the host process. Pulumi
// reports a failed registration or apply as an unhandled rejection; the synth harness listens
// for those on the real process (jest gives tests a copy whose listeners never fire), turns them
// into one rejected synth, and marks them handled so jest does not report them a second time.
const { TestEnvironment } = require("jest-environment-node");

/**
 * Node's own default. Jest raises it to 100, and Pulumi takes a stack trace for every promise it
 * tracks (runtime/debuggable.js), each frame source-mapped by jest: that was half of every
 * stack's synth (4.0 → 2.3 s for dr-region's). A failing test's trace keeps its top 10 frames.
 */
const STACK_TRACE_LIMIT = 10;

class SynthEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__synthHostProcess = process;
    this.global.Error.stackTraceLimit = STACK_TRACE_LIMIT;
  }
}

module.exports = SynthEnvironment;
