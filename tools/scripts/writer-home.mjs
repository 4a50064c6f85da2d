#!/usr/bin/env node
// Is the global database's writer at home, in the primary-region stack's cluster? `destroy` asks
// before it deletes anything (pulumi-stack.sh). Away from home (after a switchover or failover,
// before failback) the stacks' destroy order fails halfway: the DR stack deletes the instances of
// what is then the primary cluster, and RDS refuses to delete the last instance of a primary
// cluster while a secondary exists ("Cannot delete the last instance of the master cluster"),
// leaving a half-destroyed DR region that holds the only writer.
// Usage: pulumi stack output --json (of the primary-region stack) | node writer-home.mjs
// Exit: 0 at home, or nothing to check (no outputs, no global cluster); 3 away from home;
// 1 the writer could not be read.
import { DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";

const AWAY = 3;

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { globalClusterId, clusterArn } = input.trim() === "" ? {} : JSON.parse(input);
if (!globalClusterId || !clusterArn) process.exit(0);

// arn:aws:rds:<region>:<account>:cluster:<name>
const home = clusterArn.split(":")[3];
// A short budget: an unreachable region must not hold the destroy for minutes.
const rds = new RDSClient({ region: home, maxAttempts: 2, requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 } });
let members;
try {
  const { GlobalClusters = [] } = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: globalClusterId }));
  members = GlobalClusters[0]?.GlobalClusterMembers ?? [];
} catch (error) {
  if (error?.name === "GlobalClusterNotFoundFault") process.exit(0);
  console.error(`cannot read the writer of the global database ${globalClusterId} in ${home}: ${error?.message ?? error}`);
  process.exit(1);
}
const writer = members.find((member) => member.IsWriter)?.DBClusterArn;
if (writer === undefined && members.length === 0) process.exit(0);
if (writer !== clusterArn) {
  console.error(
    `the writer of the global database ${globalClusterId} is ${writer ?? "none (a role change is under way)"}, not the primary-region stack's cluster ${clusterArn}: ` +
      "destroying now would fail halfway (RDS keeps the last instance of a primary cluster that has a secondary). Fail back first (npx nx run dr:failback, docs/runbook.md); " +
      "if the home cluster cannot rejoin, destroy anyway.",
  );
  process.exit(AWAY);
}
