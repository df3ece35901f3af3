import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safePath";

describe("safeNextPath", () => {
  it("keeps a same-origin path with its query and hash", () => {
    expect(safeNextPath("/customers")).toBe("/customers");
    expect(safeNextPath("/customers/12?tab=billing#top")).toBe("/customers/12?tab=billing#top");
    expect(safeNextPath("/")).toBe("/");
  });

  it.each([
    "//evil.example",
    "//evil.example/customers",
    "https://evil.example",
    "http://evil.example/customers",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\\evil.example",
    "/\t/evil.example",
    "customers",
    "",
  ])("refuses %j", (value) => {
    expect(safeNextPath(value)).toBeNull();
  });

  it("refuses anything that is not a string", () => {
    expect(safeNextPath(undefined)).toBeNull();
    expect(safeNextPath(null)).toBeNull();
    expect(safeNextPath({ pathname: "/x" })).toBeNull();
  });
});
