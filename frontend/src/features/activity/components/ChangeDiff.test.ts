import { describe, expect, it } from "vitest";
import { changedFields, labelledChanges } from "./ChangeDiff";

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

describe("labelledChanges", () => {
  it("uses the API's labels and text values when present", () => {
    const changes = [{ field: "contact_types", label: "Contact types", before: null, after: "Billing" }];
    expect(labelledChanges({ before: null, after: { contact_types: ["Billing"] }, changes })).toEqual(changes);
  });

  it("humanises raw snapshots from older payloads", () => {
    expect(labelledChanges({ before: { address_line_1: "1 Old St" }, after: { address_line_1: "2 New St" } })).toEqual([
      { field: "address_line_1", label: "Address line 1", before: "1 Old St", after: "2 New St" },
    ]);
  });
});
