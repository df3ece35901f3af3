import { describe, expect, it } from "vitest";
import { formatDuration, formatRate, importPercent, throughput } from "./progress";

const START = Date.parse("2026-03-01T10:00:00Z");
const job = (over: Partial<Parameters<typeof throughput>[0]> = {}) => ({
  status: "running" as const,
  total: 1000,
  processed: 250,
  started_at: "2026-03-01T10:00:00+00:00",
  finished_at: null,
  ...over,
});

describe("import progress", () => {
  it("is the share of rows processed, full once done", () => {
    expect(importPercent(job())).toBe(25);
    expect(importPercent(job({ total: 0, processed: 0 }))).toBe(0);
    expect(importPercent(job({ status: "done", total: 0, processed: 0 }))).toBe(100);
    expect(importPercent(job({ processed: 1200 }))).toBe(100);
  });

  it("computes rows/s from started_at and processed, and the time left at that pace", () => {
    expect(throughput(job(), START + 50_000)).toEqual({ elapsed: 50, rate: 5, eta: 150 });
    // A timestamp without a zone is UTC, as the API's are.
    expect(throughput(job({ started_at: "2026-03-01T10:00:00" }), START + 50_000).rate).toBe(5);
  });

  it("has no rate before the first chunk, before the start, or when the client's clock is behind", () => {
    expect(throughput(job({ processed: 0 }), START + 10_000)).toEqual({ elapsed: 10, rate: null, eta: null });
    expect(throughput(job({ status: "queued", started_at: null }), START)).toEqual({
      elapsed: null,
      rate: null,
      eta: null,
    });
    expect(throughput(job(), START - 5_000)).toEqual({ elapsed: null, rate: null, eta: null });
  });

  it("measures a finished import up to finished_at, with no time left", () => {
    const done = job({ status: "done", processed: 1000, finished_at: "2026-03-01T10:01:40Z" });
    expect(throughput(done, START + 999_999)).toEqual({ elapsed: 100, rate: 10, eta: null });
  });

  it("formats rates and durations", () => {
    expect(formatRate(0.44)).toBe("0.4 rows/s");
    expect(formatRate(12.34)).toBe("12.3 rows/s");
    expect(formatRate(1234.5)).toBe("1,235 rows/s");
    expect(formatDuration(0.09)).toBe("under 1 s");
    expect(formatDuration(7.4)).toBe("7 s");
    expect(formatDuration(120)).toBe("2 min");
    expect(formatDuration(125)).toBe("2 min 5 s");
    expect(formatDuration(3725)).toBe("1 h 2 min");
  });
});
