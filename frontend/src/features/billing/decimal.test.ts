import { describe, expect, it } from "vitest";
import { formatMoney } from "@/lib/money";
import { fromUnits, sumDecimals, toUnits } from "./decimal";

describe("decimal helper", () => {
  it("adds money exactly, where floats would not", () => {
    expect(0.1 + 0.2).not.toBe(0.3); // why the helper exists
    expect(sumDecimals(["0.10", "0.20"])).toBe("0.3000");
    expect(formatMoney(sumDecimals(["19.99", "5.0000", "0.01"]), "USD")).toBe("25.00 USD");
  });

  it("keeps four decimal places and large values", () => {
    expect(sumDecimals(["0.0001", "0.0002"])).toBe("0.0003");
    expect(sumDecimals(["9999999999.9999", "0.0001"])).toBe("10000000000.0000");
  });

  it("handles negatives and an empty list", () => {
    expect(sumDecimals(["-3.25", "1"])).toBe("-2.2500");
    expect(sumDecimals(["-0.5", "0.25"])).toBe("-0.2500");
    expect(sumDecimals([])).toBe("0.0000");
  });

  it("converts both ways", () => {
    expect(toUnits("12.5")).toBe(125000n);
    expect(toUnits("-0.0001")).toBe(-1n);
    expect(toUnits("7")).toBe(70000n);
    expect(fromUnits(-1n)).toBe("-0.0001");
    expect(fromUnits(toUnits("123.45"))).toBe("123.4500");
  });

  it("refuses what is not a decimal string", () => {
    expect(() => toUnits("1e3")).toThrow("not a decimal");
    expect(() => toUnits("12.3.4")).toThrow("not a decimal");
    expect(() => toUnits("")).toThrow("not a decimal");
    expect(() => toUnits("0.00001")).toThrow("more than 4 decimal places");
  });
});
