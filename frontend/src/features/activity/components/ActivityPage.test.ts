import { describe, expect, it } from "vitest";
import { actorOf } from "./actor";
import { dayRange } from "./ActivityPage";

describe("dayRange", () => {
  it("turns inclusive days into the API's [from, to) date-times", () => {
    expect(dayRange("2024-02-28", "2024-02-29")).toEqual({ from: "2024-02-28T00:00:00", to: "2024-03-01T00:00:00" });
    expect(dayRange("", "")).toEqual({});
  });
});

describe("actorOf", () => {
  it("names the user, the API key or the system", () => {
    expect(actorOf({ user_id: 3, api_key_id: null })).toBe("User #3");
    expect(actorOf({ user_id: 3, api_key_id: null, user_email: "a@b.c" })).toBe("a@b.c");
    expect(actorOf({ user_id: null, api_key_id: 9 })).toBe("API key #9");
    expect(actorOf({ user_id: null, api_key_id: null })).toBe("System");
    expect(actorOf({ user_id: 3, api_key_id: null, actor: "Ada Lovelace" })).toBe("Ada Lovelace");
  });
});
