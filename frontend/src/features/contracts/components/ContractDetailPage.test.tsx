import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, useSession } from "@/api";
import { login } from "@/test/fixtures";
import { errorBody, json, stubFetch, type StubFetch } from "@/test/http";
import { listJob } from "@/test/provisioning";
import { renderRoutes } from "@/test/render";
import { ContractDetailPage } from "./ContractDetailPage";
import { contract } from "./testData";

let fetch: StubFetch;

beforeEach(() => {
  useSession.getState().signIn(login({ permissions: ["contract.read", "contract.write"] }));
  fetch = stubFetch();
  vi.stubGlobal("fetch", fetch);
  fetch.on("GET /crm/contract/11", () => json(contract()));
  return () => vi.unstubAllGlobals();
});

afterEach(() => vi.restoreAllMocks());

const renderContract = () =>
  renderRoutes([{ path: "/contracts/:contractId", element: <ContractDetailPage /> }], "/contracts/11");

describe("ContractDetailPage", () => {
  it("shows number, status, SIM, number and setup charge", async () => {
    renderContract();
    expect(await screen.findByTestId("contract-number")).toHaveTextContent("C-2025-000011");
    expect(screen.getByTestId("contract-status")).toHaveTextContent("Active");
    expect(screen.getByTestId("contract-iccid")).toHaveTextContent("8944100000000000018");
    expect(screen.getByTestId("contract-msisdn")).toHaveTextContent("61412345678");
    expect(screen.getByTestId("contract-service")).toHaveAttribute("href", "/services/21");
    expect(screen.getByTestId("contract-action-suspend")).toBeInTheDocument();
    expect(screen.getByTestId("contract-action-close")).toBeInTheDocument();
    expect(screen.queryByTestId("contract-action-resume")).not.toBeInTheDocument();
  });

  it("names the customer, product, site and accepting user instead of ids", async () => {
    fetch.on("GET /crm/contract/11", () => json(contract({ site_id: 12, site_name: "Head office" })));
    renderContract();
    expect(await screen.findByTestId("contract-customer")).toHaveTextContent("Harbour Cafe");
    expect(screen.getByTestId("contract-customer")).toHaveAttribute("href", "/customers/7");
    expect(screen.getByTestId("contract-product")).toHaveTextContent("Mobile 20");
    expect(screen.getByTestId("contract-product")).toHaveAttribute("href", "/products/3");
    expect(screen.getByTestId("contract-site")).toHaveTextContent("Head office");
    expect(screen.getByText(/by Dana Seller/)).toBeInTheDocument();
    expect(screen.queryByText(/#7|user #1/)).not.toBeInTheDocument();
  });

  it("labels the ending action Terminate contract and warns the SIM returns to stock", async () => {
    renderContract();
    const user = userEvent.setup();
    const terminate = await screen.findByTestId("contract-action-close");
    expect(terminate).toHaveTextContent("Terminate contract");
    await user.click(terminate);
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("ends the service for good");
    expect(dialog).toHaveTextContent("returns the SIM to stock");
  });

  it("downloads the PDF through the client as a blob and saves it", async () => {
    fetch.on(
      "GET /crm/contract/11/pdf",
      () =>
        new Response(new Blob(["%PDF-1.4 test"], { type: "application/pdf" }), {
          headers: {
            "Content-Type": "application/pdf",
            "Content-Disposition": 'attachment; filename="C-2025-000011.pdf"',
          },
        }),
    );
    const get = vi.spyOn(api, "GET");
    const createObjectURL = vi.fn<(blob: Blob) => string>(() => "blob:pdf");
    // jsdom has no object URLs; this file's realm only.
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderContract();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("contract-pdf"));

    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const calls = get.mock.calls as unknown as [string, unknown][];
    const pdfCall = calls.find(([path]) => path === "/crm/contract/{contract_id}/pdf");
    expect(pdfCall?.[1]).toMatchObject({ params: { path: { contract_id: 11 } }, parseAs: "blob" });
    const [blob] = createObjectURL.mock.calls[0];
    expect(blob.type).toBe("application/pdf");
    expect(blob.size).toBe(13);
    expect(click).toHaveBeenCalled();
    const [request] = fetch.callsTo("GET /crm/contract/11/pdf");
    expect(request.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("closes with a reason and shows a 409 from the API", async () => {
    fetch.on("POST /crm/contract/11/close", () =>
      errorBody(409, "invalid_transition", "Cannot go from closed to closed"),
    );
    renderContract();
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("contract-action-close"));
    await user.type(await screen.findByTestId("reason-input"), "customer left");
    await user.click(screen.getByTestId("reason-submit"));
    expect(await screen.findByTestId("reason-error")).toHaveTextContent("Cannot go from closed to closed");
    expect(await fetch.callsTo("POST /crm/contract/11/close")[0].json()).toEqual({ reason: "customer left" });
  });

  it("lists the service's provisioning jobs with links to the job pages", async () => {
    useSession.setState({ permissions: ["contract.read", "provision.read"] });
    fetch.on("GET /crm/provision/", () => json([listJob({ provision_id: 9, provisioning_status: 0 })]));
    renderContract();
    const card = await screen.findByTestId("contract-provisioning");
    expect(await within(card).findByRole("link", { name: "#9" })).toHaveAttribute("href", "/provisioning/9");
    expect(within(card).getByText("Success")).toBeInTheDocument();
    const url = new URL(fetch.callsTo("GET /crm/provision/")[0].url);
    expect(url.searchParams.get("service_id")).toBe("21");
  });

  it("has no provisioning card without provision.read", async () => {
    renderContract();
    await screen.findByTestId("contract-number");
    expect(screen.queryByTestId("contract-provisioning")).not.toBeInTheDocument();
    expect(fetch.callsTo("GET /crm/provision/")).toHaveLength(0);
  });
});
