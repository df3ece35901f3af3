import { describe, expect, it } from "vitest";
import { service } from "@/test/services";
import {
  allowanceSize,
  allowancesRenew,
  exactQuantity,
  formatData,
  formatQuantity,
  formatSigned,
  normalizeAmount,
  percentLeft,
  sortBalances,
  topUpAmountProblem,
} from "./charging";
import { balance, plannedService } from "./components/testData";

describe("formatting quantities", () => {
  it.each([
    [512, "512 MB"],
    [0.5, "0.5 MB"],
    [1024, "1 GB"],
    [7372.8, "7.2 GB"],
    [10240, "10 GB"],
    [-512, "-512 MB"],
    [-2048, "-2 GB"],
  ])("shows %s MB as %s", (mb, text) => {
    expect(formatData(mb)).toBe(text);
  });

  it("formats each kind in its unit, money in the currency", () => {
    expect(formatQuantity("monetary", "12.5000", "USD")).toBe("12.50 USD");
    expect(formatQuantity("data", "7372.8000", "USD")).toBe("7.2 GB");
    expect(formatQuantity("voice", "150.0000", "USD")).toBe("150 min");
    expect(formatQuantity("sms", "45.0000", "USD")).toBe("45 SMS");
  });

  it("signs ledger amounts", () => {
    expect(formatSigned("monetary", "12.50", "EUR")).toBe("+12.50 EUR");
    expect(formatSigned("monetary", "-3.2000", "EUR")).toBe("-3.20 EUR");
    expect(formatSigned("data", "-512.0000", null)).toBe("-512 MB");
    expect(formatSigned("sms", "0.0000", null)).toBe("0 SMS");
  });
});

describe("allowances", () => {
  const snapshot = plannedService().price_snapshot;

  it("sizes the product's own allowances from the price snapshot", () => {
    expect(allowanceSize(balance({ balance_type: "data", balance_id: "mobile-10gb-data" }), snapshot)).toBe(10240);
    expect(allowanceSize(balance({ balance_type: "voice", balance_id: "mobile-10gb-voice" }), snapshot)).toBe(200);
  });

  it("does not size money, other balances, or allowances the product no longer has", () => {
    expect(allowanceSize(balance(), snapshot)).toBeNull();
    expect(allowanceSize(balance({ balance_type: "data", balance_id: "roaming-data" }), snapshot)).toBeNull();
    expect(allowanceSize(balance({ balance_type: "sms", balance_id: "mobile-10gb-sms" }), snapshot)).toBeNull();
    // A snapshot without the slug (older sales) cannot tell allowances apart.
    expect(allowanceSize(balance({ balance_type: "data", balance_id: "mobile-10gb-data" }), {})).toBeNull();
  });

  it("caps the bar between empty and full", () => {
    expect(percentLeft("7372.8", 10240)).toBeCloseTo(72);
    expect(percentLeft("20480", 10240)).toBe(100);
    expect(percentLeft("-5", 10240)).toBe(0);
  });

  it("renews only a live service's recurring allowances", () => {
    expect(allowancesRenew(plannedService())).toBe(true);
    expect(allowancesRenew(plannedService({ service_status: "suspended" }))).toBe(true);
    expect(allowancesRenew(plannedService({ service_status: "terminated" }))).toBe(false);
    expect(allowancesRenew(service({ price_snapshot: { billing_period: "one_off" } }))).toBe(false);
  });

  it("lists money first, then data, voice and SMS, keeping the API's order within a kind", () => {
    const sorted = sortBalances([
      balance({ balance_type: "sms", balance_id: "s" }),
      balance({ balance_type: "data", balance_id: "d1" }),
      balance({ balance_type: "monetary", balance_id: "m" }),
      balance({ balance_type: "data", balance_id: "d2" }),
      balance({ balance_type: "voice", balance_id: "v" }),
    ]);
    expect(sorted.map((b) => b.balance_id)).toEqual(["m", "d1", "d2", "v", "s"]);
  });
});

describe("topUpAmountProblem", () => {
  it.each([
    ["12.50", null],
    ["0.0001", null],
    ["999999.9999", null],
    [" 5 ", null],
    ["007.5", null],
    ["", "Enter an amount"],
    ["   ", "Enter an amount"],
    ["abc", "Enter a number such as 12.50"],
    ["-5", "Enter a number such as 12.50"],
    ["1e3", "Enter a number such as 12.50"],
    ["12,50", "Enter a number such as 12.50"],
    [".5", "Enter a number such as 12.50"],
    ["1.23456", "At most 4 decimal places"],
    ["0", "The amount must be above 0"],
    ["0.0000", "The amount must be above 0"],
    ["1000000", "The amount must be below 1,000,000"],
    ["1000000.00", "The amount must be below 1,000,000"],
  ])("%j → %s", (text, problem) => {
    expect(topUpAmountProblem(text)).toBe(problem);
  });

  it("sends the amount without leading zeros, which the API's pattern counts", () => {
    expect(normalizeAmount(" 0000012.50 ")).toBe("12.50");
    expect(normalizeAmount("0.5")).toBe("0.5");
  });
});

describe("exactQuantity", () => {
  it("gives the exact megabytes behind a rounded data quantity, nothing for other kinds", () => {
    expect(exactQuantity("data", "102400")).toBe(`${(102400).toLocaleString()} MB`);
    expect(exactQuantity("data", "1536.5")).toBe(`${(1536.5).toLocaleString()} MB`);
    expect(exactQuantity("voice", "120")).toBeNull();
    expect(exactQuantity("data", "x")).toBeNull();
  });
});
