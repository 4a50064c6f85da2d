// The jest environment of the workspace: Node's, plus a handle on the host process. Pulumi
// reports a failed registration or apply as an unhandled rejection; the synth harness listens
// for those on the real process (jest gives tests a copy whose listeners never fire), turns them
// into one rejected synth, and marks them handled so jest does not report them a second time.
const { TestEnvironment } = require("jest-environment-node");

class SynthEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__synthHostProcess = process;
  }
}

module.exports = SynthEnvironment;
