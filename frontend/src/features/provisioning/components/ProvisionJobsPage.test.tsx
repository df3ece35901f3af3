import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSession } from "@/api";
import { customer, login } from "@/test/fixtures";
import { json, stubFetch, type StubFetch } from "@/test/http";
import { listJob } from "@/test/provisioning";
import { renderRoutes } from "@/test/render";
import { ProvisionJobsPage } from "./ProvisionJobsPage";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["provision.read"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/provision/", () => json([listJob({ provision_id: 9, provisioning_status: 2 })]));
  fetch.on("GET /crm/customer/7", () => json(customer({ customer_id: 7, customer_name: "Harbour Cafe" })));
  fetch.on("GET /crm/customer/", () => json([]));
  return () => vi.unstubAllGlobals();
});

const lastQuery = () => new URL(fetch.callsTo("GET /crm/provision/").at(-1)!.url).searchParams;

describe("ProvisionJobsPage", () => {
  it("lists jobs and passes status codes, ids and the play to the API", async () => {
    const { router } = renderRoutes(
      [{ path: "/provisioning/jobs", element: <ProvisionJobsPage /> }],
      "/provisioning/jobs?status=2,5&service_id=21&action=activate&customer_id=7",
    );
    const row = await screen.findByTestId("provision-job-row");
    expect(row).toHaveAttribute("data-provision-id", "9");
    expect(within(row).getByRole("link", { name: "#9" })).toHaveAttribute("href", "/provisioning/9");
    expect(within(row).getByText("Failed")).toBeInTheDocument();
    expect(screen.getByText("1 jobs")).toBeInTheDocument();
    expect(lastQuery().getAll("provisioning_status")).toEqual(["2", "5"]);
    expect(lastQuery().get("service_id")).toBe("21");
    expect(lastQuery().get("action")).toBe("activate");
    expect(lastQuery().get("customer_id")).toBe("7");
    // The customer filter is a searchable picker showing the name, not an id box.
    await waitFor(() => expect(screen.getByTestId("provision-filter-customer")).toHaveValue("Harbour Cafe"));

    await userEvent.setup().type(screen.getByTestId("provision-filter-play"), "mobile_activate{Enter}");
    await waitFor(() => expect(lastQuery().get("play")).toBe("mobile_activate"));
    expect(router.state.location.search).toContain("play=mobile_activate");
  });
});
