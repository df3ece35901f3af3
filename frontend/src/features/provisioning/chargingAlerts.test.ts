import { describe, expect, it } from "vitest";
import { describeThreshold, thresholdColor } from "./chargingAlerts";
import { threshold } from "./testData";

describe("describeThreshold", () => {
  it("says how much of an allowance is used and what is left", () => {
    expect(describeThreshold(threshold())).toBe("Service 42: 80% of data used (100 MB left)");
    expect(
      describeThreshold(threshold({ threshold: "sms:100", balance_type: "sms", percent_used: 100, value: "0" })),
    ).toBe("Service 42: 100% of SMS used (0 SMS left)");
    expect(describeThreshold(threshold({ balance_type: "voice", percent_used: 90.25, value: "12.5000" }))).toBe(
      "Service 42: 90.3% of voice used (12.5 min left)",
    );
  });

  it("says an allowance is exhausted, and money below its threshold", () => {
    const exhausted = threshold({ threshold: "data:exhausted", percent_used: null, value: "0" });
    expect(describeThreshold(exhausted)).toBe("Service 42: data exhausted");
    expect(thresholdColor(exhausted)).toBe("red");
    const money = threshold({
      threshold: "monetary:below",
      balance_type: "monetary",
      percent_used: null,
      below: "5.0000",
      value: "4.0000",
    });
    expect(describeThreshold(money)).toBe("Service 42: money 4.00 below 5.00");
    expect(thresholdColor(money)).toBe("red");
    expect(thresholdColor(threshold())).toBe("orange");
  });
});
