import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HEALTH_CACHE_TTL_MS, ROUTE53_CHECK_TIMEOUTS_MS } from "@payments-dr/payment-lambda";
import { dnsFailoverNoAnswerSeconds, dnsFailoverSeconds, dnsFailoverWorstSeconds, FAILOVER_TIMING } from "./timing";

// The README and the runbook quote the DNS half of the recovery budget in words and tables that
// on-call reads during an outage. Each number below is derived from timing.ts, so changing the
// interval or the threshold there fails here until the documents say the same.
const WORKSPACE = join(__dirname, "..", "..", "..");
const read = (file: string) => readFileSync(join(WORKSPACE, file), "utf8");
const DOCS = { "README.md": read("README.md"), "docs/runbook.md": read("docs/runbook.md") };

const { requestIntervalSeconds: interval, failureThreshold: threshold, dnsTtlSeconds: ttl } = FAILOVER_TIMING;
const connect = ROUTE53_CHECK_TIMEOUTS_MS.connect / 1000;
const answer = ROUTE53_CHECK_TIMEOUTS_MS.answer / 1000;
const cache = HEALTH_CACHE_TTL_MS / 1000;
const [nominal, noAnswer, worst] = [dnsFailoverSeconds(), dnsFailoverNoAnswerSeconds(), dnsFailoverWorstSeconds()];
/** Detection alone: the total without the TTL. */
const detect = (total: number) => total - ttl;

const BOTH = [
  `| DNS detection | ${detect(nominal)} s nominal, ${detect(noAnswer)} s when the region does not answer at all, ${detect(worst)} s at worst |`,
  `\`FAILOVER_TIMING.requestIntervalSeconds\` (${interval}) × \`failureThreshold\` (${threshold})`,
  `${threshold} × (${interval} + ${connect})`,
  `${cache} + ${connect + answer} + ${threshold} × (${interval} + ${connect} + ${answer})`,
];

const QUOTED: [keyof typeof DOCS, string][] = [
  ...BOTH.map((text): [keyof typeof DOCS, string] => ["README.md", text]),
  ["README.md", `HTTPS /health, ${interval} s × ${threshold}`],
  ["README.md", `(${interval} s interval, failure threshold ${threshold}, SNI)`],
  ["README.md", `| DNS total | ${nominal} s nominal (the aimed RTO), ${noAnswer} s when the region does not answer, ${worst} s at worst |`],
  ["README.md", `**≈ ${nominal} s DNS (${noAnswer} s when the region does not answer, ${worst} s at worst)`],
  ...BOTH.map((text): [keyof typeof DOCS, string] => ["docs/runbook.md", text]),
  ["docs/runbook.md", `| DNS total | ${nominal} s nominal, ${noAnswer} s when the region does not answer, ${worst} s at worst |`],
  ["docs/runbook.md", `alarm after \`failureThreshold\` (${threshold}) failed probes`],
  ["docs/runbook.md", `fires after ${threshold} failures in a row`],
  ["docs/runbook.md", `≈ ${nominal} s (${worst} s at worst)`],
  ["docs/runbook.md", `≈ ${nominal} s and up to ${worst} s`],
  ["docs/runbook.md", `(≈ ${nominal} s; ${noAnswer} s when the region does not answer at all; up to ${worst} s)`],
  ["docs/runbook.md", `≈ ${detect(nominal)}–${detect(worst)} s to detect`],
  ["docs/runbook.md", `(${detect(nominal)}–${detect(worst)} s to detect`],
];

/**
 * The shapes those numbers take wherever the documents repeat them, and the numbers each must
 * hold: a copy left stale beside an updated one fails here, which `toContain` above cannot see.
 */
const EVERY_COPY: [RegExp, number[]][] = [
  [/≈ (\d+) s \((\d+) s at worst\)/g, [nominal, worst]],
  [/≈ (\d+) s and up to (\d+) s/g, [nominal, worst]],
  [/≈ (\d+)–(\d+) s to detect/g, [detect(nominal), detect(worst)]],
  [/\((\d+)–(\d+) s to detect/g, [detect(nominal), detect(worst)]],
  [/(\d+) failed probes/g, [threshold]],
  [/(\d+) failed checks/g, [threshold]],
  [/after (\d+) failures in a row/g, [threshold]],
  // The probe's last failure of the run that pages: an interval × (threshold − 1) after the first, at most one more.
  [/failed probe (\d+) starts (\d+)–(\d+) s after the outage/g, [threshold, interval * (threshold - 1), interval * threshold]],
];

describe("the recovery budget as the README and the runbook quote it", () => {
  it.each(QUOTED)("%s says %s (FAILOVER_TIMING and the dnsFailover*Seconds functions)", (file, text) => {
    expect(DOCS[file]).toContain(text);
  });

  it.each(EVERY_COPY)("every copy of %s in either document holds %j", (shape, numbers) => {
    const copies = Object.values(DOCS).flatMap((doc) => [...doc.matchAll(shape)].map((match) => match.slice(1).map(Number)));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).toEqual(numbers);
  });

  it("writes the health checks' failure threshold as a number, which the shapes above can check", () => {
    for (const doc of Object.values(DOCS)) expect(doc).not.toMatch(/\b(two|three|four|five) failed (probes|checks)\b|\b(second|third|fourth|fifth) failed (probe|check)\b/i);
  });
});
