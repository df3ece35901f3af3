import { describe, expect, it } from "vitest";
import { formatDate } from "@/lib/format";
import { formatPeriod } from "./components/InvoiceBody";
import { lastDay } from "./period";

describe("lastDay", () => {
  it("is the day before the exclusive end, across months, years and leap days", () => {
    expect(lastDay("2026-04-01")).toBe("2026-03-31");
    expect(lastDay("2027-01-01")).toBe("2026-12-31");
    expect(lastDay("2024-03-01")).toBe("2024-02-29");
    expect(lastDay("2026-03-01")).toBe("2026-02-28");
    expect(lastDay("2026-03-16")).toBe("2026-03-15");
  });
});

describe("formatPeriod", () => {
  it("shows [start, end) with its last day, as the line's description words it", () => {
    expect(formatPeriod("2026-12-01", "2027-01-01")).toBe(`${formatDate("2026-12-01")} – ${formatDate("2026-12-31")}`);
  });

  it("is a dash for a line with no period", () => {
    expect(formatPeriod(null, null)).toBe("—");
    expect(formatPeriod("2026-03-01", null)).toBe(`${formatDate("2026-03-01")} – —`);
  });
});
