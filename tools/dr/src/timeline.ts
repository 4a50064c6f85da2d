import type { Clock } from "./clock";

export interface TimelineEvent {
  step: string;
  at: string;
  /** Seconds since the timeline started. */
  elapsedSeconds: number;
}

/** Timestamps of each step of a command: the raw material of the RTO a drill reports. */
export class Timeline {
  readonly events: TimelineEvent[] = [];
  private readonly start: number;

  constructor(
    private readonly clock: Clock,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.start = clock.now().getTime();
  }

  mark(step: string): TimelineEvent {
    const now = this.clock.now();
    const event = { step, at: now.toISOString(), elapsedSeconds: round((now.getTime() - this.start) / 1000) };
    this.events.push(event);
    this.log(`[+${event.elapsedSeconds.toFixed(1)}s] ${step}`);
    return event;
  }

  totalSeconds(): number {
    return round((this.clock.now().getTime() - this.start) / 1000);
  }
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
