import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { renderRoutes } from "@/test/render";
import { staffUser } from "../testData";
import { UserSelect } from "./UserSelect";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["user.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/user/", (r) => {
    const q = new URL(r.url).searchParams.get("q");
    const all = [staffUser(), staffUser({ id: 4, email: "carol@example.com", full_name: "Carol Danvers" })];
    return json(q ? all.filter((u) => u.email.includes(q) || u.full_name.toLowerCase().includes(q)) : all);
  });
  return () => vi.unstubAllGlobals();
});

function Harness() {
  const [id, setId] = useState<number | null>(null);
  return (
    <>
      <UserSelect label="Assignee" value={id} onChange={setId} data-testid="assignee" />
      <output data-testid="picked">{id ?? "none"}</output>
    </>
  );
}

describe("UserSelect", () => {
  it("searches users on the server by name or e-mail and picks one", async () => {
    renderRoutes(<Harness />);
    const user = userEvent.setup();
    await user.type(screen.getByTestId("assignee"), "carol");
    await waitFor(() => expect(fetch.calls.some((r) => new URL(r.url).searchParams.get("q") === "carol")).toBe(true));
    const call = fetch.calls.find((r) => new URL(r.url).searchParams.get("q") === "carol")!;
    expect(new URL(call.url).searchParams.get("is_active")).toBe("true");
    await user.click(await screen.findByRole("option", { name: /Carol Danvers/, hidden: true }));
    expect(screen.getByTestId("picked")).toHaveTextContent("4");
  });
});
