import { describe, expect, it } from "vitest";
import { usageRow } from "./components/testData";
import { addDecimals, dailySeries, formatDay, isZero, usagePeriod, usageTotals } from "./usage";

describe("usagePeriod", () => {
  it("runs 30 UTC days up to the end of today, from inclusive and to exclusive", () => {
    const { from, to } = usagePeriod(new Date("2026-03-10T15:30:00Z"));
    expect(from.toISOString()).toBe("2026-02-09T00:00:00.000Z");
    expect(to.toISOString()).toBe("2026-03-11T00:00:00.000Z");
  });

  it("crosses months and years", () => {
    const { from, to } = usagePeriod(new Date("2026-01-05T00:00:00Z"), 7);
    expect(from.toISOString()).toBe("2025-12-30T00:00:00.000Z");
    expect(to.toISOString()).toBe("2026-01-06T00:00:00.000Z");
  });
});

describe("dailySeries", () => {
  const from = new Date("2026-02-27T00:00:00Z");

  it("has a point for every day, zero where there was no usage", () => {
    const series = dailySeries(
      [
        usageRow({ day: "2026-02-28", usage_type: "data", units: "120.5000" }),
        usageRow({ day: "2026-02-28", usage_type: "voice", units: "3.0000" }),
        usageRow({ day: "2026-03-02", usage_type: "sms", units: "4" }),
      ],
      from,
      5,
    );
    expect(series).toEqual([
      { day: "2026-02-27", data: 0, voice: 0, sms: 0 },
      { day: "2026-02-28", data: 120.5, voice: 3, sms: 0 },
      { day: "2026-03-01", data: 0, voice: 0, sms: 0 },
      { day: "2026-03-02", data: 0, voice: 0, sms: 4 },
      { day: "2026-03-03", data: 0, voice: 0, sms: 0 },
    ]);
  });

  it("is all zeros without usage, and leaves out rows outside the period", () => {
    const series = dailySeries(
      [
        usageRow({ day: "2026-02-26", units: "1" }),
        usageRow({ day: "2026-03-01", units: "1" }),
        usageRow({ day: null, units: "1" }),
      ],
      from,
      2,
    );
    expect(series).toEqual([
      { day: "2026-02-27", data: 0, voice: 0, sms: 0 },
      { day: "2026-02-28", data: 0, voice: 0, sms: 0 },
    ]);
    expect(dailySeries([], from, 30)).toHaveLength(30);
  });
});

describe("usageTotals", () => {
  it("sums each kind exactly, data first, then voice and SMS", () => {
    const totals = usageTotals([
      usageRow({ day: "2026-03-01", usage_type: "sms", records: 2, units: "2", charged: "0.20" }),
      usageRow({ day: "2026-03-01", usage_type: "data", records: 1, units: "0.1", charged: "0.10", arrears: "0" }),
      usageRow({
        day: "2026-03-02",
        usage_type: "data",
        records: 3,
        units: "0.2",
        from_allowance: "0.2",
        charged: "0.20",
        arrears: "1.0050",
      }),
    ]);
    // 0.1 + 0.2 as floats is 0.30000000000000004: the sums are exact.
    expect(totals).toEqual([
      { usageType: "data", records: 4, units: "0.3", fromAllowance: "0.20", charged: "0.30", arrears: "1.0050" },
      { usageType: "sms", records: 2, units: "2", fromAllowance: "0.00", charged: "0.20", arrears: "0.00" },
    ]);
  });

  it("has nothing without usage", () => {
    expect(usageTotals([])).toEqual([]);
  });
});

describe("decimals", () => {
  it.each([
    ["0.1", "0.2", "0.3"],
    ["12.50", "0.0250", "12.5250"],
    ["999999.99", "0.01", "1000000.00"],
    ["5", "7", "12"],
    ["0.00", "0", "0.00"],
    ["-3.20", "1.05", "-2.15"],
    ["-0.5", "0.25", "-0.25"],
    ["1.5", "-1.5", "0.0"],
    ["123456789012.3456", "0.0001", "123456789012.3457"],
  ])("%s + %s = %s", (a, b, sum) => {
    expect(addDecimals(a, b)).toBe(sum);
  });

  it("refuses what is not a decimal", () => {
    expect(() => addDecimals("1e3", "1")).toThrow("not a decimal");
    expect(() => addDecimals("", "1")).toThrow("not a decimal");
  });

  it("tells zero apart", () => {
    expect(isZero("0.00")).toBe(true);
    expect(isZero("-0")).toBe(true);
    expect(isZero("0.0001")).toBe(false);
  });

  it("labels a day by its date, whatever the viewer's time zone", () => {
    expect(formatDay("2026-03-05")).toBe("Mar 5");
    expect(formatDay("2026-12-31")).toBe("Dec 31");
  });
});
