import { describe, expect, it } from "vitest";
import { changedFields } from "./ChangeDiff";

describe("changedFields", () => {
  it("lists only fields whose value changed", () => {
    expect(
      changedFields(
        { customer_name: "Acme", customer_status: "Open", tags: ["a"] },
        { customer_name: "Acme", customer_status: "Suspended", tags: ["a", "b"] },
      ),
    ).toEqual([
      { field: "customer_status", before: "Open", after: "Suspended" },
      { field: "tags", before: ["a"], after: ["a", "b"] },
    ]);
  });

  it("treats a create (no before) and a delete (no after) as every field changing", () => {
    expect(changedFields(null, { a: 1 })).toEqual([{ field: "a", before: undefined, after: 1 }]);
    expect(changedFields({ a: 1 }, null)).toEqual([{ field: "a", before: 1, after: undefined }]);
  });
});
