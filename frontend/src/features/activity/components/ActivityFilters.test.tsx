import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login, user as me } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { ActivityPage } from "./ActivityPage";

let fetch: StubFetch;

const carol = { ...me, id: 4, email: "carol@example.com", full_name: "Carol Danvers", username: "carol" };

beforeEach(() => {
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/activity/", () => json([]));
  fetch.on("GET /crm/user/", () => json([carol]));
  return () => vi.unstubAllGlobals();
});

const activityQueries = () => fetch.callsTo("GET /crm/activity/").map((r) => new URL(r.url).searchParams);

describe("ActivityPage filters", () => {
  it("filters by who made the change, picked by name", async () => {
    useSession.getState().signIn(login({ permissions: ["activity.read", "user.read"] }));
    renderRoutes([{ path: "/activity", element: <ActivityPage /> }], "/activity");
    const user = userEvent.setup();
    await user.type(await screen.findByTestId("activity-filter-user"), "carol");
    await user.click(await screen.findByRole("option", { name: /Carol Danvers/, hidden: true }));
    await waitFor(() => expect(activityQueries().some((q) => q.get("user_id") === "4")).toBe(true));
  });

  it("offers no user picker without user.read", async () => {
    useSession.getState().signIn(login({ permissions: ["activity.read"] }));
    renderRoutes([{ path: "/activity", element: <ActivityPage /> }], "/activity");
    await waitFor(() => expect(activityQueries().length).toBeGreaterThan(0));
    expect(screen.queryByTestId("activity-filter-user")).not.toBeInTheDocument();
  });
});
